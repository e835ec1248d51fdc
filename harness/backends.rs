//! Which storage backends the harness can run the features against, and how each one's
//! external service is found or started.

use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

/// Backends run when `OJS_TEST_BACKENDS` is unset: every backend this build of the server knows.
pub const DEFAULT_BACKENDS: &[&str] = &[
    "memory",
    #[cfg(feature = "redis")]
    "redis",
    #[cfg(feature = "postgres")]
    "postgres",
];

/// How one backend gets the service it needs.
pub struct BackendSpec {
    pub name: &'static str,
    service: Service,
}

enum Service {
    /// Nothing outside the server process.
    None,
    /// A URL taken from `url_env`, else a local default port, else a container.
    External {
        url_env: &'static str,
        local_port: u16,
        local_url: &'static str,
        image: (&'static str, &'static str),
        image_port: u16,
        ready_log: &'static str,
        image_env: &'static [(&'static str, &'static str)],
        url_for_port: fn(u16) -> String,
        how_to_start: &'static str,
    },
}

pub const BACKENDS: &[BackendSpec] = &[
    BackendSpec { name: "memory", service: Service::None },
    BackendSpec {
        name: "redis",
        service: Service::External {
            url_env: "REDIS_URL",
            local_port: 6379,
            local_url: "redis://127.0.0.1:6379",
            image: ("redis", "7-alpine"),
            image_port: 6379,
            ready_log: "Ready to accept connections",
            image_env: &[],
            url_for_port: |port| format!("redis://127.0.0.1:{port}"),
            how_to_start: "set REDIS_URL or start redis-server on 127.0.0.1:6379 (bash ci/services.sh redis)",
        },
    },
    BackendSpec {
        name: "postgres",
        service: Service::External {
            url_env: "DATABASE_URL",
            local_port: 5432,
            local_url: "postgres://postgres:postgres@127.0.0.1:5432/postgres",
            image: ("postgres", "16-alpine"),
            image_port: 5432,
            ready_log: "database system is ready to accept connections",
            image_env: &[("POSTGRES_PASSWORD", "postgres")],
            url_for_port: |port| format!("postgres://postgres:postgres@127.0.0.1:{port}/postgres"),
            how_to_start: "set DATABASE_URL or start PostgreSQL on 127.0.0.1:5432 (bash ci/services.sh postgres)",
        },
    },
];

impl BackendSpec {
    /// Whether two server processes can share this backend's state.
    pub fn shared(&self) -> bool {
        matches!(self.service, Service::External { .. })
    }
}

/// The backend names asked for by `OJS_TEST_BACKENDS`, or the defaults.
pub fn requested() -> Result<Vec<&'static BackendSpec>, String> {
    let names: Vec<String> = match std::env::var("OJS_TEST_BACKENDS") {
        Ok(list) if !list.trim().is_empty() => list
            .split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect(),
        _ => DEFAULT_BACKENDS.iter().map(|s| s.to_string()).collect(),
    };
    names
        .iter()
        .map(|name| {
            BACKENDS.iter().find(|b| b.name == name).ok_or_else(|| {
                let known: Vec<&str> = BACKENDS.iter().map(|b| b.name).collect();
                format!("unknown backend {name:?} in OJS_TEST_BACKENDS (known: {})", known.join(", "))
            })
        })
        .collect()
}

/// A provisioned backend: the environment to give the server, plus whatever must stay
/// alive while it runs (a container handle).
pub struct Provisioned {
    pub env: Vec<(String, String)>,
    pub description: String,
    _keep_alive: Option<Box<dyn std::any::Any>>,
}

impl BackendSpec {
    /// Finds or starts the service this backend needs, and isolates the run's state with a
    /// unique key prefix / schema. Never silently gives up: failure names what to start.
    pub async fn provision(&self, run_tag: &str) -> Result<Provisioned, String> {
        let mut env = vec![("OJS_BACKEND".to_string(), self.name.to_string())];
        match &self.service {
            Service::None => Ok(Provisioned { env, description: "in-process".into(), _keep_alive: None }),
            Service::External {
                url_env, local_port, local_url, image, image_port, ready_log, image_env, url_for_port, how_to_start,
            } => {
                match self.name {
                    "redis" => env.push(("OJS_REDIS_PREFIX".into(), format!("ojs-test-{run_tag}"))),
                    "postgres" => env.push(("OJS_PG_SCHEMA".into(), format!("ojs_test_{run_tag}"))),
                    _ => {}
                }
                if let Ok(url) = std::env::var(url_env) {
                    env.push((url_env.to_string(), url.clone()));
                    return Ok(Provisioned { env, description: format!("{url_env}={url}"), _keep_alive: None });
                }
                if port_open(*local_port) {
                    env.push((url_env.to_string(), local_url.to_string()));
                    return Ok(Provisioned { env, description: format!("local {local_url}"), _keep_alive: None });
                }
                match start_container(*image, *image_port, ready_log, image_env).await {
                    Ok((port, container)) => {
                        let url = url_for_port(port);
                        env.push((url_env.to_string(), url.clone()));
                        Ok(Provisioned { env, description: format!("container {url}"), _keep_alive: Some(container) })
                    }
                    Err(e) => Err(format!("backend {}: {how_to_start} (starting a container failed: {e})", self.name)),
                }
            }
        }
    }
}

fn port_open(port: u16) -> bool {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    TcpStream::connect_timeout(&addr, Duration::from_millis(300)).is_ok()
}

async fn start_container(
    (name, tag): (&str, &str),
    port: u16,
    ready_log: &str,
    env: &[(&str, &str)],
) -> Result<(u16, Box<dyn std::any::Any>), String> {
    use testcontainers::core::{IntoContainerPort, WaitFor};
    use testcontainers::runners::AsyncRunner;
    use testcontainers::{GenericImage, ImageExt};

    // Postgres announces readiness on stderr, Redis on stdout.
    let wait = if name == "postgres" {
        WaitFor::message_on_stderr(ready_log)
    } else {
        WaitFor::message_on_stdout(ready_log)
    };
    let image = GenericImage::new(name, tag)
        .with_exposed_port(port.tcp())
        .with_wait_for(wait)
        .with_startup_timeout(Duration::from_secs(60));
    let mut request = image.with_container_name(format!("ojs-conformance-{}", uuid::Uuid::now_v7().simple()));
    for (key, value) in env {
        request = request.with_env_var(*key, *value);
    }
    let container = request.start().await.map_err(|e| e.to_string())?;
    let host_port = container.get_host_port_ipv4(port).await.map_err(|e| e.to_string())?;
    Ok((host_port, Box::new(container)))
}
