//! Level 2 — scheduled: delayed jobs (`scheduled_at`, promoted by the background task and at fetch),
//! expiring jobs (`expires_at`, discarded at fetch), and cron.

pub mod cron;
pub mod firing;
pub mod handlers;
