//! Claiming jobs. Due jobs of the requested queues are promoted first (their own statement: promotion is
//! valid on its own, whoever does it); then ONE statement locks the rate-limited queue rows, picks up to
//! `count` available jobs queue by queue (`FOR UPDATE SKIP LOCKED`, priority desc then FIFO sequence),
//! activates them, discards expired ones it meets, and records the deliveries in the rate-limit window.

use super::errors::db;
use super::rows::{job_columns, job_from_row, ms};
use super::PostgresBackend;
use crate::backend::*;
use crate::model::time::Timestamp;
use sqlx::Row;

/// Most due jobs promoted by one claim or due pass statement.
pub(super) const PROMOTE_BATCH: i64 = 1000;

/// Error recorded on a job that expired before it could run (same value as `state::expire`).
fn expired_error() -> String {
    serde_json::json!({"code": "expired", "type": "expired", "message": "the job expired before it could run"})
        .to_string()
}

/// SQL promoting due scheduled/retryable jobs (`$1` = now, `$2` = limit, optional queue filter `$3`) in
/// due order, each taking a new FIFO sequence. Returns one row per promoted job.
pub(super) fn promote_sql(queue_filter: bool) -> String {
    let filter = if queue_filter { "AND queue = ANY($3)" } else { "" };
    format!(
        "UPDATE jobs j SET state = 'available', seq = d.s, enqueued_at = $1, run_at = NULL,
             worker_id = NULL, visible_until = NULL, exec_deadline = NULL
         FROM (SELECT x.id, nextval('job_seq') AS s FROM (
                   SELECT id FROM jobs
                   WHERE state IN ('scheduled', 'retryable') AND run_at <= $1 {filter}
                   ORDER BY run_at, seq LIMIT $2 FOR UPDATE SKIP LOCKED) x) d
         WHERE j.id = d.id
         RETURNING j.queue, notify_ready(j.queue) AS notified"
    )
}

impl PostgresBackend {
    pub(super) async fn claim_jobs(&self, req: ClaimRequest) -> BackendResult<Claimed> {
        if req.queues.is_empty() || req.count == 0 {
            return Ok(Claimed::default());
        }
        let now: Timestamp = req.now;
        let promoted = sqlx::query(&promote_sql(true))
            .bind(now)
            .bind(PROMOTE_BATCH)
            .bind(&req.queues)
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        if !promoted.is_empty() {
            self.ready.bump();
        }

        let sql = format!(
            "WITH qs AS (
                 SELECT t.name, t.ord FROM unnest($1::text[]) WITH ORDINALITY AS t(name, ord)
             ),
             -- Rate-limited queues are locked so concurrent claimers see each other's deliveries.
             limited AS (
                 SELECT name, max_per_second, concurrency, window_start, window_count FROM queues
                 WHERE name = ANY($1) AND (max_per_second IS NOT NULL OR concurrency IS NOT NULL)
                 FOR UPDATE
             ),
             lim AS (
                 SELECT qs.name, qs.ord,
                     LEAST($2::bigint,
                         CASE WHEN l.max_per_second IS NULL THEN $2::bigint
                              WHEN l.window_start IS NULL OR l.window_start <= $3 - interval '1 second'
                                  THEN l.max_per_second
                              ELSE GREATEST(l.max_per_second - l.window_count, 0) END,
                         CASE WHEN l.concurrency IS NULL THEN $2::bigint
                              ELSE GREATEST(l.concurrency - (SELECT count(*) FROM jobs a
                                                             WHERE a.queue = qs.name AND a.state = 'active'), 0) END
                     ) AS allow
                 FROM qs
                 LEFT JOIN queues q ON q.name = qs.name
                 LEFT JOIN limited l ON l.name = qs.name
                 WHERE NOT COALESCE(q.paused, false)
                 ORDER BY qs.ord
             ),
             -- Queue by queue, left to right; the outer LIMIT stops before later queues are touched.
             picked AS (
                 SELECT c.id, lim.ord FROM lim CROSS JOIN LATERAL (
                     SELECT j.id FROM jobs j
                     WHERE j.state = 'available' AND j.queue = lim.name
                       AND (j.expires_at IS NULL OR j.expires_at > $3)
                     ORDER BY j.priority DESC, j.seq
                     LIMIT lim.allow
                     FOR UPDATE SKIP LOCKED
                 ) c
                 LIMIT $2
             ),
             claimed AS (
                 UPDATE jobs j SET state = 'active', attempt = j.attempt + 1, started_at = $3, worker_id = $4,
                     visible_until = $3 + (COALESCE($5, j.visibility_timeout_ms, $6)::float8 * interval '1 millisecond'),
                     exec_deadline = $3 + (j.timeout_ms::float8 * interval '1 millisecond')
                 FROM picked p WHERE j.id = p.id
                 RETURNING p.ord, j.priority, j.seq, j.queue, {cols}
             ),
             expired AS (
                 UPDATE jobs j SET state = 'discarded', discarded_at = $3, error = $7::json, run_at = NULL
                 FROM (SELECT e.id FROM jobs e
                       WHERE e.state = 'available' AND e.queue IN (SELECT name FROM lim) AND e.expires_at <= $3
                       ORDER BY e.expires_at LIMIT 1000 FOR UPDATE SKIP LOCKED) x
                 WHERE j.id = x.id
                 RETURNING 0::bigint AS ord, j.priority, j.seq, j.queue, {cols}
             ),
             windows AS (
                 UPDATE queues q SET
                     window_count = CASE WHEN q.window_start IS NULL OR q.window_start <= $3 - interval '1 second'
                                         THEN c.n ELSE q.window_count + c.n END,
                     window_start = CASE WHEN q.window_start IS NULL OR q.window_start <= $3 - interval '1 second'
                                         THEN $3 ELSE q.window_start END
                 FROM (SELECT queue, count(*) AS n FROM claimed GROUP BY queue) c
                 WHERE q.name = c.queue AND q.max_per_second IS NOT NULL
             )
             SELECT true AS delivered, * FROM claimed
             UNION ALL
             SELECT false, * FROM expired",
            cols = job_columns("j"),
        );
        let rows = sqlx::query(&sql)
            .bind(&req.queues)
            .bind(req.count.min(i64::MAX as usize) as i64)
            .bind(now)
            .bind(&req.worker_id)
            .bind(req.visibility_timeout_ms.map(ms))
            .bind(ms(req.default_visibility_ms))
            .bind(expired_error())
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;

        let mut delivered = Vec::new();
        let mut claimed = Claimed::default();
        for row in &rows {
            let job = job_from_row(row)?;
            if row.try_get::<bool, _>("delivered").map_err(db)? {
                let ord: i64 = row.try_get("ord").map_err(db)?;
                let seq: i64 = row.try_get("seq").map_err(db)?;
                delivered.push((ord, -job.priority, seq, job));
            } else {
                claimed.expired.push(job);
            }
        }
        // RETURNING has no order: restore delivery order (queue position, priority desc, FIFO).
        delivered.sort_by_key(|(ord, p, seq, _)| (*ord, *p, *seq));
        claimed.jobs = delivered.into_iter().map(|(_, _, _, job)| job).collect();
        if !claimed.jobs.is_empty() {
            // New leases: the background task may need to wake earlier.
            self.schedule.bump();
        }
        Ok(claimed)
    }
}
