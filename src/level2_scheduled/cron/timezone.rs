//! Time zone names: IANA Area/Location names only (plus "UTC" and "Etc/UTC").
//!
//! Refused, each with its own message: fixed offsets (`+05:00`, `UTC+5`,
//! `Etc/GMT+5`), abbreviations and single-word legacy names (`EST`, `PST`,
//! `GMT`, `Japan`, `EST5EDT`; chrono-tz knows several of these, but they either
//! ignore DST or are deprecated aliases), and names the database does not know
//! (with a hint when only the letter case is wrong). Names are case-sensitive.

use chrono_tz::{Tz, TZ_VARIANTS};

use super::error::CronError;

pub const DEFAULT_TIMEZONE: &str = "UTC";

/// Resolves `name` (default "UTC") to a zone; returns it with the name to echo.
pub(crate) fn parse_timezone(name: Option<&str>) -> Result<(Tz, String), CronError> {
    let Some(name) = name else {
        return Ok((Tz::UTC, DEFAULT_TIMEZONE.to_string()));
    };
    if name.trim().is_empty() {
        return Err(CronError::EmptyTimezone);
    }
    match name {
        "UTC" => return Ok((Tz::UTC, name.to_string())),
        "Etc/UTC" => return Ok((Tz::Etc__UTC, name.to_string())),
        _ => {}
    }
    if is_fixed_offset(name) {
        return Err(CronError::FixedOffsetTimezone {
            name: name.to_string(),
        });
    }
    if !name.contains('/') {
        if name.parse::<Tz>().is_ok() || looks_like_abbreviation(name) {
            return Err(CronError::AbbreviatedTimezone {
                name: name.to_string(),
            });
        }
        return Err(unknown(name));
    }
    name.parse::<Tz>()
        .map(|tz| (tz, name.to_string()))
        .map_err(|_| unknown(name))
}

/// `+05:00`, `-0800`, `UTC+5`, `GMT-03:30`, `Etc/GMT+5`, `UTC-0`…
fn is_fixed_offset(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    let rest = ["ETC/GMT", "UTC", "GMT", "UT", ""]
        .iter()
        .find_map(|prefix| upper.strip_prefix(prefix))
        .unwrap_or(&upper);
    let mut chars = rest.chars();
    let sign = chars.next();
    let amount = chars.as_str();
    matches!(sign, Some('+' | '-' | '\u{2212}'))
        && amount.chars().any(|c| c.is_ascii_digit())
        && amount.chars().all(|c| c.is_ascii_digit() || c == ':')
}

/// `EST`, `PST`, `CEST`, `EST5EDT`, `Z`: upper-case letters, maybe digits.
fn looks_like_abbreviation(name: &str) -> bool {
    name.len() <= 8
        && name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        && name.chars().any(|c| c.is_ascii_uppercase())
}

fn unknown(name: &str) -> CronError {
    let suggestion = TZ_VARIANTS
        .iter()
        .map(|tz| tz.name())
        .find(|known| known.eq_ignore_ascii_case(name) && known.contains('/'))
        .map(str::to_string);
    CronError::UnknownTimezone {
        name: name.to_string(),
        suggestion,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(name: &str) -> String {
        parse_timezone(Some(name)).expect_err(name).to_string()
    }

    #[test]
    fn accepts_iana_names_and_utc() {
        for name in [
            "UTC",
            "Etc/UTC",
            "America/New_York",
            "Asia/Tokyo",
            "Europe/London",
            "Asia/Kolkata",
            "US/Eastern",
        ] {
            let (_, echoed) = parse_timezone(Some(name)).expect(name);
            assert_eq!(echoed, name);
        }
        assert_eq!(parse_timezone(None).unwrap().1, "UTC");
    }

    #[test]
    fn rejects_fixed_offsets() {
        for name in [
            "+05:00",
            "-08:00",
            "+0530",
            "UTC+5",
            "utc-3",
            "GMT+2",
            "Etc/GMT+5",
            "UTC-05:30",
        ] {
            assert!(
                error(name).contains("fixed UTC offset"),
                "{name}: {}",
                error(name)
            );
        }
    }

    #[test]
    fn rejects_abbreviations_and_legacy_single_names() {
        for name in ["EST", "PST", "CST", "CEST", "GMT", "EST5EDT", "Japan", "Z"] {
            assert!(
                error(name).contains("abbreviation"),
                "{name}: {}",
                error(name)
            );
        }
    }

    #[test]
    fn unknown_names_get_a_case_hint() {
        assert!(error("Mars/Olympus_Mons").contains("unknown timezone"));
        assert!(error("america/new_york").contains("did you mean \"America/New_York\""));
        assert!(error("").contains("must not be empty"));
        assert!(error("Tokyo").contains("unknown timezone"));
    }
}
