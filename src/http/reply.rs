//! Responses: JSON bodies, and the transport middleware that gives every response (errors, 404s and 405s
//! included) the OJS headers and the structured error body.

use crate::error::OjsError;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use std::sync::Arc;

pub const MEDIA_TYPE: &str = "application/openjobspec+json";

/// A JSON reply: status, serialised body, and a `Location` for created resources.
pub struct Reply {
    status: StatusCode,
    body: Vec<u8>,
    location: Option<String>,
}

impl Reply {
    /// Serialises any value straight to the body (hot paths skip building a `serde_json::Value`).
    pub fn json<T: serde::Serialize + ?Sized>(status: StatusCode, body: &T) -> Self {
        Self::json_sized(status, body, 256)
    }
    /// Like `json`, with a buffer sized for the expected body (large batches skip repeated regrowth).
    pub fn json_sized<T: serde::Serialize + ?Sized>(status: StatusCode, body: &T, capacity: usize) -> Self {
        let mut buffer = Vec::with_capacity(capacity);
        let body = match serde_json::to_writer(&mut buffer, body) {
            Ok(()) => buffer,
            Err(_) => Vec::new(),
        };
        Self { status, body, location: None }
    }
    pub fn ok(body: Value) -> Self {
        Self::json(StatusCode::OK, &body)
    }
    pub fn created(body: Value) -> Self {
        Self::json(StatusCode::CREATED, &body)
    }
    pub fn with_location(mut self, location: String) -> Self {
        self.location = Some(location);
        self
    }
}

impl IntoResponse for Reply {
    fn into_response(self) -> Response {
        let mut response = (self.status, self.body).into_response();
        if let Some(location) = self.location.and_then(|l| HeaderValue::from_str(&l).ok()) {
            response.headers_mut().insert("location", location);
        }
        response
    }
}

/// Marker carried by error responses until the middleware renders them with the request id.
#[derive(Clone)]
struct PendingError(Arc<OjsError>);

impl IntoResponse for OjsError {
    fn into_response(self) -> Response {
        let mut response = self.status().into_response();
        response.extensions_mut().insert(PendingError(Arc::new(self)));
        response
    }
}

/// Request id of the current request (echoed or generated).
#[derive(Clone)]
pub struct RequestId(pub String);

pub async fn transport(mut req: Request, next: Next) -> Response {
    let request_id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 200)
        .map(str::to_string)
        .unwrap_or_else(|| format!("req_{}", uuid::Uuid::now_v7()));
    req.extensions_mut().insert(RequestId(request_id.clone()));

    let version_error = req
        .headers()
        .get("ojs-version")
        .and_then(|v| v.to_str().ok())
        .filter(|v| !(v.trim() == "1" || v.trim().starts_with("1.")))
        .map(|v| OjsError::Unsupported(format!("OJS-Version '{v}' is not supported; this server speaks 1.0")));

    let mut response = match version_error {
        Some(e) => e.into_response(),
        None => next.run(req).await,
    };

    let pending = response.extensions_mut().remove::<PendingError>();
    let error = match pending {
        Some(PendingError(e)) => Some(e),
        // Framework-generated bodies (unknown method on a known path) become OJS errors too.
        None if response.status() == StatusCode::METHOD_NOT_ALLOWED => {
            Some(Arc::new(OjsError::MethodNotAllowed("this method".into())))
        }
        None => None,
    };
    if let Some(e) = error {
        let status = e.status();
        let body = serde_json::to_vec(&e.body(&request_id)).unwrap_or_default();
        let mut rendered = Response::new(Body::from(body));
        *rendered.status_mut() = status;
        response = rendered;
    }
    let headers = response.headers_mut();
    headers.insert("content-type", HeaderValue::from_static(MEDIA_TYPE));
    headers.insert("ojs-version", HeaderValue::from_static("1.0"));
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        headers.insert("x-request-id", v);
    }
    response
}

/// Unknown routes.
pub async fn not_found(req: Request) -> OjsError {
    OjsError::NotFound { resource: "route", id: format!("{} {}", req.method(), req.uri().path()) }
}
