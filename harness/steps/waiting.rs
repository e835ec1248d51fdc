//! Steps that poll with a deadline instead of sleeping and hoping.

use std::time::{Duration, Instant};

use cucumber::gherkin::Step;
use reqwest::Method;
use serde_json::Value;

use crate::jsonpath::{self, json_eq};
use crate::world::{OjsWorld, Outgoing, StepResult};

const POLL_EVERY: Duration = Duration::from_millis(50);

fn render(value: &Option<Value>) -> String {
    value.as_ref().map_or_else(|| "<absent>".to_string(), Value::to_string)
}

/// Repeats `out()` every 50 ms until `done` holds for the reply or `seconds` pass. The
/// last reply stays "the response" either way.
async fn poll(
    w: &mut OjsWorld,
    seconds: f64,
    out: impl Fn() -> Outgoing,
    json_path: &str,
    done: impl Fn(&Option<Value>) -> bool,
    wanted: &str,
) -> StepResult {
    let deadline = Instant::now() + Duration::from_secs_f64(seconds);
    loop {
        let reply = w.exchange(out()).await?;
        let seen = match &reply.json {
            Some(body) => jsonpath::eval(body, json_path)?,
            None => None,
        };
        let description = reply.describe();
        w.last = Some(reply);
        if done(&seen) {
            return Ok(());
        }
        if Instant::now() >= deadline {
            return Err(format!(
                "after {seconds} s {json_path} is {}, expected {wanted}\n  last response: {description}",
                render(&seen)
            ));
        }
        tokio::time::sleep(POLL_EVERY).await;
    }
}

step!(r#"^within ([\d.]+) seconds? GET "([^"]*)" has field "([^"]*)" equal to (.+)$"#,
    async fn within_get(w: &mut OjsWorld, seconds: f64, path: String, json_path: String, expected: String) -> StepResult {
        let path = w.expand(&path)?;
        let json_path = w.expand(&json_path)?;
        let expected = w.expand_json(&expected)?;
        let wanted = expected.to_string();
        poll(
            w,
            seconds,
            || Outgoing { method: Method::GET, path: path.clone(), content_type: None, body: None },
            &json_path,
            |seen| match seen {
                Some(v) => json_eq(v, &expected),
                None => expected.is_null(),
            },
            &wanted,
        )
        .await
    }
);

step!(r#"^within ([\d.]+) seconds? I POST "([^"]*)" until field "([^"]*)" exists, with:$"#,
    async fn within_post(w: &mut OjsWorld, step: &Step, seconds: f64, path: String, json_path: String) -> StepResult {
        let path = w.expand(&path)?;
        let json_path = w.expand(&json_path)?;
        let docstring = step.docstring.as_deref().ok_or("this step needs a docstring")?;
        let body = w.expand(docstring)?;
        poll(
            w,
            seconds,
            || OjsWorld::json_request(Method::POST, path.clone(), &body),
            &json_path,
            |seen| seen.as_ref().is_some_and(|v| !v.is_null()),
            "to exist",
        )
        .await
    }
);

step!(r#"^I wait (\d+) milliseconds?$"#,
    async fn wait_ms(_w: &mut OjsWorld, ms: u64) -> StepResult {
        tokio::time::sleep(Duration::from_millis(ms)).await;
        Ok(())
    }
);
