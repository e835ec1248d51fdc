//! The memory backend's data and its index maintenance. Every change of a stored job goes through
//! `Store::put`, which unindexes the old value and indexes the new one, so indexes never drift.

use super::queue::{ready_key, state_slot, QueueState};
use crate::backend::{Retention, Signal};
use crate::model::cron::CronJob;
use crate::model::event::Event;
use crate::model::job::{Job, JobState};
use crate::model::time::Timestamp;
use crate::model::workflow::Workflow;
use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// Ids are random UUIDs from our own server or trusted callers: a fast non-cryptographic hash is enough.
pub type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

pub const EVENT_CAPACITY: usize = crate::backend::EVENT_RETENTION;

pub struct Entry {
    pub job: Job,
    /// Insertion sequence of the job's latest entry into `available`.
    pub seq: u64,
    /// When the job became terminal (retention clock).
    pub terminal_ms: Option<i64>,
}

#[derive(Default)]
pub struct Store {
    /// Boxed so growing the map moves pointers, not whole job records.
    pub jobs: HashMap<String, Box<Entry>>,
    pub queues: HashMap<String, QueueState>,
    next_seq: u64,
    /// Scheduled and retryable jobs by due time.
    pub due: BTreeSet<(i64, String)>,
    /// Active jobs by lease deadline.
    pub leases: BTreeSet<(i64, String)>,
    /// Terminal jobs by the time they ended (for retention), excluding dead-lettered ones.
    pub terminal: BTreeSet<(i64, String)>,
    pub dead_letter: BTreeSet<(i64, String)>,
    pub unique: HashMap<String, String>,
    pub workflows: HashMap<String, Workflow>,
    pub crons: BTreeMap<String, CronJob>,
    pub events: VecDeque<Event>,
    pub ready_signal: Signal,
    pub schedule_signal: Signal,
}

fn ms(ts: Timestamp) -> i64 {
    ts.timestamp_millis()
}

impl Store {
    pub fn queue(&mut self, name: &str) -> &mut QueueState {
        if !self.queues.contains_key(name) {
            self.queues.insert(name.to_string(), QueueState::default());
        }
        self.queues.get_mut(name).expect("just inserted")
    }

    pub fn get(&self, id: &str) -> Option<&Job> {
        self.jobs.get(id).map(|e| &e.job)
    }

    /// Stores `job` (new or replacing the stored value) and keeps every index in step.
    pub fn put(&mut self, job: Job, now: Timestamp) -> Job {
        let old = self.jobs.remove(&job.id);
        if let Some(old) = &old {
            self.unindex(old);
        }
        let entry = self.index(job, old.as_deref(), now);
        let out = entry.job.clone();
        self.jobs.insert(out.id.clone(), Box::new(entry));
        out
    }

    pub fn remove(&mut self, id: &str) -> Option<Job> {
        let entry = self.jobs.remove(id)?;
        self.unindex(&entry);
        if self.unique.get(entry.job.unique_key.as_deref().unwrap_or("")) == Some(&entry.job.id) {
            self.unique.remove(entry.job.unique_key.as_deref().unwrap_or(""));
        }
        Some(entry.job)
    }

    fn unindex(&mut self, entry: &Entry) {
        let job = &entry.job;
        let id = job.id.clone();
        let queue = self.queue(&job.queue);
        queue.counts[state_slot(job.state)] -= 1;
        match job.state {
            JobState::Available => {
                queue.ready.remove(&ready_key(job.priority, entry.seq));
            }
            JobState::Scheduled | JobState::Retryable => {
                if let Some(at) = job.run_at {
                    self.due.remove(&(ms(at), id.clone()));
                }
            }
            JobState::Active => {
                if let Some(at) = job.lease_deadline() {
                    self.leases.remove(&(ms(at), id.clone()));
                }
            }
            _ => {}
        }
        if let Some(t) = entry.terminal_ms {
            self.terminal.remove(&(t, id.clone()));
            if job.dead_letter {
                self.dead_letter.remove(&(t, id));
                self.queue(&job.queue).dead -= 1;
            }
        }
    }

    fn index(&mut self, job: Job, old: Option<&Entry>, now: Timestamp) -> Entry {
        let id = job.id.clone();
        let mut seq = old.map_or(0, |o| o.seq);
        let mut terminal_ms = None;
        match job.state {
            JobState::Available => {
                // A job re-entering `available` goes to the back of its priority class.
                let re_entering = old.is_none_or(|o| o.job.state != JobState::Available);
                if re_entering {
                    self.next_seq += 1;
                    seq = self.next_seq;
                }
                self.queue(&job.queue).ready.insert(ready_key(job.priority, seq), id.clone());
                self.ready_signal.bump();
            }
            JobState::Scheduled | JobState::Retryable => {
                let at = job.run_at.unwrap_or(now);
                self.due.insert((ms(at), id.clone()));
                self.schedule_signal.bump();
            }
            JobState::Active => {
                if let Some(at) = job.lease_deadline() {
                    self.leases.insert((ms(at), id.clone()));
                    self.schedule_signal.bump();
                }
            }
            JobState::Pending => {}
            JobState::Completed | JobState::Cancelled | JobState::Discarded => {
                let t = old.and_then(|o| o.terminal_ms).unwrap_or(ms(now));
                terminal_ms = Some(t);
                self.terminal.insert((t, id.clone()));
                if job.dead_letter {
                    self.dead_letter.insert((t, id.clone()));
                    self.queue(&job.queue).dead += 1;
                }
            }
        }
        self.queue(&job.queue).counts[state_slot(job.state)] += 1;
        Entry { job, seq, terminal_ms }
    }

    /// Takes the next ready job id of `queue` without changing anything else.
    pub fn first_ready(&self, queue: &str) -> Option<String> {
        self.queues.get(queue)?.ready.values().next().cloned()
    }

    pub fn next_due(&self) -> Option<i64> {
        let due = self.due.first().map(|(t, _)| *t);
        let lease = self.leases.first().map(|(t, _)| *t);
        match (due, lease) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    pub fn push_event(&mut self, event: Event) {
        if self.events.len() >= EVENT_CAPACITY {
            self.events.pop_front();
        }
        self.events.push_back(event);
    }

    /// Ids of terminal, non-dead-lettered jobs past retention (oldest first).
    pub fn prunable(&self, now: Timestamp, retention: Retention, limit: usize) -> Vec<String> {
        let now_ms = ms(now);
        let shortest = retention.completed_ms.min(retention.discarded_ms) as i64;
        self.terminal
            .iter()
            .take_while(|(t, _)| now_ms - t >= shortest)
            .filter(|(t, id)| {
                let Some(entry) = self.jobs.get(id) else { return true };
                if entry.job.dead_letter {
                    return false;
                }
                let keep = if entry.job.state == JobState::Completed { retention.completed_ms } else { retention.discarded_ms };
                now_ms - t >= keep as i64
            })
            .take(limit)
            .map(|(_, id)| id.clone())
            .collect()
    }
}
