//! Stored workflow records (chain, group, batch).

use crate::model::time::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WorkflowKind {
    Chain,
    Group,
    Batch,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WorkflowState {
    Running,
    Completed,
    Failed,
    Cancelled,
}

impl WorkflowState {
    pub fn is_terminal(self) -> bool {
        !matches!(self, Self::Running)
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Running => "running",
            Self::Completed => "completed",
            Self::Failed => "failed",
            Self::Cancelled => "cancelled",
        }
    }
}

/// Outcome of one member as the workflow has recorded it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MemberOutcome {
    Succeeded,
    Failed,
    Cancelled,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Workflow {
    pub id: String,
    pub kind: WorkflowKind,
    pub name: Option<String>,
    pub state: WorkflowState,
    pub created_at: Timestamp,
    pub completed_at: Option<Timestamp>,
    pub cancelled_at: Option<Timestamp>,
    /// The member job templates in declaration order (chain steps, group/batch jobs).
    pub templates: Vec<Value>,
    /// Job id of each member once enqueued.
    pub member_ids: Vec<Option<String>>,
    pub outcomes: Vec<Option<MemberOutcome>>,
    pub results: Vec<Option<Value>>,
    pub callbacks: Option<Value>,
    pub callback_ids: Vec<String>,
    /// Optimistic-concurrency version: every write must name the version it read.
    pub version: u64,
}
