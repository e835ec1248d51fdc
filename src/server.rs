//! Application state, the router, and serving with graceful shutdown.

use crate::backend::SharedBackend;
use crate::config::Config;
use crate::http::reply;
use crate::level0_core::events::EventSink;
use crate::{level0_core, level1_reliable, level2_scheduled, level3_workflows, level4_advanced};
use axum::routing::{get, post};
use axum::Router;
use std::sync::Arc;
use std::time::Instant;

pub struct AppState {
    pub backend: SharedBackend,
    pub config: Arc<Config>,
    pub events: EventSink,
    pub started: Instant,
}

pub type App = Arc<AppState>;

pub fn router(app: App) -> Router {
    let limit = crate::http::body::BodyLimit(app.config.max_body_bytes);
    let mut router = Router::new()
        .route("/ojs/manifest", get(level0_core::manifest::manifest))
        .route("/ojs/v1/health", get(level0_core::manifest::health))
        .route("/ojs/v1/jobs", post(level0_core::handlers::push))
        .route("/ojs/v1/jobs/batch", post(level4_advanced::bulk::push_batch))
        .route("/ojs/v1/jobs/{id}", get(level0_core::handlers::info).delete(level0_core::handlers::cancel))
        .route("/ojs/v1/jobs/{id}/activate", post(level4_advanced::queues::activate))
        .route("/ojs/v1/workers/fetch", post(level0_core::handlers::fetch))
        .route("/ojs/v1/workers/ack", post(level0_core::handlers::ack))
        .route("/ojs/v1/workers/nack", post(level1_reliable::nack::nack))
        .route("/ojs/v1/workers/heartbeat", post(level1_reliable::heartbeat::heartbeat))
        .route("/ojs/v1/events", get(level0_core::handlers::events))
        .route("/ojs/v1/queues", get(level4_advanced::queues::list))
        .route("/ojs/v1/queues/{name}/stats", get(level4_advanced::queues::stats))
        .route("/ojs/v1/queues/{name}/pause", post(level4_advanced::queues::pause))
        .route("/ojs/v1/queues/{name}/resume", post(level4_advanced::queues::resume))
        .route("/ojs/v1/dead-letter", get(level1_reliable::dead_letter::list))
        .route("/ojs/v1/dead-letter/{id}", axum::routing::delete(level1_reliable::dead_letter::delete))
        .route("/ojs/v1/dead-letter/{id}/retry", post(level1_reliable::dead_letter::retry))
        .route("/ojs/v1/cron", post(level2_scheduled::handlers::register).get(level2_scheduled::handlers::list))
        .route("/ojs/v1/cron/{name}", get(level2_scheduled::handlers::get_one).delete(level2_scheduled::handlers::delete))
        .route("/ojs/v1/workflows", post(level3_workflows::handlers::create))
        .route("/ojs/v1/workflows/{id}", get(level3_workflows::handlers::get_one).delete(level3_workflows::handlers::cancel));
    if app.config.enable_test_reset {
        router = router.route("/ojs/v1/admin/reset", post(level0_core::handlers::reset));
    }
    router
        .fallback(reply::not_found)
        .layer(axum::middleware::from_fn(reply::transport))
        .layer(axum::Extension(limit))
        .with_state(app)
}

/// Connects the configured backend.
pub async fn build_backend(config: &Config) -> crate::backend::BackendResult<SharedBackend> {
    use crate::config::BackendKind;
    match config.backend {
        BackendKind::Memory => Ok(Arc::new(crate::backend::memory::MemoryBackend::new())),
        #[cfg(feature = "redis")]
        BackendKind::Redis => Ok(Arc::new(crate::backend::redis::connect(&config.redis_url, &config.redis_prefix).await?)),
        #[cfg(feature = "postgres")]
        BackendKind::Postgres => Ok(Arc::new(crate::backend::postgres::connect(&config.database_url, &config.pg_schema).await?)),
        #[allow(unreachable_patterns)]
        other => Err(crate::backend::BackendError::Unavailable(format!(
            "this build has no '{}' backend; rebuild with `--features {}`",
            other.as_str(),
            other.as_str()
        ))),
    }
}

/// Serves until ctrl-c or SIGTERM, then stops the background tasks and drains connections.
pub async fn serve(config: Config) -> std::io::Result<()> {
    let config = Arc::new(config);
    let backend = build_backend(&config).await.map_err(std::io::Error::other)?;
    let events = EventSink::start(backend.clone());
    let app: App = Arc::new(AppState { backend: backend.clone(), config: config.clone(), events, started: Instant::now() });
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let tasks = crate::background::spawn_all(&app, stopped);
    let addr = format!("{}:{}", config.bind, config.port);
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    let local = listener.local_addr()?;
    tracing::info!("ojs-server listening on http://{local} (backend: {})", backend.name());
    axum::serve(listener, router(app.clone())).with_graceful_shutdown(shutdown_signal()).await?;
    let _ = stop.send(true);
    for task in tasks {
        let _ = task.await;
    }
    app.events.flush().await;
    tracing::info!("ojs-server stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}
