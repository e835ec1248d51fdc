//! Level 0 — core: the envelope, the state machine, push/fetch/ack, events, manifest.

pub mod envelope;
pub mod events;
pub mod handlers;
pub mod manifest;
pub mod state;
pub mod transition;

#[cfg(test)]
mod snapshots_test;
