//! The 8-state machine: which transitions exist, and the pure transforms that produce a job's next value.

use crate::model::job::{Job, JobState};
use crate::model::time::Timestamp;
use serde_json::{json, Value};

/// Whether `from → to` is a transition of the lifecycle (L0-LC-002), plus the dead-letter retry path.
pub fn is_allowed(from: JobState, to: JobState) -> bool {
    use JobState::*;
    matches!(
        (from, to),
        (Scheduled, Available | Cancelled)
            | (Available, Active | Cancelled | Discarded)
            | (Pending, Available | Cancelled)
            | (Active, Completed | Retryable | Cancelled | Discarded | Available)
            | (Retryable, Available | Cancelled | Discarded)
    )
}

/// ACK: `active → completed`.
pub fn complete(mut job: Job, result: Option<Value>, now: Timestamp) -> Job {
    job.state = JobState::Completed;
    job.completed_at = Some(now);
    job.result = result;
    job.error = None;
    job.worker_id = None;
    job.visible_until = None;
    job.exec_deadline = None;
    job.run_at = None;
    job
}

/// CANCEL from any non-terminal state. `completed_at` is never set by a cancel.
pub fn cancel(mut job: Job, now: Timestamp) -> Job {
    job.state = JobState::Cancelled;
    job.cancelled_at = Some(now);
    job.visible_until = None;
    job.exec_deadline = None;
    job.run_at = None;
    job
}

/// Back to `available` now (NACK with requeue, visibility expiry, activation, dead-letter retry).
pub fn make_available(mut job: Job, now: Timestamp) -> Job {
    job.state = JobState::Available;
    job.enqueued_at = Some(now);
    job.run_at = None;
    job.worker_id = None;
    job.visible_until = None;
    job.exec_deadline = None;
    job
}

/// The error recorded on a job that expired before it could run (backends that expire inside a script
/// write this exact value).
pub fn expired_error() -> Value {
    json!({"code": "expired", "type": "expired", "message": "the job expired before it could run"})
}

/// `available → discarded` because `expires_at` passed before it could run; no `completed_at` (INTEROP §4.8).
pub fn expire(mut job: Job, now: Timestamp) -> Job {
    job.state = JobState::Discarded;
    job.discarded_at = Some(now);
    job.error = Some(expired_error());
    job.run_at = None;
    job
}

#[cfg(test)]
mod tests {
    use super::*;
    use JobState::*;

    #[test]
    fn terminal_states_have_no_exit() {
        for from in [Completed, Cancelled, Discarded] {
            for to in JobState::ALL {
                assert!(!is_allowed(from, to), "{from} -> {to}");
            }
        }
    }

    #[test]
    fn only_active_completes() {
        for from in JobState::ALL {
            assert_eq!(is_allowed(from, Completed), from == Active, "{from}");
        }
    }
}
