//! Keeps the requirement matrix (spec/levelN.md) true to the features.
//!
//! Each `spec/levelN.md` holds one table `| ID | Requirement | Scenarios | Module |`. This
//! test parses those tables and every `features/**/*.feature` file and fails when
//! - a MUST requirement of a level that has a matrix file has no row or no tagged scenario,
//! - a feature tag that looks like a requirement id names no known requirement,
//! - a row's Scenarios cell differs from the scenarios actually tagged with its id
//!   (run with `UPDATE_MATRIX=1` to rewrite the cells in place),
//! - a row's Module path does not exist.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use regex::Regex;

/// The MUST requirements of ojs-conformance.md §2, per level.
const MUST_IDS: [&[&str]; 5] = [
    &[
        "L0-ENV-001", "L0-ENV-002", "L0-ENV-003", "L0-ENV-004", "L0-ENV-005", "L0-ENV-006",
        "L0-OPS-001", "L0-OPS-002", "L0-OPS-003", "L0-OPS-004",
        "L0-LC-001", "L0-LC-002", "L0-LC-003",
        "L0-EVT-001", "L0-EVT-002",
        "L0-Q-001",
        "L0-WF-001",
        "L0-MW-001", "L0-MW-002",
    ],
    &[
        "L1-RET-001", "L1-RET-002", "L1-RET-003",
        "L1-DLQ-001", "L1-DLQ-002",
        "L1-HB-001", "L1-HB-002",
        "L1-VT-001", "L1-VT-002",
        "L1-CAN-001", "L1-CAN-002",
        "L1-INFO-001",
        "L1-EVT-001", "L1-EVT-002",
    ],
    &[
        "L2-DEL-001", "L2-DEL-002",
        "L2-CRON-001", "L2-CRON-002", "L2-CRON-003",
        "L2-TTL-001", "L2-TTL-002",
        "L2-TZ-001",
    ],
    &[
        "L3-CHAIN-001", "L3-CHAIN-002", "L3-CHAIN-003",
        "L3-GROUP-001", "L3-GROUP-002",
        "L3-BATCH-001", "L3-BATCH-002",
        "L3-DATA-001",
        "L3-WF-EVT-001",
    ],
    &[
        "L4-PRI-001", "L4-PRI-002", "L4-PRI-003",
        "L4-UNIQ-001", "L4-UNIQ-002", "L4-UNIQ-003",
        "L4-BULK-001", "L4-BULK-002",
        "L4-PAUSE-001", "L4-PAUSE-002",
        "L4-STATS-001",
    ],
];

/// Requirements stated as SHOULD: valid tags and rows, but coverage is not required.
const SHOULD_IDS: &[&str] = &["L2-DEL-003", "L4-RATE-001"];

const TAG_LOOKS_LIKE_ID: &str = r"^@L[0-4]-[A-Z]+(-[A-Z]+)?-\d{3}$";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn is_known(id: &str) -> bool {
    MUST_IDS.iter().any(|level| level.contains(&id)) || SHOULD_IDS.contains(&id)
}

fn level_of(id: &str) -> Option<usize> {
    id.strip_prefix('L')?.chars().next()?.to_digit(10).map(|d| d as usize)
}

// ---------------------------------------------------------------- features

#[derive(Debug, Clone)]
struct TaggedScenario {
    name: String,
    tags: BTreeSet<String>,
    file: PathBuf,
}

fn feature_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            feature_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "feature") {
            out.push(path);
        }
    }
}

fn tags_on_line(line: &str) -> Vec<String> {
    line.split('#')
        .next()
        .unwrap_or("")
        .split_whitespace()
        .filter(|t| t.starts_with('@'))
        .map(str::to_string)
        .collect()
}

/// A small Gherkin reader: tag lines before `Feature:`, `Rule:` and `Scenario:` /
/// `Scenario Outline:` apply to what follows; docstrings are skipped.
fn parse_feature(file: &Path, text: &str) -> Vec<TaggedScenario> {
    let mut scenarios = Vec::new();
    let mut pending: Vec<String> = Vec::new();
    let mut feature_tags: Vec<String> = Vec::new();
    let mut rule_tags: Vec<String> = Vec::new();
    let mut in_docstring: Option<&str> = None;
    for raw in text.lines() {
        let line = raw.trim();
        if let Some(fence) = in_docstring {
            if line.starts_with(fence) {
                in_docstring = None;
            }
            continue;
        }
        if line.starts_with("\"\"\"") || line.starts_with("```") {
            in_docstring = Some(if line.starts_with("```") { "```" } else { "\"\"\"" });
            continue;
        }
        if line.starts_with('@') {
            pending.extend(tags_on_line(line));
        } else if line.starts_with("Feature:") {
            feature_tags = std::mem::take(&mut pending);
        } else if line.starts_with("Rule:") {
            rule_tags = std::mem::take(&mut pending);
        } else if let Some(name) = ["Scenario Outline:", "Scenario Template:", "Scenario:", "Example:"]
            .iter()
            .find_map(|kw| line.strip_prefix(kw))
        {
            let tags = pending.drain(..).chain(feature_tags.clone()).chain(rule_tags.clone()).collect();
            scenarios.push(TaggedScenario { name: name.trim().to_string(), tags, file: file.to_path_buf() });
        } else if line.starts_with("Examples:") || line.starts_with("Scenarios:") || line.starts_with("Background:") {
            pending.clear();
        }
    }
    scenarios
}

fn all_scenarios() -> Vec<TaggedScenario> {
    let mut files = Vec::new();
    feature_files(&root().join("features"), &mut files);
    files
        .iter()
        .flat_map(|f| parse_feature(f, &fs::read_to_string(f).unwrap_or_default()))
        .collect()
}

/// Requirement id (without `@`) → names of the scenarios tagged with it.
fn scenarios_by_id(scenarios: &[TaggedScenario]) -> BTreeMap<String, BTreeSet<String>> {
    let looks_like_id = Regex::new(TAG_LOOKS_LIKE_ID).expect("constant regex");
    let mut by_id: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for s in scenarios {
        for tag in s.tags.iter().filter(|t| looks_like_id.is_match(t)) {
            by_id.entry(tag[1..].to_string()).or_default().insert(s.name.clone());
        }
    }
    by_id
}

// ---------------------------------------------------------------- matrix

#[derive(Debug)]
struct Row {
    id: String,
    scenarios: BTreeSet<String>,
    modules: Vec<String>,
    line: usize,
}

struct Matrix {
    level: usize,
    path: PathBuf,
    text: String,
    rows: Vec<Row>,
}

fn cells(line: &str) -> Vec<String> {
    let inner = line.trim().trim_start_matches('|').trim_end_matches('|');
    inner.split('|').map(|c| c.trim().to_string()).collect()
}

fn split_list(cell: &str) -> Vec<String> {
    cell.split("<br>")
        .map(|s| s.trim().trim_matches('`').trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

fn parse_matrix(level: usize, path: PathBuf) -> Matrix {
    let text = fs::read_to_string(&path).unwrap_or_default();
    let mut rows = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let row = cells(line);
        if !line.trim_start().starts_with('|') || row.len() < 4 {
            continue;
        }
        let id = row[0].trim_matches('`').to_string();
        if id == "ID" || id.starts_with('-') {
            continue;
        }
        rows.push(Row {
            id,
            scenarios: split_list(&row[2]).into_iter().collect(),
            modules: split_list(&row[3]),
            line: index + 1,
        });
    }
    Matrix { level, path, text, rows }
}

fn matrices() -> Vec<Matrix> {
    (0..MUST_IDS.len())
        .map(|level| (level, root().join(format!("spec/level{level}.md"))))
        .filter(|(_, path)| path.exists())
        .map(|(level, path)| parse_matrix(level, path))
        .collect()
}

fn scenarios_cell(names: &BTreeSet<String>) -> String {
    names.iter().cloned().collect::<Vec<_>>().join("<br>")
}

/// Rewrites the Scenarios cell of every row of `matrix` from the feature tags.
fn rewrite(matrix: &Matrix, by_id: &BTreeMap<String, BTreeSet<String>>) {
    let mut out = String::new();
    for line in matrix.text.lines() {
        let row = cells(line);
        let id = row.first().map(|c| c.trim_matches('`').to_string()).unwrap_or_default();
        if line.trim_start().starts_with('|') && row.len() >= 4 && is_known(&id) {
            let mut row = row;
            row[2] = scenarios_cell(&by_id.get(&id).cloned().unwrap_or_default());
            out.push_str(&format!("| {} |", row.join(" | ")));
        } else {
            out.push_str(line);
        }
        out.push('\n');
    }
    fs::write(&matrix.path, out).expect("rewriting the matrix file");
}

// ---------------------------------------------------------------- tests

#[test]
fn every_must_requirement_of_a_documented_level_has_a_row_and_a_scenario() {
    let by_id = scenarios_by_id(&all_scenarios());
    let mut problems = Vec::new();
    for matrix in matrices() {
        let listed: BTreeSet<&str> = matrix.rows.iter().map(|r| r.id.as_str()).collect();
        for id in MUST_IDS[matrix.level] {
            if !listed.contains(id) {
                problems.push(format!("{}: no row for {id}", matrix.path.display()));
            }
            if by_id.get(*id).is_none_or(BTreeSet::is_empty) {
                problems.push(format!("{id}: no scenario is tagged @{id}"));
            }
        }
    }
    assert!(problems.is_empty(), "uncovered requirements:\n  {}", problems.join("\n  "));
}

#[test]
fn requirement_tags_in_features_name_known_requirements() {
    let looks_like_id = Regex::new(TAG_LOOKS_LIKE_ID).expect("constant regex");
    let problems: Vec<String> = all_scenarios()
        .iter()
        .flat_map(|s| {
            s.tags
                .iter()
                .filter(|t| looks_like_id.is_match(t) && !is_known(&t[1..]))
                .map(move |t| format!("{}: scenario {:?} has unknown requirement tag {t}", s.file.display(), s.name))
        })
        .collect();
    assert!(problems.is_empty(), "unknown requirement tags:\n  {}", problems.join("\n  "));
}

#[test]
fn matrix_rows_name_known_requirements_of_their_level() {
    let mut problems = Vec::new();
    for matrix in matrices() {
        let mut seen = BTreeSet::new();
        for row in &matrix.rows {
            if !is_known(&row.id) {
                problems.push(format!("{}:{}: unknown requirement {}", matrix.path.display(), row.line, row.id));
            } else if level_of(&row.id) != Some(matrix.level) {
                problems.push(format!("{}:{}: {} belongs to another level", matrix.path.display(), row.line, row.id));
            }
            if !seen.insert(row.id.clone()) {
                problems.push(format!("{}:{}: {} is listed twice", matrix.path.display(), row.line, row.id));
            }
        }
    }
    assert!(problems.is_empty(), "bad matrix rows:\n  {}", problems.join("\n  "));
}

#[test]
fn matrix_scenarios_match_the_tagged_scenarios() {
    let by_id = scenarios_by_id(&all_scenarios());
    let update = std::env::var_os("UPDATE_MATRIX").is_some_and(|v| v == "1");
    let mut problems = Vec::new();
    for matrix in matrices() {
        let mut stale = false;
        for row in &matrix.rows {
            let expected = by_id.get(&row.id).cloned().unwrap_or_default();
            if row.scenarios != expected {
                stale = true;
                problems.push(format!(
                    "{}:{}: Scenarios of {} should be:\n    {}",
                    matrix.path.display(),
                    row.line,
                    row.id,
                    scenarios_cell(&expected)
                ));
            }
        }
        if stale && update {
            rewrite(&matrix, &by_id);
        }
    }
    if update {
        return;
    }
    assert!(
        problems.is_empty(),
        "the matrix is out of date (UPDATE_MATRIX=1 rewrites it):\n  {}",
        problems.join("\n  ")
    );
}

#[test]
fn matrix_modules_exist() {
    let mut problems = Vec::new();
    for matrix in matrices() {
        for row in &matrix.rows {
            if row.modules.is_empty() {
                problems.push(format!("{}:{}: {} names no module", matrix.path.display(), row.line, row.id));
            }
            for module in &row.modules {
                if !module.starts_with("src/") || !root().join(module).exists() {
                    problems.push(format!("{}:{}: {} names missing module {module}", matrix.path.display(), row.line, row.id));
                }
            }
        }
    }
    assert!(problems.is_empty(), "missing modules:\n  {}", problems.join("\n  "));
}

#[test]
fn the_gherkin_reader_sees_tags_names_and_skips_docstrings() {
    let text = "@ext-x\nFeature: f\n\n  @L0-ENV-001 @serial\n  Scenario: one\n    When I POST \"/x\" with:\n      \"\"\"\n      @L9-NOT-001\n      Scenario: fake\n      \"\"\"\n\n  @L0-ENV-002\n  Scenario Outline: two <a>\n    Examples:\n      | a |\n";
    let parsed = parse_feature(Path::new("x.feature"), text);
    assert_eq!(parsed.len(), 2);
    assert_eq!(parsed[0].name, "one");
    assert!(parsed[0].tags.contains("@L0-ENV-001") && parsed[0].tags.contains("@ext-x"));
    assert!(!parsed[0].tags.contains("@L9-NOT-001"));
    assert_eq!(parsed[1].name, "two <a>");
    assert!(parsed[1].tags.contains("@L0-ENV-002") && !parsed[1].tags.contains("@serial"));
}
