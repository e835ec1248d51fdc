//! Steps that send requests; each reply becomes "the response".

use cucumber::gherkin::Step;
use reqwest::Method;
use serde_json::{json, Value};

use crate::world::{OjsWorld, Outgoing, StepResult};

fn docstring(step: &Step) -> Result<&str, String> {
    step.docstring
        .as_deref()
        .ok_or_else(|| format!("step {:?} needs a docstring", step.value))
}

fn method(name: &str) -> Result<Method, String> {
    Method::from_bytes(name.as_bytes()).map_err(|_| format!("{name:?} is not an HTTP method"))
}

step!(r#"^I POST "([^"]*)" with:$"#,
    async fn post_with(w: &mut OjsWorld, step: &Step, path: String) -> StepResult {
        let path = w.expand(&path)?;
        let body = w.expand(docstring(step)?)?;
        w.request(OjsWorld::json_request(Method::POST, path, &body)).await
    }
);

step!(r#"^I POST "([^"]*)"$"#,
    async fn post_empty(w: &mut OjsWorld, path: String) -> StepResult {
        let path = w.expand(&path)?;
        w.request(Outgoing { method: Method::POST, path, content_type: None, body: None }).await
    }
);

step!(r#"^I GET "([^"]*)"$"#,
    async fn get(w: &mut OjsWorld, path: String) -> StepResult {
        let path = w.expand(&path)?;
        w.request(Outgoing { method: Method::GET, path, content_type: None, body: None }).await
    }
);

step!(r#"^I DELETE "([^"]*)"$"#,
    async fn delete(w: &mut OjsWorld, path: String) -> StepResult {
        let path = w.expand(&path)?;
        w.request(Outgoing { method: Method::DELETE, path, content_type: None, body: None }).await
    }
);

step!(r#"^I send "([^"]*)" "([^"]*)" with content type "([^"]*)" and body:$"#,
    async fn send_raw(w: &mut OjsWorld, step: &Step, verb: String, path: String, ct: String) -> StepResult {
        let path = w.expand(&path)?;
        let body = w.expand(docstring(step)?)?;
        let content_type = (!ct.is_empty()).then_some(ct);
        w.request(Outgoing { method: method(&verb)?, path, content_type, body: Some(body.into_bytes()) }).await
    }
);

step!(r#"^I POST "([^"]*)" with a batch of (\d+) jobs of type "([^"]*)" in queue "([^"]*)"$"#,
    async fn post_batch(w: &mut OjsWorld, path: String, n: usize, job_type: String, queue: String) -> StepResult {
        let path = w.expand(&path)?;
        let job_type = w.expand(&job_type)?;
        let queue = w.expand(&queue)?;
        let jobs: Vec<Value> = (0..n)
            .map(|i| json!({"type": job_type, "args": [i], "options": {"queue": queue}}))
            .collect();
        let body = json!({ "jobs": jobs }).to_string();
        w.request(OjsWorld::json_request(Method::POST, path, &body)).await
    }
);

step!(r#"^a job of type "([^"]*)" in queue "([^"]*)" saved as "([^"]*)"$"#,
    async fn push_simple(w: &mut OjsWorld, job_type: String, queue: String, name: String) -> StepResult {
        let job_type = w.expand(&job_type)?;
        let queue = w.expand(&queue)?;
        let body = json!({"type": job_type, "args": [], "options": {"queue": queue}}).to_string();
        w.push_and_save(&body, &name).await
    }
);

step!(r#"^a job saved as "([^"]*)" is pushed with:$"#,
    async fn push_docstring(w: &mut OjsWorld, step: &Step, name: String) -> StepResult {
        let body = w.expand(docstring(step)?)?;
        w.push_and_save(&body, &name).await
    }
);

// ---- Additions to notes/steps.md (documented in harness/README.md) ----

step!(r#"^the next request carries the header "([^"]*)" with value "([^"]*)"$"#,
    async fn next_header(w: &mut OjsWorld, name: String, value: String) -> StepResult {
        let value = w.expand(&value)?;
        w.next_headers.push((name, value));
        Ok(())
    }
);

step!(r#"^I POST "([^"]*)" with a JSON body of (\d+) bytes$"#,
    async fn post_sized(w: &mut OjsWorld, path: String, size: usize) -> StepResult {
        let path = w.expand(&path)?;
        let shell = r#"{"type":"test.oversized","args":[""]}"#;
        let padding = size.saturating_sub(shell.len());
        let body = format!(r#"{{"type":"test.oversized","args":["{}"]}}"#, "x".repeat(padding));
        let out = OjsWorld::json_request(Method::POST, path, &body);
        // A server may answer and close before reading everything; that still counts
        // as an answer as long as a response arrives.
        w.request(out).await
    }
);
