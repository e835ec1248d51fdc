//! Dead letter listing, workflow and cron records, and lifecycle events.

use super::errors::{db, internal};
use super::rows::{job_columns, job_from_row};
use super::PostgresBackend;
use crate::backend::*;
use crate::model::cron::CronJob;
use crate::model::event::{Event, EventFilter};
use crate::model::workflow::Workflow;
use serde::de::DeserializeOwned;
use sqlx::Row;

fn to_json<T: serde::Serialize>(value: &T) -> BackendResult<String> {
    serde_json::to_string(value).map_err(|e| internal(format!("cannot serialize: {e}")))
}

fn from_json<T: DeserializeOwned>(text: &str) -> BackendResult<T> {
    serde_json::from_str(text).map_err(|e| internal(format!("stored record is unreadable: {e}")))
}

impl PostgresBackend {
    pub(super) async fn dead_letter_page(
        &self,
        queue: Option<&str>,
        limit: usize,
        offset: usize,
    ) -> BackendResult<DeadLetterPage> {
        let total: i64 =
            sqlx::query_scalar("SELECT count(*) FROM jobs WHERE dead_letter AND ($1::text IS NULL OR queue = $1)")
                .bind(queue)
                .fetch_one(&self.pool)
                .await
                .map_err(db)?;
        let sql = format!(
            "SELECT {} FROM jobs j WHERE j.dead_letter AND ($1::text IS NULL OR j.queue = $1)
             ORDER BY COALESCE(j.discarded_at, j.completed_at, j.created_at), j.id LIMIT $2 OFFSET $3",
            job_columns("j")
        );
        let rows = sqlx::query(&sql)
            .bind(queue)
            .bind(limit.min(i64::MAX as usize) as i64)
            .bind(offset.min(i64::MAX as usize) as i64)
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        let jobs = rows.iter().map(job_from_row).collect::<BackendResult<Vec<_>>>()?;
        Ok(DeadLetterPage { jobs, total: total.max(0) as u64 })
    }

    pub(super) async fn dead_letter_remove(&self, id: &str) -> BackendResult<bool> {
        let done = sqlx::query("DELETE FROM jobs WHERE id = $1 AND dead_letter")
            .bind(id)
            .execute(&self.pool)
            .await
            .map_err(db)?;
        Ok(done.rows_affected() > 0)
    }

    pub(super) async fn workflow_read(&self, id: &str) -> BackendResult<Option<Workflow>> {
        let doc: Option<String> = sqlx::query_scalar("SELECT doc::text FROM workflows WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(db)?;
        doc.as_deref().map(from_json).transpose()
    }

    pub(super) async fn cron_write(&self, cron: CronJob) -> BackendResult<CronJob> {
        sqlx::query(
            "INSERT INTO crons (name, doc, next_run_at) VALUES ($1, $2::json, $3)
             ON CONFLICT (name) DO UPDATE SET doc = EXCLUDED.doc, next_run_at = EXCLUDED.next_run_at
             RETURNING notify_schedule()",
        )
        .bind(&cron.name)
        .bind(to_json(&cron)?)
        .bind(cron.next_run_at)
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        self.wake.schedule_changed();
        Ok(cron)
    }

    pub(super) async fn cron_read(&self, name: &str) -> BackendResult<Option<CronJob>> {
        let doc: Option<String> = sqlx::query_scalar("SELECT doc::text FROM crons WHERE name = $1")
            .bind(name)
            .fetch_optional(&self.pool)
            .await
            .map_err(db)?;
        doc.as_deref().map(from_json).transpose()
    }

    pub(super) async fn cron_read_all(&self) -> BackendResult<Vec<CronJob>> {
        let docs: Vec<String> =
            sqlx::query_scalar("SELECT doc::text FROM crons ORDER BY name").fetch_all(&self.pool).await.map_err(db)?;
        docs.iter().map(|d| from_json(d)).collect()
    }

    pub(super) async fn cron_remove(&self, name: &str) -> BackendResult<Option<CronJob>> {
        let doc: Option<String> = sqlx::query_scalar("DELETE FROM crons WHERE name = $1 RETURNING doc::text")
            .bind(name)
            .fetch_optional(&self.pool)
            .await
            .map_err(db)?;
        doc.as_deref().map(from_json).transpose()
    }

    /// One multi-row insert of compact columns (the event document is stored as text: the server wrote
    /// it, so it needs no JSON validation). Event writes commit with `synchronous_commit` off for this
    /// statement only (see README, "Write cost"): the event sink already buffers events in memory, so a
    /// crash could lose the newest ones either way; job state never uses this.
    pub(super) async fn events_append(&self, events: Vec<Event>) -> BackendResult<()> {
        if events.is_empty() {
            return Ok(());
        }
        let mut docs = Vec::with_capacity(events.len());
        for e in &events {
            docs.push(to_json(e)?);
        }
        let ids: Vec<&str> = events.iter().map(|e| e.id.as_str()).collect();
        let kinds: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
        let queues: Vec<Option<&str>> = events.iter().map(|e| e.queue.as_deref()).collect();
        let job_types: Vec<Option<&str>> = events.iter().map(|e| e.job_type.as_deref()).collect();
        sqlx::query(
            "INSERT INTO events (id, kind, queue, job_type, doc)
             SELECT u.id, u.kind, u.queue, u.job_type, u.doc
             FROM (SELECT set_config('synchronous_commit', 'off', true)) AS relaxed,
                  unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])
                      WITH ORDINALITY AS u(id, kind, queue, job_type, doc, ord)
             ORDER BY u.ord",
        )
        .bind(&ids)
        .bind(&kinds)
        .bind(&queues)
        .bind(&job_types)
        .bind(&docs)
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(())
    }

    /// With a cursor: the oldest matches after it; without: the newest `limit` matches. Oldest first.
    pub(super) async fn events_list(&self, filter: &EventFilter) -> BackendResult<Vec<Event>> {
        let limit = filter.limit.max(1).min(i64::MAX as usize) as i64;
        let direction = if filter.after.is_some() { "ASC" } else { "DESC" };
        let sql = format!(
            "SELECT doc::text AS doc FROM (
                 SELECT seq, doc FROM events
                 WHERE (cardinality($1::text[]) = 0 OR kind = ANY($1))
                   AND (cardinality($2::text[]) = 0 OR queue = ANY($2))
                   AND (cardinality($3::text[]) = 0 OR job_type = ANY($3))
                   AND ($4::text IS NULL OR id COLLATE \"C\" > $4)
                 ORDER BY seq {direction} LIMIT $5
             ) e ORDER BY seq"
        );
        let rows = sqlx::query(&sql)
            .bind(&filter.types)
            .bind(&filter.queues)
            .bind(&filter.job_types)
            .bind(&filter.after)
            .bind(limit)
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        rows.iter().map(|r| from_json(&r.try_get::<String, _>("doc").map_err(db)?)).collect()
    }
}
