//! Level 0 endpoints: push, info, cancel, fetch, ack, events, reset.

use crate::backend::{ClaimRequest, CompleteOutcome, Completion, Guard, Inserted, JobUpdate, UpdateOutcome};
use crate::error::{OjsError, OjsResult};
use crate::http::{query, RawBody, Reply};
use crate::level0_core::envelope::{parse_push, PushDefaults};
use crate::level0_core::events::{completed_event, enqueue_event, job_event, render};
use crate::level0_core::state;
use crate::level3_workflows::progress;
use crate::model::event::EventFilter;
use crate::model::job::{Envelope, Job};
use axum::http::StatusCode;
use crate::model::time::{format_ts, now};
use crate::server::App;
use axum::extract::{Path, RawQuery, State};
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{json, Map, Value};

/// Borrowed view of `args` so it is stored byte-for-byte as sent.
#[derive(Deserialize)]
struct ArgsOnly<'a> {
    #[serde(borrow, default)]
    args: Option<&'a RawValue>,
}

pub fn raw_args(bytes: &[u8]) -> Option<&RawValue> {
    serde_json::from_slice::<ArgsOnly>(bytes).ok().and_then(|a| a.args)
}

pub async fn push(State(app): State<App>, body: RawBody) -> OjsResult<Reply> {
    let obj = body.object()?;
    let now = now();
    let push = parse_push(&obj, raw_args(&body.0), PushDefaults { now })?;
    if let Some((queue, limit)) = &push.rate_limit {
        app.backend.set_rate_limit(queue, limit.clone()).await?;
    }
    let inserted = app.backend.insert(vec![push.new_job], now).await?;
    let outcome = inserted.into_iter().next().ok_or_else(|| OjsError::Internal("insert returned nothing".into()))?;
    Ok(reply_for_insert(&app, outcome, now))
}

/// Response and events for one inserted job (shared with batch enqueue).
#[derive(serde::Serialize)]
struct FetchBody<'a> {
    jobs: Vec<Envelope<'a>>,
    /// The first job again, as the reference server answers (older clients read it).
    #[serde(skip_serializing_if = "Option::is_none")]
    job: Option<Envelope<'a>>,
}

pub fn reply_for_insert(app: &App, outcome: Inserted, now: crate::model::time::Timestamp) -> Reply {
    match outcome {
        Inserted::Created(job) => {
            app.events.emit(vec![enqueue_event(&job, now)]);
            Reply::created(json!({"job": job.to_envelope()})).with_location(format!("/ojs/v1/jobs/{}", job.id))
        }
        Inserted::Replaced(job, old) => {
            app.events.emit(vec![job_event("job.cancelled", &old, now, json!({"reason": "replaced"})), enqueue_event(&job, now)]);
            Reply::created(json!({"job": job.to_envelope(), "replaced_job_id": old.id}))
                .with_location(format!("/ojs/v1/jobs/{}", job.id))
        }
        Inserted::Existing(job) => Reply::ok(json!({"job": job.to_envelope(), "deduplicated": true})),
    }
}

pub async fn info(State(app): State<App>, Path(id): Path<String>) -> OjsResult<Reply> {
    let job = app.backend.get(&id).await?.ok_or_else(|| OjsError::not_found("job", &id))?;
    Ok(Reply::ok(json!({"job": job.to_envelope()})))
}

pub async fn cancel(State(app): State<App>, Path(id): Path<String>) -> OjsResult<Reply> {
    let now = now();
    // A concurrent transition makes the guard fail; re-read and decide again.
    for _ in 0..5 {
        let job = app.backend.get(&id).await?.ok_or_else(|| OjsError::not_found("job", &id))?;
        if job.state.is_terminal() {
            return Err(OjsError::wrong_state(&id, job.state.as_str(), "cancel", None));
        }
        let previous = job.state;
        let cancelled = state::cancel(job.clone(), now);
        let applied = if job.workflow.is_some() {
            progress::member_finished(&app, &job, cancelled, now).await?
        } else {
            match app.backend.update_each(vec![JobUpdate { guard: Guard::lease(&job), job: cancelled }]).await?.pop() {
                Some(UpdateOutcome::Applied(j)) => Some(j),
                Some(UpdateOutcome::NotFound) | None => return Err(OjsError::not_found("job", &id)),
                Some(UpdateOutcome::Conflict(_)) => None,
            }
        };
        if let Some(job) = applied {
            app.events.emit(vec![job_event("job.cancelled", &job, now, json!({"previous_state": previous.as_str()}))]);
            return Ok(Reply::ok(json!({"job": job.to_envelope(), "previous_state": previous.as_str()})));
        }
    }
    Err(OjsError::Internal("job kept changing while cancelling; retry".into()))
}

const MAX_FETCH: u64 = 10_000;
const MAX_WAIT_MS: u64 = 30_000;

pub async fn fetch(State(app): State<App>, body: RawBody) -> OjsResult<Reply> {
    let obj = body.object()?;
    let queues = match obj.get("queues") {
        Some(Value::Array(items)) if !items.is_empty() => items
            .iter()
            .map(|q| q.as_str().map(str::to_string).ok_or_else(|| OjsError::invalid("queues must be an array of strings")))
            .collect::<OjsResult<Vec<_>>>()?,
        Some(Value::Array(_)) => return Err(OjsError::invalid("queues must name at least one queue")),
        None | Some(Value::Null) => return Err(OjsError::invalid("queues is required")),
        Some(_) => return Err(OjsError::invalid("queues must be an array of strings")),
    };
    for q in &queues {
        crate::level0_core::envelope::validate_queue(q)?;
    }
    let uint = |key: &str, default: u64| -> OjsResult<u64> {
        match obj.get(key) {
            None | Some(Value::Null) => Ok(default),
            Some(v) => v.as_u64().ok_or_else(|| OjsError::invalid(format!("{key} must be a non-negative integer"))),
        }
    };
    let count = uint("count", 1)?.clamp(1, MAX_FETCH) as usize;
    let visibility = uint("visibility_timeout_ms", 0)?;
    let wait_ms = uint("wait_ms", 0)?.min(MAX_WAIT_MS);
    let worker_id = obj.get("worker_id").and_then(Value::as_str).map(str::to_string);
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_millis(wait_ms);

    loop {
        // Subscribe before claiming so a job arriving in between still wakes us.
        let mut ready = app.backend.ready_signal();
        ready.borrow_and_update();
        let now = now();
        let claimed = app
            .backend
            .claim(ClaimRequest {
                queues: queues.clone(),
                count,
                worker_id: worker_id.clone(),
                visibility_timeout_ms: (visibility > 0).then_some(visibility),
                default_visibility_ms: app.config.visibility_timeout_ms,
                now,
            })
            .await?;
        let mut events: Vec<_> = claimed.expired.iter().map(|j| job_event("job.expired", j, now, json!({}))).collect();
        events.extend(claimed.jobs.iter().map(|j| job_event("job.started", j, now, json!({"worker_id": j.worker_id}))));
        app.events.emit(events);
        if !claimed.jobs.is_empty() || tokio::time::Instant::now() >= deadline {
            let body = FetchBody {
                jobs: claimed.jobs.iter().map(Envelope::of).collect(),
                job: claimed.jobs.first().map(Envelope::of),
            };
            return Ok(Reply::json_sized(StatusCode::OK, &body, 64 + body.jobs.len() * 768));
        }
        tokio::select! {
            _ = ready.changed() => {}
            _ = tokio::time::sleep_until(deadline) => {}
        }
    }
}

pub async fn ack(State(app): State<App>, body: RawBody) -> OjsResult<Reply> {
    let obj = body.object()?;
    if let Some(acks) = obj.get("acks") {
        return batch_ack(&app, acks).await;
    }
    let id = job_id_field(&obj)?;
    let result = obj.get("result").cloned();
    let now = now();
    let outcome = app.backend.complete(vec![Completion { id: id.clone(), result: result.clone() }], now).await?.pop();
    let job = match outcome {
        Some(CompleteOutcome::Completed(job)) => job,
        Some(CompleteOutcome::WorkflowMember(job)) => complete_member(&app, job, result, now).await?,
        Some(CompleteOutcome::WrongState(s)) => return Err(OjsError::wrong_state(&id, s.as_str(), "ack", Some("active"))),
        Some(CompleteOutcome::NotFound) | None => return Err(OjsError::not_found("job", &id)),
    };
    app.events.emit(vec![completed_event(&job, now)]);
    Ok(Reply::ok(json!({
        "acknowledged": true,
        "id": job.id,
        "job_id": job.id,
        "state": job.state.as_str(),
        "completed_at": job.completed_at.map(format_ts),
        "job": job.to_envelope(),
    })))
}

/// ACK of a workflow member: the completion commits together with the workflow's bookkeeping.
async fn complete_member(app: &App, job: Job, result: Option<Value>, now: crate::model::time::Timestamp) -> OjsResult<Job> {
    let id = job.id.clone();
    let mut current = job;
    for _ in 0..10 {
        if current.state != crate::model::job::JobState::Active {
            return Err(OjsError::wrong_state(&id, current.state.as_str(), "ack", Some("active")));
        }
        let done = state::complete(current.clone(), result.clone(), now);
        if let Some(job) = progress::member_finished(app, &current, done, now).await? {
            return Ok(job);
        }
        current = app.backend.get(&id).await?.ok_or_else(|| OjsError::not_found("job", &id))?;
    }
    Err(OjsError::Internal("workflow kept changing while acknowledging; retry".into()))
}

/// Extension: many acks in one request and one backend round trip.
async fn batch_ack(app: &App, acks: &Value) -> OjsResult<Reply> {
    let items = acks.as_array().ok_or_else(|| OjsError::invalid("acks must be an array"))?;
    let mut completions = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        let obj = item.as_object().ok_or_else(|| OjsError::invalid_at(format!("acks[{index}] must be an object"), json!({"index": index})))?;
        let id = job_id_field(obj).map_err(|e| OjsError::invalid_at(format!("acks[{index}]: {e}"), json!({"index": index})))?;
        completions.push(Completion { id, result: obj.get("result").cloned() });
    }
    let now = now();
    let ids: Vec<String> = completions.iter().map(|c| c.id.clone()).collect();
    let results_by_index: Vec<Option<Value>> = completions.iter().map(|c| c.result.clone()).collect();
    let outcomes = app.backend.complete(completions, now).await?;
    let mut events = Vec::new();
    let mut results = Vec::with_capacity(outcomes.len());
    let mut ok = 0;
    for (i, outcome) in outcomes.into_iter().enumerate() {
        let id = &ids[i];
        let outcome = match outcome {
            CompleteOutcome::WorkflowMember(job) => match complete_member(app, job, results_by_index[i].clone(), now).await {
                Ok(job) => CompleteOutcome::Completed(job),
                Err(e) => {
                    results.push(json!({"id": id, "job_id": id, "acknowledged": false, "error": {"code": e.code(), "message": e.to_string()}}));
                    continue;
                }
            },
            other => other,
        };
        results.push(match outcome {
            CompleteOutcome::Completed(job) => {
                ok += 1;
                events.push(completed_event(&job, now));
                json!({"id": id, "job_id": id, "acknowledged": true, "state": "completed"})
            }
            CompleteOutcome::WrongState(s) => json!({"id": id, "job_id": id, "acknowledged": false,
                "error": {"code": "conflict", "message": format!("job {id} is '{s}', not active"), "details": {"current_state": s.as_str()}}}),
            _ => json!({"id": id, "job_id": id, "acknowledged": false, "error": {"code": "not_found", "message": format!("job {id} not found")}}),
        });
    }
    app.events.emit(events);
    Ok(Reply::ok(json!({"acknowledged": ok, "results": results})))
}

pub fn job_id_field(obj: &Map<String, Value>) -> OjsResult<String> {
    match obj.get("job_id").or_else(|| obj.get("id")) {
        Some(Value::String(s)) if !s.is_empty() => Ok(s.clone()),
        None | Some(Value::Null) => Err(OjsError::invalid("job_id is required")),
        Some(_) => Err(OjsError::invalid("job_id must be a string")),
    }
}

pub async fn events(State(app): State<App>, RawQuery(q): RawQuery) -> OjsResult<Reply> {
    let params = query::parse(q.as_deref());
    let limit = match params.get("limit") {
        None => 100,
        Some(v) => v.parse::<usize>().map_err(|_| OjsError::invalid("limit must be a positive integer"))?.clamp(1, 1000),
    };
    let filter = EventFilter {
        types: query::list(&params, "types"),
        queues: query::list(&params, "queues"),
        job_types: query::list(&params, "job_types"),
        after: params.get("after").filter(|s| !s.is_empty()).cloned(),
        limit: limit + 1,
    };
    app.events.flush().await;
    let mut found = app.backend.list_events(&filter).await?;
    let has_more = found.len() > limit;
    if has_more {
        if filter.after.is_some() {
            found.truncate(limit);
        } else {
            found.remove(0);
        }
    }
    let cursor = found.last().map(|e| e.id.clone());
    Ok(Reply::ok(json!({"events": found.iter().map(render).collect::<Vec<_>>(), "cursor": cursor, "has_more": has_more})))
}

pub async fn reset(State(app): State<App>) -> OjsResult<Reply> {
    app.events.flush().await;
    app.backend.reset().await?;
    Ok(Reply::ok(json!({"reset": true})))
}
