//! Reading script replies (`::redis::Value`) into the shapes the scripts document.

use super::codec::{decode_row, JOB_FIELDS};
use crate::backend::{BackendError, BackendResult};
use crate::model::job::Job;
use ::redis::Value;

pub fn bad(what: &str) -> BackendError {
    BackendError::Internal(format!("unexpected script reply: {what}"))
}

pub fn items(v: Value) -> BackendResult<Vec<Value>> {
    match v {
        Value::Array(items) => Ok(items),
        Value::Nil => Ok(Vec::new()),
        other => Err(bad(&format!("expected an array, got {other:?}"))),
    }
}

pub fn text(v: &Value) -> BackendResult<String> {
    match v {
        Value::BulkString(b) => String::from_utf8(b.clone()).map_err(|_| bad("non UTF-8 text")),
        Value::SimpleString(s) => Ok(s.clone()),
        Value::Int(i) => Ok(i.to_string()),
        Value::Okay => Ok("OK".into()),
        other => Err(bad(&format!("expected text, got {other:?}"))),
    }
}

pub fn int(v: &Value) -> BackendResult<i64> {
    match v {
        Value::Int(i) => Ok(*i),
        other => text(other)?.parse().map_err(|_| bad("expected an integer")),
    }
}

/// Queues the read of one job row (the `JOB_FIELDS`, as `read_job` in `scripts/common.lua` returns them).
pub fn read_job(pipe: &mut ::redis::Pipeline, key: &str) {
    pipe.cmd("HMGET").arg(key).arg(&JOB_FIELDS[..]);
}

/// A job row (`read_job` in `scripts/common.lua`: the `JOB_FIELDS` values, nil where absent); `None`
/// when the job does not exist.
pub fn maybe_job(v: Value) -> BackendResult<Option<Job>> {
    let values = items(v)?;
    let mut row: Vec<Option<&str>> = Vec::with_capacity(values.len());
    for value in &values {
        row.push(match value {
            Value::Nil => None,
            Value::BulkString(b) => Some(std::str::from_utf8(b).map_err(|_| bad("non UTF-8 job field"))?),
            Value::SimpleString(s) => Some(s.as_str()),
            other => return Err(bad(&format!("expected a job field, got {other:?}"))),
        });
    }
    decode_row(&row)
}

pub fn job(v: Value) -> BackendResult<Job> {
    maybe_job(v)?.ok_or_else(|| bad("a job that does not exist"))
}

pub fn jobs(v: Value) -> BackendResult<Vec<Job>> {
    items(v)?.into_iter().map(job).collect()
}
