//! Promotes due scheduled/retryable jobs and handles lapsed leases (visibility and execution timeouts),
//! sleeping until the earliest due time the backend reports, or until a new deadline is written.

use crate::level0_core::events::job_event;
use crate::level0_core::transition;
use crate::level1_reliable::failure;
use crate::level1_reliable::nack::emit_failure_events;
use crate::model::job::{Job, JobState};
use crate::model::time::now;
use crate::server::App;
use serde_json::json;
use std::time::Duration;
use tokio::sync::watch;

/// Jobs handled per backend call; a full batch means "go again at once".
const BATCH: usize = 500;

pub async fn run(app: App, mut shutdown: watch::Receiver<bool>) {
    let max_idle = Duration::from_millis(app.config.max_idle_ms.max(10));
    loop {
        if *shutdown.borrow() {
            return;
        }
        // Subscribe before reading the next due time so a deadline written meanwhile wakes us.
        let mut schedule = app.backend.schedule_signal();
        schedule.borrow_and_update();
        let now = now();
        let sleep = match app.backend.due_pass(now, BATCH).await {
            Ok(pass) => {
                let busy = pass.promoted >= BATCH || pass.expired_leases.len() >= BATCH;
                for job in pass.expired_leases {
                    if let Err(e) = handle_lapsed_lease(&app, job).await {
                        tracing::warn!(error = %e, "could not handle a lapsed lease");
                    }
                }
                if busy {
                    continue;
                }
                match pass.next_due {
                    Some(at) => (at - now).to_std().unwrap_or(Duration::ZERO).min(max_idle),
                    None => max_idle,
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "due pass failed");
                max_idle
            }
        };
        if sleep.is_zero() {
            tokio::task::yield_now().await;
            continue;
        }
        tokio::select! {
            _ = tokio::time::sleep(sleep) => {}
            _ = schedule.changed() => {}
            _ = shutdown.changed() => {}
        }
    }
}

async fn handle_lapsed_lease(app: &App, job: Job) -> crate::error::OjsResult<()> {
    let now = now();
    if job.state != JobState::Active || job.lease_deadline().is_none_or(|d| d > now) {
        return Ok(());
    }
    let timed_out = job.exec_deadline.is_some_and(|d| d <= now);
    let next = failure::lease_expired(&job, now, rand::random());
    // A guard miss means a worker acked, failed or heartbeated meanwhile: nothing to do.
    if let Some(applied) = transition::apply(app, &job, next, now).await? {
        if timed_out {
            emit_failure_events(app, &applied, false, now);
        } else {
            app.events.emit(vec![job_event("job.visibility_expired", &applied, now, json!({"previous_worker_id": job.worker_id}))]);
        }
    }
    Ok(())
}
