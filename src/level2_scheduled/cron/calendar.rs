//! A calendar pattern (the five or six cron fields) and the search for its next
//! match in *wall-clock* (naive local) time. Time zones and DST are handled one
//! level up, in `occurrence.rs`; this file never sees an offset.
//!
//! Day-of-month and day-of-week combine as in Vixie cron: if either field
//! starts with `*` (or is `?`) a day must match both, otherwise a day matches
//! when EITHER matches (`0 0 1,15 * MON` = the 1st, the 15th and every Monday;
//! `0 0 */2 * MON` = Mondays with an odd day number).
//!
//! Special days: `L` is the month's last day; `nW` is the weekday (Mon–Fri)
//! nearest to day n without leaving the month (a Saturday 1st gives Monday the
//! 3rd, a Sunday that ends the month gives the Friday before), and never
//! matches in months shorter than n days; `dL` is the month's last weekday d;
//! `d#k` its k-th weekday d (no match in months without a k-th one).

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Timelike, Weekday};

use super::fields::{DayRule, Field};

/// How far ahead a search looks: one full Gregorian cycle, after which the
/// calendar repeats.
const SEARCH_DAYS: u32 = 146_097;

/// 2000-01-01 to 2027-12-31: 28 years without a skipped century leap year, so
/// every kind of year (7 starting weekdays × leap or not) occurs, and with it
/// every kind of month. Whether a day pattern can match depends only on those,
/// so a pattern that matches no day in this span matches no day at all.
const SHAPE_SPAN_DAYS: u32 = 10_227;

#[derive(Debug, Clone)]
pub(crate) struct CalendarPattern {
    second: Field,
    minute: Field,
    hour: Field,
    day_of_month: Field,
    month: Field,
    day_of_week: Field,
    day_fields_both_required: bool,
}

impl CalendarPattern {
    /// Fields in the order second, minute, hour, day-of-month, month, day-of-week.
    pub(crate) fn new(fields: [Field; 6]) -> Self {
        let [second, minute, hour, day_of_month, month, day_of_week] = fields;
        let day_fields_both_required =
            day_of_month.starts_with_star || day_of_week.starts_with_star;
        CalendarPattern {
            second,
            minute,
            hour,
            day_of_month,
            month,
            day_of_week,
            day_fields_both_required,
        }
    }

    /// True when the hour field matches all 24 hours (`*`, `*/1`, `0-23`): such
    /// schedules are about elapsed time and fire in both passes of a repeated
    /// (fall-back) hour; see `occurrence.rs`.
    pub(crate) fn fires_every_hour(&self) -> bool {
        (0..24).all(|hour| self.hour.has(hour))
    }

    /// True if some real date matches the day-of-month, month and day-of-week
    /// fields (`0 0 30 2 *` never does).
    pub(crate) fn matches_some_day(&self) -> bool {
        let start = NaiveDate::from_ymd_opt(2000, 1, 1).expect("valid date");
        let end = start + Duration::days(i64::from(SHAPE_SPAN_DAYS));
        self.next_matching_day(start, end).is_some()
    }

    /// The first wall-clock time matching the pattern at or after `from`
    /// (`inclusive`) or strictly after it. Sub-second parts round up to the next
    /// whole second, since patterns have one-second resolution.
    pub(crate) fn next_naive(&self, from: NaiveDateTime, inclusive: bool) -> Option<NaiveDateTime> {
        let whole = from.with_nanosecond(0)?;
        let start = if inclusive && whole == from {
            whole
        } else {
            whole.checked_add_signed(Duration::seconds(1))?
        };
        let until = start
            .date()
            .checked_add_signed(Duration::days(i64::from(SEARCH_DAYS)))?;
        // The first matching day can be too late in the day only on `start`'s
        // own date, so at most two days are tried.
        let mut day = self.next_matching_day(start.date(), until)?;
        if day == start.date() {
            if let Some(time) = self.first_time_of_day(start.time()) {
                return Some(day.and_time(time));
            }
            day = self.next_matching_day(day.succ_opt()?, until)?;
        }
        Some(day.and_time(self.first_time_of_day(NaiveTime::MIN)?))
    }

    /// Whether `wall` itself matches (a direct check, for tests' brute force).
    #[cfg(test)]
    pub(crate) fn matches(&self, wall: NaiveDateTime) -> bool {
        self.day_matches(wall.date())
            && self.hour.has(wall.hour())
            && self.minute.has(wall.minute())
            && self.second.has(wall.second())
    }

    /// The first day in `[from, until)` matching the month and day fields.
    fn next_matching_day(&self, from: NaiveDate, until: NaiveDate) -> Option<NaiveDate> {
        let mut day = from;
        while day < until {
            if !self.month.has(day.month()) {
                // Jump to the first day of the next month.
                let (year, month) = if day.month() == 12 {
                    (day.year() + 1, 1)
                } else {
                    (day.year(), day.month() + 1)
                };
                day = NaiveDate::from_ymd_opt(year, month, 1)?;
                continue;
            }
            if self.day_matches(day) {
                return Some(day);
            }
            day = day.succ_opt()?;
        }
        None
    }

    fn day_matches(&self, day: NaiveDate) -> bool {
        if !self.month.has(day.month()) {
            return false;
        }
        let by_date = self.day_of_month_matches(day);
        let by_weekday = self.day_of_week_matches(day);
        if self.day_fields_both_required {
            by_date && by_weekday
        } else {
            by_date || by_weekday
        }
    }

    fn day_of_month_matches(&self, day: NaiveDate) -> bool {
        self.day_of_month.has(day.day())
            || self.day_of_month.rules.iter().any(|rule| match *rule {
                DayRule::LastDayOfMonth => day.day() == month_length(day),
                DayRule::NearestWeekday(target) => nearest_weekday(day, target) == Some(day.day()),
                _ => false,
            })
    }

    fn day_of_week_matches(&self, day: NaiveDate) -> bool {
        let weekday = day.weekday().num_days_from_sunday();
        self.day_of_week.has(weekday)
            || self.day_of_week.rules.iter().any(|rule| match *rule {
                DayRule::LastWeekdayOfMonth(wanted) => {
                    weekday == wanted && day.day() + 7 > month_length(day)
                }
                DayRule::NthWeekdayOfMonth(wanted, nth) => {
                    weekday == wanted && (day.day() - 1) / 7 + 1 == nth
                }
                _ => false,
            })
    }

    /// The first matching time of day at or after `floor`, if any today.
    fn first_time_of_day(&self, floor: NaiveTime) -> Option<NaiveTime> {
        let (mut hour_from, mut minute_from, mut second_from) =
            (floor.hour(), floor.minute(), floor.second());
        while let Some(hour) = self.hour.next_from(hour_from).filter(|h| *h <= 23) {
            if hour != hour_from {
                (minute_from, second_from) = (0, 0);
            }
            while let Some(minute) = self.minute.next_from(minute_from).filter(|m| *m <= 59) {
                if minute != minute_from {
                    second_from = 0;
                }
                if let Some(second) = self.second.next_from(second_from).filter(|s| *s <= 59) {
                    return NaiveTime::from_hms_opt(hour, minute, second);
                }
                (minute_from, second_from) = (minute + 1, 0);
            }
            (hour_from, minute_from, second_from) = (hour + 1, 0, 0);
        }
        None
    }
}

fn month_length(day: NaiveDate) -> u32 {
    let (year, month) = if day.month() == 12 {
        (day.year() + 1, 1)
    } else {
        (day.year(), day.month() + 1)
    };
    NaiveDate::from_ymd_opt(year, month, 1)
        .and_then(|first| first.pred_opt())
        .map_or(31, |last| last.day())
}

/// The day number of the weekday nearest to `target` in `day`'s month.
fn nearest_weekday(day: NaiveDate, target: u32) -> Option<u32> {
    let length = month_length(day);
    if target > length {
        return None;
    }
    let weekday = day.with_day(target)?.weekday();
    Some(match weekday {
        Weekday::Sat if target == 1 => 3,
        Weekday::Sat => target - 1,
        Weekday::Sun if target == length => target - 2,
        Weekday::Sun => target + 1,
        _ => target,
    })
}

#[cfg(test)]
mod tests {
    use super::super::expression::{parse_expression, Shape};
    use super::*;

    fn at(text: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S").unwrap()
    }

    fn pattern(six_fields: &str) -> CalendarPattern {
        match parse_expression(six_fields).unwrap() {
            Shape::Calendar(pattern) => *pattern,
            Shape::Every(_) => panic!("not a calendar pattern"),
        }
    }

    fn next(six_fields: &str, from: &str) -> String {
        pattern(six_fields)
            .next_naive(at(from), false)
            .unwrap()
            .format("%Y-%m-%d %H:%M:%S")
            .to_string()
    }

    #[test]
    fn rolls_over_seconds_minutes_hours_days() {
        assert_eq!(
            next("0 * * * * *", "2026-01-01 10:59:00"),
            "2026-01-01 11:00:00"
        );
        assert_eq!(
            next("30 59 23 * * *", "2026-12-31 23:59:30"),
            "2027-01-01 23:59:30"
        );
        assert_eq!(
            next("0 0 9 * * *", "2026-01-01 09:00:00"),
            "2026-01-02 09:00:00"
        );
        assert_eq!(
            next("*/20 * * * * *", "2026-01-01 09:00:41"),
            "2026-01-01 09:01:00"
        );
        assert_eq!(
            next("0 15 10 * * *", "2026-01-01 10:14:59"),
            "2026-01-01 10:15:00"
        );
    }

    #[test]
    fn inclusive_search_keeps_an_exact_match_and_rounds_up_fractions() {
        let pattern = pattern("0 0 * * * *");
        let exact = at("2026-01-01 10:00:00");
        assert_eq!(pattern.next_naive(exact, true), Some(exact));
        let fraction = exact + Duration::milliseconds(1);
        assert_eq!(
            pattern.next_naive(fraction, true),
            Some(at("2026-01-01 11:00:00"))
        );
    }

    #[test]
    fn nearest_weekday_stays_in_the_month() {
        let date = |text: &str| NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap();
        // 2026-08-01 is a Saturday: Monday the 3rd, not Friday July 31.
        assert_eq!(nearest_weekday(date("2026-08-20"), 1), Some(3));
        // 2026-05-31 is a Sunday that ends the month: Friday the 29th.
        assert_eq!(nearest_weekday(date("2026-05-20"), 31), Some(29));
        // 2026-02-15 is a Sunday: Monday the 16th; Saturday 2026-08-15: Friday the 14th.
        assert_eq!(nearest_weekday(date("2026-02-01"), 15), Some(16));
        assert_eq!(nearest_weekday(date("2026-08-01"), 15), Some(14));
        // February has no 30th.
        assert_eq!(nearest_weekday(date("2026-02-01"), 30), None);
        assert_eq!(
            next("0 0 0 1W * *", "2026-07-15 00:00:00"),
            "2026-08-03 00:00:00"
        );
    }

    #[test]
    fn month_lengths() {
        let date = |text: &str| NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap();
        assert_eq!(month_length(date("2026-02-10")), 28);
        assert_eq!(month_length(date("2028-02-10")), 29);
        assert_eq!(month_length(date("2026-12-31")), 31);
        assert_eq!(month_length(date("2026-04-01")), 30);
    }

    #[test]
    fn every_hour_flag() {
        assert!(pattern("0 */15 * * * *").fires_every_hour());
        assert!(pattern("0 0 0-23 * * *").fires_every_hour());
        assert!(!pattern("0 30 1 * * *").fires_every_hour());
    }

    #[test]
    fn next_naive_agrees_with_a_second_by_second_scan() {
        let expressions = [
            "*/7 * * * * *",
            "10,50 */13 * * * *",
            "30 0-5/2 9-11 * * *",
            "* 30 1 * * *",
            "0 59 23 * * *",
        ];
        for expression in expressions {
            let pattern = pattern(expression);
            let mut from = at("2026-01-31 22:58:31");
            for _ in 0..10 {
                let mut expected = from + Duration::seconds(1);
                while !pattern.matches(expected) {
                    expected += Duration::seconds(1);
                }
                let found = pattern.next_naive(from, false);
                assert_eq!(found, Some(expected), "{expression} after {from}");
                from = expected;
            }
        }
    }
}
