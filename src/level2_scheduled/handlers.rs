//! Cron registration endpoints. Both request shapes are accepted: `{name, expression, job_template}` and
//! the spec's flat `{name, cron, type, args, options}`; answers use `{"cron": …}` / `{"crons": […]}`.

use crate::error::{OjsError, OjsResult};
use crate::http::{RawBody, Reply};
use crate::level0_core::envelope::{parse_push, PushDefaults};
use crate::level2_scheduled::cron::{CronSchedule, OverlapPolicy};
use crate::model::cron::CronJob;
use crate::model::time::{format_ts, now};
use crate::server::App;
use axum::extract::{Path, State};
use serde_json::{json, Map, Value};

pub fn render(c: &CronJob) -> Value {
    json!({
        "name": c.name,
        "expression": c.expression,
        "timezone": c.timezone,
        "overlap_policy": c.overlap_policy,
        "enabled": c.enabled,
        "description": c.description,
        "job_template": c.job_template,
        "created_at": format_ts(c.created_at),
        "next_run_at": c.next_run_at.map(format_ts),
        "last_run_at": c.last_run_at.map(format_ts),
        "run_count": c.run_count,
        "last_job_id": c.last_job_id,
    })
}

fn string_field<'a>(obj: &'a Map<String, Value>, keys: &[&str]) -> OjsResult<Option<&'a str>> {
    for key in keys {
        match obj.get(*key) {
            None | Some(Value::Null) => continue,
            Some(Value::String(s)) => return Ok(Some(s.as_str())),
            Some(_) => return Err(OjsError::invalid(format!("{key} must be a string"))),
        }
    }
    Ok(None)
}

/// Validates a registration request into a stored cron job.
pub fn parse_registration(obj: &Map<String, Value>, now: crate::model::time::Timestamp) -> OjsResult<CronJob> {
    let name = string_field(obj, &["name"])?.filter(|n| !n.is_empty()).ok_or_else(|| OjsError::invalid("name is required"))?;
    let valid_name = name.len() <= 255
        && name.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':'));
    if !valid_name {
        return Err(OjsError::invalid(format!(
            "name '{name}' is invalid: use up to 255 letters, digits, '-', '_', '.' or ':', starting with a letter or digit"
        )));
    }
    let expression = string_field(obj, &["expression", "cron", "schedule"])?
        .ok_or_else(|| OjsError::invalid("expression is required (a cron expression such as \"*/5 * * * *\")"))?;
    let timezone = string_field(obj, &["timezone"])?;
    let schedule = CronSchedule::parse(expression, timezone).map_err(|e| OjsError::invalid(e.to_string()))?;
    let overlap: OverlapPolicy = match string_field(obj, &["overlap_policy"])? {
        None => OverlapPolicy::default(),
        Some(p) => p.parse().map_err(|_| OjsError::invalid(format!("overlap_policy '{p}' is not skip, allow, cancel_previous or enqueue")))?,
    };
    let template = match obj.get("job_template") {
        Some(Value::Object(t)) => Value::Object(t.clone()),
        Some(_) => return Err(OjsError::invalid("job_template must be an object")),
        None if obj.contains_key("type") => {
            let mut t = Map::new();
            for key in ["type", "args", "meta", "options"] {
                if let Some(v) = obj.get(key) {
                    t.insert(key.into(), v.clone());
                }
            }
            t.entry("args").or_insert_with(|| json!([]));
            Value::Object(t)
        }
        None => return Err(OjsError::invalid("job_template is required")),
    };
    let mut probe = template.as_object().cloned().unwrap_or_default();
    probe.entry("args").or_insert_with(|| json!([]));
    parse_push(&probe, None, PushDefaults { now }).map_err(|e| OjsError::invalid(format!("job_template: {e}")))?;
    let enabled = match obj.get("enabled") {
        None | Some(Value::Null) => true,
        Some(Value::Bool(b)) => *b,
        Some(_) => return Err(OjsError::invalid("enabled must be a boolean")),
    };
    Ok(CronJob {
        name: name.to_string(),
        expression: expression.to_string(),
        timezone: schedule.timezone().to_string(),
        overlap_policy: overlap.as_str().to_string(),
        enabled,
        description: string_field(obj, &["description"])?.map(str::to_string),
        job_template: template,
        created_at: now,
        // A disabled registration has no next run until it is registered again enabled.
        next_run_at: if enabled { schedule.next_after(now) } else { None },
        last_run_at: None,
        run_count: 0,
        last_job_id: None,
    })
}

pub async fn register(State(app): State<App>, body: RawBody) -> OjsResult<Reply> {
    let obj = body.object()?;
    let cron = parse_registration(&obj, now())?;
    let stored = app.backend.cron_put(cron).await?;
    Ok(Reply::created(json!({"cron": render(&stored)})).with_location(format!("/ojs/v1/cron/{}", stored.name)))
}

pub async fn list(State(app): State<App>) -> OjsResult<Reply> {
    let mut crons = app.backend.cron_list().await?;
    crons.sort_by(|a, b| a.name.cmp(&b.name));
    let items: Vec<Value> = crons.iter().map(render).collect();
    let total = items.len();
    Ok(Reply::ok(json!({"crons": items, "pagination": {"total": total, "limit": total.max(50), "offset": 0, "has_more": false}})))
}

pub async fn get_one(State(app): State<App>, Path(name): Path<String>) -> OjsResult<Reply> {
    let cron = app.backend.cron_get(&name).await?.ok_or_else(|| OjsError::not_found("cron", &name))?;
    Ok(Reply::ok(json!({"cron": render(&cron)})))
}

pub async fn delete(State(app): State<App>, Path(name): Path<String>) -> OjsResult<Reply> {
    let cron = app.backend.cron_delete(&name).await?.ok_or_else(|| OjsError::not_found("cron", &name))?;
    Ok(Reply::ok(json!({"cron": render(&cron), "deleted": true, "name": name})))
}
