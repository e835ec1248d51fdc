// Shared helpers for the peer benchmarks: argument parsing, the job payload, an open-loop
// producer and nearest-rank percentiles (the same method as ojs-bench's stats.rs).
'use strict';

const { performance } = require('node:perf_hooks');

/** `--name value` pairs into an object, with defaults. */
function parseArgs(defaults) {
  const options = { ...defaults };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i += 1) {
    const key = argv[i].replace(/^--/, '').replace(/-([a-z])/g, (_, c) => c.toUpperCase());
    if (!(key in defaults)) throw new Error(`unknown option ${argv[i]}`);
    const raw = argv[i + 1];
    i += 1;
    options[key] = typeof defaults[key] === 'number' ? Number(raw) : raw;
  }
  return options;
}

/** Wall-clock milliseconds with sub-millisecond precision. */
function nowMs() {
  return performance.timeOrigin + performance.now();
}

const PAD = 'ojs-bench-padding-ojs-bench-padding-ojs';

/** ~100 bytes carrying the send time, like ojs-bench's args. */
function payload(seq) {
  return { seq, sent_ms: Math.round(nowMs() * 1000) / 1000, pad: PAD };
}

function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(Math.max(rank, 1), sorted.length) - 1];
}

function summarize(samples) {
  const sorted = samples.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const round = (x) => Math.round(x * 1000) / 1000;
  return {
    count: sorted.length,
    p50_ms: round(percentile(sorted, 50)),
    p99_ms: round(percentile(sorted, 99)),
    max_ms: round(sorted[sorted.length - 1]),
    mean_ms: round(sorted.reduce((a, b) => a + b, 0) / sorted.length),
  };
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Calls `send(seq)` `rate * durationSecs` times on a fixed schedule without waiting for the
 * previous sends (open loop). Resolves when every send has settled.
 */
async function openLoop(rate, durationSecs, send) {
  const total = rate * durationSecs;
  const period = 1000 / rate;
  const started = performance.now();
  const inFlight = [];
  let failures = 0;
  for (let seq = 0; seq < total; seq += 1) {
    const wait = started + seq * period - performance.now();
    if (wait > 1) await sleep(wait);
    inFlight.push(send(seq).catch(() => { failures += 1; }));
  }
  await Promise.all(inFlight);
  return { sent: total - failures, failures };
}

/** Runs `task(first, last)` over [0, total) in chunks, `concurrency` chunks at a time. */
async function inChunks(total, chunk, concurrency, task) {
  let next = 0;
  const producer = async () => {
    while (next < total) {
      const first = next;
      next = Math.min(next + chunk, total);
      await task(first, next);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, producer));
}

/** Resolves when `predicate()` is true, polling every `everyMs`; rejects after `timeoutMs`. */
async function until(predicate, everyMs, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms`);
    await sleep(everyMs);
  }
}

/** Installed version of a dependency (read from disk: some packages don't export package.json). */
function packageVersion(name) {
  const file = require('node:path').join(__dirname, 'node_modules', name, 'package.json');
  return JSON.parse(require('node:fs').readFileSync(file, 'utf8')).version;
}

const rate = (jobs, ms) => Math.round((jobs / (ms / 1000)) * 10) / 10;

module.exports = { packageVersion, parseArgs, nowMs, payload, summarize, percentile, openLoop, inChunks, until, rate, sleep };
