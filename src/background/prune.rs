//! Retention: deletes terminal jobs past their retention in small batches.

use crate::model::time::now;
use crate::server::App;
use std::time::Duration;
use tokio::sync::watch;

const BATCH: usize = 1000;

pub async fn run(app: App, mut shutdown: watch::Receiver<bool>) {
    let retention = app.config.retention();
    loop {
        let mut pruned = BATCH;
        while pruned == BATCH {
            pruned = match app.backend.prune(now(), retention, BATCH).await {
                Ok(n) => n,
                Err(e) => {
                    tracing::warn!(error = %e, "prune failed");
                    0
                }
            };
        }
        if !super::sleep_or_shutdown(Duration::from_secs(30), &mut shutdown).await {
            return;
        }
    }
}
