//! Level 4 — advanced: priority, unique jobs, batch enqueue, pause/resume, queue stats, rate limits.

pub mod bulk;
pub mod priority;
pub mod queues;
pub mod rate_limit;
pub mod unique;
