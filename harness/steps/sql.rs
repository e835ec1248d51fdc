//! `@postgres-sql` steps: an application enqueues through the backend's SQL function inside its own
//! transaction (PostgreSQL backend only). They connect with the `DATABASE_URL` and `OJS_PG_SCHEMA` the
//! harness gave the server.

use cucumber::gherkin::Step;
use serde_json::Value;
use sqlx::{Connection, Executor, Row};

use crate::world::{OjsWorld, RunContext, StepResult};

async fn connect(ctx: &RunContext) -> Result<(sqlx::PgConnection, String), String> {
    let url = ctx.backend_var("DATABASE_URL").ok_or("this run has no DATABASE_URL (needs the postgres backend)")?;
    let schema = ctx.backend_var("OJS_PG_SCHEMA").unwrap_or("ojs").to_string();
    let conn = sqlx::PgConnection::connect(url).await.map_err(|e| format!("cannot connect to {url}: {e}"))?;
    Ok((conn, schema))
}

/// Runs `sql` (several statements allowed) in a transaction with the run's schema on the search path;
/// returns the first column of the last row the statements returned, as text.
async fn in_transaction(w: &mut OjsWorld, step: &Step, commit: bool) -> Result<Option<String>, String> {
    let sql = w.expand(step.docstring.as_deref().ok_or("this step needs an SQL docstring")?)?;
    let (mut conn, schema) = connect(&w.ctx).await?;
    conn.execute(format!("SET search_path TO \"{schema}\", public").as_str()).await.map_err(|e| e.to_string())?;
    conn.execute("BEGIN").await.map_err(|e| e.to_string())?;
    let rows = sqlx::raw_sql(&sql).fetch_all(&mut conn).await.map_err(|e| format!("SQL failed: {e}"))?;
    let last = rows.last().and_then(|r| r.try_get::<String, _>(0).ok());
    conn.execute(if commit { "COMMIT" } else { "ROLLBACK" }).await.map_err(|e| e.to_string())?;
    Ok(last)
}

step!(r#"^the application runs in its own transaction, saving the result as "([^"]*)":$"#,
    async fn sql_commit(w: &mut OjsWorld, step: &Step, name: String) -> StepResult {
        let value = in_transaction(w, step, true).await?.ok_or("the SQL returned no text value to save")?;
        w.saved.insert(name, Value::String(value));
        Ok(())
    }
);

step!(r#"^the application runs in its own transaction and rolls it back:$"#,
    async fn sql_rollback(w: &mut OjsWorld, step: &Step) -> StepResult {
        in_transaction(w, step, false).await.map(|_| ())
    }
);

/// Drops the run's schema (the harness made it for this run only).
pub async fn drop_run_schema(env: &[(String, String)]) {
    let ctx = RunContext {
        base_url: String::new(),
        client: reqwest::Client::new(),
        peer_url: None,
        backend_env: env.to_vec(),
    };
    let Ok((mut conn, schema)) = connect(&ctx).await else { return };
    if schema.starts_with("ojs_test_") {
        let _ = conn.execute(format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE").as_str()).await;
    }
}
