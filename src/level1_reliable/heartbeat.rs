//! `POST /ojs/v1/workers/heartbeat`: extends visibility deadlines and answers with a directive.

use crate::error::{OjsError, OjsResult};
use crate::http::{RawBody, Reply};
use crate::model::time::{format_ts, now};
use crate::server::App;
use axum::extract::State;
use serde_json::{json, Value};

pub async fn heartbeat(State(app): State<App>, body: RawBody) -> OjsResult<Reply> {
    let obj = body.object()?;
    match obj.get("worker_id") {
        Some(Value::String(s)) if !s.is_empty() => {}
        None | Some(Value::Null) => return Err(OjsError::invalid("worker_id is required")),
        Some(_) => return Err(OjsError::invalid("worker_id must be a non-empty string")),
    }
    let mut ids: Vec<String> = match obj.get("active_jobs").or_else(|| obj.get("active_job_ids")) {
        Some(Value::Array(items)) => items.iter().filter_map(|v| v.as_str().map(str::to_string)).collect(),
        _ => Vec::new(),
    };
    if let Some(id) = obj.get("job_id").and_then(Value::as_str) {
        ids.push(id.to_string());
    }
    let extend = match obj.get("visibility_timeout_ms") {
        None | Some(Value::Null) => None,
        Some(v) => Some(v.as_u64().filter(|n| *n > 0).ok_or_else(|| OjsError::invalid("visibility_timeout_ms must be a positive integer"))?),
    };
    let now = now();
    let extended = app.backend.heartbeat(&ids, extend, app.config.visibility_timeout_ms, now).await?;
    let directive = directive_for(extended.iter().filter_map(|j| j.meta_str("test_directive")));
    let ids: Vec<&str> = extended.iter().map(|j| j.id.as_str()).collect();
    Ok(Reply::ok(json!({"state": directive, "directive": directive, "jobs_extended": ids, "server_time": format_ts(now)})))
}

/// `terminate` beats `quiet` beats `running`.
pub fn directive_for<'a>(requested: impl Iterator<Item = &'a str>) -> &'static str {
    let mut directive = "running";
    for d in requested {
        match d {
            "terminate" => return "terminate",
            "quiet" => directive = "quiet",
            _ => {}
        }
    }
    directive
}

#[cfg(test)]
mod tests {
    #[test]
    fn directive_precedence() {
        assert_eq!(super::directive_for([].into_iter()), "running");
        assert_eq!(super::directive_for(["quiet", "other"].into_iter()), "quiet");
        assert_eq!(super::directive_for(["quiet", "terminate"].into_iter()), "terminate");
    }
}
