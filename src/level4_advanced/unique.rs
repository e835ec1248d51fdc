//! Unique-job policies: parsing and the fingerprint the backend enforces atomically.

use crate::backend::{OnConflict, UniqueClaim};
use crate::error::{OjsError, OjsResult};
use crate::model::job::JobState;
use crate::model::time::parse_iso_duration_ms;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

const DEFAULT_STATES: [JobState; 5] =
    [JobState::Available, JobState::Active, JobState::Scheduled, JobState::Retryable, JobState::Pending];

#[derive(Clone, Debug, PartialEq)]
pub struct UniquePolicy {
    pub keys: Vec<String>,
    pub args_keys: Option<Vec<String>>,
    pub meta_keys: Option<Vec<String>>,
    pub period_ms: Option<u64>,
    pub states: Vec<JobState>,
    pub on_conflict: OnConflict,
}

fn string_list(v: &Value, field: &str) -> OjsResult<Vec<String>> {
    v.as_array()
        .and_then(|a| a.iter().map(|s| s.as_str().map(str::to_string)).collect::<Option<Vec<_>>>())
        .ok_or_else(|| OjsError::invalid(format!("unique.{field} must be an array of strings")))
}

impl UniquePolicy {
    pub fn parse(value: &Value) -> OjsResult<Self> {
        let obj = value.as_object().ok_or_else(|| OjsError::invalid("unique must be an object"))?;
        let get = |k: &str| obj.get(k).filter(|v| !v.is_null());
        let mut keys = match get("keys") {
            Some(v) => string_list(v, "keys")?,
            None => vec!["type".to_string()],
        };
        for k in &keys {
            if !matches!(k.as_str(), "type" | "queue" | "args" | "meta") {
                return Err(OjsError::invalid(format!("unique.keys: unknown dimension '{k}' (use type, queue, args, meta)")));
            }
        }
        if !keys.iter().any(|k| k == "type") {
            keys.insert(0, "type".into());
        }
        let args_keys = get("args_keys").map(|v| string_list(v, "args_keys")).transpose()?;
        let meta_keys = get("meta_keys").map(|v| string_list(v, "meta_keys")).transpose()?;
        if keys.iter().any(|k| k == "meta") && meta_keys.as_ref().is_none_or(Vec::is_empty) {
            return Err(OjsError::invalid("unique.meta_keys must name at least one meta field when unique.keys contains meta"));
        }
        if args_keys.as_ref().is_some_and(Vec::is_empty) {
            return Err(OjsError::invalid("unique.args_keys must name at least one field when given"));
        }
        let period_ms = match get("period") {
            Some(v) => {
                let text = v.as_str().ok_or_else(|| OjsError::invalid("unique.period must be an ISO 8601 duration"))?;
                let ms = parse_iso_duration_ms(text).map_err(|e| OjsError::invalid(format!("unique.period: {e}")))?;
                Some(ms)
            }
            None => None,
        };
        let states = match get("states") {
            Some(v) => string_list(v, "states")?
                .iter()
                .map(|s| JobState::parse(s).ok_or_else(|| OjsError::invalid(format!("unique.states: unknown state '{s}'"))))
                .collect::<OjsResult<Vec<_>>>()?,
            None => DEFAULT_STATES.to_vec(),
        };
        let on_conflict = match get("on_conflict").map(|v| v.as_str()) {
            None | Some(Some("reject")) => OnConflict::Reject,
            Some(Some("ignore" | "use_existing")) => OnConflict::Ignore,
            Some(Some("replace")) => OnConflict::Replace,
            Some(Some("replace_except_schedule")) => OnConflict::ReplaceExceptSchedule,
            _ => return Err(OjsError::invalid("unique.on_conflict must be reject, ignore, replace or replace_except_schedule")),
        };
        Ok(Self { keys, args_keys, meta_keys, period_ms, states, on_conflict })
    }

    /// Hex SHA-256 of the canonical JSON (sorted keys, compact) of the selected dimensions.
    pub fn fingerprint(&self, kind: &str, queue: &str, args: &Value, meta: Option<&Map<String, Value>>) -> String {
        let mut dims = Map::new();
        for key in &self.keys {
            let value = match key.as_str() {
                "type" => Value::String(kind.to_string()),
                "queue" => Value::String(queue.to_string()),
                "args" => match &self.args_keys {
                    // Selecting keys applies to the first argument when it is an object.
                    Some(selected) => {
                        let first = args.get(0).and_then(Value::as_object);
                        Value::Object(selected.iter().map(|k| (k.clone(), first.and_then(|o| o.get(k)).cloned().unwrap_or(Value::Null))).collect())
                    }
                    None => args.clone(),
                },
                "meta" => {
                    let selected = self.meta_keys.clone().unwrap_or_default();
                    Value::Object(selected.iter().map(|k| (k.clone(), meta.and_then(|m| m.get(k)).cloned().unwrap_or(Value::Null))).collect())
                }
                _ => continue,
            };
            dims.insert(key.clone(), value);
        }
        let mut canonical = String::new();
        write_canonical(&Value::Object(dims), &mut canonical);
        hex::encode(Sha256::digest(canonical.as_bytes()))
    }

    /// `args_keys` select fields of the first argument, which must be an object holding all of them.
    pub fn check_args(&self, args: &Value) -> OjsResult<()> {
        let Some(selected) = &self.args_keys else { return Ok(()) };
        let first = args.get(0).and_then(Value::as_object).ok_or_else(|| {
            OjsError::invalid("unique.args_keys selects fields of the first argument, which must be a JSON object")
        })?;
        match selected.iter().find(|k| !first.contains_key(k.as_str())) {
            Some(missing) => Err(OjsError::invalid(format!("unique.args_keys: '{missing}' is not a field of the first argument"))),
            None => Ok(()),
        }
    }

    pub fn claim(&self, key: String) -> UniqueClaim {
        UniqueClaim { key, states: self.states.clone(), period_ms: self.period_ms, on_conflict: self.on_conflict }
    }
}

/// `replace_except_schedule`: a holder still waiting for a future `scheduled_at` hands that schedule to its
/// replacement. Returns whether the new job changed.
pub fn keep_schedule(new_job: &mut crate::model::job::Job, old: &crate::model::job::Job) -> bool {
    let old_time = old.scheduled_at.as_deref().and_then(crate::model::time::parse_rfc3339);
    match old_time.filter(|at| *at > new_job.created_at) {
        Some(at) => {
            new_job.scheduled_at = old.scheduled_at.clone();
            new_job.run_at = Some(at);
            new_job.state = JobState::Scheduled;
            new_job.enqueued_at = None;
            true
        }
        None => false,
    }
}

/// Compact JSON with object keys sorted, so equal values always hash equally.
fn write_canonical(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String((*k).clone()).to_string());
                out.push(':');
                write_canonical(&map[*k], out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(v, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fingerprint_ignores_key_order_and_unselected_dimensions() {
        let p = UniquePolicy::parse(&json!({"keys": ["type", "args"]})).unwrap();
        let a = p.fingerprint("t", "q1", &json!([{"a": 1, "b": 2}]), None);
        let b = p.fingerprint("t", "q2", &json!([{"b": 2, "a": 1}]), None);
        assert_eq!(a, b);
        assert_ne!(a, p.fingerprint("t", "q1", &json!([{"a": 2}]), None));
    }

    #[test]
    fn args_keys_select_fields_of_the_first_argument() {
        let p = UniquePolicy::parse(&json!({"keys": ["args"], "args_keys": ["user"]})).unwrap();
        assert_eq!(
            p.fingerprint("t", "q", &json!([{"user": 1, "nonce": 1}]), None),
            p.fingerprint("t", "q", &json!([{"user": 1, "nonce": 2}]), None)
        );
    }

    #[test]
    fn defaults_and_aliases() {
        let p = UniquePolicy::parse(&json!({"on_conflict": "use_existing"})).unwrap();
        assert_eq!(p.keys, vec!["type"]);
        assert_eq!(p.on_conflict, OnConflict::Ignore);
        assert_eq!(p.states.len(), 5);
        assert!(UniquePolicy::parse(&json!({"keys": ["meta"]})).is_err());
        assert!(UniquePolicy::parse(&json!({"on_conflict": "explode"})).is_err());
    }
}
