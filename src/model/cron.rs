//! Stored cron registrations.

use crate::model::time::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CronJob {
    pub name: String,
    pub expression: String,
    pub timezone: String,
    pub overlap_policy: String,
    pub enabled: bool,
    pub description: Option<String>,
    /// `{type, args, meta?, options?}` of the job each firing enqueues.
    pub job_template: Value,
    pub created_at: Timestamp,
    pub next_run_at: Option<Timestamp>,
    pub last_run_at: Option<Timestamp>,
    pub run_count: u64,
    /// The job enqueued by the latest firing (used by overlap policies).
    pub last_job_id: Option<String>,
}
