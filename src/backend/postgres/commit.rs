//! `commit`: one transaction. Every guarded job is locked (`FOR UPDATE`, in id order so two commits cannot
//! deadlock) and compared, then the workflow version and the cron `next_run_at` are compared-and-set, the
//! inserted ids checked; the first miss rolls everything back and is reported.

use super::errors::{db, unique_violation};
use super::insert_batch::{insert_rows, NewRow};
use super::transitions::apply_updates;
use super::PostgresBackend;
use crate::backend::*;
use crate::model::job::JobState;
use sqlx::{PgConnection, Row};
use std::collections::{HashMap, HashSet};

fn json_text<T: serde::Serialize>(value: &T) -> BackendResult<String> {
    serde_json::to_string(value).map_err(|e| BackendError::Internal(format!("cannot serialize: {e}")))
}

/// Checks the guards in order against the locked rows, following earlier updates of the same id.
async fn check_guards(conn: &mut PgConnection, updates: &[JobUpdate]) -> BackendResult<Option<ConflictAt>> {
    if updates.is_empty() {
        return Ok(None);
    }
    let ids: Vec<String> = updates.iter().map(|u| u.job.id.clone()).collect();
    let rows = sqlx::query("SELECT id, state, attempt FROM jobs WHERE id = ANY($1) ORDER BY id FOR UPDATE")
        .bind(&ids)
        .fetch_all(&mut *conn)
        .await
        .map_err(db)?;
    let mut current: HashMap<String, (JobState, u32)> = HashMap::with_capacity(rows.len());
    for row in &rows {
        let state: String = row.try_get("state").map_err(db)?;
        let attempt: i32 = row.try_get("attempt").map_err(db)?;
        let state = JobState::parse(&state).ok_or_else(|| BackendError::Internal(format!("bad state {state}")))?;
        current.insert(row.try_get("id").map_err(db)?, (state, attempt.max(0) as u32));
    }
    for (index, update) in updates.iter().enumerate() {
        let now = current.get(&update.job.id).copied();
        let holds = now.is_some_and(|(state, attempt)| {
            state == update.guard.state && update.guard.attempt.is_none_or(|a| a == attempt)
        });
        if !holds {
            return Ok(Some(ConflictAt::Job { index, current: now.map(|(s, _)| s) }));
        }
        current.insert(update.job.id.clone(), (update.job.state, update.job.attempt));
    }
    Ok(None)
}

async fn write_workflow(conn: &mut PgConnection, write: &WorkflowWrite) -> BackendResult<bool> {
    let doc = json_text(&write.workflow)?;
    let version = write.workflow.version.min(i64::MAX as u64) as i64;
    let result = if write.expect_version == 0 {
        sqlx::query("INSERT INTO workflows (id, doc, version) VALUES ($1, $2::json, $3) ON CONFLICT (id) DO NOTHING")
            .bind(&write.workflow.id)
            .bind(&doc)
            .bind(version)
            .execute(&mut *conn)
            .await
    } else {
        sqlx::query("UPDATE workflows SET doc = $2::json, version = $3 WHERE id = $1 AND version = $4")
            .bind(&write.workflow.id)
            .bind(&doc)
            .bind(version)
            .bind(write.expect_version.min(i64::MAX as u64) as i64)
            .execute(&mut *conn)
            .await
    };
    Ok(result.map_err(db)?.rows_affected() == 1)
}

async fn write_cron(conn: &mut PgConnection, write: &CronWrite) -> BackendResult<bool> {
    let result = sqlx::query(
        "UPDATE crons SET doc = $2::json, next_run_at = $3
         WHERE name = $1 AND next_run_at IS NOT DISTINCT FROM $4",
    )
    .bind(&write.cron.name)
    .bind(json_text(&write.cron)?)
    .bind(write.cron.next_run_at)
    .bind(write.expect_next_run_at)
    .execute(&mut *conn)
    .await
    .map_err(db)?;
    if result.rows_affected() == 1 {
        sqlx::query("SELECT notify_schedule()").execute(&mut *conn).await.map_err(db)?;
    }
    Ok(result.rows_affected() == 1)
}

/// Every step of a commit inside `tx`; `Applied` only if all of it was written (the caller commits).
async fn write_all(tx: &mut PgConnection, commit: &Commit) -> BackendResult<CommitOutcome> {
    if let Some(conflict) = check_guards(tx, &commit.updates).await? {
        return Ok(CommitOutcome::Conflict(conflict));
    }
    if let Some(w) = &commit.workflow {
        if !write_workflow(tx, w).await? {
            return Ok(CommitOutcome::Conflict(ConflictAt::Workflow));
        }
    }
    if let Some(c) = &commit.cron {
        if !write_cron(tx, c).await? {
            return Ok(CommitOutcome::Conflict(ConflictAt::Cron));
        }
    }
    if !commit.inserts.is_empty() {
        let ids: Vec<String> = commit.inserts.iter().map(|j| j.id.clone()).collect();
        let taken = super::insert::taken_ids(tx, &ids).await?;
        if let Some(dup) = commit.inserts.iter().find(|j| taken.contains(&j.id)) {
            return Ok(CommitOutcome::Conflict(ConflictAt::DuplicateId(dup.id.clone())));
        }
    }
    let mut out = Vec::with_capacity(commit.updates.len() + commit.inserts.len());
    for (index, outcome) in apply_updates(tx, &commit.updates).await?.into_iter().enumerate() {
        match outcome {
            UpdateOutcome::Applied(job) => out.push(job),
            // Locked and checked above, so this cannot miss; if it does, nothing is written.
            UpdateOutcome::Conflict(state) => {
                return Ok(CommitOutcome::Conflict(ConflictAt::Job { index, current: Some(state) }))
            }
            UpdateOutcome::NotFound => return Ok(CommitOutcome::Conflict(ConflictAt::Job { index, current: None })),
        }
    }
    let rows: Vec<NewRow> = commit.inserts.iter().cloned().map(NewRow::plain).collect();
    if let Err(err) = insert_rows(tx, &rows).await {
        if unique_violation(&err).as_deref() == Some("jobs_pkey") {
            // Raced with another insert of the same id (or repeated within the commit).
            let mut seen = HashSet::new();
            let dup = commit.inserts.iter().find(|j| !seen.insert(j.id.as_str())).unwrap_or(&commit.inserts[0]);
            return Ok(CommitOutcome::Conflict(ConflictAt::DuplicateId(dup.id.clone())));
        }
        return Err(db(err));
    }
    out.extend(commit.inserts.iter().cloned());
    Ok(CommitOutcome::Applied(out))
}

impl PostgresBackend {
    pub(super) async fn commit_all(&self, commit: Commit) -> BackendResult<CommitOutcome> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        let outcome = write_all(&mut tx, &commit).await;
        let Ok(CommitOutcome::Applied(out)) = outcome else {
            // Roll back now: a dropped transaction would keep its row locks until the connection is reused.
            let _ = tx.rollback().await;
            return outcome;
        };
        tx.commit().await.map_err(db)?;
        self.signal_jobs(out.iter());
        if commit.cron.is_some() {
            self.wake.schedule_changed();
        }
        Ok(CommitOutcome::Applied(out))
    }
}
