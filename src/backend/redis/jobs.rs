//! `JobStore` over the job scripts.

use super::args::push_fields;
use super::codec::{encode, index_score, ms};
use super::reply::{self, bad, int, items, text};
use super::{redis_err, RedisBackend};
use crate::backend::*;
use crate::model::job::{Job, JobState};
use crate::model::time::Timestamp;
use async_trait::async_trait;
use chrono::DateTime;
use ::redis::Value;
use std::collections::BTreeMap;

/// Bound on due scheduled/retryable jobs a claim promotes before claiming.
const CLAIM_PROMOTE_LIMIT: usize = 1000;

/// The error `level0_core::state::expire` records, written by the claim script.
fn expired_error() -> String {
    crate::level0_core::state::expired_error().to_string()
}

fn due_ms(job: &Job) -> Option<i64> {
    match job.state {
        JobState::Scheduled | JobState::Retryable => job.run_at.map(ms),
        JobState::Active => job.lease_deadline().map(ms),
        _ => None,
    }
}

impl RedisBackend {
    /// Signals after jobs were written: wake fetchers and, if needed, the background task.
    pub(super) fn after_write<'a>(&self, jobs: impl IntoIterator<Item = &'a Job>) {
        let mut ready = false;
        for job in jobs {
            ready |= job.state == JobState::Available;
            if let Some(at) = due_ms(job) {
                self.due_written(at);
            }
        }
        if ready {
            self.jobs_ready();
        }
    }

    /// Groups item indices by queue, keeping first-seen queue order.
    fn by_queue(queues: &[(Option<String>, bool)], pending: &[usize]) -> BTreeMap<String, Vec<usize>> {
        let mut map: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for &i in pending {
            if let Some(q) = &queues[i].0 {
                map.entry(q.clone()).or_default().push(i);
            }
        }
        map
    }
}

#[async_trait]
impl JobStore for RedisBackend {
    async fn insert(&self, jobs: Vec<NewJob>, now: Timestamp) -> BackendResult<Vec<Inserted>> {
        self.insert_jobs(jobs, now).await
    }

    async fn claim(&self, req: ClaimRequest) -> BackendResult<Claimed> {
        let mut out = Claimed::default();
        let expired_error = expired_error();
        let mut seen = Vec::new();
        for queue in &req.queues {
            let remaining = req.count.saturating_sub(out.jobs.len());
            if remaining == 0 {
                break;
            }
            if seen.contains(&queue) {
                continue;
            }
            seen.push(queue);
            let mut inv = self.scripts.claim.prepare_invoke();
            self.push_group(&mut inv, queue);
            inv.arg(ms(req.now))
                .arg(remaining)
                .arg(req.worker_id.as_deref().unwrap_or(""))
                .arg(req.visibility_timeout_ms.filter(|v| *v > 0).map(|v| v.to_string()).unwrap_or_default())
                .arg(req.default_visibility_ms)
                .arg(CLAIM_PROMOTE_LIMIT)
                .arg(&expired_error)
                .arg(self.keys.channel());
            let mut reply = items(self.run(&inv).await?)?.into_iter();
            let promoted = int(&reply.next().ok_or_else(|| bad("claim promoted"))?)?;
            let claimed = reply::jobs(reply.next().ok_or_else(|| bad("claim jobs"))?)?;
            let expired = reply::jobs(reply.next().ok_or_else(|| bad("claim expired"))?)?;
            if promoted > 0 {
                // Promoted jobs beyond this claim may serve other waiting fetchers.
                self.jobs_ready();
            }
            for j in &claimed {
                self.remember(&j.id, &j.queue);
            }
            self.after_write(claimed.iter());
            out.jobs.extend(claimed);
            out.expired.extend(expired);
        }
        Ok(out)
    }

    async fn get(&self, id: &str) -> BackendResult<Option<Job>> {
        Ok(self.get_many(&[id.to_string()]).await?.pop().flatten())
    }

    async fn get_many(&self, ids: &[String]) -> BackendResult<Vec<Option<Job>>> {
        let mut out: Vec<Option<Job>> = vec![None; ids.len()];
        let mut pending: Vec<usize> = (0..ids.len()).collect();
        let mut fresh = false;
        while !pending.is_empty() {
            let subset: Vec<String> = pending.iter().map(|&i| ids[i].clone()).collect();
            let queues = self.resolve(&subset, fresh).await?;
            let mut pipe = ::redis::pipe();
            let mut asked = Vec::new();
            for (k, (q, _)) in queues.iter().enumerate() {
                if let Some(q) = q {
                    reply::read_job(&mut pipe, &self.keys.job(q, &subset[k]));
                    asked.push(k);
                }
            }
            let replies: Vec<Value> = if asked.is_empty() {
                Vec::new()
            } else {
                pipe.query_async(&mut self.conn()).await.map_err(redis_err)?
            };
            let mut retry = Vec::new();
            for (k, value) in asked.into_iter().zip(replies) {
                match reply::maybe_job(value)? {
                    Some(job) => out[pending[k]] = Some(job),
                    None if queues[k].1 && !fresh => {
                        self.forget_local(&subset[k]);
                        retry.push(pending[k]);
                    }
                    None => {}
                }
            }
            pending = retry;
            fresh = true;
        }
        Ok(out)
    }

    async fn complete(&self, items_in: Vec<Completion>, now: Timestamp) -> BackendResult<Vec<CompleteOutcome>> {
        let ids: Vec<String> = items_in.iter().map(|c| c.id.clone()).collect();
        let results: Vec<String> =
            items_in.iter().map(|c| c.result.as_ref().map(|r| r.to_string()).unwrap_or_default()).collect();
        let mut out: Vec<CompleteOutcome> = (0..ids.len()).map(|_| CompleteOutcome::NotFound).collect();
        let mut pending: Vec<usize> = (0..ids.len()).collect();
        let mut fresh = false;
        while !pending.is_empty() {
            let queues_sub = self.resolve(&pending.iter().map(|&i| ids[i].clone()).collect::<Vec<_>>(), fresh).await?;
            let mut queues: Vec<(Option<String>, bool)> = vec![(None, false); ids.len()];
            for (k, &i) in pending.iter().enumerate() {
                queues[i] = queues_sub[k].clone();
            }
            let grouped = Self::by_queue(&queues, &pending);
            let mut invs = Vec::new();
            let mut order = Vec::new();
            for (queue, idx) in &grouped {
                let mut inv = self.scripts.complete.prepare_invoke();
                self.push_group(&mut inv, queue);
                inv.arg(ms(now)).arg(now.timestamp()).arg(idx.len());
                for &i in idx {
                    inv.key(self.keys.job(queue, &ids[i]));
                    inv.arg(&ids[i]).arg(&results[i]);
                }
                invs.push(inv);
                order.push(idx.clone());
            }
            let replies = self.run_all(&invs).await?;
            let mut retry = Vec::new();
            for (idx, value) in order.into_iter().zip(replies) {
                for (&i, item) in idx.iter().zip(items(value)?) {
                    let mut parts = items(item)?.into_iter();
                    let kind = text(&parts.next().ok_or_else(|| bad("complete kind"))?)?;
                    out[i] = match kind.as_str() {
                        "ok" => CompleteOutcome::Completed(reply::job(parts.next().ok_or_else(|| bad("job"))?)?),
                        "wf" => CompleteOutcome::WorkflowMember(reply::job(parts.next().ok_or_else(|| bad("job"))?)?),
                        "ws" => {
                            let s = text(&parts.next().ok_or_else(|| bad("state"))?)?;
                            CompleteOutcome::WrongState(JobState::parse(&s).ok_or_else(|| bad("state"))?)
                        }
                        _ => {
                            if queues[i].1 && !fresh {
                                self.forget_local(&ids[i]);
                                retry.push(i);
                            }
                            CompleteOutcome::NotFound
                        }
                    };
                }
            }
            pending = retry;
            fresh = true;
        }
        Ok(out)
    }

    async fn update_each(&self, updates: Vec<JobUpdate>) -> BackendResult<Vec<UpdateOutcome>> {
        let now = crate::model::time::now();
        let mut by_queue: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for (i, u) in updates.iter().enumerate() {
            by_queue.entry(u.job.queue.as_str()).or_default().push(i);
        }
        let encoded = updates.iter().map(|u| encode(&u.job)).collect::<BackendResult<Vec<_>>>()?;
        let mut invs = Vec::new();
        for (queue, idx) in &by_queue {
            let mut inv = self.scripts.update.prepare_invoke();
            self.push_group(&mut inv, queue);
            inv.arg(self.keys.channel()).arg(idx.len()).arg(1).arg(now.timestamp());
            for &i in idx {
                let u = &updates[i];
                inv.key(self.keys.job(queue, &u.job.id));
                inv.arg(1)
                    .arg(&u.job.id)
                    .arg(u.guard.state.as_str())
                    .arg(u.guard.attempt.map(|a| a.to_string()).unwrap_or_default())
                    .arg(index_score(&u.job, now));
                push_fields(&mut inv, &encoded[i]);
            }
            invs.push(inv);
        }
        let replies = self.run_all(&invs).await?;
        let mut out: Vec<UpdateOutcome> = (0..updates.len()).map(|_| UpdateOutcome::NotFound).collect();
        for (idx, value) in by_queue.values().zip(replies) {
            for (&i, item) in idx.iter().zip(items(value)?) {
                let mut parts = items(item)?.into_iter();
                let kind = text(&parts.next().ok_or_else(|| bad("update kind"))?)?;
                out[i] = match kind.as_str() {
                    "ok" => UpdateOutcome::Applied(reply::job(parts.next().ok_or_else(|| bad("job"))?)?),
                    "cf" => {
                        let s = text(&parts.next().ok_or_else(|| bad("state"))?)?;
                        UpdateOutcome::Conflict(JobState::parse(&s).ok_or_else(|| bad("state"))?)
                    }
                    _ => UpdateOutcome::NotFound,
                };
            }
        }
        self.after_write(out.iter().filter_map(|o| match o {
            UpdateOutcome::Applied(j) => Some(j),
            _ => None,
        }));
        Ok(out)
    }

    async fn commit(&self, commit: Commit) -> BackendResult<CommitOutcome> {
        self.commit_all(commit).await
    }

    async fn due_pass(&self, now: Timestamp, limit: usize) -> BackendResult<DuePass> {
        // Group indexes 2..=4: scheduled, retryable, active.
        let queues = self.queues_with_any(&[2, 3, 4]).await?;
        let share = limit.div_ceil(queues.len().max(1)).max(1);
        let mut invs = Vec::new();
        for q in &queues {
            let mut inv = self.scripts.due.prepare_invoke();
            self.push_group(&mut inv, q);
            inv.arg(ms(now)).arg(share).arg(share).arg(self.keys.channel());
            invs.push(inv);
        }
        let mut pass = DuePass::default();
        let mut next: Option<f64> = None;
        for value in self.run_all(&invs).await? {
            let mut parts = items(value)?.into_iter();
            pass.promoted += int(&parts.next().ok_or_else(|| bad("promoted"))?)? as usize;
            pass.expired_leases.extend(reply::jobs(parts.next().ok_or_else(|| bad("leases"))?)?);
            for score in items(parts.next().ok_or_else(|| bad("scores"))?)? {
                if let Ok(s) = text(&score)?.parse::<f64>() {
                    if s.is_finite() {
                        next = Some(next.map_or(s, |n| n.min(s)));
                    }
                }
            }
        }
        let next_ms = next.map(|s| s as i64);
        pass.next_due = next_ms.and_then(DateTime::from_timestamp_millis);
        self.set_horizon(next_ms);
        if pass.promoted > 0 {
            self.jobs_ready();
        }
        Ok(pass)
    }

    async fn heartbeat(&self, ids: &[String], extend_ms: Option<u64>, default_ms: u64, now: Timestamp)
        -> BackendResult<Vec<Job>> {
        let mut by_id = std::collections::HashMap::new();
        let mut pending: Vec<String> = ids.to_vec();
        let mut cached_queue: std::collections::HashMap<String, String> = std::collections::HashMap::new();
        let mut fresh = false;
        while !pending.is_empty() {
            let queues = self.resolve(&pending, fresh).await?;
            let all: Vec<usize> = (0..pending.len()).collect();
            let mut invs = Vec::new();
            for (queue, idx) in &Self::by_queue(&queues, &all) {
                // On the fresh pass, only ids whose queue differs from the cached guess are worth a retry.
                let idx: Vec<usize> =
                    idx.iter().copied().filter(|&i| !fresh || cached_queue.get(&pending[i]) != Some(queue)).collect();
                if idx.is_empty() {
                    continue;
                }
                let mut inv = self.scripts.heartbeat.prepare_invoke();
                self.push_group(&mut inv, queue);
                inv.arg(ms(now)).arg(extend_ms.map(|e| e.to_string()).unwrap_or_default()).arg(default_ms).arg(idx.len());
                for &i in &idx {
                    inv.key(self.keys.job(queue, &pending[i]));
                    inv.arg(&pending[i]);
                }
                invs.push(inv);
            }
            for value in self.run_all(&invs).await? {
                for job in reply::jobs(value)? {
                    by_id.insert(job.id.clone(), job);
                }
            }
            if fresh {
                break;
            }
            // Ids located through the local cache that were not extended may have moved (stale entry).
            let mut retry = Vec::new();
            for (id, (queue, cached)) in pending.iter().zip(queues) {
                if let (Some(q), true) = (queue, cached) {
                    if !by_id.contains_key(id) {
                        self.forget_local(id);
                        cached_queue.insert(id.clone(), q);
                        retry.push(id.clone());
                    }
                }
            }
            pending = retry;
            fresh = true;
        }
        // Extended jobs in request order.
        let out: Vec<Job> = ids.iter().filter_map(|id| by_id.remove(id)).collect();
        self.after_write(out.iter());
        Ok(out)
    }
}
