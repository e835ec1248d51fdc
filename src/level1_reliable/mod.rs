//! Level 1 — reliable: retries with backoff, dead letter, heartbeats, visibility timeouts, execution timeouts.

pub mod dead_letter;
pub mod failure;
pub mod heartbeat;
pub mod nack;
pub mod retry;
