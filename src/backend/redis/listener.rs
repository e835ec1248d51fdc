//! One pub/sub connection per backend: other processes' wake-ups bump the local signals.

use super::Horizon;
use crate::backend::Signal;
use futures::StreamExt;
use std::sync::Arc;
use std::time::Duration;

/// Aborts the listener task when the backend is dropped.
pub struct AbortOnDrop(pub tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Messages: `r` (jobs may be available) bumps `ready`; `s<ms>` (a new due time) bumps `schedule` when it
/// is earlier than the time this process's background task sleeps toward.
pub fn spawn(client: ::redis::Client, channel: String, ready: Signal, horizon: Arc<Horizon>) -> AbortOnDrop {
    AbortOnDrop(tokio::spawn(async move {
        let mut reconnect = false;
        loop {
            if let Ok(mut pubsub) = client.get_async_pubsub().await {
                if pubsub.subscribe(&channel).await.is_ok() {
                    if reconnect {
                        // Anything published while we were not subscribed is lost: wake everyone once.
                        ready.bump();
                        horizon.wake();
                    }
                    let mut messages = pubsub.on_message();
                    while let Some(msg) = messages.next().await {
                        match msg.get_payload_bytes() {
                            b"r" => ready.bump(),
                            [b's', at @ ..] => match std::str::from_utf8(at).ok().and_then(|t| t.parse().ok()) {
                                Some(ms) => horizon.due_written(ms),
                                None => horizon.wake(),
                            },
                            _ => {}
                        }
                    }
                }
            }
            reconnect = true;
            tracing::warn!("redis wake-up listener disconnected; reconnecting");
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }))
}
