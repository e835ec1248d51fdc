//! Inserting jobs: one multi-row INSERT per batch. Batches without unique claims are a single statement
//! (atomic on its own); batches with claims run in one transaction that takes a transaction-scoped advisory
//! lock per unique key, reads the holders `FOR UPDATE`, decides every item, cancels replaced holders and
//! inserts.

use super::errors::{db, unique_violation};
use super::insert_batch::{insert_rows, NewRow};
use super::rows::{job_columns, job_from_row};
use super::PostgresBackend;
use crate::backend::*;
use crate::level0_core::state;
use crate::model::job::{Job, JobState};
use crate::model::time::Timestamp;
use sqlx::{PgConnection, Row};
use std::collections::{HashMap, HashSet};

/// States covered by the partial unique index `jobs_unique_slot_idx`.
const INDEXED_UNIQUE_STATES: [JobState; 5] =
    [JobState::Available, JobState::Active, JobState::Scheduled, JobState::Retryable, JobState::Pending];

/// The index slot of a claim: only claims that conflict exactly when the index would.
/// Which of `ids` already name a stored job (one statement).
pub(super) async fn taken_ids(conn: &mut PgConnection, ids: &[String]) -> BackendResult<HashSet<String>> {
    let found: Vec<String> =
        sqlx::query_scalar("SELECT id FROM jobs WHERE id = ANY($1)").bind(ids).fetch_all(&mut *conn).await.map_err(db)?;
    Ok(found.into_iter().collect())
}

fn unique_slot(claim: &UniqueClaim) -> Option<String> {
    let states: HashSet<JobState> = claim.states.iter().copied().collect();
    let default: HashSet<JobState> = INDEXED_UNIQUE_STATES.into_iter().collect();
    (claim.period_ms.is_none() && states == default).then(|| claim.key.clone())
}

/// What to do with one item of a batch.
enum Plan {
    Create,
    Existing(Job),
    /// Existing holder created earlier in this batch (index).
    ExistingInBatch(usize),
    Replace(Job),
}

impl PostgresBackend {
    pub(super) async fn insert_jobs(&self, items: Vec<NewJob>, now: Timestamp) -> BackendResult<Vec<Inserted>> {
        if items.is_empty() {
            return Ok(Vec::new());
        }
        let result = if items.iter().any(|i| i.unique.is_some()) {
            self.insert_with_claims(&items, now).await
        } else {
            let rows: Vec<NewRow> = items.iter().map(|i| NewRow::plain(i.job.clone())).collect();
            let mut conn = self.pool.acquire().await.map_err(db)?;
            match insert_rows(&mut conn, &rows).await {
                Ok(()) => Ok(items.into_iter().map(|i| Inserted::Created(i.job)).collect()),
                Err(err) => Err(self.explain_insert_failure(&items, err).await),
            }
        };
        if let Ok(out) = &result {
            self.signal_inserted(out);
        }
        result
    }

    fn signal_inserted(&self, out: &[Inserted]) {
        self.signal_jobs(out.iter().filter_map(|inserted| match inserted {
            Inserted::Created(j) | Inserted::Replaced(j, _) => Some(j),
            Inserted::Existing(_) => None,
        }));
    }

    /// Turns a failed insert into `DuplicateId` naming the first item whose id is taken (stored, or by an
    /// earlier item of the batch); any other failure is a database error.
    async fn explain_insert_failure(&self, items: &[NewJob], err: sqlx::Error) -> BackendError {
        if unique_violation(&err).as_deref() != Some("jobs_pkey") {
            return db(err);
        }
        let ids: Vec<String> = items.iter().map(|i| i.job.id.clone()).collect();
        let stored: HashSet<String> =
            match sqlx::query_scalar("SELECT id FROM jobs WHERE id = ANY($1)").bind(&ids).fetch_all(&self.pool).await {
                Ok(stored) => stored.into_iter().collect(),
                Err(e) => return db(e),
            };
        let mut seen = HashSet::new();
        for (index, id) in ids.iter().enumerate() {
            if stored.contains(id) || !seen.insert(id.as_str()) {
                return BackendError::DuplicateId { index, id: id.clone() };
            }
        }
        db(err)
    }

    async fn insert_with_claims(&self, items: &[NewJob], now: Timestamp) -> BackendResult<Vec<Inserted>> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        match decide_and_write(&mut tx, items, now).await {
            Ok(out) => {
                tx.commit().await.map_err(db)?;
                Ok(out)
            }
            Err(failure) => {
                // Roll back now: a dropped transaction keeps its locks until the connection is reused.
                let _ = tx.rollback().await;
                match failure {
                    Failure::Decided(err) => Err(err),
                    Failure::Insert(err) => Err(self.explain_insert_failure(items, err).await),
                }
            }
        }
    }
}

/// Why a batch with unique claims was not written.
enum Failure {
    Decided(BackendError),
    /// The INSERT itself failed (e.g. an id taken concurrently).
    Insert(sqlx::Error),
}

impl From<BackendError> for Failure {
    fn from(err: BackendError) -> Self {
        Self::Decided(err)
    }
}

/// Locks the keys, reads the holders, decides every item, cancels replaced holders and inserts.
async fn decide_and_write(tx: &mut PgConnection, items: &[NewJob], now: Timestamp) -> Result<Vec<Inserted>, Failure> {
    let keys: Vec<String> = items.iter().filter_map(|i| i.unique.as_ref().map(|c| c.key.clone())).collect();
    // Serialise every writer of these keys until commit; sorted so two batches cannot deadlock.
    sqlx::query(
        "SELECT pg_advisory_xact_lock(k) FROM (
             SELECT DISTINCT hashtextextended(key, 0) AS k FROM unnest($1::text[]) AS key
         ) keys ORDER BY k",
    )
    .bind(&keys)
    .fetch_all(&mut *tx)
    .await
    .map_err(db)?;
    // Every job holding one of the keys in a state some claim cares about, newest first, locked until
    // commit so none of them changes state while we decide.
    let states: Vec<&str> = items
        .iter()
        .filter_map(|i| i.unique.as_ref())
        .flat_map(|c| c.states.iter().map(|s| s.as_str()))
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let holders_sql = format!(
        "SELECT {cols}, j.unique_key FROM jobs j
         WHERE j.unique_key = ANY($1) AND j.state = ANY($2)
         ORDER BY j.created_at DESC, j.seq DESC FOR UPDATE",
        cols = job_columns("j")
    );
    let holder_rows = sqlx::query(&holders_sql).bind(&keys).bind(&states).fetch_all(&mut *tx).await.map_err(db)?;
    let mut holders: HashMap<String, Vec<Job>> = HashMap::new();
    for row in &holder_rows {
        let job = job_from_row(row)?;
        let key: Option<String> = row.try_get("unique_key").map_err(db)?;
        if let Some(key) = key {
            holders.entry(key).or_default().push(job);
        }
    }
    let ids: Vec<String> = items.iter().map(|i| i.job.id.clone()).collect();
    let taken = taken_ids(tx, &ids).await?;

    let plans = plan(items, &holders, &taken, now)?;
    // The jobs as they will be stored (`replace_except_schedule` keeps the holder's schedule).
    let finals: Vec<Job> = items
        .iter()
        .zip(&plans)
        .map(|(item, plan)| {
            let mut job = item.job.clone();
            let keeps = item.unique.as_ref().is_some_and(|c| c.on_conflict == OnConflict::ReplaceExceptSchedule);
            if let (Plan::Replace(holder), true) = (plan, keeps) {
                crate::level4_advanced::unique::keep_schedule(&mut job, holder);
            }
            job
        })
        .collect();

    // Cancel replaced holders first: the partial unique index must not see them as live.
    let mut cancelled = HashMap::new();
    for plan in &plans {
        if let Plan::Replace(holder) = plan {
            let done = state::cancel(holder.clone(), now);
            let update = JobUpdate { guard: Guard::lease(holder), job: done };
            let applied = super::transitions::apply_updates(tx, &[update]).await?;
            match applied.into_iter().next() {
                Some(UpdateOutcome::Applied(job)) => {
                    cancelled.insert(holder.id.clone(), job);
                }
                _ => return Err(BackendError::Internal(format!("locked holder {} changed", holder.id)).into()),
            }
        }
    }
    let rows: Vec<NewRow> = items
        .iter()
        .zip(&plans)
        .zip(&finals)
        .filter(|((_, p), _)| matches!(p, Plan::Create | Plan::Replace(_)))
        .map(|((i, _), job)| NewRow {
            job: job.clone(),
            key: i.unique.as_ref().map(|c| c.key.clone()),
            slot: i.unique.as_ref().and_then(unique_slot),
        })
        .collect();
    insert_rows(tx, &rows).await.map_err(Failure::Insert)?;

    let mut out: Vec<Inserted> = Vec::with_capacity(items.len());
    for (job, plan) in finals.iter().zip(plans) {
        out.push(match plan {
            Plan::Create => Inserted::Created(job.clone()),
            Plan::Existing(holder) => Inserted::Existing(holder),
            Plan::ExistingInBatch(i) => Inserted::Existing(finals[i].clone()),
            Plan::Replace(holder) => {
                let old = cancelled.remove(&holder.id).unwrap_or(holder);
                Inserted::Replaced(job.clone(), old)
            }
        });
    }
    Ok(out)
}

/// Decides every item in order against earlier items of the batch and the stored holders of its key (a
/// conflict is any holder in one of the claim's states within its period; the newest such holder is
/// reported, ignored or replaced); the first `DuplicateId` or `UniqueConflict` aborts the batch.
fn plan(
    items: &[NewJob],
    holders: &HashMap<String, Vec<Job>>,
    taken: &HashSet<String>,
    now: Timestamp,
) -> BackendResult<Vec<Plan>> {
    let mut plans = Vec::with_capacity(items.len());
    let mut batch_ids = HashSet::new();
    let mut batch_keys: HashMap<&str, usize> = HashMap::new();
    // Stored holders already replaced by an earlier item (cancelled in this batch).
    let mut replaced: HashSet<String> = HashSet::new();
    for (index, item) in items.iter().enumerate() {
        if taken.contains(&item.job.id) || !batch_ids.insert(item.job.id.as_str()) {
            return Err(BackendError::DuplicateId { index, id: item.job.id.clone() });
        }
        let Some(claim) = &item.unique else {
            plans.push(Plan::Create);
            continue;
        };
        let conflict = |existing_id: &str| BackendError::UniqueConflict {
            index,
            existing_id: existing_id.to_string(),
            key: claim.key.clone(),
        };
        if let Some(&earlier) = batch_keys.get(claim.key.as_str()) {
            let holder = &items[earlier].job;
            if claim.conflicts_with(holder, now) {
                match claim.on_conflict {
                    OnConflict::Ignore => {
                        plans.push(Plan::ExistingInBatch(earlier));
                        continue;
                    }
                    _ => return Err(conflict(&holder.id)),
                }
            }
        }
        let stored = holders
            .get(&claim.key)
            .and_then(|list| list.iter().find(|h| !replaced.contains(&h.id) && claim.conflicts_with(h, now)));
        if let Some(holder) = stored {
            match claim.on_conflict {
                OnConflict::Reject => return Err(conflict(&holder.id)),
                OnConflict::Ignore => {
                    plans.push(Plan::Existing(holder.clone()));
                    continue;
                }
                OnConflict::Replace | OnConflict::ReplaceExceptSchedule if holder.state == JobState::Active => {
                    return Err(conflict(&holder.id))
                }
                OnConflict::Replace | OnConflict::ReplaceExceptSchedule => {
                    replaced.insert(holder.id.clone());
                    batch_keys.insert(&claim.key, index);
                    plans.push(Plan::Replace(holder.clone()));
                    continue;
                }
            }
        }
        batch_keys.insert(&claim.key, index);
        plans.push(Plan::Create);
    }
    Ok(plans)
}
