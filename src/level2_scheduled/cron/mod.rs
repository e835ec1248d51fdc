//! Cron logic of level 2 that needs no backend: parsing and validating
//! expressions and time zones, computing the next occurrence (DST included),
//! the per-tick firing decision and the overlap decision.
//!
//! No cron library is used: croner 2 was tried and needed correcting in three
//! places (vague errors, `W` crossing into the neighbouring month, DST gap
//! times fired after the gap), which left it doing little; the matcher here is
//! small and only needs chrono and chrono-tz.
//!
//! - `expression.rs` / `fields.rs`: 5 fields (`min hour dom mon dow`) or 6 with
//!   seconds first, `* , - /`, names JAN–DEC / SUN–SAT (any case), weekday 7 =
//!   Sunday, `L`, `nW`, `nL`, `n#k`, `?` in the day fields, aliases `@yearly`
//!   `@annually` `@monthly` `@weekly` `@daily` `@midnight` `@hourly`, and
//!   `@every <go duration>` (at least 1s).
//! - `calendar.rs`: matching in wall-clock time; day-of-month/day-of-week
//!   combine as in Vixie cron (either matches, unless one field starts with `*`);
//!   `nW` stays inside the month.
//! - `every.rs`: `@every` occurrences are multiples of the interval since the
//!   Unix epoch.
//! - `timezone.rs`: IANA names only.
//! - `occurrence.rs`: DST rules (gap times do not fire; repeated times fire once,
//!   at the first pass, except for every-hour schedules).
//! - `firing.rs`: at most one catch-up firing per tick.
//! - `overlap.rs`: `skip` / `allow` / `cancel_previous` (`cancel`) / `enqueue`.

mod calendar;
mod error;
mod every;
mod expression;
mod fields;
mod firing;
mod occurrence;
mod overlap;
mod schedule;
mod timezone;

#[cfg(test)]
mod fixture_tests;

pub use error::CronError;
pub use firing::{due_occurrence, Firing};
pub use overlap::{overlap_action, OverlapAction, OverlapPolicy};
pub use schedule::CronSchedule;
pub use timezone::DEFAULT_TIMEZONE;
