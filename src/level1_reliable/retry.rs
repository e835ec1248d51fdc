//! Retry policies: parsing with per-field defaults, validation, and the four backoff formulas.

use crate::model::time::{format_iso_duration_ms, parse_iso_duration_ms};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BackoffStrategy {
    Exponential,
    Linear,
    Constant,
    Polynomial,
}

impl BackoffStrategy {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Exponential => "exponential",
            Self::Linear => "linear",
            Self::Constant => "constant",
            Self::Polynomial => "polynomial",
        }
    }
    fn parse(text: &str) -> Option<Self> {
        match text {
            "exponential" => Some(Self::Exponential),
            "linear" => Some(Self::Linear),
            "constant" | "none" | "fixed" => Some(Self::Constant),
            "polynomial" => Some(Self::Polynomial),
            _ => None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnExhaustion {
    Discard,
    DeadLetter,
}

/// A fully resolved retry policy (defaults merged field by field).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RetryPolicy {
    pub max_attempts: u32,
    pub initial_interval_ms: u64,
    pub backoff_coefficient: f64,
    pub max_interval_ms: u64,
    pub jitter: bool,
    pub non_retryable_errors: Vec<String>,
    pub on_exhaustion: OnExhaustion,
    pub backoff_strategy: BackoffStrategy,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 3,
            initial_interval_ms: 1000,
            backoff_coefficient: 2.0,
            max_interval_ms: 300_000,
            jitter: true,
            non_retryable_errors: Vec::new(),
            on_exhaustion: OnExhaustion::Discard,
            backoff_strategy: BackoffStrategy::Exponential,
        }
    }
}

/// Why a policy was refused. `Semantic` maps to 422 `validation_error`, `Malformed` to 400.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum RetryPolicyError {
    #[error("{0}")]
    Malformed(String),
    #[error("{0}")]
    Semantic(String),
}

impl RetryPolicy {
    /// Parses `options.retry`, merging every absent field with the default policy.
    pub fn parse(value: &Value) -> Result<Self, RetryPolicyError> {
        let obj = value
            .as_object()
            .ok_or_else(|| RetryPolicyError::Malformed("retry policy must be a JSON object".into()))?;
        let mut policy = Self::default();
        if let Some(v) = present(obj, "max_attempts") {
            let n = v.as_i64().filter(|_| v.is_i64() || v.is_u64()).ok_or_else(|| {
                RetryPolicyError::Malformed("retry.max_attempts must be an integer".into())
            })?;
            if n < 0 {
                return Err(RetryPolicyError::Semantic(format!(
                    "retry.max_attempts must be >= 0, got {n}"
                )));
            }
            policy.max_attempts = n.min(u32::MAX as i64) as u32;
        }
        if let Some(ms) = duration_field(obj, "initial_interval")? {
            policy.initial_interval_ms = ms;
        }
        if let Some(ms) = duration_field(obj, "max_interval")? {
            policy.max_interval_ms = ms;
        }
        if let Some(v) = present(obj, "backoff_coefficient") {
            let c = v.as_f64().ok_or_else(|| {
                RetryPolicyError::Malformed("retry.backoff_coefficient must be a number".into())
            })?;
            if c.is_nan() || c < 1.0 || !c.is_finite() {
                return Err(RetryPolicyError::Semantic(format!(
                    "retry.backoff_coefficient must be >= 1.0, got {c}"
                )));
            }
            policy.backoff_coefficient = c;
        }
        if let Some(v) = present(obj, "jitter") {
            policy.jitter = v
                .as_bool()
                .ok_or_else(|| RetryPolicyError::Malformed("retry.jitter must be a boolean".into()))?;
        }
        if let Some(v) = present(obj, "non_retryable_errors") {
            let list = v.as_array().ok_or_else(|| {
                RetryPolicyError::Malformed("retry.non_retryable_errors must be an array of strings".into())
            })?;
            policy.non_retryable_errors = list
                .iter()
                .map(|e| e.as_str().map(str::to_string))
                .collect::<Option<_>>()
                .ok_or_else(|| {
                    RetryPolicyError::Malformed("retry.non_retryable_errors must be an array of strings".into())
                })?;
        }
        if let Some(v) = present(obj, "on_exhaustion") {
            policy.on_exhaustion = match v.as_str() {
                Some("discard") => OnExhaustion::Discard,
                Some("dead_letter") => OnExhaustion::DeadLetter,
                _ => {
                    return Err(RetryPolicyError::Semantic(
                        "retry.on_exhaustion must be \"discard\" or \"dead_letter\"".into(),
                    ))
                }
            };
        }
        let strategy = present(obj, "backoff_strategy").or_else(|| present(obj, "backoff_type"));
        if let Some(v) = strategy {
            policy.backoff_strategy = v.as_str().and_then(BackoffStrategy::parse).ok_or_else(|| {
                RetryPolicyError::Semantic(
                    "retry.backoff_strategy must be one of exponential, linear, constant, polynomial".into(),
                )
            })?;
        } else if policy.backoff_coefficient == 1.0 {
            // A coefficient of 1 is the spec's way of saying "constant".
            policy.backoff_strategy = BackoffStrategy::Constant;
        }
        if policy.max_interval_ms < policy.initial_interval_ms {
            return Err(RetryPolicyError::Semantic(
                "retry.max_interval must be >= retry.initial_interval".into(),
            ));
        }
        Ok(policy)
    }

    /// Backoff before the next attempt after attempt `failed_attempt` (1-based) failed, before jitter.
    pub fn raw_delay_ms(&self, failed_attempt: u32) -> u64 {
        let n = failed_attempt.max(1) as f64;
        let base = self.initial_interval_ms as f64;
        let raw = match self.backoff_strategy {
            BackoffStrategy::Exponential => base * self.backoff_coefficient.powf(n - 1.0),
            BackoffStrategy::Linear => base * n,
            BackoffStrategy::Constant => base,
            BackoffStrategy::Polynomial => base * n.powf(self.backoff_coefficient),
        };
        raw.min(self.max_interval_ms as f64).max(0.0) as u64
    }

    /// Delay with jitter applied: `min(raw * U[0.5, 1.5), max_interval)` where `unit` is U[0,1).
    pub fn delay_ms(&self, failed_attempt: u32, unit: f64) -> u64 {
        let raw = self.raw_delay_ms(failed_attempt);
        if !self.jitter {
            return raw;
        }
        let jittered = raw as f64 * (0.5 + unit.clamp(0.0, 0.999_999));
        (jittered as u64).min(self.max_interval_ms)
    }

    /// Whether an error matches `non_retryable_errors` (exact, or prefix when the entry ends in `.*`).
    pub fn is_non_retryable(&self, candidates: &[&str]) -> bool {
        self.non_retryable_errors.iter().any(|pattern| {
            // `Auth.*` matches whole namespace segments: `Auth.Expired`, never `Authz.Denied`.
            candidates.iter().any(|c| match pattern.strip_suffix('*').filter(|p| p.ends_with('.')) {
                Some(prefix) => c.starts_with(prefix) && c.len() > prefix.len(),
                None => pattern == c,
            })
        })
    }

    /// The policy as echoed on the job envelope, serialised without an intermediate value.
    pub fn wire(&self) -> WirePolicy<'_> {
        WirePolicy(self)
    }

    /// The policy as echoed on the job envelope.
    pub fn to_wire(&self) -> Value {
        json!({
            "max_attempts": self.max_attempts,
            "initial_interval": format_iso_duration_ms(self.initial_interval_ms),
            "backoff_coefficient": self.backoff_coefficient,
            "max_interval": format_iso_duration_ms(self.max_interval_ms),
            "jitter": self.jitter,
            "non_retryable_errors": self.non_retryable_errors,
            "on_exhaustion": match self.on_exhaustion { OnExhaustion::Discard => "discard", OnExhaustion::DeadLetter => "dead_letter" },
            "backoff_strategy": self.backoff_strategy.as_str(),
        })
    }
}

pub struct WirePolicy<'a>(&'a RetryPolicy);

impl Serialize for WirePolicy<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let p = self.0;
        let mut m = s.serialize_map(Some(8))?;
        m.serialize_entry("max_attempts", &p.max_attempts)?;
        m.serialize_entry("initial_interval", &format_iso_duration_ms(p.initial_interval_ms))?;
        m.serialize_entry("backoff_coefficient", &p.backoff_coefficient)?;
        m.serialize_entry("max_interval", &format_iso_duration_ms(p.max_interval_ms))?;
        m.serialize_entry("jitter", &p.jitter)?;
        m.serialize_entry("non_retryable_errors", &p.non_retryable_errors)?;
        let exhaustion = match p.on_exhaustion {
            OnExhaustion::Discard => "discard",
            OnExhaustion::DeadLetter => "dead_letter",
        };
        m.serialize_entry("on_exhaustion", exhaustion)?;
        m.serialize_entry("backoff_strategy", p.backoff_strategy.as_str())?;
        m.end()
    }
}

fn present<'a>(obj: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    obj.get(key).filter(|v| !v.is_null())
}

/// Reads `name` as an ISO duration, or `name_ms` as integer milliseconds.
fn duration_field(obj: &Map<String, Value>, name: &str) -> Result<Option<u64>, RetryPolicyError> {
    if let Some(v) = present(obj, name) {
        let text = v.as_str().ok_or_else(|| {
            RetryPolicyError::Malformed(format!("retry.{name} must be an ISO 8601 duration string"))
        })?;
        let ms = parse_iso_duration_ms(text)
            .map_err(|e| RetryPolicyError::Malformed(format!("retry.{name}: {e}")))?;
        if ms == 0 {
            return Err(RetryPolicyError::Malformed(format!("retry.{name} must be greater than zero")));
        }
        return Ok(Some(ms));
    }
    if let Some(v) = present(obj, &format!("{name}_ms")) {
        let ms = v.as_u64().filter(|ms| *ms > 0).ok_or_else(|| {
            RetryPolicyError::Malformed(format!("retry.{name}_ms must be a positive integer"))
        })?;
        return Ok(Some(ms));
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(v: Value) -> RetryPolicy {
        RetryPolicy::parse(&v).unwrap()
    }

    #[test]
    fn partial_policy_merges_with_defaults() {
        let p = policy(json!({"max_attempts": 5, "initial_interval": "PT2S"}));
        assert_eq!(p.max_attempts, 5);
        assert_eq!(p.initial_interval_ms, 2000);
        assert!(p.jitter);
        assert_eq!(p.max_interval_ms, 300_000);
        assert_eq!(p.backoff_coefficient, 2.0);
    }

    #[test]
    fn four_backoff_formulas() {
        let exp = policy(json!({"initial_interval":"PT1S","backoff_coefficient":2.0,"jitter":false}));
        assert_eq!([1, 2, 3].map(|n| exp.delay_ms(n, 0.0)), [1000, 2000, 4000]);
        let constant = policy(json!({"initial_interval":"PT1S","backoff_coefficient":1.0,"jitter":false}));
        assert_eq!([1, 2, 3].map(|n| constant.delay_ms(n, 0.0)), [1000, 1000, 1000]);
        let linear = policy(json!({"initial_interval":"PT1S","backoff_strategy":"linear","jitter":false}));
        assert_eq!([1, 2, 3].map(|n| linear.delay_ms(n, 0.0)), [1000, 2000, 3000]);
        let poly = policy(json!({"initial_interval":"PT1S","backoff_strategy":"polynomial","backoff_coefficient":2.0,"jitter":false}));
        assert_eq!([1, 2, 3].map(|n| poly.delay_ms(n, 0.0)), [1000, 4000, 9000]);
    }

    #[test]
    fn cap_applies_before_and_after_jitter() {
        let capped = policy(json!({"initial_interval":"PT1S","backoff_coefficient":10.0,"max_interval":"PT2S","jitter":false}));
        assert_eq!([1, 2, 3].map(|n| capped.delay_ms(n, 0.0)), [1000, 2000, 2000]);
        let jittered = policy(json!({"initial_interval":"PT2S","max_interval":"PT2.5S"}));
        assert_eq!(jittered.delay_ms(1, 0.0), 1000);
        assert_eq!(jittered.delay_ms(1, 0.99), 2500);
    }

    #[test]
    fn semantic_errors_name_the_field() {
        let err = RetryPolicy::parse(&json!({"max_attempts": -1})).unwrap_err();
        assert!(matches!(&err, RetryPolicyError::Semantic(m) if m.contains("max_attempts")));
        let err = RetryPolicy::parse(&json!({"backoff_coefficient": 0.5})).unwrap_err();
        assert!(matches!(&err, RetryPolicyError::Semantic(m) if m.contains("backoff_coefficient")));
        let err = RetryPolicy::parse(&json!({"initial_interval": "soon"})).unwrap_err();
        assert!(matches!(err, RetryPolicyError::Malformed(_)));
    }

    #[test]
    fn non_retryable_matching() {
        let p = policy(json!({"non_retryable_errors": ["ValidationError", "Auth.*"]}));
        assert!(p.is_non_retryable(&["ValidationError"]));
        assert!(p.is_non_retryable(&["handler_error", "Auth.TokenExpired"]));
        assert!(!p.is_non_retryable(&["Auth"]));
        assert!(!p.is_non_retryable(&["Validation"]));
        assert!(!p.is_non_retryable(&["Authz.Denied"]));
    }
}
