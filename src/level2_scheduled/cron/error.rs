//! Errors raised while accepting a cron registration. Every message names the
//! offending part (field, value, allowed range, zone) so the HTTP layer can pass
//! it to the client verbatim as a 400 `invalid_request`.

use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CronError {
    #[error("cron expression is empty")]
    EmptyExpression,

    #[error(
        "cron expression \"{expression}\" has {count} fields; expected 5 \
         (minute hour day-of-month month day-of-week) or 6 \
         (second minute hour day-of-month month day-of-week)"
    )]
    FieldCount { expression: String, count: usize },

    #[error("invalid {field} field \"{token}\": {reason}")]
    InvalidField {
        field: &'static str,
        token: String,
        reason: String,
    },

    #[error(
        "unknown cron alias \"{alias}\"; supported: @yearly, @annually, @monthly, \
         @weekly, @daily, @midnight, @hourly, @every <duration>"
    )]
    UnknownAlias { alias: String },

    #[error("invalid @every duration \"{duration}\": {reason}")]
    InvalidInterval { duration: String, reason: String },

    #[error("cron expression \"{expression}\" never matches any date: {reason}")]
    NeverFires { expression: String, reason: String },

    #[error("timezone must not be empty; omit it to use \"UTC\"")]
    EmptyTimezone,

    #[error(
        "timezone \"{name}\" is a fixed UTC offset, which is not accepted because it \
         ignores daylight saving time; use an IANA zone name such as \"America/New_York\""
    )]
    FixedOffsetTimezone { name: String },

    #[error(
        "timezone \"{name}\" is an abbreviation or legacy zone name, which is not accepted; \
         use an IANA Area/Location name such as \"America/New_York\" (or \"UTC\")"
    )]
    AbbreviatedTimezone { name: String },

    #[error("unknown timezone \"{name}\"{}; use an IANA zone name such as \"Europe/London\"",
        suggestion.as_ref().map(|s| format!(" (did you mean \"{s}\"?)")).unwrap_or_default())]
    UnknownTimezone {
        name: String,
        suggestion: Option<String>,
    },

    #[error(
        "unknown overlap_policy \"{value}\"; expected one of \"skip\", \"allow\", \
         \"cancel_previous\" (alias \"cancel\"), \"enqueue\""
    )]
    UnknownOverlapPolicy { value: String },
}
