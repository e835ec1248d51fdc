//! The cron ticker: evaluates registrations at their next run time (at least once a second, so a
//! registration made by another process is picked up promptly).

use crate::level2_scheduled::firing;
use crate::model::time::now;
use crate::server::App;
use std::time::Duration;
use tokio::sync::watch;

pub async fn run(app: App, mut shutdown: watch::Receiver<bool>) {
    let max_sleep = Duration::from_secs(1);
    loop {
        let mut schedule = app.backend.schedule_signal();
        schedule.borrow_and_update();
        let now = now();
        let sleep = match firing::tick(&app, now).await {
            Ok(Some(next)) => (next - now).to_std().unwrap_or(Duration::ZERO).clamp(Duration::from_millis(5), max_sleep),
            Ok(None) => max_sleep,
            Err(e) => {
                tracing::warn!(error = %e, "cron tick failed");
                max_sleep
            }
        };
        tokio::select! {
            _ = tokio::time::sleep(sleep) => {}
            _ = schedule.changed() => {}
            _ = shutdown.changed() => {}
        }
        if *shutdown.borrow() {
            return;
        }
    }
}
