//! The backend trait family. Backends are storage with atomic, guarded operations; every rule (validation,
//! retry decisions, workflow advancement, cron evaluation) lives in the level modules and reaches a backend
//! as fully computed values plus the guard the write must satisfy.
//!
//! Shape: one core trait (`JobStore`) plus capability traits, all required by `Backend`. Every batch
//! operation is one round trip; every state change is a compare-and-set on the current state.

#[cfg(feature = "postgres")]
pub mod postgres;
#[cfg(feature = "redis")]
pub mod redis;
pub mod memory;
#[cfg(test)]
pub mod suite;
pub mod types;

use crate::model::cron::CronJob;
use crate::model::event::{Event, EventFilter};
use crate::model::job::Job;
use crate::model::time::Timestamp;
use crate::model::workflow::Workflow;
use async_trait::async_trait;
use std::sync::Arc;
use tokio::sync::watch;
pub use types::*;

/// How many of the newest lifecycle events every backend keeps for `GET /ojs/v1/events`. Generous on purpose:
/// one batch enqueue alone can emit 10,000 events, and a reader must still find the events it is polling for.
pub const EVENT_RETENTION: usize = 100_000;

#[derive(Debug, thiserror::Error)]
pub enum BackendError {
    /// Client-supplied id already taken (index within the insert batch).
    #[error("a job with id {id} already exists")]
    DuplicateId { index: usize, id: String },
    /// Unique policy `reject` (or `replace` against an active holder).
    #[error("unique key {key} is held by job {existing_id}")]
    UniqueConflict { index: usize, existing_id: String, key: String },
    #[error("backend unavailable: {0}")]
    Unavailable(String),
    #[error("backend error: {0}")]
    Internal(String),
}

pub type BackendResult<T> = Result<T, BackendError>;

/// Core job storage: insert, claim, read, transition.
#[async_trait]
pub trait JobStore: Send + Sync {
    /// Inserts the jobs all-or-nothing, in order, assigning FIFO insertion sequences to `available` ones.
    /// Each unique claim is checked against stored holders and earlier items of the same batch and taken in
    /// the same atomic step. `DuplicateId` or `UniqueConflict` abort the whole batch.
    async fn insert(&self, jobs: Vec<NewJob>, now: Timestamp) -> BackendResult<Vec<Inserted>>;

    /// Atomically claims up to `count` jobs from `queues`, strictly left to right, each queue in
    /// (priority desc, insertion sequence asc) order. First promotes due scheduled/retryable jobs of those
    /// queues; skips paused queues; honours the queue's rate limit (`max_per_second` per rolling second,
    /// `concurrency` max active); jobs past `expires_at_ts` go to `discarded` (no `completed_at`, error
    /// `{code:"expired"}`, listed in `expired`) instead of being delivered. A claimed job becomes `active`
    /// with `attempt + 1`, `started_at = now`, `worker_id`, `visible_until = now + visibility`, and
    /// `exec_deadline = now + timeout_ms` when the job has one.
    async fn claim(&self, req: ClaimRequest) -> BackendResult<Claimed>;

    async fn get(&self, id: &str) -> BackendResult<Option<Job>>;
    async fn get_many(&self, ids: &[String]) -> BackendResult<Vec<Option<Job>>>;

    /// Fast path of ACK, one round trip for the batch: each `active` job that is not a workflow member
    /// becomes `completed` (`completed_at = now`, `result`, `error` cleared, worker and deadlines cleared,
    /// queue completion counter bumped). Items are independent.
    async fn complete(&self, items: Vec<Completion>, now: Timestamp) -> BackendResult<Vec<CompleteOutcome>>;

    /// Independent guarded replacements, one round trip for the batch.
    async fn update_each(&self, updates: Vec<JobUpdate>) -> BackendResult<Vec<UpdateOutcome>>;

    /// All-or-nothing change across jobs, a workflow and a cron registration (guards checked first).
    async fn commit(&self, commit: Commit) -> BackendResult<CommitOutcome>;

    /// Promotes due jobs and returns expired leases, each bounded by `limit`.
    async fn due_pass(&self, now: Timestamp, limit: usize) -> BackendResult<DuePass>;

    /// Extends the visibility deadline of those `ids` that are `active`: `visible_until = now + (extend_ms
    /// or the job's visibility_timeout_ms or default_ms)`. Returns the extended jobs.
    async fn heartbeat(
        &self,
        ids: &[String],
        extend_ms: Option<u64>,
        default_ms: u64,
        now: Timestamp,
    ) -> BackendResult<Vec<Job>>;
}

/// Queue-level controls and statistics.
#[async_trait]
pub trait QueueStore: Send + Sync {
    async fn set_paused(&self, queue: &str, paused: bool) -> BackendResult<()>;
    async fn set_rate_limit(&self, queue: &str, limit: RateLimit) -> BackendResult<()>;
    async fn stats(&self, queue: &str, now: Timestamp) -> BackendResult<QueueStats>;
    async fn list_queues(&self) -> BackendResult<Vec<QueueInfo>>;
}

/// Dead letter listing and removal (retry is a guarded `update_each`).
#[async_trait]
pub trait DeadLetterStore: Send + Sync {
    async fn dead_letter_list(&self, queue: Option<&str>, limit: usize, offset: usize) -> BackendResult<DeadLetterPage>;
    /// Permanently deletes the job if it is in the dead letter queue; false if it is not.
    async fn dead_letter_delete(&self, id: &str) -> BackendResult<bool>;
}

/// Workflow records (writes go through `JobStore::commit`).
#[async_trait]
pub trait WorkflowStore: Send + Sync {
    async fn workflow_get(&self, id: &str) -> BackendResult<Option<Workflow>>;
}

/// Cron registrations (firings go through `JobStore::commit` with a `CronWrite`).
#[async_trait]
pub trait CronStore: Send + Sync {
    /// Insert or replace by name.
    async fn cron_put(&self, cron: CronJob) -> BackendResult<CronJob>;
    async fn cron_get(&self, name: &str) -> BackendResult<Option<CronJob>>;
    async fn cron_list(&self) -> BackendResult<Vec<CronJob>>;
    async fn cron_delete(&self, name: &str) -> BackendResult<Option<CronJob>>;
}

/// Lifecycle events, shared by every server process on the backend.
#[async_trait]
pub trait EventStore: Send + Sync {
    async fn append_events(&self, events: Vec<Event>) -> BackendResult<()>;
    async fn list_events(&self, filter: &EventFilter) -> BackendResult<Vec<Event>>;
}

/// Health, wake-ups, retention and test reset.
#[async_trait]
pub trait Admin: Send + Sync {
    fn name(&self) -> &'static str;
    /// `strong` or `best_effort` (manifest `unique_job_strength`).
    fn unique_strength(&self) -> &'static str {
        "strong"
    }
    async fn ping(&self) -> BackendResult<()>;
    /// Bumped whenever jobs may have become available (local insert, promotion, or another process's
    /// notification); long-poll fetches and nothing else wait on it.
    fn ready_signal(&self) -> watch::Receiver<u64>;
    /// Bumped whenever a new due time or lease deadline may be earlier than the one the background task
    /// sleeps toward.
    fn schedule_signal(&self) -> watch::Receiver<u64>;
    /// Deletes terminal jobs past retention, at most `limit`; returns how many went.
    async fn prune(&self, now: Timestamp, retention: Retention, limit: usize) -> BackendResult<usize>;
    /// Wipes all state (test isolation).
    async fn reset(&self) -> BackendResult<()>;
}

pub trait Backend: JobStore + QueueStore + DeadLetterStore + WorkflowStore + CronStore + EventStore + Admin {}
impl<T> Backend for T where T: JobStore + QueueStore + DeadLetterStore + WorkflowStore + CronStore + EventStore + Admin {}

pub type SharedBackend = Arc<dyn Backend>;

/// A monotonically bumped wake-up counter backed by `watch` (no lost wake-ups: a receiver that checked the
/// value before sleeping sees any bump made after).
#[derive(Clone)]
pub struct Signal(Arc<watch::Sender<u64>>);

impl Default for Signal {
    fn default() -> Self {
        Self(Arc::new(watch::channel(0).0))
    }
}

impl Signal {
    pub fn bump(&self) {
        self.0.send_modify(|v| *v = v.wrapping_add(1));
    }
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.0.subscribe()
    }
}
