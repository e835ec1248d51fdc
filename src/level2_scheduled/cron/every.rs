//! `@every <duration>`: a fixed interval written as a Go duration (`30s`, `5m`,
//! `1h30m`, `1.5h`).
//!
//! Decision: occurrences are the multiples of the interval counted from the Unix
//! epoch (1970-01-01T00:00:00Z), so `@every 5m` fires at :00, :05, :10 … UTC and
//! `@every 7m` at every 7th minute since the epoch. This keeps the schedule a pure
//! function of the expression (no anchor to store, identical on every backend and
//! after a restart) and the time zone plays no part. The spec prefers anchoring to
//! the registration or last trigger time; the two differ only in phase.

use chrono::{DateTime, TimeZone, Utc};

use super::error::CronError;

const NANOS_PER_SECOND: i128 = 1_000_000_000;

/// Intervals shorter than this are refused: the cron loop ticks once a second.
const MINIMUM_NANOS: i128 = NANOS_PER_SECOND;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Interval {
    nanos: i128,
}

impl Interval {
    pub(crate) fn parse(text: &str) -> Result<Interval, CronError> {
        let fail = |reason: String| CronError::InvalidInterval {
            duration: text.to_string(),
            reason,
        };
        let nanos = parse_go_duration(text).map_err(fail)?;
        if nanos < MINIMUM_NANOS {
            return Err(fail("the interval must be at least 1s".to_string()));
        }
        Ok(Interval { nanos })
    }

    pub(crate) fn as_std(&self) -> std::time::Duration {
        std::time::Duration::from_nanos(self.nanos as u64)
    }

    /// The first multiple of the interval (since the epoch) strictly after `after`.
    pub(crate) fn next_after(&self, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let after_nanos =
            after.timestamp() as i128 * NANOS_PER_SECOND + after.timestamp_subsec_nanos() as i128;
        let next = (after_nanos.div_euclid(self.nanos) + 1) * self.nanos;
        let seconds = i64::try_from(next.div_euclid(NANOS_PER_SECOND)).ok()?;
        let subsec = next.rem_euclid(NANOS_PER_SECOND) as u32;
        Utc.timestamp_opt(seconds, subsec).single()
    }
}

/// Parses Go's `time.Duration` syntax into nanoseconds: one or more
/// `<number><unit>` parts, the number possibly with a fraction, units
/// `h m s ms us µs ns`. Signs are refused (an interval is positive).
fn parse_go_duration(text: &str) -> Result<i128, String> {
    if text.is_empty() {
        return Err("a duration is required, e.g. @every 5m".to_string());
    }
    if text.starts_with(['-', '+']) {
        return Err("the duration must be positive and unsigned".to_string());
    }
    let mut rest = text;
    let mut total: i128 = 0;
    while !rest.is_empty() {
        let number_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let (number, after_number) = rest.split_at(number_len);
        let unit_len = after_number
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(after_number.len());
        let (unit, after_unit) = after_number.split_at(unit_len);
        if number.is_empty() || number == "." {
            return Err(format!("expected a number before \"{unit}\""));
        }
        if unit.is_empty() {
            return Err(format!(
                "\"{number}\" has no unit; use h, m, s, ms, us or ns (e.g. 30s)"
            ));
        }
        let unit_nanos: i128 = match unit {
            "h" => 3_600 * NANOS_PER_SECOND,
            "m" => 60 * NANOS_PER_SECOND,
            "s" => NANOS_PER_SECOND,
            "ms" => 1_000_000,
            "us" | "µs" | "μs" => 1_000,
            "ns" => 1,
            _ => {
                return Err(format!(
                    "unknown unit \"{unit}\"; use h, m, s, ms, us or ns"
                ))
            }
        };
        total += number_nanos(number, unit_nanos)?;
        if total > i64::MAX as i128 {
            return Err("the duration is too large".to_string());
        }
        rest = after_unit;
    }
    Ok(total)
}

fn number_nanos(number: &str, unit_nanos: i128) -> Result<i128, String> {
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    if fraction.contains('.') {
        return Err(format!("\"{number}\" is not a number"));
    }
    // Long digit strings would overflow; anything that long is too large anyway.
    if whole.len() > 20 || fraction.len() > 20 {
        return Err(format!("\"{number}\" has too many digits"));
    }
    let whole_value: i128 = if whole.is_empty() {
        0
    } else {
        whole
            .parse()
            .map_err(|_| format!("\"{number}\" is not a number"))?
    };
    let mut nanos = whole_value * unit_nanos;
    if !fraction.is_empty() {
        let digits: i128 = fraction
            .parse()
            .map_err(|_| format!("\"{number}\" is not a number"))?;
        nanos += digits * unit_nanos / 10_i128.pow(fraction.len() as u32);
    }
    Ok(nanos)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seconds(text: &str) -> f64 {
        Interval::parse(text).expect(text).as_std().as_secs_f64()
    }

    #[test]
    fn go_durations() {
        assert_eq!(seconds("30s"), 30.0);
        assert_eq!(seconds("5m"), 300.0);
        assert_eq!(seconds("1h30m"), 5400.0);
        assert_eq!(seconds("2h45m30s"), 9930.0);
        assert_eq!(seconds("1.5h"), 5400.0);
        assert_eq!(seconds("1500ms"), 1.5);
    }

    #[test]
    fn rejects_bad_durations() {
        for (text, fragment) in [
            ("500ms", "at least 1s"),
            ("0s", "at least 1s"),
            ("", "required"),
            ("5", "no unit"),
            ("5d", "unknown unit"),
            ("-5m", "positive"),
            ("m", "expected a number"),
            ("1.2.3s", "not a number"),
            ("9999999999h", "too large"),
        ] {
            let message = Interval::parse(text).expect_err(text).to_string();
            assert!(message.contains(fragment), "{text}: {message}");
        }
    }

    #[test]
    fn occurrences_are_aligned_to_the_epoch() {
        let interval = Interval::parse("5m").unwrap();
        let after = Utc.with_ymd_and_hms(2026, 1, 1, 10, 2, 7).unwrap();
        let next = interval.next_after(after).unwrap();
        assert_eq!(next, Utc.with_ymd_and_hms(2026, 1, 1, 10, 5, 0).unwrap());
        // Strictly after: an exact multiple moves on to the next one.
        assert_eq!(
            interval.next_after(next).unwrap(),
            Utc.with_ymd_and_hms(2026, 1, 1, 10, 10, 0).unwrap()
        );
    }
}
