//! Time-driven work: promotion of due jobs, expired leases, the next due time, and retention pruning.
//! Everything works in bounded batches.

use super::claim::PROMOTE_SQL;
use super::errors::db;
use super::rows::{job_columns, job_from_row, ms};
use super::PostgresBackend;
use crate::backend::*;
use crate::model::time::Timestamp;

/// Events kept by `prune` (the newest ones).
const EVENT_CAPACITY: i64 = crate::backend::EVENT_RETENTION as i64;

fn bounded(limit: usize) -> i64 {
    limit.min(i64::MAX as usize) as i64
}

impl PostgresBackend {
    pub(super) async fn run_due_pass(&self, now: Timestamp, limit: usize) -> BackendResult<DuePass> {
        let limit = bounded(limit);
        let promoted = sqlx::query(PROMOTE_SQL).bind(now).bind(limit).fetch_all(&self.pool).await.map_err(db)?.len();
        if promoted > 0 {
            self.wake.jobs_ready();
        }
        let sql = format!(
            "SELECT {} FROM jobs j WHERE j.state = 'active' AND j.lease_deadline <= $1
             ORDER BY j.lease_deadline LIMIT $2",
            job_columns("j")
        );
        let rows = sqlx::query(&sql).bind(now).bind(limit).fetch_all(&self.pool).await.map_err(db)?;
        let expired_leases = rows.iter().map(job_from_row).collect::<BackendResult<Vec<_>>>()?;
        let next_due: Option<Timestamp> = sqlx::query_scalar(
            "SELECT LEAST(
                 (SELECT min(run_at) FROM jobs WHERE state IN ('scheduled', 'retryable')),
                 (SELECT min(lease_deadline) FROM jobs WHERE state = 'active'))",
        )
        .fetch_one(&self.pool)
        .await
        .map_err(db)?;
        Ok(DuePass { promoted, expired_leases, next_due })
    }

    /// Deletes terminal jobs past retention (dead-lettered ones stay until deleted), at most `limit`,
    /// keeping the completed counter of their queues; trims events to the newest `EVENT_CAPACITY`.
    pub(super) async fn prune_finished(
        &self,
        now: Timestamp,
        retention: Retention,
        limit: usize,
    ) -> BackendResult<usize> {
        let completed_before = now - chrono::Duration::milliseconds(ms(retention.completed_ms).min(i64::MAX / 4));
        let discarded_before = now - chrono::Duration::milliseconds(ms(retention.discarded_ms).min(i64::MAX / 4));
        let pruned: i64 = sqlx::query_scalar(
            "WITH gone AS (
                 DELETE FROM jobs WHERE id IN (
                     -- Oldest first within each queue and state (the order of jobs_finished_idx).
                     SELECT x.id FROM queues q
                     CROSS JOIN unnest(ARRAY['completed', 'cancelled', 'discarded']) AS s(state)
                     CROSS JOIN LATERAL (
                         SELECT j.id FROM jobs j
                         WHERE j.queue = q.name AND j.state = s.state
                           AND j.state IN ('completed', 'cancelled', 'discarded') AND NOT j.dead_letter
                           AND COALESCE(j.discarded_at, j.cancelled_at, j.completed_at, j.created_at)
                               <= CASE WHEN s.state = 'completed' THEN $1 ELSE $2 END
                         ORDER BY COALESCE(j.discarded_at, j.cancelled_at, j.completed_at, j.created_at)
                         LIMIT $3 FOR UPDATE SKIP LOCKED
                     ) x
                     LIMIT $3)
                 RETURNING queue, state
             ),
             counted AS (
                 UPDATE queues q SET completed_pruned = q.completed_pruned + c.n
                 FROM (SELECT queue, count(*) AS n FROM gone WHERE state = 'completed' GROUP BY queue) c
                 WHERE q.name = c.queue
             )
             SELECT count(*) FROM gone",
        )
        .bind(completed_before)
        .bind(discarded_before)
        .bind(bounded(limit))
        .fetch_one(&self.pool)
        .await
        .map_err(db)?;
        sqlx::query("DELETE FROM events WHERE seq <= (SELECT seq FROM events ORDER BY seq DESC OFFSET $1 LIMIT 1)")
            .bind(EVENT_CAPACITY)
            .execute(&self.pool)
            .await
            .map_err(db)?;
        Ok(pruned.max(0) as usize)
    }
}
