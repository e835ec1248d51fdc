//! Tests against a live PostgreSQL (`DATABASE_URL`, default `postgres://postgres@127.0.0.1:5432/ojs_test`).
//! Each test works in a fresh schema. When the server is unreachable the tests fail and say what to start.

use super::*;
use crate::level1_reliable::retry::RetryPolicy;
use crate::model::job::{JobState, WorkflowRef};
use crate::model::time::{add_ms, now, parse_rfc3339};
use crate::model::workflow::{WorkflowKind, WorkflowState};
use serde_json::{json, value::RawValue};
use sqlx::postgres::PgConnectOptions;
use sqlx::{ConnectOptions, Connection, Executor};
use std::str::FromStr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

pub(super) fn database_url() -> String {
    std::env::var("DATABASE_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/ojs_test".to_string())
}

/// Creates the test database if it is missing (via the server's `postgres` database).
async fn ensure_database(url: &str) {
    let options = PgConnectOptions::from_str(url).expect("DATABASE_URL must be a postgres:// URL");
    let name = options.get_database().unwrap_or("postgres").to_string();
    let mut admin = options.clone().database("postgres").connect().await.unwrap_or_else(|e| {
        panic!(
            "PostgreSQL is not reachable at {url}: {e}. Start it with `bash ci/services/postgres.sh` \
             (or point DATABASE_URL at a running server)"
        )
    });
    let exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
        .bind(&name)
        .fetch_one(&mut admin)
        .await
        .expect("query pg_database");
    if !exists {
        // A concurrent test may create it first (42P04 duplicate_database): fine.
        let _ = admin.execute(format!("CREATE DATABASE {}", setup::quote_ident(&name)).as_str()).await;
    }
    let _ = admin.close().await;
}

/// Drops a test schema when dropped (from a thread of its own: `Drop` cannot await).
pub(super) struct DropSchema {
    url: String,
    schema: String,
}

impl Drop for DropSchema {
    fn drop(&mut self) {
        let (url, schema) = (self.url.clone(), self.schema.clone());
        let dropper = std::thread::spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread().enable_all().build() else { return };
            runtime.block_on(async move {
                if let Ok(mut conn) = PgConnectOptions::from_str(&url).unwrap().connect().await {
                    // Never hang a test run on a lock: give up (and leave the schema) after a few seconds.
                    let _ = conn.execute("SET lock_timeout = '5s'").await;
                    let sql = format!("DROP SCHEMA IF EXISTS {} CASCADE", setup::quote_ident(&schema));
                    let _ = conn.execute(sql.as_str()).await;
                    let _ = conn.close().await;
                }
            });
        });
        let _ = dropper.join();
    }
}

/// A backend on a fresh schema of its own, dropped with the backend.
pub(super) async fn fresh_backend() -> PostgresBackend {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let url = database_url();
    ensure_database(&url).await;
    let schema = format!(
        "ojs_test_{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        now().timestamp_millis() % 1_000_000
    );
    let mut backend = connect(&url, &schema)
        .await
        .unwrap_or_else(|e| panic!("connect to {url}: {e}. Start PostgreSQL with `bash ci/services/postgres.sh`"));
    backend.drop_schema = Some(DropSchema { url, schema });
    backend
}

pub(super) struct TestDb {
    pub backend: PostgresBackend,
    pub schema: String,
    url: String,
}

impl TestDb {
    pub async fn new() -> Self {
        let backend = fresh_backend().await;
        let cleanup = backend.drop_schema.as_ref().expect("fresh backends drop their schema");
        let (schema, url) = (cleanup.schema.clone(), cleanup.url.clone());
        Self { backend, schema, url }
    }

    /// Another backend (another "server process") on the same schema.
    pub async fn second_process(&self) -> PostgresBackend {
        connect(&self.url, &self.schema).await.expect("second connection")
    }

    /// Ends the test (the schema goes with the backend).
    pub async fn drop_schema(self) {}
}

fn ts(text: &str) -> Timestamp {
    parse_rfc3339(text).expect("valid timestamp")
}

/// An available job as a push would build it.
pub(super) fn job(queue: &str, args: &str, at: Timestamp) -> Job {
    Job {
        id: uuid::Uuid::now_v7().to_string(),
        kind: "test.job".into(),
        queue: queue.into(),
        args: RawValue::from_string(args.to_string()).expect("valid JSON args"),
        meta: None,
        priority: 0,
        max_attempts: 3,
        retry: RetryPolicy::default(),
        timeout_ms: None,
        visibility_timeout_ms: None,
        scheduled_at: None,
        expires_at: None,
        expires_at_ts: None,
        tags: None,
        unique: None,
        unique_key: None,
        schema: None,
        extra: Default::default(),
        workflow: None,
        parent_results: None,
        created_at: at,
        state: JobState::Available,
        attempt: 0,
        enqueued_at: Some(at),
        started_at: None,
        completed_at: None,
        cancelled_at: None,
        discarded_at: None,
        run_at: None,
        worker_id: None,
        visible_until: None,
        exec_deadline: None,
        result: None,
        error: None,
        errors: Vec::new(),
        retry_delay_ms: None,
        dead_letter: false,
    }
}

fn scheduled(queue: &str, at: Timestamp, run_at: Timestamp) -> Job {
    let mut j = job(queue, "[]", at);
    j.state = JobState::Scheduled;
    j.enqueued_at = None;
    j.run_at = Some(run_at);
    j
}

fn new(jobs: Vec<Job>) -> Vec<NewJob> {
    jobs.into_iter().map(|job| NewJob { job, unique: None }).collect()
}

fn claim_req(queues: &[&str], count: usize, at: Timestamp) -> ClaimRequest {
    ClaimRequest {
        queues: queues.iter().map(|q| q.to_string()).collect(),
        count,
        worker_id: Some("w1".into()),
        visibility_timeout_ms: None,
        default_visibility_ms: 30_000,
        now: at,
    }
}

fn ids(jobs: &[Job]) -> Vec<String> {
    jobs.iter().map(|j| j.id.clone()).collect()
}

const T0: &str = "2030-01-01T00:00:00Z";

#[tokio::test]
async fn args_and_fields_round_trip_byte_exactly() {
    let db = TestDb::new().await;
    let t0 = ts(T0);
    let mut j = job("default", r#"[3.14, 1.0, {"b": 1, "a": [1e3, "x"]}, 12345678901234567890]"#, t0);
    j.meta = Some(serde_json::from_value(json!({"z": 1, "a": 2})).unwrap());
    j.extra.insert("custom".into(), json!({"k": true}));
    j.expires_at = Some("2031-01-01T00:00:00+02:00".into());
    j.expires_at_ts = Some(ts("2031-01-01T00:00:00+02:00"));
    db.backend.insert(new(vec![j.clone()]), t0).await.unwrap();
    let got = db.backend.get(&j.id).await.unwrap().expect("stored");
    assert_eq!(got.args.get(), j.args.get());
    assert_eq!(got.to_envelope(), j.to_envelope());
    assert!(db.backend.get("0190aaaa-0000-7000-8000-000000000000").await.unwrap().is_none());
    let many = db.backend.get_many(&[j.id.clone(), "missing".into()]).await.unwrap();
    assert!(many[0].is_some() && many[1].is_none());
    db.drop_schema().await;
}

#[tokio::test]
async fn claims_follow_priority_then_fifo_and_queue_order() {
    let db = TestDb::new().await;
    let t0 = ts(T0);
    let mut batch = Vec::new();
    for i in 0..5 {
        let mut j = job("a", &format!("[{i}]"), t0);
        j.priority = if i == 3 { 10 } else { 0 };
        batch.push(j);
    }
    let b = job("b", "[]", t0);
    batch.insert(0, b.clone());
    db.backend.insert(new(batch.clone()), t0).await.unwrap();
    let got = db.backend.claim(claim_req(&["a", "b"], 4, t0)).await.unwrap();
    // priority 10 first, then FIFO of the same-millisecond batch in request order.
    let want: Vec<String> = [4, 1, 2, 3].iter().map(|&i| batch[i].id.clone()).collect();
    assert_eq!(ids(&got.jobs), want);
    let first = &got.jobs[0];
    assert_eq!((first.state, first.attempt), (JobState::Active, 1));
    assert_eq!(first.started_at, Some(t0));
    assert_eq!(first.worker_id.as_deref(), Some("w1"));
    assert_eq!(first.visible_until, Some(add_ms(t0, 30_000)));
    // Queue b only after a is drained.
    let got = db.backend.claim(claim_req(&["b", "a"], 10, t0)).await.unwrap();
    assert_eq!(ids(&got.jobs), vec![b.id.clone(), batch[5].id.clone()]);
    assert!(db.backend.claim(claim_req(&["a", "b"], 10, t0)).await.unwrap().jobs.is_empty());
    db.drop_schema().await;
}

#[tokio::test]
async fn claim_promotes_due_jobs_and_discards_expired_ones() {
    let db = TestDb::new().await;
    let t0 = ts(T0);
    let later = add_ms(t0, 5_000);
    let due = scheduled("q", t0, add_ms(t0, 1_000));
    let not_due = scheduled("q", t0, add_ms(t0, 60_000));
    let mut expiring = job("q", "[]", t0);
    expiring.expires_at_ts = Some(add_ms(t0, 2_000));
    expiring.expires_at = Some("2030-01-01T00:00:02Z".into());
    let mut timed = job("q", "[]", t0);
    timed.timeout_ms = Some(2_500);
    timed.visibility_timeout_ms = Some(7_000);
    db.backend.insert(new(vec![due.clone(), not_due.clone(), timed.clone(), expiring.clone()]), t0).await.unwrap();

    let first = db.backend.claim(claim_req(&["q"], 1, add_ms(t0, 500))).await.unwrap();
    assert_eq!(ids(&first.jobs), vec![timed.id.clone()]);
    let got = db.backend.claim(claim_req(&["q"], 10, later)).await.unwrap();
    assert_eq!(ids(&got.jobs), vec![due.id.clone()]);
    assert_eq!(got.jobs[0].enqueued_at, Some(later));
    assert_eq!(ids(&got.expired), vec![expiring.id.clone()]);
    let gone = &got.expired[0];
    assert_eq!(gone.state, JobState::Discarded);
    assert!(gone.completed_at.is_none());
    let reference = crate::level0_core::state::expire(expiring.clone(), later);
    assert_eq!(gone.error, reference.error);
    assert_eq!(gone.discarded_at, reference.discarded_at);

    let timed_now = db.backend.get(&timed.id).await.unwrap().unwrap();
    assert_eq!(timed_now.exec_deadline, Some(add_ms(add_ms(t0, 500), 2_500)));
    assert_eq!(timed_now.visible_until, Some(add_ms(add_ms(t0, 500), 7_000)));
    assert_eq!(db.backend.get(&not_due.id).await.unwrap().unwrap().state, JobState::Scheduled);
    db.drop_schema().await;
}

#[tokio::test]
async fn pause_rate_limit_and_concurrency_gate_claims() {
    let db = TestDb::new().await;
    let t0 = ts(T0);
    db.backend.insert(new((0..6).map(|_| job("p", "[]", t0)).collect()), t0).await.unwrap();
    db.backend.set_paused("p", true).await.unwrap();
    assert!(db.backend.claim(claim_req(&["p"], 1, t0)).await.unwrap().jobs.is_empty());
    let listed = db.backend.list_queues().await.unwrap();
    assert!(listed.iter().any(|q| q.name == "p" && q.paused));
    db.backend.set_paused("p", false).await.unwrap();

    db.backend.set_rate_limit("p", RateLimit { max_per_second: Some(1), concurrency: None }).await.unwrap();
    assert_eq!(db.backend.claim(claim_req(&["p"], 5, t0)).await.unwrap().jobs.len(), 1);
    assert_eq!(db.backend.claim(claim_req(&["p"], 5, add_ms(t0, 300))).await.unwrap().jobs.len(), 0);
    assert_eq!(db.backend.claim(claim_req(&["p"], 5, add_ms(t0, 1_500))).await.unwrap().jobs.len(), 1);

    db.backend.set_rate_limit("p", RateLimit { max_per_second: None, concurrency: Some(3) }).await.unwrap();
    assert_eq!(db.backend.claim(claim_req(&["p"], 5, add_ms(t0, 2_000))).await.unwrap().jobs.len(), 1);
    let stats = db.backend.stats("p", t0).await.unwrap();
    assert_eq!((stats.available, stats.active), (3, 3));
    db.drop_schema().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limits_hold_under_concurrent_claims() {
    let db = TestDb::new().await;
    let second = db.second_process().await;
    let t0 = ts(T0);
    db.backend.insert(new((0..20).map(|_| job("lim", "[]", t0)).collect()), t0).await.unwrap();
    db.backend.insert(new((0..20).map(|_| job("rps", "[]", t0)).collect()), t0).await.unwrap();
    db.backend.set_rate_limit("lim", RateLimit { max_per_second: None, concurrency: Some(3) }).await.unwrap();
    db.backend.set_rate_limit("rps", RateLimit { max_per_second: Some(2), concurrency: None }).await.unwrap();
    let backends = [&db.backend, &second];
    for (queue, cap) in [("lim", 3), ("rps", 2)] {
        let claims = (0..16).map(|i| backends[i % 2].claim(claim_req(&[queue], 1, t0)));
        let delivered: usize = futures::future::join_all(claims).await.into_iter().map(|r| r.unwrap().jobs.len()).sum();
        assert_eq!(delivered, cap, "queue {queue}");
    }
    drop(second);
    db.drop_schema().await;
}

#[tokio::test]
async fn complete_reports_each_item_and_counts_completions() {
    let db = TestDb::new().await;
    let t0 = ts(T0);
    let a = job("c", "[]", t0);
    let b = job("c", "[]", t0);
    let mut member = job("c", "[]", t0);
    member.workflow = Some(WorkflowRef { id: "wf".into(), index: Some(0) });
    db.backend.insert(new(vec![a.clone(), b.clone(), member.clone()]), t0).await.unwrap();
    let claimed = db.backend.claim(claim_req(&["c"], 1, t0)).await.unwrap();
    assert_eq!(ids(&claimed.jobs), vec![a.id.clone()]);
    db.backend.claim(claim_req(&["c"], 5, t0)).await.unwrap();
    let t1 = add_ms(t0, 10);
    let out = db
        .backend
        .complete(
            vec![
                Completion { id: a.id.clone(), result: Some(json!({"ok": 1.50})) },
                Completion { id: a.id.clone(), result: None },
                Completion { id: member.id.clone(), result: None },
                Completion { id: "nope".into(), result: None },
            ],
            t1,
        )
        .await
        .unwrap();
    match &out[0] {
        CompleteOutcome::Completed(j) => {
            assert_eq!(j.state, JobState::Completed);
            assert_eq!(j.completed_at, Some(t1));
            assert_eq!(j.result, Some(json!({"ok": 1.50})));
            assert!(j.worker_id.is_none() && j.visible_until.is_none());
        }
        other => panic!("expected completed, got {other:?}"),
    }
    assert!(matches!(out[1], CompleteOutcome::WrongState(JobState::Completed)));
    assert!(matches!(&out[2], CompleteOutcome::WorkflowMember(j) if j.id == member.id));
    assert!(matches!(out[3], CompleteOutcome::NotFound));
    let again = db.backend.complete(vec![Completion { id: a.id.clone(), result: None }], t1).await.unwrap();
    assert!(matches!(again[0], CompleteOutcome::WrongState(JobState::Completed)));
    let stats = db.backend.stats("c", t1).await.unwrap();
    assert_eq!((stats.available, stats.active, stats.completed, stats.completed_last_minute), (0, 2, 1, 1));
    db.drop_schema().await;
}

#[tokio::test]
async fn update_each_applies_only_where_the_guard_holds() {
    let db = TestDb::new().await;
    let t0 = ts(T0);
    let (a, b) = (job("u", "[]", t0), job("u", "[]", t0));
    db.backend.insert(new(vec![a.clone(), b.clone()]), t0).await.unwrap();
    let active = db.backend.claim(claim_req(&["u"], 1, t0)).await.unwrap().jobs.remove(0);
    assert_eq!(active.id, a.id);
    // NACK with requeue: back to available behind b.
    let requeued = crate::level0_core::state::make_available(active.clone(), t0);
    let stale = JobUpdate { guard: Guard { state: JobState::Active, attempt: Some(7) }, job: requeued.clone() };
    let good = JobUpdate { guard: Guard::lease(&active), job: requeued.clone() };
    let missing = JobUpdate { guard: Guard::state(JobState::Active), job: job("u", "[]", t0) };
    let out = db.backend.update_each(vec![stale, good, missing]).await.unwrap();
    assert!(matches!(out[0], UpdateOutcome::Conflict(JobState::Active)));
    assert!(matches!(&out[1], UpdateOutcome::Applied(j) if j.state == JobState::Available && j.worker_id.is_none()));
    assert!(matches!(out[2], UpdateOutcome::NotFound));
    let order = db.backend.claim(claim_req(&["u"], 2, t0)).await.unwrap();
    assert_eq!(ids(&order.jobs), vec![b.id.clone(), a.id.clone()]);
    assert_eq!(order.jobs[1].attempt, 2);
    db.drop_schema().await;
}

#[tokio::test]
async fn commit_is_all_or_nothing() {
    let db = TestDb::new().await;
    let t0 = ts(T0);
    let step = job("w", "[]", t0);
    db.backend.insert(new(vec![step.clone()]), t0).await.unwrap();
    let active = db.backend.claim(claim_req(&["w"], 1, t0)).await.unwrap().jobs.remove(0);
    let mut wf = Workflow {
        id: "wf-1".into(),
        kind: WorkflowKind::Chain,
        name: None,
        state: WorkflowState::Running,
        created_at: t0,
        completed_at: None,
        cancelled_at: None,
        templates: vec![json!({"type": "a"})],
        member_ids: vec![Some(step.id.clone())],
        outcomes: vec![None],
        results: vec![None],
        callbacks: None,
        callback_ids: vec![],
        version: 1,
    };
    let created =
        Commit { workflow: Some(WorkflowWrite { workflow: wf.clone(), expect_version: 0 }), ..Default::default() };
    assert!(matches!(db.backend.commit(created.clone()).await.unwrap(), CommitOutcome::Applied(_)));
    assert!(matches!(db.backend.commit(created).await.unwrap(), CommitOutcome::Conflict(ConflictAt::Workflow)));

    let done = crate::level0_core::state::complete(active.clone(), Some(json!(1)), t0);
    let next = job("w", "[]", t0);
    wf.version = 2;
    // Stale workflow version: nothing applies, not even the guarded job update.
    let stale = Commit {
        updates: vec![JobUpdate { guard: Guard::lease(&active), job: done.clone() }],
        inserts: vec![next.clone()],
        workflow: Some(WorkflowWrite { workflow: wf.clone(), expect_version: 5 }),
        cron: None,
    };
    assert!(matches!(db.backend.commit(stale).await.unwrap(), CommitOutcome::Conflict(ConflictAt::Workflow)));
    assert_eq!(db.backend.get(&active.id).await.unwrap().unwrap().state, JobState::Active);
    assert!(db.backend.get(&next.id).await.unwrap().is_none());

    let dup = Commit {
        updates: vec![JobUpdate { guard: Guard::lease(&active), job: done.clone() }],
        inserts: vec![step.clone()],
        ..Default::default()
    };
    assert_eq!(
        match db.backend.commit(dup).await.unwrap() {
            CommitOutcome::Conflict(c) => c,
            other => panic!("expected conflict, got {other:?}"),
        },
        ConflictAt::DuplicateId(step.id.clone())
    );

    let good = Commit {
        updates: vec![JobUpdate { guard: Guard::lease(&active), job: done.clone() }],
        inserts: vec![next.clone()],
        workflow: Some(WorkflowWrite { workflow: wf.clone(), expect_version: 1 }),
        cron: None,
    };
    match db.backend.commit(good.clone()).await.unwrap() {
        CommitOutcome::Applied(jobs) => assert_eq!(ids(&jobs), vec![active.id.clone(), next.id.clone()]),
        other => panic!("expected applied, got {other:?}"),
    }
    assert_eq!(db.backend.workflow_get("wf-1").await.unwrap().unwrap().version, 2);
    assert_eq!(db.backend.get(&active.id).await.unwrap().unwrap().state, JobState::Completed);
    match db.backend.commit(good).await.unwrap() {
        CommitOutcome::Conflict(ConflictAt::Job { index: 0, current }) => {
            assert_eq!(current, Some(JobState::Completed))
        }
        other => panic!("expected job conflict, got {other:?}"),
    }
    assert_eq!(db.backend.stats("w", t0).await.unwrap().completed, 1);
    db.drop_schema().await;
}

fn cron(next: Option<Timestamp>) -> CronJob {
    CronJob {
        name: "nightly".into(),
        expression: "0 0 * * *".into(),
        timezone: "UTC".into(),
        overlap_policy: "allow".into(),
        enabled: true,
        description: None,
        job_template: json!({"type": "report.build", "args": []}),
        created_at: ts(T0),
        next_run_at: next,
        last_run_at: None,
        run_count: 0,
        last_job_id: None,
    }
}

#[tokio::test]
async fn cron_firings_are_compare_and_set_on_next_run_at() {
    let db = TestDb::new().await;
    let t0 = ts(T0);
    let first = add_ms(t0, 60_000);
    db.backend.cron_put(cron(Some(first))).await.unwrap();
    let mut fired = cron(Some(add_ms(first, 86_400_000)));
    fired.run_count = 1;
    let firing = |expect| Commit {
        inserts: vec![job("default", "[]", t0)],
        cron: Some(CronWrite { cron: fired.clone(), expect_next_run_at: expect }),
        ..Default::default()
    };
    assert!(matches!(db.backend.commit(firing(Some(first))).await.unwrap(), CommitOutcome::Applied(_)));
    // A second process firing the same occurrence loses.
    assert!(matches!(db.backend.commit(firing(Some(first))).await.unwrap(), CommitOutcome::Conflict(ConflictAt::Cron)));
    assert_eq!(db.backend.cron_get("nightly").await.unwrap().unwrap().run_count, 1);
    assert_eq!(db.backend.cron_list().await.unwrap().len(), 1);
    assert!(db.backend.cron_delete("nightly").await.unwrap().is_some());
    assert!(db.backend.cron_get("nightly").await.unwrap().is_none());
    assert_eq!(db.backend.stats("default", t0).await.unwrap().available, 1);
    db.drop_schema().await;
}

fn claim(key: &str, on_conflict: OnConflict) -> UniqueClaim {
    UniqueClaim {
        key: key.into(),
        states: vec![
            JobState::Available,
            JobState::Active,
            JobState::Scheduled,
            JobState::Retryable,
            JobState::Pending,
        ],
        period_ms: None,
        on_conflict,
    }
}

fn unique(job: Job, claim: UniqueClaim) -> NewJob {
    NewJob { job, unique: Some(claim) }
}

#[tokio::test]
async fn unique_claims_reject_ignore_and_replace() {
    let db = TestDb::new().await;
    let t0 = ts(T0);
    let first = job("un", "[]", t0);
    let out = db.backend.insert(vec![unique(first.clone(), claim("k1", OnConflict::Reject))], t0).await.unwrap();
    assert!(matches!(&out[0], Inserted::Created(j) if j.id == first.id));

    let err =
        db.backend.insert(vec![unique(job("un", "[]", t0), claim("k1", OnConflict::Reject))], t0).await.unwrap_err();
    assert!(matches!(err, BackendError::UniqueConflict { index: 0, ref existing_id, .. } if *existing_id == first.id));

    let out = db.backend.insert(vec![unique(job("un", "[]", t0), claim("k1", OnConflict::Ignore))], t0).await.unwrap();
    assert!(matches!(&out[0], Inserted::Existing(j) if j.id == first.id));

    let replacement = job("un", "[]", t0);
    let out = db.backend.insert(vec![unique(replacement.clone(), claim("k1", OnConflict::Replace))], t0).await.unwrap();
    match &out[0] {
        Inserted::Replaced(new, old) => {
            assert_eq!((new.id.as_str(), old.id.as_str()), (replacement.id.as_str(), first.id.as_str()));
            assert_eq!(old.state, JobState::Cancelled);
        }
        other => panic!("expected replaced, got {other:?}"),
    }
    assert_eq!(db.backend.get(&first.id).await.unwrap().unwrap().state, JobState::Cancelled);

    // Replace against an active holder falls back to reject.
    db.backend.claim(claim_req(&["un"], 1, t0)).await.unwrap();
    let err =
        db.backend.insert(vec![unique(job("un", "[]", t0), claim("k1", OnConflict::Replace))], t0).await.unwrap_err();
    assert!(matches!(err, BackendError::UniqueConflict { .. }));

    // A conflict anywhere aborts the whole batch.
    let plain = job("un", "[]", t0);
    let err = db
        .backend
        .insert(
            vec![
                NewJob { job: plain.clone(), unique: None },
                unique(job("un", "[]", t0), claim("k1", OnConflict::Reject)),
            ],
            t0,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, BackendError::UniqueConflict { index: 1, .. }));
    assert!(db.backend.get(&plain.id).await.unwrap().is_none());

    // Duplicates inside one batch.
    let a = job("un", "[]", t0);
    let out = db
        .backend
        .insert(
            vec![
                unique(a.clone(), claim("k2", OnConflict::Reject)),
                unique(job("un", "[]", t0), claim("k2", OnConflict::Ignore)),
            ],
            t0,
        )
        .await
        .unwrap();
    assert!(matches!(&out[1], Inserted::Existing(j) if j.id == a.id));
    db.drop_schema().await;
}

#[tokio::test]
async fn unique_period_and_states_narrow_the_conflict() {
    let db = TestDb::new().await;
    let t0 = ts(T0);
    let mut timed = claim("kp", OnConflict::Reject);
    timed.period_ms = Some(2_000);
    db.backend.insert(vec![unique(job("up", "[]", t0), timed.clone())], t0).await.unwrap();
    assert!(db.backend.insert(vec![unique(job("up", "[]", t0), timed.clone())], add_ms(t0, 1_000)).await.is_err());
    let t3 = add_ms(t0, 3_000);
    assert!(db.backend.insert(vec![unique(job("up", "[]", t3), timed.clone())], t3).await.is_ok());

    let mut only_available = claim("ks", OnConflict::Reject);
    only_available.states = vec![JobState::Available];
    db.backend.insert(vec![unique(job("us", "[]", t0), only_available.clone())], t0).await.unwrap();
    let held = db.backend.claim(claim_req(&["us"], 1, t0)).await.unwrap().jobs.remove(0);
    assert_eq!(held.state, JobState::Active);
    // The holder is active, not available: no conflict under this claim.
    assert!(db.backend.insert(vec![unique(job("us", "[]", t0), only_available.clone())], t0).await.is_ok());
    assert!(db.backend.insert(vec![unique(job("us", "[]", t0), only_available)], t0).await.is_err());

    // Any live holder conflicts, not only the newest: A holds the key; B (a narrower claim) is let in and
    // completes; a default claim still conflicts with A.
    let a = job("uh", "[]", t0);
    db.backend.insert(vec![unique(a.clone(), claim("kh", OnConflict::Reject))], t0).await.unwrap();
    let mut only_scheduled = claim("kh", OnConflict::Reject);
    only_scheduled.states = vec![JobState::Scheduled];
    let b = job("uh-b", "[]", add_ms(t0, 1));
    db.backend.insert(vec![unique(b.clone(), only_scheduled)], add_ms(t0, 1)).await.unwrap();
    let active = db.backend.claim(claim_req(&["uh-b"], 1, t0)).await.unwrap().jobs.remove(0);
    db.backend.complete(vec![Completion { id: active.id.clone(), result: None }], t0).await.unwrap();
    let err = db.backend.insert(vec![unique(job("uh", "[]", t0), claim("kh", OnConflict::Reject))], t0).await.unwrap_err();
    assert!(matches!(err, BackendError::UniqueConflict { ref existing_id, .. } if *existing_id == a.id), "{err:?}");
    db.drop_schema().await;
}

#[tokio::test]
async fn unique_claims_are_strong_under_concurrency() {
    let db = TestDb::new().await;
    let second = db.second_process().await;
    let t0 = ts(T0);
    let backends = [&db.backend, &second];
    for (n, c) in [claim("race", OnConflict::Reject), {
        let mut c = claim("race-period", OnConflict::Reject);
        c.period_ms = Some(60_000);
        c
    }]
    .into_iter()
    .enumerate()
    {
        let attempts = (0..16).map(|i| {
            let backend = backends[i % 2];
            let c = c.clone();
            async move { backend.insert(vec![unique(job("race", "[]", t0), c)], t0).await }
        });
        let results = futures::future::join_all(attempts).await;
        let created = results.iter().filter(|r| matches!(r, Ok(v) if matches!(v[0], Inserted::Created(_)))).count();
        let conflicts = results.iter().filter(|r| matches!(r, Err(BackendError::UniqueConflict { .. }))).count();
        assert_eq!((created, conflicts), (1, 15), "claim set {n}: {results:?}");
    }
    drop(second);
    db.drop_schema().await;
}

#[tokio::test]
async fn duplicate_ids_abort_the_batch() {
    let db = TestDb::new().await;
    let t0 = ts(T0);
    let a = job("d", "[]", t0);
    db.backend.insert(new(vec![a.clone()]), t0).await.unwrap();
    let b = job("d", "[]", t0);
    let err = db.backend.insert(new(vec![b.clone(), a.clone()]), t0).await.unwrap_err();
    assert!(matches!(err, BackendError::DuplicateId { index: 1, ref id } if *id == a.id));
    assert!(db.backend.get(&b.id).await.unwrap().is_none());
    let c = job("d", "[]", t0);
    let err = db.backend.insert(new(vec![c.clone(), c.clone()]), t0).await.unwrap_err();
    assert!(matches!(err, BackendError::DuplicateId { index: 1, .. }));
    // The first offending item is named, whether its id is stored or repeated.
    let err = db.backend.insert(new(vec![job("d", "[]", t0), a.clone(), c.clone(), c.clone()]), t0).await.unwrap_err();
    assert!(matches!(err, BackendError::DuplicateId { index: 1, .. }), "{err:?}");
    db.drop_schema().await;
}

#[tokio::test]
async fn concurrent_claims_never_deliver_a_job_twice() {
    let db = TestDb::new().await;
    let second = db.second_process().await;
    let t0 = ts(T0);
    let all: Vec<Job> = (0..300).map(|i| job("cc", &format!("[{i}]"), t0)).collect();
    db.backend.insert(new(all.clone()), t0).await.unwrap();
    let backends = [&db.backend, &second];
    let workers = (0..8).map(|w| {
        let backend = backends[w % 2];
        async move {
            let mut mine = Vec::new();
            loop {
                let got = backend.claim(claim_req(&["cc"], 7, t0)).await.unwrap();
                if got.jobs.is_empty() {
                    return mine;
                }
                mine.extend(ids(&got.jobs));
            }
        }
    });
    let mut delivered: Vec<String> = futures::future::join_all(workers).await.into_iter().flatten().collect();
    assert_eq!(delivered.len(), 300);
    delivered.sort();
    delivered.dedup();
    assert_eq!(delivered.len(), 300);
    drop(second);
    db.drop_schema().await;
}

#[tokio::test]
async fn due_pass_promotes_and_reports_expired_leases() {
    let db = TestDb::new().await;
    let t0 = ts(T0);
    let s = scheduled("dp", t0, add_ms(t0, 1_000));
    let s2 = scheduled("dp", t0, add_ms(t0, 9_000));
    let a = job("dp", "[]", t0);
    db.backend.insert(new(vec![s.clone(), s2.clone(), a.clone()]), t0).await.unwrap();
    let mut req = claim_req(&["dp"], 1, t0);
    req.visibility_timeout_ms = Some(3_000);
    db.backend.claim(req).await.unwrap();
    let pass = db.backend.due_pass(add_ms(t0, 500), 100).await.unwrap();
    assert_eq!(pass.promoted, 0);
    assert!(pass.expired_leases.is_empty());
    assert_eq!(pass.next_due, Some(add_ms(t0, 1_000)));
    let pass = db.backend.due_pass(add_ms(t0, 4_000), 100).await.unwrap();
    assert_eq!(pass.promoted, 1);
    assert_eq!(ids(&pass.expired_leases), vec![a.id.clone()]);
    assert_eq!(pass.next_due, Some(add_ms(t0, 3_000)));
    assert_eq!(db.backend.get(&s.id).await.unwrap().unwrap().state, JobState::Available);

    // Heartbeat extends the lease of active jobs only.
    let beat =
        db.backend.heartbeat(&[a.id.clone(), s.id.clone()], Some(10_000), 30_000, add_ms(t0, 4_000)).await.unwrap();
    assert_eq!(ids(&beat), vec![a.id.clone()]);
    assert_eq!(beat[0].visible_until, Some(add_ms(t0, 14_000)));
    let pass = db.backend.due_pass(add_ms(t0, 4_000), 100).await.unwrap();
    assert!(pass.expired_leases.is_empty());
    assert_eq!(pass.next_due, Some(add_ms(t0, 9_000)));
    db.drop_schema().await;
}

#[tokio::test]
async fn prune_keeps_dead_letters_and_the_completed_count() {
    let db = TestDb::new().await;
    let t0 = ts(T0);
    let (a, b, c) = (job("pr", "[]", t0), job("pr", "[]", t0), job("pr", "[]", t0));
    db.backend.insert(new(vec![a.clone(), b.clone(), c.clone()]), t0).await.unwrap();
    let active = db.backend.claim(claim_req(&["pr"], 3, t0)).await.unwrap().jobs;
    db.backend.complete(vec![Completion { id: a.id.clone(), result: None }], t0).await.unwrap();
    let mut dead = active[1].clone();
    dead.state = JobState::Discarded;
    dead.completed_at = Some(t0);
    dead.discarded_at = Some(t0);
    dead.dead_letter = true;
    dead.errors = vec![json!({"code": "boom"})];
    let mut discarded = active[2].clone();
    discarded.state = JobState::Discarded;
    discarded.discarded_at = Some(t0);
    let out = db
        .backend
        .update_each(vec![
            JobUpdate { guard: Guard::lease(&active[1]), job: dead.clone() },
            JobUpdate { guard: Guard::lease(&active[2]), job: discarded.clone() },
        ])
        .await
        .unwrap();
    assert!(out.iter().all(|o| matches!(o, UpdateOutcome::Applied(_))));
    let page = db.backend.dead_letter_list(Some("pr"), 10, 0).await.unwrap();
    assert_eq!((page.total, ids(&page.jobs)), (1, vec![b.id.clone()]));
    assert_eq!(page.jobs[0].errors.len(), 1);

    let retention = Retention { completed_ms: 1_000, discarded_ms: 5_000 };
    assert_eq!(db.backend.prune(add_ms(t0, 2_000), retention, 100).await.unwrap(), 1);
    assert_eq!(db.backend.prune(add_ms(t0, 6_000), retention, 100).await.unwrap(), 1);
    assert!(db.backend.get(&a.id).await.unwrap().is_none());
    assert!(db.backend.get(&c.id).await.unwrap().is_none());
    assert!(db.backend.get(&b.id).await.unwrap().is_some());
    let stats = db.backend.stats("pr", add_ms(t0, 6_000)).await.unwrap();
    assert_eq!((stats.completed, stats.dead, stats.discarded), (1, 1, 1));
    assert!(db.backend.dead_letter_delete(&b.id).await.unwrap());
    assert!(!db.backend.dead_letter_delete(&b.id).await.unwrap());
    db.drop_schema().await;
}

fn event(kind: &str, queue: &str) -> Event {
    Event {
        id: format!("evt_{}", uuid::Uuid::now_v7()),
        kind: kind.into(),
        time: ts(T0),
        subject: "s".into(),
        queue: Some(queue.into()),
        job_type: Some("t.x".into()),
        data: json!({"n": 1}),
    }
}

#[tokio::test]
async fn events_filter_and_page_by_cursor() {
    let db = TestDb::new().await;
    let events: Vec<Event> =
        (0..6).map(|i| event(if i % 2 == 0 { "job.enqueued" } else { "job.started" }, "e")).collect();
    db.backend.append_events(events.clone()).await.unwrap();
    let ids_of = |list: &[Event]| list.iter().map(|e| e.id.clone()).collect::<Vec<_>>();
    let newest = db.backend.list_events(&EventFilter { limit: 2, ..Default::default() }).await.unwrap();
    assert_eq!(ids_of(&newest), ids_of(&events[4..6]));
    let started = db
        .backend
        .list_events(&EventFilter { types: vec!["job.started".into()], limit: 10, ..Default::default() })
        .await
        .unwrap();
    assert_eq!(started.len(), 3);
    let after = db
        .backend
        .list_events(&EventFilter { after: Some(events[1].id.clone()), limit: 2, ..Default::default() })
        .await
        .unwrap();
    assert_eq!(ids_of(&after), ids_of(&events[2..4]));
    assert!(db
        .backend
        .list_events(&EventFilter { queues: vec!["other".into()], limit: 10, ..Default::default() })
        .await
        .unwrap()
        .is_empty());
    db.drop_schema().await;
}

/// Waits (with a deadline) until the watch value moves past `seen`.
async fn bumped(rx: &mut watch::Receiver<u64>, seen: u64) -> bool {
    tokio::time::timeout(Duration::from_secs(5), async {
        while *rx.borrow_and_update() == seen {
            if rx.changed().await.is_err() {
                return false;
            }
        }
        true
    })
    .await
    .unwrap_or(false)
}

#[tokio::test]
async fn another_process_inserts_wake_this_one() {
    let db = TestDb::new().await;
    let other = db.second_process().await;
    let mut ready = db.backend.ready_signal();
    let mut schedule = db.backend.schedule_signal();
    // Let the listener connect (it bumps once when it starts listening).
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (r0, s0) = (*ready.borrow_and_update(), *schedule.borrow_and_update());
    let t0 = now();
    other.insert(new(vec![job("wake", "[]", t0)]), t0).await.unwrap();
    assert!(bumped(&mut ready, r0).await, "ready_signal was not bumped by another process's insert");
    other.insert(new(vec![scheduled("wake", t0, add_ms(t0, 60_000))]), t0).await.unwrap();
    assert!(bumped(&mut schedule, s0).await, "schedule_signal was not bumped by another process's insert");
    drop(other);
    db.drop_schema().await;
}

#[tokio::test]
async fn ojs_enqueue_commits_and_rolls_back_with_the_application_transaction() {
    let db = TestDb::new().await;
    let pool = db.backend.pool().clone();
    sqlx::query("CREATE TABLE orders (id int PRIMARY KEY)").execute(&pool).await.unwrap();
    let mut ready = db.backend.ready_signal();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let r0 = *ready.borrow_and_update();

    // Rolled back: neither the order nor the job exists.
    let mut tx = pool.begin().await.unwrap();
    sqlx::query("INSERT INTO orders VALUES (1)").execute(&mut *tx).await.unwrap();
    let lost: String =
        sqlx::query_scalar("SELECT ojs_enqueue('order.fulfil', '[1, 2.50]'::json)").fetch_one(&mut *tx).await.unwrap();
    tx.rollback().await.unwrap();
    assert!(db.backend.get(&lost).await.unwrap().is_none());

    // Committed: the job is a regular job.
    let mut tx = pool.begin().await.unwrap();
    sqlx::query("INSERT INTO orders VALUES (2)").execute(&mut *tx).await.unwrap();
    let id: String = sqlx::query_scalar(
        "SELECT ojs_enqueue('order.fulfil', '[2, 2.50, {\"b\":1,\"a\":2}]'::json, 'orders',
                            '{\"priority\": 5, \"meta\": {\"tenant\": \"t1\"}, \"retry\": {\"max_attempts\": 5, \"initial_interval\": \"PT2S\"}}')",
    )
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert!(bumped(&mut ready, r0).await, "ojs_enqueue must NOTIFY ojs_ready");
    let uuid = uuid::Uuid::parse_str(&id).expect("a UUID");
    assert_eq!(uuid.get_version_num(), 7);
    assert_eq!(id, id.to_lowercase());

    let stored = db.backend.get(&id).await.unwrap().expect("job committed");
    assert_eq!(stored.args.get(), r#"[2, 2.50, {"b":1,"a":2}]"#);
    assert_eq!((stored.state, stored.priority, stored.max_attempts), (JobState::Available, 5, 5));
    assert_eq!(stored.retry.initial_interval_ms, 2_000);
    assert_eq!(stored.meta_str("tenant"), Some("t1"));
    assert!(stored.enqueued_at.is_some());
    let got = db.backend.claim(claim_req(&["orders"], 5, now())).await.unwrap();
    assert_eq!(ids(&got.jobs), vec![id.clone()]);
    assert_eq!(got.jobs[0].attempt, 1);
    let events = db.backend.list_events(&EventFilter { limit: 10, ..Default::default() }).await.unwrap();
    assert!(events.iter().any(|e| e.kind == "job.enqueued" && e.subject == id));

    // Scheduled through options, and bad input refused.
    let later: String = sqlx::query_scalar(
        "SELECT ojs_enqueue('report.build', '[]', 'default', jsonb_build_object('scheduled_at', now() + interval '1 hour'))",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    let later = db.backend.get(&later).await.unwrap().unwrap();
    assert_eq!(later.state, JobState::Scheduled);
    assert!(later.run_at.is_some() && later.enqueued_at.is_none());
    let bad = sqlx::query("SELECT ojs_enqueue('Bad Type', '[]')").execute(&pool).await;
    assert!(bad.is_err());
    let bad = sqlx::query("SELECT ojs_enqueue('ok.type', '{}')").execute(&pool).await;
    assert!(bad.is_err());
    let bad = sqlx::query("SELECT ojs_enqueue('ok.type', '[]', 'default', '{\"id\": \"not-a-uuid\"}')").execute(&pool).await;
    assert!(bad.is_err());
    db.drop_schema().await;
}

#[tokio::test]
async fn ojs_enqueue_works_without_the_schema_on_the_search_path() {
    let db = TestDb::new().await;
    let mut conn = PgConnectOptions::from_str(&database_url()).unwrap().connect().await.unwrap();
    let id: String =
        sqlx::query_scalar(&format!("SELECT {}.ojs_enqueue('plain.job', '[]')", setup::quote_ident(&db.schema)))
            .fetch_one(&mut conn)
            .await
            .unwrap();
    assert!(db.backend.get(&id).await.unwrap().is_some());
    let _ = conn.close().await;
    db.drop_schema().await;
}

#[tokio::test]
async fn reset_wipes_everything_and_migrate_is_idempotent() {
    let db = TestDb::new().await;
    let t0 = ts(T0);
    db.backend.insert(new(vec![job("r", "[]", t0)]), t0).await.unwrap();
    db.backend.set_paused("r", true).await.unwrap();
    db.backend.append_events(vec![event("job.enqueued", "r")]).await.unwrap();
    db.backend.reset().await.unwrap();
    assert_eq!(db.backend.stats("r", t0).await.unwrap().available, 0);
    assert!(db.backend.list_queues().await.unwrap().is_empty());
    assert!(db.backend.list_events(&EventFilter { limit: 10, ..Default::default() }).await.unwrap().is_empty());
    migrate(&database_url(), &db.schema).await.expect("migrations re-run cleanly");
    db.backend.ping().await.unwrap();
    assert_eq!(db.backend.unique_strength(), "strong");
    db.drop_schema().await;
}

/// The shared backend suite (src/backend/suite.rs) against PostgreSQL, each case in its own schema.
mod shared_suite {
    use crate::backend::SharedBackend;
    use std::sync::Arc;

    async fn fresh() -> SharedBackend {
        Arc::new(super::fresh_backend().await)
    }

    crate::backend_suite!(fresh);
}
