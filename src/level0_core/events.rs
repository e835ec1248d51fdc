//! Event shapes (INTEROP §4.17) and the sink that batches event writes off the request path.

use crate::backend::SharedBackend;
use crate::model::event::Event;
use crate::model::job::Job;
use crate::model::time::{format_ts, Timestamp};
use serde_json::{json, Map, Value};
use tokio::sync::{mpsc, oneshot};

pub fn new_event_id() -> String {
    format!("evt_{}", uuid::Uuid::now_v7())
}

/// A `job.*` event with the fields every consumer relies on, plus `extra` data fields.
pub fn job_event(kind: &str, job: &Job, now: Timestamp, extra: Value) -> Event {
    let mut data = Map::new();
    data.insert("job_id".into(), job.id.clone().into());
    data.insert("job_type".into(), job.kind.clone().into());
    data.insert("queue".into(), job.queue.clone().into());
    data.insert("state".into(), job.state.as_str().into());
    data.insert("attempt".into(), job.attempt.into());
    if let Some(w) = &job.workflow {
        data.insert("workflow_id".into(), w.id.clone().into());
    }
    if let Value::Object(more) = extra {
        data.extend(more);
    }
    Event {
        id: new_event_id(),
        kind: kind.to_string(),
        time: now,
        subject: job.id.clone(),
        queue: Some(job.queue.clone()),
        job_type: Some(job.kind.clone()),
        data: Value::Object(data),
    }
}

/// An event about something other than one job (workflow, cron, queue).
pub fn other_event(kind: &str, subject: &str, queue: Option<&str>, now: Timestamp, data: Value) -> Event {
    Event {
        id: new_event_id(),
        kind: kind.to_string(),
        time: now,
        subject: subject.to_string(),
        queue: queue.map(str::to_string),
        job_type: None,
        data,
    }
}

/// The event for a job that just entered its first state.
pub fn enqueue_event(job: &Job, now: Timestamp) -> Event {
    match job.state {
        crate::model::job::JobState::Scheduled => job_event("job.scheduled", job, now, json!({"scheduled_at": job.scheduled_at})),
        _ => job_event("job.enqueued", job, now, json!({})),
    }
}

pub fn completed_event(job: &Job, now: Timestamp) -> Event {
    let duration_ms = match (job.started_at, job.completed_at) {
        (Some(s), Some(c)) => (c - s).num_milliseconds().max(0),
        _ => 0,
    };
    job_event("job.completed", job, now, json!({"duration_ms": duration_ms, "result": job.result}))
}

/// Wire shape of an event.
pub fn render(e: &Event) -> Value {
    let mut data = e.data.clone();
    if let Value::Object(d) = &mut data {
        d.entry("timestamp").or_insert_with(|| format_ts(e.time).into());
    }
    json!({
        "specversion": "1.0",
        "id": e.id,
        "type": e.kind,
        "source": "ojs://ojs-server/api",
        "time": format_ts(e.time),
        "subject": e.subject,
        "datacontenttype": "application/json",
        "data": data,
    })
}

enum Message {
    Events(Vec<Event>),
    Flush(oneshot::Sender<()>),
}

/// Batches event writes to the backend in a background task; `flush` waits until everything sent before
/// it is stored, so a reader sees its own writes.
#[derive(Clone)]
pub struct EventSink {
    tx: mpsc::UnboundedSender<Message>,
}

impl EventSink {
    pub fn start(backend: SharedBackend) -> Self {
        let (tx, mut rx) = mpsc::unbounded_channel::<Message>();
        tokio::spawn(async move {
            while let Some(first) = rx.recv().await {
                let mut batch = Vec::new();
                let mut flushes = Vec::new();
                let mut take = |m: Message, batch: &mut Vec<Event>| match m {
                    Message::Events(e) => batch.extend(e),
                    Message::Flush(done) => flushes.push(done),
                };
                take(first, &mut batch);
                while batch.len() < 5000 {
                    match rx.try_recv() {
                        Ok(m) => take(m, &mut batch),
                        Err(_) => break,
                    }
                }
                if !batch.is_empty() {
                    if let Err(e) = backend.append_events(batch).await {
                        tracing::warn!(error = %e, "could not store events");
                    }
                }
                for done in flushes {
                    let _ = done.send(());
                }
            }
        });
        Self { tx }
    }

    pub fn emit(&self, events: Vec<Event>) {
        if !events.is_empty() {
            let _ = self.tx.send(Message::Events(events));
        }
    }

    pub async fn flush(&self) {
        let (done, wait) = oneshot::channel();
        if self.tx.send(Message::Flush(done)).is_ok() {
            let _ = wait.await;
        }
    }
}
