// graphile-worker on the same Postgres as ojs-server (its own database): addJobs in batches,
// a runner with a local queue and batched completion, a no-op task, and idle enqueue→start
// latency. Prints one JSON object.
'use strict';

const { Pool } = require('pg');
const { run, makeWorkerUtils, Logger } = require('graphile-worker');
const { packageVersion, parseArgs, nowMs, payload, summarize, openLoop, inChunks, until, rate, sleep } = require('./common');

const options = parseArgs({
  databaseUrl: process.env.GRAPHILE_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/ojs_bench_graphile',
  jobs: 100000,
  batch: 1000,
  producers: 4,
  concurrency: 16,
  localQueueSize: 500,
  completeBatchDelayMs: 10,
  latencyConcurrency: 4,
  rate: 200,
  duration: 10,
});

// Errors only: the default logger prints a line per completed job.
const logger = new Logger(() => (level, message) => { if (level === 'error') console.error(message); });

async function ensureDatabase() {
  const url = new URL(options.databaseUrl);
  const database = url.pathname.slice(1);
  url.pathname = '/postgres';
  const admin = new Pool({ connectionString: url.toString(), max: 1 });
  const { rowCount } = await admin.query('select 1 from pg_database where datname = $1', [database]);
  if (rowCount === 0) await admin.query(`create database "${database.replace(/"/g, '""')}"`);
  await admin.end();
}

async function pendingJobs(pool) {
  const { rows } = await pool.query('select count(*)::int as n from graphile_worker.jobs');
  return rows[0].n;
}

async function main() {
  await ensureDatabase();
  const connectionString = options.databaseUrl;
  const result = { peer: 'graphile-worker', version: packageVersion('graphile-worker'), settings: options };
  const utils = await makeWorkerUtils({ connectionString, logger });
  await utils.migrate();
  const pool = new Pool({ connectionString, max: 2 });
  await pool.query('delete from graphile_worker._private_jobs');

  // Enqueue.
  let started = performance.now();
  await inChunks(options.jobs, options.batch, options.producers, (first, last) => {
    const specs = [];
    for (let seq = first; seq < last; seq += 1) specs.push({ identifier: 'noop', payload: payload(seq) });
    return utils.addJobs(specs);
  });
  result.enqueue_jobs_per_sec = rate(options.jobs, performance.now() - started);

  // Drain: a runner with a local queue and batched completion until the table is empty.
  let ran = 0;
  const tuned = {
    connectionString,
    logger,
    concurrency: options.concurrency,
    maxPoolSize: options.concurrency + 2,
    noHandleSignals: true,
    pollInterval: 1000,
    preset: { worker: { localQueue: { size: options.localQueueSize }, completeJobBatchDelay: options.completeBatchDelayMs } },
  };
  started = performance.now();
  const drainRunner = await run({ ...tuned, taskList: { noop: async () => { ran += 1; } } });
  await until(() => ran >= options.jobs, 2, 30 * 60 * 1000);
  await until(async () => (await pendingJobs(pool)) === 0, 5, 60 * 1000);
  result.drain_jobs_per_sec = rate(options.jobs, performance.now() - started);
  await drainRunner.stop();

  // The drain left one dead row per job; right after it, get_job crawls over them (p50 was
  // ~300 ms in a first run). Vacuum as autovacuum soon would, so the latency is an idle one.
  await pool.query('vacuum analyze graphile_worker._private_jobs');

  // Latency: an idle runner (LISTEN/NOTIFY wakes it), single addJob calls on a schedule.
  // The local queue is left off here: it trades latency for throughput.
  const toStart = [];
  const latencyRunner = await run({
    connectionString,
    logger,
    concurrency: options.latencyConcurrency,
    noHandleSignals: true,
    pollInterval: 1000,
    taskList: { noop: async (job) => { toStart.push(nowMs() - job.sent_ms); } },
  });
  await sleep(200);
  const { sent } = await openLoop(options.rate, options.duration, (seq) => utils.addJob('noop', payload(seq)));
  await until(() => toStart.length >= sent, 5, 60 * 1000);
  result.latency = { sent, enqueue_to_start: summarize(toStart) };
  await latencyRunner.stop();

  await pool.end();
  await utils.release();
  console.log(JSON.stringify(result));
}

main().then(() => process.exit(0), (error) => { console.error(`graphile bench: ${error.stack || error}`); process.exit(1); });
