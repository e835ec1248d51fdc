//! Values passed across the backend boundary.

use crate::model::cron::CronJob;
use crate::model::job::{Job, JobState};
use crate::model::time::Timestamp;
use crate::model::workflow::Workflow;
use serde::{Deserialize, Serialize};

/// What `on_conflict` a unique claim asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnConflict {
    Reject,
    Ignore,
    /// Cancel the holder (unless it is `active`: then reject) and insert the new job.
    Replace,
    /// Like `Replace`, but when the holder is `scheduled` the new job takes over its schedule: the new job
    /// is stored `scheduled` with the holder's `scheduled_at` and `run_at` (and no `enqueued_at`).
    ReplaceExceptSchedule,
}

/// A uniqueness claim that travels with a new job; checked and taken in the same atomic step as the insert.
#[derive(Clone, Debug)]
pub struct UniqueClaim {
    /// Fingerprint (hex SHA-256 of the selected dimensions).
    pub key: String,
    /// An existing holder conflicts only while it is in one of these states...
    pub states: Vec<JobState>,
    /// ...and, when set, only while `now < holder.created_at + period_ms`.
    pub period_ms: Option<u64>,
    pub on_conflict: OnConflict,
}

impl UniqueClaim {
    /// Whether `holder` (the stored job holding this key) blocks a new job under this claim at `now`.
    pub fn conflicts_with(&self, holder: &Job, now: Timestamp) -> bool {
        self.states.contains(&holder.state)
            && self.period_ms.is_none_or(|p| now.timestamp_millis() < holder.created_at.timestamp_millis() + p as i64)
    }
}

#[derive(Clone, Debug)]
pub struct NewJob {
    pub job: Job,
    pub unique: Option<UniqueClaim>,
}

/// Result of inserting one job.
#[derive(Clone, Debug)]
pub enum Inserted {
    Created(Job),
    /// `on_conflict: ignore` hit: nothing was written, here is the holder.
    Existing(Job),
    /// `on_conflict: replace`: the holder was cancelled (returned second) and the new job created.
    Replaced(Job, Job),
}

#[derive(Clone, Debug)]
pub struct ClaimRequest {
    pub queues: Vec<String>,
    pub count: usize,
    pub worker_id: Option<String>,
    /// Request-level visibility timeout; else the job's own; else `default_visibility_ms`.
    pub visibility_timeout_ms: Option<u64>,
    pub default_visibility_ms: u64,
    pub now: Timestamp,
}

#[derive(Clone, Debug, Default)]
pub struct Claimed {
    /// Jobs now `active` for this worker, in delivery order.
    pub jobs: Vec<Job>,
    /// Jobs found past `expires_at` and moved to `discarded` instead of being delivered.
    pub expired: Vec<Job>,
}

/// One acknowledgement for the fast completion path.
#[derive(Clone, Debug)]
pub struct Completion {
    pub id: String,
    pub result: Option<serde_json::Value>,
}

#[derive(Clone, Debug)]
pub enum CompleteOutcome {
    Completed(Job),
    NotFound,
    WrongState(JobState),
    /// Not applied: the job belongs to a workflow, whose bookkeeping must commit with it (see `commit`).
    WorkflowMember(Job),
}

/// Guard of a compare-and-set: the write applies only if the stored job still matches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Guard {
    pub state: JobState,
    /// When set, the stored `attempt` must also match (identifies one lease of an `active` job).
    pub attempt: Option<u32>,
}

impl Guard {
    pub fn state(state: JobState) -> Self {
        Self { state, attempt: None }
    }
    pub fn lease(job: &Job) -> Self {
        Self { state: job.state, attempt: Some(job.attempt) }
    }
    pub fn holds_for(&self, job: &Job) -> bool {
        job.state == self.state && self.attempt.is_none_or(|a| a == job.attempt)
    }
}

/// Replace a job with `job` (its new full value) if `guard` holds. The backend maintains its indexes from
/// the new value: `available` → ready order (new insertion sequence), `scheduled`/`retryable` → due set at
/// `run_at`, `active` → lease set at `lease_deadline()`, terminal → out of every index (kept for retention),
/// `dead_letter` → dead-letter index.
#[derive(Clone, Debug)]
pub struct JobUpdate {
    pub guard: Guard,
    pub job: Job,
}

#[derive(Clone, Debug)]
pub enum UpdateOutcome {
    Applied(Job),
    NotFound,
    Conflict(JobState),
}

#[derive(Clone, Debug)]
pub struct WorkflowWrite {
    /// New value; its `version` must be `expect_version + 1`.
    pub workflow: Workflow,
    /// Version read; 0 means "must not exist yet".
    pub expect_version: u64,
}

#[derive(Clone, Debug)]
pub struct CronWrite {
    pub cron: CronJob,
    /// The stored `next_run_at` must still equal this: one firing per occurrence across processes.
    pub expect_next_run_at: Option<Timestamp>,
}

/// An all-or-nothing change across jobs, one workflow and one cron registration.
#[derive(Clone, Debug, Default)]
pub struct Commit {
    pub updates: Vec<JobUpdate>,
    pub inserts: Vec<Job>,
    pub workflow: Option<WorkflowWrite>,
    pub cron: Option<CronWrite>,
}

#[derive(Clone, Debug)]
pub enum CommitOutcome {
    /// Everything applied; the updated jobs in `updates` order, then the inserted ones.
    Applied(Vec<Job>),
    /// Nothing applied: a guard failed (re-read and decide again).
    Conflict(ConflictAt),
}

#[derive(Clone, Debug, PartialEq)]
pub enum ConflictAt {
    Job { index: usize, current: Option<JobState> },
    Workflow,
    Cron,
    DuplicateId(String),
}

#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct RateLimit {
    /// Deliveries per rolling one-second window.
    pub max_per_second: Option<u32>,
    /// Maximum simultaneously `active` jobs in the queue.
    pub concurrency: Option<u32>,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct QueueStats {
    pub name: String,
    pub paused: bool,
    pub available: u64,
    pub active: u64,
    pub scheduled: u64,
    pub retryable: u64,
    pub pending: u64,
    /// Jobs completed in this queue since it was created (a counter; survives retention pruning).
    pub completed: u64,
    pub discarded: u64,
    pub cancelled: u64,
    pub dead: u64,
    /// Completions in the last 60 seconds.
    pub completed_last_minute: u64,
}

#[derive(Clone, Debug, Serialize)]
pub struct QueueInfo {
    pub name: String,
    pub paused: bool,
}

#[derive(Clone, Debug)]
pub struct DeadLetterPage {
    pub jobs: Vec<Job>,
    pub total: u64,
}

/// Outcome of one due-work pass.
#[derive(Clone, Debug, Default)]
pub struct DuePass {
    /// Scheduled/retryable jobs moved to `available`.
    pub promoted: usize,
    /// Active jobs whose lease deadline passed; the caller decides and applies guarded updates.
    pub expired_leases: Vec<Job>,
    /// Earliest remaining due time or lease deadline, to sleep until.
    pub next_due: Option<Timestamp>,
}

/// How long terminal jobs are kept before pruning.
#[derive(Clone, Copy, Debug)]
pub struct Retention {
    pub completed_ms: u64,
    pub discarded_ms: u64,
}

impl Default for Retention {
    fn default() -> Self {
        Self { completed_ms: 3_600_000, discarded_ms: 7 * 86_400_000 }
    }
}
