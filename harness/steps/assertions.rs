//! Assertions on "the response".

use regex::Regex;
use serde_json::Value;

use crate::jsonpath::json_eq;
use crate::world::{OjsWorld, StepResult};

const OJS_MEDIA_TYPE: &str = "application/openjobspec+json";
const TIMESTAMP: &str = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$";
const UUIDV7: &str = r"^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$";


fn render(value: &Option<Value>) -> String {
    match value {
        Some(v) => v.to_string(),
        None => "<absent>".to_string(),
    }
}

fn text_of(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn number(text: &str) -> Result<f64, String> {
    text.parse().map_err(|_| format!("{text:?} is not a number"))
}

fn header<'a>(w: &'a OjsWorld, name: &str) -> Result<Option<&'a str>, String> {
    let reply = w.last()?;
    match reply.headers.get(name) {
        None => Ok(None),
        Some(v) => v
            .to_str()
            .map(Some)
            .map_err(|_| format!("header {name} is not text in {}", reply.describe())),
    }
}

/// Fails with the response in the message, so a failure shows what the server said.
fn check(w: &OjsWorld, ok: bool, what: String) -> StepResult {
    if ok {
        Ok(())
    } else {
        let seen = w.last().map(|r| r.describe()).unwrap_or_default();
        Err(format!("{what}\n  response: {seen}"))
    }
}

fn ojs_headers(w: &OjsWorld) -> StepResult {
    let ct = header(w, "content-type")?;
    check(w, ct == Some(OJS_MEDIA_TYPE), format!("Content-Type is {ct:?}, expected {OJS_MEDIA_TYPE:?}"))?;
    let version = header(w, "ojs-version")?;
    check(w, version == Some("1.0"), format!("OJS-Version is {version:?}, expected \"1.0\""))?;
    let request_id = header(w, "x-request-id")?;
    check(w, request_id.is_some_and(|v| !v.is_empty()), "X-Request-Id is missing".into())
}

step!(r#"^the response status is (\d+)$"#,
    async fn status_is(w: &mut OjsWorld, code: u16) -> StepResult {
        let status = w.last()?.status;
        check(w, status == code, format!("status is {status}, expected {code}"))
    }
);

step!(r#"^the response status is one of ([\d, ]+)$"#,
    async fn status_one_of(w: &mut OjsWorld, codes: String) -> StepResult {
        let allowed: Vec<u16> = codes
            .split(',')
            .map(|c| c.trim().parse().map_err(|_| format!("bad status {c:?}")))
            .collect::<Result<_, _>>()?;
        let status = w.last()?.status;
        check(w, allowed.contains(&status), format!("status is {status}, expected one of {allowed:?}"))
    }
);

step!(r#"^the response header "([^"]*)" is "(.*)"$"#,
    async fn header_is(w: &mut OjsWorld, name: String, value: String) -> StepResult {
        let value = w.expand(&value)?;
        let seen = header(w, &name)?;
        check(w, seen == Some(value.as_str()), format!("header {name} is {seen:?}, expected {value:?}"))
    }
);

step!(r#"^the response header "([^"]*)" exists$"#,
    async fn header_exists(w: &mut OjsWorld, name: String) -> StepResult {
        let seen = header(w, &name)?.is_some();
        check(w, seen, format!("header {name} is missing"))
    }
);

step!(r#"^the response header "([^"]*)" matches "(.*)"$"#,
    async fn header_matches(w: &mut OjsWorld, name: String, pattern: String) -> StepResult {
        let pattern = w.expand(&pattern)?;
        let re = Regex::new(&pattern).map_err(|e| format!("bad regex {pattern:?}: {e}"))?;
        let seen = header(w, &name)?;
        check(w, seen.is_some_and(|v| re.is_match(v)), format!("header {name} is {seen:?}, expected to match {pattern:?}"))
    }
);

step!(r#"^the response has the OJS headers$"#,
    async fn has_ojs_headers(w: &mut OjsWorld) -> StepResult {
        ojs_headers(w)
    }
);

step!(r#"^the response is an OJS error "([^"]*)" with status (\d+)$"#,
    async fn ojs_error(w: &mut OjsWorld, code: String, status: u16) -> StepResult {
        let seen = w.last()?.status;
        check(w, seen == status, format!("status is {seen}, expected {status}"))?;
        ojs_headers(w)?;
        let error = w.field("$.error")?;
        let Some(Value::Object(error)) = error else {
            return check(w, false, "body has no \"error\" object".into());
        };
        let seen_code = error.get("code").cloned();
        check(w, seen_code == Some(Value::String(code.clone())), format!("error.code is {}, expected {code:?}", render(&seen_code)))?;
        for key in ["message", "request_id", "hint", "docs_url"] {
            let ok = matches!(error.get(key), Some(Value::String(s)) if !s.is_empty());
            check(w, ok, format!("error.{key} must be a non-empty string"))?;
        }
        check(w, matches!(error.get("retryable"), Some(Value::Bool(_))), "error.retryable must be a boolean".into())?;
        let header_id = header(w, "x-request-id")?.map(str::to_string);
        let body_id = error.get("request_id").and_then(Value::as_str).map(str::to_string);
        check(w, header_id == body_id, format!("error.request_id {body_id:?} differs from X-Request-Id {header_id:?}"))
    }
);

// The JSON literal alternatives keep `is not …`, `is a …`, `is between …` and
// `is at least …` from also matching this step.
step!(r#"^the response field "([^"]*)" is ("[^"]*"|\[.*\]|\{.*\}|-?\d[0-9.eE+-]*|true|false|null)$"#,
    async fn field_is(w: &mut OjsWorld, path: String, expected: String) -> StepResult {
        let expected = w.expand_json(&expected)?;
        let seen = w.field(&path)?;
        let ok = match &seen {
            Some(v) => json_eq(v, &expected),
            None => expected.is_null(),
        };
        check(w, ok, format!("{path} is {}, expected {expected}", render(&seen)))
    }
);

step!(r#"^the response field "([^"]*)" is not ("[^"]*"|\[.*\]|\{.*\}|-?\d[0-9.eE+-]*|true|false|null)$"#,
    async fn field_is_not(w: &mut OjsWorld, path: String, unexpected: String) -> StepResult {
        let unexpected = w.expand_json(&unexpected)?;
        let seen = w.field(&path)?;
        let same = match &seen {
            Some(v) => json_eq(v, &unexpected),
            None => unexpected.is_null(),
        };
        check(w, !same, format!("{path} is {}, expected anything else", render(&seen)))
    }
);

step!(r#"^the response field "([^"]*)" exists$"#,
    async fn field_exists(w: &mut OjsWorld, path: String) -> StepResult {
        let seen = w.field(&path)?;
        check(w, seen.as_ref().is_some_and(|v| !v.is_null()), format!("{path} is {}, expected a value", render(&seen)))
    }
);

step!(r#"^the response field "([^"]*)" does not exist$"#,
    async fn field_absent(w: &mut OjsWorld, path: String) -> StepResult {
        let seen = w.field(&path)?;
        check(w, seen.as_ref().is_none_or(Value::is_null), format!("{path} is {}, expected absent or null", render(&seen)))
    }
);

step!(r#"^the response field "([^"]*)" is a timestamp$"#,
    async fn field_timestamp(w: &mut OjsWorld, path: String) -> StepResult {
        let re = Regex::new(TIMESTAMP).expect("constant regex");
        let seen = w.field(&path)?;
        let ok = matches!(&seen, Some(Value::String(s)) if re.is_match(s));
        check(w, ok, format!("{path} is {}, expected an RFC 3339 timestamp", render(&seen)))
    }
);

step!(r#"^the response field "([^"]*)" is a uuidv7$"#,
    async fn field_uuidv7(w: &mut OjsWorld, path: String) -> StepResult {
        let re = Regex::new(UUIDV7).expect("constant regex");
        let seen = w.field(&path)?;
        let ok = matches!(&seen, Some(Value::String(s)) if re.is_match(s));
        check(w, ok, format!("{path} is {}, expected a lowercase UUIDv7", render(&seen)))
    }
);

step!(r#"^the response field "([^"]*)" matches "(.*)"$"#,
    async fn field_matches(w: &mut OjsWorld, path: String, pattern: String) -> StepResult {
        let pattern = w.expand(&pattern)?;
        let re = Regex::new(&pattern).map_err(|e| format!("bad regex {pattern:?}: {e}"))?;
        let seen = w.field(&path)?;
        let ok = seen.as_ref().is_some_and(|v| re.is_match(&text_of(v)));
        check(w, ok, format!("{path} is {}, expected to match {pattern:?}", render(&seen)))
    }
);

step!(r#"^the response field "([^"]*)" has (\d+) items?$"#,
    async fn field_count(w: &mut OjsWorld, path: String, n: usize) -> StepResult {
        let seen = w.field(&path)?;
        let ok = matches!(&seen, Some(Value::Array(items)) if items.len() == n);
        check(w, ok, format!("{path} is {}, expected an array of {n} items", render(&seen)))
    }
);

step!(r#"^the response field "([^"]*)" is between (-?[\d.]+) and (-?[\d.]+)$"#,
    async fn field_between(w: &mut OjsWorld, path: String, low: String, high: String) -> StepResult {
        let (low, high) = (number(&low)?, number(&high)?);
        let seen = w.field(&path)?;
        let ok = seen.as_ref().and_then(Value::as_f64).is_some_and(|v| low <= v && v <= high);
        check(w, ok, format!("{path} is {}, expected a number in [{low}, {high}]", render(&seen)))
    }
);

step!(r#"^the response field "([^"]*)" is at least (-?[\d.]+)$"#,
    async fn field_at_least(w: &mut OjsWorld, path: String, low: String) -> StepResult {
        let low = number(&low)?;
        let seen = w.field(&path)?;
        let ok = seen.as_ref().and_then(Value::as_f64).is_some_and(|v| v >= low);
        check(w, ok, format!("{path} is {}, expected a number ≥ {low}", render(&seen)))
    }
);

step!(r#"^the response field "([^"]*)" contains "(.*)"$"#,
    async fn field_contains(w: &mut OjsWorld, path: String, text: String) -> StepResult {
        let text = w.expand(&text)?;
        let seen = w.field(&path)?;
        let ok = match &seen {
            Some(Value::String(s)) => s.contains(&text),
            Some(Value::Array(items)) => items.iter().any(|i| i.as_str() == Some(text.as_str())),
            _ => false,
        };
        check(w, ok, format!("{path} is {}, expected it to contain {text:?}", render(&seen)))
    }
);

step!(r#"^the response field "([^"]*)" equals the saved "([^"]*)"$"#,
    async fn field_equals_saved(w: &mut OjsWorld, path: String, name: String) -> StepResult {
        let saved = w.saved.get(&name).cloned().ok_or_else(|| format!("nothing saved as {name:?}"))?;
        let seen = w.field(&path)?;
        let ok = seen.as_ref().is_some_and(|v| json_eq(v, &saved));
        check(w, ok, format!("{path} is {}, expected the saved {name:?} = {saved}", render(&seen)))
    }
);

step!(r#"^I save the response field "([^"]*)" as "([^"]*)"$"#,
    async fn save_field(w: &mut OjsWorld, path: String, name: String) -> StepResult {
        let seen = w.field(&path)?;
        match seen {
            Some(v) if !v.is_null() => {
                w.saved.insert(name, v);
                Ok(())
            }
            other => check(w, false, format!("cannot save {path}: it is {}", render(&other))),
        }
    }
);
