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

    /// The wire envelope (INTEROP §2.3) as a JSON value.
    pub fn to_envelope(&self) -> Value {
        serde_json::to_value(Envelope::of(self)).unwrap_or(Value::Null)
    }
}

/// Envelope keys the server writes itself; an unknown request field with one of these names is never echoed
/// (system fields always win).
const ENVELOPE_KEYS: &[&str] = &[
    "specversion", "id", "type", "state", "queue", "args", "meta", "priority", "attempt", "max_attempts",
    "created_at", "enqueued_at", "started_at", "completed_at", "cancelled_at", "discarded_at", "scheduled_at",
    "expires_at", "timeout_ms", "visibility_timeout_ms", "tags", "retry", "unique", "schema", "result", "error",
    "errors", "retry_delay_ms", "next_attempt_at", "worker_id", "parent_results", "workflow_id", "deduplicated",
];

/// Serialises a job's wire envelope straight from the record, without building an intermediate JSON
/// value; `args` are written as the exact bytes the client sent.
pub struct Envelope<'a> {
    pub job: &'a Job,
    /// Marks a unique-policy hit that returned an existing job (batch enqueue).
    pub deduplicated: bool,
}

impl<'a> Envelope<'a> {
    pub fn of(job: &'a Job) -> Self {
        Self { job, deduplicated: false }
    }
}

struct Ts(Timestamp);

impl serde::Serialize for Ts {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format_ts(self.0))
    }
}

impl serde::Serialize for Envelope<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let job = self.job;
        let mut m = s.serialize_map(None)?;
        for (k, v) in &job.extra {
            if !ENVELOPE_KEYS.contains(&k.as_str()) {
                m.serialize_entry(k, v)?;
            }
        }
        m.serialize_entry("specversion", "1.0")?;
        m.serialize_entry("id", &job.id)?;
        m.serialize_entry("type", &job.kind)?;
        m.serialize_entry("state", job.state.as_str())?;
        m.serialize_entry("queue", &job.queue)?;
        m.serialize_entry("args", &job.args)?;
        if let Some(meta) = &job.meta {
            m.serialize_entry("meta", meta)?;
        }
        m.serialize_entry("priority", &job.priority)?;
        m.serialize_entry("attempt", &job.attempt)?;
        m.serialize_entry("max_attempts", &job.max_attempts)?;
        m.serialize_entry("created_at", &Ts(job.created_at))?;
        let stamps = [
            ("enqueued_at", job.enqueued_at),
            ("started_at", job.started_at),
            ("completed_at", job.completed_at),
            ("cancelled_at", job.cancelled_at),
            ("discarded_at", job.discarded_at),
        ];
        for (key, value) in stamps {
            if let Some(t) = value {
                m.serialize_entry(key, &Ts(t))?;
            }
        }
        if let Some(v) = &job.scheduled_at {
            m.serialize_entry("scheduled_at", v)?;
        }
        if let Some(v) = &job.expires_at {
            m.serialize_entry("expires_at", v)?;
        }
        if let Some(v) = job.timeout_ms {
            m.serialize_entry("timeout_ms", &v)?;
        }
        if let Some(v) = job.visibility_timeout_ms {
            m.serialize_entry("visibility_timeout_ms", &v)?;
        }
        if let Some(v) = &job.tags {
            m.serialize_entry("tags", v)?;
        }
        m.serialize_entry("retry", &job.retry.wire())?;
        if let Some(v) = &job.unique {
            m.serialize_entry("unique", v)?;
        }
        if let Some(v) = &job.schema {
            m.serialize_entry("schema", v)?;
        }
        if let Some(v) = &job.result {
            m.serialize_entry("result", v)?;
        }
        if let Some(v) = &job.error {
            m.serialize_entry("error", v)?;
        }
        if !job.errors.is_empty() {
            m.serialize_entry("errors", &job.errors)?;
        }
        if let Some(v) = job.retry_delay_ms {
            m.serialize_entry("retry_delay_ms", &v)?;
        }
        if let (JobState::Retryable, Some(t)) = (job.state, job.run_at) {
            m.serialize_entry("next_attempt_at", &Ts(t))?;
        }
        if let (JobState::Active, Some(w)) = (job.state, &job.worker_id) {
            m.serialize_entry("worker_id", w)?;
        }
        if let Some(p) = &job.parent_results {
            m.serialize_entry("parent_results", p)?;
        }
        if let Some(w) = &job.workflow {
            m.serialize_entry("workflow_id", &w.id)?;
        }
        if self.deduplicated {
            m.serialize_entry("deduplicated", &true)?;
        }
        m.end()
    }
}
