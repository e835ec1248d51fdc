//! Queue endpoints: list, stats, pause, resume; and job activation (`pending → available`).

use crate::backend::{Guard, JobUpdate, UpdateOutcome};
use crate::error::{OjsError, OjsResult};
use crate::http::{RawBody, Reply};
use crate::level0_core::envelope::validate_queue;
use crate::level0_core::events::{job_event, other_event};
use crate::model::job::JobState;
use crate::model::time::{format_ts, now};
use crate::server::App;
use axum::extract::{Path, State};
use serde_json::json;

pub async fn list(State(app): State<App>) -> OjsResult<Reply> {
    let queues = app.backend.list_queues().await?;
    let total = queues.len();
    let items: Vec<_> = queues
        .iter()
        .map(|q| json!({"name": q.name, "status": if q.paused { "paused" } else { "active" }, "paused": q.paused}))
        .collect();
    Ok(Reply::ok(json!({"queues": items, "pagination": {"total": total, "limit": total.max(50), "offset": 0, "has_more": false}})))
}

pub async fn stats(State(app): State<App>, Path(name): Path<String>) -> OjsResult<Reply> {
    validate_queue(&name)?;
    let now = now();
    let s = app.backend.stats(&name, now).await?;
    let total = s.available + s.active + s.scheduled + s.retryable + s.pending + s.completed + s.discarded + s.cancelled;
    Ok(Reply::ok(json!({
        "queue": {
            "name": s.name, "paused": s.paused, "status": if s.paused { "paused" } else { "active" },
            "available": s.available, "active": s.active, "scheduled": s.scheduled, "retryable": s.retryable,
            "pending": s.pending, "completed": s.completed, "discarded": s.discarded, "cancelled": s.cancelled,
            "dead": s.dead, "total": total,
            "throughput": {"completed_last_minute": s.completed_last_minute, "completed_per_second": s.completed_last_minute as f64 / 60.0},
        },
        "computed_at": format_ts(now),
    })))
}

async fn set_paused(app: &App, name: &str, body: RawBody, paused: bool) -> OjsResult<Reply> {
    validate_queue(name)?;
    body.object_or_empty()?;
    app.backend.set_paused(name, paused).await?;
    let now = now();
    let kind = if paused { "queue.paused" } else { "queue.resumed" };
    app.events.emit(vec![other_event(kind, name, Some(name), now, json!({"queue": name}))]);
    let stamp = if paused { "paused_at" } else { "resumed_at" };
    Ok(Reply::ok(json!({"queue": {"name": name, "paused": paused, "status": if paused { "paused" } else { "active" }, stamp: format_ts(now)}})))
}

pub async fn pause(State(app): State<App>, Path(name): Path<String>, body: RawBody) -> OjsResult<Reply> {
    set_paused(&app, &name, body, true).await
}

pub async fn resume(State(app): State<App>, Path(name): Path<String>, body: RawBody) -> OjsResult<Reply> {
    set_paused(&app, &name, body, false).await
}

pub async fn activate(State(app): State<App>, Path(id): Path<String>, body: RawBody) -> OjsResult<Reply> {
    body.object_or_empty()?;
    let job = app.backend.get(&id).await?.ok_or_else(|| OjsError::not_found("job", &id))?;
    if job.state != JobState::Pending {
        return Err(OjsError::wrong_state(&id, job.state.as_str(), "activate", Some("pending")));
    }
    let now = now();
    let next = crate::level0_core::state::make_available(job, now);
    match app.backend.update_each(vec![JobUpdate { guard: Guard::state(JobState::Pending), job: next }]).await?.pop() {
        Some(UpdateOutcome::Applied(job)) => {
            app.events.emit(vec![job_event("job.enqueued", &job, now, json!({"activated": true}))]);
            Ok(Reply::ok(json!({"job": job.to_envelope()})))
        }
        Some(UpdateOutcome::Conflict(s)) => Err(OjsError::wrong_state(&id, s.as_str(), "activate", Some("pending"))),
        _ => Err(OjsError::not_found("job", &id)),
    }
}
