//! Queue controls (pause, rate limit) and statistics.

use super::errors::db;
use super::PostgresBackend;
use crate::backend::*;
use crate::model::job::JobState;
use crate::model::time::Timestamp;
use sqlx::Row;

impl PostgresBackend {
    pub(super) async fn pause_queue(&self, queue: &str, paused: bool) -> BackendResult<()> {
        // Resuming wakes long-polling fetches everywhere.
        sqlx::query(
            "WITH q AS (
                 INSERT INTO queues (name, paused) VALUES ($1, $2)
                 ON CONFLICT (name) DO UPDATE SET paused = EXCLUDED.paused
                 RETURNING name, paused
             )
             SELECT CASE WHEN NOT paused THEN notify_ready(name) END FROM q",
        )
        .bind(queue)
        .bind(paused)
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        if !paused {
            self.wake.jobs_ready();
        }
        Ok(())
    }

    pub(super) async fn limit_queue(&self, queue: &str, limit: RateLimit) -> BackendResult<()> {
        sqlx::query(
            "INSERT INTO queues (name, max_per_second, concurrency) VALUES ($1, $2, $3)
             ON CONFLICT (name) DO UPDATE SET max_per_second = EXCLUDED.max_per_second,
                                              concurrency = EXCLUDED.concurrency",
        )
        .bind(queue)
        .bind(limit.max_per_second.map(i64::from))
        .bind(limit.concurrency.map(i64::from))
        .execute(&self.pool)
        .await
        .map_err(db)?;
        self.wake.forget();
        Ok(())
    }

    pub(super) async fn queue_stats(&self, queue: &str, now: Timestamp) -> BackendResult<QueueStats> {
        let mut stats = QueueStats { name: queue.to_string(), ..Default::default() };
        let control = sqlx::query("SELECT paused, completed_pruned FROM queues WHERE name = $1")
            .bind(queue)
            .fetch_optional(&self.pool)
            .await
            .map_err(db)?;
        if let Some(row) = control {
            stats.paused = row.try_get("paused").map_err(db)?;
            stats.completed = row.try_get::<i64, _>("completed_pruned").map_err(db)?.max(0) as u64;
        }
        let rows = sqlx::query(
            // Four disjoint parts, each matching one partial index (there is no index on all of a queue's
            // jobs: see migrations/0004).
            "SELECT state, count(*) AS n,
                    count(*) FILTER (WHERE dead_letter) AS dead,
                    count(*) FILTER (WHERE completed_at > $2 - interval '60 seconds' AND completed_at <= $2) AS recent
             FROM (
                 SELECT state, dead_letter, completed_at FROM jobs
                 WHERE queue = $1 AND state = 'available' AND NOT dead_letter
                 UNION ALL
                 SELECT state, dead_letter, completed_at FROM jobs
                 WHERE queue = $1 AND state IN ('scheduled', 'pending', 'active', 'retryable') AND NOT dead_letter
                 UNION ALL
                 SELECT state, dead_letter, completed_at FROM jobs
                 WHERE queue = $1 AND state IN ('completed', 'cancelled', 'discarded') AND NOT dead_letter
                 UNION ALL
                 SELECT state, dead_letter, completed_at FROM jobs WHERE queue = $1 AND dead_letter
             ) j GROUP BY state",
        )
        .bind(queue)
        .bind(now)
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        for row in &rows {
            let state: String = row.try_get("state").map_err(db)?;
            let n = row.try_get::<i64, _>("n").map_err(db)?.max(0) as u64;
            stats.dead += row.try_get::<i64, _>("dead").map_err(db)?.max(0) as u64;
            match JobState::parse(&state) {
                Some(JobState::Available) => stats.available = n,
                Some(JobState::Active) => stats.active = n,
                Some(JobState::Scheduled) => stats.scheduled = n,
                Some(JobState::Retryable) => stats.retryable = n,
                Some(JobState::Pending) => stats.pending = n,
                Some(JobState::Completed) => {
                    stats.completed += n;
                    stats.completed_last_minute = row.try_get::<i64, _>("recent").map_err(db)?.max(0) as u64;
                }
                Some(JobState::Discarded) => stats.discarded = n,
                Some(JobState::Cancelled) => stats.cancelled = n,
                None => {}
            }
        }
        Ok(stats)
    }

    pub(super) async fn queue_list(&self) -> BackendResult<Vec<QueueInfo>> {
        let rows =
            sqlx::query("SELECT name, paused FROM queues ORDER BY name").fetch_all(&self.pool).await.map_err(db)?;
        rows.iter()
            .map(|r| Ok(QueueInfo { name: r.try_get("name").map_err(db)?, paused: r.try_get("paused").map_err(db)? }))
            .collect()
    }
}
