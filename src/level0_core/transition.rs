//! Applying one computed transition with its guard. Workflow members commit together with their
//! workflow's bookkeeping; everything else is a single guarded write.

use crate::backend::{Guard, JobUpdate, UpdateOutcome};
use crate::error::{OjsError, OjsResult};
use crate::level3_workflows::progress;
use crate::model::job::Job;
use crate::model::time::Timestamp;
use crate::server::App;

/// Writes `after` if the stored job still equals `before`'s state and attempt. `Ok(None)`: it changed
/// meanwhile (re-read and decide again).
pub async fn apply(app: &App, before: &Job, after: Job, now: Timestamp) -> OjsResult<Option<Job>> {
    if before.workflow.is_some() && after.state.is_terminal() {
        return progress::member_finished(app, before, after, now).await;
    }
    match app.backend.update_each(vec![JobUpdate { guard: Guard::lease(before), job: after }]).await?.pop() {
        Some(UpdateOutcome::Applied(job)) => Ok(Some(job)),
        Some(UpdateOutcome::Conflict(_)) => Ok(None),
        Some(UpdateOutcome::NotFound) | None => Err(OjsError::not_found("job", &before.id)),
    }
}
