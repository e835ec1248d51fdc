//! Reading script replies (`::redis::Value`) into the shapes the scripts document.

use super::codec::{decode, JobHash};
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

/// An `HGETALL` reply (flat field/value array) into a map.
pub fn hash(v: Value) -> BackendResult<JobHash> {
    let flat = items(v)?;
    let mut map = JobHash::with_capacity(flat.len() / 2);
    let mut it = flat.iter();
    while let (Some(k), Some(v)) = (it.next(), it.next()) {
        map.insert(text(k)?, text(v)?);
    }
    Ok(map)
}

pub fn job(v: Value) -> BackendResult<Job> {
    decode(&hash(v)?)
}

/// An `HGETALL` reply that may be empty (the job does not exist).
pub fn maybe_job(v: Value) -> BackendResult<Option<Job>> {
    let h = hash(v)?;
    if h.is_empty() {
        Ok(None)
    } else {
        decode(&h).map(Some)
    }
}

pub fn jobs(v: Value) -> BackendResult<Vec<Job>> {
    items(v)?.into_iter().map(job).collect()
}
