//! Enqueue phase: N jobs from P concurrent producers, in batches of B through
//! `POST /ojs/v1/jobs/batch`, or one `POST /ojs/v1/jobs` per job when the server has no
//! batch enqueue.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use futures::stream::{self, StreamExt};
use serde::Serialize;

use super::{Context, ErrorLog};
use crate::cpu::{CpuMeter, CpuUse};
use crate::payload::job_request;
use crate::progress;
use crate::stats::rate;

/// In-flight single pushes per producer when batch enqueue is unavailable.
const SINGLE_PUSH_CONCURRENCY: usize = 32;

#[derive(Serialize, Debug, Clone)]
pub struct EnqueueReport {
    /// "batch" or "single".
    pub mode: &'static str,
    pub requested: u64,
    /// Jobs the server accepted (and answered with an id).
    pub jobs: u64,
    pub secs: f64,
    pub jobs_per_sec: f64,
    /// Jobs in failed requests.
    pub errors: u64,
    pub first_error: Option<String>,
    pub cpu: CpuUse,
}

pub struct Enqueued {
    pub report: EnqueueReport,
    /// Ids of every accepted job, for the delivery ledger.
    pub ids: Vec<String>,
}

pub async fn run(ctx: &Arc<Context>, queue: &str, total: u64, show_progress: bool) -> Enqueued {
    let batch_mode = ctx.server.batch_enqueue;
    let bar = progress::bar(show_progress, total, "enqueue");
    let next_seq = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(ErrorLog::default());
    let meter = CpuMeter::start(ctx.args.server_pid);
    let started = Instant::now();

    let producers: Vec<_> = (0..ctx.args.producers)
        .map(|_| {
            let (ctx, queue, next_seq, errors, bar) =
                (ctx.clone(), queue.to_string(), next_seq.clone(), errors.clone(), bar.clone());
            tokio::spawn(async move {
                let mut ids = Vec::new();
                loop {
                    let first = next_seq.fetch_add(ctx.args.batch, Ordering::Relaxed);
                    if first >= total {
                        break ids;
                    }
                    let seqs = first..(first + ctx.args.batch).min(total);
                    let size = seqs.end - seqs.start;
                    if batch_mode {
                        push_batch(&ctx, &queue, seqs, &errors, &mut ids).await;
                    } else {
                        push_singles(&ctx, &queue, seqs, &errors, &mut ids).await;
                    }
                    bar.inc(size);
                }
            })
        })
        .collect();

    let mut ids = Vec::with_capacity(total as usize);
    for producer in futures::future::join_all(producers).await {
        ids.extend(producer.unwrap_or_default());
    }
    let secs = started.elapsed().as_secs_f64();
    bar.finish_and_clear();
    let (error_count, first_error) = errors.take();
    let accepted = ids.len() as u64;
    Enqueued {
        report: EnqueueReport {
            mode: if batch_mode { "batch" } else { "single" },
            requested: total,
            jobs: accepted,
            secs,
            jobs_per_sec: rate(accepted, secs),
            errors: error_count,
            first_error,
            cpu: meter.finish(),
        },
        ids,
    }
}

async fn push_batch(
    ctx: &Context,
    queue: &str,
    seqs: std::ops::Range<u64>,
    errors: &ErrorLog,
    ids: &mut Vec<String>,
) {
    let size = seqs.end - seqs.start;
    let jobs = seqs.map(|seq| job_request(queue, seq)).collect();
    match ctx.client.push_batch(jobs).await {
        Ok(accepted) => ids.extend(accepted),
        Err(error) => errors.record_many(size, &error),
    }
}

async fn push_singles(
    ctx: &Context,
    queue: &str,
    seqs: std::ops::Range<u64>,
    errors: &ErrorLog,
    ids: &mut Vec<String>,
) {
    let results: Vec<_> = stream::iter(seqs)
        .map(|seq| async move { ctx.client.push_one(&job_request(queue, seq)).await })
        .buffer_unordered(SINGLE_PUSH_CONCURRENCY)
        .collect()
        .await;
    for result in results {
        match result {
            Ok(id) => ids.push(id),
            Err(error) => errors.record(&error),
        }
    }
}
