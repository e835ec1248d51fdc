//! Mapping database failures onto `BackendError`.

use crate::backend::BackendError;

pub(super) fn internal(message: impl Into<String>) -> BackendError {
    BackendError::Internal(message.into())
}

/// Connection-level failures are `Unavailable` (the HTTP layer answers 503); the rest are `Internal`.
pub(super) fn db(err: sqlx::Error) -> BackendError {
    match err {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => BackendError::Unavailable(format!("PostgreSQL: {err}")),
        other => BackendError::Internal(format!("PostgreSQL: {other}")),
    }
}

/// The constraint a unique violation hit, if `err` is one.
pub(super) fn unique_violation(err: &sqlx::Error) -> Option<String> {
    match err {
        sqlx::Error::Database(d) if d.code().as_deref() == Some("23505") => {
            Some(d.constraint().unwrap_or_default().to_string())
        }
        _ => None,
    }
}
