//! From a calendar pattern in a time zone to the next UTC instant, with the DST
//! rules of the cron spec. (Cron libraries differ here: croner, for one, moves
//! a time that falls in a spring-forward gap to just after the gap, which the
//! spec forbids, so this is done by hand on top of chrono-tz.)
//!
//! Method: the UTC timeline is cut into stretches of constant UTC offset. In a
//! stretch, wall time = instant + offset, so the next match is found by
//! searching wall time and subtracting the offset. If an offset change lies
//! between the start of the search and that candidate, the search restarts at
//! the change with the new offset. Consequences:
//! - Spring forward: wall times inside the gap map to no instant and are never
//!   returned (`30 2 * * *` in New York does not fire on the gap day).
//! - Fall back: a wall time in the repeated hour fires once, at its first
//!   (daylight-time) instant; the second pass is skipped. Exception, by
//!   decision: when the hour field matches every hour (`*/15 * * * *`,
//!   `@hourly`, `0 * * * *`) the schedule is about elapsed time, so it keeps
//!   firing through the second pass as well (no 75-minute hole, no lost hourly
//!   run), as Vixie cron does for wildcard jobs.
//!
//! Offset changes are located by probing every 6 hours and then bisecting to
//! the second; two changes less than 6 hours apart (none in current tzdata)
//! would be seen as one.

use chrono::{DateTime, Duration, LocalResult, NaiveDateTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;

use super::calendar::CalendarPattern;

/// Each loop turn returns, crosses an offset change (about two a year) or skips
/// one repeated stretch, so this only bounds pathological cases.
const MAX_STEPS: usize = 10_000;

const PROBE_STEP_HOURS: i64 = 6;

/// The first instant strictly after `after` whose wall time in `tz` matches.
pub(crate) fn next_in_zone(
    pattern: &CalendarPattern,
    tz: Tz,
    after: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let mut from = after;
    let mut inclusive = false;
    for _ in 0..MAX_STEPS {
        let offset = offset_seconds(tz, from);
        let wall_from = from
            .naive_utc()
            .checked_add_signed(Duration::seconds(offset))?;
        let wall = pattern.next_naive(wall_from, inclusive)?;
        let candidate = wall
            .checked_sub_signed(Duration::seconds(offset))?
            .and_utc();
        if let Some(change) = first_offset_change(tz, from, candidate) {
            from = change;
            inclusive = true;
            continue;
        }
        if let LocalResult::Ambiguous(first, second) = tz.from_local_datetime(&wall) {
            let (first, second) = (first.with_timezone(&Utc), second.with_timezone(&Utc));
            if candidate == second && !pattern.fires_every_hour() {
                // Second pass of a repeated hour: this wall time already had its
                // turn at `first`. Jump past the whole repeated stretch.
                let change = first_offset_change(tz, first, second)?;
                from = change.checked_add_signed(second - first)?;
                inclusive = true;
                continue;
            }
        }
        return Some(candidate);
    }
    None
}

/// Most gap times reported by [`skipped_in_gaps`] per call.
pub(crate) const MAX_REPORTED_SKIPS: usize = 100;

/// Wall times of a fixed-hour pattern that fell into a spring-forward gap
/// between `after` and `until` (so never fired), earliest first, at most
/// [`MAX_REPORTED_SKIPS`]. Every-hour schedules report none: they lose no run
/// by elapsed time.
pub(crate) fn skipped_in_gaps(
    pattern: &CalendarPattern,
    tz: Tz,
    after: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Vec<NaiveDateTime> {
    let mut skipped = Vec::new();
    if pattern.fires_every_hour() {
        return skipped;
    }
    let mut from = after;
    while let Some(change) = first_offset_change(tz, from, until) {
        let Some(just_before) = change.checked_sub_signed(Duration::seconds(1)) else {
            break;
        };
        let (offset_before, offset_after) =
            (offset_seconds(tz, just_before), offset_seconds(tz, change));
        let wall_at = |offset: i64| {
            change
                .naive_utc()
                .checked_add_signed(Duration::seconds(offset))
        };
        let (Some(gap_start), Some(gap_end)) = (wall_at(offset_before), wall_at(offset_after))
        else {
            break;
        };
        // A fall-back change has gap_end <= gap_start: nothing is reported.
        let mut wall = gap_start;
        let mut inclusive = true;
        while let Some(found) = pattern.next_naive(wall, inclusive) {
            if found >= gap_end || skipped.len() >= MAX_REPORTED_SKIPS {
                break;
            }
            skipped.push(found);
            (wall, inclusive) = (found, false);
        }
        from = change;
    }
    skipped
}

fn offset_seconds(tz: Tz, at: DateTime<Utc>) -> i64 {
    i64::from(
        tz.offset_from_utc_datetime(&at.naive_utc())
            .fix()
            .local_minus_utc(),
    )
}

/// The first whole second in `(from, until]` whose UTC offset differs from the
/// offset at `from`, if any.
fn first_offset_change(tz: Tz, from: DateTime<Utc>, until: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let offset = offset_seconds(tz, from);
    let mut low = from;
    while low < until {
        let probe = low
            .checked_add_signed(Duration::hours(PROBE_STEP_HOURS))
            .map_or(until, |p| p.min(until));
        if offset_seconds(tz, probe) != offset {
            return bisect_change(tz, low, probe, offset);
        }
        low = probe;
    }
    None
}

/// `low` has `offset`, `high` does not; offset changes happen on whole seconds.
fn bisect_change(
    tz: Tz,
    low: DateTime<Utc>,
    high: DateTime<Utc>,
    offset: i64,
) -> Option<DateTime<Utc>> {
    let (mut low, mut high) = (low.timestamp(), high.timestamp());
    while high - low > 1 {
        let middle = low + (high - low) / 2;
        let at = DateTime::from_timestamp(middle, 0)?;
        if offset_seconds(tz, at) == offset {
            low = middle;
        } else {
            high = middle;
        }
    }
    DateTime::from_timestamp(high, 0)
}

#[cfg(test)]
mod tests {
    use super::super::expression::{parse_expression, Shape};
    use super::*;

    fn pattern(expression: &str) -> CalendarPattern {
        match parse_expression(expression).unwrap() {
            Shape::Calendar(pattern) => *pattern,
            Shape::Every(_) => panic!("not a calendar pattern"),
        }
    }

    fn utc(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    fn run(expression: &str, zone: &str, after: &str, count: usize) -> Vec<String> {
        let pattern = pattern(expression);
        let tz: Tz = zone.parse().unwrap();
        let mut at = utc(after);
        (0..count)
            .map(|_| {
                at = next_in_zone(&pattern, tz, at).unwrap();
                at.format("%Y-%m-%dT%H:%M:%SZ").to_string()
            })
            .collect()
    }

    #[test]
    fn finds_offset_changes_to_the_second() {
        let tz: Tz = "America/New_York".parse().unwrap();
        let change =
            first_offset_change(tz, utc("2026-03-01T00:00:00Z"), utc("2026-04-01T00:00:00Z"));
        assert_eq!(change, Some(utc("2026-03-08T07:00:00Z")));
        assert_eq!(
            first_offset_change(tz, utc("2026-04-01T00:00:00Z"), utc("2026-05-01T00:00:00Z")),
            None
        );
    }

    #[test]
    fn spring_forward_gap_does_not_fire() {
        assert_eq!(
            run("30 2 * * *", "America/New_York", "2026-03-07T12:00:00Z", 2),
            ["2026-03-09T06:30:00Z", "2026-03-10T06:30:00Z"]
        );
    }

    #[test]
    fn second_pass_start_is_never_in_the_past() {
        // `after` inside the second pass (01:10 EST): 01:30 already fired at 05:30Z.
        assert_eq!(
            run("30 1 * * *", "America/New_York", "2026-11-01T06:10:00Z", 1),
            ["2026-11-02T06:30:00Z"]
        );
        // Every-hour schedules continue through the second pass.
        assert_eq!(
            run(
                "*/30 * * * *",
                "America/New_York",
                "2026-11-01T06:10:00Z",
                2
            ),
            ["2026-11-01T06:30:00Z", "2026-11-01T07:00:00Z"]
        );
    }

    /// The definition, checked minute by minute: the wall time matches, and a
    /// fixed-hour schedule does not fire in the second pass of a repeated time.
    fn brute_force(pattern: &CalendarPattern, tz: Tz, after: DateTime<Utc>) -> DateTime<Utc> {
        let mut at = DateTime::from_timestamp((after.timestamp() / 60 + 1) * 60, 0).unwrap();
        loop {
            let wall = at.naive_utc() + Duration::seconds(offset_seconds(tz, at));
            let matches = pattern.matches(wall);
            let second_pass = matches!(
                tz.from_local_datetime(&wall),
                LocalResult::Ambiguous(_, later) if later.with_timezone(&Utc) == at
            );
            if matches && (pattern.fires_every_hour() || !second_pass) {
                return at;
            }
            at += Duration::minutes(1);
        }
    }

    #[test]
    fn agrees_with_a_minute_by_minute_search_around_every_2026_transition() {
        let expressions = [
            "30 1 * * *",
            "45 1 * * *",
            "0 2 * * *",
            "30 2 * * *",
            "*/15 * * * *",
            "45 * * * *",
            "*/20 1 * * *",
            "0,30 0-3 * * *",
            "15 2 * * SUN",
        ];
        let zones = [
            "America/New_York",
            "Europe/London",
            "Australia/Sydney",
            "Australia/Lord_Howe",
        ];
        for zone in zones {
            let tz: Tz = zone.parse().unwrap();
            let mut transitions = Vec::new();
            let mut from = utc("2026-01-01T00:00:00Z");
            while let Some(change) = first_offset_change(tz, from, utc("2027-01-01T00:00:00Z")) {
                transitions.push(change);
                from = change;
            }
            assert_eq!(transitions.len(), 2, "{zone}");
            for expression in expressions {
                let pattern = pattern(expression);
                for transition in &transitions {
                    for step in 0..24 {
                        let after =
                            *transition - Duration::hours(4) + Duration::seconds(step * 1203);
                        assert_eq!(
                            next_in_zone(&pattern, tz, after),
                            Some(brute_force(&pattern, tz, after)),
                            "{expression} in {zone} after {after}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn reports_wall_times_lost_in_the_spring_gap() {
        let tz: Tz = "America/New_York".parse().unwrap();
        let (after, until) = (utc("2026-03-07T07:30:00Z"), utc("2026-03-09T06:30:00Z"));
        let skipped = skipped_in_gaps(&pattern("30 2 * * *"), tz, after, until);
        let shown: Vec<String> = skipped.iter().map(|w| w.to_string()).collect();
        assert_eq!(shown, ["2026-03-08 02:30:00"]);
        assert!(skipped_in_gaps(&pattern("30 3 * * *"), tz, after, until).is_empty());
        assert!(skipped_in_gaps(&pattern("*/15 * * * *"), tz, after, until).is_empty());
        // The fall-back change is not a gap.
        let autumn = (utc("2026-10-31T05:30:00Z"), utc("2026-11-02T06:30:00Z"));
        assert!(skipped_in_gaps(&pattern("30 1 * * *"), tz, autumn.0, autumn.1).is_empty());
        let many = skipped_in_gaps(&pattern("* * 2 * * *"), tz, after, until);
        assert_eq!(many.len(), MAX_REPORTED_SKIPS);
    }
}
