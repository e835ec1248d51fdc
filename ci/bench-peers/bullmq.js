// BullMQ on the same Redis as ojs-server: addBulk in batches, a Worker with a no-op
// processor, and idle enqueue→start latency. Prints one JSON object.
'use strict';

const { Queue, Worker } = require('bullmq');
const { packageVersion, parseArgs, nowMs, payload, summarize, openLoop, inChunks, until, rate } = require('./common');

const options = parseArgs({
  redisUrl: process.env.REDIS_URL || 'redis://127.0.0.1:6379',
  jobs: 100000,
  batch: 1000,
  producers: 4,
  concurrency: 100,
  latencyConcurrency: 4,
  rate: 200,
  duration: 10,
});

async function main() {
  const url = new URL(options.redisUrl);
  const connection = { host: url.hostname, port: Number(url.port || 6379), maxRetriesPerRequest: null };
  const name = `bench-${Date.now()}`;
  const jobOptions = { removeOnComplete: true, removeOnFail: true };
  const result = { peer: 'bullmq', version: packageVersion('bullmq'), settings: options };

  // Enqueue.
  const queue = new Queue(name, { connection });
  await queue.waitUntilReady();
  let started = performance.now();
  await inChunks(options.jobs, options.batch, options.producers, (first, last) => {
    const jobs = [];
    for (let seq = first; seq < last; seq += 1) jobs.push({ name: 'noop', data: payload(seq), opts: jobOptions });
    return queue.addBulk(jobs);
  });
  result.enqueue_jobs_per_sec = rate(options.jobs, performance.now() - started);

  // Drain: a worker with a no-op processor until every job completed.
  let completed = 0;
  const drainWorker = new Worker(name, async () => {}, { connection, concurrency: options.concurrency, autorun: false });
  drainWorker.on('completed', () => { completed += 1; });
  await drainWorker.waitUntilReady();
  started = performance.now();
  drainWorker.run();
  await until(() => completed >= options.jobs, 2, 30 * 60 * 1000);
  result.drain_jobs_per_sec = rate(options.jobs, performance.now() - started);
  await drainWorker.close();
  await queue.obliterate({ force: true });
  await queue.close();

  // Latency: idle workers, single adds on a fixed schedule.
  const latencyName = `${name}-lat`;
  const latencyQueue = new Queue(latencyName, { connection });
  const toStart = [];
  const latencyWorker = new Worker(latencyName, async (job) => { toStart.push(nowMs() - job.data.sent_ms); },
    { connection, concurrency: options.latencyConcurrency });
  await latencyWorker.waitUntilReady();
  await latencyQueue.waitUntilReady();
  const { sent } = await openLoop(options.rate, options.duration, (seq) => latencyQueue.add('noop', payload(seq), jobOptions));
  await until(() => toStart.length >= sent, 5, 60 * 1000);
  result.latency = { sent, enqueue_to_start: summarize(toStart) };
  await latencyWorker.close();
  await latencyQueue.obliterate({ force: true });
  await latencyQueue.close();

  console.log(JSON.stringify(result));
}

main().then(() => process.exit(0), (error) => { console.error(`bullmq bench: ${error.stack || error}`); process.exit(1); });
