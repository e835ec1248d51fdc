//! Steps that drive many clients at once against one queue or endpoint.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use cucumber::gherkin::Step;
use futures::future::join_all;
use reqwest::Method;
use serde_json::{json, Value};

use crate::world::{send, OjsWorld, RunContext, StepResult};

/// Upper bound for draining a queue, so a server that never empties cannot hang the run.
const DRAIN_DEADLINE: Duration = Duration::from_secs(60);

/// One worker: fetch `count` jobs, ack each, repeat until a fetch comes back empty.
/// Returns the delivered ids and any problems met on the way.
async fn worker(ctx: &RunContext, worker_id: String, queue: &str, count: usize) -> (Vec<String>, Vec<String>) {
    let mut delivered = Vec::new();
    let mut problems = Vec::new();
    let started = Instant::now();
    let fetch_body = json!({"queues": [queue], "count": count, "worker_id": worker_id}).to_string();
    while started.elapsed() < DRAIN_DEADLINE {
        let fetch = OjsWorld::json_request(Method::POST, "/ojs/v1/workers/fetch".into(), &fetch_body);
        let reply = match send(ctx, fetch, &[]).await {
            Ok(r) => r,
            Err(e) => {
                problems.push(e);
                return (delivered, problems);
            }
        };
        let jobs = reply.json.as_ref().and_then(|b| b.get("jobs")).and_then(Value::as_array);
        let Some(jobs) = jobs.filter(|_| reply.status == 200) else {
            problems.push(format!("{worker_id}: fetch answered {}", reply.describe()));
            return (delivered, problems);
        };
        if jobs.is_empty() {
            return (delivered, problems);
        }
        let ids: Vec<String> = jobs
            .iter()
            .filter_map(|j| j.get("id").and_then(Value::as_str).map(str::to_string))
            .collect();
        for id in ids {
            let body = json!({"job_id": id, "worker_id": worker_id}).to_string();
            let ack = OjsWorld::json_request(Method::POST, "/ojs/v1/workers/ack".into(), &body);
            match send(ctx, ack, &[]).await {
                Ok(r) if r.status == 200 => {}
                Ok(r) => problems.push(format!("{worker_id}: ack of {id} answered {}", r.describe())),
                Err(e) => problems.push(e),
            }
            delivered.push(id);
        }
    }
    problems.push(format!("{worker_id}: queue {queue} was not empty after {DRAIN_DEADLINE:?}"));
    (delivered, problems)
}

step!(r#"^(\d+) workers concurrently fetch from "([^"]*)" with count (\d+) until it is empty$"#,
    async fn workers_drain(w: &mut OjsWorld, workers: usize, queue: String, count: usize) -> StepResult {
        let queue = w.expand(&queue)?;
        let ctx = w.ctx.clone();
        let runs = (0..workers).map(|i| worker(&ctx, format!("worker-{}-{i}", w.suffix), &queue, count));
        for (ids, problems) in join_all(runs).await {
            w.delivered.extend(ids);
            w.worker_problems.extend(problems);
        }
        Ok(())
    }
);

step!(r#"^(\d+) workers on each server concurrently fetch from "([^"]*)" with count (\d+) until it is empty$"#,
    async fn workers_drain_both(w: &mut OjsWorld, workers: usize, queue: String, count: usize) -> StepResult {
        let queue = w.expand(&queue)?;
        let servers = [w.ctx.clone(), w.ctx.peer()?];
        let runs = servers.iter().enumerate().flat_map(|(s, ctx)| {
            let suffix = w.suffix.clone();
            let queue = queue.clone();
            (0..workers).map(move |i| {
                let queue = queue.clone();
                let id = format!("worker-{suffix}-s{s}-{i}");
                async move { worker(ctx, id, &queue, count).await }
            })
        });
        for (ids, problems) in join_all(runs).await {
            w.delivered.extend(ids);
            w.worker_problems.extend(problems);
        }
        Ok(())
    }
);

step!(r#"^(\d+) distinct jobs were delivered and none twice$"#,
    async fn delivered_once(w: &mut OjsWorld, n: usize) -> StepResult {
        let distinct: HashSet<&String> = w.delivered.iter().collect();
        let mut failures = Vec::new();
        if distinct.len() != n {
            failures.push(format!("{} distinct jobs were delivered, expected {n}", distinct.len()));
        }
        if w.delivered.len() != distinct.len() {
            failures.push(format!("{} deliveries were repeats", w.delivered.len() - distinct.len()));
        }
        failures.extend(w.worker_problems.iter().take(10).cloned());
        if failures.is_empty() { Ok(()) } else { Err(failures.join("\n  ")) }
    }
);

step!(r#"^(\d+) clients concurrently POST "([^"]*)" with:$"#,
    async fn clients_post(w: &mut OjsWorld, step: &Step, clients: usize, path: String) -> StepResult {
        let path = w.expand(&path)?;
        let docstring = step.docstring.as_deref().ok_or("this step needs a docstring")?;
        let body = w.expand(docstring)?;
        let ctx = w.ctx.clone();
        let sends = (0..clients).map(|_| {
            let out = OjsWorld::json_request(Method::POST, path.clone(), &body);
            send(&ctx, out, &[])
        });
        w.concurrent_statuses.clear();
        for result in join_all(sends).await {
            match result {
                Ok(reply) => {
                    w.concurrent_statuses.push(reply.status);
                    w.last = Some(reply);
                }
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }
);

step!(r#"^exactly (\d+) of those responses had status (\d+)$"#,
    async fn exactly_status(w: &mut OjsWorld, k: usize, code: u16) -> StepResult {
        let matching = w.concurrent_statuses.iter().filter(|s| **s == code).count();
        if matching == k {
            Ok(())
        } else {
            Err(format!("{matching} responses had status {code}, expected {k}; statuses: {:?}", w.concurrent_statuses))
        }
    }
);
