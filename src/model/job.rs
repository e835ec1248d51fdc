//! The stored job record and its wire envelope.

use crate::level1_reliable::retry::RetryPolicy;
use crate::model::time::{format_ts, Timestamp};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

/// The eight lifecycle states.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum JobState {
    Scheduled,
    Available,
    Pending,
    Active,
    Completed,
    Retryable,
    Cancelled,
    Discarded,
}

impl JobState {
    pub const ALL: [JobState; 8] = [
        Self::Scheduled,
        Self::Available,
        Self::Pending,
        Self::Active,
        Self::Completed,
        Self::Retryable,
        Self::Cancelled,
        Self::Discarded,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Scheduled => "scheduled",
            Self::Available => "available",
            Self::Pending => "pending",
            Self::Active => "active",
            Self::Completed => "completed",
            Self::Retryable => "retryable",
            Self::Cancelled => "cancelled",
            Self::Discarded => "discarded",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }

    pub fn is_terminal(self) -> bool {
        matches!(self, Self::Completed | Self::Cancelled | Self::Discarded)
    }
}

impl std::fmt::Display for JobState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A job's membership in a workflow.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WorkflowRef {
    pub id: String,
    /// Step index (chain) or member index (group/batch); `None` for batch callbacks.
    pub index: Option<u32>,
}

/// A job as stored by every backend. The first block is fixed at creation; the second block is the
/// mutable status that guarded transitions change.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Job {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub queue: String,
    /// Kept as the client's exact bytes so numbers like 3.14 echo unchanged.
    pub args: Box<RawValue>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Map<String, Value>>,
    pub priority: i32,
    pub max_attempts: u32,
    pub retry: RetryPolicy,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visibility_timeout_ms: Option<u64>,
    /// Echo text of `scheduled_at` (absolute input byte-for-byte, relative input resolved).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheduled_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at_ts: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Value>,
    /// The unique policy as sent, echoed on the envelope.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unique: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unique_key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// Unknown top-level request fields, echoed verbatim.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub extra: Map<String, Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workflow: Option<WorkflowRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_results: Option<Vec<Value>>,
    pub created_at: Timestamp,

    // --- mutable status ---
    pub state: JobState,
    pub attempt: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enqueued_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancelled_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discarded_at: Option<Timestamp>,
    /// When a `scheduled` or `retryable` job becomes due.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub worker_id: Option<String>,
    /// Visibility (reservation) deadline while `active`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visible_until: Option<Timestamp>,
    /// Execution deadline (`started_at + timeout_ms`) while `active`; heartbeats do not move it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exec_deadline: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<Value>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_delay_ms: Option<u64>,
    /// Whether the job sits in the dead letter queue.
    #[serde(default)]
    pub dead_letter: bool,
}

impl Job {
    /// The earliest moment the server must look at an `active` job again.
    pub fn lease_deadline(&self) -> Option<Timestamp> {
        match (self.visible_until, self.exec_deadline) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    pub fn meta_str(&self, key: &str) -> Option<&str> {
        self.meta.as_ref()?.get(key)?.as_str()
    }

    /// The wire envelope (INTEROP §2.3).
    pub fn to_envelope(&self) -> Value {
        let mut out = Map::new();
        // Unknown fields first, so system fields always win.
        for (k, v) in &self.extra {
            out.insert(k.clone(), v.clone());
        }
        let ts = |t: Timestamp| Value::String(format_ts(t));
        out.insert("specversion".into(), "1.0".into());
        out.insert("id".into(), self.id.clone().into());
        out.insert("type".into(), self.kind.clone().into());
        out.insert("state".into(), self.state.as_str().into());
        out.insert("queue".into(), self.queue.clone().into());
        let args: Value = serde_json::from_str(self.args.get()).unwrap_or(Value::Null);
        out.insert("args".into(), args);
        if let Some(meta) = &self.meta {
            out.insert("meta".into(), Value::Object(meta.clone()));
        }
        out.insert("priority".into(), self.priority.into());
        out.insert("attempt".into(), self.attempt.into());
        out.insert("max_attempts".into(), self.max_attempts.into());
        out.insert("created_at".into(), ts(self.created_at));
        let optional_ts = [
            ("enqueued_at", self.enqueued_at),
            ("started_at", self.started_at),
            ("completed_at", self.completed_at),
            ("cancelled_at", self.cancelled_at),
            ("discarded_at", self.discarded_at),
        ];
        for (key, value) in optional_ts {
            if let Some(t) = value {
                out.insert(key.into(), ts(t));
            }
        }
        if let Some(s) = &self.scheduled_at {
            out.insert("scheduled_at".into(), s.clone().into());
        }
        if let Some(s) = &self.expires_at {
            out.insert("expires_at".into(), s.clone().into());
        }
        if let Some(t) = self.timeout_ms {
            out.insert("timeout_ms".into(), t.into());
        }
        if let Some(t) = self.visibility_timeout_ms {
            out.insert("visibility_timeout_ms".into(), t.into());
        }
        if let Some(tags) = &self.tags {
            out.insert("tags".into(), tags.clone());
        }
        out.insert("retry".into(), self.retry.to_wire());
        if let Some(u) = &self.unique {
            out.insert("unique".into(), u.clone());
        }
        if let Some(s) = &self.schema {
            out.insert("schema".into(), s.clone().into());
        }
        if let Some(r) = &self.result {
            out.insert("result".into(), r.clone());
        }
        if let Some(e) = &self.error {
            out.insert("error".into(), e.clone());
        }
        if !self.errors.is_empty() {
            out.insert("errors".into(), Value::Array(self.errors.clone()));
        }
        if let Some(d) = self.retry_delay_ms {
            out.insert("retry_delay_ms".into(), d.into());
        }
        if self.state == JobState::Retryable {
            if let Some(t) = self.run_at {
                out.insert("next_attempt_at".into(), ts(t));
            }
        }
        if let Some(w) = &self.worker_id {
            if self.state == JobState::Active {
                out.insert("worker_id".into(), w.clone().into());
            }
        }
        if let Some(p) = &self.parent_results {
            out.insert("parent_results".into(), Value::Array(p.clone()));
        }
        if let Some(w) = &self.workflow {
            out.insert("workflow_id".into(), w.id.clone().into());
        }
        Value::Object(out)
    }
}
