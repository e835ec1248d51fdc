//! Priority values: integers in −100..=100 (higher runs first) or the named levels.

use serde_json::Value;

pub const MIN: i64 = -100;
pub const MAX: i64 = 100;

/// Parses a priority; named levels follow the core spec (HIGH 10, NORMAL 0, LOW −10).
pub fn parse(value: &Value) -> Result<i32, String> {
    if let Some(name) = value.as_str() {
        return match name.to_ascii_uppercase().as_str() {
            "HIGH" => Ok(10),
            "NORMAL" => Ok(0),
            "LOW" => Ok(-10),
            _ => Err(format!("priority '{name}' is not HIGH, NORMAL or LOW")),
        };
    }
    match value.as_i64() {
        Some(p) if (MIN..=MAX).contains(&p) && (value.is_i64() || value.is_u64()) => Ok(p as i32),
        _ => Err(format!("priority must be an integer between {MIN} and {MAX}, got {value}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn ranges_and_names() {
        assert_eq!(parse(&json!(100)), Ok(100));
        assert_eq!(parse(&json!(-100)), Ok(-100));
        assert!(parse(&json!(101)).is_err());
        assert!(parse(&json!(-101)).is_err());
        assert!(parse(&json!(1.5)).is_err());
        assert_eq!(parse(&json!("high")), Ok(10));
        assert_eq!(parse(&json!("LOW")), Ok(-10));
    }
}
