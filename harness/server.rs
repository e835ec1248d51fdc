//! Starts the `ojs-server` binary on a free port and stops it again.

use std::fs::File;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};

use tokio::process::{Child, Command};

const STARTUP_DEADLINE: Duration = Duration::from_secs(30);

pub struct ServerProcess {
    child: Child,
    pub base_url: String,
    pub log_path: PathBuf,
}

/// Asks the OS for a free port by binding port 0 and releasing it again.
fn free_port() -> Result<u16, String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("cannot bind a port: {e}"))?;
    listener.local_addr().map(|a| a.port()).map_err(|e| e.to_string())
}

impl ServerProcess {
    /// Spawns the server with `env` (backend selection and URLs) and waits until
    /// `GET /ojs/v1/health` answers. On failure the server's output is in the error.
    /// `label` names the log file (`ojs-conformance-<label>.log`).
    pub async fn start(label: &str, env: &[(String, String)], client: &reqwest::Client) -> Result<Self, String> {
        let port = free_port()?;
        let log_path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("ojs-conformance-{label}.log"));
        let log = File::create(&log_path).map_err(|e| format!("cannot create {}: {e}", log_path.display()))?;
        let log_err = log.try_clone().map_err(|e| e.to_string())?;
        let mut command = Command::new(env!("CARGO_BIN_EXE_ojs-server"));
        command
            .env("PORT", port.to_string())
            // Keep the test server off external interfaces.
            .env("OJS_BIND", "127.0.0.1")
            .env("OJS_ENABLE_TEST_RESET", "true")
            .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .stdin(Stdio::null())
            .stdout(Stdio::from(log))
            .stderr(Stdio::from(log_err))
            .kill_on_drop(true);
        let child = command.spawn().map_err(|e| format!("cannot start ojs-server: {e}"))?;
        let mut server = Self { child, base_url: format!("http://127.0.0.1:{port}"), log_path };
        match server.wait_healthy(client).await {
            Ok(()) => Ok(server),
            Err(e) => {
                server.stop().await;
                Err(format!("{e}\n--- ojs-server output ({}) ---\n{}", server.log_path.display(), server.output()))
            }
        }
    }

    async fn wait_healthy(&mut self, client: &reqwest::Client) -> Result<(), String> {
        let url = format!("{}/ojs/v1/health", self.base_url);
        let started = Instant::now();
        let mut last = String::from("no answer yet");
        while started.elapsed() < STARTUP_DEADLINE {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!("ojs-server exited early with {status}"));
            }
            match client.get(&url).timeout(Duration::from_secs(2)).send().await {
                Ok(r) if r.status().is_success() => return Ok(()),
                Ok(r) => last = format!("health answered {}", r.status()),
                Err(e) => last = e.to_string(),
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err(format!("ojs-server did not become healthy within {STARTUP_DEADLINE:?} ({last})"))
    }

    /// Everything the server wrote to stdout/stderr so far.
    pub fn output(&self) -> String {
        std::fs::read_to_string(&self.log_path).unwrap_or_default()
    }

    pub async fn stop(&mut self) {
        let _ = self.child.kill().await;
    }
}
