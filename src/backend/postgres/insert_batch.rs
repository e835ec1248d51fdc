//! Writing a batch of new job rows: one multi-row INSERT that takes FIFO sequences in batch order,
//! registers the queues and notifies listeners once per queue.

use super::rows::{job_doc, ms};
use crate::model::job::Job;
use crate::model::time::Timestamp;
use sqlx::PgConnection;

/// Inserts rows given as one array per column (`$1` … `$28`, in `InsertColumns` order), in array order so
/// FIFO sequences follow the batch. The server already holds every column value, so PostgreSQL parses no
/// JSON beyond validating `doc` (deriving the columns from the document with `json_to_record` was about a
/// third of the statement).
const INSERT_SQL: &str = "WITH ins AS (
         INSERT INTO jobs (id, doc, job_type, queue, priority, timeout_ms, visibility_timeout_ms, expires_at,
                           workflow_id, unique_key, created_at, state, attempt, enqueued_at, started_at,
                           completed_at, cancelled_at, discarded_at, run_at, worker_id, visible_until,
                           exec_deadline, result, error, errors, retry_delay_ms, dead_letter, unique_slot, seq)
         SELECT u.id, u.doc::json, u.job_type, u.queue, u.priority, u.timeout_ms, u.visibility_timeout_ms,
                u.expires_at, u.workflow_id, u.unique_key, u.created_at, u.state, u.attempt, u.enqueued_at,
                u.started_at, u.completed_at, u.cancelled_at, u.discarded_at, u.run_at, u.worker_id,
                u.visible_until, u.exec_deadline, u.result::json, u.error::json, u.errors::json,
                u.retry_delay_ms, u.dead_letter, u.slot, nextval('job_seq')
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int4[], $6::int8[], $7::int8[],
                     $8::timestamptz[], $9::text[], $10::text[], $11::timestamptz[], $12::text[], $13::int4[],
                     $14::timestamptz[], $15::timestamptz[], $16::timestamptz[], $17::timestamptz[],
                     $18::timestamptz[], $19::timestamptz[], $20::text[], $21::timestamptz[],
                     $22::timestamptz[], $23::text[], $24::text[], $25::text[], $26::int8[], $27::bool[],
                     $28::text[])
              WITH ORDINALITY AS u(id, doc, job_type, queue, priority, timeout_ms, visibility_timeout_ms,
                                   expires_at, workflow_id, unique_key, created_at, state, attempt, enqueued_at,
                                   started_at, completed_at, cancelled_at, discarded_at, run_at, worker_id,
                                   visible_until, exec_deadline, result, error, errors, retry_delay_ms,
                                   dead_letter, slot, ord)
         ORDER BY u.ord
         RETURNING queue, state
     ),
     known AS (
         INSERT INTO queues (name) SELECT DISTINCT queue FROM ins ON CONFLICT (name) DO NOTHING
     )
     -- One notification per queue (not a function call per row).
     SELECT (SELECT count(*) FROM ins) AS inserted,
            (SELECT count(notify_ready(q.queue))
             FROM (SELECT DISTINCT queue FROM ins WHERE state = 'available') q) AS ready,
            (SELECT count(notify_schedule())
             FROM (SELECT 1 FROM ins WHERE state IN ('scheduled', 'retryable') LIMIT 1) s) AS scheduled";

/// The column arrays of one insert batch (the same columns `rows::DOC_COLUMNS` derives from a document).
#[derive(Default)]
struct InsertColumns {
    id: Vec<String>,
    doc: Vec<String>,
    job_type: Vec<String>,
    queue: Vec<String>,
    priority: Vec<i32>,
    timeout_ms: Vec<Option<i64>>,
    visibility_timeout_ms: Vec<Option<i64>>,
    expires_at: Vec<Option<Timestamp>>,
    workflow_id: Vec<Option<String>>,
    unique_key: Vec<Option<String>>,
    created_at: Vec<Timestamp>,
    state: Vec<&'static str>,
    attempt: Vec<i32>,
    enqueued_at: Vec<Option<Timestamp>>,
    started_at: Vec<Option<Timestamp>>,
    completed_at: Vec<Option<Timestamp>>,
    cancelled_at: Vec<Option<Timestamp>>,
    discarded_at: Vec<Option<Timestamp>>,
    run_at: Vec<Option<Timestamp>>,
    worker_id: Vec<Option<String>>,
    visible_until: Vec<Option<Timestamp>>,
    exec_deadline: Vec<Option<Timestamp>>,
    result: Vec<Option<String>>,
    error: Vec<Option<String>>,
    errors: Vec<Option<String>>,
    retry_delay_ms: Vec<Option<i64>>,
    dead_letter: Vec<bool>,
    slot: Vec<Option<String>>,
}

/// JSON text of a stored JSON column; `null` is stored as SQL NULL (as the document-derived columns were).
fn json_column(value: Option<&serde_json::Value>) -> Option<String> {
    value.filter(|v| !v.is_null()).map(|v| v.to_string())
}

impl InsertColumns {
    fn push(&mut self, row: &NewRow) -> Result<(), sqlx::Error> {
        let job = &row.job;
        self.doc.push(job_doc(job).map_err(|e| sqlx::Error::Protocol(e.to_string()))?);
        self.id.push(job.id.clone());
        self.job_type.push(job.kind.clone());
        self.queue.push(job.queue.clone());
        self.priority.push(job.priority);
        self.timeout_ms.push(job.timeout_ms.map(ms));
        self.visibility_timeout_ms.push(job.visibility_timeout_ms.map(ms));
        self.expires_at.push(job.expires_at_ts);
        self.workflow_id.push(job.workflow.as_ref().map(|w| w.id.clone()));
        self.unique_key.push(row.key.clone().or_else(|| job.unique_key.clone()));
        self.created_at.push(job.created_at);
        self.state.push(job.state.as_str());
        self.attempt.push(job.attempt.min(i32::MAX as u32) as i32);
        self.enqueued_at.push(job.enqueued_at);
        self.started_at.push(job.started_at);
        self.completed_at.push(job.completed_at);
        self.cancelled_at.push(job.cancelled_at);
        self.discarded_at.push(job.discarded_at);
        self.run_at.push(job.run_at);
        self.worker_id.push(job.worker_id.clone());
        self.visible_until.push(job.visible_until);
        self.exec_deadline.push(job.exec_deadline);
        self.result.push(json_column(job.result.as_ref()));
        self.error.push(json_column(job.error.as_ref()));
        self.errors.push((!job.errors.is_empty()).then(|| serde_json::Value::from(job.errors.clone()).to_string()));
        self.retry_delay_ms.push(job.retry_delay_ms.map(ms));
        self.dead_letter.push(job.dead_letter);
        self.slot.push(row.slot.clone());
        Ok(())
    }
}

/// One row to insert: the job and, when it carries a unique claim, the claim's key and index slot.
pub(super) struct NewRow {
    pub job: Job,
    pub key: Option<String>,
    pub slot: Option<String>,
}

impl NewRow {
    pub fn plain(job: Job) -> Self {
        Self { job, key: None, slot: None }
    }
}

/// Inserts `rows` in order, taking FIFO sequences in that order, records their queues and notifies
/// listeners. Fails with the database error (a unique violation names the index).
pub(super) async fn insert_rows(conn: &mut PgConnection, rows: &[NewRow]) -> Result<(), sqlx::Error> {
    if rows.is_empty() {
        return Ok(());
    }
    let mut c = InsertColumns::default();
    for row in rows {
        c.push(row)?;
    }
    sqlx::query(INSERT_SQL)
        .bind(&c.id)
        .bind(&c.doc)
        .bind(&c.job_type)
        .bind(&c.queue)
        .bind(&c.priority)
        .bind(&c.timeout_ms)
        .bind(&c.visibility_timeout_ms)
        .bind(&c.expires_at)
        .bind(&c.workflow_id)
        .bind(&c.unique_key)
        .bind(&c.created_at)
        .bind(&c.state)
        .bind(&c.attempt)
        .bind(&c.enqueued_at)
        .bind(&c.started_at)
        .bind(&c.completed_at)
        .bind(&c.cancelled_at)
        .bind(&c.discarded_at)
        .bind(&c.run_at)
        .bind(&c.worker_id)
        .bind(&c.visible_until)
        .bind(&c.exec_deadline)
        .bind(&c.result)
        .bind(&c.error)
        .bind(&c.errors)
        .bind(&c.retry_delay_ms)
        .bind(&c.dead_letter)
        .bind(&c.slot)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
