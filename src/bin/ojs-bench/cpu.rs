//! CPU use of the bench itself, (optionally) of the server, and of the whole machine, from
//! /proc. On a small machine everything shares the cores, so the bench reports its own share
//! and the machine total (which includes Redis or Postgres and anything else running).

use std::time::Instant;

use serde::Serialize;

/// Linux reports utime/stime in clock ticks; USER_HZ is 100 on every mainstream kernel.
const TICKS_PER_SEC: f64 = 100.0;

#[derive(Serialize, Debug, Clone, Copy, Default)]
pub struct CpuUse {
    /// Percent of one core (200 means two cores busy).
    pub bench_pct: Option<f64>,
    pub server_pct: Option<f64>,
    /// All processes on the machine, same unit (at most 100 × cores).
    pub machine_pct: Option<f64>,
}

/// Snapshot taken at the start of a phase.
pub struct CpuMeter {
    server_pid: Option<u32>,
    started: Instant,
    bench_ticks: Option<u64>,
    server_ticks: Option<u64>,
    machine_ticks: Option<u64>,
}

impl CpuMeter {
    pub fn start(server_pid: Option<u32>) -> Self {
        Self {
            server_pid,
            started: Instant::now(),
            bench_ticks: process_ticks("self"),
            server_ticks: server_pid.and_then(|pid| process_ticks(&pid.to_string())),
            machine_ticks: machine_busy_ticks(),
        }
    }

    pub fn finish(&self) -> CpuUse {
        let secs = self.started.elapsed().as_secs_f64();
        let percent = |before: Option<u64>, after: Option<u64>| {
            let used = after?.checked_sub(before?)? as f64 / TICKS_PER_SEC;
            (secs > 0.0).then(|| (used / secs * 1000.0).round() / 10.0)
        };
        CpuUse {
            bench_pct: percent(self.bench_ticks, process_ticks("self")),
            server_pct: percent(
                self.server_ticks,
                self.server_pid.and_then(|pid| process_ticks(&pid.to_string())),
            ),
            machine_pct: percent(self.machine_ticks, machine_busy_ticks()),
        }
    }
}

/// utime + stime of a process, in clock ticks.
fn process_ticks(pid: &str) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    parse_ticks(&stat)
}

/// Busy ticks of all cores: the first line of /proc/stat minus idle and iowait.
fn machine_busy_ticks() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    parse_busy_ticks(stat.lines().next()?)
}

/// `cpu user nice system idle iowait irq softirq steal ...` → everything but idle and iowait.
fn parse_busy_ticks(line: &str) -> Option<u64> {
    let mut fields = line.split_whitespace();
    if fields.next()? != "cpu" {
        return None;
    }
    let values: Vec<u64> = fields.take(8).map(|field| field.parse().ok()).collect::<Option<_>>()?;
    let total: u64 = values.iter().sum();
    Some(total - values.get(3)? - values.get(4)?)
}

/// Fields 14 and 15 of /proc/PID/stat; the command name (field 2) may contain spaces,
/// so counting starts after its closing parenthesis.
fn parse_ticks(stat: &str) -> Option<u64> {
    let after_name = &stat[stat.rfind(')')? + 1..];
    let mut fields = after_name.split_whitespace().skip(11);
    let utime: u64 = fields.next()?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    Some(utime + stime)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_utime_and_stime_even_with_spaces_in_the_name() {
        let stat = "4242 (ojs server) S 1 4242 4242 0 -1 4194560 900 0 0 0 250 50 0 0 20 0 8 0";
        assert_eq!(parse_ticks(stat), Some(300));
    }

    #[test]
    fn machine_busy_time_excludes_idle_and_iowait() {
        assert_eq!(parse_busy_ticks("cpu  100 5 50 1000 20 3 2 0 0 0"), Some(160));
        assert_eq!(parse_busy_ticks("cpu0 100 5 50 1000 20 3 2 0"), None);
    }

    #[test]
    fn garbage_gives_none() {
        assert_eq!(parse_ticks("nonsense"), None);
        assert_eq!(parse_busy_ticks("cpu 1 2"), None);
    }
}
