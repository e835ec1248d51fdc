//! `POST /ojs/v1/workers/nack` (INTEROP §4.2).

use crate::error::{OjsError, OjsResult};
use crate::http::{RawBody, Reply};
use crate::level0_core::events::job_event;
use crate::level0_core::handlers::job_id_field;
use crate::level0_core::transition;
use crate::level1_reliable::failure::{self, Failure};
use crate::model::job::{Job, JobState};
use crate::model::time::{format_ts, now, Timestamp};
use crate::server::App;
use axum::extract::State;
use serde_json::{json, Value};

pub async fn nack(State(app): State<App>, body: RawBody) -> OjsResult<Reply> {
    let obj = body.object()?;
    let id = job_id_field(&obj)?;
    let requeue = obj.get("requeue").and_then(Value::as_bool).unwrap_or(false);
    let reported = Failure::from_wire(obj.get("error"));
    let now = now();
    for _ in 0..5 {
        let job = app.backend.get(&id).await?.ok_or_else(|| OjsError::not_found("job", &id))?;
        if job.state != JobState::Active {
            return Err(OjsError::wrong_state(&id, job.state.as_str(), "nack", Some("active")));
        }
        let next = if requeue { failure::requeue(&job, now) } else { failure::fail(&job, &reported, now, rand::random()) };
        if let Some(applied) = transition::apply(&app, &job, next, now).await? {
            emit_failure_events(&app, &applied, requeue, now);
            return Ok(Reply::ok(nack_body(&applied, job.attempt)));
        }
    }
    Err(OjsError::Internal("job kept changing while failing it; retry".into()))
}

/// Events of a failed attempt (shared with the execution-timeout path).
pub fn emit_failure_events(app: &App, job: &Job, requeued: bool, now: Timestamp) {
    if requeued {
        app.events.emit(vec![job_event("job.requeued", job, now, json!({}))]);
        return;
    }
    let error = job.error.clone().unwrap_or(Value::Null);
    let mut events = vec![job_event("job.failed", job, now, json!({"error": error}))];
    match job.state {
        JobState::Retryable => events.push(job_event(
            "job.retrying",
            job,
            now,
            json!({"retry_delay_ms": job.retry_delay_ms, "next_attempt_at": job.run_at.map(format_ts)}),
        )),
        JobState::Discarded => events.push(job_event("job.discarded", job, now, json!({"dead_letter": job.dead_letter}))),
        _ => {}
    }
    app.events.emit(events);
}

fn nack_body(job: &Job, failed_attempt: u32) -> Value {
    let mut body = json!({
        "id": job.id,
        "job_id": job.id,
        "state": job.state.as_str(),
        "attempt": failed_attempt,
        "max_attempts": job.max_attempts,
    });
    match job.state {
        JobState::Retryable => {
            body["next_attempt_at"] = job.run_at.map(format_ts).into();
            body["retry_delay_ms"] = job.retry_delay_ms.into();
        }
        JobState::Discarded => {
            body["discarded_at"] = job.discarded_at.map(format_ts).into();
            body["completed_at"] = job.completed_at.map(format_ts).into();
            body["dead_letter"] = job.dead_letter.into();
        }
        _ => {}
    }
    body["job"] = job.to_envelope();
    body
}
