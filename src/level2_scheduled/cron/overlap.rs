//! Overlap policies: what a firing does when the job created by the previous
//! firing of the same cron job is still around.
//!
//! "Still around" means non-terminal (scheduled, available, pending, active,
//! retryable), as the reference server does; the spec text says `active`, but a
//! job still waiting in the queue overlaps just as much. Callers pass `false`
//! when there was no previous job or it can no longer be found.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::error::CronError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum OverlapPolicy {
    /// No new job while the previous one is non-terminal (the spec's default).
    #[default]
    Skip,
    /// Always enqueue; runs may overlap.
    Allow,
    /// Cancel the previous job if it is non-terminal, then enqueue.
    CancelPrevious,
    /// Always enqueue the new job, immediately, as `available`.
    ///
    /// Decision: the spec wants the new run to wait until the previous one has
    /// finished. This server is stateless between requests and has no
    /// per-cron-job execution lock, so it cannot hold a fetched job back; it
    /// enqueues at once, like `allow`. Queued occurrences accumulate instead of
    /// being lost, which is the point of the policy, but two workers fetching
    /// from the queue may still run them at the same time. Point the cron job at
    /// a queue served by a single worker if runs must not overlap.
    Enqueue,
}

impl OverlapPolicy {
    /// The canonical spelling (`cancel` comes back as `cancel_previous`).
    pub fn as_str(self) -> &'static str {
        match self {
            OverlapPolicy::Skip => "skip",
            OverlapPolicy::Allow => "allow",
            OverlapPolicy::CancelPrevious => "cancel_previous",
            OverlapPolicy::Enqueue => "enqueue",
        }
    }
}

impl FromStr for OverlapPolicy {
    type Err = CronError;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        match value {
            "skip" => Ok(OverlapPolicy::Skip),
            "allow" => Ok(OverlapPolicy::Allow),
            "cancel_previous" | "cancel" => Ok(OverlapPolicy::CancelPrevious),
            "enqueue" => Ok(OverlapPolicy::Enqueue),
            _ => Err(CronError::UnknownOverlapPolicy {
                value: value.to_string(),
            }),
        }
    }
}

impl fmt::Display for OverlapPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for OverlapPolicy {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for OverlapPolicy {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// What the cron loop does for one due occurrence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OverlapAction {
    /// Enqueue the new job.
    Enqueue,
    /// Enqueue nothing; emit `cron.skipped` with reason `overlap_skip`.
    Skip,
    /// Cancel the previous job (a no-op if it finished meanwhile), then enqueue.
    CancelPreviousThenEnqueue,
}

/// Overlap decision given whether the previous instance is non-terminal.
pub fn overlap_action(policy: OverlapPolicy, previous_non_terminal: bool) -> OverlapAction {
    match (policy, previous_non_terminal) {
        (OverlapPolicy::Skip, true) => OverlapAction::Skip,
        (OverlapPolicy::CancelPrevious, true) => OverlapAction::CancelPreviousThenEnqueue,
        (OverlapPolicy::Skip | OverlapPolicy::CancelPrevious, false)
        | (OverlapPolicy::Allow | OverlapPolicy::Enqueue, _) => OverlapAction::Enqueue,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_names_and_the_cancel_alias() {
        assert_eq!(
            "skip".parse::<OverlapPolicy>().unwrap(),
            OverlapPolicy::Skip
        );
        assert_eq!(
            "allow".parse::<OverlapPolicy>().unwrap(),
            OverlapPolicy::Allow
        );
        assert_eq!(
            "cancel_previous".parse::<OverlapPolicy>().unwrap(),
            OverlapPolicy::CancelPrevious
        );
        assert_eq!(
            "cancel".parse::<OverlapPolicy>().unwrap(),
            OverlapPolicy::CancelPrevious
        );
        assert_eq!(
            "enqueue".parse::<OverlapPolicy>().unwrap(),
            OverlapPolicy::Enqueue
        );
        assert_eq!(OverlapPolicy::default(), OverlapPolicy::Skip);
        assert_eq!(OverlapPolicy::CancelPrevious.as_str(), "cancel_previous");
    }

    #[test]
    fn unknown_policy_lists_the_choices() {
        let message = "Skip".parse::<OverlapPolicy>().unwrap_err().to_string();
        assert!(
            message.contains("\"Skip\"") && message.contains("cancel_previous"),
            "{message}"
        );
    }

    #[test]
    fn serde_round_trip() {
        let policy: OverlapPolicy = serde_json::from_str("\"cancel\"").unwrap();
        assert_eq!(
            serde_json::to_string(&policy).unwrap(),
            "\"cancel_previous\""
        );
        assert!(serde_json::from_str::<OverlapPolicy>("\"sometimes\"").is_err());
    }

    #[test]
    fn decisions() {
        use OverlapAction::*;
        let table = [
            (OverlapPolicy::Skip, true, Skip),
            (OverlapPolicy::Skip, false, Enqueue),
            (OverlapPolicy::Allow, true, Enqueue),
            (OverlapPolicy::Allow, false, Enqueue),
            (
                OverlapPolicy::CancelPrevious,
                true,
                CancelPreviousThenEnqueue,
            ),
            (OverlapPolicy::CancelPrevious, false, Enqueue),
            (OverlapPolicy::Enqueue, true, Enqueue),
            (OverlapPolicy::Enqueue, false, Enqueue),
        ];
        for (policy, previous_non_terminal, expected) in table {
            assert_eq!(
                overlap_action(policy, previous_non_terminal),
                expected,
                "{policy} {previous_non_terminal}"
            );
        }
    }
}
