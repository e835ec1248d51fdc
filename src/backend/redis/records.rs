//! Workflow records, cron registrations and the event stream (all under the global hash tag).

use super::codec::ms;
use super::{redis_err, RedisBackend};
use crate::backend::*;
use crate::model::cron::CronJob;
use crate::model::event::{Event, EventFilter};
use crate::model::workflow::Workflow;
use async_trait::async_trait;
use ::redis::streams::StreamRangeReply;
use serde::de::DeserializeOwned;

/// Events kept in the stream (the oldest entries are dropped past this, like a ring buffer).
const EVENT_CAPACITY: usize = crate::backend::EVENT_RETENTION;
/// Events stored per stream entry (one XADD and one stored JSON array each).
const EVENTS_PER_ENTRY: usize = 500;
/// Stream entries read per round trip when listing.
const EVENT_CHUNK: usize = 100;

fn parse<T: DeserializeOwned>(what: &str, text: &str) -> BackendResult<T> {
    serde_json::from_str(text).map_err(|e| BackendError::Internal(format!("stored {what} does not decode: {e}")))
}

fn to_json<T: serde::Serialize>(value: &T) -> BackendResult<String> {
    serde_json::to_string(value).map_err(|e| BackendError::Internal(e.to_string()))
}

#[async_trait]
impl WorkflowStore for RedisBackend {
    async fn workflow_get(&self, id: &str) -> BackendResult<Option<Workflow>> {
        let json: Option<String> = ::redis::cmd("HGET")
            .arg(self.keys.workflow(id))
            .arg("json")
            .query_async(&mut self.conn())
            .await
            .map_err(redis_err)?;
        json.map(|j| parse("workflow", &j)).transpose()
    }
}

#[async_trait]
impl CronStore for RedisBackend {
    async fn cron_put(&self, cron: CronJob) -> BackendResult<CronJob> {
        let key = self.keys.cron(&cron.name);
        let mut pipe = ::redis::pipe();
        pipe.atomic();
        pipe.cmd("DEL").arg(&key).ignore();
        pipe.cmd("HSET").arg(&key).arg("json").arg(to_json(&cron)?).ignore();
        if let Some(next) = cron.next_run_at {
            pipe.cmd("HSET").arg(&key).arg("next").arg(ms(next)).ignore();
        }
        pipe.cmd("SADD").arg(self.keys.crons()).arg(&cron.name).ignore();
        pipe.cmd("PUBLISH").arg(self.keys.channel()).arg("s").ignore();
        pipe.query_async::<()>(&mut self.conn()).await.map_err(redis_err)?;
        self.horizon.wake();
        Ok(cron)
    }

    async fn cron_get(&self, name: &str) -> BackendResult<Option<CronJob>> {
        let json: Option<String> = ::redis::cmd("HGET")
            .arg(self.keys.cron(name))
            .arg("json")
            .query_async(&mut self.conn())
            .await
            .map_err(redis_err)?;
        json.map(|j| parse("cron", &j)).transpose()
    }

    async fn cron_list(&self) -> BackendResult<Vec<CronJob>> {
        let mut names: Vec<String> = ::redis::cmd("SMEMBERS")
            .arg(self.keys.crons())
            .query_async(&mut self.conn())
            .await
            .map_err(redis_err)?;
        if names.is_empty() {
            return Ok(Vec::new());
        }
        names.sort();
        let mut pipe = ::redis::pipe();
        for n in &names {
            pipe.cmd("HGET").arg(self.keys.cron(n)).arg("json");
        }
        let values: Vec<Option<String>> = pipe.query_async(&mut self.conn()).await.map_err(redis_err)?;
        values.into_iter().flatten().map(|j| parse("cron", &j)).collect()
    }

    async fn cron_delete(&self, name: &str) -> BackendResult<Option<CronJob>> {
        let mut inv = self.scripts.cron_delete.prepare_invoke();
        inv.key(self.keys.cron(name)).key(self.keys.crons()).arg(name);
        let json: Option<String> = inv.invoke_async(&mut self.conn()).await.map_err(redis_err)?;
        json.map(|j| parse("cron", &j)).transpose()
    }
}

#[async_trait]
impl EventStore for RedisBackend {
    /// One `events.lua` call: the batch becomes stream entries of up to `EVENTS_PER_ENTRY` events (one
    /// XADD per entry instead of one per event) and the oldest entries go once `EVENT_CAPACITY` is
    /// exceeded.
    async fn append_events(&self, events: Vec<Event>) -> BackendResult<()> {
        if events.is_empty() {
            return Ok(());
        }
        let mut inv = self.scripts.events.prepare_invoke();
        inv.key(self.keys.events()).key(self.keys.event_sizes()).key(self.keys.event_total()).arg(EVENT_CAPACITY);
        for chunk in events.chunks(EVENTS_PER_ENTRY) {
            inv.arg(chunk.len()).arg(to_json(&chunk)?);
        }
        self.run(&inv).await?;
        Ok(())
    }

    /// Same selection as the memory model: after a cursor, the first `limit` matches; without one, the
    /// newest `limit` matches; oldest first either way. Reads the stream in chunks and stops early.
    async fn list_events(&self, filter: &EventFilter) -> BackendResult<Vec<Event>> {
        let limit = filter.limit.max(1);
        let forward = filter.after.is_some();
        // Events with ids after the cursor were created after it, and an entry is added after its events
        // were created; start a minute before the cursor's time to absorb clock differences.
        let mut cursor = match filter.after.as_deref().and_then(cursor_ms) {
            Some(ms) => format!("{}-0", ms.saturating_sub(60_000)),
            None if forward => "-".to_string(),
            None => "+".to_string(),
        };
        let mut out = Vec::new();
        'chunks: loop {
            let mut cmd = ::redis::cmd(if forward { "XRANGE" } else { "XREVRANGE" });
            cmd.arg(self.keys.events());
            if forward {
                cmd.arg(&cursor).arg("+");
            } else {
                cmd.arg(&cursor).arg("-");
            }
            let reply: StreamRangeReply =
                cmd.arg("COUNT").arg(EVENT_CHUNK).query_async(&mut self.conn()).await.map_err(redis_err)?;
            let got = reply.ids.len();
            let Some(last) = reply.ids.last().map(|e| e.id.clone()) else { break };
            for entry in reply.ids {
                let mut events: Vec<Event> = match (entry.get::<String>("b"), entry.get::<String>("e")) {
                    (Some(batch), _) => parse("event batch", &batch)?,
                    // One event per entry (written before batching).
                    (None, Some(one)) => vec![parse("event", &one)?],
                    (None, None) => Vec::new(),
                };
                if !forward {
                    events.reverse();
                }
                for event in events {
                    if filter.matches(&event) {
                        out.push(event);
                        if out.len() == limit {
                            break 'chunks;
                        }
                    }
                }
            }
            if got < EVENT_CHUNK {
                break;
            }
            cursor = format!("({last}");
        }
        if !forward {
            out.reverse();
        }
        Ok(out)
    }
}

/// Milliseconds embedded in an `evt_<uuidv7>` cursor.
fn cursor_ms(cursor: &str) -> Option<u64> {
    let uuid = uuid::Uuid::parse_str(cursor.strip_prefix("evt_")?).ok()?;
    let (secs, nanos) = uuid.get_timestamp()?.to_unix();
    Some(secs * 1000 + u64::from(nanos) / 1_000_000)
}
