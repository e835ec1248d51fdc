//! PostgreSQL backend (`OJS_BACKEND=postgres`).
//!
//! One `jobs` table holds every job: the job document as `json` text plus columns for everything that is
//! indexed or changed in place (see `migrations/`). Claims are one `UPDATE … FOR UPDATE SKIP LOCKED`
//! statement; every other transition is a guarded statement (`WHERE state = expected`); `commit` is one
//! transaction that locks and checks every guard before writing. Other processes and application
//! transactions (`ojs_enqueue`) wake this one through LISTEN/NOTIFY. See README.md in this directory.

mod claim;
mod commit;
mod due;
mod errors;
mod insert;
mod insert_batch;
mod listener;
mod queues;
mod records;
mod rows;
mod setup;
mod transitions;
mod wakeups;

#[cfg(test)]
mod tests;

use crate::backend::*;
use crate::model::cron::CronJob;
use crate::model::event::{Event, EventFilter};
use crate::model::job::Job;
use crate::model::time::Timestamp;
use crate::model::workflow::Workflow;
use async_trait::async_trait;
use errors::db;
use sqlx::PgPool;
use std::sync::Arc;
use tokio::sync::watch;

pub struct PostgresBackend {
    pool: PgPool,
    wake: wakeups::Wakeups,
    _listener: Arc<listener::ListenerTask>,
    /// Tests: drop the schema when the backend goes away (declared last so it drops last).
    #[cfg(test)]
    drop_schema: Option<tests::DropSchema>,
}

/// Connects, creates `schema` if missing, applies the migrations and starts the notification listener.
pub async fn connect(url: &str, schema: &str) -> Result<PostgresBackend, BackendError> {
    let pool = setup::pool(url, schema).await?;
    setup::run_migrations(&pool).await?;
    let wake = wakeups::Wakeups::default();
    let listener = listener::spawn(pool.clone(), wake.clone());
    Ok(PostgresBackend {
        pool,
        wake,
        _listener: Arc::new(listener),
        #[cfg(test)]
        drop_schema: None,
    })
}

/// Applies the migrations to `schema` and returns (for `ojs-server migrate`).
pub async fn migrate(url: &str, schema: &str) -> Result<(), BackendError> {
    let pool = setup::pool(url, schema).await?;
    setup::run_migrations(&pool).await?;
    pool.close().await;
    Ok(())
}

impl PostgresBackend {
    /// The pool (tests and tools run SQL against the same schema).
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }
}

#[async_trait]
impl JobStore for PostgresBackend {
    async fn insert(&self, jobs: Vec<NewJob>, now: Timestamp) -> BackendResult<Vec<Inserted>> {
        self.insert_jobs(jobs, now).await
    }
    async fn claim(&self, req: ClaimRequest) -> BackendResult<Claimed> {
        self.claim_jobs(req).await
    }
    async fn get(&self, id: &str) -> BackendResult<Option<Job>> {
        Ok(self.get_jobs(&[id.to_string()]).await?.pop().flatten())
    }
    async fn get_many(&self, ids: &[String]) -> BackendResult<Vec<Option<Job>>> {
        self.get_jobs(ids).await
    }
    async fn complete(&self, items: Vec<Completion>, now: Timestamp) -> BackendResult<Vec<CompleteOutcome>> {
        self.complete_jobs(items, now).await
    }
    async fn update_each(&self, updates: Vec<JobUpdate>) -> BackendResult<Vec<UpdateOutcome>> {
        self.update_jobs(updates).await
    }
    async fn commit(&self, commit: Commit) -> BackendResult<CommitOutcome> {
        self.commit_all(commit).await
    }
    async fn due_pass(&self, now: Timestamp, limit: usize) -> BackendResult<DuePass> {
        self.run_due_pass(now, limit).await
    }
    async fn heartbeat(
        &self,
        ids: &[String],
        extend_ms: Option<u64>,
        default_ms: u64,
        now: Timestamp,
    ) -> BackendResult<Vec<Job>> {
        self.extend_leases(ids, extend_ms, default_ms, now).await
    }
}

#[async_trait]
impl QueueStore for PostgresBackend {
    async fn set_paused(&self, queue: &str, paused: bool) -> BackendResult<()> {
        self.pause_queue(queue, paused).await
    }
    async fn set_rate_limit(&self, queue: &str, limit: RateLimit) -> BackendResult<()> {
        self.limit_queue(queue, limit).await
    }
    async fn stats(&self, queue: &str, now: Timestamp) -> BackendResult<QueueStats> {
        self.queue_stats(queue, now).await
    }
    async fn list_queues(&self) -> BackendResult<Vec<QueueInfo>> {
        self.queue_list().await
    }
}

#[async_trait]
impl DeadLetterStore for PostgresBackend {
    async fn dead_letter_list(
        &self,
        queue: Option<&str>,
        limit: usize,
        offset: usize,
    ) -> BackendResult<DeadLetterPage> {
        self.dead_letter_page(queue, limit, offset).await
    }
    async fn dead_letter_delete(&self, id: &str) -> BackendResult<bool> {
        self.dead_letter_remove(id).await
    }
}

#[async_trait]
impl WorkflowStore for PostgresBackend {
    async fn workflow_get(&self, id: &str) -> BackendResult<Option<Workflow>> {
        self.workflow_read(id).await
    }
}

#[async_trait]
impl CronStore for PostgresBackend {
    async fn cron_put(&self, cron: CronJob) -> BackendResult<CronJob> {
        self.cron_write(cron).await
    }
    async fn cron_get(&self, name: &str) -> BackendResult<Option<CronJob>> {
        self.cron_read(name).await
    }
    async fn cron_list(&self) -> BackendResult<Vec<CronJob>> {
        self.cron_read_all().await
    }
    async fn cron_delete(&self, name: &str) -> BackendResult<Option<CronJob>> {
        self.cron_remove(name).await
    }
}

#[async_trait]
impl EventStore for PostgresBackend {
    async fn append_events(&self, events: Vec<Event>) -> BackendResult<()> {
        self.events_append(events).await
    }
    async fn list_events(&self, filter: &EventFilter) -> BackendResult<Vec<Event>> {
        self.events_list(filter).await
    }
}

#[async_trait]
impl Admin for PostgresBackend {
    fn name(&self) -> &'static str {
        "postgres"
    }
    fn unique_strength(&self) -> &'static str {
        "strong"
    }
    async fn ping(&self) -> BackendResult<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await.map_err(db)?;
        Ok(())
    }
    fn ready_signal(&self) -> watch::Receiver<u64> {
        self.wake.ready.subscribe()
    }
    fn schedule_signal(&self) -> watch::Receiver<u64> {
        self.wake.schedule.subscribe()
    }
    async fn prune(&self, now: Timestamp, retention: Retention, limit: usize) -> BackendResult<usize> {
        self.prune_finished(now, retention, limit).await
    }
    async fn reset(&self) -> BackendResult<()> {
        sqlx::query("TRUNCATE jobs, queues, workflows, crons, events RESTART IDENTITY")
            .execute(&self.pool)
            .await
            .map_err(db)?;
        self.wake.jobs_ready();
        self.wake.schedule_changed();
        Ok(())
    }
}
