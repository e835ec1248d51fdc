//! Dead letter: list, retry, delete.

use crate::backend::{Guard, JobUpdate, UpdateOutcome};
use crate::error::{OjsError, OjsResult};
use crate::http::{query, RawBody, Reply};
use crate::level0_core::events::job_event;
use crate::model::job::{Job, JobState};
use crate::model::time::now;
use crate::server::App;
use axum::extract::{Path, RawQuery, State};
use serde_json::json;

pub async fn list(State(app): State<App>, RawQuery(q): RawQuery) -> OjsResult<Reply> {
    let params = query::parse(q.as_deref());
    let number = |key: &str, default: usize| -> OjsResult<usize> {
        params.get(key).map_or(Ok(default), |v| v.parse().map_err(|_| OjsError::invalid(format!("{key} must be a non-negative integer"))))
    };
    let limit = number("limit", 50)?.clamp(1, 1000);
    let offset = number("offset", 0)?;
    let page = app.backend.dead_letter_list(params.get("queue").map(String::as_str), limit, offset).await?;
    let has_more = (offset + page.jobs.len()) < page.total as usize;
    Ok(Reply::ok(json!({
        "jobs": page.jobs.iter().map(Job::to_envelope).collect::<Vec<_>>(),
        "pagination": {"total": page.total, "limit": limit, "offset": offset, "has_more": has_more},
    })))
}

pub async fn retry(State(app): State<App>, Path(id): Path<String>, body: RawBody) -> OjsResult<Reply> {
    body.object_or_empty()?;
    let job = app.backend.get(&id).await?.filter(|j| j.dead_letter).ok_or_else(|| OjsError::not_found("dead-letter job", &id))?;
    let now = now();
    let mut revived = crate::level0_core::state::make_available(job.clone(), now);
    revived.attempt = 0;
    revived.dead_letter = false;
    revived.error = None;
    revived.completed_at = None;
    revived.discarded_at = None;
    revived.started_at = None;
    revived.retry_delay_ms = None;
    let update = JobUpdate { guard: Guard::state(JobState::Discarded), job: revived };
    match app.backend.update_each(vec![update]).await?.pop() {
        Some(UpdateOutcome::Applied(job)) => {
            app.events.emit(vec![job_event("job.enqueued", &job, now, json!({"from_dead_letter": true}))]);
            Ok(Reply::ok(json!({"job": job.to_envelope()})))
        }
        Some(UpdateOutcome::Conflict(s)) => Err(OjsError::wrong_state(&id, s.as_str(), "retry from the dead letter queue", Some("discarded"))),
        _ => Err(OjsError::not_found("dead-letter job", &id)),
    }
}

pub async fn delete(State(app): State<App>, Path(id): Path<String>) -> OjsResult<Reply> {
    if app.backend.dead_letter_delete(&id).await? {
        Ok(Reply::ok(json!({"deleted": true, "job_id": id})))
    } else {
        Err(OjsError::not_found("dead-letter job", &id))
    }
}
