//! Per-queue state of the memory backend: ready order, controls, counters.

use crate::backend::{QueueStats, RateLimit};
use crate::model::job::JobState;
use std::collections::BTreeMap;

/// Ready order: priority descending, then insertion sequence ascending.
pub type ReadyKey = (i32, u64);

pub fn ready_key(priority: i32, seq: u64) -> ReadyKey {
    (-priority, seq)
}

#[derive(Default)]
pub struct QueueState {
    pub ready: BTreeMap<ReadyKey, String>,
    pub paused: bool,
    pub rate_limit: RateLimit,
    window_start_ms: i64,
    window_count: u32,
    /// Jobs per state, kept in step with every index change.
    pub counts: [u64; 8],
    pub completed_total: u64,
    pub dead: u64,
    /// Completions per second over the last minute, as (second, count).
    completions: Vec<(i64, u64)>,
}

pub fn state_slot(state: JobState) -> usize {
    JobState::ALL.iter().position(|s| *s == state).unwrap_or(0)
}

impl QueueState {
    pub fn count(&self, state: JobState) -> u64 {
        self.counts[state_slot(state)]
    }

    /// How many jobs this queue may deliver right now, given its rate limit (None = unlimited).
    pub fn deliverable(&mut self, now_ms: i64) -> Option<u64> {
        let mut allowance: Option<u64> = None;
        if let Some(max) = self.rate_limit.concurrency {
            let active = self.count(JobState::Active);
            allowance = Some((max as u64).saturating_sub(active));
        }
        if let Some(per_second) = self.rate_limit.max_per_second {
            if now_ms - self.window_start_ms >= 1000 {
                self.window_start_ms = now_ms;
                self.window_count = 0;
            }
            let left = (per_second as u64).saturating_sub(self.window_count as u64);
            allowance = Some(allowance.map_or(left, |a| a.min(left)));
        }
        allowance
    }

    pub fn record_deliveries(&mut self, n: u64) {
        self.window_count = self.window_count.saturating_add(n as u32);
    }

    pub fn record_completion(&mut self, now_ms: i64) {
        self.completed_total += 1;
        if self.completions.is_empty() {
            self.completions = vec![(i64::MIN, 0); 60];
        }
        let second = now_ms.div_euclid(1000);
        let slot = &mut self.completions[second.rem_euclid(60) as usize];
        if slot.0 != second {
            *slot = (second, 0);
        }
        slot.1 += 1;
    }

    pub fn stats(&self, name: &str, now_ms: i64) -> QueueStats {
        let second = now_ms.div_euclid(1000);
        let last_minute = self
            .completions
            .iter()
            .filter(|(s, _)| *s > second - 60 && *s <= second)
            .map(|(_, c)| c)
            .sum();
        QueueStats {
            name: name.to_string(),
            paused: self.paused,
            available: self.count(JobState::Available),
            active: self.count(JobState::Active),
            scheduled: self.count(JobState::Scheduled),
            retryable: self.count(JobState::Retryable),
            pending: self.count(JobState::Pending),
            completed: self.completed_total,
            discarded: self.count(JobState::Discarded),
            cancelled: self.count(JobState::Cancelled),
            dead: self.dead,
            completed_last_minute: last_minute,
        }
    }
}
