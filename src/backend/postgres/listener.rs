//! LISTEN/NOTIFY wake-ups: every process (and `ojs_enqueue` in application transactions) notifies
//! `ojs_ready` when jobs become available and `ojs_schedule` when a due time may have moved earlier; one
//! task per backend turns those into `ready_signal` / `schedule_signal` bumps.

use super::wakeups::Wakeups;
use sqlx::postgres::PgListener;
use sqlx::PgPool;
use std::time::Duration;
use tokio::task::JoinHandle;

pub(super) const READY_CHANNEL: &str = "ojs_ready";
pub(super) const SCHEDULE_CHANNEL: &str = "ojs_schedule";

/// Aborts the listener task when the backend goes away.
pub(super) struct ListenerTask(JoinHandle<()>);

impl Drop for ListenerTask {
    fn drop(&mut self) {
        self.0.abort();
    }
}

pub(super) fn spawn(pool: PgPool, wake: Wakeups) -> ListenerTask {
    ListenerTask(tokio::spawn(async move {
        loop {
            if let Ok(mut listener) = PgListener::connect_with(&pool).await {
                if listener.listen_all([READY_CHANNEL, SCHEDULE_CHANNEL]).await.is_ok() {
                    // Anything may have happened while we were not listening.
                    wake.jobs_ready();
                    wake.schedule_changed();
                    while let Ok(notification) = listener.recv().await {
                        if notification.channel() == READY_CHANNEL {
                            wake.jobs_ready();
                        } else {
                            wake.schedule_changed();
                        }
                    }
                }
            }
            tracing::warn!("PostgreSQL notification listener lost its connection; reconnecting");
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }))
}
