//! Claiming jobs. Due jobs are promoted first (their own statement: promotion is valid on its own, whoever
//! does it; skipped while a recent claim showed nothing can be due yet, see `wakeups`); then ONE statement
//! picks up to `count` available jobs queue by queue
//! (`FOR UPDATE SKIP LOCKED`, priority desc then FIFO sequence), activates them, discards the expired ones
//! of those queues, and records the deliveries in the rate-limit window. When a requested queue has a rate
//! limit, that statement runs in a transaction that first locks the limited queue rows, so concurrent
//! claimers count each other's deliveries and active jobs.

use super::errors::db;
use super::rows::{job_columns, job_from_row, ms};
use super::wakeups::SHORTCUT_MAX_MS;
use super::PostgresBackend;
use crate::backend::*;
use crate::model::time::Timestamp;
use sqlx::Row;
use std::collections::HashSet;
use std::sync::LazyLock;

/// Most due jobs promoted by one claim or due pass statement.
pub(super) const PROMOTE_BATCH: i64 = 1000;

/// Error recorded on a job that expired before it could run (the value `state::expire` records).
fn expired_error() -> String {
    crate::level0_core::state::expired_error().to_string()
}

/// Promotes due scheduled/retryable jobs (`$1` = now, `$2` = most rows) in due order, each taking a new
/// FIFO sequence; one row per promoted job.
pub(super) const PROMOTE_SQL: &str =
    "UPDATE jobs j SET state = 'available', seq = d.s, enqueued_at = $1, run_at = NULL,
        worker_id = NULL, visible_until = NULL, exec_deadline = NULL
    FROM (SELECT x.id, nextval('job_seq') AS s FROM (
              SELECT id FROM jobs
              WHERE state IN ('scheduled', 'retryable') AND run_at <= $1
              ORDER BY run_at, seq LIMIT $2 FOR UPDATE SKIP LOCKED) x) d
    WHERE j.id = d.id
    RETURNING j.queue, notify_ready(j.queue) AS notified";

/// Promotes due jobs (every queue, as a due pass would), and reports when the next one falls due and
/// which queues have a rate limit.
static PREPARE_SQL: LazyLock<String> = LazyLock::new(|| {
    format!(
        "WITH promoted AS ({promote})
         SELECT (SELECT count(*) FROM promoted) AS promoted,
                (SELECT min(run_at) FROM jobs WHERE state IN ('scheduled', 'retryable') AND run_at > $1) AS next_due,
                ARRAY(SELECT name FROM queues WHERE max_per_second IS NOT NULL OR concurrency IS NOT NULL) AS limited",
        promote = PROMOTE_SQL
    )
});

/// Locks the rate-limited queue rows in name order (so claimers cannot deadlock) for the transaction.
const LOCK_LIMITED_SQL: &str = "SELECT name FROM queues WHERE name = ANY($1)
    AND (max_per_second IS NOT NULL OR concurrency IS NOT NULL) ORDER BY name FOR UPDATE";

static CLAIM_SQL: LazyLock<String> = LazyLock::new(|| {
    format!(
        "WITH qs AS (
             SELECT t.name, t.ord FROM unnest($1::text[]) WITH ORDINALITY AS t(name, ord)
         ),
         -- Rate-limited queues; FOR UPDATE reads their latest window (the caller's transaction already
         -- holds these locks, see LOCK_LIMITED_SQL).
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
             SELECT c.id, c.tid, lim.ord FROM lim CROSS JOIN LATERAL (
                 SELECT j.id, j.ctid AS tid FROM jobs j
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
             -- The locked row versions by ctid (a TID scan): joining on id let the planner hash-join
             -- against a sequential scan of the whole table once its statistics were accurate. A locked
             -- row cannot move before this statement updates it. (A row that another transaction rewrote,
             -- still available, between this statement's snapshot and its lock is locked in its new
             -- version, which the snapshot cannot see: it stays available for the next claim.)
             FROM picked p
             WHERE j.ctid = ANY(ARRAY(SELECT tid FROM picked)) AND j.ctid = p.tid AND j.id = p.id
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
    )
});

impl PostgresBackend {
    /// Promotes due jobs unless a recent claim showed none can be due yet (see `wakeups`); returns whether
    /// one of `queues` has a rate limit.
    async fn prepare_claim(&self, now: Timestamp, queues: &[String]) -> BackendResult<bool> {
        let now_ms = now.timestamp_millis();
        let hint = self.wake.claim_hint(now_ms, queues);
        if let Some(limited) = hint.skip_with_limited {
            return Ok(limited);
        }
        let row = sqlx::query(&PREPARE_SQL).bind(now).bind(PROMOTE_BATCH).fetch_one(&self.pool).await.map_err(db)?;
        let promoted: i64 = row.try_get("promoted").map_err(db)?;
        let next_due: Option<Timestamp> = row.try_get("next_due").map_err(db)?;
        let limited_queues: Vec<String> = row.try_get("limited").map_err(db)?;
        if promoted > 0 {
            self.wake.jobs_ready();
        }
        // A full batch means more may be due right now: no shortcut.
        let quiet_until_ms = if promoted >= PROMOTE_BATCH {
            i64::MIN
        } else {
            let horizon = now_ms.saturating_add(SHORTCUT_MAX_MS);
            next_due.map_or(horizon, |t| t.timestamp_millis().min(horizon))
        };
        let limited = queues.iter().any(|q| limited_queues.contains(q));
        self.wake.remember(hint.generation, quiet_until_ms, limited_queues.into_iter().collect());
        Ok(limited)
    }

    pub(super) async fn claim_jobs(&self, req: ClaimRequest) -> BackendResult<Claimed> {
        // Each queue once, first position wins.
        let mut seen = HashSet::new();
        let queues: Vec<String> = req.queues.iter().filter(|q| seen.insert(q.as_str())).cloned().collect();
        if queues.is_empty() || req.count == 0 {
            return Ok(Claimed::default());
        }
        let now: Timestamp = req.now;
        let limited = self.prepare_claim(now, &queues).await?;
        let claim = sqlx::query(&CLAIM_SQL)
            .bind(&queues)
            .bind(req.count.min(i64::MAX as usize) as i64)
            .bind(now)
            .bind(&req.worker_id)
            .bind(req.visibility_timeout_ms.map(ms))
            .bind(ms(req.default_visibility_ms))
            .bind(expired_error());
        let rows = if limited {
            // Take the queue locks first: the claim statement's snapshot then includes every delivery
            // (and every active job) of the claimers that held them before us.
            let mut tx = self.pool.begin().await.map_err(db)?;
            let locked = sqlx::query(LOCK_LIMITED_SQL).bind(&queues).fetch_all(&mut *tx).await;
            let rows = match locked {
                Ok(_) => claim.fetch_all(&mut *tx).await,
                Err(e) => Err(e),
            };
            match rows {
                Ok(rows) => {
                    tx.commit().await.map_err(db)?;
                    rows
                }
                Err(e) => {
                    let _ = tx.rollback().await;
                    return Err(db(e));
                }
            }
        } else {
            claim.fetch_all(&self.pool).await.map_err(db)?
        };

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
            self.wake.leases_changed();
        }
        Ok(claimed)
    }
}
