//! The three measured phases. Each takes the shared context and returns a serialisable report.

pub mod drain;
pub mod enqueue;
pub mod latency;

use std::sync::Mutex;

use crate::cli::Args;
use crate::client::{ClientError, OjsClient};
use crate::server_info::ServerInfo;

/// Everything a phase needs: the HTTP client, what the server supports, and the settings.
pub struct Context {
    pub client: OjsClient,
    pub server: ServerInfo,
    pub args: Args,
    pub show_progress: bool,
}

/// Counts request errors and keeps the first one's text for the report.
#[derive(Default)]
pub struct ErrorLog {
    inner: Mutex<(u64, Option<String>)>,
}

impl ErrorLog {
    pub fn record(&self, error: &ClientError) {
        self.record_many(1, error);
    }

    pub fn record_many(&self, count: u64, error: &ClientError) {
        let mut inner = self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        inner.0 += count;
        inner.1.get_or_insert_with(|| error.to_string());
    }

    /// (error count, first error message)
    pub fn take(&self) -> (u64, Option<String>) {
        let inner = self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        (inner.0, inner.1.clone())
    }
}
