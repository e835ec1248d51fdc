//! Request bodies: read raw bytes under a limit, check the media type, parse JSON ourselves so every
//! failure is an OJS error instead of a framework's plain-text rejection.

use crate::error::OjsError;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::header::CONTENT_TYPE;
use serde_json::{Map, Value};

/// Body limit configured at start (shared through request extensions).
#[derive(Clone, Copy)]
pub struct BodyLimit(pub usize);

/// The raw body of a POST after the media-type check; empty when none was sent.
pub struct RawBody(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for RawBody {
    type Rejection = OjsError;

    async fn from_request(req: Request, _state: &S) -> Result<Self, Self::Rejection> {
        if let Some(ct) = req.headers().get(CONTENT_TYPE) {
            let media = ct.to_str().unwrap_or("").split(';').next().unwrap_or("").trim().to_ascii_lowercase();
            if !media.is_empty() && media != "application/json" && media != "application/openjobspec+json" {
                return Err(OjsError::invalid(format!(
                    "unsupported Content-Type '{media}': use application/json or application/openjobspec+json"
                )));
            }
        }
        let limit = req.extensions().get::<BodyLimit>().map_or(32 * 1024 * 1024, |l| l.0);
        let declared = req.headers().get(axum::http::header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<usize>().ok());
        read_limited(req.into_body(), limit, declared.unwrap_or(0).min(limit)).await.map(RawBody)
    }
}

/// How much of an oversized body is read and thrown away so the client, still sending, receives the 413
/// answer instead of a reset connection. Past this the connection is simply closed.
const DRAIN_CAP: usize = 256 * 1024 * 1024;

async fn read_limited(body: axum::body::Body, limit: usize, capacity: usize) -> Result<Bytes, OjsError> {
    use futures::StreamExt;
    let mut stream = body.into_data_stream();
    let mut buffer = bytes::BytesMut::with_capacity(capacity);
    let mut seen = 0usize;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| OjsError::InvalidPayload(format!("could not read the request body: {e}")))?;
        seen = seen.saturating_add(chunk.len());
        if seen > limit {
            if seen > DRAIN_CAP {
                break;
            }
            continue;
        }
        buffer.extend_from_slice(&chunk);
    }
    if seen > limit {
        return Err(OjsError::PayloadTooLarge(limit));
    }
    Ok(buffer.freeze())
}

impl RawBody {
    /// The body as a JSON object; empty, invalid or non-object bodies are `invalid_payload`.
    pub fn object(&self) -> Result<Map<String, Value>, OjsError> {
        parse_object(&self.0)
    }

    /// Like `object`, but an empty body counts as `{}` (pause, resume, dead-letter retry…).
    pub fn object_or_empty(&self) -> Result<Map<String, Value>, OjsError> {
        if self.0.iter().all(u8::is_ascii_whitespace) {
            return Ok(Map::new());
        }
        parse_object(&self.0)
    }
}

pub fn parse_object(bytes: &[u8]) -> Result<Map<String, Value>, OjsError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(OjsError::InvalidPayload("request body is empty; send a JSON object".into()));
    }
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(OjsError::InvalidPayload("request body must be a JSON object".into())),
        Err(e) => Err(OjsError::InvalidPayload(format!("request body is not valid JSON: {e}"))),
    }
}
