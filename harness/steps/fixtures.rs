//! Steps that push every envelope fixture under `fixtures/envelopes/` and check the answer
//! its location promises (see fixtures/envelopes/README.md).

use std::path::{Path, PathBuf};

use reqwest::Method;
use serde_json::Value;

use crate::world::{OjsWorld, Outgoing, StepResult};

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            files_under(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
    Ok(())
}

fn fixtures(relative: &str) -> Result<Vec<PathBuf>, String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(relative);
    let mut files = Vec::new();
    files_under(&dir, &mut files)?;
    if files.is_empty() {
        return Err(format!("no fixtures under {}", dir.display()));
    }
    Ok(files)
}

/// Pushes one fixture file (templated) and returns the reply.
async fn push_fixture(w: &mut OjsWorld, file: &Path) -> Result<crate::world::Reply, String> {
    let raw = std::fs::read_to_string(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let body = w.expand(raw.trim_end())?;
    w.exchange(OjsWorld::json_request(Method::POST, "/ojs/v1/jobs".into(), &body)).await
}

/// `<status>-<code>` of a fixture's folder, e.g. `422-validation_error`.
fn expected_error(file: &Path) -> Result<(u16, String), String> {
    let folder = file
        .parent()
        .and_then(Path::file_name)
        .and_then(|n| n.to_str())
        .ok_or_else(|| format!("{} has no folder name", file.display()))?;
    let (status, code) = folder
        .split_once('-')
        .ok_or_else(|| format!("folder {folder:?} is not <status>-<code>"))?;
    let status = status.parse().map_err(|_| format!("folder {folder:?} does not start with a status"))?;
    Ok((status, code.to_string()))
}

fn summarize(failures: Vec<String>) -> StepResult {
    if failures.is_empty() { Ok(()) } else { Err(failures.join("\n  ")) }
}

step!(r#"^every envelope in "([^"]*)" is accepted$"#,
    async fn all_accepted(w: &mut OjsWorld, dir: String) -> StepResult {
        let mut failures = Vec::new();
        for file in fixtures(&dir)? {
            let reply = push_fixture(w, &file).await?;
            let id = reply.json.as_ref().and_then(|b| b.pointer("/job/id")).and_then(Value::as_str).map(str::to_string);
            match (reply.status, id) {
                (201, Some(id)) => {
                    // Leave nothing behind in shared queues such as "default".
                    let cancel = Outgoing { method: Method::DELETE, path: format!("/ojs/v1/jobs/{id}"), content_type: None, body: None };
                    w.exchange(cancel).await?;
                }
                _ => failures.push(format!("{}: expected 201 with a job, got {}", file.display(), reply.describe())),
            }
        }
        summarize(failures)
    }
);

step!(r#"^every envelope in "([^"]*)" is refused with the error its folder names$"#,
    async fn all_refused(w: &mut OjsWorld, dir: String) -> StepResult {
        let mut failures = Vec::new();
        for file in fixtures(&dir)? {
            let (status, code) = expected_error(&file)?;
            let reply = push_fixture(w, &file).await?;
            let seen_code = reply.json.as_ref().and_then(|b| b.pointer("/error/code")).and_then(Value::as_str);
            if reply.status != status || seen_code != Some(code.as_str()) {
                failures.push(format!("{}: expected {status} {code}, got {}", file.display(), reply.describe()));
            }
        }
        summarize(failures)
    }
);
