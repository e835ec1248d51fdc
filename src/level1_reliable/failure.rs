//! What happens to an `active` job when an attempt fails (NACK, execution timeout) or its lease lapses.
//! Pure functions: the caller applies the result with a guarded write.

use crate::level1_reliable::retry::OnExhaustion;
use crate::model::job::{Job, JobState};
use crate::model::time::{add_ms, format_ts, Timestamp};
use serde_json::{json, Map, Value};

/// A reported failure, normalised from the NACK body (object, bare string, or missing).
#[derive(Clone, Debug, Default)]
pub struct Failure {
    pub code: Option<String>,
    pub kind: Option<String>,
    pub message: String,
    pub retryable: Option<bool>,
    pub details: Option<Value>,
    /// Extra fields recorded on the error object (e.g. `timeout_kind`).
    pub extra: Map<String, Value>,
}

impl Failure {
    pub fn from_wire(error: Option<&Value>) -> Self {
        match error {
            Some(Value::Object(e)) => Failure {
                code: e.get("code").and_then(Value::as_str).map(str::to_string),
                kind: e.get("type").and_then(Value::as_str).map(str::to_string),
                message: e.get("message").and_then(Value::as_str).unwrap_or("").to_string(),
                retryable: e.get("retryable").and_then(Value::as_bool),
                details: e.get("details").filter(|d| !d.is_null()).cloned(),
                extra: Map::new(),
            },
            Some(Value::String(message)) => Failure { message: message.clone(), ..Default::default() },
            _ => Failure { message: "job failed".into(), ..Default::default() },
        }
    }

    pub fn timeout(timeout_ms: u64) -> Self {
        let mut extra = Map::new();
        extra.insert("timeout_kind".into(), "execution".into());
        Failure {
            code: Some("timeout".into()),
            kind: Some("timeout".into()),
            message: format!("job exceeded its execution timeout of {timeout_ms} ms"),
            retryable: None,
            details: None,
            extra,
        }
    }

    fn error_class(&self) -> Option<&str> {
        self.details.as_ref()?.get("error_class")?.as_str()
    }

    /// The error object stored on the job and appended to its history.
    pub fn record(&self, attempt: u32, now: Timestamp) -> Value {
        let code = self.code.clone().or_else(|| self.kind.clone()).unwrap_or_else(|| "handler_error".into());
        let mut e = Map::new();
        e.insert("code".into(), code.clone().into());
        e.insert("type".into(), self.kind.clone().unwrap_or(code).into());
        e.insert("message".into(), self.message.clone().into());
        if let Some(r) = self.retryable {
            e.insert("retryable".into(), r.into());
        }
        if let Some(d) = &self.details {
            e.insert("details".into(), d.clone());
        }
        e.extend(self.extra.clone());
        e.insert("attempt".into(), attempt.into());
        e.insert("occurred_at".into(), format_ts(now).into());
        e.insert("timestamp".into(), format_ts(now).into());
        Value::Object(e)
    }
}

/// Error history kept on a job (the newest entries win when it grows long).
const MAX_HISTORY: usize = 50;

fn push_history(job: &mut Job, record: Value) {
    job.errors.push(record);
    if job.errors.len() > MAX_HISTORY {
        let excess = job.errors.len() - MAX_HISTORY;
        job.errors.drain(..excess);
    }
}

fn clear_lease(job: &mut Job) {
    job.worker_id = None;
    job.visible_until = None;
    job.exec_deadline = None;
}

/// Failed attempt of an `active` job: `retryable` with backoff, or `discarded` (dead-lettered when the policy
/// says so). `unit` is a uniform random number in [0, 1) for jitter.
pub fn fail(job: &Job, failure: &Failure, now: Timestamp, unit: f64) -> Job {
    let mut next = job.clone();
    let record = failure.record(job.attempt, now);
    next.error = Some(record.clone());
    push_history(&mut next, record);
    clear_lease(&mut next);
    let candidates: Vec<&str> = [failure.kind.as_deref(), failure.code.as_deref(), failure.error_class()].into_iter().flatten().collect();
    let handler_says_dead_letter = failure.code.as_deref() == Some("DEAD_LETTER");
    let non_retryable = failure.retryable == Some(false)
        || job.retry.is_non_retryable(&candidates)
        || matches!(failure.code.as_deref(), Some("DISCARD" | "FAIL" | "DEAD_LETTER"));
    if non_retryable || job.attempt >= job.max_attempts {
        next.state = JobState::Discarded;
        next.completed_at = Some(now);
        next.discarded_at = Some(now);
        next.run_at = None;
        next.dead_letter = job.retry.on_exhaustion == OnExhaustion::DeadLetter || handler_says_dead_letter;
    } else {
        let delay = job.retry.delay_ms(job.attempt, unit);
        next.state = JobState::Retryable;
        next.retry_delay_ms = Some(delay);
        next.run_at = Some(add_ms(now, delay));
    }
    next
}

/// NACK with `requeue: true`: straight back to `available`, attempt kept (the next fetch increments it).
pub fn requeue(job: &Job, now: Timestamp) -> Job {
    crate::level0_core::state::make_available(job.clone(), now)
}

/// The lease of an `active` job lapsed: an execution timeout counts as a failed attempt; a visibility
/// timeout returns the job to `available` (or discards it when its attempts are used up).
pub fn lease_expired(job: &Job, now: Timestamp, unit: f64) -> Job {
    if let (Some(deadline), Some(timeout_ms)) = (job.exec_deadline, job.timeout_ms) {
        if deadline <= now {
            return fail(job, &Failure::timeout(timeout_ms), now, unit);
        }
    }
    let record = json!({
        "code": "visibility_timeout", "type": "visibility_timeout",
        "message": "the worker neither acknowledged nor failed the job before its visibility timeout",
        "attempt": job.attempt, "occurred_at": format_ts(now), "timestamp": format_ts(now),
    });
    if job.attempt >= job.max_attempts {
        let mut next = job.clone();
        next.error = Some(record.clone());
        push_history(&mut next, record);
        clear_lease(&mut next);
        next.state = JobState::Discarded;
        next.discarded_at = Some(now);
        next.dead_letter = job.retry.on_exhaustion == OnExhaustion::DeadLetter;
        return next;
    }
    let mut next = crate::level0_core::state::make_available(job.clone(), now);
    next.started_at = None;
    push_history(&mut next, record);
    next
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::level0_core::envelope::{parse_push, PushDefaults};

    fn active_job(options: Value) -> Job {
        let now = crate::model::time::now();
        let body = json!({"type": "t", "args": [], "options": options});
        let mut job = parse_push(body.as_object().unwrap(), None, PushDefaults { now }).unwrap().new_job.job;
        job.state = JobState::Active;
        job.attempt = 1;
        job.started_at = Some(now);
        job
    }

    #[test]
    fn retryable_failure_backs_off() {
        let job = active_job(json!({"retry": {"jitter": false}}));
        let now = crate::model::time::now();
        let next = fail(&job, &Failure::from_wire(Some(&json!({"code": "boom", "message": "x"}))), now, 0.0);
        assert_eq!(next.state, JobState::Retryable);
        assert_eq!(next.retry_delay_ms, Some(1000));
        assert_eq!(next.errors.len(), 1);
        assert_eq!(next.errors[0]["attempt"], 1);
        assert!(next.completed_at.is_none());
    }

    #[test]
    fn exhausted_or_non_retryable_discards() {
        let now = crate::model::time::now();
        let mut job = active_job(json!({"retry": {"max_attempts": 3, "on_exhaustion": "dead_letter"}}));
        job.attempt = 3;
        let next = fail(&job, &Failure::from_wire(None), now, 0.5);
        assert_eq!(next.state, JobState::Discarded);
        assert!(next.dead_letter && next.completed_at.is_some());

        let job = active_job(json!({}));
        let next = fail(&job, &Failure::from_wire(Some(&json!({"message": "no", "retryable": false}))), now, 0.5);
        assert_eq!(next.state, JobState::Discarded);
        assert!(!next.dead_letter);

        let job = active_job(json!({"retry": {"non_retryable_errors": ["Auth.*"]}}));
        let e = json!({"code": "handler_error", "message": "x", "details": {"error_class": "Auth.Expired"}});
        assert_eq!(fail(&job, &Failure::from_wire(Some(&e)), now, 0.5).state, JobState::Discarded);
    }

    #[test]
    fn visibility_lapse_requeues_until_attempts_run_out() {
        let now = crate::model::time::now();
        let mut job = active_job(json!({}));
        job.visible_until = Some(now);
        let next = lease_expired(&job, now, 0.5);
        assert_eq!(next.state, JobState::Available);
        assert!(next.started_at.is_none());
        job.attempt = 3;
        assert_eq!(lease_expired(&job, now, 0.5).state, JobState::Discarded);
    }

    #[test]
    fn execution_timeout_is_a_failed_attempt() {
        let now = crate::model::time::now();
        let mut job = active_job(json!({"timeout_ms": 100}));
        job.exec_deadline = Some(now);
        let next = lease_expired(&job, now, 0.5);
        assert_eq!(next.state, JobState::Retryable);
        assert_eq!(next.error.as_ref().unwrap()["type"], "timeout");
    }
}
