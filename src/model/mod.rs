//! Records shared by the HTTP layer, the level logic and every backend.

pub mod cron;
pub mod event;
pub mod job;
pub mod time;
pub mod workflow;
