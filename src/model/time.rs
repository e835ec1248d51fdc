//! Wire timestamps (RFC 3339, UTC, milliseconds) and ISO 8601 durations.

use chrono::{DateTime, SecondsFormat, Utc};

pub type Timestamp = DateTime<Utc>;

/// Formats a timestamp the way every OJS response carries it: `2026-02-12T10:30:00.123Z`.
pub fn format_ts(ts: Timestamp) -> String {
    ts.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Parses an RFC 3339 timestamp (any offset) into UTC.
pub fn parse_rfc3339(text: &str) -> Option<Timestamp> {
    DateTime::parse_from_rfc3339(text).ok().map(|t| t.with_timezone(&Utc))
}

pub fn now() -> Timestamp {
    // Millisecond precision keeps stored and echoed values identical across backends.
    let now = Utc::now();
    DateTime::from_timestamp_millis(now.timestamp_millis()).unwrap_or(now)
}

pub fn add_ms(ts: Timestamp, ms: u64) -> Timestamp {
    ts + chrono::Duration::milliseconds(ms.min(i64::MAX as u64 / 2) as i64)
}

/// Parses an ISO 8601 duration (`PT1S`, `PT0.5S`, `PT5M`, `P1DT2H`, `P2W`) into milliseconds.
/// Years and months are rejected: their length is not fixed.
pub fn parse_iso_duration_ms(text: &str) -> Result<u64, String> {
    let bad = || format!("'{text}' is not an ISO 8601 duration such as PT1S, PT500MS is not valid, use PT0.5S");
    let rest = text.strip_prefix('P').ok_or_else(bad)?;
    if rest.is_empty() {
        return Err(bad());
    }
    let (date_part, time_part) = match rest.split_once('T') {
        Some((d, t)) => {
            if t.is_empty() {
                return Err(bad());
            }
            (d, Some(t))
        }
        None => (rest, None),
    };
    let mut total_ms: f64 = 0.0;
    let mut parse_units = |part: &str, units: &[(char, f64)]| -> Result<(), String> {
        let mut number = String::new();
        let mut last_unit_index: Option<usize> = None;
        for ch in part.chars() {
            if ch.is_ascii_digit() || ch == '.' || ch == ',' {
                number.push(if ch == ',' { '.' } else { ch });
                continue;
            }
            let index = units.iter().position(|(u, _)| *u == ch).ok_or_else(bad)?;
            if last_unit_index.is_some_and(|last| index <= last) || number.is_empty() {
                return Err(bad());
            }
            let value: f64 = number.parse().map_err(|_| bad())?;
            total_ms += value * units[index].1;
            number.clear();
            last_unit_index = Some(index);
        }
        if number.is_empty() { Ok(()) } else { Err(bad()) }
    };
    parse_units(date_part, &[('W', 604_800_000.0), ('D', 86_400_000.0)])?;
    if let Some(t) = time_part {
        parse_units(t, &[('H', 3_600_000.0), ('M', 60_000.0), ('S', 1000.0)])?;
    }
    if !total_ms.is_finite() || total_ms > 1e15 {
        return Err(bad());
    }
    Ok(total_ms.round() as u64)
}

/// Formats milliseconds as a compact ISO 8601 duration (`PT1S`, `PT0.5S`, `PT5M`, `PT1H30M`).
pub fn format_iso_duration_ms(ms: u64) -> String {
    if ms == 0 {
        return "PT0S".into();
    }
    let hours = ms / 3_600_000;
    let minutes = (ms % 3_600_000) / 60_000;
    let millis = ms % 60_000;
    let mut out = String::from("PT");
    if hours > 0 {
        out.push_str(&format!("{hours}H"));
    }
    if minutes > 0 {
        out.push_str(&format!("{minutes}M"));
    }
    if millis > 0 {
        if millis.is_multiple_of(1000) {
            out.push_str(&format!("{}S", millis / 1000));
        } else {
            let s = format!("{:.3}", millis as f64 / 1000.0);
            out.push_str(s.trim_end_matches('0'));
            out.push('S');
        }
    }
    out
}

/// Resolves `scheduled_at`-style values: RFC 3339, or relative `+PT2S` from `now`.
/// Returns the instant and the text to echo (absolute input is echoed byte-for-byte).
pub fn parse_instant(text: &str, now: Timestamp) -> Result<(Timestamp, String), String> {
    if let Some(relative) = text.strip_prefix('+') {
        let ms = parse_iso_duration_ms(relative)?;
        let at = add_ms(now, ms);
        return Ok((at, format_ts(at)));
    }
    parse_rfc3339(text)
        .map(|ts| (ts, text.to_string()))
        .ok_or_else(|| format!("'{text}' is neither an RFC 3339 timestamp nor a relative duration like +PT5S"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_durations_parse() {
        assert_eq!(parse_iso_duration_ms("PT1S").unwrap(), 1000);
        assert_eq!(parse_iso_duration_ms("PT0.5S").unwrap(), 500);
        assert_eq!(parse_iso_duration_ms("PT5M").unwrap(), 300_000);
        assert_eq!(parse_iso_duration_ms("PT1H30M").unwrap(), 5_400_000);
        assert_eq!(parse_iso_duration_ms("P1D").unwrap(), 86_400_000);
        assert_eq!(parse_iso_duration_ms("P1DT1S").unwrap(), 86_401_000);
        assert_eq!(parse_iso_duration_ms("P2W").unwrap(), 1_209_600_000);
        for bad in ["", "P", "PT", "1S", "PTS", "PT1", "PT1S1M", "banana", "P1Y", "PT-1S"] {
            assert!(parse_iso_duration_ms(bad).is_err(), "{bad} should be rejected");
        }
    }

    #[test]
    fn iso_durations_format() {
        assert_eq!(format_iso_duration_ms(1000), "PT1S");
        assert_eq!(format_iso_duration_ms(500), "PT0.5S");
        assert_eq!(format_iso_duration_ms(300_000), "PT5M");
        assert_eq!(format_iso_duration_ms(5_400_000), "PT1H30M");
        assert_eq!(format_iso_duration_ms(1250), "PT1.25S");
    }

    #[test]
    fn instants_echo_absolute_and_resolve_relative() {
        let now = parse_rfc3339("2026-01-01T00:00:00Z").unwrap();
        let (ts, echo) = parse_instant("2099-12-31T23:59:59Z", now).unwrap();
        assert_eq!(echo, "2099-12-31T23:59:59Z");
        assert_eq!(format_ts(ts), "2099-12-31T23:59:59.000Z");
        let (_, echo) = parse_instant("+PT2S", now).unwrap();
        assert_eq!(echo, "2026-01-01T00:00:02.000Z");
        assert!(parse_instant("tomorrow", now).is_err());
    }
}
