//! Level 3 — workflows: chain, group and batch.

pub mod handlers;
pub mod progress;
pub mod workflow;
