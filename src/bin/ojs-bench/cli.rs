//! Command-line settings. Defaults suit a 2-core machine shared by the server and the bench.

use clap::{Parser, ValueEnum};
use serde::Serialize;

#[derive(Parser, Debug, Clone)]
#[command(
    name = "ojs-bench",
    version,
    about = "Load generator and benchmark for any OJS HTTP server (speaks HTTP only)"
)]
pub struct Args {
    /// Base URL of the OJS server.
    #[arg(long, env = "OJS_URL", default_value = "http://127.0.0.1:8080")]
    pub url: String,

    /// Phases to run, comma separated, always run in the order enqueue, drain, latency.
    #[arg(long, value_delimiter = ',', default_value = "enqueue,drain,latency")]
    pub phases: Vec<Phase>,

    /// Jobs to enqueue and drain.
    #[arg(long, default_value_t = 100_000)]
    pub jobs: u64,

    /// Jobs per batch enqueue, and `count` per fetch in the drain phase (max 10000).
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u64).range(1..=10_000))]
    pub batch: u64,

    /// Concurrent producers in the enqueue phase.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u64).range(1..=1024))]
    pub producers: u64,

    /// Concurrent workers in the drain and latency phases.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u64).range(1..=1024))]
    pub workers: u64,

    /// Latency phase: jobs per second pushed by the open-loop producer.
    #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u64).range(1..=100_000))]
    pub rate: u64,

    /// Latency phase: seconds the producer runs.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub duration: u64,

    /// Queue name; a unique `bench-<timestamp>-<random>` is used when absent. The latency
    /// phase uses `<queue>-lat` so it starts from an empty queue.
    #[arg(long)]
    pub queue: Option<String>,

    /// Print one JSON document instead of the human table (also hides the progress bars).
    #[arg(long)]
    pub json: bool,

    /// Pid of the server process, to report its CPU use per phase (Linux /proc only).
    #[arg(long, env = "OJS_BENCH_SERVER_PID")]
    pub server_pid: Option<u32>,

    /// Visibility timeout requested on every fetch, so a slow run is not mistaken for redelivery.
    #[arg(long, default_value_t = 600_000)]
    pub visibility_timeout_ms: u64,

    /// Give up on a phase when no job has been delivered for this many seconds.
    #[arg(long, default_value_t = 30)]
    pub stall_secs: u64,

    /// Faults are being injected (server restarts, network cuts): lost or duplicated
    /// deliveries are reported but do not make the exit status non-zero.
    #[arg(long)]
    pub faults: bool,
}

#[derive(ValueEnum, Serialize, Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Phase {
    Enqueue,
    Drain,
    Latency,
}

impl Args {
    /// The selected phases, deduplicated and in execution order.
    pub fn ordered_phases(&self) -> Vec<Phase> {
        let mut phases = self.phases.clone();
        phases.sort();
        phases.dedup();
        phases
    }

    pub fn wants(&self, phase: Phase) -> bool {
        self.phases.contains(&phase)
    }
}

/// OJS queue names: `^[a-z0-9][a-z0-9\-\.]*$`, at most 128 characters (INTEROP §2.2).
pub fn is_valid_queue_name(name: &str) -> bool {
    let mut chars = name.chars();
    let Some(first) = chars.next() else { return false };
    name.len() <= 128
        && (first.is_ascii_lowercase() || first.is_ascii_digit())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queue_names_follow_the_ojs_pattern() {
        assert!(is_valid_queue_name("bench-20261127-ab12"));
        assert!(is_valid_queue_name("0.q"));
        assert!(!is_valid_queue_name(""));
        assert!(!is_valid_queue_name("-q"));
        assert!(!is_valid_queue_name("Bench"));
        assert!(!is_valid_queue_name("my_queue"));
        assert!(!is_valid_queue_name(&"q".repeat(129)));
    }

    #[test]
    fn phases_run_in_canonical_order_once() {
        let args = Args::parse_from(["ojs-bench", "--phases", "latency,enqueue,latency"]);
        assert_eq!(args.ordered_phases(), vec![Phase::Enqueue, Phase::Latency]);
    }
}
