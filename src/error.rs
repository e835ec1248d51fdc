//! The one error type of the HTTP API, mapped once to the OJS error body (INTEROP §1.2).

use crate::backend::BackendError;
use axum::http::StatusCode;
use serde_json::{json, Map, Value};

#[derive(Debug, thiserror::Error)]
pub enum OjsError {
    /// 400 `invalid_payload`: body empty, not JSON, or not an object.
    #[error("{0}")]
    InvalidPayload(String),
    /// 400 `invalid_request`: a field is missing or malformed.
    #[error("{message}")]
    InvalidRequest { message: String, details: Option<Value> },
    /// 422 `validation_error`: semantically invalid (retry policy).
    #[error("{0}")]
    Validation(String),
    #[error("{resource} '{id}' not found")]
    NotFound { resource: &'static str, id: String },
    /// 409 `conflict`: the operation does not apply to the current state.
    #[error("{message}")]
    Conflict { message: String, details: Value },
    /// 409 `duplicate`.
    #[error("{message}")]
    Duplicate { message: String, details: Value },
    #[error("{0}")]
    Unsupported(String),
    #[error("request body exceeds the {0}-byte limit")]
    PayloadTooLarge(usize),
    #[error("method {0} is not allowed here")]
    MethodNotAllowed(String),
    #[error("backend error: {0}")]
    Backend(String),
    /// 503: the backend cannot be reached right now.
    #[error("backend unavailable: {0}")]
    Unavailable(String),
    #[error("internal error: {0}")]
    Internal(String),
}

impl OjsError {
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::InvalidRequest { message: message.into(), details: None }
    }

    pub fn invalid_at(message: impl Into<String>, details: Value) -> Self {
        Self::InvalidRequest { message: message.into(), details: Some(details) }
    }

    pub fn not_found(resource: &'static str, id: impl Into<String>) -> Self {
        Self::NotFound { resource, id: id.into() }
    }

    pub fn wrong_state(id: &str, current: &str, attempted: &str, expected: Option<&str>) -> Self {
        let mut details = json!({"job_id": id, "current_state": current, "attempted_transition": attempted});
        if let Some(e) = expected {
            details["expected_state"] = e.into();
        }
        Self::Conflict {
            message: format!("job {id} is '{current}'; cannot {attempted} it"),
            details,
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Self::InvalidPayload(_) | Self::InvalidRequest { .. } => StatusCode::BAD_REQUEST,
            Self::Validation(_) | Self::Unsupported(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::NotFound { .. } => StatusCode::NOT_FOUND,
            Self::Conflict { .. } | Self::Duplicate { .. } => StatusCode::CONFLICT,
            Self::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            Self::Backend(_) | Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidPayload(_) => "invalid_payload",
            Self::InvalidRequest { .. } => "invalid_request",
            Self::Validation(_) => "validation_error",
            Self::NotFound { .. } => "not_found",
            Self::Conflict { .. } => "conflict",
            Self::Duplicate { .. } => "duplicate",
            Self::Unsupported(_) => "unsupported",
            Self::PayloadTooLarge(_) => "payload_too_large",
            Self::MethodNotAllowed(_) => "method_not_allowed",
            Self::Backend(_) => "backend_error",
            Self::Unavailable(_) => "backend_unavailable",
            Self::Internal(_) => "internal_error",
        }
    }

    fn hint(&self) -> &'static str {
        match self {
            Self::InvalidPayload(_) => "Send a JSON object with Content-Type application/json or application/openjobspec+json.",
            Self::InvalidRequest { .. } => "Fix the field named in the message and retry.",
            Self::Validation(_) => "Fix the retry policy field named in the message.",
            Self::NotFound { resource: "route", .. } => "See GET /ojs/manifest and the OJS HTTP binding for the available paths under /ojs/v1.",
            Self::NotFound { .. } => "Check the identifier; job and workflow ids are lowercase UUIDv7 strings.",
            Self::Conflict { .. } => "Read the resource's current state (GET) before retrying the operation.",
            Self::Duplicate { .. } => "Use the existing resource named in details, or change the id or unique key.",
            Self::Unsupported(_) => "Check the server manifest at GET /ojs/manifest for supported features.",
            Self::PayloadTooLarge(_) => "Split the request into smaller batches.",
            Self::MethodNotAllowed(_) => "See the OJS HTTP binding for the methods of this path.",
            Self::Backend(_) | Self::Internal(_) | Self::Unavailable(_) => "Retry later; the server logged the cause.",
        }
    }

    /// The `{"error":{…}}` body.
    pub fn body(&self, request_id: &str) -> Value {
        let mut error = Map::new();
        error.insert("code".into(), self.code().into());
        error.insert("message".into(), self.to_string().into());
        error.insert("retryable".into(), matches!(self, Self::Backend(_) | Self::Internal(_) | Self::Unavailable(_)).into());
        let details = match self {
            Self::InvalidRequest { details, .. } => details.clone(),
            Self::Conflict { details, .. } | Self::Duplicate { details, .. } => Some(details.clone()),
            Self::NotFound { resource, id } => Some(json!({"resource_type": resource, "resource_id": id})),
            _ => None,
        };
        if let Some(d) = details {
            error.insert("details".into(), d);
        }
        if matches!(self, Self::Validation(_)) {
            error.insert("type".into(), "validation_error".into());
        }
        error.insert("request_id".into(), request_id.into());
        error.insert("hint".into(), self.hint().into());
        error.insert("docs_url".into(), format!("https://openjobspec.org/errors/{}", self.code()).into());
        json!({ "error": Value::Object(error) })
    }
}

impl From<BackendError> for OjsError {
    fn from(e: BackendError) -> Self {
        match e {
            BackendError::DuplicateId { index, id } => Self::Duplicate {
                message: format!("a job with id {id} already exists"),
                details: json!({"job_id": id, "index": index}),
            },
            BackendError::UniqueConflict { index, existing_id, key } => Self::Duplicate {
                message: format!("a unique job with the same key already exists: {existing_id}"),
                details: json!({"existing_job_id": existing_id, "unique_key": key, "index": index}),
            },
            BackendError::Unavailable(m) => {
                tracing::warn!(error = %m, "backend unavailable");
                Self::Unavailable(m)
            }
            BackendError::Internal(m) => {
                tracing::error!(error = %m, "backend failure");
                Self::Backend(m)
            }
        }
    }
}

pub type OjsResult<T> = Result<T, OjsError>;
