//! `POST /ojs/v1/workflows`, `GET` and `DELETE /ojs/v1/workflows/{id}`.

use crate::backend::{Commit, CommitOutcome, Guard, JobUpdate, WorkflowWrite};
use crate::error::{OjsError, OjsResult};
use crate::http::{RawBody, Reply};
use crate::level0_core::events::{enqueue_event, job_event, other_event};
use crate::level0_core::state;
use crate::level3_workflows::workflow::{self, render};
use crate::model::time::now;
use crate::model::workflow::WorkflowState;
use crate::server::App;
use axum::extract::{Path, State};
use serde_json::json;

pub async fn create(State(app): State<App>, body: RawBody) -> OjsResult<Reply> {
    let obj = body.object()?;
    let now = now();
    let created = workflow::create(&obj, uuid::Uuid::now_v7().to_string(), now)?;
    let wf = created.workflow.clone();
    let commit = Commit {
        inserts: created.jobs,
        workflow: Some(WorkflowWrite { workflow: created.workflow, expect_version: 0 }),
        ..Default::default()
    };
    match app.backend.commit(commit).await? {
        CommitOutcome::Applied(jobs) => {
            let mut events = vec![other_event("workflow.started", &wf.id, None, now, json!({"workflow_id": wf.id, "type": render(&wf)["type"]}))];
            events.extend(jobs.iter().map(|j| enqueue_event(j, now)));
            app.events.emit(events);
            Ok(Reply::created(json!({"workflow": render(&wf)})).with_location(format!("/ojs/v1/workflows/{}", wf.id)))
        }
        CommitOutcome::Conflict(at) => Err(OjsError::Internal(format!("workflow create conflicted: {at:?}"))),
    }
}

pub async fn get_one(State(app): State<App>, Path(id): Path<String>) -> OjsResult<Reply> {
    let wf = app.backend.workflow_get(&id).await?.ok_or_else(|| OjsError::not_found("workflow", &id))?;
    Ok(Reply::ok(json!({"workflow": render(&wf)})))
}

pub async fn cancel(State(app): State<App>, Path(id): Path<String>) -> OjsResult<Reply> {
    for _ in 0..10 {
        let wf = app.backend.workflow_get(&id).await?.ok_or_else(|| OjsError::not_found("workflow", &id))?;
        if wf.state.is_terminal() {
            return Err(OjsError::Conflict {
                message: format!("workflow {id} is already {}", wf.state.as_str()),
                details: json!({"workflow_id": id, "current_state": wf.state.as_str()}),
            });
        }
        let now = now();
        let ids: Vec<String> = wf.member_ids.iter().flatten().cloned().chain(wf.callback_ids.iter().cloned()).collect();
        let members = app.backend.get_many(&ids).await?;
        let updates: Vec<JobUpdate> = members
            .into_iter()
            .flatten()
            .filter(|j| !j.state.is_terminal())
            .map(|j| JobUpdate { guard: Guard::lease(&j), job: state::cancel(j, now) })
            .collect();
        let mut next = wf.clone();
        next.version += 1;
        next.state = WorkflowState::Cancelled;
        next.cancelled_at = Some(now);
        next.completed_at = Some(now);
        let commit = Commit { updates, workflow: Some(WorkflowWrite { workflow: next.clone(), expect_version: wf.version }), ..Default::default() };
        if let CommitOutcome::Applied(jobs) = app.backend.commit(commit).await? {
            let mut events: Vec<_> = jobs.iter().map(|j| job_event("job.cancelled", j, now, json!({"reason": "workflow cancelled"}))).collect();
            events.push(other_event("workflow.cancelled", &id, None, now, json!({"workflow_id": id})));
            app.events.emit(events);
            return Ok(Reply::ok(json!({"workflow": render(&next)})));
        }
    }
    Err(OjsError::Internal("workflow kept changing while cancelling; retry".into()))
}
