//! Local wake-up state: the two signals the background task and long-poll fetches wait on, and a claim
//! shortcut that any schedule change invalidates.
//!
//! The shortcut: the statement a claim runs before claiming (promote due jobs, list rate-limited queues)
//! learns when the next scheduled/retryable job falls due. Until then, and for at most one second, later
//! claims skip that round trip. Every change that can create an earlier due time (local writes, and other
//! processes' `ojs_schedule` notifications) and every rate-limit change clears it.

use crate::backend::Signal;
use parking_lot::Mutex;
use std::collections::HashSet;
use std::sync::Arc;

/// Longest a claim relies on what an earlier claim learned.
pub(super) const SHORTCUT_MAX_MS: i64 = 1000;

#[derive(Default)]
struct Shortcut {
    /// Bumped by every invalidation, so a claim that read the database before one cannot install a stale
    /// shortcut after it.
    generation: u64,
    /// No scheduled/retryable job is due before this instant (ms since the epoch).
    quiet_until_ms: i64,
    /// Queues that have a rate limit, as of the last preparing statement.
    limited: HashSet<String>,
}

/// What a claim may skip.
pub(super) struct ClaimHint {
    pub generation: u64,
    /// `Some(whether one of the queues is rate-limited)` when the preparing statement can be skipped.
    pub skip_with_limited: Option<bool>,
}

#[derive(Clone, Default)]
pub(super) struct Wakeups {
    pub ready: Signal,
    pub schedule: Signal,
    shortcut: Arc<Mutex<Shortcut>>,
}

impl Wakeups {
    /// Jobs may have become available.
    pub fn jobs_ready(&self) {
        self.ready.bump();
    }

    /// A due time may now be earlier than anyone knew: wake the background task, forget the shortcut.
    pub fn schedule_changed(&self) {
        self.forget();
        self.schedule.bump();
    }

    /// New leases (claims): only the background task needs to know.
    pub fn leases_changed(&self) {
        self.schedule.bump();
    }

    /// A queue's rate limit changed.
    pub fn forget(&self) {
        let mut s = self.shortcut.lock();
        s.generation = s.generation.wrapping_add(1);
        s.quiet_until_ms = i64::MIN;
    }

    pub fn claim_hint(&self, now_ms: i64, queues: &[String]) -> ClaimHint {
        let s = self.shortcut.lock();
        let skip = now_ms < s.quiet_until_ms;
        ClaimHint {
            generation: s.generation,
            skip_with_limited: skip.then(|| queues.iter().any(|q| s.limited.contains(q))),
        }
    }

    /// Installs what a preparing statement learned, unless something changed since it was read.
    pub fn remember(&self, generation: u64, quiet_until_ms: i64, limited: HashSet<String>) {
        let mut s = self.shortcut.lock();
        if s.generation == generation {
            s.quiet_until_ms = quiet_until_ms;
            s.limited = limited;
        }
    }
}
