//! All-or-nothing commits across jobs, a workflow and a cron registration (`scripts/commit.lua`).

use super::args::{push_fields, Groups};
use super::codec::{encode, index_score, ms};
use super::reply::{self, bad, int, items, text};
use super::RedisBackend;
use crate::backend::*;
use crate::model::job::JobState;

impl RedisBackend {
    /// `JobStore::commit`: one `commit.lua` call over every queue involved.
    pub(super) async fn commit_all(&self, commit: Commit) -> BackendResult<CommitOutcome> {
        let now = crate::model::time::now();
        let keys = &self.keys;
        let mut groups = Groups::default();
        for j in commit.updates.iter().map(|u| &u.job).chain(commit.inserts.iter()) {
            groups.index(&j.queue);
        }
        let mut inv = self.scripts.commit.prepare_invoke();
        inv.key(keys.ids()).key(keys.queues());
        match &commit.workflow {
            Some(w) => inv.key(keys.workflow(&w.workflow.id)),
            None => inv.key(keys.ids()),
        };
        match &commit.cron {
            Some(c) => inv.key(keys.cron(&c.cron.name)),
            None => inv.key(keys.ids()),
        };
        for q in &groups.names {
            self.push_group(&mut inv, q);
        }
        inv.arg(now.timestamp()).arg(keys.channel()).arg(groups.names.len()).arg(commit.updates.len()).arg(commit.inserts.len());
        match &commit.workflow {
            Some(w) => {
                let text = serde_json::to_string(&w.workflow).map_err(|e| BackendError::Internal(e.to_string()))?;
                inv.arg("1").arg(w.expect_version).arg(w.workflow.version).arg(text);
            }
            None => {
                inv.arg("0").arg(0).arg(0).arg("");
            }
        }
        match &commit.cron {
            Some(c) => {
                let text = serde_json::to_string(&c.cron).map_err(|e| BackendError::Internal(e.to_string()))?;
                inv.arg("1")
                    .arg(c.expect_next_run_at.map(|t| ms(t).to_string()).unwrap_or_default())
                    .arg(c.cron.next_run_at.map(|t| ms(t).to_string()).unwrap_or_default())
                    .arg(text);
            }
            None => {
                inv.arg("0").arg("").arg("").arg("");
            }
        }
        // Finished workflows expire with the discarded-job retention; running ones are kept.
        let workflow_ttl = commit
            .workflow
            .as_ref()
            .filter(|w| w.workflow.state.is_terminal())
            .map(|_| Retention::default().discarded_ms.to_string())
            .unwrap_or_default();
        inv.arg(workflow_ttl);
        for q in &groups.names {
            inv.arg(q);
        }
        for u in &commit.updates {
            inv.key(keys.job(&u.job.queue, &u.job.id));
            inv.arg(groups.index(&u.job.queue))
                .arg(&u.job.id)
                .arg(u.guard.state.as_str())
                .arg(u.guard.attempt.map(|a| a.to_string()).unwrap_or_default())
                .arg(index_score(&u.job, now));
            push_fields(&mut inv, &encode(&u.job)?);
        }
        for j in &commit.inserts {
            inv.key(keys.job(&j.queue, &j.id));
            inv.arg(groups.index(&j.queue)).arg(&j.id).arg(index_score(j, now));
            push_fields(&mut inv, &encode(j)?);
        }
        let mut reply = items(self.run(&inv).await?)?.into_iter();
        let tag = text(&reply.next().ok_or_else(|| bad("empty commit reply"))?)?;
        if tag == "ok" {
            let jobs = reply::jobs(reply.next().ok_or_else(|| bad("commit jobs"))?)?;
            for j in &commit.inserts {
                self.remember(&j.id, &j.queue);
            }
            self.after_write(jobs.iter());
            return Ok(CommitOutcome::Applied(jobs));
        }
        let what = text(&reply.next().ok_or_else(|| bad("conflict kind"))?)?;
        let at = match what.as_str() {
            "job" => {
                let index = int(&reply.next().ok_or_else(|| bad("conflict index"))?)? as usize;
                let state = text(&reply.next().ok_or_else(|| bad("conflict state"))?)?;
                ConflictAt::Job { index, current: JobState::parse(&state) }
            }
            "wf" => ConflictAt::Workflow,
            "cron" => ConflictAt::Cron,
            "dup" => ConflictAt::DuplicateId(text(&reply.next().ok_or_else(|| bad("dup id"))?)?),
            other => return Err(bad(&format!("commit conflict {other}"))),
        };
        Ok(CommitOutcome::Conflict(at))
    }
}
