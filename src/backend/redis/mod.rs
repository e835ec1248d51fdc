//! Redis backend (`OJS_BACKEND=redis`). Every state change is one Lua script that checks the stored state
//! before writing; batches are one script call (per queue) or one pipeline. See README.md in this
//! directory for the key layout, the scripts and the cluster notes.

mod args;
mod codec;
mod commit;
mod insert;
mod jobs;
mod keys;
mod listener;
mod queues;
mod records;
mod reply;
mod scripts;
#[cfg(test)]
mod tests;

use crate::backend::{Admin, BackendError, BackendResult, Retention, Signal};
use crate::model::time::Timestamp;
use async_trait::async_trait;
use keys::Keys;
use parking_lot::Mutex;
use ::redis::aio::ConnectionManager;
use ::redis::{ErrorKind, RedisError, ScriptInvocation, Value};
use scripts::Scripts;
use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// Id -> queue entries remembered locally so most job lookups are one round trip.
const QUEUE_CACHE_CAP: usize = 200_000;

/// The `schedule` signal plus the `next_due` (ms) the background task was last told to sleep toward: new
/// due times or lease deadlines bump the signal only when they are earlier.
pub struct Horizon {
    next_due_ms: AtomicI64,
    schedule: Signal,
}

impl Horizon {
    pub fn due_written(&self, at_ms: i64) {
        let before = self.next_due_ms.fetch_min(at_ms, Ordering::AcqRel);
        if at_ms < before {
            self.schedule.bump();
        }
    }

    pub fn set(&self, next_due_ms: Option<i64>) {
        self.next_due_ms.store(next_due_ms.unwrap_or(i64::MAX), Ordering::Release);
    }

    /// Unconditional wake-up (reset, cron changes, a reconnect that may have missed messages).
    pub fn wake(&self) {
        self.schedule.bump();
    }
}

pub struct RedisBackend {
    /// One multiplexed connection: concurrent requests are pipelined on it, not serialised (a pool of
    /// four measured no faster; Redis runs one script at a time anyway).
    conn: ConnectionManager,
    keys: Keys,
    scripts: Scripts,
    ready: Signal,
    horizon: Arc<Horizon>,
    /// Id -> queue (foldhash: this map takes an insert per enqueued or claimed job).
    queue_of: Mutex<HashMap<String, String, foldhash::fast::RandomState>>,
    _listener: listener::AbortOnDrop,
    /// Tests: delete this prefix's keys (on the Redis at this URL) when the backend is dropped.
    #[cfg(test)]
    wipe_on_drop: Option<String>,
}

pub use keys::KeyLayout;

/// Connects, loads the scripts and starts the wake-up listener. `prefix` namespaces every key.
pub async fn connect(url: &str, prefix: &str) -> Result<RedisBackend, BackendError> {
    connect_with(url, prefix, KeyLayout::PerQueue).await
}

/// `connect` with an explicit key layout (see `KeyLayout`).
pub async fn connect_with(url: &str, prefix: &str, layout: KeyLayout) -> Result<RedisBackend, BackendError> {
    let unavailable = |e: RedisError| BackendError::Unavailable(format!("redis at {url}: {e}"));
    let client = ::redis::Client::open(url).map_err(unavailable)?;
    let config = ::redis::aio::ConnectionManagerConfig::new()
        .set_connection_timeout(Duration::from_secs(5))
        // A hung server surfaces as `Unavailable` instead of a request that never ends.
        .set_response_timeout(Duration::from_secs(10))
        .set_number_of_retries(2);
    // One plain connection first: a refused connection fails at once instead of going through retries.
    tokio::time::timeout(Duration::from_secs(5), client.get_multiplexed_async_connection())
        .await
        .map_err(|_| BackendError::Unavailable(format!("redis at {url}: connection timed out")))?
        .map_err(unavailable)?;
    let conn = tokio::time::timeout(Duration::from_secs(10), client.get_connection_manager_with_config(config))
        .await
        .map_err(|_| BackendError::Unavailable(format!("redis at {url}: connection timed out")))?
        .map_err(unavailable)?;
    let keys = Keys::new(prefix, layout);
    let ready = Signal::default();
    let horizon = Arc::new(Horizon { next_due_ms: AtomicI64::new(i64::MAX), schedule: Signal::default() });
    let listener = listener::spawn(client, keys.channel(), ready.clone(), horizon.clone());
    let backend = RedisBackend {
        conn,
        keys,
        scripts: Scripts::new(),
        ready,
        horizon,
        queue_of: Mutex::new(HashMap::default()),
        _listener: listener,
        #[cfg(test)]
        wipe_on_drop: None,
    };
    backend.load_scripts().await?;
    Ok(backend)
}

pub(crate) fn redis_err(e: RedisError) -> BackendError {
    if e.is_io_error() || e.is_connection_dropped() || e.is_timeout() || e.is_connection_refusal() {
        BackendError::Unavailable(format!("redis: {e}"))
    } else {
        BackendError::Internal(format!("redis: {e}"))
    }
}

impl RedisBackend {
    pub(crate) fn conn(&self) -> ConnectionManager {
        self.conn.clone()
    }

    async fn load_scripts(&self) -> BackendResult<()> {
        let mut pipe = ::redis::pipe();
        for s in self.scripts.all() {
            pipe.load_script(s);
        }
        pipe.query_async::<Vec<String>>(&mut self.conn()).await.map_err(redis_err)?;
        Ok(())
    }

    /// Runs one script call.
    pub(crate) async fn run(&self, inv: &ScriptInvocation<'_>) -> BackendResult<Value> {
        inv.invoke_async(&mut self.conn()).await.map_err(redis_err)
    }

    /// Runs several script calls in one pipeline (one round trip), reloading the scripts once if the
    /// server lost them (restart, SCRIPT FLUSH).
    pub(crate) async fn run_all(&self, invs: &[ScriptInvocation<'_>]) -> BackendResult<Vec<Value>> {
        if invs.is_empty() {
            return Ok(Vec::new());
        }
        if invs.len() == 1 {
            return Ok(vec![self.run(&invs[0]).await?]);
        }
        for round in 0..2 {
            let mut pipe = ::redis::pipe();
            for inv in invs {
                pipe.invoke_script(inv);
            }
            match pipe.query_async::<Vec<Value>>(&mut self.conn()).await {
                Ok(values) => return Ok(values),
                Err(e) if e.kind() == ErrorKind::NoScriptError && round == 0 => self.load_scripts().await?,
                Err(e) => return Err(redis_err(e)),
            }
        }
        Err(BackendError::Internal("scripts could not be loaded".into()))
    }

    /// Appends the 13 keys of a queue group.
    pub(crate) fn push_group(&self, inv: &mut ScriptInvocation<'_>, queue: &str) {
        for k in self.keys.group(queue) {
            inv.key(k);
        }
    }

    pub(crate) fn remember(&self, id: &str, queue: &str) {
        let mut map = self.queue_of.lock();
        if map.len() >= QUEUE_CACHE_CAP {
            map.clear();
        }
        map.insert(id.to_string(), queue.to_string());
    }

    pub(crate) fn forget_local(&self, id: &str) {
        self.queue_of.lock().remove(id);
    }

    /// The queue of each id: from the local cache unless `fresh`, else from the id map (one round trip
    /// for all misses). The flag says whether the answer came from the cache (and may be stale).
    pub(crate) async fn resolve(&self, ids: &[String], fresh: bool) -> BackendResult<Vec<(Option<String>, bool)>> {
        let mut out: Vec<(Option<String>, bool)> = Vec::with_capacity(ids.len());
        let mut misses = Vec::new();
        {
            let map = self.queue_of.lock();
            for (i, id) in ids.iter().enumerate() {
                match map.get(id).filter(|_| !fresh) {
                    Some(q) => out.push((Some(q.clone()), true)),
                    None => {
                        out.push((None, false));
                        misses.push(i);
                    }
                }
            }
        }
        if !misses.is_empty() {
            let fields: Vec<&str> = misses.iter().map(|&i| ids[i].as_str()).collect();
            let queues: Vec<Option<String>> = ::redis::cmd("HMGET")
                .arg(self.keys.ids())
                .arg(&fields)
                .query_async(&mut self.conn())
                .await
                .map_err(redis_err)?;
            for (&i, q) in misses.iter().zip(queues) {
                if let Some(q) = &q {
                    self.remember(&ids[i], q);
                }
                out[i] = (q, false);
            }
        }
        Ok(out)
    }

    pub(crate) async fn known_queues(&self) -> BackendResult<Vec<String>> {
        let mut queues: Vec<String> = ::redis::cmd("SMEMBERS")
            .arg(self.keys.queues())
            .query_async(&mut self.conn())
            .await
            .map_err(redis_err)?;
        queues.sort();
        Ok(queues)
    }

    /// Known queues with at least one member in any of the given group indexes (a cheap `EXISTS` per
    /// queue, so passes over many idle queues skip their scripts).
    pub(crate) async fn queues_with_any(&self, group_indexes: &[usize]) -> BackendResult<Vec<String>> {
        let queues = self.known_queues().await?;
        if queues.is_empty() {
            return Ok(queues);
        }
        let mut pipe = ::redis::pipe();
        for q in &queues {
            let group = self.keys.group(q);
            let mut cmd = ::redis::cmd("EXISTS");
            for &i in group_indexes {
                cmd.arg(&group[i]);
            }
            pipe.add_command(cmd);
        }
        let counts: Vec<u64> = pipe.query_async(&mut self.conn()).await.map_err(redis_err)?;
        Ok(queues.into_iter().zip(counts).filter(|(_, n)| *n > 0).map(|(q, _)| q).collect())
    }

    /// A new due time or lease deadline was written: wake the background task if it is earlier than the
    /// time it sleeps toward.
    pub(crate) fn due_written(&self, at_ms: i64) {
        self.horizon.due_written(at_ms);
    }

    pub(crate) fn set_horizon(&self, next_due_ms: Option<i64>) {
        self.horizon.set(next_due_ms);
    }

    pub(crate) fn jobs_ready(&self) {
        self.ready.bump();
    }
}

#[async_trait]
impl Admin for RedisBackend {
    fn name(&self) -> &'static str {
        "redis"
    }

    async fn ping(&self) -> BackendResult<()> {
        ::redis::cmd("PING").query_async::<String>(&mut self.conn()).await.map_err(redis_err)?;
        Ok(())
    }

    fn ready_signal(&self) -> watch::Receiver<u64> {
        self.ready.subscribe()
    }

    fn schedule_signal(&self) -> watch::Receiver<u64> {
        self.horizon.schedule.subscribe()
    }

    async fn prune(&self, now: Timestamp, retention: Retention, limit: usize) -> BackendResult<usize> {
        self.prune_terminal(now, retention, limit).await
    }

    async fn reset(&self) -> BackendResult<()> {
        let mut conn = self.conn();
        for pattern in self.keys.scan_patterns() {
            let mut cursor: u64 = 0;
            loop {
                let (next, batch): (u64, Vec<String>) = ::redis::cmd("SCAN")
                    .arg(cursor)
                    .arg("MATCH")
                    .arg(&pattern)
                    .arg("COUNT")
                    .arg(1000)
                    .query_async(&mut conn)
                    .await
                    .map_err(redis_err)?;
                if !batch.is_empty() {
                    ::redis::cmd("UNLINK").arg(&batch).query_async::<i64>(&mut conn).await.map_err(redis_err)?;
                }
                if next == 0 {
                    break;
                }
                cursor = next;
            }
        }
        self.queue_of.lock().clear();
        self.set_horizon(None);
        self.ready.bump();
        self.horizon.wake();
        Ok(())
    }
}
