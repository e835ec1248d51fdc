//! `POST /ojs/v1/jobs/batch`: validate every item first, then insert all-or-nothing in one backend call.

use crate::error::{OjsError, OjsResult};
use crate::http::{RawBody, Reply};
use crate::level0_core::envelope::{parse_push, PushDefaults};
use crate::level0_core::events::{enqueue_event, job_event};
use crate::backend::{BackendError, Inserted};
use crate::model::job::Envelope;
use crate::model::time::now;
use axum::http::StatusCode;
use crate::server::App;
use axum::extract::State;
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{json, Map, Value};
use std::collections::HashMap;

pub const MAX_BATCH: usize = 100_000;

#[derive(serde::Serialize)]
struct BatchBody<'a> {
    jobs: Vec<Envelope<'a>>,
    count: usize,
}

#[derive(Deserialize)]
struct Item<'a> {
    #[serde(borrow, default)]
    args: Option<&'a RawValue>,
}

pub async fn push_batch(State(app): State<App>, body: RawBody) -> OjsResult<Reply> {
    // Parse the envelope shallowly so each item's `args` keeps its exact bytes.
    let top: HashMap<String, &RawValue> = match serde_json::from_slice(&body.0) {
        Ok(top) => top,
        Err(_) => {
            // Not an object of JSON values: let the shared parser name the exact problem.
            return Err(crate::http::body::parse_object(&body.0)
                .err()
                .unwrap_or_else(|| OjsError::InvalidPayload("request body must be a JSON object".into())));
        }
    };
    let raw_items: Vec<&RawValue> = match top.get("jobs") {
        Some(raw) => serde_json::from_str(raw.get()).map_err(|_| OjsError::invalid("jobs must be an array of job objects"))?,
        None => return Err(OjsError::invalid("jobs is required")),
    };
    if raw_items.is_empty() {
        return Err(OjsError::invalid("jobs must contain at least one job"));
    }
    if raw_items.len() > MAX_BATCH {
        return Err(OjsError::invalid(format!("a batch holds at most {MAX_BATCH} jobs")));
    }
    let now = now();
    let mut jobs = Vec::with_capacity(raw_items.len());
    let mut rate_limits = Vec::new();
    for (index, raw) in raw_items.iter().enumerate() {
        let fail = |e: OjsError| {
            let message = format!("Batch validation failed: job at index {index} - {e}");
            match e {
                OjsError::Validation(_) => OjsError::Validation(message),
                _ => OjsError::invalid_at(message, json!({"index": index, "code": e.code()})),
            }
        };
        let obj: Map<String, Value> = match serde_json::from_str(raw.get()) {
            Ok(Value::Object(o)) => o,
            _ => return Err(fail(OjsError::invalid("each job must be a JSON object"))),
        };
        let args = serde_json::from_str::<Item>(raw.get()).ok().and_then(|i| i.args);
        let push = parse_push(&obj, args, PushDefaults { now }).map_err(fail)?;
        rate_limits.extend(push.rate_limit);
        jobs.push(push.new_job);
    }
    for (queue, limit) in rate_limits {
        app.backend.set_rate_limit(&queue, limit).await?;
    }
    let inserted = app.backend.insert(jobs, now).await.map_err(|e| match e {
        BackendError::DuplicateId { index, .. } | BackendError::UniqueConflict { index, .. } => {
            let err: OjsError = e.into();
            match err {
                OjsError::Duplicate { message, mut details } => {
                    details["index"] = index.into();
                    OjsError::Duplicate { message: format!("Batch rejected: job at index {index} - {message}"), details }
                }
                other => other,
            }
        }
        other => other.into(),
    })?;
    let mut events = Vec::with_capacity(inserted.len());
    for outcome in &inserted {
        match outcome {
            Inserted::Created(job) => events.push(enqueue_event(job, now)),
            Inserted::Replaced(job, old) => {
                events.push(job_event("job.cancelled", old, now, json!({"reason": "replaced"})));
                events.push(enqueue_event(job, now));
            }
            Inserted::Existing(_) => {}
        }
    }
    app.events.emit(events);
    let jobs: Vec<Envelope> = inserted
        .iter()
        .map(|outcome| match outcome {
            Inserted::Created(job) | Inserted::Replaced(job, _) => Envelope::of(job),
            Inserted::Existing(job) => Envelope { job, deduplicated: true },
        })
        .collect();
    let capacity = 64 + jobs.len() * 768;
    Ok(Reply::json_sized(StatusCode::CREATED, &BatchBody { count: jobs.len(), jobs }, capacity))
}
