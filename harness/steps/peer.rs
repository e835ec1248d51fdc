//! Steps for `@two-servers` scenarios: requests to the second server process sharing the backend, and
//! checks that a queue's jobs are unique by some field.

use std::collections::HashSet;

use cucumber::gherkin::Step;
use reqwest::Method;
use serde_json::{json, Value};

use crate::jsonpath;
use crate::world::{send, OjsWorld, StepResult};

step!(r#"^I POST "([^"]*)" on the second server with:$"#,
    async fn post_peer(w: &mut OjsWorld, step: &Step, path: String) -> StepResult {
        let path = w.expand(&path)?;
        let body = w.expand(step.docstring.as_deref().ok_or("this step needs a docstring")?)?;
        let peer = w.ctx.peer()?;
        let reply = send(&peer, OjsWorld::json_request(Method::POST, path, &body), &[]).await?;
        w.last = Some(reply);
        Ok(())
    }
);

step!(r#"^I GET "([^"]*)" on the second server$"#,
    async fn get_peer(w: &mut OjsWorld, path: String) -> StepResult {
        let path = w.expand(&path)?;
        let peer = w.ctx.peer()?;
        let out = crate::world::Outgoing { method: Method::GET, path, content_type: None, body: None };
        w.last = Some(send(&peer, out, &[]).await?);
        Ok(())
    }
);

step!(r#"^every job in "([^"]*)" has a distinct "([^"]*)" and there are as many as the saved "([^"]*)"$"#,
    async fn distinct_jobs(w: &mut OjsWorld, queue: String, path: String, name: String) -> StepResult {
        let queue = w.expand(&queue)?;
        let expected = w.saved.get(&name).and_then(Value::as_u64).ok_or(format!("no number saved as {name:?}"))?;
        let body = json!({"queues": [queue], "count": 1000}).to_string();
        let reply = send(&w.ctx, OjsWorld::json_request(Method::POST, "/ojs/v1/workers/fetch".into(), &body), &[]).await?;
        let jobs = reply.json.as_ref().and_then(|b| b.get("jobs")).and_then(Value::as_array).ok_or(reply.describe())?.clone();
        let mut seen = HashSet::new();
        for job in &jobs {
            let value = jsonpath::eval(job, &path)?.ok_or(format!("a job has no {path}: {job}"))?;
            if !seen.insert(value.to_string()) {
                return Err(format!("two jobs share {path} = {value}"));
            }
        }
        if jobs.len() as u64 != expected {
            return Err(format!("{} jobs in {queue}, expected {expected} (the saved {name})", jobs.len()));
        }
        Ok(())
    }
);
