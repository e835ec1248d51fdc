//! The run report: one JSON document (`--json`) or a human table.

use serde::Serialize;

use crate::cpu::CpuUse;
use crate::ledger::Correctness;
use crate::machine::MachineFacts;
use crate::phases::drain::DrainReport;
use crate::phases::enqueue::EnqueueReport;
use crate::phases::latency::LatencyReport;
use crate::server_info::ServerInfo;
use crate::stats::Summary;

#[derive(Serialize, Debug)]
pub struct RunReport {
    pub bench: BenchInfo,
    pub started_at: String,
    pub url: String,
    pub server: ServerInfo,
    pub machine: MachineFacts,
    pub settings: Settings,
    pub phases: Phases,
    pub correctness: Correctness,
    pub errors: u64,
    /// No lost, duplicated or unexpected deliveries and no request errors.
    pub ok: bool,
}

#[derive(Serialize, Debug)]
pub struct BenchInfo {
    pub name: &'static str,
    pub version: &'static str,
}

#[derive(Serialize, Debug)]
pub struct Settings {
    pub phases: Vec<crate::cli::Phase>,
    pub jobs: u64,
    pub batch: u64,
    pub producers: u64,
    pub workers: u64,
    pub rate: u64,
    pub duration_secs: u64,
    pub queue: String,
    pub latency_queue: String,
    pub visibility_timeout_ms: u64,
    pub faults: bool,
}

#[derive(Serialize, Debug, Default)]
pub struct Phases {
    pub enqueue: Option<EnqueueReport>,
    /// The untimed enqueue that filled the queue when the drain ran without the enqueue phase.
    pub prefill: Option<EnqueueReport>,
    pub drain: Option<DrainReport>,
    pub latency: Option<LatencyReport>,
}

impl RunReport {
    pub fn print_json(&self) {
        match serde_json::to_string_pretty(self) {
            Ok(text) => println!("{text}"),
            Err(error) => eprintln!("ojs-bench: cannot serialise the report: {error}"),
        }
    }

    pub fn print_human(&self) {
        let server = &self.server;
        let machine = &self.machine;
        let settings = &self.settings;
        let yes_no = |flag: bool| if flag { "yes" } else { "no" };
        println!("{} {} -> {}", self.bench.name, self.bench.version, self.url);
        println!(
            "server    {} {}, backend {}, spec {}, level {} (batch enqueue {}, batch ack {}, long-poll {})",
            server.implementation,
            server.version,
            server.backend,
            server.spec_version,
            server.conformance_level,
            yes_no(server.batch_enqueue),
            yes_no(server.batch_ack),
            yes_no(server.long_poll)
        );
        println!(
            "machine   {} cores ({}), {} MiB, kernel {}, {}",
            machine.cores,
            machine.cpu_model.as_deref().unwrap_or("?"),
            machine.memory_mib.map_or("?".into(), |mib| mib.to_string()),
            machine.kernel.as_deref().unwrap_or("?"),
            machine.os.as_deref().unwrap_or("?")
        );
        println!(
            "settings  queue {}, jobs {}, batch {}, producers {}, workers {}, latency {}/s for {} s",
            settings.queue,
            settings.jobs,
            settings.batch,
            settings.producers,
            settings.workers,
            settings.rate,
            settings.duration_secs
        );
        println!();
        println!(
            "{:<9} {:<22} {:>9} {:>8} {:>10} {:>9} {:>9} {:>9} {:>7}",
            "phase", "mode", "jobs", "secs", "jobs/s", "srv cpu", "bench cpu", "all cpu", "errors"
        );
        if let Some(enqueue) = &self.phases.enqueue {
            let mode = match enqueue.mode {
                "batch" => format!("batch x{}", settings.batch),
                _ => "single pushes".to_string(),
            };
            phase_row("enqueue", &mode, enqueue.jobs, enqueue.secs, enqueue.jobs_per_sec, enqueue.cpu, enqueue.errors);
        }
        if let Some(drain) = &self.phases.drain {
            let mode = format!("fetch {} + {} ack", drain.fetch_count, drain.ack_mode);
            phase_row("drain", &mode, drain.jobs, drain.secs, drain.jobs_per_sec, drain.cpu, drain.errors);
        }
        if let Some(latency) = &self.phases.latency {
            let mode = format!("{} @{}/s", latency.fetch_mode, latency.target_rate);
            let secs = latency.duration_secs as f64;
            phase_row("latency", &mode, latency.sent, secs, latency.achieved_rate, latency.cpu, latency.errors);
        }
        println!("(cpu in % of one core: the server, this bench, and every process on the machine)");
        if let Some(latency) = &self.phases.latency {
            println!();
            println!("{:<18} {:>9} {:>9} {:>9} {:>9}", "latency (ms)", "p50", "p99", "max", "samples");
            latency_row("enqueue -> fetch", latency.enqueue_to_fetch);
            latency_row("enqueue -> ack", latency.enqueue_to_ack);
            if latency.max_send_lag_ms > 50.0 {
                println!("note: the producer fell {:.0} ms behind its schedule", latency.max_send_lag_ms);
            }
        }
        println!();
        if let Some(drain) = &self.phases.drain {
            correctness_row("drain", &drain.correctness);
            if drain.stopped == "stalled" {
                println!("note: the drain stalled (no delivery for a while) and was stopped");
            }
        }
        if let Some(latency) = &self.phases.latency {
            correctness_row("latency", &latency.correctness);
        }
        let first_errors = [
            self.phases.enqueue.as_ref().and_then(|phase| phase.first_error.as_deref()),
            self.phases.drain.as_ref().and_then(|phase| phase.first_error.as_deref()),
            self.phases.latency.as_ref().and_then(|phase| phase.first_error.as_deref()),
        ];
        if let Some(first) = first_errors.into_iter().flatten().next() {
            println!("first error: {first}");
        }
        println!("result: {}", if self.ok { "OK" } else { "FAILED" });
    }
}

fn phase_row(name: &str, mode: &str, jobs: u64, secs: f64, jobs_per_sec: f64, cpu: CpuUse, errors: u64) {
    let pct = |value: Option<f64>| value.map_or("-".to_string(), |pct| format!("{pct:.0}%"));
    println!(
        "{:<9} {:<22} {:>9} {:>8.2} {:>10.0} {:>9} {:>9} {:>9} {:>7}",
        name,
        mode,
        jobs,
        secs,
        jobs_per_sec,
        pct(cpu.server_pct),
        pct(cpu.bench_pct),
        pct(cpu.machine_pct),
        errors
    );
}

fn latency_row(name: &str, summary: Option<Summary>) {
    match summary {
        Some(s) => println!("{:<18} {:>9.2} {:>9.2} {:>9.2} {:>9}", name, s.p50_ms, s.p99_ms, s.max_ms, s.count),
        None => println!("{name:<18} {:>9}", "no samples"),
    }
}

fn correctness_row(phase: &str, c: &Correctness) {
    println!(
        "correctness {phase:<8} enqueued {}, delivered {}, lost {}, duplicated {}, unexpected {}",
        c.enqueued, c.delivered, c.lost, c.duplicated, c.unexpected
    );
}
