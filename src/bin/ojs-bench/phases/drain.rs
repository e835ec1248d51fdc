//! Drain phase: K workers loop fetch(count B) → ack until the queue is empty, then the
//! deliveries are checked against the enqueued ids (lost / duplicated).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::stream::{self, StreamExt};
use serde::Serialize;

use super::{Context, ErrorLog};
use crate::client::FetchRequest;
use crate::cpu::{CpuMeter, CpuUse};
use crate::ledger::{Correctness, DeliveryLedger};
use crate::progress;
use crate::stats::rate;

/// In-flight single acks per worker when the server has no batch ack.
const SINGLE_ACK_CONCURRENCY: usize = 64;
/// Consecutive empty fetches before a worker asks the queue stats whether it is done.
const EMPTY_FETCHES_BEFORE_STATS: u32 = 3;
/// Without a stats endpoint, this many consecutive empty fetches end the drain.
const EMPTY_FETCHES_WITHOUT_STATS: u32 = 50;
const EMPTY_BACKOFF: Duration = Duration::from_millis(5);

#[derive(Serialize, Debug, Clone)]
pub struct DrainReport {
    pub fetch_count: u64,
    /// "batch" or "single".
    pub ack_mode: &'static str,
    /// Deliveries (jobs returned by fetch) until the queue was empty.
    pub jobs: u64,
    pub secs: f64,
    pub jobs_per_sec: f64,
    pub fetches: u64,
    pub empty_fetches: u64,
    /// "drained" or "stalled" (no delivery for --stall-secs).
    pub stopped: &'static str,
    pub errors: u64,
    pub first_error: Option<String>,
    pub correctness: Correctness,
    pub cpu: CpuUse,
}

/// State shared by the workers of one drain.
struct Shared {
    ctx: Arc<Context>,
    queue: String,
    expected: u64,
    started: Instant,
    delivered: AtomicU64,
    fetches: AtomicU64,
    empty_fetches: AtomicU64,
    last_progress_ms: AtomicU64,
    done: AtomicBool,
    stalled: AtomicBool,
    finished_after: Mutex<Option<Duration>>,
    errors: ErrorLog,
    bar: indicatif::ProgressBar,
}

impl Shared {
    fn finish(&self, stalled: bool) {
        if stalled {
            self.stalled.store(true, Ordering::Relaxed);
        }
        self.finished_after
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .get_or_insert_with(|| self.started.elapsed());
        self.done.store(true, Ordering::Release);
    }

    fn is_stalled(&self) -> bool {
        let idle_ms = (self.started.elapsed().as_millis() as u64)
            .saturating_sub(self.last_progress_ms.load(Ordering::Relaxed));
        idle_ms > self.ctx.args.stall_secs * 1000
    }

    /// The queue holds nothing available or in flight (falls back to "many empty fetches"
    /// when the server has no stats endpoint).
    async fn queue_is_empty(&self, consecutive_empty: u32) -> bool {
        match self.ctx.client.queue_stats(&self.queue).await {
            Ok(stats) => stats.available == 0 && stats.active == 0,
            Err(_) => consecutive_empty >= EMPTY_FETCHES_WITHOUT_STATS,
        }
    }
}

pub async fn run(ctx: &Arc<Context>, queue: &str, enqueued_ids: Vec<String>) -> DrainReport {
    let expected = enqueued_ids.len() as u64;
    let shared = Arc::new(Shared {
        ctx: ctx.clone(),
        queue: queue.to_string(),
        expected,
        started: Instant::now(),
        delivered: AtomicU64::new(0),
        fetches: AtomicU64::new(0),
        empty_fetches: AtomicU64::new(0),
        last_progress_ms: AtomicU64::new(0),
        done: AtomicBool::new(false),
        stalled: AtomicBool::new(false),
        finished_after: Mutex::new(None),
        errors: ErrorLog::default(),
        bar: progress::bar(ctx.show_progress, expected, "drain"),
    });
    let meter = CpuMeter::start(ctx.args.server_pid);
    let workers: Vec<_> =
        (0..ctx.args.workers).map(|n| tokio::spawn(worker(shared.clone(), format!("bench-drain-{n}")))).collect();

    let mut ledger = DeliveryLedger::new(enqueued_ids);
    for delivered in futures::future::join_all(workers).await {
        for id in delivered.unwrap_or_default() {
            ledger.record(&id);
        }
    }
    let cpu = meter.finish();
    shared.bar.finish_and_clear();
    let secs = shared
        .finished_after
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .unwrap_or_else(|| shared.started.elapsed())
        .as_secs_f64();

    // Anything still fetchable now is a duplicate or a stray: record it too.
    for id in probe_leftovers(&shared).await {
        ledger.record(&id);
    }

    let jobs = shared.delivered.load(Ordering::Relaxed);
    let (errors, first_error) = shared.errors.take();
    DrainReport {
        fetch_count: ctx.args.batch,
        ack_mode: if ctx.server.batch_ack { "batch" } else { "single" },
        jobs,
        secs,
        jobs_per_sec: rate(jobs, secs),
        fetches: shared.fetches.load(Ordering::Relaxed),
        empty_fetches: shared.empty_fetches.load(Ordering::Relaxed),
        stopped: if shared.stalled.load(Ordering::Relaxed) { "stalled" } else { "drained" },
        errors,
        first_error,
        correctness: ledger.verdict(),
        cpu,
    }
}

/// One worker: fetch → ack until the queue is drained. Returns the ids it was given.
async fn worker(shared: Arc<Shared>, worker_id: String) -> Vec<String> {
    let ctx = &shared.ctx;
    let request = FetchRequest {
        queue: &shared.queue,
        count: ctx.args.batch,
        wait_ms: None,
        visibility_timeout_ms: ctx.args.visibility_timeout_ms,
        worker_id: &worker_id,
    };
    let mut seen = Vec::new();
    let mut consecutive_empty = 0u32;
    while !shared.done.load(Ordering::Acquire) {
        shared.fetches.fetch_add(1, Ordering::Relaxed);
        let jobs = match ctx.client.fetch(&request).await {
            Ok(jobs) => jobs,
            Err(error) => {
                shared.errors.record(&error);
                tokio::time::sleep(EMPTY_BACKOFF).await;
                if shared.is_stalled() {
                    shared.finish(true);
                }
                continue;
            }
        };
        if jobs.is_empty() {
            shared.empty_fetches.fetch_add(1, Ordering::Relaxed);
            consecutive_empty += 1;
            if consecutive_empty >= EMPTY_FETCHES_BEFORE_STATS && shared.queue_is_empty(consecutive_empty).await {
                shared.finish(false);
            } else if shared.is_stalled() {
                shared.finish(true);
            } else {
                tokio::time::sleep(EMPTY_BACKOFF).await;
            }
            continue;
        }
        consecutive_empty = 0;
        let ids: Vec<String> = jobs.into_iter().map(|job| job.id).collect();
        ack_all(&shared, &ids).await;
        let count = ids.len() as u64;
        seen.extend(ids);
        shared.bar.inc(count);
        shared.last_progress_ms.store(shared.started.elapsed().as_millis() as u64, Ordering::Relaxed);
        if shared.delivered.fetch_add(count, Ordering::AcqRel) + count >= shared.expected {
            shared.finish(false);
        }
    }
    seen
}

async fn ack_all(shared: &Shared, ids: &[String]) {
    let client = &shared.ctx.client;
    if shared.ctx.server.batch_ack {
        match client.ack_batch(ids).await {
            Ok(acknowledged) if acknowledged < ids.len() => {
                let missing = (ids.len() - acknowledged) as u64;
                let error = crate::client::ClientError::Status {
                    path: "/ojs/v1/workers/ack".into(),
                    status: 200,
                    body: format!("batch ack acknowledged {acknowledged} of {}", ids.len()),
                };
                shared.errors.record_many(missing, &error);
            }
            Ok(_) => {}
            Err(error) => shared.errors.record_many(ids.len() as u64, &error),
        }
        return;
    }
    // Owned ids keep the futures free of borrowed lifetimes (they run inside spawned tasks).
    let results: Vec<_> = stream::iter(ids.to_vec())
        .map(|id| async move { client.ack_one(&id).await })
        .buffer_unordered(SINGLE_ACK_CONCURRENCY)
        .collect()
        .await;
    for error in results.iter().filter_map(|result| result.as_ref().err()) {
        shared.errors.record(error);
    }
}

/// One last fetch after the drain ended: a correct server has nothing left to give.
async fn probe_leftovers(shared: &Shared) -> Vec<String> {
    let request = FetchRequest {
        queue: &shared.queue,
        count: shared.ctx.args.batch,
        wait_ms: None,
        visibility_timeout_ms: shared.ctx.args.visibility_timeout_ms,
        worker_id: "bench-drain-probe",
    };
    match shared.ctx.client.fetch(&request).await {
        Ok(jobs) => {
            let ids: Vec<String> = jobs.into_iter().map(|job| job.id).collect();
            if !ids.is_empty() {
                ack_all(shared, &ids).await;
            }
            ids
        }
        Err(error) => {
            shared.errors.record(&error);
            Vec::new()
        }
    }
}
