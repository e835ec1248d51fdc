//! Latency phase: an open-loop producer pushes single jobs at a fixed rate (sends follow the
//! clock, never the responses) while K workers wait for them, with long-poll when the server
//! offers it. Measures enqueue→fetch and enqueue→ack from the send time stamped in the args.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::Serialize;
use tokio::task::JoinSet;

use super::{Context, ErrorLog};
use crate::client::FetchRequest;
use crate::cpu::{CpuMeter, CpuUse};
use crate::ledger::{Correctness, DeliveryLedger};
use crate::payload::{job_request, now_ms, sent_ms};
use crate::progress;
use crate::stats::{rate, summarize, Summary};

const LONG_POLL_WAIT_MS: u64 = 1000;

#[derive(Serialize, Debug, Clone)]
pub struct LatencyReport {
    /// "long-poll" (wait_ms) or "poll" (tight fetch loop).
    pub fetch_mode: &'static str,
    pub target_rate: u64,
    pub duration_secs: u64,
    /// Pushes the server accepted.
    pub sent: u64,
    pub achieved_rate: f64,
    /// Worst delay between a send's scheduled time and its actual start (bench overload).
    pub max_send_lag_ms: f64,
    pub enqueue_to_fetch: Option<Summary>,
    pub enqueue_to_ack: Option<Summary>,
    pub errors: u64,
    pub first_error: Option<String>,
    pub correctness: Correctness,
    pub cpu: CpuUse,
}

#[derive(Default)]
struct Observations {
    delivered_ids: Vec<String>,
    to_fetch_ms: Vec<f64>,
    to_ack_ms: Vec<f64>,
}

struct Shared {
    ctx: Arc<Context>,
    queue: String,
    done: AtomicBool,
    delivered: AtomicU64,
    observations: Mutex<Observations>,
    errors: ErrorLog,
}

pub async fn run(ctx: &Arc<Context>, queue: &str) -> LatencyReport {
    let total = ctx.args.rate * ctx.args.duration;
    let shared = Arc::new(Shared {
        ctx: ctx.clone(),
        queue: queue.to_string(),
        done: AtomicBool::new(false),
        delivered: AtomicU64::new(0),
        observations: Mutex::new(Observations::default()),
        errors: ErrorLog::default(),
    });
    let bar = progress::bar(ctx.show_progress, total, "latency");
    let meter = CpuMeter::start(ctx.args.server_pid);

    let mut workers = JoinSet::new();
    for n in 0..ctx.args.workers {
        workers.spawn(worker(shared.clone(), format!("bench-latency-{n}")));
    }

    let (pushed_ids, max_send_lag_ms, producer_secs) = produce(&shared, total, &bar).await;
    wait_for_deliveries(&shared, pushed_ids.len() as u64).await;
    shared.done.store(true, Ordering::Release);
    // Long-polling workers return within one wait; don't let a stuck one hold the report.
    let grace = Duration::from_millis(LONG_POLL_WAIT_MS + 2000);
    if tokio::time::timeout(grace, async { while workers.join_next().await.is_some() {} }).await.is_err() {
        workers.abort_all();
    }
    bar.finish_and_clear();
    let cpu = meter.finish();

    let observations = std::mem::take(&mut *shared.observations.lock().unwrap_or_else(|p| p.into_inner()));
    let sent = pushed_ids.len() as u64;
    let mut ledger = DeliveryLedger::new(pushed_ids);
    for id in &observations.delivered_ids {
        ledger.record(id);
    }
    let (errors, first_error) = shared.errors.take();
    LatencyReport {
        fetch_mode: if ctx.server.long_poll { "long-poll" } else { "poll" },
        target_rate: ctx.args.rate,
        duration_secs: ctx.args.duration,
        sent,
        achieved_rate: rate(sent, producer_secs),
        max_send_lag_ms,
        enqueue_to_fetch: summarize(observations.to_fetch_ms),
        enqueue_to_ack: summarize(observations.to_ack_ms),
        errors,
        first_error,
        correctness: ledger.verdict(),
        cpu,
    }
}

/// Sends `total` pushes on a fixed schedule, each in its own task. Returns the accepted ids,
/// the worst scheduling lag in ms and the producer's wall time in seconds.
async fn produce(shared: &Arc<Shared>, total: u64, bar: &indicatif::ProgressBar) -> (Vec<String>, f64, f64) {
    let period = Duration::from_secs_f64(1.0 / shared.ctx.args.rate as f64);
    let started = tokio::time::Instant::now();
    let mut pushes = JoinSet::new();
    let mut max_lag = Duration::ZERO;
    for seq in 0..total {
        let scheduled = started + period.mul_f64(seq as f64);
        tokio::time::sleep_until(scheduled).await;
        max_lag = max_lag.max(tokio::time::Instant::now().saturating_duration_since(scheduled));
        let shared = shared.clone();
        pushes.spawn(async move {
            let request = job_request(&shared.queue, seq);
            shared.ctx.client.push_one(&request).await.map_err(|error| shared.errors.record(&error)).ok()
        });
        bar.inc(1);
    }
    let producer_secs = started.elapsed().as_secs_f64();
    let mut ids = Vec::with_capacity(total as usize);
    while let Some(result) = pushes.join_next().await {
        if let Ok(Some(id)) = result {
            ids.push(id);
        }
    }
    (ids, max_lag.as_secs_f64() * 1000.0, producer_secs)
}

/// Waits until every accepted push was delivered, or nothing arrived for --stall-secs.
async fn wait_for_deliveries(shared: &Shared, expected: u64) {
    let stall = Duration::from_secs(shared.ctx.args.stall_secs);
    let mut last_count = shared.delivered.load(Ordering::Acquire);
    let mut last_change = Instant::now();
    loop {
        let count = shared.delivered.load(Ordering::Acquire);
        if count >= expected {
            return;
        }
        if count != last_count {
            (last_count, last_change) = (count, Instant::now());
        } else if last_change.elapsed() > stall {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// One worker: fetch one job at a time, ack it, and time both against the send stamp.
async fn worker(shared: Arc<Shared>, worker_id: String) {
    let ctx = &shared.ctx;
    let request = FetchRequest {
        queue: &shared.queue,
        count: 1,
        wait_ms: ctx.server.long_poll.then_some(LONG_POLL_WAIT_MS),
        visibility_timeout_ms: ctx.args.visibility_timeout_ms,
        worker_id: &worker_id,
    };
    while !shared.done.load(Ordering::Acquire) {
        let jobs = match ctx.client.fetch(&request).await {
            Ok(jobs) => jobs,
            Err(error) => {
                shared.errors.record(&error);
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
        };
        let fetched_at = now_ms();
        for job in jobs {
            let acked = match ctx.client.ack_one(&job.id).await {
                Ok(()) => Some(now_ms()),
                Err(error) => {
                    shared.errors.record(&error);
                    None
                }
            };
            let mut observations = shared.observations.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(sent) = sent_ms(&job.args) {
                observations.to_fetch_ms.push(fetched_at - sent);
                if let Some(acked) = acked {
                    observations.to_ack_ms.push(acked - sent);
                }
            }
            observations.delivered_ids.push(job.id);
            drop(observations);
            shared.delivered.fetch_add(1, Ordering::AcqRel);
        }
    }
}
