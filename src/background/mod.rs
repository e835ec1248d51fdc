//! Background work. Each task sleeps until its next deadline (or a wake-up signal, or shutdown) instead
//! of polling: due jobs and lapsed leases, cron firings, retention pruning.

pub mod cron;
pub mod due;
pub mod prune;

use crate::server::App;
use tokio::sync::watch;

/// Starts every background task; they stop when `shutdown` turns true.
pub fn spawn_all(app: &App, shutdown: watch::Receiver<bool>) -> Vec<tokio::task::JoinHandle<()>> {
    vec![
        tokio::spawn(due::run(app.clone(), shutdown.clone())),
        tokio::spawn(cron::run(app.clone(), shutdown.clone())),
        tokio::spawn(prune::run(app.clone(), shutdown)),
    ]
}

/// Sleeps `duration` unless shutdown comes first; returns false on shutdown.
pub async fn sleep_or_shutdown(duration: std::time::Duration, shutdown: &mut watch::Receiver<bool>) -> bool {
    tokio::select! {
        _ = tokio::time::sleep(duration) => true,
        _ = shutdown.changed() => !*shutdown.borrow(),
    }
}
