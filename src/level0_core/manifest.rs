//! `GET /ojs/manifest` and `GET /ojs/v1/health`.

use crate::http::Reply;
use crate::server::App;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::json;

pub const CONFORMANCE_LEVEL: u8 = 4;

pub async fn manifest(State(app): State<App>) -> Reply {
    let backend = app.backend.name();
    Reply::ok(json!({
        "specversion": "1.0",
        "ojs_version": "1.0",
        "implementation": {
            "name": "ojs-rust",
            "version": env!("CARGO_PKG_VERSION"),
            "language": "rust",
            "backend": backend,
        },
        "conformance_level": CONFORMANCE_LEVEL,
        "conformance_tier": "runtime",
        "protocols": ["http"],
        "backend": backend,
        "capabilities": {
            "batch_enqueue": true, "cron_jobs": true, "dead_letter": true, "delayed_jobs": true, "job_ttl": true,
            "priority_queues": true, "rate_limiting": true, "schema_validation": false, "unique_jobs": true,
            "workflows": true, "pause_resume": true, "heartbeat": true, "visibility_timeout": true,
            "execution_timeout": true, "events": true,
        },
        "extensions": {
            "official": [],
            "experimental": [
                {"name": "batch-ack", "uri": "urn:ojs:ext:experimental:batch-ack", "version": "0.1.0"},
                {"name": "fetch-long-poll", "uri": "urn:ojs:ext:experimental:fetch-long-poll", "version": "0.1.0"},
            ],
        },
        "schema_validation": false,
        "unique_job_strength": app.backend.unique_strength(),
    }))
}

pub async fn health(State(app): State<App>) -> Reply {
    let started = std::time::Instant::now();
    let ping = app.backend.ping().await;
    let latency_ms = started.elapsed().as_millis() as u64;
    let uptime = app.started.elapsed().as_secs();
    match ping {
        Ok(()) => Reply::ok(json!({
            "status": "ok", "version": "1.0", "uptime_seconds": uptime,
            "backend": {"type": app.backend.name(), "status": "connected", "latency_ms": latency_ms},
        })),
        Err(e) => Reply::json(
            StatusCode::SERVICE_UNAVAILABLE,
            &json!({
                "status": "degraded", "version": "1.0", "uptime_seconds": uptime,
                "backend": {"type": app.backend.name(), "status": "disconnected", "error": e.to_string()},
            }),
        ),
    }
}
