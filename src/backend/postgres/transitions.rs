//! Reads and guarded transitions of existing jobs: each is one statement over the whole batch
//! (`unnest` of the inputs, `WHERE state = expected`), so a concurrent change makes the item miss
//! instead of being overwritten.

use super::errors::db;
use super::rows::{doc_column_assignments, doc_record, job_columns, job_doc, job_from_row, ms};
use super::PostgresBackend;
use crate::backend::*;
use crate::model::job::{Job, JobState};
use crate::model::time::Timestamp;
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, Row};
use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

const JOB_COLUMN_NAMES: &str = "doc, state, attempt, enqueued_at, started_at, completed_at, cancelled_at, \
    discarded_at, run_at, worker_id, visible_until, exec_deadline, result, error, errors, retry_delay_ms, dead_letter";

/// Misses use `NOT IN` (a hashed subplan) for the reason given at `COMPLETE_SQL`.
static UPDATE_SQL: LazyLock<String> = LazyLock::new(|| {
    format!(
        "WITH input AS (
             SELECT u.doc::json AS d, u.exp_state, u.exp_attempt, u.ord
             FROM unnest($1::text[], $2::text[], $3::bigint[]) WITH ORDINALITY AS u(doc, exp_state, exp_attempt, ord)
         ),
         upd AS (
             UPDATE jobs j SET {assign},
                 seq = CASE WHEN r.state = 'available' AND j.state <> 'available'
                            THEN nextval('job_seq') ELSE j.seq END
             FROM input i CROSS JOIN LATERAL {record}
             WHERE j.id = r.id AND j.state = i.exp_state AND (i.exp_attempt < 0 OR j.attempt = i.exp_attempt)
             RETURNING i.ord, {cols},
                 CASE WHEN j.state = 'available' THEN notify_ready(j.queue)
                      WHEN j.state IN ('scheduled', 'retryable') THEN notify_schedule() END AS notified
         )
         SELECT true AS applied, ord, {names} FROM upd
         UNION ALL
         SELECT false, i.ord, {cur} FROM input i JOIN jobs cur ON cur.id = i.d->>'id'
         WHERE i.ord NOT IN (SELECT ord FROM upd)",
        assign = doc_column_assignments("i.d"),
        record = doc_record("i.d"),
        cols = job_columns("j"),
        names = JOB_COLUMN_NAMES,
        cur = job_columns("cur"),
    )
});

/// One statement: rows that still match their guard take the new full value (a job re-entering
/// `available` takes a new FIFO sequence); the others report their current state. Ids must be distinct.
async fn apply_round(conn: &mut PgConnection, updates: &[JobUpdate]) -> BackendResult<Vec<UpdateOutcome>> {
    let mut docs = Vec::with_capacity(updates.len());
    for u in updates {
        docs.push(job_doc(&u.job)?);
    }
    let states: Vec<&str> = updates.iter().map(|u| u.guard.state.as_str()).collect();
    let attempts: Vec<i64> = updates.iter().map(|u| u.guard.attempt.map_or(-1, i64::from)).collect();
    let rows =
        sqlx::query(&UPDATE_SQL).bind(&docs).bind(&states).bind(&attempts).fetch_all(&mut *conn).await.map_err(db)?;
    let mut outcomes: Vec<UpdateOutcome> = (0..updates.len()).map(|_| UpdateOutcome::NotFound).collect();
    for row in &rows {
        let ord: i64 = row.try_get("ord").map_err(db)?;
        let applied: bool = row.try_get("applied").map_err(db)?;
        let job = job_from_row(row)?;
        if let Some(slot) = outcomes.get_mut((ord - 1) as usize) {
            *slot = if applied { UpdateOutcome::Applied(job) } else { UpdateOutcome::Conflict(job.state) };
        }
    }
    Ok(outcomes)
}

/// Applies guarded replacements in order. Repeated ids go to later rounds so each sees the earlier result,
/// as sequential application would.
pub(super) async fn apply_updates(conn: &mut PgConnection, updates: &[JobUpdate]) -> BackendResult<Vec<UpdateOutcome>> {
    let mut outcomes: Vec<Option<UpdateOutcome>> = (0..updates.len()).map(|_| None).collect();
    let mut pending: Vec<usize> = (0..updates.len()).collect();
    while !pending.is_empty() {
        let mut seen = HashSet::new();
        let (round, later): (Vec<usize>, Vec<usize>) =
            pending.iter().partition(|&&i| seen.insert(updates[i].job.id.as_str()));
        let batch: Vec<JobUpdate> = round.iter().map(|&i| updates[i].clone()).collect();
        for (i, outcome) in round.iter().zip(apply_round(conn, &batch).await?) {
            outcomes[*i] = Some(outcome);
        }
        pending = later;
    }
    Ok(outcomes.into_iter().map(|o| o.unwrap_or(UpdateOutcome::NotFound)).collect())
}

/// The misses are found with `NOT IN (SELECT … FROM done)`, which PostgreSQL runs as a hashed subplan.
/// `NOT EXISTS` was planned as a nested-loop anti join against the CTE (estimated at one row), rescanning
/// every completed row for every input row: quadratic, and most of the statement's time at 1000 acks.
static COMPLETE_SQL: LazyLock<String> = LazyLock::new(|| {
    format!(
        "WITH input AS (
             SELECT u.id, u.result, u.ord FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS u(id, result, ord)
         ),
         done AS (
             UPDATE jobs j SET state = 'completed', completed_at = $3, result = i.result::json, error = NULL,
                 worker_id = NULL, visible_until = NULL, exec_deadline = NULL, run_at = NULL
             FROM input i
             WHERE j.id = i.id AND j.state = 'active' AND j.workflow_id IS NULL
             RETURNING j.id, {cols}
         )
         SELECT true AS done, i.ord, {names} FROM input i JOIN done d ON d.id = i.id
         UNION ALL
         SELECT false, i.ord, {cur} FROM input i JOIN jobs cur ON cur.id = i.id
         WHERE i.id NOT IN (SELECT id FROM done)",
        cols = job_columns("j"),
        names = JOB_COLUMN_NAMES.split(", ").map(|c| format!("d.{c}")).collect::<Vec<_>>().join(", "),
        cur = job_columns("cur"),
    )
});

impl PostgresBackend {
    pub(super) async fn get_jobs(&self, ids: &[String]) -> BackendResult<Vec<Option<Job>>> {
        let sql = format!("SELECT j.id, {} FROM jobs j WHERE j.id = ANY($1)", job_columns("j"));
        let rows = sqlx::query(&sql).bind(ids).fetch_all(&self.pool).await.map_err(db)?;
        let mut found: HashMap<String, Job> = HashMap::with_capacity(rows.len());
        for row in &rows {
            found.insert(row.try_get("id").map_err(db)?, job_from_row(row)?);
        }
        Ok(ids.iter().map(|id| found.get(id).cloned()).collect())
    }

    pub(super) async fn update_jobs(&self, updates: Vec<JobUpdate>) -> BackendResult<Vec<UpdateOutcome>> {
        if updates.is_empty() {
            return Ok(Vec::new());
        }
        let mut conn = self.pool.acquire().await.map_err(db)?;
        let outcomes = apply_updates(&mut conn, &updates).await?;
        self.signal_jobs(outcomes.iter().filter_map(|o| match o {
            UpdateOutcome::Applied(j) => Some(j),
            _ => None,
        }));
        Ok(outcomes)
    }

    /// Local wake-ups for jobs just written (other processes hear the NOTIFY).
    pub(super) fn signal_jobs<'a>(&self, jobs: impl Iterator<Item = &'a Job>) {
        let (mut ready, mut due, mut leases) = (false, false, false);
        for job in jobs {
            match job.state {
                JobState::Available => ready = true,
                JobState::Scheduled | JobState::Retryable => due = true,
                JobState::Active => leases = true,
                _ => {}
            }
        }
        if ready {
            self.wake.jobs_ready();
        }
        if due {
            self.wake.schedule_changed();
        } else if leases {
            self.wake.leases_changed();
        }
    }

    /// ACK fast path: one statement completes every `active` non-workflow job of the batch; the rest
    /// report what they are.
    pub(super) async fn complete_jobs(
        &self,
        items: Vec<Completion>,
        now: Timestamp,
    ) -> BackendResult<Vec<CompleteOutcome>> {
        if items.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<String> = items.iter().map(|i| i.id.clone()).collect();
        let results: Vec<Option<String>> = items.iter().map(|i| i.result.as_ref().map(|r| r.to_string())).collect();
        let rows =
            sqlx::query(&COMPLETE_SQL).bind(&ids).bind(&results).bind(now).fetch_all(&self.pool).await.map_err(db)?;
        let mut outcomes: Vec<CompleteOutcome> = (0..items.len()).map(|_| CompleteOutcome::NotFound).collect();
        for row in &rows {
            let ord: i64 = row.try_get("ord").map_err(db)?;
            let done: bool = row.try_get("done").map_err(db)?;
            let job = job_from_row(row)?;
            let outcome = if done {
                CompleteOutcome::Completed(job)
            } else if job.state == JobState::Active && job.workflow.is_some() {
                CompleteOutcome::WorkflowMember(job)
            } else {
                CompleteOutcome::WrongState(job.state)
            };
            if let Some(slot) = outcomes.get_mut((ord - 1) as usize) {
                *slot = outcome;
            }
        }
        // The same id twice: the first acknowledgement completes it, a later one finds it completed.
        let mut seen = HashSet::new();
        for (item, outcome) in items.iter().zip(outcomes.iter_mut()) {
            if !seen.insert(item.id.as_str()) {
                if let CompleteOutcome::Completed(_) = outcome {
                    *outcome = CompleteOutcome::WrongState(JobState::Completed);
                }
            }
        }
        Ok(outcomes)
    }

    pub(super) async fn extend_leases(
        &self,
        ids: &[String],
        extend_ms: Option<u64>,
        default_ms: u64,
        now: Timestamp,
    ) -> BackendResult<Vec<Job>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "UPDATE jobs j SET visible_until = $2
                 + (COALESCE($3, j.visibility_timeout_ms, $4)::float8 * interval '1 millisecond')
             WHERE j.id = ANY($1) AND j.state = 'active'
             RETURNING j.id, {}",
            job_columns("j")
        );
        let rows: Vec<PgRow> = sqlx::query(&sql)
            .bind(ids)
            .bind(now)
            .bind(extend_ms.map(ms))
            .bind(ms(default_ms))
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        let mut by_id: HashMap<String, Job> = HashMap::with_capacity(rows.len());
        for row in &rows {
            by_id.insert(row.try_get("id").map_err(db)?, job_from_row(row)?);
        }
        Ok(ids.iter().filter_map(|id| by_id.get(id).cloned()).collect())
    }
}
