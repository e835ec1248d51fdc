//! Snapshot tests of wire shapes clients parse: the error body and the job envelope.

use crate::error::OjsError;
use crate::level0_core::envelope::{parse_push, PushDefaults};
use crate::model::job::JobState;
use crate::model::time::parse_rfc3339;
use serde_json::json;

fn fixed_job() -> crate::model::job::Job {
    let now = parse_rfc3339("2026-02-12T10:30:00.123Z").unwrap();
    let body = json!({
        "type": "email.send", "args": ["ada@example.com", 2.5], "id": "019c5b1a-0000-7000-8000-000000000001",
        "meta": {"trace_id": "t-1"}, "custom_field": {"kept": true},
        "options": {"queue": "email", "priority": 5, "tags": ["a"], "timeout_ms": 5000,
                    "retry": {"max_attempts": 5, "initial_interval": "PT2S", "jitter": false}}
    });
    let mut job = parse_push(body.as_object().unwrap(), None, PushDefaults { now }).unwrap().new_job.job;
    job.state = JobState::Active;
    job.attempt = 1;
    job.started_at = Some(now);
    job.worker_id = Some("w-1".into());
    job
}

#[test]
fn job_envelope() {
    insta::assert_json_snapshot!(fixed_job().to_envelope());
}

#[test]
fn error_bodies() {
    let errors = [
        OjsError::invalid("type is required"),
        OjsError::Validation("retry.max_attempts must be >= 0, got -1".into()),
        OjsError::not_found("job", "019c5b1a-0000-7000-8000-000000000001"),
        OjsError::wrong_state("019c5b1a-0000-7000-8000-000000000001", "completed", "ack", Some("active")),
    ];
    let bodies: Vec<_> = errors.iter().map(|e| json!({"status": e.status().as_u16(), "body": e.body("req_test")})).collect();
    insta::assert_json_snapshot!(bodies);
}
