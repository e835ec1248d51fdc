//! The embedded backend and the reference model for every other backend: one mutex-guarded store (never
//! held across an `.await`), per-queue ready order by (priority desc, insertion sequence), ordered due-time
//! and lease indexes, so push, fetch and ack of a batch cost O(batch · log n).

mod queue;
mod store;

use super::*;
use crate::level0_core::state;
use crate::model::job::JobState;
use parking_lot::Mutex;
use store::{HashMap, Store};

pub struct MemoryBackend {
    store: Mutex<Store>,
    /// The store's signals, reachable without its lock (every long-poll fetch subscribes).
    ready: Signal,
    schedule: Signal,
}

impl Default for MemoryBackend {
    fn default() -> Self {
        let store = Store::default();
        let (ready, schedule) = (store.ready_signal.clone(), store.schedule_signal.clone());
        Self { store: Mutex::new(store), ready, schedule }
    }
}

impl MemoryBackend {
    pub fn new() -> Self {
        Self::default()
    }
}

#[async_trait]
impl JobStore for MemoryBackend {
    async fn insert(&self, jobs: Vec<NewJob>, now: Timestamp) -> BackendResult<Vec<Inserted>> {
        let mut store = self.store.lock();
        // Phase 1: decide every item without writing, so the batch is all-or-nothing.
        enum Plan {
            Create,
            Existing(Job),
            ExistingInBatch(usize),
            Replace(String),
        }
        let mut plans = Vec::with_capacity(jobs.len());
        let mut batch_ids = std::collections::HashSet::new();
        let mut batch_keys: HashMap<&str, usize> = HashMap::default();
        for (index, new) in jobs.iter().enumerate() {
            if store.jobs.contains_key(&new.job.id) || !batch_ids.insert(new.job.id.as_str()) {
                return Err(BackendError::DuplicateId { index, id: new.job.id.clone() });
            }
            let Some(claim) = &new.unique else {
                plans.push(Plan::Create);
                continue;
            };
            let conflict_err = |existing_id: &str| BackendError::UniqueConflict {
                index,
                existing_id: existing_id.to_string(),
                key: claim.key.clone(),
            };
            if let Some(&earlier) = batch_keys.get(claim.key.as_str()) {
                let holder = &jobs[earlier].job;
                if claim.conflicts_with(holder, now) {
                    match claim.on_conflict {
                        OnConflict::Ignore => {
                            plans.push(Plan::ExistingInBatch(earlier));
                            continue;
                        }
                        _ => return Err(conflict_err(&holder.id)),
                    }
                }
            } else if let Some(holder) = store.unique.get(&claim.key).and_then(|id| store.get(id)) {
                if claim.conflicts_with(holder, now) {
                    match claim.on_conflict {
                        OnConflict::Reject => return Err(conflict_err(&holder.id)),
                        OnConflict::Ignore => {
                            plans.push(Plan::Existing(holder.clone()));
                            continue;
                        }
                        OnConflict::Replace | OnConflict::ReplaceExceptSchedule if holder.state == JobState::Active => {
                            return Err(conflict_err(&holder.id))
                        }
                        OnConflict::Replace | OnConflict::ReplaceExceptSchedule => {
                            batch_keys.insert(&claim.key, index);
                            plans.push(Plan::Replace(holder.id.clone()));
                            continue;
                        }
                    }
                }
            }
            batch_keys.insert(&claim.key, index);
            plans.push(Plan::Create);
        }
        // Phase 2: apply.
        let mut created: Vec<Option<Job>> = Vec::with_capacity(jobs.len());
        let mut out = Vec::with_capacity(jobs.len());
        for (new, plan) in jobs.into_iter().zip(plans) {
            let result = match plan {
                Plan::Existing(holder) => Inserted::Existing(holder),
                Plan::ExistingInBatch(i) => Inserted::Existing(created[i].clone().expect("earlier item was created")),
                Plan::Create | Plan::Replace(_) => {
                    let replaced = match &plan {
                        Plan::Replace(old_id) => {
                            let old = store.get(old_id).cloned().expect("holder exists");
                            Some(store.put(state::cancel(old, now), now))
                        }
                        _ => None,
                    };
                    if let Some(claim) = &new.unique {
                        store.unique.insert(claim.key.clone(), new.job.id.clone());
                    }
                    let mut new_job = new.job;
                    if let (Some(old), Some(OnConflict::ReplaceExceptSchedule)) = (&replaced, new.unique.as_ref().map(|c| c.on_conflict)) {
                        crate::level4_advanced::unique::keep_schedule(&mut new_job, old);
                    }
                    let job = store.put(new_job, now);
                    match replaced {
                        Some(old) => Inserted::Replaced(job, old),
                        None => Inserted::Created(job),
                    }
                }
            };
            created.push(match &result {
                Inserted::Created(j) | Inserted::Replaced(j, _) => Some(j.clone()),
                Inserted::Existing(_) => None,
            });
            out.push(result);
        }
        Ok(out)
    }

    async fn claim(&self, req: ClaimRequest) -> BackendResult<Claimed> {
        let mut store = self.store.lock();
        promote_due(&mut store, req.now, usize::MAX);
        let now_ms = req.now.timestamp_millis();
        let mut claimed = Claimed::default();
        for queue_name in &req.queues {
            if claimed.jobs.len() >= req.count {
                break;
            }
            let queue = store.queue(queue_name);
            if queue.paused {
                continue;
            }
            let mut allowance = queue.deliverable(now_ms).unwrap_or(u64::MAX);
            let mut delivered = 0;
            while claimed.jobs.len() < req.count && allowance > 0 {
                let Some(id) = store.first_ready(queue_name) else { break };
                let job = store.get(&id).cloned().expect("indexed job exists");
                if job.expires_at_ts.is_some_and(|t| t <= req.now) {
                    claimed.expired.push(store.put(state::expire(job, req.now), req.now));
                    continue;
                }
                let mut job = job;
                job.state = JobState::Active;
                job.attempt += 1;
                job.started_at = Some(req.now);
                job.worker_id = req.worker_id.clone();
                let visibility = req.visibility_timeout_ms.or(job.visibility_timeout_ms).unwrap_or(req.default_visibility_ms);
                job.visible_until = Some(crate::model::time::add_ms(req.now, visibility));
                job.exec_deadline = job.timeout_ms.map(|t| crate::model::time::add_ms(req.now, t));
                claimed.jobs.push(store.put(job, req.now));
                allowance -= 1;
                delivered += 1;
            }
            store.queue(queue_name).record_deliveries(delivered);
        }
        Ok(claimed)
    }

    async fn get(&self, id: &str) -> BackendResult<Option<Job>> {
        Ok(self.store.lock().get(id).cloned())
    }

    async fn get_many(&self, ids: &[String]) -> BackendResult<Vec<Option<Job>>> {
        let store = self.store.lock();
        Ok(ids.iter().map(|id| store.get(id).cloned()).collect())
    }

    async fn complete(&self, items: Vec<Completion>, now: Timestamp) -> BackendResult<Vec<CompleteOutcome>> {
        let mut store = self.store.lock();
        let now_ms = now.timestamp_millis();
        Ok(items
            .into_iter()
            .map(|item| {
                let Some(job) = store.get(&item.id) else { return CompleteOutcome::NotFound };
                if job.state != JobState::Active {
                    return CompleteOutcome::WrongState(job.state);
                }
                if job.workflow.is_some() {
                    return CompleteOutcome::WorkflowMember(job.clone());
                }
                let done = state::complete(job.clone(), item.result, now);
                let done = store.put(done, now);
                store.queue(&done.queue).record_completion(now_ms);
                CompleteOutcome::Completed(done)
            })
            .collect())
    }

    async fn update_each(&self, updates: Vec<JobUpdate>) -> BackendResult<Vec<UpdateOutcome>> {
        let mut store = self.store.lock();
        let now = crate::model::time::now();
        Ok(updates.into_iter().map(|u| apply_update(&mut store, u, now)).collect())
    }

    async fn commit(&self, commit: Commit) -> BackendResult<CommitOutcome> {
        let mut store = self.store.lock();
        let now = crate::model::time::now();
        for (index, update) in commit.updates.iter().enumerate() {
            let current = store.get(&update.job.id);
            if !current.is_some_and(|j| update.guard.holds_for(j)) {
                return Ok(CommitOutcome::Conflict(ConflictAt::Job { index, current: current.map(|j| j.state) }));
            }
        }
        if let Some(w) = &commit.workflow {
            let stored = store.workflows.get(&w.workflow.id).map_or(0, |s| s.version);
            if stored != w.expect_version {
                return Ok(CommitOutcome::Conflict(ConflictAt::Workflow));
            }
        }
        if let Some(c) = &commit.cron {
            let stored = store.crons.get(&c.cron.name);
            if stored.is_none_or(|s| s.next_run_at != c.expect_next_run_at) {
                return Ok(CommitOutcome::Conflict(ConflictAt::Cron));
            }
        }
        if let Some(dup) = commit.inserts.iter().find(|j| store.jobs.contains_key(&j.id)) {
            return Ok(CommitOutcome::Conflict(ConflictAt::DuplicateId(dup.id.clone())));
        }
        let mut out = Vec::with_capacity(commit.updates.len() + commit.inserts.len());
        for update in commit.updates {
            out.push(put_transition(&mut store, update.job, now));
        }
        for job in commit.inserts {
            out.push(store.put(job, now));
        }
        if let Some(w) = commit.workflow {
            store.workflows.insert(w.workflow.id.clone(), w.workflow);
        }
        if let Some(c) = commit.cron {
            store.crons.insert(c.cron.name.clone(), c.cron);
        }
        Ok(CommitOutcome::Applied(out))
    }

    async fn due_pass(&self, now: Timestamp, limit: usize) -> BackendResult<DuePass> {
        let mut store = self.store.lock();
        let promoted = promote_due(&mut store, now, limit);
        let now_ms = now.timestamp_millis();
        let expired_leases = store
            .leases
            .iter()
            .take_while(|(t, _)| *t <= now_ms)
            .take(limit)
            .filter_map(|(_, id)| store.get(id).cloned())
            .collect::<Vec<_>>();
        let next_due = store
            .next_due()
            .and_then(chrono::DateTime::from_timestamp_millis);
        Ok(DuePass { promoted, expired_leases, next_due })
    }

    async fn heartbeat(&self, ids: &[String], extend_ms: Option<u64>, default_ms: u64, now: Timestamp) -> BackendResult<Vec<Job>> {
        let mut store = self.store.lock();
        let mut extended = Vec::new();
        for id in ids {
            let Some(job) = store.get(id).filter(|j| j.state == JobState::Active).cloned() else { continue };
            let mut job = job;
            let ms = extend_ms.or(job.visibility_timeout_ms).unwrap_or(default_ms);
            job.visible_until = Some(crate::model::time::add_ms(now, ms));
            extended.push(store.put(job, now));
        }
        Ok(extended)
    }
}

/// Moves due scheduled/retryable jobs to `available` (at most `limit`).
fn promote_due(store: &mut Store, now: Timestamp, limit: usize) -> usize {
    let now_ms = now.timestamp_millis();
    let due: Vec<String> = store.due.iter().take_while(|(t, _)| *t <= now_ms).take(limit).map(|(_, id)| id.clone()).collect();
    for id in &due {
        if let Some(job) = store.get(id).cloned() {
            store.put(state::make_available(job, now), now);
        }
    }
    due.len()
}

fn apply_update(store: &mut Store, update: JobUpdate, now: Timestamp) -> UpdateOutcome {
    match store.get(&update.job.id) {
        None => UpdateOutcome::NotFound,
        Some(current) if !update.guard.holds_for(current) => UpdateOutcome::Conflict(current.state),
        Some(_) => UpdateOutcome::Applied(put_transition(store, update.job, now)),
    }
}

/// Stores a transitioned job, counting completions for queue throughput.
fn put_transition(store: &mut Store, job: Job, now: Timestamp) -> Job {
    let completing = job.state == JobState::Completed && store.get(&job.id).is_some_and(|j| j.state != JobState::Completed);
    let job = store.put(job, now);
    if completing {
        store.queue(&job.queue).record_completion(now.timestamp_millis());
    }
    job
}

#[async_trait]
impl QueueStore for MemoryBackend {
    async fn set_paused(&self, queue: &str, paused: bool) -> BackendResult<()> {
        let mut store = self.store.lock();
        store.queue(queue).paused = paused;
        if !paused {
            store.ready_signal.bump();
        }
        Ok(())
    }

    async fn set_rate_limit(&self, queue: &str, limit: RateLimit) -> BackendResult<()> {
        self.store.lock().queue(queue).rate_limit = limit;
        Ok(())
    }

    async fn stats(&self, queue: &str, now: Timestamp) -> BackendResult<QueueStats> {
        let store = self.store.lock();
        Ok(match store.queues.get(queue) {
            Some(q) => q.stats(queue, now.timestamp_millis()),
            None => QueueStats { name: queue.to_string(), ..Default::default() },
        })
    }

    async fn list_queues(&self) -> BackendResult<Vec<QueueInfo>> {
        let store = self.store.lock();
        let mut queues: Vec<QueueInfo> = store.queues.iter().map(|(name, q)| QueueInfo { name: name.clone(), paused: q.paused }).collect();
        queues.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(queues)
    }
}

#[async_trait]
impl DeadLetterStore for MemoryBackend {
    async fn dead_letter_list(&self, queue: Option<&str>, limit: usize, offset: usize) -> BackendResult<DeadLetterPage> {
        let store = self.store.lock();
        let matching: Vec<&Job> = store
            .dead_letter
            .iter()
            .filter_map(|(_, id)| store.get(id))
            .filter(|j| queue.is_none_or(|q| j.queue == q))
            .collect();
        Ok(DeadLetterPage {
            total: matching.len() as u64,
            jobs: matching.into_iter().skip(offset).take(limit).cloned().collect(),
        })
    }

    async fn dead_letter_delete(&self, id: &str) -> BackendResult<bool> {
        let mut store = self.store.lock();
        if !store.get(id).is_some_and(|j| j.dead_letter) {
            return Ok(false);
        }
        store.remove(id);
        Ok(true)
    }
}

#[async_trait]
impl WorkflowStore for MemoryBackend {
    async fn workflow_get(&self, id: &str) -> BackendResult<Option<Workflow>> {
        Ok(self.store.lock().workflows.get(id).cloned())
    }
}

#[async_trait]
impl CronStore for MemoryBackend {
    async fn cron_put(&self, cron: CronJob) -> BackendResult<CronJob> {
        let mut store = self.store.lock();
        store.crons.insert(cron.name.clone(), cron.clone());
        store.schedule_signal.bump();
        Ok(cron)
    }
    async fn cron_get(&self, name: &str) -> BackendResult<Option<CronJob>> {
        Ok(self.store.lock().crons.get(name).cloned())
    }
    async fn cron_list(&self) -> BackendResult<Vec<CronJob>> {
        Ok(self.store.lock().crons.values().cloned().collect())
    }
    async fn cron_delete(&self, name: &str) -> BackendResult<Option<CronJob>> {
        Ok(self.store.lock().crons.remove(name))
    }
}

#[async_trait]
impl EventStore for MemoryBackend {
    async fn append_events(&self, events: Vec<Event>) -> BackendResult<()> {
        let mut store = self.store.lock();
        for e in events {
            store.push_event(e);
        }
        Ok(())
    }

    async fn list_events(&self, filter: &EventFilter) -> BackendResult<Vec<Event>> {
        let store = self.store.lock();
        let limit = filter.limit.max(1);
        if filter.after.is_some() {
            return Ok(store.events.iter().filter(|e| filter.matches(e)).take(limit).cloned().collect());
        }
        // Without a cursor: the newest `limit` matches, oldest first.
        let mut newest: Vec<Event> = store.events.iter().rev().filter(|e| filter.matches(e)).take(limit).cloned().collect();
        newest.reverse();
        Ok(newest)
    }
}

#[async_trait]
impl Admin for MemoryBackend {
    fn name(&self) -> &'static str {
        "memory"
    }
    async fn ping(&self) -> BackendResult<()> {
        Ok(())
    }
    fn ready_signal(&self) -> watch::Receiver<u64> {
        self.ready.subscribe()
    }
    fn schedule_signal(&self) -> watch::Receiver<u64> {
        self.schedule.subscribe()
    }
    async fn prune(&self, now: Timestamp, retention: Retention, limit: usize) -> BackendResult<usize> {
        let mut store = self.store.lock();
        let ids = store.prunable(now, retention, limit);
        for id in &ids {
            store.remove(id);
        }
        Ok(ids.len())
    }
    async fn reset(&self) -> BackendResult<()> {
        let mut store = self.store.lock();
        *store = Store::default();
        // Keep the signals so existing subscribers stay connected.
        store.ready_signal = self.ready.clone();
        store.schedule_signal = self.schedule.clone();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::backend::SharedBackend;
    use std::sync::Arc;

    async fn fresh() -> SharedBackend {
        Arc::new(super::MemoryBackend::new())
    }

    crate::backend_suite!(fresh);
}
