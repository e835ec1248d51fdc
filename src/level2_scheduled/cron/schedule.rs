//! `CronSchedule`: a validated expression plus its time zone, able to say when
//! it fires next. Cheap to clone; holds no clock and no backend state.

use chrono::{DateTime, NaiveDateTime, Utc};
use chrono_tz::Tz;

use super::error::CronError;
use super::expression::{parse_expression, Shape};
use super::occurrence::{next_in_zone, skipped_in_gaps};
use super::timezone::parse_timezone;

#[derive(Debug, Clone)]
pub struct CronSchedule {
    expression: String,
    timezone: String,
    tz: Tz,
    shape: Shape,
}

impl CronSchedule {
    /// Parses a cron expression in the given IANA zone ("UTC" when None).
    /// The expression is validated first, then the zone.
    pub fn parse(expression: &str, timezone: Option<&str>) -> Result<CronSchedule, CronError> {
        let shape = parse_expression(expression)?;
        let (tz, timezone) = parse_timezone(timezone)?;
        Ok(CronSchedule {
            expression: expression.to_string(),
            timezone,
            tz,
            shape,
        })
    }

    /// First occurrence strictly after `after`, in UTC. `None` only if there is
    /// none before the end of chrono's date range (not for accepted expressions
    /// in practice: `parse` rejects patterns that never match).
    pub fn next_after(&self, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
        match &self.shape {
            Shape::Calendar(pattern) => next_in_zone(pattern, self.tz, after),
            Shape::Every(interval) => interval.next_after(after),
        }
    }

    /// Local wall times (in the schedule's zone) that the schedule skipped in
    /// `(after, until]` because a spring-forward gap swallowed them: the
    /// `cron.skipped` / `dst_skip` occurrences between two firings. Empty for
    /// `@every` and for every-hour schedules (they lose no run by elapsed
    /// time); at most 100 entries.
    pub fn dst_skipped_between(
        &self,
        after: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Vec<NaiveDateTime> {
        match &self.shape {
            Shape::Calendar(pattern) => skipped_in_gaps(pattern, self.tz, after, until),
            Shape::Every(_) => Vec::new(),
        }
    }

    /// The expression exactly as given (the API echoes it, e.g. "@daily").
    pub fn expression(&self) -> &str {
        &self.expression
    }

    /// The zone name as given, or "UTC" when none was.
    pub fn timezone(&self) -> &str {
        &self.timezone
    }

    /// The interval of an `@every` schedule; `None` for calendar schedules.
    pub fn interval(&self) -> Option<std::time::Duration> {
        match &self.shape {
            Shape::Every(interval) => Some(interval.as_std()),
            Shape::Calendar(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn echoes_expression_and_zone() {
        let schedule = CronSchedule::parse("@daily", Some("Asia/Tokyo")).unwrap();
        assert_eq!(schedule.expression(), "@daily");
        assert_eq!(schedule.timezone(), "Asia/Tokyo");
        assert_eq!(schedule.interval(), None);
        let schedule = CronSchedule::parse("@every 90s", None).unwrap();
        assert_eq!(schedule.timezone(), "UTC");
        assert_eq!(
            schedule.interval(),
            Some(std::time::Duration::from_secs(90))
        );
    }

    #[test]
    fn dst_skips_between_two_firings() {
        let schedule = CronSchedule::parse("30 2 * * *", Some("America/New_York")).unwrap();
        let first = schedule
            .next_after("2026-03-07T00:00:00Z".parse().unwrap())
            .unwrap();
        let second = schedule.next_after(first).unwrap();
        let skipped = schedule.dst_skipped_between(first, second);
        assert_eq!(skipped.len(), 1);
        assert_eq!(skipped[0].to_string(), "2026-03-08 02:30:00");
        let third = schedule.next_after(second).unwrap();
        assert!(schedule.dst_skipped_between(second, third).is_empty());
    }

    #[test]
    fn expression_errors_come_before_zone_errors() {
        let error = CronSchedule::parse("99 * * * *", Some("EST")).unwrap_err();
        assert!(
            matches!(
                error,
                CronError::InvalidField {
                    field: "minute",
                    ..
                }
            ),
            "{error}"
        );
        let error = CronSchedule::parse("* * * * *", Some("EST")).unwrap_err();
        assert!(
            matches!(error, CronError::AbbreviatedTimezone { .. }),
            "{error}"
        );
    }
}
