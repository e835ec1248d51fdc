//! How a `Job` maps onto a `jobs` row: the full job is written as a `json` document (text-preserving, so
//! `args` echo byte-exactly), and guarded updates derive the indexed and mutable columns from that document
//! in SQL (inserts bind the same columns directly, see `insert.rs`). Reads take the document and override
//! its mutable status with the columns, which claim, complete and heartbeat change in place.

use super::errors::internal;
use crate::backend::BackendResult;
use crate::model::job::{Job, JobState};
use crate::model::time::Timestamp;
use serde_json::Value;
use sqlx::postgres::PgRow;
use sqlx::Row;

/// The job document's fields as a record `r`: `json_to_record` parses each document once (extracting
/// every field with `->>` measured about four times slower). JSON-valued fields stay `json` text.
const DOC_RECORD: &str = "json_to_record({d}) AS r(id text, \"type\" text, queue text, priority integer, \
    timeout_ms bigint, visibility_timeout_ms bigint, expires_at_ts timestamptz, workflow json, unique_key text, \
    created_at timestamptz, state text, attempt integer, enqueued_at timestamptz, started_at timestamptz, \
    completed_at timestamptz, cancelled_at timestamptz, discarded_at timestamptz, run_at timestamptz, \
    worker_id text, visible_until timestamptz, exec_deadline timestamptz, result json, error json, errors json, \
    retry_delay_ms bigint, dead_letter boolean)";

/// Columns written from a job document, with the SQL that derives each from the record `r` (or `{d}`, the
/// document itself). `seq` and `unique_slot` are not part of the document and are set by each statement.
const DOC_COLUMNS: &[(&str, &str)] = &[
    ("doc", "{d}"),
    ("job_type", "r.\"type\""),
    ("queue", "r.queue"),
    ("priority", "r.priority"),
    ("timeout_ms", "r.timeout_ms"),
    ("visibility_timeout_ms", "r.visibility_timeout_ms"),
    ("expires_at", "r.expires_at_ts"),
    ("workflow_id", "r.workflow->>'id'"),
    ("unique_key", "r.unique_key"),
    ("created_at", "r.created_at"),
    ("state", "r.state"),
    ("attempt", "r.attempt"),
    ("enqueued_at", "r.enqueued_at"),
    ("started_at", "r.started_at"),
    ("completed_at", "r.completed_at"),
    ("cancelled_at", "r.cancelled_at"),
    ("discarded_at", "r.discarded_at"),
    ("run_at", "r.run_at"),
    ("worker_id", "r.worker_id"),
    ("visible_until", "r.visible_until"),
    ("exec_deadline", "r.exec_deadline"),
    ("result", "r.result"),
    ("error", "r.error"),
    ("errors", "r.errors"),
    ("retry_delay_ms", "r.retry_delay_ms"),
    ("dead_letter", "COALESCE(r.dead_letter, false)"),
];

/// `json_to_record(doc) AS r(…)`, for a `FROM … CROSS JOIN LATERAL` next to the document `doc`.
pub(super) fn doc_record(doc: &str) -> String {
    DOC_RECORD.replace("{d}", doc)
}

/// `col1 = expr1, …` replacing every document-derived column (for UPDATE … SET).
pub(super) fn doc_column_assignments(doc: &str) -> String {
    DOC_COLUMNS.iter().map(|(c, e)| format!("{c} = {}", e.replace("{d}", doc))).collect::<Vec<_>>().join(", ")
}

/// The select list every query that returns jobs uses (decoded by `job_from_row`).
pub(super) fn job_columns(alias: &str) -> String {
    let a = alias;
    format!(
        "{a}.doc::text AS doc, {a}.state, {a}.attempt, {a}.enqueued_at, {a}.started_at, {a}.completed_at, \
         {a}.cancelled_at, {a}.discarded_at, {a}.run_at, {a}.worker_id, {a}.visible_until, {a}.exec_deadline, \
         {a}.result::text AS result, {a}.error::text AS error, {a}.errors::text AS errors, \
         {a}.retry_delay_ms, {a}.dead_letter"
    )
}

/// Serializes the full job for a write.
pub(super) fn job_doc(job: &Job) -> BackendResult<String> {
    serde_json::to_string(job).map_err(|e| internal(format!("cannot serialize job {}: {e}", job.id)))
}

fn ts(row: &PgRow, col: &str) -> BackendResult<Option<Timestamp>> {
    row.try_get::<Option<Timestamp>, _>(col).map_err(|e| internal(format!("column {col}: {e}")))
}

/// A stored JSON value; JSON `null` reads as absent, as a serde round trip of the job would.
fn json(row: &PgRow, col: &str) -> BackendResult<Option<Value>> {
    let text: Option<String> = row.try_get(col).map_err(|e| internal(format!("column {col}: {e}")))?;
    match text {
        None => Ok(None),
        Some(t) => {
            let v: Value = serde_json::from_str(&t).map_err(|e| internal(format!("column {col}: {e}")))?;
            Ok(if v.is_null() { None } else { Some(v) })
        }
    }
}

pub(super) fn job_from_row(row: &PgRow) -> BackendResult<Job> {
    let get_err = |col: &str, e: sqlx::Error| internal(format!("column {col}: {e}"));
    let doc: String = row.try_get("doc").map_err(|e| get_err("doc", e))?;
    let mut job: Job = serde_json::from_str(&doc).map_err(|e| internal(format!("stored job is unreadable: {e}")))?;
    let state: String = row.try_get("state").map_err(|e| get_err("state", e))?;
    job.state = JobState::parse(&state).ok_or_else(|| internal(format!("unknown stored state {state}")))?;
    let attempt: i32 = row.try_get("attempt").map_err(|e| get_err("attempt", e))?;
    job.attempt = attempt.max(0) as u32;
    job.enqueued_at = ts(row, "enqueued_at")?;
    job.started_at = ts(row, "started_at")?;
    job.completed_at = ts(row, "completed_at")?;
    job.cancelled_at = ts(row, "cancelled_at")?;
    job.discarded_at = ts(row, "discarded_at")?;
    job.run_at = ts(row, "run_at")?;
    job.worker_id = row.try_get("worker_id").map_err(|e| get_err("worker_id", e))?;
    job.visible_until = ts(row, "visible_until")?;
    job.exec_deadline = ts(row, "exec_deadline")?;
    job.result = json(row, "result")?;
    job.error = json(row, "error")?;
    job.errors = match json(row, "errors")? {
        Some(Value::Array(items)) => items,
        _ => Vec::new(),
    };
    let delay: Option<i64> = row.try_get("retry_delay_ms").map_err(|e| get_err("retry_delay_ms", e))?;
    job.retry_delay_ms = delay.map(|d| d.max(0) as u64);
    job.dead_letter = row.try_get("dead_letter").map_err(|e| get_err("dead_letter", e))?;
    Ok(job)
}

/// Milliseconds as a Postgres `bigint` bind.
pub(super) fn ms(value: u64) -> i64 {
    value.min(i64::MAX as u64) as i64
}
