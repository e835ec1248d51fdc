//! Unit tests for the conformance harness's pure helpers (the harness target itself runs
//! without libtest, so its `#[test]`s would never run there).

#[path = "../harness/jsonpath.rs"]
mod jsonpath;
#[path = "../harness/template.rs"]
mod template;

use chrono::{TimeZone, Utc};
use serde_json::json;

fn expand_with(text: &str, pairs: &[(&str, &str)]) -> Result<String, String> {
    template::expand(text, &mut |name| {
        pairs
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.to_string())
            .ok_or_else(|| format!("unknown {name}"))
    })
}

#[test]
fn template_replaces_every_placeholder_and_keeps_the_rest() {
    let out = expand_with(r#"{"queue": "{{queue}}", "id": "{{ job }}", "q2": "{{queue}}"}"#, &[
        ("queue", "queue-3fa9c2d1"),
        ("job", "0190"),
    ]);
    assert_eq!(out.unwrap(), r#"{"queue": "queue-3fa9c2d1", "id": "0190", "q2": "queue-3fa9c2d1"}"#);
}

#[test]
fn template_without_placeholders_is_unchanged() {
    assert_eq!(expand_with("plain {text} }}", &[]).unwrap(), "plain {text} }}");
}

#[test]
fn template_reports_unclosed_and_empty_placeholders_and_resolver_errors() {
    assert!(expand_with("{{queue", &[]).is_err());
    assert!(expand_with("{{ }}", &[]).is_err());
    assert_eq!(expand_with("{{nope}}", &[]).unwrap_err(), "unknown nope");
}

#[test]
fn now_offsets_are_read_in_milliseconds() {
    assert_eq!(template::now_offset_ms("now"), Some(0));
    assert_eq!(template::now_offset_ms("now+3s"), Some(3_000));
    assert_eq!(template::now_offset_ms("now-2s"), Some(-2_000));
    assert_eq!(template::now_offset_ms("now+1500ms"), Some(1_500));
    assert_eq!(template::now_offset_ms("now+5m"), Some(300_000));
    assert_eq!(template::now_offset_ms("now+1h"), Some(3_600_000));
    assert_eq!(template::now_offset_ms("now+s"), None);
    assert_eq!(template::now_offset_ms("now+3d"), None);
    assert_eq!(template::now_offset_ms("nowish"), None);
    assert_eq!(template::now_offset_ms("queue"), None);
}

#[test]
fn now_placeholders_are_rfc3339_utc_with_milliseconds() {
    let at = Utc.with_ymd_and_hms(2026, 2, 12, 10, 30, 0).unwrap() + chrono::Duration::milliseconds(123);
    assert_eq!(template::now_placeholder("now", at).unwrap(), "2026-02-12T10:30:00.123Z");
    assert_eq!(template::now_placeholder("now+1500ms", at).unwrap(), "2026-02-12T10:30:01.623Z");
    assert_eq!(template::now_placeholder("now-2s", at).unwrap(), "2026-02-12T10:29:58.123Z");
    assert_eq!(template::now_placeholder("job", at), None);
}

#[test]
fn jsonpath_walks_keys_indexes_and_quoted_keys() {
    let body = json!({"job": {"state": "active", "error": null}, "jobs": [{"id": "a"}, {"id": "b"}], "odd key": 1});
    assert_eq!(jsonpath::eval(&body, "$.job.state").unwrap(), Some(json!("active")));
    assert_eq!(jsonpath::eval(&body, "$.jobs[1].id").unwrap(), Some(json!("b")));
    assert_eq!(jsonpath::eval(&body, "$.jobs[-1].id").unwrap(), Some(json!("b")));
    assert_eq!(jsonpath::eval(&body, r#"$["odd key"]"#).unwrap(), Some(json!(1)));
    assert_eq!(jsonpath::eval(&body, "$").unwrap(), Some(body.clone()));
}

#[test]
fn jsonpath_reports_absent_paths_as_none_and_null_as_null() {
    let body = json!({"job": {"error": null}, "jobs": []});
    assert_eq!(jsonpath::eval(&body, "$.job.result").unwrap(), None);
    assert_eq!(jsonpath::eval(&body, "$.jobs[0]").unwrap(), None);
    assert_eq!(jsonpath::eval(&body, "$.jobs[0].id").unwrap(), None);
    assert_eq!(jsonpath::eval(&body, "$.job.error").unwrap(), Some(json!(null)));
    assert_eq!(jsonpath::eval(&body, "$.job.error.code").unwrap(), None);
}

#[test]
fn jsonpath_length_counts_arrays_and_strings_unless_a_key_is_named_length() {
    let body = json!({"jobs": [1, 2, 3], "name": "héllo", "box": {"length": 9}});
    assert_eq!(jsonpath::eval(&body, "$.jobs.length").unwrap(), Some(json!(3)));
    assert_eq!(jsonpath::eval(&body, "$.name.length").unwrap(), Some(json!(5)));
    assert_eq!(jsonpath::eval(&body, "$.box.length").unwrap(), Some(json!(9)));
}

#[test]
fn jsonpath_wildcard_maps_the_rest_of_the_path() {
    let body = json!({"events": [{"type": "job.enqueued"}, {"type": "job.started"}, {}]});
    assert_eq!(
        jsonpath::eval(&body, "$.events[*].type").unwrap(),
        Some(json!(["job.enqueued", "job.started", null]))
    );
}

#[test]
fn jsonpath_rejects_malformed_paths() {
    assert!(jsonpath::parse("job.state").is_err());
    assert!(jsonpath::parse("$.jobs[0").is_err());
    assert!(jsonpath::parse("$.jobs[x]").is_err());
    assert!(jsonpath::parse("$..job").is_err());
}

#[test]
fn json_eq_compares_numbers_by_value_and_structures_deeply() {
    assert!(jsonpath::json_eq(&json!(2), &json!(2.0)));
    assert!(jsonpath::json_eq(&json!(2.75), &json!(2.75)));
    assert!(!jsonpath::json_eq(&json!(2.75), &json!(2.76)));
    assert!(jsonpath::json_eq(&json!({"a": [1, {"b": 2.0}]}), &json!({"a": [1.0, {"b": 2}]})));
    assert!(!jsonpath::json_eq(&json!({"a": 1}), &json!({"a": 1, "b": 2})));
    assert!(!jsonpath::json_eq(&json!([1, 2]), &json!([2, 1])));
    assert!(!jsonpath::json_eq(&json!("1"), &json!(1)));
    assert!(jsonpath::json_eq(&json!(null), &json!(null)));
}
