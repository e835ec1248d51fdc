//! Expansion of `{{…}}` placeholders in step arguments and docstrings.
//!
//! The expander itself knows nothing about scenarios: it finds placeholders and asks a
//! resolver for their text. The helpers below it (`now` offsets, RFC 3339 formatting) are
//! pure so they can be unit-tested from `tests/harness_units.rs`.

use chrono::{DateTime, SecondsFormat, Utc};

/// Replaces every `{{name}}` in `text` with `resolve(name)` (surrounding spaces inside the
/// braces are ignored). Text without placeholders is returned unchanged.
pub fn expand(
    text: &str,
    resolve: &mut dyn FnMut(&str) -> Result<String, String>,
) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after
            .find("}}")
            .ok_or_else(|| format!("unclosed placeholder in {text:?}"))?;
        let name = after[..end].trim();
        if name.is_empty() {
            return Err(format!("empty placeholder in {text:?}"));
        }
        out.push_str(&resolve(name)?);
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Reads the offset of a `now`, `now+3s`, `now-2s`, `now+1500ms`, `now+5m`, `now+1h`
/// placeholder in milliseconds. `None` when the name is not a `now` placeholder.
pub fn now_offset_ms(name: &str) -> Option<i64> {
    let rest = name.strip_prefix("now")?;
    if rest.is_empty() {
        return Some(0);
    }
    let (sign, amount) = match rest.as_bytes()[0] {
        b'+' => (1, &rest[1..]),
        b'-' => (-1, &rest[1..]),
        _ => return None,
    };
    let digits_end = amount.find(|c: char| !c.is_ascii_digit())?;
    if digits_end == 0 {
        return None;
    }
    let value: i64 = amount[..digits_end].parse().ok()?;
    let unit_ms = match &amount[digits_end..] {
        "ms" => 1,
        "s" => 1_000,
        "m" => 60_000,
        "h" => 3_600_000,
        _ => return None,
    };
    Some(sign * value * unit_ms)
}

/// Formats a moment as RFC 3339 UTC with milliseconds, e.g. `2026-02-12T10:30:00.123Z`.
pub fn rfc3339_millis(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// The text of a `now…` placeholder relative to `now`.
pub fn now_placeholder(name: &str, now: DateTime<Utc>) -> Option<String> {
    let offset = now_offset_ms(name)?;
    Some(rfc3339_millis(now + chrono::Duration::milliseconds(offset)))
}
