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
        let bytes = axum::body::to_bytes(req.into_body(), limit).await.map_err(|_| OjsError::PayloadTooLarge(limit))?;
        Ok(RawBody(bytes))
    }
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
