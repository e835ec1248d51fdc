//! PUSH validation: turns a request object into a job ready to insert (INTEROP §2.1–2.2). Checks run in the
//! order real clients expect: type, args, id, then options (queue, priority, retry policy, …).

use crate::backend::{NewJob, RateLimit};
use crate::error::{OjsError, OjsResult};
use crate::level1_reliable::retry::{RetryPolicy, RetryPolicyError};
use crate::level4_advanced::{priority, rate_limit, unique::UniquePolicy};
use crate::model::job::{Job, JobState};
use crate::model::time::{parse_instant, parse_iso_duration_ms, Timestamp};
use regex::Regex;
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use std::sync::LazyLock;

static TYPE_RE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^[a-z][a-z0-9_-]*(\.[a-z][a-z0-9_-]*)*$").unwrap());
static QUEUE_RE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^[a-z0-9][a-z0-9\-\.]*$").unwrap());
static UUIDV7_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$").unwrap());

/// Top-level request keys that are not echoed as unknown fields.
const CONSUMED: &[&str] = &["type", "args", "id", "meta", "schema", "options", "specversion", "queue", "priority"];
/// System fields a client may not set (ignored, never echoed).
const SYSTEM: &[&str] = &[
    "state", "attempt", "created_at", "enqueued_at", "started_at", "completed_at", "cancelled_at", "discarded_at",
    "result", "error", "errors", "worker_id", "retry_delay_ms", "next_attempt_at", "parent_results", "workflow_id",
    "max_attempts", "retry", "unique", "tags", "timeout_ms", "scheduled_at", "expires_at", "visibility_timeout_ms",
];

pub fn is_valid_uuidv7(id: &str) -> bool {
    UUIDV7_RE.is_match(id)
}

pub fn validate_queue(queue: &str) -> OjsResult<()> {
    if queue.is_empty() || queue.len() > 128 || !QUEUE_RE.is_match(queue) {
        return Err(OjsError::invalid(format!(
            "queue '{queue}' is invalid: use 1-128 characters of lowercase letters, digits, '-' and '.', starting with a letter or digit"
        )));
    }
    Ok(())
}

pub fn new_job_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// A validated push: the job (with its unique claim) and any queue setting it carries.
#[derive(Debug)]
pub struct Push {
    pub new_job: NewJob,
    pub rate_limit: Option<(String, RateLimit)>,
}

/// Server-side defaults a push may need.
#[derive(Clone, Copy, Debug)]
pub struct PushDefaults {
    pub now: Timestamp,
}

/// Validates one job request. `args_raw` is the exact text of `args` when the body was parsed from bytes.
pub fn parse_push(obj: &Map<String, Value>, args_raw: Option<&RawValue>, defaults: PushDefaults) -> OjsResult<Push> {
    let now = defaults.now;
    let present = |k: &str| obj.get(k).filter(|v| !v.is_null());

    // 1. type
    let kind = match present("type") {
        None => return Err(OjsError::invalid("type is required")),
        Some(Value::String(s)) => s.clone(),
        Some(_) => return Err(OjsError::invalid("type must be a string")),
    };
    if kind.is_empty() {
        return Err(OjsError::invalid("type must not be empty"));
    }
    if kind.len() > 255 {
        return Err(OjsError::invalid("type must be at most 255 characters"));
    }
    if !TYPE_RE.is_match(&kind) {
        return Err(OjsError::invalid(format!(
            "type '{kind}' is invalid: use dot-separated segments of lowercase letters, digits, '_' and '-', each starting with a letter"
        )));
    }

    // 2. args
    let args: Box<RawValue> = match present("args") {
        None => return Err(OjsError::invalid("args is required and must be a JSON array")),
        Some(Value::Array(_)) => match args_raw {
            Some(raw) => raw.to_owned(),
            None => RawValue::from_string(obj["args"].to_string()).map_err(|e| OjsError::Internal(e.to_string()))?,
        },
        Some(_) => return Err(OjsError::invalid("args must be a JSON array")),
    };

    // 3. id
    let id = match obj.get("id") {
        None | Some(Value::Null) => new_job_id(),
        Some(Value::String(s)) if is_valid_uuidv7(s) => s.clone(),
        Some(other) => {
            return Err(OjsError::invalid(format!("id must be a lowercase UUIDv7 string, got {other}")));
        }
    };

    // 4. meta
    let mut meta = match present("meta") {
        None => None,
        Some(Value::Object(m)) => Some(m.clone()),
        Some(_) => return Err(OjsError::invalid("meta must be a JSON object")),
    };
    let schema = match present("schema") {
        None => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => return Err(OjsError::invalid("schema must be a string (a URI)")),
    };

    // 5. options (top-level envelope fields are accepted where the core envelope defines them)
    let empty = Map::new();
    let options = match present("options") {
        None => &empty,
        Some(Value::Object(o)) => o,
        Some(_) => return Err(OjsError::invalid("options must be a JSON object")),
    };
    let opt = |k: &str| options.get(k).filter(|v| !v.is_null());
    let opt_or_top = |k: &str| opt(k).or_else(|| present(k));

    let queue = match opt_or_top("queue") {
        None => "default".to_string(),
        Some(Value::String(q)) => q.clone(),
        Some(_) => return Err(OjsError::invalid("options.queue must be a string")),
    };
    validate_queue(&queue)?;

    let priority = match opt_or_top("priority") {
        None => 0,
        Some(v) => priority::parse(v).map_err(OjsError::invalid)?,
    };

    let mut retry = match opt("retry").or_else(|| opt("retry_policy")).or_else(|| present("retry")) {
        None => RetryPolicy::default(),
        Some(v) => RetryPolicy::parse(v).map_err(|e| match e {
            RetryPolicyError::Semantic(m) => OjsError::Validation(m),
            RetryPolicyError::Malformed(m) => OjsError::invalid(m),
        })?,
    };
    if let Some(v) = opt("max_attempts") {
        let n = v.as_i64().ok_or_else(|| OjsError::invalid("options.max_attempts must be an integer"))?;
        if n < 0 {
            return Err(OjsError::Validation(format!("max_attempts must be >= 0, got {n}")));
        }
        retry.max_attempts = n as u32;
    }

    let timeout_ms = match (opt("timeout_ms"), opt("timeout")) {
        (Some(v), _) => Some(v.as_u64().ok_or_else(|| OjsError::invalid("options.timeout_ms must be a non-negative integer"))?),
        (None, Some(v)) => Some(
            v.as_u64().map(|s| s * 1000).ok_or_else(|| OjsError::invalid("options.timeout must be a non-negative integer of seconds"))?,
        ),
        (None, None) => None,
    }
    .filter(|t| *t > 0);

    let visibility_timeout_ms = match (opt("visibility_timeout_ms"), opt("visibility_timeout")) {
        (Some(v), _) => Some(v.as_u64().filter(|n| *n > 0).ok_or_else(|| OjsError::invalid("options.visibility_timeout_ms must be a positive integer"))?),
        (None, Some(Value::String(s))) => {
            Some(parse_iso_duration_ms(s).map_err(|e| OjsError::invalid(format!("options.visibility_timeout: {e}")))?)
        }
        (None, Some(_)) => return Err(OjsError::invalid("options.visibility_timeout must be an ISO 8601 duration")),
        (None, None) => None,
    };

    let instant = |key: &str, v: &Value| -> OjsResult<(Timestamp, String)> {
        let text = v.as_str().ok_or_else(|| OjsError::invalid(format!("{key} must be an RFC 3339 timestamp or +duration")))?;
        parse_instant(text, now).map_err(|e| OjsError::invalid(format!("{key}: {e}")))
    };
    let scheduled = match opt_or_top("scheduled_at").map(|v| ("scheduled_at", v)).or_else(|| opt("delay_until").map(|v| ("delay_until", v))) {
        Some((key, v)) => Some(instant(key, v)?),
        None => None,
    };
    let expires = match opt_or_top("expires_at") {
        Some(v) => Some(instant("expires_at", v)?),
        None => None,
    };

    let tags = match opt_or_top("tags") {
        None => None,
        Some(v @ Value::Array(items)) if items.iter().all(Value::is_string) => Some(v.clone()),
        Some(_) => return Err(OjsError::invalid("options.tags must be an array of strings")),
    };

    match opt("metadata") {
        None => {}
        Some(Value::Object(extra)) => {
            let merged = meta.get_or_insert_with(Map::new);
            for (k, v) in extra {
                merged.insert(k.clone(), v.clone());
            }
        }
        Some(_) => return Err(OjsError::invalid("options.metadata must be a JSON object")),
    }

    let unique_value = opt_or_top("unique").cloned();
    let unique_policy = unique_value.as_ref().map(UniquePolicy::parse).transpose()?;

    let rate = opt("rate_limit").map(rate_limit::parse).transpose()?.map(|r| (queue.clone(), r));

    let pending = match opt("pending") {
        None => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => return Err(OjsError::invalid("options.pending must be a boolean")),
    };

    let mut extra = Map::new();
    for (k, v) in obj {
        if !CONSUMED.contains(&k.as_str()) && !SYSTEM.contains(&k.as_str()) {
            extra.insert(k.clone(), v.clone());
        }
    }

    let (state, run_at, enqueued_at) = match (&scheduled, pending) {
        (_, true) => (JobState::Pending, None, None),
        (Some((at, _)), false) if *at > now => (JobState::Scheduled, Some(*at), None),
        _ => (JobState::Available, None, Some(now)),
    };

    let args_value: Option<Value> = unique_policy.as_ref().map(|_| serde_json::from_str(args.get()).unwrap_or(Value::Null));
    if let (Some(p), Some(args)) = (&unique_policy, &args_value) {
        p.check_args(args)?;
    }
    let unique_claim = unique_policy.as_ref().map(|p| {
        let key = p.fingerprint(&kind, &queue, args_value.as_ref().unwrap_or(&Value::Null), meta.as_ref());
        p.claim(key)
    });

    let job = Job {
        id,
        kind,
        queue,
        args,
        meta,
        priority,
        max_attempts: retry.max_attempts,
        retry,
        timeout_ms,
        visibility_timeout_ms,
        scheduled_at: scheduled.map(|(_, text)| text),
        expires_at: expires.as_ref().map(|(_, text)| text.clone()),
        expires_at_ts: expires.map(|(t, _)| t),
        tags,
        unique: unique_value,
        unique_key: unique_claim.as_ref().map(|c| c.key.clone()),
        schema,
        extra,
        workflow: None,
        parent_results: None,
        created_at: now,
        state,
        attempt: 0,
        enqueued_at,
        started_at: None,
        completed_at: None,
        cancelled_at: None,
        discarded_at: None,
        run_at,
        worker_id: None,
        visible_until: None,
        exec_deadline: None,
        result: None,
        error: None,
        errors: Vec::new(),
        retry_delay_ms: None,
        dead_letter: false,
    };
    Ok(Push { new_job: NewJob { job, unique: unique_claim }, rate_limit: rate })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn push(v: Value) -> OjsResult<Push> {
        parse_push(v.as_object().unwrap(), None, PushDefaults { now: crate::model::time::now() })
    }

    #[test]
    fn type_rules() {
        for ok in ["email.send", "test.echo-hyphen", "a", "a_b.c-d"] {
            assert!(push(json!({"type": ok, "args": []})).is_ok(), "{ok}");
        }
        for bad in ["Email.Send", "email send", "1email.send", "", "email@send!", "INVALID_TYPE_FORMAT!!", "a..b"] {
            assert!(push(json!({"type": bad, "args": []})).is_err(), "{bad}");
        }
        assert!(push(json!({"args": []})).is_err());
    }

    #[test]
    fn args_must_be_an_array() {
        for bad in [json!(null), json!({}), json!("x"), json!(1), json!(true)] {
            assert!(push(json!({"type": "t", "args": bad})).is_err());
        }
    }

    #[test]
    fn ids_must_be_lowercase_uuidv7() {
        let v7 = uuid::Uuid::now_v7().to_string();
        assert!(push(json!({"type": "t", "args": [], "id": v7})).is_ok());
        assert!(push(json!({"type": "t", "args": [], "id": v7.to_uppercase()})).is_err());
        assert!(push(json!({"type": "t", "args": [], "id": uuid::Uuid::nil().to_string()})).is_err());
        assert!(push(json!({"type": "t", "args": [], "id": ""})).is_err());
    }

    #[test]
    fn options_flatten_and_metadata_merges() {
        let p = push(json!({"type": "t", "args": [], "meta": {"a": 1}, "custom": "kept", "state": "completed",
            "options": {"queue": "q1", "priority": 5, "metadata": {"b": 2}, "tags": ["x"]}}))
        .unwrap();
        let j = p.new_job.job;
        assert_eq!(j.queue, "q1");
        assert_eq!(j.priority, 5);
        assert_eq!(j.meta.unwrap().len(), 2);
        assert_eq!(j.extra.get("custom"), Some(&json!("kept")));
        assert!(!j.extra.contains_key("state"));
        assert_eq!(j.state, JobState::Available);
    }

    #[test]
    fn retry_errors_map_to_422_or_400() {
        let e = push(json!({"type": "t", "args": [], "options": {"retry": {"max_attempts": -1}}})).unwrap_err();
        assert_eq!(e.code(), "validation_error");
        let e = push(json!({"type": "t", "args": [], "options": {"retry": {"initial_interval": "nope"}}})).unwrap_err();
        assert_eq!(e.code(), "invalid_request");
    }

    #[test]
    fn future_schedule_and_pending() {
        let p = push(json!({"type": "t", "args": [], "options": {"scheduled_at": "2099-12-31T23:59:59Z"}})).unwrap();
        assert_eq!(p.new_job.job.state, JobState::Scheduled);
        assert_eq!(p.new_job.job.scheduled_at.as_deref(), Some("2099-12-31T23:59:59Z"));
        let p = push(json!({"type": "t", "args": [], "options": {"scheduled_at": "2000-01-01T00:00:00Z"}})).unwrap();
        assert_eq!(p.new_job.job.state, JobState::Available);
        let p = push(json!({"type": "t", "args": [], "options": {"pending": true}})).unwrap();
        assert_eq!(p.new_job.job.state, JobState::Pending);
    }
}
