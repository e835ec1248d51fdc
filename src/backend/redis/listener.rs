//! One pub/sub connection per backend: other processes' wake-ups bump the local signals.

use crate::backend::Signal;
use futures::StreamExt;
use std::time::Duration;

/// Aborts the listener task when the backend is dropped.
pub struct AbortOnDrop(pub tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

pub fn spawn(client: ::redis::Client, channel: String, ready: Signal, schedule: Signal) -> AbortOnDrop {
    AbortOnDrop(tokio::spawn(async move {
        loop {
            if let Ok(mut pubsub) = client.get_async_pubsub().await {
                if pubsub.subscribe(&channel).await.is_ok() {
                    // Anything published while we were not subscribed is lost: wake everyone once.
                    ready.bump();
                    schedule.bump();
                    let mut messages = pubsub.on_message();
                    while let Some(msg) = messages.next().await {
                        match msg.get_payload_bytes() {
                            b"r" => ready.bump(),
                            b"s" => schedule.bump(),
                            _ => {}
                        }
                    }
                }
            }
            tracing::warn!("redis wake-up listener disconnected; reconnecting");
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }))
}
