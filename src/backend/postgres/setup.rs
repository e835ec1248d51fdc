//! Connecting: the schema, a pool whose connections all search that schema, and the embedded migrations.

use super::errors::{db, internal};
use crate::backend::{BackendError, BackendResult};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{ConnectOptions, Connection, Executor, PgPool};
use std::str::FromStr;
use std::time::Duration;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("src/backend/postgres/migrations");

/// `"name"` with embedded quotes doubled, so any schema name is a safe identifier.
pub(super) fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn options(url: &str) -> BackendResult<PgConnectOptions> {
    PgConnectOptions::from_str(url)
        .map(|o| o.disable_statement_logging())
        .map_err(|e| BackendError::Unavailable(format!("invalid DATABASE_URL: {e}")))
}

fn unreachable(url: &str, err: sqlx::Error) -> BackendError {
    BackendError::Unavailable(format!(
        "cannot reach PostgreSQL at {}: {err} (start it with ci/services/postgres.sh, or set DATABASE_URL)",
        redact(url)
    ))
}

/// The URL without its password, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{}{user}@{}", &url[..scheme + 3], &url[at + 1..])
        }
        _ => url.to_string(),
    }
}

/// Creates the schema if it is missing (a one-off connection: the pool's connections search it).
async fn ensure_schema(url: &str, schema: &str) -> BackendResult<()> {
    let mut conn = options(url)?.connect().await.map_err(|e| unreachable(url, e))?;
    let created = conn.execute(format!("CREATE SCHEMA IF NOT EXISTS {}", quote_ident(schema)).as_str()).await;
    if let Err(err) = created {
        // Two processes creating it at once: the loser sees a unique violation; the schema exists.
        if super::errors::unique_violation(&err).is_none() {
            return Err(db(err));
        }
    }
    let _ = conn.close().await;
    Ok(())
}

/// A pool whose every connection has `search_path` set to `schema`.
pub(super) async fn pool(url: &str, schema: &str) -> BackendResult<PgPool> {
    if schema.is_empty() {
        return Err(internal("OJS_PG_SCHEMA must not be empty"));
    }
    ensure_schema(url, schema).await?;
    let set_path = format!("SET search_path TO {}", quote_ident(schema));
    PgPoolOptions::new()
        .max_connections(16)
        .acquire_timeout(Duration::from_secs(10))
        .after_connect(move |conn, _meta| {
            let set_path = set_path.clone();
            Box::pin(async move {
                conn.execute(set_path.as_str()).await?;
                Ok(())
            })
        })
        .connect_with(options(url)?)
        .await
        .map_err(|e| unreachable(url, e))
}

/// Applies the embedded migrations to the pool's schema.
pub(super) async fn run_migrations(pool: &PgPool) -> BackendResult<()> {
    MIGRATOR.run(pool).await.map_err(|e| internal(format!("PostgreSQL migrations failed: {e}")))
}
