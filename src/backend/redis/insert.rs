//! Batch insert with unique claims (`scripts/insert.lua`).

use super::args::{push_fields, Groups};
use super::codec::{as_stored, encode, index_score, ms, priority_key};
use super::reply::{self, bad, int, items, text};
use super::{redis_err, RedisBackend};
use crate::backend::*;
use crate::model::job::Job;
use crate::model::time::Timestamp;
use ::redis::Value;

/// Retries when a unique key changes between reading its holder and the insert script.
const UNIQUE_READ_RETRIES: usize = 32;

use crate::level4_advanced::unique::keep_schedule;

impl RedisBackend {
    /// `JobStore::insert`: reads the holders of the claimed unique keys, then runs `insert.lua`; if a
    /// holder changed in between, reads again.
    pub(super) async fn insert_jobs(&self, jobs: Vec<NewJob>, now: Timestamp) -> BackendResult<Vec<Inserted>> {
        if jobs.is_empty() {
            return Ok(Vec::new());
        }
        let encoded = jobs.iter().map(|nj| encode(&nj.job)).collect::<BackendResult<Vec<_>>>()?;
        for _ in 0..UNIQUE_READ_RETRIES {
            if let Some(out) = self.insert_once(&jobs, &encoded, now).await? {
                for r in &out {
                    if let Inserted::Created(j) | Inserted::Replaced(j, _) = r {
                        self.remember(&j.id, &j.queue);
                    }
                }
                self.after_write(out.iter().filter_map(|r| match r {
                    Inserted::Created(j) | Inserted::Replaced(j, _) => Some(j),
                    Inserted::Existing(_) => None,
                }));
                return Ok(out);
            }
        }
        Err(BackendError::Unavailable("unique keys kept changing during the insert; retry".into()))
    }

    async fn insert_once(&self, jobs: &[NewJob], encoded: &[Vec<(&'static str, String)>], now: Timestamp)
        -> BackendResult<Option<Vec<Inserted>>> {
        let keys = &self.keys;
        // Current holders of the unique keys this batch claims.
        let unique_keys: Vec<Option<String>> =
            jobs.iter().map(|nj| nj.unique.as_ref().map(|u| keys.unique(&u.key))).collect();
        let wanted: Vec<&String> = unique_keys.iter().flatten().collect();
        let mut holders: Vec<Option<(String, String)>> = vec![None; jobs.len()];
        if !wanted.is_empty() {
            let values: Vec<Option<String>> =
                ::redis::cmd("MGET").arg(&wanted).query_async(&mut self.conn()).await.map_err(redis_err)?;
            let mut values = values.into_iter();
            for (i, k) in unique_keys.iter().enumerate() {
                if k.is_some() {
                    holders[i] = values
                        .next()
                        .flatten()
                        .and_then(|v| v.split_once('\n').map(|(q, id)| (q.to_string(), id.to_string())));
                }
            }
        }
        let alternates = self.kept_schedules(jobs, &holders).await?;
        let mut groups = Groups::default();
        for nj in jobs {
            groups.index(&nj.job.queue);
        }
        for (q, _) in holders.iter().flatten() {
            groups.index(q);
        }

        let mut inv = self.scripts.insert.prepare_invoke();
        inv.key(keys.ids()).key(keys.queues());
        for q in &groups.names {
            self.push_group(&mut inv, q);
        }
        inv.arg(ms(now)).arg(jobs.len()).arg(groups.names.len()).arg(keys.channel());
        for q in &groups.names {
            inv.arg(q);
        }
        for (i, nj) in jobs.iter().enumerate() {
            let job = &nj.job;
            let job_key = keys.job(&job.queue, &job.id);
            inv.key(&job_key);
            inv.key(unique_keys[i].as_deref().unwrap_or(&job_key));
            match &holders[i] {
                Some((q, id)) => inv.key(keys.job(q, id)),
                None => inv.key(&job_key),
            };
            inv.arg(&job.id)
                .arg(groups.index(&job.queue))
                .arg(job.state.as_str())
                .arg(ms(job.created_at))
                .arg(index_score(job, now))
                .arg(priority_key(job.priority));
            push_fields(&mut inv, &encoded[i]);
            match &nj.unique {
                None => {
                    inv.arg("0");
                }
                Some(u) => {
                    let expect = holders[i].as_ref().map(|(q, id)| format!("{q}\n{id}")).unwrap_or_default();
                    let holder_id = holders[i].as_ref().map(|(_, id)| id.clone()).unwrap_or_default();
                    let states: Vec<&str> = u.states.iter().map(|s| s.as_str()).collect();
                    let on_conflict = match u.on_conflict {
                        OnConflict::Reject => "reject",
                        OnConflict::Ignore => "ignore",
                        OnConflict::Replace | OnConflict::ReplaceExceptSchedule => "replace",
                    };
                    inv.arg("1")
                        .arg(expect)
                        .arg(holder_id)
                        .arg(states.join(","))
                        .arg(u.period_ms.map(|p| p.to_string()).unwrap_or_default())
                        .arg(on_conflict)
                        .arg(format!("{}\n{}", job.queue, job.id));
                    match &alternates[i] {
                        Some(alt) => {
                            inv.arg(alt.1.len()).arg(alt.0.state.as_str()).arg(index_score(&alt.0, now));
                            for (k, v) in &alt.1 {
                                inv.arg(*k).arg(v);
                            }
                        }
                        None => {
                            inv.arg(0);
                        }
                    }
                }
            }
        }
        let mut reply = items(self.run(&inv).await?)?.into_iter();
        let tag = text(&reply.next().ok_or_else(|| bad("empty insert reply"))?)?;
        match tag.as_str() {
            "retry" => Ok(None),
            "dup" => {
                let index = int(&reply.next().ok_or_else(|| bad("dup index"))?)? as usize;
                let id = text(&reply.next().ok_or_else(|| bad("dup id"))?)?;
                Err(BackendError::DuplicateId { index, id })
            }
            "unique" => {
                let index = int(&reply.next().ok_or_else(|| bad("unique index"))?)? as usize;
                let existing_id = text(&reply.next().ok_or_else(|| bad("unique holder"))?)?;
                let key = jobs.get(index).and_then(|nj| nj.unique.as_ref()).map(|u| u.key.clone()).unwrap_or_default();
                Err(BackendError::UniqueConflict { index, existing_id, key })
            }
            "ok" => {
                // New jobs are not read back: the stored job is the one sent, at stored precision.
                let mut out = Vec::with_capacity(jobs.len());
                for (i, item) in items(reply.next().ok_or_else(|| bad("insert results"))?)?.into_iter().enumerate() {
                    let mut parts = items(item)?.into_iter();
                    let kind = text(&parts.next().ok_or_else(|| bad("insert result kind"))?)?;
                    let nj = jobs.get(i).ok_or_else(|| bad("more insert results than jobs"))?;
                    out.push(match kind.as_str() {
                        "c" => Inserted::Created(as_stored(&nj.job)),
                        "e" => Inserted::Existing(reply::job(parts.next().ok_or_else(|| bad("insert result job"))?)?),
                        "r" => {
                            let written = alternates[i].as_ref().map_or(&nj.job, |alt| &alt.0);
                            let holder = reply::job(parts.next().ok_or_else(|| bad("replaced job"))?)?;
                            Inserted::Replaced(as_stored(written), holder)
                        }
                        other => return Err(bad(&format!("insert result kind {other}"))),
                    });
                }
                Ok(Some(out))
            }
            other => Err(bad(&format!("insert tag {other}"))),
        }
    }

    /// For `replace_except_schedule` claims with a current holder: the new job as it is written if it
    /// replaces that holder (taking over the holder's future schedule), when that differs.
    #[allow(clippy::type_complexity)]
    async fn kept_schedules(&self, jobs: &[NewJob], holders: &[Option<(String, String)>])
        -> BackendResult<Vec<Option<(Job, Vec<(&'static str, String)>)>>> {
        let mut out: Vec<Option<(Job, Vec<(&'static str, String)>)>> = vec![None; jobs.len()];
        let wanted: Vec<usize> = (0..jobs.len())
            .filter(|&i| {
                holders[i].is_some()
                    && jobs[i].unique.as_ref().is_some_and(|u| u.on_conflict == OnConflict::ReplaceExceptSchedule)
            })
            .collect();
        if wanted.is_empty() {
            return Ok(out);
        }
        let mut pipe = ::redis::pipe();
        for &i in &wanted {
            let (q, id) = holders[i].as_ref().expect("filtered");
            reply::read_job(&mut pipe, &self.keys.job(q, id));
        }
        let values: Vec<Value> = pipe.query_async(&mut self.conn()).await.map_err(redis_err)?;
        for (&i, value) in wanted.iter().zip(values) {
            let Some(holder) = reply::maybe_job(value)? else { continue };
            let mut alt = jobs[i].job.clone();
            if keep_schedule(&mut alt, &holder) {
                let fields = encode(&alt)?;
                out[i] = Some((alt, fields));
            }
        }
        Ok(out)
    }
}
