//! Trait semantics against a live Redis (REDIS_URL, default 127.0.0.1:6379), one key prefix per test.

use super::*;
use crate::backend::*;
use crate::level1_reliable::retry::RetryPolicy;
use crate::model::cron::CronJob;
use crate::model::event::{Event, EventFilter};
use crate::model::job::{Job, JobState, WorkflowRef};
use crate::model::time::{add_ms, format_ts, parse_rfc3339, Timestamp};
use crate::model::workflow::{Workflow, WorkflowKind, WorkflowState};
use std::time::Duration;

/// Suite cases cannot clean up after themselves: their backend wipes its prefix when dropped.
/// (A synchronous connection: the drop may happen while the test runtime shuts down.)
impl Drop for RedisBackend {
    fn drop(&mut self) {
        let Some(url) = &self.wipe_on_drop else { return };
        let Ok(mut conn) = ::redis::Client::open(url.as_str()).and_then(|c| c.get_connection()) else { return };
        for pattern in self.keys.scan_patterns() {
            let mut cursor = 0u64;
            loop {
                let Ok((next, keys)) = ::redis::cmd("SCAN")
                    .arg(cursor)
                    .arg("MATCH")
                    .arg(&pattern)
                    .arg("COUNT")
                    .arg(1000)
                    .query::<(u64, Vec<String>)>(&mut conn)
                else {
                    return;
                };
                if !keys.is_empty() {
                    let _ = ::redis::cmd("UNLINK").arg(&keys).query::<i64>(&mut conn);
                }
                if next == 0 {
                    break;
                }
                cursor = next;
            }
        }
    }
}

pub(super) fn redis_url() -> String {
    std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
}

/// A backend on a fresh prefix. Fails (never skips) when Redis is not reachable.
pub(super) async fn backend() -> RedisBackend {
    let url = redis_url();
    let prefix = format!("ojs-test-{}", uuid::Uuid::now_v7().simple());
    match connect(&url, &prefix).await {
        Ok(b) => b,
        Err(e) => panic!(
            "these tests need Redis at {url} ({e}): start it with `bash ci/services/redis.sh` or point REDIS_URL at one"
        ),
    }
}

fn t0() -> Timestamp {
    parse_rfc3339("2026-03-01T12:00:00.000Z").unwrap()
}

fn job(id: &str, queue: &str, priority: i32, state: JobState, now: Timestamp) -> Job {
    let retry = serde_json::to_string(&RetryPolicy::default()).unwrap();
    let text = format!(
        r#"{{"id":"{id}","type":"test.job","queue":"{queue}","args":[1.50,"x",{{"z":1,"a":2}}],"priority":{priority},
        "max_attempts":3,"retry":{retry},"created_at":"{}","state":"{}","attempt":0}}"#,
        format_ts(now),
        state.as_str()
    );
    let mut j: Job = serde_json::from_str(&text).unwrap();
    if state == JobState::Available {
        j.enqueued_at = Some(now);
    }
    j
}

fn new(j: Job) -> NewJob {
    NewJob { job: j, unique: None }
}

fn claim_req(queues: &[&str], count: usize, now: Timestamp) -> ClaimRequest {
    ClaimRequest {
        queues: queues.iter().map(|q| q.to_string()).collect(),
        count,
        worker_id: Some("w1".into()),
        visibility_timeout_ms: None,
        default_visibility_ms: 30_000,
        now,
    }
}

fn ids(jobs: &[Job]) -> Vec<&str> {
    jobs.iter().map(|j| j.id.as_str()).collect()
}

fn created(r: &Inserted) -> &Job {
    match r {
        Inserted::Created(j) => j,
        other => panic!("expected Created, got {other:?}"),
    }
}

#[tokio::test]
async fn insert_get_round_trip_keeps_args_bytes() {
    let b = backend().await;
    let now = t0();
    let out = b.insert(vec![new(job("a", "default", 0, JobState::Available, now))], now).await.unwrap();
    assert_eq!(created(&out[0]).id, "a");
    let got = b.get("a").await.unwrap().expect("stored");
    assert_eq!(got.args.get(), r#"[1.50,"x",{"z":1,"a":2}]"#);
    assert_eq!(got.state, JobState::Available);
    assert_eq!(got.enqueued_at, Some(now));
    assert!(b.get("missing").await.unwrap().is_none());
    let many = b.get_many(&["a".into(), "missing".into()]).await.unwrap();
    assert!(many[0].is_some() && many[1].is_none());

    // Duplicate ids abort the whole batch, also across queues.
    let err = b
        .insert(vec![new(job("b", "other", 0, JobState::Available, now)), new(job("a", "other", 0, JobState::Available, now))], now)
        .await
        .unwrap_err();
    assert!(matches!(err, BackendError::DuplicateId { index: 1, ref id } if id == "a"), "{err:?}");
    assert!(b.get("b").await.unwrap().is_none(), "nothing of a failed batch is written");
    b.reset().await.unwrap();
}

#[tokio::test]
async fn claim_orders_by_priority_then_fifo_and_walks_queues_left_to_right() {
    let b = backend().await;
    let now = t0();
    let batch = vec![
        new(job("low", "q1", -10, JobState::Available, now)),
        new(job("n1", "q1", 0, JobState::Available, now)),
        new(job("high", "q1", 10, JobState::Available, now)),
        new(job("n2", "q1", 0, JobState::Available, now)),
        new(job("other", "q2", 100, JobState::Available, now)),
    ];
    b.insert(batch, now).await.unwrap();
    let got = b.claim(claim_req(&["q1", "q2"], 3, now)).await.unwrap();
    assert_eq!(ids(&got.jobs), ["high", "n1", "n2"]);
    let first = &got.jobs[0];
    assert_eq!(first.state, JobState::Active);
    assert_eq!(first.attempt, 1);
    assert_eq!(first.worker_id.as_deref(), Some("w1"));
    assert_eq!(first.started_at, Some(now));
    assert_eq!(first.visible_until, Some(add_ms(now, 30_000)));
    let got = b.claim(claim_req(&["q1", "q2"], 5, now)).await.unwrap();
    assert_eq!(ids(&got.jobs), ["low", "other"]);
    assert!(b.claim(claim_req(&["q1", "q2"], 5, now)).await.unwrap().jobs.is_empty());
    let stats = b.stats("q1", now).await.unwrap();
    assert_eq!((stats.available, stats.active), (0, 4));
    b.reset().await.unwrap();
}

#[tokio::test]
async fn claim_skips_paused_queues_and_discards_expired_jobs() {
    let b = backend().await;
    let now = t0();
    let mut expiring = job("exp", "q", 5, JobState::Available, now);
    expiring.expires_at_ts = Some(now - chrono::Duration::seconds(1));
    let mut timed = job("timed", "q", 0, JobState::Available, now);
    timed.timeout_ms = Some(2_000);
    b.insert(vec![new(expiring), new(timed)], now).await.unwrap();
    b.set_paused("q", true).await.unwrap();
    assert!(b.claim(claim_req(&["q"], 5, now)).await.unwrap().jobs.is_empty());
    assert!(b.list_queues().await.unwrap().iter().any(|q| q.name == "q" && q.paused));
    b.set_paused("q", false).await.unwrap();
    let got = b.claim(claim_req(&["q"], 5, now)).await.unwrap();
    assert_eq!(ids(&got.jobs), ["timed"]);
    assert_eq!(got.jobs[0].exec_deadline, Some(add_ms(now, 2_000)));
    assert_eq!(ids(&got.expired), ["exp"]);
    let exp = b.get("exp").await.unwrap().unwrap();
    assert_eq!(exp.state, JobState::Discarded);
    assert!(exp.completed_at.is_none());
    assert_eq!(exp.error.as_ref().unwrap()["code"], "expired");
    b.reset().await.unwrap();
}

#[tokio::test]
async fn rate_limits_cap_deliveries() {
    let b = backend().await;
    let now = t0();
    let batch = (0..5).map(|i| new(job(&format!("j{i}"), "rl", 0, JobState::Available, now))).collect();
    b.insert(batch, now).await.unwrap();
    b.set_rate_limit("rl", RateLimit { max_per_second: Some(1), concurrency: None }).await.unwrap();
    assert_eq!(b.claim(claim_req(&["rl"], 3, now)).await.unwrap().jobs.len(), 1);
    assert_eq!(b.claim(claim_req(&["rl"], 3, add_ms(now, 500))).await.unwrap().jobs.len(), 0);
    assert_eq!(b.claim(claim_req(&["rl"], 3, add_ms(now, 1_500))).await.unwrap().jobs.len(), 1);
    b.set_rate_limit("rl", RateLimit { max_per_second: None, concurrency: Some(3) }).await.unwrap();
    assert_eq!(b.claim(claim_req(&["rl"], 5, add_ms(now, 2_000))).await.unwrap().jobs.len(), 1, "2 active + 1 = 3");
    b.reset().await.unwrap();
}

#[tokio::test]
async fn complete_is_guarded_per_item_and_counts() {
    let b = backend().await;
    let now = t0();
    let mut member = job("m", "q", 0, JobState::Available, now);
    member.workflow = Some(WorkflowRef { id: "wf1".into(), index: Some(0) });
    b.insert(vec![new(job("a", "q", 0, JobState::Available, now)), new(job("b", "q", 0, JobState::Available, now)), new(member)], now)
        .await
        .unwrap();
    b.claim(claim_req(&["q"], 2, now)).await.unwrap();
    b.claim(claim_req(&["q"], 1, now)).await.unwrap();
    let later = add_ms(now, 1_000);
    let out = b
        .complete(
            vec![
                Completion { id: "a".into(), result: Some(serde_json::json!({"ok": 1})) },
                Completion { id: "a".into(), result: None },
                Completion { id: "nope".into(), result: None },
                Completion { id: "m".into(), result: None },
            ],
            later,
        )
        .await
        .unwrap();
    match &out[0] {
        CompleteOutcome::Completed(j) => {
            assert_eq!(j.state, JobState::Completed);
            assert_eq!(j.completed_at, Some(later));
            assert_eq!(j.result, Some(serde_json::json!({"ok": 1})));
            assert!(j.worker_id.is_none() && j.visible_until.is_none());
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(out[1], CompleteOutcome::WrongState(JobState::Completed)));
    assert!(matches!(out[2], CompleteOutcome::NotFound));
    assert!(matches!(&out[3], CompleteOutcome::WorkflowMember(j) if j.id == "m" && j.state == JobState::Active));
    let stats = b.stats("q", later).await.unwrap();
    assert_eq!((stats.available, stats.active, stats.completed, stats.completed_last_minute), (0, 2, 1, 1));
    assert_eq!(b.stats("q", add_ms(later, 61_000)).await.unwrap().completed_last_minute, 0);
    b.reset().await.unwrap();
}

#[tokio::test]
async fn update_each_applies_only_when_the_guard_holds() {
    let b = backend().await;
    let now = t0();
    b.insert(vec![new(job("a", "q", 0, JobState::Available, now))], now).await.unwrap();
    let active = b.claim(claim_req(&["q"], 1, now)).await.unwrap().jobs.remove(0);
    let mut retry = active.clone();
    retry.state = JobState::Retryable;
    retry.run_at = Some(add_ms(now, 5_000));
    retry.error = Some(serde_json::json!({"code": "boom"}));
    retry.errors = vec![serde_json::json!({"code": "boom"})];
    retry.worker_id = None;
    retry.visible_until = None;
    let stale = JobUpdate { guard: Guard { state: JobState::Active, attempt: Some(7) }, job: retry.clone() };
    let good = JobUpdate { guard: Guard::lease(&active), job: retry.clone() };
    let missing = JobUpdate { guard: Guard::state(JobState::Active), job: job("zz", "q", 0, JobState::Available, now) };
    let out = b.update_each(vec![stale, missing]).await.unwrap();
    assert!(matches!(out[0], UpdateOutcome::Conflict(JobState::Active)));
    assert!(matches!(out[1], UpdateOutcome::NotFound));
    let out = b.update_each(vec![good]).await.unwrap();
    let UpdateOutcome::Applied(j) = &out[0] else { panic!("{out:?}") };
    assert_eq!(j.state, JobState::Retryable);
    assert_eq!(j.errors.len(), 1);
    assert_eq!(j.args.get(), r#"[1.50,"x",{"z":1,"a":2}]"#);
    let stats = b.stats("q", now).await.unwrap();
    assert_eq!((stats.active, stats.retryable), (0, 1));

    // Not due yet: nothing promoted, next_due is the retry time.
    let pass = b.due_pass(now, 100).await.unwrap();
    assert_eq!(pass.promoted, 0);
    assert_eq!(pass.next_due, Some(add_ms(now, 5_000)));
    let pass = b.due_pass(add_ms(now, 5_000), 100).await.unwrap();
    assert_eq!(pass.promoted, 1);
    assert_eq!(pass.next_due, None);
    let j = b.get("a").await.unwrap().unwrap();
    assert_eq!(j.state, JobState::Available);
    assert_eq!(j.enqueued_at, Some(add_ms(now, 5_000)));
    b.reset().await.unwrap();
}

#[tokio::test]
async fn due_pass_reports_expired_leases_and_bounds_its_work() {
    let b = backend().await;
    let now = t0();
    let batch = (0..5).map(|i| {
        let mut j = job(&format!("s{i}"), "q", 0, JobState::Scheduled, now);
        j.run_at = Some(add_ms(now, 1_000 + i));
        new(j)
    });
    b.insert(batch.collect(), now).await.unwrap();
    b.insert(vec![new(job("a", "q", 0, JobState::Available, now))], now).await.unwrap();
    let mut req = claim_req(&["q"], 1, now);
    req.visibility_timeout_ms = Some(500);
    b.claim(req).await.unwrap();
    let pass = b.due_pass(add_ms(now, 600), 100).await.unwrap();
    assert_eq!(ids(&pass.expired_leases), ["a"]);
    assert_eq!(pass.next_due, Some(add_ms(now, 1_000)));
    let pass = b.due_pass(add_ms(now, 2_000), 2).await.unwrap();
    assert_eq!(pass.promoted, 2);
    assert!(pass.next_due.is_some_and(|t| t <= add_ms(now, 2_000)), "more work is due now");
    let pass = b.due_pass(add_ms(now, 2_000), 100).await.unwrap();
    assert_eq!(pass.promoted, 3);
    let got = b.claim(claim_req(&["q"], 10, add_ms(now, 2_000))).await.unwrap();
    assert_eq!(ids(&got.jobs), ["s0", "s1", "s2", "s3", "s4"]);
    b.reset().await.unwrap();
}

#[tokio::test]
async fn claim_promotes_due_jobs_itself() {
    let b = backend().await;
    let now = t0();
    let mut j = job("s", "q", 0, JobState::Scheduled, now);
    j.run_at = Some(add_ms(now, 1_000));
    b.insert(vec![new(j)], now).await.unwrap();
    assert!(b.claim(claim_req(&["q"], 1, now)).await.unwrap().jobs.is_empty());
    assert_eq!(b.stats("q", now).await.unwrap().scheduled, 1);
    let got = b.claim(claim_req(&["q"], 1, add_ms(now, 1_000))).await.unwrap();
    assert_eq!(ids(&got.jobs), ["s"]);
    b.reset().await.unwrap();
}

fn unique(key: &str, on_conflict: OnConflict, period_ms: Option<u64>) -> Option<UniqueClaim> {
    Some(UniqueClaim {
        key: key.into(),
        states: vec![JobState::Available, JobState::Active, JobState::Scheduled, JobState::Retryable, JobState::Pending],
        period_ms,
        on_conflict,
    })
}

#[tokio::test]
async fn unique_claims_reject_ignore_replace_and_expire() {
    let b = backend().await;
    let now = t0();
    let first = NewJob { job: job("u1", "q", 0, JobState::Available, now), unique: unique("k", OnConflict::Reject, None) };
    b.insert(vec![first], now).await.unwrap();

    let dup = NewJob { job: job("u2", "q", 0, JobState::Available, now), unique: unique("k", OnConflict::Reject, None) };
    let err = b.insert(vec![dup], now).await.unwrap_err();
    assert!(matches!(err, BackendError::UniqueConflict { index: 0, ref existing_id, ref key } if existing_id == "u1" && key == "k"));

    let ignore = NewJob { job: job("u3", "other", 0, JobState::Available, now), unique: unique("k", OnConflict::Ignore, None) };
    let out = b.insert(vec![ignore], now).await.unwrap();
    assert!(matches!(&out[0], Inserted::Existing(j) if j.id == "u1"));
    assert!(b.get("u3").await.unwrap().is_none());

    let replace = NewJob { job: job("u4", "other", 0, JobState::Available, now), unique: unique("k", OnConflict::Replace, None) };
    let out = b.insert(vec![replace], now).await.unwrap();
    match &out[0] {
        Inserted::Replaced(new_job, old) => {
            assert_eq!((new_job.id.as_str(), old.id.as_str(), old.state), ("u4", "u1", JobState::Cancelled));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(b.stats("q", now).await.unwrap().available, 0);

    // Replace against an active holder is a conflict.
    b.claim(claim_req(&["other"], 1, now)).await.unwrap();
    let replace = NewJob { job: job("u5", "q", 0, JobState::Available, now), unique: unique("k", OnConflict::Replace, None) };
    assert!(matches!(b.insert(vec![replace], now).await.unwrap_err(), BackendError::UniqueConflict { .. }));

    // Within one batch, the earlier item holds the key.
    let a = NewJob { job: job("b1", "q", 0, JobState::Available, now), unique: unique("kb", OnConflict::Reject, None) };
    let c = NewJob { job: job("b2", "q", 0, JobState::Available, now), unique: unique("kb", OnConflict::Ignore, None) };
    let out = b.insert(vec![a, c], now).await.unwrap();
    assert!(matches!(&out[1], Inserted::Existing(j) if j.id == "b1"));

    // A period ends the conflict even though the holder is still available.
    let p1 = NewJob { job: job("p1", "q", 0, JobState::Available, now), unique: unique("kp", OnConflict::Reject, Some(2_000)) };
    b.insert(vec![p1], now).await.unwrap();
    let p2 = NewJob { job: job("p2", "q", 0, JobState::Available, now), unique: unique("kp", OnConflict::Reject, Some(2_000)) };
    assert!(b.insert(vec![p2], add_ms(now, 1_000)).await.is_err());
    let p3 = NewJob { job: job("p3", "q", 0, JobState::Available, now), unique: unique("kp", OnConflict::Reject, Some(2_000)) };
    assert!(b.insert(vec![p3], add_ms(now, 3_000)).await.is_ok());
    b.reset().await.unwrap();
}

fn workflow(id: &str, version: u64) -> Workflow {
    Workflow {
        id: id.into(),
        kind: WorkflowKind::Chain,
        name: None,
        state: WorkflowState::Running,
        created_at: t0(),
        completed_at: None,
        cancelled_at: None,
        templates: vec![],
        member_ids: vec![],
        outcomes: vec![],
        results: vec![],
        callbacks: None,
        callback_ids: vec![],
        version,
    }
}

fn cron(name: &str, next: Option<Timestamp>) -> CronJob {
    CronJob {
        name: name.into(),
        expression: "* * * * *".into(),
        timezone: "UTC".into(),
        overlap_policy: "allow".into(),
        enabled: true,
        description: None,
        job_template: serde_json::json!({"type": "t", "args": []}),
        created_at: t0(),
        next_run_at: next,
        last_run_at: None,
        run_count: 0,
        last_job_id: None,
    }
}

#[tokio::test]
async fn commit_is_all_or_nothing() {
    let b = backend().await;
    let now = t0();
    b.insert(vec![new(job("a", "q1", 0, JobState::Available, now))], now).await.unwrap();
    let active = b.claim(claim_req(&["q1"], 1, now)).await.unwrap().jobs.remove(0);
    let mut done = active.clone();
    done.state = JobState::Completed;
    done.completed_at = Some(now);
    let step2 = job("step2", "q2", 0, JobState::Available, now);

    // A failing workflow guard leaves everything untouched.
    let bad = Commit {
        updates: vec![JobUpdate { guard: Guard::lease(&active), job: done.clone() }],
        inserts: vec![step2.clone()],
        workflow: Some(WorkflowWrite { workflow: workflow("wf", 2), expect_version: 1 }),
        cron: None,
    };
    assert!(matches!(b.commit(bad).await.unwrap(), CommitOutcome::Conflict(ConflictAt::Workflow)));
    assert_eq!(b.get("a").await.unwrap().unwrap().state, JobState::Active);
    assert!(b.get("step2").await.unwrap().is_none());

    let good = Commit {
        updates: vec![JobUpdate { guard: Guard::lease(&active), job: done.clone() }],
        inserts: vec![step2.clone()],
        workflow: Some(WorkflowWrite { workflow: workflow("wf", 1), expect_version: 0 }),
        cron: None,
    };
    let CommitOutcome::Applied(jobs) = b.commit(good).await.unwrap() else { panic!() };
    assert_eq!(ids(&jobs), ["a", "step2"]);
    assert_eq!(b.workflow_get("wf").await.unwrap().unwrap().version, 1);
    assert_eq!(b.stats("q1", now).await.unwrap().completed, 1, "a commit to completed counts");
    assert_eq!(ids(&b.claim(claim_req(&["q2"], 5, now)).await.unwrap().jobs), ["step2"]);

    // Guards: stale job state, duplicate insert id, cron occurrence.
    let again = Commit { updates: vec![JobUpdate { guard: Guard::lease(&active), job: done }], ..Default::default() };
    assert!(matches!(
        b.commit(again).await.unwrap(),
        CommitOutcome::Conflict(ConflictAt::Job { index: 0, current: Some(JobState::Completed) })
    ));
    let dup = Commit { inserts: vec![step2], ..Default::default() };
    assert!(matches!(b.commit(dup).await.unwrap(), CommitOutcome::Conflict(ConflictAt::DuplicateId(id)) if id == "step2"));

    let next = add_ms(now, 60_000);
    b.cron_put(cron("c", Some(now))).await.unwrap();
    let fire = |expect| Commit {
        inserts: vec![job(&format!("cj-{expect:?}"), "q1", 0, JobState::Available, now)],
        cron: Some(CronWrite { cron: cron("c", Some(next)), expect_next_run_at: expect }),
        ..Default::default()
    };
    assert!(matches!(b.commit(fire(Some(next))).await.unwrap(), CommitOutcome::Conflict(ConflictAt::Cron)));
    assert!(matches!(b.commit(fire(Some(now))).await.unwrap(), CommitOutcome::Applied(_)));
    assert!(matches!(b.commit(fire(Some(now))).await.unwrap(), CommitOutcome::Conflict(ConflictAt::Cron)), "one firing per occurrence");
    assert_eq!(b.cron_get("c").await.unwrap().unwrap().next_run_at, Some(next));
    b.reset().await.unwrap();
}

#[tokio::test]
async fn crons_put_list_delete() {
    let b = backend().await;
    b.cron_put(cron("b", None)).await.unwrap();
    b.cron_put(cron("a", Some(t0()))).await.unwrap();
    let names: Vec<String> = b.cron_list().await.unwrap().into_iter().map(|c| c.name).collect();
    assert_eq!(names, ["a", "b"]);
    assert_eq!(b.cron_delete("a").await.unwrap().unwrap().name, "a");
    assert!(b.cron_delete("a").await.unwrap().is_none());
    assert!(b.cron_get("a").await.unwrap().is_none());
    b.reset().await.unwrap();
}

async fn dead_letter(b: &RedisBackend, id: &str, queue: &str, now: Timestamp) {
    b.insert(vec![new(job(id, queue, 0, JobState::Available, now))], now).await.unwrap();
    let active = b.claim(claim_req(&[queue], 1, now)).await.unwrap().jobs.remove(0);
    let mut dead = active.clone();
    dead.state = JobState::Discarded;
    dead.discarded_at = Some(now);
    dead.completed_at = Some(now);
    dead.dead_letter = true;
    let out = b.update_each(vec![JobUpdate { guard: Guard::lease(&active), job: dead }]).await.unwrap();
    assert!(matches!(out[0], UpdateOutcome::Applied(_)));
}

#[tokio::test]
async fn dead_letter_list_delete_and_retention() {
    let b = backend().await;
    let now = t0();
    dead_letter(&b, "d1", "q1", now).await;
    dead_letter(&b, "d2", "q2", add_ms(now, 1)).await;
    let page = b.dead_letter_list(None, 10, 0).await.unwrap();
    assert_eq!((page.total, ids(&page.jobs)), (2, vec!["d1", "d2"]));
    let page = b.dead_letter_list(Some("q2"), 10, 0).await.unwrap();
    assert_eq!((page.total, ids(&page.jobs)), (1, vec!["d2"]));
    assert_eq!(ids(&b.dead_letter_list(None, 1, 1).await.unwrap().jobs), ["d2"]);
    let stats = b.stats("q1", now).await.unwrap();
    assert_eq!((stats.discarded, stats.dead), (1, 1));

    // Completed jobs go after retention; dead letter entries stay.
    b.insert(vec![new(job("c", "q1", 0, JobState::Available, now))], now).await.unwrap();
    b.claim(claim_req(&["q1"], 1, now)).await.unwrap();
    b.complete(vec![Completion { id: "c".into(), result: None }], now).await.unwrap();
    let retention = Retention::default();
    assert_eq!(b.prune(add_ms(now, 1_000), retention, 100).await.unwrap(), 0);
    let much_later = add_ms(now, 30 * 86_400_000);
    assert_eq!(b.prune(much_later, retention, 100).await.unwrap(), 1);
    assert!(b.get("c").await.unwrap().is_none());
    assert_eq!(b.stats("q1", much_later).await.unwrap().completed, 1, "the counter survives pruning");
    assert_eq!(b.dead_letter_list(None, 10, 0).await.unwrap().total, 2);
    // The id is free again once pruned.
    b.insert(vec![new(job("c", "q2", 0, JobState::Available, now))], now).await.unwrap();

    assert!(b.dead_letter_delete("d1").await.unwrap());
    assert!(!b.dead_letter_delete("d1").await.unwrap());
    assert!(!b.dead_letter_delete("c").await.unwrap());
    assert!(b.get("d1").await.unwrap().is_none());
    assert_eq!(b.dead_letter_list(None, 10, 0).await.unwrap().total, 1);
    b.reset().await.unwrap();
}

#[tokio::test]
async fn heartbeat_extends_active_jobs_only() {
    let b = backend().await;
    let now = t0();
    b.insert(vec![new(job("a", "q", 0, JobState::Available, now)), new(job("b", "q", 0, JobState::Available, now))], now)
        .await
        .unwrap();
    b.claim(claim_req(&["q"], 1, now)).await.unwrap();
    let later = add_ms(now, 10_000);
    let out = b.heartbeat(&["a".into(), "b".into(), "zz".into()], Some(60_000), 30_000, later).await.unwrap();
    assert_eq!(ids(&out), ["a"]);
    assert_eq!(out[0].visible_until, Some(add_ms(later, 60_000)));
    let pass = b.due_pass(add_ms(now, 31_000), 10).await.unwrap();
    assert!(pass.expired_leases.is_empty(), "the lease moved with the heartbeat");
    assert_eq!(pass.next_due, Some(add_ms(later, 60_000)));
    b.reset().await.unwrap();
}

fn event(n: u32, kind: &str, queue: &str) -> Event {
    Event {
        id: format!("evt_{n:04}"),
        kind: kind.into(),
        time: t0(),
        subject: format!("job{n}"),
        queue: Some(queue.into()),
        job_type: Some("t".into()),
        data: serde_json::json!({"n": n}),
    }
}

#[tokio::test]
async fn events_are_listed_oldest_first_and_filtered() {
    let b = backend().await;
    let events = (1..=6).map(|n| event(n, if n % 2 == 0 { "job.completed" } else { "job.enqueued" }, "q")).collect();
    b.append_events(events).await.unwrap();
    let all = b.list_events(&EventFilter { limit: 100, ..Default::default() }).await.unwrap();
    assert_eq!(all.iter().map(|e| e.id.as_str()).collect::<Vec<_>>(), ["evt_0001", "evt_0002", "evt_0003", "evt_0004", "evt_0005", "evt_0006"]);
    let newest = b.list_events(&EventFilter { limit: 2, types: vec!["job.enqueued".into()], ..Default::default() }).await.unwrap();
    assert_eq!(newest.iter().map(|e| e.id.as_str()).collect::<Vec<_>>(), ["evt_0003", "evt_0005"]);
    let after = b.list_events(&EventFilter { limit: 2, after: Some("evt_0002".into()), ..Default::default() }).await.unwrap();
    assert_eq!(after.iter().map(|e| e.id.as_str()).collect::<Vec<_>>(), ["evt_0003", "evt_0004"]);
    b.reset().await.unwrap();
}

#[tokio::test]
async fn reset_removes_every_key_of_the_prefix_and_nothing_else() {
    let b = backend().await;
    let now = t0();
    let mut conn = b.conn();
    let _: () = ::redis::cmd("SET").arg("ojs-unrelated-key-for-reset-test").arg("1").query_async(&mut conn).await.unwrap();
    b.insert(vec![new(job("a", "q", 0, JobState::Available, now))], now).await.unwrap();
    b.append_events(vec![event(1, "job.enqueued", "q")]).await.unwrap();
    b.reset().await.unwrap();
    let mut left = 0;
    for pattern in b.keys.scan_patterns() {
        let keys: Vec<String> = ::redis::cmd("KEYS").arg(&pattern).query_async(&mut conn).await.unwrap();
        left += keys.len();
    }
    assert_eq!(left, 0);
    let kept: Option<String> = ::redis::cmd("GET").arg("ojs-unrelated-key-for-reset-test").query_async(&mut conn).await.unwrap();
    assert_eq!(kept.as_deref(), Some("1"));
    let _: () = ::redis::cmd("DEL").arg("ojs-unrelated-key-for-reset-test").query_async(&mut conn).await.unwrap();
    assert!(b.get("a").await.unwrap().is_none());
    assert!(b.list_queues().await.unwrap().is_empty());
}

#[tokio::test]
async fn another_process_inserting_wakes_long_polls() {
    let a = backend().await;
    // Same prefix, separate connections and listener: a second server process.
    let prefix = a.keys.channel().trim_end_matches(":wake").to_string();
    let b = connect(&redis_url(), &prefix).await.unwrap();
    let mut ready = b.ready_signal();
    ready.borrow_and_update();
    // Wait until both listeners are subscribed.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        let (_, subscribers): (String, u64) =
            ::redis::cmd("PUBSUB").arg("NUMSUB").arg(a.keys.channel()).query_async(&mut a.conn()).await.unwrap();
        if subscribers >= 2 {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "listeners did not subscribe within 5 s");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(!ready.has_changed().unwrap(), "nothing woke b yet");
    let now = crate::model::time::now();
    a.insert(vec![new(job("x", "q", 0, JobState::Available, now))], now).await.unwrap();
    tokio::time::timeout(Duration::from_secs(5), ready.changed()).await.expect("woken by the other process").unwrap();
    assert_eq!(b.get("x").await.unwrap().unwrap().id, "x");
    a.reset().await.unwrap();
}

#[tokio::test]
async fn bulk_batches_are_one_call_and_keep_order() {
    let b = backend().await;
    let now = t0();
    let batch: Vec<NewJob> = (0..2_000).map(|i| new(job(&format!("j{i:05}"), "bulk", 0, JobState::Available, now))).collect();
    let out = b.insert(batch, now).await.unwrap();
    assert_eq!(out.len(), 2_000);
    let got = b.claim(claim_req(&["bulk"], 1_500, now)).await.unwrap();
    assert_eq!(got.jobs.len(), 1_500);
    assert!(got.jobs.windows(2).all(|w| w[0].id < w[1].id), "FIFO within one priority");
    let acks = got.jobs.iter().map(|j| Completion { id: j.id.clone(), result: None }).collect();
    let done = b.complete(acks, now).await.unwrap();
    assert!(done.iter().all(|o| matches!(o, CompleteOutcome::Completed(_))));
    assert_eq!(b.stats("bulk", now).await.unwrap().completed, 1_500);
    b.reset().await.unwrap();
}

/// The shared backend suite (src/backend/suite.rs) against Redis, each case on its own prefix.
mod shared_suite {
    use crate::backend::SharedBackend;
    use std::sync::Arc;

    async fn fresh() -> SharedBackend {
        let mut b = super::backend().await;
        b.wipe_on_drop = Some(super::redis_url());
        Arc::new(b)
    }

    crate::backend_suite!(fresh);
}

#[tokio::test]
async fn single_slot_layout_keeps_every_key_under_one_hash_tag() {
    let prefix = format!("ojs-test-{}", uuid::Uuid::now_v7().simple());
    let b = connect_with(&redis_url(), &prefix, KeyLayout::SingleSlot).await.expect("Redis reachable (see backend())");
    let now = t0();
    let first = NewJob { job: job("a", "q1", 0, JobState::Available, now), unique: unique("k", OnConflict::Reject, None) };
    b.insert(vec![first, new(job("b", "q2", 0, JobState::Available, now))], now).await.unwrap();
    let got = b.claim(claim_req(&["q1", "q2"], 2, now)).await.unwrap();
    assert_eq!(ids(&got.jobs), ["a", "b"]);
    b.complete(vec![Completion { id: "a".into(), result: None }], now).await.unwrap();
    let wf = Commit { workflow: Some(WorkflowWrite { workflow: workflow("wf", 1), expect_version: 0 }), ..Default::default() };
    assert!(matches!(b.commit(wf).await.unwrap(), CommitOutcome::Applied(_)));
    b.append_events(vec![event(1, "job.enqueued", "q1")]).await.unwrap();

    let mut conn = b.conn();
    let keys: Vec<String> = ::redis::cmd("KEYS").arg(format!("*{prefix}*")).query_async(&mut conn).await.unwrap();
    assert!(keys.len() > 5, "{keys:?}");
    let tag = format!("{{{prefix}}}");
    assert!(keys.iter().all(|k| k.starts_with(&tag)), "every key hashes on {tag}: {keys:?}");
    b.reset().await.unwrap();
    let left: Vec<String> = ::redis::cmd("KEYS").arg(format!("*{prefix}*")).query_async(&mut conn).await.unwrap();
    assert!(left.is_empty(), "{left:?}");
}

#[tokio::test]
async fn replace_except_schedule_takes_over_the_holders_schedule() {
    let b = backend().await;
    let now = t0();
    let at = add_ms(now, 60_000);
    let mut holder = job("h", "q", 0, JobState::Scheduled, now);
    holder.scheduled_at = Some(format_ts(at));
    holder.run_at = Some(at);
    b.insert(vec![NewJob { job: holder, unique: unique("ks", OnConflict::Reject, None) }], now).await.unwrap();
    let newer = NewJob { job: job("n", "q", 0, JobState::Available, now), unique: unique("ks", OnConflict::ReplaceExceptSchedule, None) };
    let out = b.insert(vec![newer], now).await.unwrap();
    let Inserted::Replaced(n, old) = &out[0] else { panic!("{out:?}") };
    assert_eq!(old.state, JobState::Cancelled);
    assert_eq!((n.state, n.run_at, n.scheduled_at.clone(), n.enqueued_at), (JobState::Scheduled, Some(at), Some(format_ts(at)), None));
    let stats = b.stats("q", now).await.unwrap();
    assert_eq!((stats.available, stats.scheduled, stats.cancelled), (0, 1, 1));
    b.reset().await.unwrap();
}

#[tokio::test]
async fn event_listing_reads_across_stream_chunks() {
    let b = backend().await;
    let mut ids: Vec<String> = (0..2_500).map(|_| format!("evt_{}", uuid::Uuid::now_v7())).collect();
    ids.sort();
    let events: Vec<Event> = ids
        .iter()
        .enumerate()
        .map(|(n, id)| Event { id: id.clone(), ..event(n as u32, if n % 2 == 0 { "job.enqueued" } else { "job.completed" }, "q") })
        .collect();
    b.append_events(events).await.unwrap();
    let after = b.list_events(&EventFilter { after: Some(ids[1_200].clone()), limit: 3, ..Default::default() }).await.unwrap();
    assert_eq!(after.iter().map(|e| &e.id).collect::<Vec<_>>(), [&ids[1_201], &ids[1_202], &ids[1_203]]);
    let newest = b.list_events(&EventFilter { types: vec!["job.enqueued".into()], limit: 2, ..Default::default() }).await.unwrap();
    assert_eq!(newest.iter().map(|e| &e.id).collect::<Vec<_>>(), [&ids[2_496], &ids[2_498]]);
    let all = b.list_events(&EventFilter { limit: 10_000, ..Default::default() }).await.unwrap();
    assert_eq!(all.len(), 2_500);
    assert_eq!(all.first().map(|e| &e.id), Some(&ids[0]));
    b.reset().await.unwrap();
}

#[tokio::test]
async fn scripts_are_reloaded_after_the_server_forgets_them() {
    let b = backend().await;
    let now = t0();
    b.insert(vec![new(job("a", "q1", 0, JobState::Available, now)), new(job("b", "q2", 0, JobState::Available, now))], now)
        .await
        .unwrap();
    b.claim(claim_req(&["q1", "q2"], 2, now)).await.unwrap();
    // What a Redis restart does to the script cache.
    let _: () = ::redis::cmd("SCRIPT").arg("FLUSH").query_async(&mut b.conn()).await.unwrap();
    // A pipelined call (two queues) and a single call both recover.
    let done = b.complete(vec![Completion { id: "a".into(), result: None }, Completion { id: "b".into(), result: None }], now).await.unwrap();
    assert!(done.iter().all(|o| matches!(o, CompleteOutcome::Completed(_))), "{done:?}");
    let _: () = ::redis::cmd("SCRIPT").arg("FLUSH").query_async(&mut b.conn()).await.unwrap();
    b.insert(vec![new(job("c", "q1", 0, JobState::Available, now))], now).await.unwrap();
    b.reset().await.unwrap();
}

#[tokio::test]
async fn a_stale_local_id_cache_falls_back_to_the_id_map() {
    let a = backend().await;
    let prefix = a.keys.channel().trim_end_matches(":wake").to_string();
    let b = connect(&redis_url(), &prefix).await.unwrap();
    let now = t0();
    // `a` learns x -> q1, then another process deletes x and reuses the id in q2.
    dead_letter(&a, "x", "q1", now).await;
    assert!(b.dead_letter_delete("x").await.unwrap());
    b.insert(vec![new(job("x", "q2", 0, JobState::Available, now))], now).await.unwrap();
    assert_eq!(a.get("x").await.unwrap().map(|j| j.queue), Some("q2".to_string()));
    b.claim(claim_req(&["q2"], 1, now)).await.unwrap();
    a.forget_local("x");
    a.remember("x", "q1");
    assert_eq!(ids(&a.heartbeat(&["x".into()], None, 30_000, now).await.unwrap()), ["x"]);
    a.remember("x", "q1");
    let done = a.complete(vec![Completion { id: "x".into(), result: None }], now).await.unwrap();
    assert!(matches!(&done[0], CompleteOutcome::Completed(j) if j.queue == "q2"), "{done:?}");
    a.reset().await.unwrap();
}

#[tokio::test]
async fn pruning_leaves_only_queue_bookkeeping_behind() {
    let b = backend().await;
    let now = t0();
    for q in ["p1", "p2", "p3"] {
        let batch = (0..5).map(|i| NewJob {
            job: job(&format!("{q}-{i}"), q, 0, JobState::Available, now),
            unique: unique(&format!("{q}-{i}"), OnConflict::Reject, None),
        });
        b.insert(batch.collect(), now).await.unwrap();
        let claimed = b.claim(claim_req(&[q], 5, now)).await.unwrap().jobs;
        b.complete(claimed.iter().map(|j| Completion { id: j.id.clone(), result: None }).collect(), now).await.unwrap();
    }
    let zero = Retention { completed_ms: 0, discarded_ms: 0 };
    let later = add_ms(now, 1);
    let mut rounds = Vec::new();
    loop {
        let n = b.prune(later, zero, 4).await.unwrap();
        rounds.push(n);
        if n < 4 {
            break;
        }
    }
    assert_eq!(rounds, [4, 4, 4, 3], "exactly `limit` per call while work remains");

    let mut conn = b.conn();
    let mut left: Vec<String> = Vec::new();
    for pattern in b.keys.scan_patterns() {
        let keys: Vec<String> = ::redis::cmd("KEYS").arg(&pattern).query_async(&mut conn).await.unwrap();
        left.extend(keys);
    }
    left.sort();
    let suffixes: Vec<&str> = left.iter().map(|k| k.rsplit(':').next().unwrap()).collect();
    // Per queue: meta (counters, seq) and the completion buckets; globally: the queue set.
    assert!(suffixes.iter().all(|s| ["meta", "cps", "queues"].contains(s)), "{left:?}");
    assert_eq!(b.stats("p2", later).await.unwrap().completed, 5);
    b.reset().await.unwrap();
}

#[tokio::test]
async fn event_stream_keeps_the_newest_events_up_to_the_cap() {
    let b = backend().await;
    let cap = crate::backend::EVENT_RETENTION;
    let mut ids: Vec<String> = (0..cap + 2_000).map(|_| format!("evt_{}", uuid::Uuid::now_v7())).collect();
    ids.sort();
    // Appends of 100 events: more stream entries than one listing read returns.
    for (k, chunk) in ids.chunks(100).enumerate() {
        let events = chunk
            .iter()
            .enumerate()
            .map(|(n, id)| Event { id: id.clone(), ..event((k * 100 + n) as u32, "job.enqueued", "q") })
            .collect();
        b.append_events(events).await.unwrap();
    }
    let all = b.list_events(&EventFilter { limit: cap + 10_000, ..Default::default() }).await.unwrap();
    assert_eq!(all.len(), cap, "the oldest 2000 events were dropped");
    assert_eq!(all.first().map(|e| &e.id), Some(&ids[2_000]));
    assert_eq!(all.last().map(|e| &e.id), Some(&ids[cap + 1_999]));
    let after = b.list_events(&EventFilter { after: Some(ids[cap + 1_050].clone()), limit: 3, ..Default::default() }).await.unwrap();
    assert_eq!(after.iter().map(|e| &e.id).collect::<Vec<_>>(), [&ids[cap + 1_051], &ids[cap + 1_052], &ids[cap + 1_053]]);
    let newest = b.list_events(&EventFilter { limit: 150, ..Default::default() }).await.unwrap();
    assert_eq!(newest.iter().map(|e| &e.id).collect::<Vec<_>>(), ids[cap + 1_850..].iter().collect::<Vec<_>>());
    b.reset().await.unwrap();
}
