//! Job <-> Redis hash. The immutable part of a job is one JSON string (`imm`) that Lua never decodes, so
//! `args` echo byte-exactly; the mutable status is one hash field per value (timestamps in ms, JSON
//! values as JSON text) that scripts read and write directly.

use crate::backend::{BackendError, BackendResult};
use crate::model::job::{Job, JobState};
use crate::model::time::{format_ts, Timestamp};
use chrono::DateTime;
use serde_json::value::RawValue;
use serde_json::Value;
use std::collections::BTreeMap;

/// Job fields that live in their own hash fields instead of `imm`.
const STATUS_FIELDS: [&str; 16] = [
    "state",
    "attempt",
    "enqueued_at",
    "started_at",
    "completed_at",
    "cancelled_at",
    "discarded_at",
    "run_at",
    "worker_id",
    "visible_until",
    "exec_deadline",
    "result",
    "error",
    "errors",
    "retry_delay_ms",
    "dead_letter",
];

/// A stored job as read back from Redis (`HGETALL`).
#[cfg(test)]
pub type JobHash = std::collections::HashMap<String, String>;

pub fn ms(ts: Timestamp) -> i64 {
    ts.timestamp_millis()
}

fn from_ms(text: &str) -> BackendResult<Timestamp> {
    text.parse::<i64>()
        .ok()
        .and_then(DateTime::from_timestamp_millis)
        .ok_or_else(|| BackendError::Internal(format!("bad stored timestamp {text:?}")))
}

/// Ready-order prefix: priority descending as 8 fixed-width hex digits (lexicographic = numeric).
pub fn priority_key(priority: i32) -> String {
    format!("{:08x}", (i32::MAX as i64 - priority as i64) as u64)
}

/// The index score a job gets in its state's index: due time, lease deadline, or terminal time.
pub fn index_score(job: &Job, now: Timestamp) -> String {
    let at = match job.state {
        JobState::Scheduled | JobState::Retryable => job.run_at,
        JobState::Active => match job.lease_deadline() {
            Some(t) => Some(t),
            None => return "+inf".into(),
        },
        JobState::Completed => job.completed_at,
        JobState::Cancelled => job.cancelled_at,
        JobState::Discarded => job.discarded_at,
        JobState::Available | JobState::Pending => None,
    };
    ms(at.unwrap_or(now)).to_string()
}

/// The hash fields of a job (everything but the script-managed `uk` and `rk`).
pub fn encode(job: &Job) -> BackendResult<Vec<(&'static str, String)>> {
    let internal = |e: serde_json::Error| BackendError::Internal(format!("encoding job {}: {e}", job.id));
    // Round-trip through raw values so every immutable value keeps its exact bytes.
    let text = serde_json::to_string(job).map_err(internal)?;
    let mut all: BTreeMap<String, Box<RawValue>> = serde_json::from_str(&text).map_err(internal)?;
    for f in STATUS_FIELDS {
        all.remove(f);
    }
    let imm = serde_json::to_string(&all).map_err(internal)?;

    let mut out: Vec<(&'static str, String)> = Vec::with_capacity(24);
    out.push(("imm", imm));
    out.push(("cr", ms(job.created_at).to_string()));
    out.push(("pk", priority_key(job.priority)));
    if let Some(t) = job.timeout_ms {
        out.push(("tmo", t.to_string()));
    }
    if let Some(t) = job.visibility_timeout_ms {
        out.push(("vto", t.to_string()));
    }
    if let Some(t) = job.expires_at_ts {
        out.push(("exp", ms(t).to_string()));
    }
    if job.workflow.is_some() {
        out.push(("wf", "1".into()));
    }
    out.push(("state", job.state.as_str().into()));
    out.push(("attempt", job.attempt.to_string()));
    let times = [
        ("enq", job.enqueued_at),
        ("start", job.started_at),
        ("done", job.completed_at),
        ("canc", job.cancelled_at),
        ("disc", job.discarded_at),
        ("run", job.run_at),
        ("vis", job.visible_until),
        ("exec", job.exec_deadline),
    ];
    for (field, value) in times {
        if let Some(t) = value {
            out.push((field, ms(t).to_string()));
        }
    }
    if let Some(w) = &job.worker_id {
        out.push(("worker", w.clone()));
    }
    if let Some(r) = &job.result {
        out.push(("result", r.to_string()));
    }
    if let Some(e) = &job.error {
        out.push(("error", e.to_string()));
    }
    if !job.errors.is_empty() {
        out.push(("errors", Value::Array(job.errors.clone()).to_string()));
    }
    if let Some(d) = job.retry_delay_ms {
        out.push(("rdelay", d.to_string()));
    }
    if job.dead_letter {
        out.push(("dl", "1".into()));
    }
    Ok(out)
}

/// The job as `decode` would read it back after `encode`: status times are stored in whole
/// milliseconds, JSON status values as text (which round-trips unchanged). Lets writers skip reading back
/// a job they just wrote.
pub fn as_stored(job: &Job) -> Job {
    let mut out = job.clone();
    for t in [
        &mut out.enqueued_at,
        &mut out.started_at,
        &mut out.completed_at,
        &mut out.cancelled_at,
        &mut out.discarded_at,
        &mut out.run_at,
        &mut out.visible_until,
        &mut out.exec_deadline,
    ] {
        *t = t.and_then(|ts| DateTime::from_timestamp_millis(ms(ts)));
    }
    out
}

/// The hash fields a job is rebuilt from, in the order every script returns them (`read_job` in
/// `scripts/common.lua` lists the same names): one `HMGET` row instead of an `HGETALL` map.
pub const JOB_FIELDS: [&str; 17] = [
    "imm", "state", "attempt", "enq", "start", "done", "canc", "disc", "run", "vis", "exec", "worker", "result",
    "error", "errors", "rdelay", "dl",
];

/// Rebuilds a job from an `HGETALL` map.
#[cfg(test)]
pub fn decode(hash: &JobHash) -> BackendResult<Job> {
    decode_with(|field| hash.get(field).map(String::as_str))
}

/// Rebuilds a job from a `JOB_FIELDS` row; `None` when the job does not exist (no `imm`).
pub fn decode_row(row: &[Option<&str>]) -> BackendResult<Option<Job>> {
    if row.len() != JOB_FIELDS.len() {
        return Err(BackendError::Internal(format!("job row has {} values, expected {}", row.len(), JOB_FIELDS.len())));
    }
    if row[0].is_none() {
        return Ok(None);
    }
    decode_with(|field| JOB_FIELDS.iter().position(|f| *f == field).and_then(|i| row[i])).map(Some)
}

/// Rebuilds a job: the status fields are appended as JSON text to the stored `imm` object and the whole
/// text is deserialized once, so `args` stays the stored bytes. Stored JSON values (`result`, `error`,
/// `errors`) are written by `encode` as JSON text and pasted as they are (the final parse checks them).
fn decode_with<'a>(get: impl Fn(&str) -> Option<&'a str>) -> BackendResult<Job> {
    let bad = |what: &str| BackendError::Internal(format!("stored job is missing {what}"));
    let imm = get("imm").ok_or_else(|| bad("imm"))?;
    let body = imm.trim_end().strip_suffix('}').ok_or_else(|| bad("a JSON object in imm"))?;
    let mut text = String::with_capacity(imm.len() + 320);
    text.push_str(body);
    let mut first = body.trim_end().ends_with('{');
    let mut key = |text: &mut String, name: &str| {
        text.push_str(if first { "\"" } else { ",\"" });
        first = false;
        text.push_str(name);
        text.push_str("\":");
    };
    let state = get("state").and_then(JobState::parse).ok_or_else(|| bad("state"))?;
    key(&mut text, "state");
    text.push('"');
    text.push_str(state.as_str());
    text.push('"');
    let attempt: u64 = get("attempt").and_then(|a| a.parse().ok()).unwrap_or(0);
    key(&mut text, "attempt");
    text.push_str(&attempt.to_string());
    let times = [
        ("enq", "enqueued_at"),
        ("start", "started_at"),
        ("done", "completed_at"),
        ("canc", "cancelled_at"),
        ("disc", "discarded_at"),
        ("run", "run_at"),
        ("vis", "visible_until"),
        ("exec", "exec_deadline"),
    ];
    for (field, name) in times {
        if let Some(v) = get(field) {
            key(&mut text, name);
            text.push('"');
            text.push_str(&format_ts(from_ms(v)?));
            text.push('"');
        }
    }
    if let Some(w) = get("worker") {
        key(&mut text, "worker_id");
        text.push_str(&Value::from(w).to_string());
    }
    for (field, name) in [("result", "result"), ("error", "error"), ("errors", "errors")] {
        if let Some(json) = get(field) {
            key(&mut text, name);
            text.push_str(json);
        }
    }
    if let Some(d) = get("rdelay").and_then(|d| d.parse::<u64>().ok()) {
        key(&mut text, "retry_delay_ms");
        text.push_str(&d.to_string());
    }
    key(&mut text, "dead_letter");
    text.push_str(if get("dl") == Some("1") { "true" } else { "false" });
    text.push('}');
    serde_json::from_str(&text).map_err(|e| BackendError::Internal(format!("stored job does not decode: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::time::parse_rfc3339;

    fn sample() -> Job {
        let retry = serde_json::to_string(&crate::level1_reliable::retry::RetryPolicy::default()).unwrap();
        let text = format!(
            r#"{{"id":"j1","type":"email.send","queue":"default","args":[3.14,1e2,{{"b":1,"a":2}}],
            "priority":5,"max_attempts":3,"retry":{retry},
            "created_at":"2026-01-01T00:00:00.123Z","state":"active","attempt":2,
            "started_at":"2026-01-01T00:00:01.000Z","worker_id":"w1","error":{{"code":"x"}},
            "errors":[{{"code":"x"}}],"retry_delay_ms":1000}}"#
        );
        serde_json::from_str::<Job>(&text).unwrap()
    }

    #[test]
    fn round_trip_keeps_args_bytes_and_status() {
        let job = sample();
        let hash: JobHash = encode(&job).unwrap().into_iter().map(|(k, v)| (k.to_string(), v)).collect();
        assert!(!hash["imm"].contains("\"state\""), "status must not be inside imm");
        let back = decode(&hash).unwrap();
        assert_eq!(back.args.get(), r#"[3.14,1e2,{"b":1,"a":2}]"#);
        assert_eq!(back.state, JobState::Active);
        assert_eq!(back.attempt, 2);
        assert_eq!(back.started_at, parse_rfc3339("2026-01-01T00:00:01Z"));
        assert_eq!(back.created_at, job.created_at);
        assert_eq!(back.worker_id.as_deref(), Some("w1"));
        assert_eq!(back.errors.len(), 1);
        assert_eq!(back.retry_delay_ms, Some(1000));
        assert_eq!(serde_json::to_value(&back).unwrap(), serde_json::to_value(&job).unwrap());
    }

    #[test]
    fn as_stored_matches_what_decode_reads_back() {
        let mut job = sample();
        let precise = parse_rfc3339("2026-01-01T00:00:01.123456789Z").unwrap();
        job.started_at = Some(precise);
        job.visible_until = Some(precise);
        job.result = Some(serde_json::json!({"n": 1.5, "list": [1, "a", null]}));
        let hash: JobHash = encode(&job).unwrap().into_iter().map(|(k, v)| (k.to_string(), v)).collect();
        let back = decode(&hash).unwrap();
        let stored = as_stored(&job);
        assert_eq!(stored.started_at, parse_rfc3339("2026-01-01T00:00:01.123Z"));
        assert_eq!(serde_json::to_value(&stored).unwrap(), serde_json::to_value(&back).unwrap());
    }

    #[test]
    fn priority_keys_sort_high_priority_first() {
        let keys: Vec<String> = [100, 10, 0, -10, -100, i32::MAX, i32::MIN].iter().map(|p| priority_key(*p)).collect();
        assert!(keys[5] < keys[0] && keys[0] < keys[1] && keys[1] < keys[2] && keys[2] < keys[3]);
        assert!(keys[3] < keys[4] && keys[4] < keys[6]);
        assert!(keys.iter().all(|k| k.len() == 8));
    }
}
