//! Steps added for levels 2-4: finding an item inside a listed array (cron jobs, queues),
//! waiting for a number to grow (cron run counts), and looking up the events of one
//! workflow, cron job or job.

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::Value;

use crate::jsonpath::{self, json_eq};
use crate::world::{OjsWorld, Outgoing, Reply, StepResult};

const POLL_EVERY: Duration = Duration::from_millis(50);

/// How many events of one type a lookup asks for (the events endpoint allows at most 1000).
const EVENT_WINDOW: usize = 1000;

fn render(value: &Option<Value>) -> String {
    value.as_ref().map_or_else(|| "<absent>".to_string(), Value::to_string)
}

/// True when every key of `wanted` is present in `item` with an equal value.
fn item_matches(item: &Value, wanted: &serde_json::Map<String, Value>) -> bool {
    wanted
        .iter()
        .all(|(key, value)| item.get(key).is_some_and(|seen| json_eq(seen, value)))
}

/// The array at `path` in the response plus the expected key/value pairs of an item.
fn array_and_pattern(w: &mut OjsWorld, path: &str, pattern: &str) -> Result<(Vec<Value>, serde_json::Map<String, Value>), String> {
    let wanted = match w.expand_json(pattern)? {
        Value::Object(map) => map,
        other => return Err(format!("{other} is not a JSON object of expected fields")),
    };
    match w.field(path)? {
        Some(Value::Array(items)) => Ok((items, wanted)),
        other => Err(format!(
            "{path} is {}, expected an array\n  response: {}",
            render(&other),
            w.last()?.describe()
        )),
    }
}

step!(r#"^the response field "([^"]*)" has an item matching (\{.*\})$"#,
    async fn has_item_matching(w: &mut OjsWorld, path: String, pattern: String) -> StepResult {
        let (items, wanted) = array_and_pattern(w, &path, &pattern)?;
        if items.iter().any(|item| item_matches(item, &wanted)) {
            Ok(())
        } else {
            Err(format!(
                "no item of {path} has {}\n  response: {}",
                Value::Object(wanted),
                w.last()?.describe()
            ))
        }
    }
);

step!(r#"^the response field "([^"]*)" has no item matching (\{.*\})$"#,
    async fn has_no_item_matching(w: &mut OjsWorld, path: String, pattern: String) -> StepResult {
        let (items, wanted) = array_and_pattern(w, &path, &pattern)?;
        match items.iter().find(|item| item_matches(item, &wanted)) {
            None => Ok(()),
            Some(item) => Err(format!("{path} has the item {item}, expected none with {}", Value::Object(wanted))),
        }
    }
);

step!(r#"^within ([\d.]+) seconds? GET "([^"]*)" has field "([^"]*)" at least (-?[\d.]+)$"#,
    async fn within_get_at_least(w: &mut OjsWorld, seconds: f64, path: String, json_path: String, low: f64) -> StepResult {
        let path = w.expand(&path)?;
        let json_path = w.expand(&json_path)?;
        let deadline = Instant::now() + Duration::from_secs_f64(seconds);
        loop {
            let out = Outgoing { method: Method::GET, path: path.clone(), content_type: None, body: None };
            let reply = w.exchange(out).await?;
            let seen = match &reply.json {
                Some(body) => jsonpath::eval(body, &json_path)?,
                None => None,
            };
            let description = reply.describe();
            w.last = Some(reply);
            if seen.as_ref().and_then(Value::as_f64).is_some_and(|v| v >= low) {
                return Ok(());
            }
            if Instant::now() >= deadline {
                return Err(format!(
                    "after {seconds} s {json_path} is {}, expected a number ≥ {low}\n  last response: {description}",
                    render(&seen)
                ));
            }
            tokio::time::sleep(POLL_EVERY).await;
        }
    }
);

/// Fetches the newest events of `event_type` and reports whether one belongs to `id`
/// (its subject, data.workflow_id, data.job_id or data.cron_name is the id). The reply
/// becomes "the response" so a failure shows what the server listed.
async fn event_recorded(w: &mut OjsWorld, event_type: &str, id: &Value) -> Result<bool, String> {
    let path = format!("/ojs/v1/events?types={event_type}&limit={EVENT_WINDOW}");
    let out = Outgoing { method: Method::GET, path, content_type: None, body: None };
    let reply: Reply = w.exchange(out).await?;
    let found = reply
        .json
        .as_ref()
        .and_then(|body| body.get("events"))
        .and_then(Value::as_array)
        .is_some_and(|events| {
            events.iter().any(|event| {
                let belongs = [
                    event.get("subject"),
                    event.pointer("/data/workflow_id"),
                    event.pointer("/data/job_id"),
                    event.pointer("/data/cron_name"),
                ]
                .into_iter()
                .flatten()
                .any(|v| json_eq(v, id));
                belongs && event.get("type").and_then(Value::as_str) == Some(event_type)
            })
        });
    w.last = Some(reply);
    Ok(found)
}

fn saved(w: &OjsWorld, name: &str) -> Result<Value, String> {
    w.saved.get(name).cloned().ok_or_else(|| format!("nothing saved as {name:?}"))
}

step!(r#"^within ([\d.]+) seconds? the event "([^"]*)" is recorded for the saved "([^"]*)"$"#,
    async fn within_event(w: &mut OjsWorld, seconds: f64, event_type: String, name: String) -> StepResult {
        let id = saved(w, &name)?;
        let deadline = Instant::now() + Duration::from_secs_f64(seconds);
        loop {
            if event_recorded(w, &event_type, &id).await? {
                return Ok(());
            }
            if Instant::now() >= deadline {
                return Err(format!(
                    "after {seconds} s no {event_type:?} event names {id} (subject, data.workflow_id, data.job_id or data.cron_name)\n  last response: {}",
                    w.last()?.describe()
                ));
            }
            tokio::time::sleep(POLL_EVERY).await;
        }
    }
);

step!(r#"^the event "([^"]*)" is not recorded for the saved "([^"]*)"$"#,
    async fn no_event(w: &mut OjsWorld, event_type: String, name: String) -> StepResult {
        let id = saved(w, &name)?;
        if event_recorded(w, &event_type, &id).await? {
            Err(format!("a {event_type:?} event names {id}\n  response: {}", w.last()?.describe()))
        } else {
            Ok(())
        }
    }
);
