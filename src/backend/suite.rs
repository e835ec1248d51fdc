//! The shared backend test suite (River style): every backend runs these same cases through
//! `backend_suite!`, so all of them honour one contract. Each case gets a fresh backend from the factory
//! and uses its own queue names.

use super::*;
use crate::level0_core::envelope::{parse_push, PushDefaults};
use crate::level0_core::state;
use crate::level4_advanced::unique::UniquePolicy;
use crate::model::job::JobState;
use crate::model::time::{add_ms, now};
use crate::model::workflow::{Workflow, WorkflowKind, WorkflowState};
use serde_json::{json, Value};

/// Generates one `#[tokio::test]` per suite case for a backend factory expression
/// (`async fn() -> SharedBackend`).
#[macro_export]
macro_rules! backend_suite {
    ($factory:path) => {
        $crate::backend_suite!(@cases $factory;
            insert_and_get_round_trip, duplicate_id_aborts_the_whole_batch, claim_orders_by_priority_then_fifo,
            claim_walks_queues_left_to_right, claim_marks_jobs_active, claim_skips_paused_queues,
            claim_honours_rate_limits, claim_discards_expired_jobs, complete_is_guarded,
            update_each_is_guarded_by_state_and_attempt, commit_is_all_or_nothing, workflow_and_cron_writes_are_compare_and_set,
            due_pass_promotes_and_reports_leases, heartbeat_extends_only_active_jobs, unique_claims,
            dead_letter_listing_and_delete, stats_count_states, events_round_trip, cron_registrations,
            concurrent_claims_never_share_a_job, ready_signal_wakes_on_insert, reset_wipes_everything);
    };
    (@cases $factory:path; $($case:ident),*) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() {
                let backend = $factory().await;
                $crate::backend::suite::$case(&backend).await;
            }
        )*
    };
}

fn q(name: &str) -> String {
    format!("{name}-{}", &uuid::Uuid::now_v7().simple().to_string()[20..])
}

pub fn job(queue: &str, extra: Value) -> NewJob {
    let mut body = json!({"type": "test.job", "args": [1, "two", 2.5], "options": {"queue": queue}});
    if let (Some(b), Value::Object(more)) = (body.as_object_mut(), extra) {
        for (k, v) in more {
            if k == "options" {
                let opts = b["options"].as_object_mut().unwrap();
                opts.extend(v.as_object().unwrap().clone());
            } else {
                b.insert(k, v);
            }
        }
    }
    parse_push(body.as_object().unwrap(), None, PushDefaults { now: now() }).unwrap().new_job
}

async fn insert_one(b: &SharedBackend, new: NewJob) -> Job {
    match b.insert(vec![new], now()).await.unwrap().pop().unwrap() {
        Inserted::Created(j) => j,
        other => panic!("expected Created, got {other:?}"),
    }
}

fn claim_req(queues: &[&str], count: usize) -> ClaimRequest {
    ClaimRequest {
        queues: queues.iter().map(|s| s.to_string()).collect(),
        count,
        worker_id: Some("w1".into()),
        visibility_timeout_ms: None,
        default_visibility_ms: 30_000,
        now: now(),
    }
}

async fn claim(b: &SharedBackend, queues: &[&str], count: usize) -> Vec<Job> {
    b.claim(claim_req(queues, count)).await.unwrap().jobs
}

pub async fn insert_and_get_round_trip(b: &SharedBackend) {
    let queue = q("rt");
    let mut new = job(&queue, json!({"meta": {"k": "v"}, "custom": {"x": 1}}));
    new.job.args = serde_json::value::RawValue::from_string("[1.0,  2.5, 12345678901234567890]".into()).unwrap();
    let inserted = insert_one(b, new.clone()).await;
    let got = b.get(&new.job.id).await.unwrap().expect("stored");
    assert_eq!(got.args.get(), "[1.0,  2.5, 12345678901234567890]", "args are kept byte for byte");
    assert_eq!(got.state, JobState::Available);
    assert_eq!(got.meta, new.job.meta);
    assert_eq!(got.extra, new.job.extra);
    assert_eq!(got.created_at, new.job.created_at);
    assert_eq!(inserted.id, got.id);
    let many = b.get_many(&[got.id.clone(), "0190aaaa-0000-7000-8000-000000000000".into()]).await.unwrap();
    assert!(many[0].is_some() && many[1].is_none());
}

pub async fn duplicate_id_aborts_the_whole_batch(b: &SharedBackend) {
    let queue = q("dup");
    let first = job(&queue, json!({}));
    insert_one(b, first.clone()).await;
    let fresh = job(&queue, json!({}));
    let err = b.insert(vec![fresh.clone(), first.clone()], now()).await.unwrap_err();
    assert!(matches!(err, BackendError::DuplicateId { index: 1, .. }), "{err:?}");
    assert!(b.get(&fresh.job.id).await.unwrap().is_none(), "nothing of a failed batch is stored");
}

pub async fn claim_orders_by_priority_then_fifo(b: &SharedBackend) {
    let queue = q("prio");
    let low = job(&queue, json!({"options": {"priority": -5}}));
    let a = job(&queue, json!({}));
    let high = job(&queue, json!({"options": {"priority": 10}}));
    let c = job(&queue, json!({}));
    b.insert(vec![low.clone(), a.clone(), high.clone(), c.clone()], now()).await.unwrap();
    let order: Vec<String> = claim(b, &[&queue], 10).await.into_iter().map(|j| j.id).collect();
    assert_eq!(order, vec![high.job.id, a.job.id, c.job.id, low.job.id]);
}

pub async fn claim_walks_queues_left_to_right(b: &SharedBackend) {
    let (q1, q2) = (q("left"), q("right"));
    let in_q2 = job(&q2, json!({"options": {"priority": 50}}));
    let in_q1 = job(&q1, json!({}));
    b.insert(vec![in_q2.clone(), in_q1.clone()], now()).await.unwrap();
    let got: Vec<String> = claim(b, &[&q1, &q2], 1).await.into_iter().map(|j| j.id).collect();
    assert_eq!(got, vec![in_q1.job.id]);
    let got: Vec<String> = claim(b, &[&q1, &q2], 5).await.into_iter().map(|j| j.id).collect();
    assert_eq!(got, vec![in_q2.job.id]);
}

pub async fn claim_marks_jobs_active(b: &SharedBackend) {
    let queue = q("active");
    let new = job(&queue, json!({"options": {"timeout_ms": 5000, "visibility_timeout_ms": 2000}}));
    insert_one(b, new.clone()).await;
    let mut req = claim_req(&[&queue], 1);
    let t = req.now;
    req.worker_id = Some("worker-7".into());
    let got = b.claim(req).await.unwrap().jobs.pop().expect("claimed");
    assert_eq!(got.state, JobState::Active);
    assert_eq!(got.attempt, 1);
    assert_eq!(got.started_at, Some(t));
    assert_eq!(got.worker_id.as_deref(), Some("worker-7"));
    assert_eq!(got.visible_until, Some(add_ms(t, 2000)));
    assert_eq!(got.exec_deadline, Some(add_ms(t, 5000)));
    assert_eq!(b.get(&got.id).await.unwrap().unwrap().state, JobState::Active);
    assert!(claim(b, &[&queue], 1).await.is_empty(), "an active job is not delivered again");
}

pub async fn claim_skips_paused_queues(b: &SharedBackend) {
    let queue = q("pause");
    insert_one(b, job(&queue, json!({}))).await;
    b.set_paused(&queue, true).await.unwrap();
    assert!(claim(b, &[&queue], 1).await.is_empty());
    assert!(b.list_queues().await.unwrap().iter().any(|i| i.name == queue && i.paused));
    b.set_paused(&queue, false).await.unwrap();
    assert_eq!(claim(b, &[&queue], 1).await.len(), 1);
}

pub async fn claim_honours_rate_limits(b: &SharedBackend) {
    let queue = q("rate");
    b.set_rate_limit(&queue, RateLimit { max_per_second: None, concurrency: Some(2) }).await.unwrap();
    b.insert((0..5).map(|_| job(&queue, json!({}))).collect(), now()).await.unwrap();
    let first = claim(b, &[&queue], 5).await;
    assert_eq!(first.len(), 2, "concurrency 2 caps active jobs");
    b.complete(vec![Completion { id: first[0].id.clone(), result: None }], now()).await.unwrap();
    assert_eq!(claim(b, &[&queue], 5).await.len(), 1);

    let per_second = q("rps");
    b.set_rate_limit(&per_second, RateLimit { max_per_second: Some(1), concurrency: None }).await.unwrap();
    b.insert((0..3).map(|_| job(&per_second, json!({}))).collect(), now()).await.unwrap();
    assert_eq!(claim(b, &[&per_second], 3).await.len(), 1);
    assert_eq!(claim(b, &[&per_second], 3).await.len(), 0, "second delivery in the same second is held back");
}

pub async fn claim_discards_expired_jobs(b: &SharedBackend) {
    let queue = q("ttl");
    let mut expired = job(&queue, json!({}));
    expired.job.expires_at_ts = Some(add_ms(now(), 0) - chrono::Duration::seconds(1));
    let fresh = job(&queue, json!({}));
    b.insert(vec![expired.clone(), fresh.clone()], now()).await.unwrap();
    let claimed = b.claim(claim_req(&[&queue], 5)).await.unwrap();
    assert_eq!(claimed.jobs.iter().map(|j| &j.id).collect::<Vec<_>>(), vec![&fresh.job.id]);
    assert_eq!(claimed.expired.len(), 1);
    let stored = b.get(&expired.job.id).await.unwrap().unwrap();
    assert_eq!(stored.state, JobState::Discarded);
    assert!(stored.completed_at.is_none(), "expiry never sets completed_at");
    assert_eq!(stored.error.as_ref().unwrap()["code"], "expired");
}

pub async fn complete_is_guarded(b: &SharedBackend) {
    let queue = q("ack");
    let waiting = insert_one(b, job(&queue, json!({}))).await;
    let outcome = b.complete(vec![Completion { id: waiting.id.clone(), result: None }], now()).await.unwrap();
    assert!(matches!(outcome[0], CompleteOutcome::WrongState(JobState::Available)));
    let active = claim(b, &[&queue], 1).await.pop().unwrap();
    let t = now();
    let outcomes = b
        .complete(
            vec![
                Completion { id: active.id.clone(), result: Some(json!({"ok": 1})) },
                Completion { id: "0190aaaa-0000-7000-8000-000000000000".into(), result: None },
                Completion { id: active.id.clone(), result: None },
            ],
            t,
        )
        .await
        .unwrap();
    let CompleteOutcome::Completed(done) = &outcomes[0] else { panic!("{outcomes:?}") };
    assert_eq!(done.state, JobState::Completed);
    assert_eq!(done.completed_at, Some(t));
    assert_eq!(done.result, Some(json!({"ok": 1})));
    assert!(matches!(outcomes[1], CompleteOutcome::NotFound));
    assert!(matches!(outcomes[2], CompleteOutcome::WrongState(JobState::Completed)), "a second ack of the same job fails");

    let mut member = job(&queue, json!({}));
    member.job.workflow = Some(crate::model::job::WorkflowRef { id: "wf".into(), index: Some(0) });
    insert_one(b, member.clone()).await;
    claim(b, &[&queue], 1).await;
    let outcome = b.complete(vec![Completion { id: member.job.id.clone(), result: None }], now()).await.unwrap();
    assert!(matches!(outcome[0], CompleteOutcome::WorkflowMember(_)), "workflow members go through commit");
    assert_eq!(b.get(&member.job.id).await.unwrap().unwrap().state, JobState::Active);
}

pub async fn update_each_is_guarded_by_state_and_attempt(b: &SharedBackend) {
    let queue = q("guard");
    insert_one(b, job(&queue, json!({}))).await;
    let active = claim(b, &[&queue], 1).await.pop().unwrap();
    let stale = JobUpdate { guard: Guard { state: JobState::Active, attempt: Some(active.attempt + 1) }, job: state::cancel(active.clone(), now()) };
    assert!(matches!(b.update_each(vec![stale]).await.unwrap()[0], UpdateOutcome::Conflict(JobState::Active)));
    let mut retry = active.clone();
    retry.state = JobState::Retryable;
    retry.run_at = Some(add_ms(now(), 60_000));
    retry.errors = vec![json!({"code": "boom"})];
    let fresh = JobUpdate { guard: Guard::lease(&active), job: retry };
    let UpdateOutcome::Applied(applied) = b.update_each(vec![fresh.clone()]).await.unwrap().pop().unwrap() else { panic!() };
    assert_eq!(applied.state, JobState::Retryable);
    assert_eq!(b.get(&active.id).await.unwrap().unwrap().errors.len(), 1);
    assert!(matches!(b.update_each(vec![fresh]).await.unwrap()[0], UpdateOutcome::Conflict(JobState::Retryable)));
    assert!(claim(b, &[&queue], 1).await.is_empty(), "a retryable job is not fetchable before its time");
}

pub async fn commit_is_all_or_nothing(b: &SharedBackend) {
    let queue = q("commit");
    let a = insert_one(b, job(&queue, json!({}))).await;
    let c = insert_one(b, job(&queue, json!({}))).await;
    let extra = job(&queue, json!({})).job;
    let bad = Commit {
        updates: vec![
            JobUpdate { guard: Guard::state(JobState::Available), job: state::cancel(a.clone(), now()) },
            JobUpdate { guard: Guard::state(JobState::Active), job: state::cancel(c.clone(), now()) },
        ],
        inserts: vec![extra.clone()],
        ..Default::default()
    };
    match b.commit(bad).await.unwrap() {
        CommitOutcome::Conflict(ConflictAt::Job { index: 1, current: Some(JobState::Available) }) => {}
        other => panic!("{other:?}"),
    }
    assert_eq!(b.get(&a.id).await.unwrap().unwrap().state, JobState::Available, "first update rolled back");
    assert!(b.get(&extra.id).await.unwrap().is_none(), "insert rolled back");
    let good = Commit {
        updates: vec![JobUpdate { guard: Guard::state(JobState::Available), job: state::cancel(a.clone(), now()) }],
        inserts: vec![extra.clone()],
        ..Default::default()
    };
    let CommitOutcome::Applied(jobs) = b.commit(good).await.unwrap() else { panic!() };
    assert_eq!(jobs.len(), 2);
    assert_eq!(jobs[0].state, JobState::Cancelled);
    assert_eq!(b.get(&extra.id).await.unwrap().unwrap().state, JobState::Available);
}

pub async fn workflow_and_cron_writes_are_compare_and_set(b: &SharedBackend) {
    let wf = Workflow {
        id: uuid::Uuid::now_v7().to_string(),
        kind: WorkflowKind::Group,
        name: Some("g".into()),
        state: WorkflowState::Running,
        created_at: now(),
        completed_at: None,
        cancelled_at: None,
        templates: vec![json!({"type": "a", "args": []})],
        member_ids: vec![None],
        outcomes: vec![None],
        results: vec![None],
        callbacks: None,
        callback_ids: vec![],
        version: 1,
    };
    let create = Commit { workflow: Some(WorkflowWrite { workflow: wf.clone(), expect_version: 0 }), ..Default::default() };
    assert!(matches!(b.commit(create.clone()).await.unwrap(), CommitOutcome::Applied(_)));
    assert!(matches!(b.commit(create).await.unwrap(), CommitOutcome::Conflict(ConflictAt::Workflow)), "create twice fails");
    let mut next = wf.clone();
    next.version = 2;
    next.state = WorkflowState::Completed;
    let stale = Commit { workflow: Some(WorkflowWrite { workflow: next.clone(), expect_version: 5 }), ..Default::default() };
    assert!(matches!(b.commit(stale).await.unwrap(), CommitOutcome::Conflict(ConflictAt::Workflow)));
    let ok = Commit { workflow: Some(WorkflowWrite { workflow: next, expect_version: 1 }), ..Default::default() };
    assert!(matches!(b.commit(ok).await.unwrap(), CommitOutcome::Applied(_)));
    assert_eq!(b.workflow_get(&wf.id).await.unwrap().unwrap().state, WorkflowState::Completed);

    let name = q("cron");
    let t0 = now();
    let cron = crate::model::cron::CronJob {
        name: name.clone(), expression: "* * * * * *".into(), timezone: "UTC".into(), overlap_policy: "allow".into(),
        enabled: true, description: None, job_template: json!({"type": "a", "args": []}), created_at: t0,
        next_run_at: Some(t0), last_run_at: None, run_count: 0, last_job_id: None,
    };
    b.cron_put(cron.clone()).await.unwrap();
    let mut fired = cron.clone();
    fired.next_run_at = Some(add_ms(t0, 1000));
    fired.run_count = 1;
    let occurrence_job = job(&q("cronq"), json!({})).job;
    let fire = |j: Job| Commit { inserts: vec![j], cron: Some(CronWrite { cron: fired.clone(), expect_next_run_at: Some(t0) }), ..Default::default() };
    assert!(matches!(b.commit(fire(occurrence_job.clone())).await.unwrap(), CommitOutcome::Applied(_)));
    let second = job(&q("cronq"), json!({})).job;
    assert!(matches!(b.commit(fire(second.clone())).await.unwrap(), CommitOutcome::Conflict(ConflictAt::Cron)), "one firing per occurrence");
    assert!(b.get(&second.id).await.unwrap().is_none());
    assert_eq!(b.cron_get(&name).await.unwrap().unwrap().run_count, 1);
}

pub async fn due_pass_promotes_and_reports_leases(b: &SharedBackend) {
    let queue = q("due");
    let soon = add_ms(now(), 300);
    let mut scheduled = job(&queue, json!({}));
    scheduled.job.state = JobState::Scheduled;
    scheduled.job.run_at = Some(soon);
    scheduled.job.enqueued_at = None;
    insert_one(b, scheduled.clone()).await;
    assert!(claim(b, &[&queue], 1).await.is_empty(), "not before its time");
    let pass = b.due_pass(now(), 100).await.unwrap();
    assert!(pass.next_due.is_some_and(|t| t <= soon), "next_due points at the scheduled job");
    let later = add_ms(soon, 50);
    let pass = b.due_pass(later, 100).await.unwrap();
    assert!(pass.promoted >= 1);
    assert_eq!(b.get(&scheduled.job.id).await.unwrap().unwrap().state, JobState::Available);

    let mut req = claim_req(&[&queue], 1);
    req.visibility_timeout_ms = Some(100);
    let active = b.claim(req).await.unwrap().jobs.pop().unwrap();
    let pass = b.due_pass(add_ms(now(), 500), 100).await.unwrap();
    assert!(pass.expired_leases.iter().any(|j| j.id == active.id), "lapsed lease reported");
    assert_eq!(b.get(&active.id).await.unwrap().unwrap().state, JobState::Active, "due_pass does not decide for the caller");
}

pub async fn heartbeat_extends_only_active_jobs(b: &SharedBackend) {
    let queue = q("hb");
    let waiting = insert_one(b, job(&queue, json!({}))).await;
    let other = insert_one(b, job(&queue, json!({}))).await;
    let mut req = claim_req(&[&queue], 1);
    req.visibility_timeout_ms = Some(1000);
    let active = b.claim(req).await.unwrap().jobs.pop().unwrap();
    assert_eq!(active.id, waiting.id);
    let t = now();
    let extended = b.heartbeat(&[active.id.clone(), other.id.clone()], Some(60_000), 30_000, t).await.unwrap();
    assert_eq!(extended.len(), 1);
    assert_eq!(extended[0].visible_until, Some(add_ms(t, 60_000)));
    let pass = b.due_pass(add_ms(t, 5_000), 100).await.unwrap();
    assert!(!pass.expired_leases.iter().any(|j| j.id == active.id), "extended lease no longer lapses");
}

pub async fn unique_claims(b: &SharedBackend) {
    let queue = q("uniq");
    let with_policy = |policy: Value| {
        let mut new = job(&queue, json!({}));
        let p = UniquePolicy::parse(&policy).unwrap();
        let key = p.fingerprint("test.job", &queue, &json!([1]), None);
        new.job.unique_key = Some(key.clone());
        new.unique = Some(p.claim(key));
        new
    };
    let first = with_policy(json!({"keys": ["type", "queue"]}));
    insert_one(b, first.clone()).await;
    let err = b.insert(vec![with_policy(json!({"keys": ["type", "queue"]}))], now()).await.unwrap_err();
    assert!(matches!(&err, BackendError::UniqueConflict { existing_id, .. } if *existing_id == first.job.id), "{err:?}");
    let ignored = b.insert(vec![with_policy(json!({"keys": ["type", "queue"], "on_conflict": "ignore"}))], now()).await.unwrap();
    assert!(matches!(&ignored[0], Inserted::Existing(j) if j.id == first.job.id));
    let replacement = with_policy(json!({"keys": ["type", "queue"], "on_conflict": "replace"}));
    let replaced = b.insert(vec![replacement.clone()], now()).await.unwrap();
    assert!(matches!(&replaced[0], Inserted::Replaced(new, old) if new.id == replacement.job.id && old.id == first.job.id));
    assert_eq!(b.get(&first.job.id).await.unwrap().unwrap().state, JobState::Cancelled);
    // A holder outside the policy's states does not conflict.
    let only_scheduled = with_policy(json!({"keys": ["type", "queue"], "states": ["scheduled"]}));
    assert!(matches!(b.insert(vec![only_scheduled], now()).await.unwrap()[0], Inserted::Created(_)));
    // Two racing inserts of one key: exactly one wins.
    let racers: Vec<_> = (0..8)
        .map(|_| {
            let b = b.clone();
            let new = with_policy(json!({"keys": ["type", "args"]}));
            tokio::spawn(async move { b.insert(vec![new], now()).await })
        })
        .collect();
    let mut created = 0;
    for r in racers {
        if let Ok(Ok(outcomes)) = r.await {
            created += outcomes.iter().filter(|o| matches!(o, Inserted::Created(_))).count();
        }
    }
    assert_eq!(created, 1, "exactly one racer wins the unique key");
}

pub async fn dead_letter_listing_and_delete(b: &SharedBackend) {
    let queue = q("dlq");
    insert_one(b, job(&queue, json!({}))).await;
    let active = claim(b, &[&queue], 1).await.pop().unwrap();
    let mut dead = active.clone();
    dead.state = JobState::Discarded;
    dead.discarded_at = Some(now());
    dead.dead_letter = true;
    b.update_each(vec![JobUpdate { guard: Guard::lease(&active), job: dead }]).await.unwrap();
    let page = b.dead_letter_list(Some(&queue), 10, 0).await.unwrap();
    assert_eq!(page.total, 1);
    assert_eq!(page.jobs[0].id, active.id);
    assert_eq!(b.stats(&queue, now()).await.unwrap().dead, 1);
    assert!(b.dead_letter_delete(&active.id).await.unwrap());
    assert!(!b.dead_letter_delete(&active.id).await.unwrap());
    assert_eq!(b.dead_letter_list(Some(&queue), 10, 0).await.unwrap().total, 0);
}

pub async fn stats_count_states(b: &SharedBackend) {
    let queue = q("stats");
    b.insert((0..3).map(|_| job(&queue, json!({}))).collect(), now()).await.unwrap();
    let s = b.stats(&queue, now()).await.unwrap();
    assert_eq!((s.available, s.active, s.completed), (3, 0, 0));
    let active = claim(b, &[&queue], 1).await.pop().unwrap();
    let s = b.stats(&queue, now()).await.unwrap();
    assert_eq!((s.available, s.active, s.completed), (2, 1, 0));
    b.complete(vec![Completion { id: active.id, result: None }], now()).await.unwrap();
    let s = b.stats(&queue, now()).await.unwrap();
    assert_eq!((s.available, s.active, s.completed, s.completed_last_minute), (2, 0, 1, 1));
    let unknown = b.stats(&q("never"), now()).await.unwrap();
    assert_eq!(unknown.available + unknown.active + unknown.completed, 0);
}

pub async fn events_round_trip(b: &SharedBackend) {
    let queue = q("evt");
    let j = job(&queue, json!({})).job;
    let e1 = crate::level0_core::events::job_event("job.enqueued", &j, now(), json!({}));
    let e2 = crate::level0_core::events::job_event("job.completed", &j, now(), json!({"duration_ms": 5}));
    b.append_events(vec![e1.clone(), e2.clone()]).await.unwrap();
    let filter = crate::model::event::EventFilter { types: vec!["job.completed".into()], queues: vec![queue.clone()], limit: 10, ..Default::default() };
    let found = b.list_events(&filter).await.unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].id, e2.id);
    assert_eq!(found[0].data["duration_ms"], 5);
    let after = crate::model::event::EventFilter { queues: vec![queue], after: Some(e1.id.clone()), limit: 10, ..Default::default() };
    assert_eq!(b.list_events(&after).await.unwrap().iter().map(|e| &e.id).collect::<Vec<_>>(), vec![&e2.id]);
}

pub async fn cron_registrations(b: &SharedBackend) {
    let name = q("reg");
    let cron = crate::model::cron::CronJob {
        name: name.clone(), expression: "*/5 * * * *".into(), timezone: "Asia/Tokyo".into(), overlap_policy: "skip".into(),
        enabled: true, description: Some("d".into()), job_template: json!({"type": "a", "args": [1]}), created_at: now(),
        next_run_at: Some(now()), last_run_at: None, run_count: 0, last_job_id: None,
    };
    b.cron_put(cron.clone()).await.unwrap();
    let got = b.cron_get(&name).await.unwrap().unwrap();
    assert_eq!((got.expression.as_str(), got.timezone.as_str()), ("*/5 * * * *", "Asia/Tokyo"));
    assert!(b.cron_list().await.unwrap().iter().any(|c| c.name == name));
    assert!(b.cron_delete(&name).await.unwrap().is_some());
    assert!(b.cron_get(&name).await.unwrap().is_none());
    assert!(b.cron_delete(&name).await.unwrap().is_none());
}

pub async fn concurrent_claims_never_share_a_job(b: &SharedBackend) {
    let queue = q("race");
    b.insert((0..200).map(|_| job(&queue, json!({}))).collect(), now()).await.unwrap();
    let workers: Vec<_> = (0..8)
        .map(|_| {
            let b = b.clone();
            let queue = queue.clone();
            tokio::spawn(async move {
                let mut got = Vec::new();
                loop {
                    let jobs = b.claim(claim_req(&[&queue], 7)).await.unwrap().jobs;
                    if jobs.is_empty() {
                        return got;
                    }
                    got.extend(jobs.into_iter().map(|j| j.id));
                }
            })
        })
        .collect();
    let mut all = Vec::new();
    for w in workers {
        all.extend(w.await.unwrap());
    }
    let distinct: std::collections::HashSet<_> = all.iter().collect();
    assert_eq!(all.len(), 200);
    assert_eq!(distinct.len(), 200, "no job delivered twice");
}

pub async fn ready_signal_wakes_on_insert(b: &SharedBackend) {
    let mut ready = b.ready_signal();
    ready.borrow_and_update();
    let queue = q("wake");
    let b2 = b.clone();
    tokio::spawn(async move {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        b2.insert(vec![job(&queue, json!({}))], now()).await.unwrap();
    });
    tokio::time::timeout(std::time::Duration::from_secs(5), ready.changed()).await.expect("woken within the deadline").unwrap();
}

pub async fn reset_wipes_everything(b: &SharedBackend) {
    let queue = q("reset");
    let j = insert_one(b, job(&queue, json!({}))).await;
    b.set_paused(&queue, true).await.unwrap();
    b.reset().await.unwrap();
    assert!(b.get(&j.id).await.unwrap().is_none());
    assert!(!b.list_queues().await.unwrap().iter().any(|i| i.name == queue && i.paused));
}
