//! Turns the text of a cron expression into a schedule shape: a calendar
//! pattern (5 fields, or 6 with seconds first; aliases such as `@daily`) or a
//! fixed interval (`@every 5m`). The field count is checked here, before any
//! library sees the text, so 4- and 7-field expressions get a clear message.

use super::calendar::CalendarPattern;
use super::error::CronError;
use super::every::Interval;
use super::fields::{parse_field, Field, FieldKind};

#[derive(Debug, Clone)]
pub(crate) enum Shape {
    Calendar(Box<CalendarPattern>),
    Every(Interval),
}

const FIVE_FIELDS: [FieldKind; 5] = [
    FieldKind::Minute,
    FieldKind::Hour,
    FieldKind::DayOfMonth,
    FieldKind::Month,
    FieldKind::DayOfWeek,
];

const SIX_FIELDS: [FieldKind; 6] = [
    FieldKind::Second,
    FieldKind::Minute,
    FieldKind::Hour,
    FieldKind::DayOfMonth,
    FieldKind::Month,
    FieldKind::DayOfWeek,
];

pub(crate) fn parse_expression(expression: &str) -> Result<Shape, CronError> {
    let text = expression.trim();
    if text.is_empty() {
        return Err(CronError::EmptyExpression);
    }
    if text.starts_with('@') {
        return parse_alias(text);
    }
    let tokens: Vec<&str> = text.split_whitespace().collect();
    let kinds: &[FieldKind] = match tokens.len() {
        5 => &FIVE_FIELDS,
        6 => &SIX_FIELDS,
        count => {
            return Err(CronError::FieldCount {
                expression: expression.to_string(),
                count,
            })
        }
    };
    parse_fields(expression, kinds, &tokens).map(|pattern| Shape::Calendar(Box::new(pattern)))
}

fn parse_alias(text: &str) -> Result<Shape, CronError> {
    let mut words = text.split_whitespace();
    let alias = words.next().unwrap_or_default().to_ascii_lowercase();
    let rest: Vec<&str> = words.collect();
    if alias == "@every" {
        return match rest.as_slice() {
            [duration] => Interval::parse(duration).map(Shape::Every),
            [] => Err(CronError::InvalidInterval {
                duration: String::new(),
                reason: "a duration is required, e.g. @every 5m".to_string(),
            }),
            _ => Err(CronError::InvalidInterval {
                duration: rest.join(" "),
                reason: "write the duration without spaces, e.g. @every 1h30m".to_string(),
            }),
        };
    }
    let equivalent = match alias.as_str() {
        "@yearly" | "@annually" => "0 0 1 1 *",
        "@monthly" => "0 0 1 * *",
        "@weekly" => "0 0 * * 0",
        "@daily" | "@midnight" => "0 0 * * *",
        "@hourly" => "0 * * * *",
        _ => {
            return Err(CronError::UnknownAlias {
                alias: text.to_string(),
            })
        }
    };
    if !rest.is_empty() {
        return Err(CronError::UnknownAlias {
            alias: text.to_string(),
        });
    }
    let tokens: Vec<&str> = equivalent.split_whitespace().collect();
    parse_fields(text, &FIVE_FIELDS, &tokens).map(|pattern| Shape::Calendar(Box::new(pattern)))
}

fn parse_fields(
    expression: &str,
    kinds: &[FieldKind],
    tokens: &[&str],
) -> Result<CalendarPattern, CronError> {
    let mut fields = Vec::with_capacity(6);
    if kinds.len() == 5 {
        // Five fields fire at second 0.
        fields.push(parse_field(FieldKind::Second, "0")?);
    }
    for (kind, token) in kinds.iter().zip(tokens) {
        fields.push(parse_field(*kind, token)?);
    }
    let fields: [Field; 6] = fields.try_into().map_err(|_| CronError::FieldCount {
        expression: expression.to_string(),
        count: tokens.len(),
    })?;
    let pattern = CalendarPattern::new(fields);
    if !pattern.matches_some_day() {
        return Err(CronError::NeverFires {
            expression: expression.to_string(),
            reason: "no calendar date satisfies its day-of-month, month and day-of-week fields"
                .to_string(),
        });
    }
    Ok(pattern)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(expression: &str) -> String {
        parse_expression(expression)
            .expect_err(expression)
            .to_string()
    }

    #[test]
    fn field_counts() {
        assert!(matches!(
            parse_expression("* * * * *"),
            Ok(Shape::Calendar(_))
        ));
        assert!(matches!(
            parse_expression("*/10 * * * * *"),
            Ok(Shape::Calendar(_))
        ));
        assert!(error("* * * *").contains("has 4 fields"));
        assert!(error("0 0 0 0 0 0 0").contains("has 7 fields"));
        assert!(error("not a valid cron").contains("has 4 fields"));
        assert_eq!(error("   "), "cron expression is empty");
    }

    #[test]
    fn aliases() {
        for alias in [
            "@yearly",
            "@annually",
            "@monthly",
            "@weekly",
            "@daily",
            "@midnight",
            "@hourly",
            "@DAILY",
        ] {
            assert!(
                matches!(parse_expression(alias), Ok(Shape::Calendar(_))),
                "{alias}"
            );
        }
        assert!(matches!(
            parse_expression("@every 1h30m"),
            Ok(Shape::Every(_))
        ));
        assert!(error("@reboot").contains("unknown cron alias"));
        assert!(error("@daily 5").contains("unknown cron alias"));
        assert!(error("@every").contains("required"));
        assert!(error("@every 1h 30m").contains("without spaces"));
    }

    #[test]
    fn never_firing_dates() {
        assert!(error("0 0 30 2 *").contains("never matches"));
        assert!(error("0 0 31 4,6,9,11 *").contains("never matches"));
        assert!(parse_expression("0 0 31 * *").is_ok());
    }
}
