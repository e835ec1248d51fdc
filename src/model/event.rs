//! Lifecycle events as served by `GET /ojs/v1/events`.

use crate::model::time::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Event {
    /// `evt_<uuidv7>`; also the cursor.
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub time: Timestamp,
    /// Job id, workflow id, cron name or queue name the event is about.
    pub subject: String,
    pub queue: Option<String>,
    pub job_type: Option<String>,
    pub data: Value,
}

/// Filter for listing events; every set field must match.
#[derive(Clone, Debug, Default)]
pub struct EventFilter {
    pub types: Vec<String>,
    pub queues: Vec<String>,
    pub job_types: Vec<String>,
    /// Only events with an id greater than this cursor.
    pub after: Option<String>,
    pub limit: usize,
}

impl EventFilter {
    pub fn matches(&self, e: &Event) -> bool {
        let in_list = |list: &Vec<String>, v: Option<&str>| list.is_empty() || v.is_some_and(|v| list.iter().any(|x| x == v));
        in_list(&self.types, Some(&e.kind))
            && in_list(&self.queues, e.queue.as_deref())
            && in_list(&self.job_types, e.job_type.as_deref())
            && self.after.as_ref().is_none_or(|a| e.id.as_str() > a.as_str())
    }
}
