//! Committing a member's terminal transition together with its workflow's bookkeeping (one atomic
//! backend commit guarded by the member's lease and the workflow's version).

use crate::backend::{Commit, CommitOutcome, Guard, JobUpdate, WorkflowWrite};
use crate::error::OjsResult;
use crate::level0_core::events::{enqueue_event, other_event};
use crate::level3_workflows::workflow::{self, render};
use crate::model::job::Job;
use crate::model::time::Timestamp;
use crate::model::workflow::WorkflowState;
use crate::server::App;
use serde_json::json;

/// Applies `after` (a terminal value of member `before`) and advances the workflow in one commit.
/// `Ok(None)` when a guard failed (the caller re-reads and retries).
pub async fn member_finished(app: &App, before: &Job, after: Job, now: Timestamp) -> OjsResult<Option<Job>> {
    let update = JobUpdate { guard: Guard::lease(before), job: after.clone() };
    let wf_id = before.workflow.as_ref().map(|w| w.id.clone()).unwrap_or_default();
    let stored = app.backend.workflow_get(&wf_id).await?;
    let advanced = match &stored {
        Some(wf) => workflow::advance(wf, &after, now)?,
        None => None,
    };
    let (workflow_write, inserts, finished_state) = match (advanced, &stored) {
        (Some(a), Some(wf)) => {
            let finished = (a.workflow.state != WorkflowState::Running).then_some(a.workflow.state);
            (Some(WorkflowWrite { expect_version: wf.version, workflow: a.workflow }), a.inserts, finished)
        }
        _ => (None, Vec::new(), None),
    };
    let workflow_after = workflow_write.as_ref().map(|w| w.workflow.clone());
    let commit = Commit { updates: vec![update], inserts, workflow: workflow_write, cron: None };
    match app.backend.commit(commit).await? {
        CommitOutcome::Conflict(_) => Ok(None),
        CommitOutcome::Applied(jobs) => {
            let mut events: Vec<_> = jobs.iter().skip(1).map(|j| enqueue_event(j, now)).collect();
            if let (Some(state), Some(wf)) = (finished_state, &workflow_after) {
                events.push(other_event(&format!("workflow.{}", state.as_str()), &wf.id, None, now, json!({"workflow_id": wf.id, "workflow": render(wf)})));
            }
            app.events.emit(events);
            Ok(jobs.into_iter().next())
        }
    }
}
