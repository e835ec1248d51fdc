//! The conformance harness: runs every `features/**/*.feature` over plain HTTP against
//! `ojs-server` (once per backend) or against any OJS server named by `OJS_TEST_URL`.
//!
//! Environment:
//! - `OJS_TEST_URL`      run against this server instead of starting one
//! - `OJS_TEST_BACKENDS` comma list of backends to start (default: see backends.rs)
//! - `OJS_TEST_TAGS`     tag expression selecting scenarios, e.g. `@L1-RET-001` or
//!   `@L0-ENV-003 or @L0-ENV-004`
//!
//! See harness/README.md.

mod backends;
mod gate;
mod jsonpath;
mod server;
mod steps;
mod template;
mod world;

use std::cell::RefCell;
use std::process::ExitCode;
use std::rc::Rc;
use std::time::{Duration, Instant};

use cucumber::gherkin::tagexpr::TagOperation;
use cucumber::gherkin::{Feature, Rule, Scenario};
use cucumber::runner::ScenarioType;
use cucumber::tag::Ext as _;
use cucumber::writer::Stats as _;
use cucumber::World as _;

use crate::backends::BackendSpec;
use crate::gate::Gate;
use crate::server::ServerProcess;
use crate::world::{http_client, set_run_context, OjsWorld, RunContext};

const FEATURES_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/features");
const MAX_CONCURRENT_SCENARIOS: usize = 32;

/// What one run targets.
enum Target {
    External(String),
    Backend(&'static BackendSpec),
}

impl Target {
    fn label(&self) -> String {
        match self {
            Target::External(url) => url.clone(),
            Target::Backend(spec) => format!("backend {}", spec.name),
        }
    }
}

/// The outcome of one run, for the final summary.
struct Outcome {
    label: String,
    passed: usize,
    failed: usize,
    skipped: usize,
    errors: usize,
    skipped_reset: usize,
    problem: Option<String>,
    elapsed: Duration,
}

impl Outcome {
    fn ok(&self) -> bool {
        self.problem.is_none() && self.failed == 0 && self.skipped == 0 && self.errors == 0
    }
}

fn main() -> ExitCode {
    if let Some(code) = handle_libtest_args() {
        return code;
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("conformance: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(run())
}

/// `cargo test <filter>` passes the filter to every test binary. Behave like a libtest
/// binary holding one test named `conformance`, so unrelated filters skip the long run.
fn handle_libtest_args() -> Option<ExitCode> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--list") {
        println!("conformance: test");
        return Some(ExitCode::SUCCESS);
    }
    if args.iter().any(|a| a == "--ignored") {
        return Some(ExitCode::SUCCESS);
    }
    let filters: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
    if !filters.is_empty() && !filters.iter().any(|f| "conformance".contains(f.as_str())) {
        println!("conformance: skipped (filter {filters:?} does not match)");
        return Some(ExitCode::SUCCESS);
    }
    None
}

async fn run() -> ExitCode {
    let tags = match std::env::var("OJS_TEST_TAGS") {
        Ok(expr) if !expr.trim().is_empty() => match expr.parse::<TagOperation>() {
            Ok(op) => Some(op),
            Err(e) => {
                eprintln!("conformance: OJS_TEST_TAGS={expr:?} is not a tag expression: {e}");
                return ExitCode::FAILURE;
            }
        },
        _ => None,
    };
    let targets = match std::env::var("OJS_TEST_URL") {
        Ok(url) if !url.trim().is_empty() => vec![Target::External(url.trim().trim_end_matches('/').to_string())],
        _ => match backends::requested() {
            Ok(specs) => specs.into_iter().map(Target::Backend).collect(),
            Err(e) => {
                eprintln!("conformance: {e}");
                return ExitCode::FAILURE;
            }
        },
    };

    let mut outcomes = Vec::new();
    for target in targets {
        outcomes.push(run_target(target, tags.clone()).await);
    }

    println!("\n==== conformance summary ====");
    for o in &outcomes {
        let verdict = if o.ok() { "PASS" } else { "FAIL" };
        println!(
            "{verdict} {}: {} steps passed, {} failed, {} skipped, {} parse/hook errors, {} @reset scenarios not run ({:.1} s)",
            o.label, o.passed, o.failed, o.skipped, o.errors, o.skipped_reset, o.elapsed.as_secs_f64()
        );
        if let Some(problem) = &o.problem {
            println!("     {problem}");
        }
    }
    backends_hint();
    // One plain closing line that any CI log reader understands.
    let passed: usize = outcomes.iter().map(|o| o.passed).sum();
    let failed: usize = outcomes.iter().map(|o| o.failed + o.errors + usize::from(o.problem.is_some())).sum();
    println!("conformance: {passed} passed, {failed} failed");
    if outcomes.iter().all(Outcome::ok) {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn backends_hint() {
    if std::env::var("OJS_TEST_URL").is_err() && std::env::var("OJS_TEST_BACKENDS").is_err() {
        println!(
            "(ran every backend this build knows, {:?}; set OJS_TEST_BACKENDS to choose)",
            backends::DEFAULT_BACKENDS
        );
    }
}

async fn run_target(target: Target, tags: Option<TagOperation>) -> Outcome {
    let started = Instant::now();
    let label = target.label();
    let mut outcome = Outcome {
        label: label.clone(),
        passed: 0,
        failed: 0,
        skipped: 0,
        errors: 0,
        skipped_reset: 0,
        problem: None,
        elapsed: Duration::ZERO,
    };
    let client = http_client();
    println!("\n==== conformance: {label} ====");

    let mut server = None;
    let mut peer: Option<ServerProcess> = None;
    let base_url = match &target {
        Target::External(url) => url.clone(),
        Target::Backend(spec) => {
            let run_tag = format!("{:012x}", rand::random::<u64>() & 0xffff_ffff_ffff);
            let provisioned = match spec.provision(&run_tag).await {
                Ok(p) => p,
                Err(e) => {
                    outcome.problem = Some(e);
                    return outcome;
                }
            };
            println!("backend {} uses {}", spec.name, provisioned.description);
            match ServerProcess::start(spec.name, &provisioned.env, &client).await {
                Ok(s) => {
                    let url = s.base_url.clone();
                    println!("ojs-server is up at {url} (log: {})", s.log_path.display());
                    // A second process on the same backend proves cross-process guarantees.
                    if spec.shared() {
                        match ServerProcess::start(&format!("{}-peer", spec.name), &provisioned.env, &client).await {
                            Ok(p) => {
                                println!("second ojs-server is up at {} (log: {})", p.base_url, p.log_path.display());
                                peer = Some(p);
                            }
                            Err(e) => {
                                outcome.problem = Some(format!("second server: {e}"));
                                return outcome;
                            }
                        }
                    }
                    server = Some((s, provisioned));
                    url
                }
                Err(e) => {
                    outcome.problem = Some(e);
                    return outcome;
                }
            }
        }
    };

    let peer_url = peer.as_ref().map(|p| p.base_url.clone());
    let two_servers = peer_url.is_some();
    if !two_servers {
        println!("scenarios tagged @two-servers will not run: they need a backend shared by two server processes");
    }
    let backend_env = server.as_ref().map(|(_, p)| p.env.clone()).unwrap_or_default();
    let backend_name = backend_env.iter().find(|(k, _)| k == "OJS_BACKEND").map(|(_, v)| v.clone());
    let sql_available = backend_name.as_deref() == Some("postgres");
    if !sql_available {
        println!("scenarios tagged @postgres-sql will not run: they enqueue through SQL on a PostgreSQL backend");
    }
    set_run_context(RunContext { base_url: base_url.clone(), client: client.clone(), peer_url, backend_env: backend_env.clone() });
    let reset = probe_reset(&client, &base_url).await;
    if let Err(reason) = &reset {
        println!("scenarios tagged @reset will not run: {reason}");
    }
    let reset_available = reset.is_ok();

    let skipped_reset = Rc::new(RefCell::new(Vec::<String>::new()));
    let skipped_reset_in_filter = Rc::clone(&skipped_reset);
    let gate_before = Gate::default();
    let gate_after = gate_before.clone();
    let writer = OjsWorld::cucumber()
        .max_concurrent_scenarios(MAX_CONCURRENT_SCENARIOS)
        .which_scenario(|feature, rule, scenario| {
            if runs_alone(feature, rule, scenario) {
                ScenarioType::Serial
            } else {
                ScenarioType::Concurrent
            }
        })
        .before(move |feature, rule, scenario, _world| {
            let gate = gate_before.clone();
            let exclusive = runs_alone(feature, rule, scenario);
            Box::pin(async move { gate.enter(scenario, exclusive).await })
        })
        .after(move |_feature, _rule, scenario, _finished, _world| {
            gate_after.leave(scenario);
            Box::pin(async {})
        })
        .fail_on_skipped()
        .with_default_cli()
        .filter_run(FEATURES_DIR, move |feature, rule, scenario| {
            if let Some(op) = &tags {
                if !op.eval(all_tags(feature, rule, scenario)) {
                    return false;
                }
            }
            if !sql_available && has_tag(feature, rule, scenario, "postgres-sql") {
                return false;
            }
            if !two_servers && has_tag(feature, rule, scenario, "two-servers") {
                return false;
            }
            if !reset_available && has_tag(feature, rule, scenario, "reset") {
                skipped_reset_in_filter.borrow_mut().push(scenario.name.clone());
                return false;
            }
            true
        })
        .await;

    outcome.passed = writer.passed_steps();
    outcome.failed = writer.failed_steps();
    outcome.skipped = writer.skipped_steps();
    outcome.errors = writer.parsing_errors() + writer.hook_errors();
    outcome.skipped_reset = skipped_reset.borrow().len();
    for name in skipped_reset.borrow().iter() {
        println!("not run (needs reset): {name}");
    }
    if outcome.passed + outcome.failed + outcome.skipped == 0 {
        outcome.problem = Some("no scenario was selected (check OJS_TEST_TAGS)".into());
    }

    // Leave no test data behind in a shared Redis or PostgreSQL.
    if server.is_some() && reset_available {
        let _ = client.post(format!("{base_url}/ojs/v1/admin/reset")).send().await;
    }

    if let Some(mut p) = peer {
        p.stop().await;
    }
    if let Some((mut s, _provisioned)) = server {
        s.stop().await;
        if !outcome.ok() {
            println!("server log of this run: {}", s.log_path.display());
        }
    }
    // The run's PostgreSQL schema goes once no server uses it.
    if sql_available {
        crate::steps::sql::drop_run_schema(&backend_env).await;
    }
    outcome.elapsed = started.elapsed();
    outcome
}

/// `Ok` when `POST /ojs/v1/admin/reset` answers 200, else the reason it is unusable.
async fn probe_reset(client: &reqwest::Client, base_url: &str) -> Result<(), String> {
    match client.post(format!("{base_url}/ojs/v1/admin/reset")).send().await {
        Ok(r) if r.status().as_u16() == 200 => Ok(()),
        Ok(r) => Err(format!("POST /ojs/v1/admin/reset answered {}", r.status())),
        Err(e) => Err(format!("POST /ojs/v1/admin/reset failed: {e}")),
    }
}

fn all_tags<'a>(feature: &'a Feature, rule: Option<&'a Rule>, scenario: &'a Scenario) -> Vec<&'a String> {
    scenario
        .tags
        .iter()
        .chain(rule.iter().flat_map(|r| &r.tags))
        .chain(&feature.tags)
        .collect()
}

/// `@serial` and `@reset` scenarios run with no other scenario in flight.
fn runs_alone(feature: &Feature, rule: Option<&Rule>, scenario: &Scenario) -> bool {
    has_tag(feature, rule, scenario, "serial") || has_tag(feature, rule, scenario, "reset")
}

fn has_tag(feature: &Feature, rule: Option<&Rule>, scenario: &Scenario, tag: &str) -> bool {
    all_tags(feature, rule, scenario).iter().any(|t| t.as_str() == tag)
}
