//! One cron evaluation pass: for each registration whose `next_run_at` has come, apply the overlap policy
//! and enqueue the occurrence in one commit guarded by `next_run_at`, so each occurrence fires once even
//! when several server processes share the backend.

use crate::backend::{Commit, CommitOutcome, CronWrite, Guard, JobUpdate};
use crate::error::OjsResult;
use crate::level0_core::envelope::{parse_push, PushDefaults};
use crate::level0_core::events::{enqueue_event, job_event, other_event};
use crate::level0_core::state;
use crate::level2_scheduled::cron::{due_occurrence, overlap_action, CronSchedule, OverlapAction, OverlapPolicy};
use crate::model::cron::CronJob;
use crate::model::job::Job;
use crate::model::time::{format_ts, Timestamp};
use crate::server::App;
use serde_json::{json, Value};

/// Fires every due registration once; returns the earliest `next_run_at` left.
pub async fn tick(app: &App, now: Timestamp) -> OjsResult<Option<Timestamp>> {
    let mut earliest: Option<Timestamp> = None;
    for cron in app.backend.cron_list().await? {
        let next = match fire_if_due(app, &cron, now).await {
            Ok(next) => next,
            Err(e) => {
                tracing::warn!(cron = %cron.name, error = %e, "cron firing failed");
                cron.next_run_at
            }
        };
        if let Some(t) = next {
            earliest = Some(earliest.map_or(t, |e: Timestamp| e.min(t)));
        }
    }
    Ok(earliest)
}

/// The job one firing enqueues: the template plus cron metadata and a long visibility timeout.
fn occurrence_job(app: &App, cron: &CronJob, occurrence: Timestamp, now: Timestamp) -> OjsResult<Job> {
    let mut template = cron.job_template.as_object().cloned().unwrap_or_default();
    template.entry("args").or_insert_with(|| json!([]));
    let mut job = parse_push(&template, None, PushDefaults { now })?.new_job.job;
    let meta = job.meta.get_or_insert_with(Default::default);
    meta.insert("cron_name".into(), Value::String(cron.name.clone()));
    meta.insert("cron_triggered_at".into(), Value::String(format_ts(occurrence)));
    if job.visibility_timeout_ms.is_none() {
        job.visibility_timeout_ms = Some(app.config.cron_visibility_timeout_ms);
    }
    Ok(job)
}

async fn fire_if_due(app: &App, cron: &CronJob, now: Timestamp) -> OjsResult<Option<Timestamp>> {
    let Some(stored_next) = cron.next_run_at else { return Ok(None) };
    if !cron.enabled {
        return Ok(None);
    }
    let schedule = match CronSchedule::parse(&cron.expression, Some(&cron.timezone)) {
        Ok(s) => s,
        Err(_) => return Ok(None),
    };
    let Some(firing) = due_occurrence(&schedule, stored_next, now) else { return Ok(Some(stored_next)) };
    let policy: OverlapPolicy = cron.overlap_policy.parse().unwrap_or_default();
    let previous = match &cron.last_job_id {
        Some(id) => app.backend.get(id).await?,
        None => None,
    };
    let previous_running = previous.as_ref().is_some_and(|j| !j.state.is_terminal());
    let action = overlap_action(policy, previous_running);

    let mut updated = cron.clone();
    updated.next_run_at = Some(firing.next_run_at);
    let mut commit = Commit::default();
    if action != OverlapAction::Skip {
        let job = occurrence_job(app, cron, firing.occurrence, now)?;
        updated.last_run_at = Some(firing.occurrence);
        updated.run_count += 1;
        updated.last_job_id = Some(job.id.clone());
        commit.inserts.push(job);
        if let (OverlapAction::CancelPreviousThenEnqueue, Some(prev)) = (action, &previous) {
            if !prev.state.is_terminal() {
                commit.updates.push(JobUpdate { guard: Guard::lease(prev), job: state::cancel(prev.clone(), now) });
            }
        }
    }
    commit.cron = Some(CronWrite { cron: updated, expect_next_run_at: Some(stored_next) });
    match app.backend.commit(commit).await? {
        CommitOutcome::Applied(jobs) => {
            let mut events = Vec::new();
            for job in &jobs {
                if job.state.is_terminal() {
                    events.push(job_event("job.cancelled", job, now, json!({"reason": "cron cancel_previous"})));
                } else {
                    events.push(enqueue_event(job, now));
                }
            }
            let kind = if action == OverlapAction::Skip { "cron.skipped" } else { "cron.triggered" };
            events.push(other_event(kind, &cron.name, None, now, json!({"cron_name": cron.name, "occurrence": format_ts(firing.occurrence)})));
            app.events.emit(events);
        }
        // Another process fired this occurrence (or the registration changed): nothing to do.
        CommitOutcome::Conflict(_) => {}
    }
    Ok(Some(firing.next_run_at))
}
