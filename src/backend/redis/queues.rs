//! Queue controls and statistics, the dead letter queue, and retention pruning.

use super::codec::ms;
use super::reply::{self, items, text};
use super::{redis_err, RedisBackend};
use crate::backend::*;
use crate::model::time::Timestamp;
use async_trait::async_trait;
use ::redis::Value;

impl RedisBackend {
    /// Clears the global references (id map, unique keys) of deleted jobs: `(queue, id, unique key)`.
    async fn forget(&self, deleted: &[(String, String, String)]) -> BackendResult<()> {
        if deleted.is_empty() {
            return Ok(());
        }
        let ids_key = self.keys.ids();
        let mut inv = self.scripts.forget.prepare_invoke();
        inv.key(&ids_key);
        for (queue, id, uk) in deleted {
            inv.key(if uk.is_empty() { &ids_key } else { uk });
            inv.arg(id).arg(format!("{queue}\n{id}"));
            self.forget_local(id);
        }
        self.run(&inv).await?;
        Ok(())
    }

    /// Deletes terminal jobs past retention, queue by queue while the budget lasts (exactly `limit` at
    /// most, so a full batch reliably means "there may be more").
    pub(crate) async fn prune_terminal(&self, now: Timestamp, retention: Retention, limit: usize) -> BackendResult<usize> {
        // Group indexes 6..=8: completed, cancelled, discarded.
        let queues = self.queues_with_any(&[6, 7, 8]).await?;
        let completed_cutoff = ms(now) - retention.completed_ms as i64;
        let discarded_cutoff = ms(now) - retention.discarded_ms as i64;
        let mut deleted = Vec::new();
        for q in &queues {
            let budget = limit.saturating_sub(deleted.len());
            if budget == 0 {
                break;
            }
            let mut inv = self.scripts.prune.prepare_invoke();
            self.push_group(&mut inv, q);
            inv.arg(completed_cutoff).arg(discarded_cutoff).arg(budget);
            let flat = items(self.run(&inv).await?)?;
            for pair in flat.chunks(2) {
                if let [id, uk] = pair {
                    deleted.push((q.clone(), text(id)?, text(uk)?));
                }
            }
        }
        self.forget(&deleted).await?;
        Ok(deleted.len())
    }
}

#[async_trait]
impl QueueStore for RedisBackend {
    async fn set_paused(&self, queue: &str, paused: bool) -> BackendResult<()> {
        let meta = self.keys.group(queue)[0].clone();
        let mut pipe = ::redis::pipe();
        pipe.cmd("HSET").arg(&meta).arg("paused").arg(if paused { "1" } else { "0" }).ignore();
        pipe.cmd("SADD").arg(self.keys.queues()).arg(queue).ignore();
        if !paused {
            pipe.cmd("PUBLISH").arg(self.keys.channel()).arg("r").ignore();
        }
        pipe.query_async::<()>(&mut self.conn()).await.map_err(redis_err)?;
        if !paused {
            self.jobs_ready();
        }
        Ok(())
    }

    async fn set_rate_limit(&self, queue: &str, limit: RateLimit) -> BackendResult<()> {
        let meta = self.keys.group(queue)[0].clone();
        let mut pipe = ::redis::pipe();
        for (field, value) in [("mps", limit.max_per_second), ("conc", limit.concurrency)] {
            match value {
                Some(v) => pipe.cmd("HSET").arg(&meta).arg(field).arg(v).ignore(),
                None => pipe.cmd("HDEL").arg(&meta).arg(field).ignore(),
            };
        }
        pipe.cmd("SADD").arg(self.keys.queues()).arg(queue).ignore();
        pipe.query_async::<()>(&mut self.conn()).await.map_err(redis_err)?;
        Ok(())
    }

    async fn stats(&self, queue: &str, now: Timestamp) -> BackendResult<QueueStats> {
        let [meta, ready, scheduled, retryable, active, pending, _completed, cancelled, discarded, dead, _rate, cps, _] =
            self.keys.group(queue);
        let mut pipe = ::redis::pipe();
        pipe.cmd("HMGET").arg(&meta).arg("paused").arg("completed");
        for k in [&ready, &scheduled, &retryable, &active] {
            pipe.cmd("ZCARD").arg(k);
        }
        pipe.cmd("SCARD").arg(&pending);
        for k in [&cancelled, &discarded, &dead] {
            pipe.cmd("ZCARD").arg(k);
        }
        pipe.cmd("HGETALL").arg(&cps);
        type Reply = ((Option<String>, Option<u64>), u64, u64, u64, u64, u64, u64, u64, u64, Vec<(i64, u64)>);
        let ((paused, completed), available, scheduled, retryable, active, pending, cancelled, discarded, dead, buckets): Reply =
            pipe.query_async(&mut self.conn()).await.map_err(redis_err)?;
        let second = now.timestamp();
        Ok(QueueStats {
            name: queue.to_string(),
            paused: paused.as_deref() == Some("1"),
            available,
            active,
            scheduled,
            retryable,
            pending,
            completed: completed.unwrap_or(0),
            discarded: discarded + dead,
            cancelled,
            dead,
            completed_last_minute: buckets.iter().filter(|(s, _)| *s > second - 60 && *s <= second).map(|(_, c)| c).sum(),
        })
    }

    async fn list_queues(&self) -> BackendResult<Vec<QueueInfo>> {
        let queues = self.known_queues().await?;
        if queues.is_empty() {
            return Ok(Vec::new());
        }
        let mut pipe = ::redis::pipe();
        for q in &queues {
            pipe.cmd("HGET").arg(&self.keys.group(q)[0]).arg("paused");
        }
        let paused: Vec<Option<String>> = pipe.query_async(&mut self.conn()).await.map_err(redis_err)?;
        Ok(queues
            .into_iter()
            .zip(paused)
            .map(|(name, p)| QueueInfo { name, paused: p.as_deref() == Some("1") })
            .collect())
    }
}

#[async_trait]
impl DeadLetterStore for RedisBackend {
    async fn dead_letter_list(&self, queue: Option<&str>, limit: usize, offset: usize) -> BackendResult<DeadLetterPage> {
        let queues = match queue {
            Some(q) => vec![q.to_string()],
            None => self.known_queues().await?,
        };
        if queues.is_empty() {
            return Ok(DeadLetterPage { jobs: Vec::new(), total: 0 });
        }
        let mut pipe = ::redis::pipe();
        for q in &queues {
            pipe.cmd("ZRANGE").arg(&self.keys.group(q)[9]).arg(0).arg(-1).arg("WITHSCORES");
        }
        let per_queue: Vec<Vec<(String, f64)>> = pipe.query_async(&mut self.conn()).await.map_err(redis_err)?;
        // Oldest entry first across queues, like the memory model.
        let mut entries: Vec<(f64, String, &String)> = Vec::new();
        for (q, list) in queues.iter().zip(per_queue) {
            entries.extend(list.into_iter().map(|(id, score)| (score, id, q)));
        }
        entries.sort_by(|a, b| a.0.total_cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
        let total = entries.len() as u64;
        let page: Vec<_> = entries.into_iter().skip(offset).take(limit).collect();
        if page.is_empty() {
            return Ok(DeadLetterPage { jobs: Vec::new(), total });
        }
        let mut pipe = ::redis::pipe();
        for (_, id, q) in &page {
            reply::read_job(&mut pipe, &self.keys.job(q, id));
        }
        let values: Vec<Value> = pipe.query_async(&mut self.conn()).await.map_err(redis_err)?;
        let mut jobs = Vec::with_capacity(values.len());
        for v in values {
            if let Some(job) = reply::maybe_job(v)? {
                jobs.push(job);
            }
        }
        Ok(DeadLetterPage { jobs, total })
    }

    async fn dead_letter_delete(&self, id: &str) -> BackendResult<bool> {
        for fresh in [false, true] {
            let Some((Some(queue), cached)) = self.resolve(&[id.to_string()], fresh).await?.pop() else {
                return Ok(false);
            };
            let mut inv = self.scripts.dead_delete.prepare_invoke();
            self.push_group(&mut inv, &queue);
            inv.key(self.keys.job(&queue, id)).arg(id);
            match self.run(&inv).await? {
                Value::Nil => {
                    if cached && !fresh {
                        self.forget_local(id);
                        continue;
                    }
                    return Ok(false);
                }
                uk => {
                    self.forget(&[(queue, id.to_string(), text(&uk)?)]).await?;
                    return Ok(true);
                }
            }
        }
        Ok(false)
    }
}
