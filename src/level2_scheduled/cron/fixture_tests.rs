//! Runs every case of `fixtures/cron/cases.json` and reports all failures at once.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Deserialize;

use super::CronSchedule;

const CASES: &str = include_str!("../../../fixtures/cron/cases.json");

#[derive(Deserialize)]
struct Cases {
    next: Vec<NextCase>,
    invalid: Vec<InvalidCase>,
}

#[derive(Deserialize)]
struct NextCase {
    name: String,
    expression: String,
    timezone: Option<String>,
    after: DateTime<Utc>,
    expect: Vec<DateTime<Utc>>,
}

#[derive(Deserialize)]
struct InvalidCase {
    expression: String,
    timezone: Option<String>,
    error_contains: Vec<String>,
}

fn cases() -> Cases {
    serde_json::from_str(CASES).expect("fixtures/cron/cases.json is valid")
}

fn show(instant: DateTime<Utc>) -> String {
    instant.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

#[test]
fn next_occurrences_match_the_fixture() {
    let cases = cases();
    assert!(cases.next.len() >= 50, "the fixture lost cases");
    let mut failures = Vec::new();
    for case in &cases.next {
        let schedule = match CronSchedule::parse(&case.expression, case.timezone.as_deref()) {
            Ok(schedule) => schedule,
            Err(error) => {
                failures.push(format!("{}: parse failed: {error}", case.name));
                continue;
            }
        };
        let mut at = case.after;
        let mut got = Vec::new();
        for _ in &case.expect {
            match schedule.next_after(at) {
                Some(next) => {
                    got.push(show(next));
                    at = next;
                }
                None => break,
            }
        }
        let expected: Vec<String> = case.expect.iter().copied().map(show).collect();
        if got != expected {
            failures.push(format!("{}: expected {expected:?}, got {got:?}", case.name));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failing cases:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn invalid_inputs_are_rejected_with_precise_messages() {
    let cases = cases();
    assert!(cases.invalid.len() >= 40, "the fixture lost cases");
    let mut failures = Vec::new();
    for case in &cases.invalid {
        let label = format!("{:?} in {:?}", case.expression, case.timezone);
        match CronSchedule::parse(&case.expression, case.timezone.as_deref()) {
            Ok(_) => failures.push(format!("{label}: accepted")),
            Err(error) => {
                let message = error.to_string();
                for fragment in &case.error_contains {
                    if !message.contains(fragment.as_str()) {
                        failures.push(format!("{label}: message {message:?} lacks {fragment:?}"));
                    }
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
