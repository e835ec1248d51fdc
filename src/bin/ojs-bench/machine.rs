//! Facts about the machine the bench ran on, for the JSON report.

use serde::Serialize;

#[derive(Serialize, Debug, Clone)]
pub struct MachineFacts {
    pub cores: usize,
    pub cpu_model: Option<String>,
    pub memory_mib: Option<u64>,
    pub kernel: Option<String>,
    pub os: Option<String>,
}

impl MachineFacts {
    pub fn gather() -> Self {
        let read = |path: &str| std::fs::read_to_string(path).ok();
        Self {
            cores: std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
            cpu_model: read("/proc/cpuinfo").and_then(|text| field(&text, "model name", ':')),
            memory_mib: read("/proc/meminfo").and_then(|text| mem_total_mib(&text)),
            kernel: read("/proc/sys/kernel/osrelease").map(|text| text.trim().to_string()),
            os: read("/etc/os-release")
                .and_then(|text| field(&text, "PRETTY_NAME", '='))
                .map(|name| name.trim_matches('"').to_string()),
        }
    }
}

fn field(text: &str, key: &str, separator: char) -> Option<String> {
    text.lines().find_map(|line| {
        let (name, value) = line.split_once(separator)?;
        (name.trim() == key).then(|| value.trim().to_string())
    })
}

fn mem_total_mib(meminfo: &str) -> Option<u64> {
    let value = field(meminfo, "MemTotal", ':')?;
    let kib: u64 = value.split_whitespace().next()?.parse().ok()?;
    Some(kib / 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_mem_total_in_mib() {
        let meminfo = "MemTotal:       24576000 kB\nMemFree:        1000 kB\n";
        assert_eq!(mem_total_mib(meminfo), Some(24000));
        assert_eq!(mem_total_mib("MemFree: 1 kB"), None);
    }

    #[test]
    fn reads_os_release_fields() {
        let text = "NAME=\"Debian\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n";
        assert_eq!(field(text, "PRETTY_NAME", '=').unwrap(), "\"Debian GNU/Linux 12 (bookworm)\"");
    }
}
