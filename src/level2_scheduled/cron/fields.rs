//! Parsing and validation of one cron field into the set of values it matches.
//!
//! Grammar of a field: a comma-separated list of elements; an element is `*`,
//! a value, or a range `a-b`, optionally followed by `/step` (`a/step` runs
//! from a to the field's maximum). Values are numbers, or three-letter names
//! (any case) in the month (JAN–DEC) and day-of-week (SUN–SAT) fields.
//! Day-of-week 7 is Sunday, like 0. The day fields also accept `?` (same as
//! `*`); day-of-month accepts `L` (last day) and `nW` (weekday nearest to day
//! n); day-of-week accepts `nL` (last such weekday of the month) and `n#k`
//! (k-th such weekday of the month). Every error names the field, the value
//! and what is allowed.

use super::error::CronError;

const MONTH_NAMES: [&str; 12] = [
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];
const WEEKDAY_NAMES: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FieldKind {
    Second,
    Minute,
    Hour,
    DayOfMonth,
    Month,
    DayOfWeek,
}

impl FieldKind {
    pub(crate) fn name(self) -> &'static str {
        match self {
            FieldKind::Second => "second",
            FieldKind::Minute => "minute",
            FieldKind::Hour => "hour",
            FieldKind::DayOfMonth => "day-of-month",
            FieldKind::Month => "month",
            FieldKind::DayOfWeek => "day-of-week",
        }
    }

    fn bounds(self) -> (u32, u32) {
        match self {
            FieldKind::Second | FieldKind::Minute => (0, 59),
            FieldKind::Hour => (0, 23),
            FieldKind::DayOfMonth => (1, 31),
            FieldKind::Month => (1, 12),
            FieldKind::DayOfWeek => (0, 7),
        }
    }

    fn allowed(self) -> &'static str {
        match self {
            FieldKind::Second | FieldKind::Minute => "0-59",
            FieldKind::Hour => "0-23",
            FieldKind::DayOfMonth => "1-31",
            FieldKind::Month => "1-12 or JAN-DEC",
            FieldKind::DayOfWeek => "0-7 or SUN-SAT, 0 and 7 both mean Sunday",
        }
    }
}

/// Day rules that are not a plain set of values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DayRule {
    /// `L` in day-of-month.
    LastDayOfMonth,
    /// `nW`: the weekday nearest to day n, within the same month.
    NearestWeekday(u32),
    /// `dL` in day-of-week (weekday 0 = Sunday).
    LastWeekdayOfMonth(u32),
    /// `d#k` in day-of-week: the k-th such weekday of the month.
    NthWeekdayOfMonth(u32, u32),
}

/// A parsed field. `values` has bit v set when value v matches (day-of-week
/// uses 0–6, Sunday = 0). `starts_with_star` records whether the field was
/// written starting with `*` (or as `?`), which decides how the two day fields
/// combine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Field {
    pub(crate) values: u64,
    pub(crate) rules: Vec<DayRule>,
    pub(crate) starts_with_star: bool,
}

impl Field {
    pub(crate) fn has(&self, value: u32) -> bool {
        value < 64 && self.values & (1 << value) != 0
    }

    /// The smallest matching value ≥ `from`, if any (plain values only).
    pub(crate) fn next_from(&self, from: u32) -> Option<u32> {
        if from >= 64 {
            return None;
        }
        let remaining = self.values >> from;
        (remaining != 0).then(|| from + remaining.trailing_zeros())
    }
}

pub(crate) fn parse_field(kind: FieldKind, token: &str) -> Result<Field, CronError> {
    let fail = |reason: String| CronError::InvalidField {
        field: kind.name(),
        token: token.to_string(),
        reason,
    };
    let mut field = Field {
        values: 0,
        rules: Vec::new(),
        starts_with_star: token.starts_with('*') || token == "?",
    };
    if token == "?" {
        return match kind {
            FieldKind::DayOfMonth | FieldKind::DayOfWeek => {
                add_range(&mut field, kind, kind.bounds().0, kind.bounds().1, 1);
                Ok(field)
            }
            _ => Err(fail(
                "'?' is only allowed in the day-of-month and day-of-week fields".to_string(),
            )),
        };
    }
    for item in token.split(',') {
        if item.is_empty() {
            return Err(fail("the list has an empty element".to_string()));
        }
        parse_item(&mut field, kind, &item.to_ascii_uppercase()).map_err(fail)?;
    }
    Ok(field)
}

fn parse_item(field: &mut Field, kind: FieldKind, item: &str) -> Result<(), String> {
    let rule = match kind {
        FieldKind::DayOfMonth => day_of_month_rule(item)?,
        FieldKind::DayOfWeek => day_of_week_rule(item)?,
        _ => {
            reject_misplaced_specials(kind, item)?;
            None
        }
    };
    match rule {
        Some(rule) => field.rules.push(rule),
        None => {
            let (first, last, step) = parse_stepped_range(kind, item)?;
            add_range(field, kind, first, last, step);
        }
    }
    Ok(())
}

fn add_range(field: &mut Field, kind: FieldKind, first: u32, last: u32, step: u32) {
    let mut value = first;
    while value <= last {
        // Sunday may be written 7; store it as 0.
        let stored = if kind == FieldKind::DayOfWeek && value == 7 {
            0
        } else {
            value
        };
        field.values |= 1 << stored;
        value += step;
    }
}

/// `*`, `a`, `a-b`, each optionally followed by `/step` → (first, last, step).
fn parse_stepped_range(kind: FieldKind, item: &str) -> Result<(u32, u32, u32), String> {
    let (min, max) = kind.bounds();
    let (base, step) = match item.split_once('/') {
        None => (item, None),
        Some((base, step)) => (base, Some(parse_step(kind, step)?)),
    };
    let (first, last) = if base == "*" {
        (min, max)
    } else if base.is_empty() {
        return Err(format!("\"{item}\" has no value before '/'"));
    } else if let Some((start, end)) = split_range(base)? {
        let first = parse_value(kind, start, false)?;
        let last = parse_value(kind, end, true)?;
        if first > last {
            return Err(format!(
                "range {start}-{end} goes backwards; write ranges from low to high \
                 (wrap-around ranges are not supported)"
            ));
        }
        (first, last)
    } else {
        let value = parse_value(kind, base, false)?;
        match step {
            None => (value, value),
            Some(_) => (value, max),
        }
    };
    Ok((first, last, step.unwrap_or(1)))
}

fn split_range(base: &str) -> Result<Option<(&str, &str)>, String> {
    let Some((start, end)) = base.split_once('-') else {
        return Ok(None);
    };
    if start.is_empty() {
        return Err(format!(
            "\"{base}\" is missing the start of the range (negative values are not allowed)"
        ));
    }
    if end.is_empty() {
        return Err(format!("\"{base}\" is missing the end of the range"));
    }
    if end.contains('-') {
        return Err(format!("\"{base}\" has more than one '-'"));
    }
    Ok(Some((start, end)))
}

fn parse_step(kind: FieldKind, step: &str) -> Result<u32, String> {
    let (min, max) = kind.bounds();
    let span = max - min + 1;
    if step.is_empty() {
        return Err("'/' must be followed by a step".to_string());
    }
    if step.contains('/') {
        return Err("only one '/' is allowed per element".to_string());
    }
    if !step.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("step \"{step}\" is not a positive whole number"));
    }
    match step.parse::<u32>() {
        Ok(0) => Err("step must be at least 1 (a step of 0 never advances)".to_string()),
        Ok(n) if n <= span => Ok(n),
        _ => Err(format!(
            "step {step} is larger than the field's span of {span} (allowed {})",
            kind.allowed()
        )),
    }
}

/// A number or (for month / day-of-week) a three-letter name, range-checked.
/// `range_end` lets `SUN` close a weekday range as 7 (`FRI-SUN`).
fn parse_value(kind: FieldKind, text: &str, range_end: bool) -> Result<u32, String> {
    let (min, max) = kind.bounds();
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        return match text.parse::<u32>() {
            Ok(n) if (min..=max).contains(&n) => Ok(n),
            _ => Err(format!(
                "value {text} is out of range (allowed {})",
                kind.allowed()
            )),
        };
    }
    let named = match kind {
        FieldKind::Month => MONTH_NAMES
            .iter()
            .position(|name| *name == text)
            .map(|i| i as u32 + 1),
        FieldKind::DayOfWeek => WEEKDAY_NAMES
            .iter()
            .position(|name| *name == text)
            .map(|i| if i == 0 && range_end { 7 } else { i as u32 }),
        _ => None,
    };
    named.ok_or_else(|| match kind {
        FieldKind::Month => format!(
            "\"{text}\" is neither a month number nor a month name (allowed {})",
            kind.allowed()
        ),
        FieldKind::DayOfWeek => format!(
            "\"{text}\" is neither a weekday number nor a weekday name (allowed {})",
            kind.allowed()
        ),
        _ => format!("\"{text}\" is not a number (allowed {})", kind.allowed()),
    })
}

/// A single weekday, 7 folded into 0 (Sunday).
fn parse_weekday(text: &str) -> Result<u32, String> {
    parse_value(FieldKind::DayOfWeek, text, false).map(|day| day % 7)
}

/// `L` and `nW`; `None` for an ordinary element.
fn day_of_month_rule(item: &str) -> Result<Option<DayRule>, String> {
    if item == "L" {
        return Ok(Some(DayRule::LastDayOfMonth));
    }
    if item == "LW" {
        return Err("LW (last weekday of the month) is not supported".to_string());
    }
    if item.starts_with('L') {
        return Err(format!(
            "\"{item}\": L must stand alone in the day-of-month field \
             (offsets such as L-3 are not supported)"
        ));
    }
    if item.contains('#') {
        return Err("'#' is only allowed in the day-of-week field (e.g. 5#3)".to_string());
    }
    if let Some(day) = item.strip_suffix('W') {
        if day.is_empty() || !day.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!(
                "\"{item}\": W must follow a single day number, e.g. 15W"
            ));
        }
        let day = parse_value(FieldKind::DayOfMonth, day, false)?;
        return Ok(Some(DayRule::NearestWeekday(day)));
    }
    if item.contains('L') || item.contains('W') {
        return Err(format!(
            "\"{item}\": L and W cannot be combined with ranges or steps; \
             use L or a single day such as 15W"
        ));
    }
    Ok(None)
}

/// `dL`, `d#k` and `d#L`; `None` for an ordinary element.
fn day_of_week_rule(item: &str) -> Result<Option<DayRule>, String> {
    if let Some((day, nth)) = item.split_once('#') {
        let day = parse_weekday(day).map_err(|e| format!("before '#': {e}"))?;
        if nth == "L" {
            return Ok(Some(DayRule::LastWeekdayOfMonth(day)));
        }
        return match nth.parse::<u32>() {
            Ok(n) if (1..=5).contains(&n) => Ok(Some(DayRule::NthWeekdayOfMonth(day, n))),
            _ => Err(format!(
                "\"{item}\": the number after '#' must be 1-5 (the n-th such weekday of the month)"
            )),
        };
    }
    if item == "L" {
        return Err("L in the day-of-week field needs a weekday before it, \
             e.g. 5L or FRIL for the last Friday"
            .to_string());
    }
    let without_names = WEEKDAY_NAMES
        .iter()
        .fold(item.to_string(), |text, name| text.replace(name, ""));
    if without_names.contains('W') {
        return Err("'W' is only allowed in the day-of-month field (e.g. 15W)".to_string());
    }
    if let Some(day) = item.strip_suffix('L') {
        if day.contains(['-', '/', '*', ',']) {
            return Err(format!(
                "\"{item}\": L must follow a single weekday, e.g. 5L"
            ));
        }
        return Ok(Some(DayRule::LastWeekdayOfMonth(parse_weekday(day)?)));
    }
    Ok(None)
}

fn reject_misplaced_specials(kind: FieldKind, item: &str) -> Result<(), String> {
    if item.contains('#') {
        return Err(format!(
            "'#' is only allowed in the day-of-week field, not in {}",
            kind.name()
        ));
    }
    let special_suffix = item == "L" || item.ends_with('L') || item.ends_with('W');
    if kind != FieldKind::Month && special_suffix {
        return Err(format!(
            "L and W are only allowed in the day-of-month and day-of-week fields, not in {}",
            kind.name()
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(kind: FieldKind, token: &str) -> Vec<u32> {
        let field = parse_field(kind, token).expect(token);
        (0..64).filter(|v| field.has(*v)).collect()
    }

    fn rules(kind: FieldKind, token: &str) -> Vec<DayRule> {
        parse_field(kind, token).expect(token).rules
    }

    fn reason(kind: FieldKind, token: &str) -> String {
        parse_field(kind, token).expect_err(token).to_string()
    }

    #[test]
    fn names_are_case_insensitive() {
        assert_eq!(values(FieldKind::Month, "jan,Jun-aug"), [1, 6, 7, 8]);
        assert_eq!(values(FieldKind::DayOfWeek, "MON-FRI"), [1, 2, 3, 4, 5]);
        assert_eq!(values(FieldKind::DayOfWeek, "fri-sun"), [0, 5, 6]);
        assert_eq!(values(FieldKind::DayOfWeek, "sun"), [0]);
    }

    #[test]
    fn sunday_as_seven_is_stored_as_zero() {
        assert_eq!(values(FieldKind::DayOfWeek, "7"), [0]);
        assert_eq!(values(FieldKind::DayOfWeek, "*"), [0, 1, 2, 3, 4, 5, 6]);
        assert_eq!(
            rules(FieldKind::DayOfWeek, "7L"),
            [DayRule::LastWeekdayOfMonth(0)]
        );
        assert_eq!(
            rules(FieldKind::DayOfWeek, "7#2"),
            [DayRule::NthWeekdayOfMonth(0, 2)]
        );
        assert_eq!(
            rules(FieldKind::DayOfWeek, "FRI#L"),
            [DayRule::LastWeekdayOfMonth(5)]
        );
        assert_eq!(
            rules(FieldKind::DayOfWeek, "wedL"),
            [DayRule::LastWeekdayOfMonth(3)]
        );
    }

    #[test]
    fn day_of_month_rules() {
        assert_eq!(rules(FieldKind::DayOfMonth, "L"), [DayRule::LastDayOfMonth]);
        assert_eq!(
            rules(FieldKind::DayOfMonth, "15w"),
            [DayRule::NearestWeekday(15)]
        );
        let mixed = parse_field(FieldKind::DayOfMonth, "1,L").unwrap();
        assert_eq!((mixed.has(1), mixed.rules.len()), (true, 1));
    }

    #[test]
    fn steps_and_starts() {
        assert_eq!(values(FieldKind::Minute, "*/15"), [0, 15, 30, 45]);
        assert_eq!(values(FieldKind::Minute, "5/20"), [5, 25, 45]);
        assert_eq!(values(FieldKind::Hour, "9-17/4"), [9, 13, 17]);
        assert_eq!(values(FieldKind::DayOfMonth, "*/10"), [1, 11, 21, 31]);
        assert!(
            parse_field(FieldKind::Minute, "*/5")
                .unwrap()
                .starts_with_star
        );
        assert!(
            !parse_field(FieldKind::Minute, "5")
                .unwrap()
                .starts_with_star
        );
    }

    #[test]
    fn next_from_scans_upwards() {
        let field = parse_field(FieldKind::Minute, "10,40").unwrap();
        assert_eq!(field.next_from(0), Some(10));
        assert_eq!(field.next_from(10), Some(10));
        assert_eq!(field.next_from(11), Some(40));
        assert_eq!(field.next_from(41), None);
        assert_eq!(field.next_from(64), None);
    }

    #[test]
    fn question_mark_only_in_day_fields() {
        let field = parse_field(FieldKind::DayOfMonth, "?").unwrap();
        assert!(field.starts_with_star && field.has(1) && field.has(31));
        assert!(reason(FieldKind::Hour, "?").contains("only allowed"));
    }

    #[test]
    fn errors_name_field_value_and_range() {
        let msg = reason(FieldKind::Minute, "99");
        assert!(
            msg.contains("minute") && msg.contains("99") && msg.contains("0-59"),
            "{msg}"
        );
        assert!(reason(FieldKind::Minute, "*/0").contains("at least 1"));
        assert!(reason(FieldKind::Hour, "5-2").contains("backwards"));
        assert!(reason(FieldKind::Minute, "1,,2").contains("empty element"));
        assert!(reason(FieldKind::DayOfWeek, "L").contains("needs a weekday"));
        assert!(reason(FieldKind::DayOfWeek, "1#6").contains("1-5"));
        assert!(reason(FieldKind::DayOfWeek, "1-5L").contains("single weekday"));
        assert!(reason(FieldKind::Hour, "L").contains("only allowed"));
        assert!(reason(FieldKind::Minute, "MON").contains("not a number"));
        assert!(reason(FieldKind::DayOfMonth, "LW").contains("not supported"));
    }
}
