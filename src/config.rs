//! Server configuration: every option is a flag and an environment variable (names match the official
//! OJS servers so their docker-compose files and clients work unchanged).

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum BackendKind {
    Memory,
    Redis,
    Postgres,
}

impl BackendKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Memory => "memory",
            Self::Redis => "redis",
            Self::Postgres => "postgres",
        }
    }
}

#[derive(Clone, Debug, Parser)]
#[command(name = "ojs-server", version, about = "Open Job Spec server (HTTP binding, conformance levels 0-4)")]
pub struct Config {
    /// TCP port to listen on.
    #[arg(long, env = "PORT", default_value_t = 8080)]
    pub port: u16,

    /// Address to bind.
    #[arg(long, env = "OJS_BIND", default_value = "0.0.0.0")]
    pub bind: String,

    /// Storage backend.
    #[arg(long, env = "OJS_BACKEND", value_enum, default_value_t = BackendKind::Memory)]
    pub backend: BackendKind,

    /// Enable `POST /ojs/v1/admin/reset`, which wipes all state (for test isolation only).
    #[arg(long, env = "OJS_ENABLE_TEST_RESET", default_value_t = false, action = clap::ArgAction::Set, num_args = 0..=1, default_missing_value = "true")]
    pub enable_test_reset: bool,

    /// Redis URL (backend `redis`).
    #[arg(long, env = "REDIS_URL", default_value = "redis://localhost:6379")]
    pub redis_url: String,

    /// Key prefix for the Redis backend (isolates several deployments on one Redis).
    #[arg(long, env = "OJS_REDIS_PREFIX", default_value = "ojs")]
    pub redis_prefix: String,

    /// PostgreSQL URL (backend `postgres`).
    #[arg(long, env = "DATABASE_URL", default_value = "postgres://localhost:5432/ojs?sslmode=disable")]
    pub database_url: String,

    /// PostgreSQL schema holding the OJS tables.
    #[arg(long, env = "OJS_PG_SCHEMA", default_value = "ojs")]
    pub pg_schema: String,

    /// Default visibility timeout of a fetched job, in milliseconds.
    #[arg(long, env = "OJS_VISIBILITY_TIMEOUT_MS", default_value_t = 30_000)]
    pub visibility_timeout_ms: u64,

    /// Visibility timeout given to cron-fired jobs, in milliseconds.
    #[arg(long, env = "OJS_CRON_VISIBILITY_TIMEOUT_MS", default_value_t = 600_000)]
    pub cron_visibility_timeout_ms: u64,

    /// Longest the background task sleeps without a wake-up (bounds how late another process's
    /// scheduled job can be seen), in milliseconds.
    #[arg(long, env = "OJS_MAX_IDLE_MS", default_value_t = 1000)]
    pub max_idle_ms: u64,

    /// Keep completed jobs this long before pruning, in seconds.
    #[arg(long, env = "OJS_RETENTION_COMPLETED_SECS", default_value_t = 3600)]
    pub retention_completed_secs: u64,

    /// Keep discarded and cancelled jobs this long before pruning, in seconds (dead-lettered jobs stay
    /// until deleted).
    #[arg(long, env = "OJS_RETENTION_DISCARDED_SECS", default_value_t = 7 * 86_400)]
    pub retention_discarded_secs: u64,

    /// Maximum request body, in bytes.
    #[arg(long, env = "OJS_MAX_BODY_BYTES", default_value_t = 32 * 1024 * 1024)]
    pub max_body_bytes: usize,

    /// Log filter (tracing `EnvFilter` syntax).
    #[arg(long, env = "OJS_LOG", default_value = "info")]
    pub log: String,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Clone, Debug, Subcommand)]
pub enum Command {
    /// Apply the PostgreSQL migrations and exit.
    Migrate,
}

impl Config {
    pub fn retention(&self) -> crate::backend::Retention {
        crate::backend::Retention {
            completed_ms: self.retention_completed_secs * 1000,
            discarded_ms: self.retention_discarded_secs * 1000,
        }
    }
}
