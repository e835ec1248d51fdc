//! `ojs-bench`: load generator and benchmark for any OJS HTTP server. It speaks HTTP only
//! (no server library code), so the same numbers can be taken against any implementation.
//! See docs/performance.md for the method.

mod cli;
mod client;
mod cpu;
mod ledger;
mod machine;
mod payload;
mod phases;
mod progress;
mod report;
mod server_info;
mod stats;

use std::process::ExitCode;
use std::sync::Arc;

use clap::Parser;
use rand::Rng;

use cli::{Args, Phase};
use client::OjsClient;
use phases::Context;
use report::{BenchInfo, Phases, RunReport, Settings};
use server_info::ServerInfo;

/// Exit status when the bench could not run at all (bad settings, server unreachable).
const EXIT_SETUP: u8 = 2;

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    match run(args).await {
        Ok(report) => {
            if report.ok {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Err(message) => {
            eprintln!("ojs-bench: {message}");
            ExitCode::from(EXIT_SETUP)
        }
    }
}

async fn run(args: Args) -> Result<RunReport, String> {
    let queue = args.queue.clone().unwrap_or_else(unique_queue_name);
    let latency_queue = format!("{queue}-lat");
    if !cli::is_valid_queue_name(&latency_queue) {
        return Err(format!("invalid queue name {queue:?} (OJS queues match ^[a-z0-9][a-z0-9.-]*$)"));
    }

    // Concurrent requests: producers, workers, and per-worker ack fan-out without batch ack.
    let connections = (args.producers.max(args.workers) as usize) * 64 + 16;
    let client = OjsClient::new(&args.url, connections).map_err(|error| error.to_string())?;
    let manifest = client.manifest().await.map_err(|error| format!("cannot read the manifest: {error}"))?;
    let server = ServerInfo::from_manifest(&manifest);
    let started_at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let ctx = Arc::new(Context { client, server, show_progress: !args.json, args });
    let args = &ctx.args;

    let mut phases = Phases::default();
    let mut enqueued_ids = None;
    if args.wants(Phase::Enqueue) {
        let enqueued = phases::enqueue::run(&ctx, &queue, args.jobs, ctx.show_progress).await;
        phases.enqueue = Some(enqueued.report);
        enqueued_ids = Some(enqueued.ids);
    }
    if args.wants(Phase::Drain) {
        let ids = match enqueued_ids.take() {
            Some(ids) => ids,
            None => {
                let prefill = phases::enqueue::run(&ctx, &queue, args.jobs, ctx.show_progress).await;
                phases.prefill = Some(prefill.report);
                prefill.ids
            }
        };
        phases.drain = Some(phases::drain::run(&ctx, &queue, ids).await);
    }
    if args.wants(Phase::Latency) {
        phases.latency = Some(phases::latency::run(&ctx, &latency_queue).await);
    }

    let report = assemble(&ctx, started_at, queue, latency_queue, phases);
    if args.json {
        report.print_json();
    } else {
        report.print_human();
    }
    Ok(report)
}

fn assemble(ctx: &Context, started_at: String, queue: String, latency_queue: String, phases: Phases) -> RunReport {
    let args = &ctx.args;
    let checked = [
        phases.drain.as_ref().map(|phase| phase.correctness),
        phases.latency.as_ref().map(|phase| phase.correctness),
    ];
    let correctness = checked.into_iter().flatten().fold(ledger::Correctness::default(), |sum, c| {
        ledger::Correctness {
            enqueued: sum.enqueued + c.enqueued,
            delivered: sum.delivered + c.delivered,
            lost: sum.lost + c.lost,
            duplicated: sum.duplicated + c.duplicated,
            unexpected: sum.unexpected + c.unexpected,
        }
    });
    let errors = [
        phases.enqueue.as_ref().map(|phase| phase.errors),
        phases.prefill.as_ref().map(|phase| phase.errors),
        phases.drain.as_ref().map(|phase| phase.errors),
        phases.latency.as_ref().map(|phase| phase.errors),
    ]
    .into_iter()
    .flatten()
    .sum::<u64>();
    RunReport {
        bench: BenchInfo { name: "ojs-bench", version: env!("CARGO_PKG_VERSION") },
        started_at,
        url: args.url.clone(),
        server: ctx.server.clone(),
        machine: machine::MachineFacts::gather(),
        settings: Settings {
            phases: args.ordered_phases(),
            jobs: args.jobs,
            batch: args.batch,
            producers: args.producers,
            workers: args.workers,
            rate: args.rate,
            duration_secs: args.duration,
            queue,
            latency_queue,
            visibility_timeout_ms: args.visibility_timeout_ms,
            faults: args.faults,
        },
        ok: args.faults || (correctness.is_clean() && errors == 0),
        phases,
        correctness,
        errors,
    }
}

/// `bench-<UTC timestamp>-<4 hex digits>`: unique per run, valid as an OJS queue name.
fn unique_queue_name() -> String {
    let stamp = chrono::Utc::now().format("%Y%m%d%H%M%S");
    format!("bench-{stamp}-{:04x}", rand::thread_rng().gen::<u16>())
}
