//! The per-tick decision of the cron loop: does this cron job fire now, for
//! which occurrence, and what is its next `next_run_at`?

use chrono::{DateTime, Utc};

use super::schedule::CronSchedule;

/// One firing decided by [`due_occurrence`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Firing {
    /// The scheduled instant being fired (the stored `next_run_at`); use it as
    /// `scheduled_time` / `meta.cron_triggered_at`.
    pub occurrence: DateTime<Utc>,
    /// The first occurrence strictly after `now`: store it as the new `next_run_at`.
    pub next_run_at: DateTime<Utc>,
}

/// Decision for one tick. Nothing fires while `now < next_run_at`. Once due,
/// exactly one firing happens, for the stored `next_run_at`, however many
/// occurrences were missed (a paused leader catches up once, not in a burst),
/// and the new `next_run_at` is the first occurrence after `now`, which skips
/// the rest of the missed ones.
///
/// Returns `None` also when the schedule has no occurrence after `now`, which
/// cannot happen for a schedule accepted by `CronSchedule::parse` this side of
/// the year 262000.
pub fn due_occurrence(
    schedule: &CronSchedule,
    next_run_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Option<Firing> {
    if now < next_run_at {
        return None;
    }
    let following = schedule.next_after(now)?;
    Some(Firing {
        occurrence: next_run_at,
        next_run_at: following,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    fn every_five_minutes() -> CronSchedule {
        CronSchedule::parse("*/5 * * * *", None).unwrap()
    }

    #[test]
    fn nothing_fires_before_the_due_time() {
        let due = utc("2026-01-01T10:05:00Z");
        assert_eq!(
            due_occurrence(&every_five_minutes(), due, utc("2026-01-01T10:04:59.999Z")),
            None
        );
    }

    #[test]
    fn fires_at_the_due_time_and_schedules_the_next() {
        let due = utc("2026-01-01T10:05:00Z");
        let firing = due_occurrence(&every_five_minutes(), due, due).unwrap();
        assert_eq!(firing.occurrence, due);
        assert_eq!(firing.next_run_at, utc("2026-01-01T10:10:00Z"));
        // Firing again with the new value at the same `now` does nothing.
        assert_eq!(
            due_occurrence(&every_five_minutes(), firing.next_run_at, due),
            None
        );
    }

    #[test]
    fn a_long_gap_fires_once_then_moves_past_now() {
        let due = utc("2026-01-01T10:05:00Z");
        let now = utc("2026-01-01T13:42:10Z");
        let firing = due_occurrence(&every_five_minutes(), due, now).unwrap();
        assert_eq!(firing.occurrence, due);
        assert_eq!(firing.next_run_at, utc("2026-01-01T13:45:00Z"));
        assert_eq!(
            due_occurrence(&every_five_minutes(), firing.next_run_at, now),
            None
        );
    }

    #[test]
    fn now_exactly_on_a_later_occurrence_does_not_refire_it() {
        let due = utc("2026-01-01T10:05:00Z");
        let now = utc("2026-01-01T10:30:00Z");
        let firing = due_occurrence(&every_five_minutes(), due, now).unwrap();
        assert_eq!(firing.next_run_at, utc("2026-01-01T10:35:00Z"));
    }
}
