//! Workflow rules, backend-free: building a workflow and its first members, and advancing it when a
//! member reaches a terminal state (chain: next step with `parent_results`; group/batch: completion and
//! batch callbacks exactly once).

use crate::error::{OjsError, OjsResult};
use crate::level0_core::envelope::{parse_push, PushDefaults};
use crate::model::job::{Job, JobState, WorkflowRef};
use crate::model::time::{format_ts, Timestamp};
use crate::model::workflow::{MemberOutcome, Workflow, WorkflowKind, WorkflowState};
use serde_json::{json, Map, Value};

/// A member job built from a template (`{type, args, options?, meta?}`), tagged with its workflow.
fn member_job(template: &Value, workflow_id: &str, index: Option<u32>, now: Timestamp) -> OjsResult<Job> {
    let obj = template.as_object().ok_or_else(|| OjsError::invalid("each workflow job must be an object"))?;
    let mut job = parse_push(obj, None, PushDefaults { now })?.new_job.job;
    job.workflow = Some(WorkflowRef { id: workflow_id.to_string(), index });
    Ok(job)
}

/// A new workflow and the jobs to enqueue with it.
pub struct Created {
    pub workflow: Workflow,
    pub jobs: Vec<Job>,
}

pub fn create(body: &Map<String, Value>, id: String, now: Timestamp) -> OjsResult<Created> {
    let kind = match body.get("type").and_then(Value::as_str) {
        Some("chain") => WorkflowKind::Chain,
        Some("group") => WorkflowKind::Group,
        Some("batch") => WorkflowKind::Batch,
        Some(other) => return Err(OjsError::invalid(format!("workflow type '{other}' is not chain, group or batch"))),
        None => return Err(OjsError::invalid("workflow type is required (chain, group or batch)")),
    };
    let list_key = if kind == WorkflowKind::Chain { "steps" } else { "jobs" };
    let templates = match body.get(list_key).or_else(|| body.get(if kind == WorkflowKind::Chain { "jobs" } else { "steps" })) {
        Some(Value::Array(items)) if !items.is_empty() => items.clone(),
        Some(Value::Array(_)) => return Err(OjsError::invalid(format!("workflow {list_key} must not be empty"))),
        _ => return Err(OjsError::invalid(format!("workflow {list_key} must be a non-empty array of jobs"))),
    };
    // Validate every member (and callback) now so a bad step fails the create, not a later ack.
    for (index, t) in templates.iter().enumerate() {
        member_job(t, &id, Some(index as u32), now)
            .map_err(|e| OjsError::invalid_at(format!("{list_key}[{index}]: {e}"), json!({"index": index})))?;
    }
    let callbacks = match body.get("callbacks") {
        None | Some(Value::Null) => None,
        Some(Value::Object(c)) => {
            for (name, t) in c {
                if !matches!(name.as_str(), "on_complete" | "on_success" | "on_failure") {
                    return Err(OjsError::invalid(format!("unknown callback '{name}' (use on_complete, on_success, on_failure)")));
                }
                member_job(t, &id, None, now).map_err(|e| OjsError::invalid(format!("callbacks.{name}: {e}")))?;
            }
            Some(Value::Object(c.clone()))
        }
        Some(_) => return Err(OjsError::invalid("callbacks must be an object")),
    };
    let name = body.get("name").and_then(Value::as_str).map(str::to_string);
    let n = templates.len();
    let mut workflow = Workflow {
        id: id.clone(),
        kind,
        name,
        state: WorkflowState::Running,
        created_at: now,
        completed_at: None,
        cancelled_at: None,
        templates,
        member_ids: vec![None; n],
        outcomes: vec![None; n],
        results: vec![None; n],
        callbacks,
        callback_ids: Vec::new(),
        version: 1,
    };
    let first = if kind == WorkflowKind::Chain { 1 } else { n };
    let mut jobs = Vec::with_capacity(first);
    for index in 0..first {
        let job = member_job(&workflow.templates[index], &id, Some(index as u32), now)?;
        workflow.member_ids[index] = Some(job.id.clone());
        jobs.push(job);
    }
    Ok(Created { workflow, jobs })
}

/// The workflow after one member finished, plus the jobs to enqueue in the same commit.
pub struct Advanced {
    pub workflow: Workflow,
    pub inserts: Vec<Job>,
}

fn outcome_of(job: &Job) -> Option<MemberOutcome> {
    match job.state {
        JobState::Completed => Some(MemberOutcome::Succeeded),
        JobState::Discarded => Some(MemberOutcome::Failed),
        JobState::Cancelled => Some(MemberOutcome::Cancelled),
        _ => None,
    }
}

/// Advances `workflow` given that member `finished` reached a terminal state. `None` when the workflow
/// has nothing to record (it is already terminal, or the member is a callback).
pub fn advance(workflow: &Workflow, finished: &Job, now: Timestamp) -> OjsResult<Option<Advanced>> {
    let (Some(outcome), Some(index)) = (outcome_of(finished), finished.workflow.as_ref().and_then(|w| w.index)) else {
        return Ok(None);
    };
    if workflow.state.is_terminal() {
        return Ok(None);
    }
    let i = index as usize;
    let mut next = workflow.clone();
    next.version += 1;
    if i >= next.outcomes.len() || next.outcomes[i].is_some() {
        return Ok(None);
    }
    next.outcomes[i] = Some(outcome);
    next.results[i] = finished.result.clone();
    let mut inserts = Vec::new();
    match next.kind {
        WorkflowKind::Chain => match outcome {
            MemberOutcome::Succeeded if i + 1 < next.templates.len() => {
                let mut job = member_job(&next.templates[i + 1], &next.id, Some(i as u32 + 1), now)?;
                job.parent_results = Some(next.results[..=i].iter().map(|r| r.clone().unwrap_or(Value::Null)).collect());
                next.member_ids[i + 1] = Some(job.id.clone());
                inserts.push(job);
            }
            MemberOutcome::Succeeded => finish(&mut next, WorkflowState::Completed, now),
            MemberOutcome::Failed | MemberOutcome::Cancelled => finish(&mut next, WorkflowState::Failed, now),
        },
        WorkflowKind::Group | WorkflowKind::Batch => {
            if next.outcomes.iter().all(Option::is_some) {
                let failures = next.outcomes.iter().filter(|o| **o != Some(MemberOutcome::Succeeded)).count();
                let state = if failures == 0 { WorkflowState::Completed } else { WorkflowState::Failed };
                finish(&mut next, state, now);
                if next.kind == WorkflowKind::Batch {
                    inserts = callbacks(&mut next, failures, now)?;
                }
            }
        }
    }
    Ok(Some(Advanced { workflow: next, inserts }))
}

fn finish(workflow: &mut Workflow, state: WorkflowState, now: Timestamp) {
    workflow.state = state;
    workflow.completed_at = Some(now);
}

/// Batch callbacks, decided once when the last member finishes.
fn callbacks(workflow: &mut Workflow, failures: usize, now: Timestamp) -> OjsResult<Vec<Job>> {
    let Some(Value::Object(defs)) = workflow.callbacks.clone() else { return Ok(Vec::new()) };
    let results: Vec<Value> = workflow.results.iter().map(|r| r.clone().unwrap_or(Value::Null)).collect();
    let mut jobs = Vec::new();
    for name in ["on_complete", "on_success", "on_failure"] {
        let wanted = match name {
            "on_success" => failures == 0,
            "on_failure" => failures > 0,
            _ => true,
        };
        if let (true, Some(template)) = (wanted, defs.get(name)) {
            let mut job = member_job(template, &workflow.id, None, now)?;
            job.parent_results = Some(results.clone());
            workflow.callback_ids.push(job.id.clone());
            jobs.push(job);
        }
    }
    Ok(jobs)
}

/// Wire shape of a workflow.
pub fn render(w: &Workflow) -> Value {
    let succeeded = w.outcomes.iter().filter(|o| **o == Some(MemberOutcome::Succeeded)).count();
    let failed = w.outcomes.iter().filter(|o| matches!(o, Some(MemberOutcome::Failed | MemberOutcome::Cancelled))).count();
    let kind = match w.kind {
        WorkflowKind::Chain => "chain",
        WorkflowKind::Group => "group",
        WorkflowKind::Batch => "batch",
    };
    let mut out = json!({
        "id": w.id,
        "type": kind,
        "name": w.name,
        "state": w.state.as_str(),
        "created_at": format_ts(w.created_at),
        "job_ids": w.member_ids,
    });
    if w.kind == WorkflowKind::Chain {
        out["steps_total"] = w.templates.len().into();
        out["steps_completed"] = succeeded.into();
        out["steps_failed"] = failed.into();
    } else {
        out["jobs_total"] = w.templates.len().into();
        out["jobs_completed"] = succeeded.into();
        out["jobs_failed"] = failed.into();
    }
    if let Some(c) = &w.callbacks {
        out["callbacks"] = c.clone();
        out["callback_job_ids"] = json!(w.callback_ids);
    }
    if let Some(t) = w.completed_at {
        out["completed_at"] = format_ts(t).into();
    }
    if let Some(t) = w.cancelled_at {
        out["cancelled_at"] = format_ts(t).into();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::level0_core::state;

    fn body(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    fn step(t: &str) -> Value {
        json!({"type": t, "args": []})
    }

    #[test]
    fn chain_enqueues_one_step_at_a_time_with_parent_results() {
        let now = crate::model::time::now();
        let c = create(&body(json!({"type": "chain", "steps": [step("a"), step("b"), step("c")]})), "w".into(), now).unwrap();
        assert_eq!(c.jobs.len(), 1);
        let mut first = c.jobs[0].clone();
        first.state = JobState::Active;
        let done = state::complete(first, Some(json!({"report_id": 7})), now);
        let a = advance(&c.workflow, &done, now).unwrap().unwrap();
        assert_eq!(a.inserts.len(), 1);
        assert_eq!(a.inserts[0].kind, "b");
        assert_eq!(a.inserts[0].parent_results.as_ref().unwrap()[0]["report_id"], 7);
        assert_eq!(a.workflow.state, WorkflowState::Running);
    }

    #[test]
    fn failed_chain_step_fails_the_workflow() {
        let now = crate::model::time::now();
        let c = create(&body(json!({"type": "chain", "steps": [step("a"), step("b")]})), "w".into(), now).unwrap();
        let mut failed = c.jobs[0].clone();
        failed.state = JobState::Discarded;
        let a = advance(&c.workflow, &failed, now).unwrap().unwrap();
        assert!(a.inserts.is_empty());
        assert_eq!(a.workflow.state, WorkflowState::Failed);
    }

    #[test]
    fn batch_fires_matching_callbacks_once() {
        let now = crate::model::time::now();
        let c = create(
            &body(json!({"type": "batch", "jobs": [step("a"), step("b")],
                "callbacks": {"on_complete": step("done"), "on_success": step("ok"), "on_failure": step("bad")}})),
            "w".into(),
            now,
        )
        .unwrap();
        assert_eq!(c.jobs.len(), 2);
        let mut a = c.jobs[0].clone();
        a.state = JobState::Completed;
        let w1 = advance(&c.workflow, &a, now).unwrap().unwrap();
        assert!(w1.inserts.is_empty());
        let mut b = c.jobs[1].clone();
        b.state = JobState::Discarded;
        let w2 = advance(&w1.workflow, &b, now).unwrap().unwrap();
        let kinds: Vec<&str> = w2.inserts.iter().map(|j| j.kind.as_str()).collect();
        assert_eq!(kinds, vec!["done", "bad"]);
        assert_eq!(w2.workflow.state, WorkflowState::Failed);
        // A repeated report of the same member changes nothing.
        assert!(advance(&w2.workflow, &b, now).unwrap().is_none());
    }

    #[test]
    fn invalid_shapes_are_rejected() {
        let now = crate::model::time::now();
        assert!(create(&body(json!({"steps": [step("a")]})), "w".into(), now).is_err());
        assert!(create(&body(json!({"type": "dag", "steps": [step("a")]})), "w".into(), now).is_err());
        assert!(create(&body(json!({"type": "chain", "steps": []})), "w".into(), now).is_err());
        assert!(create(&body(json!({"type": "group", "jobs": [{"type": "BAD", "args": []}]})), "w".into(), now).is_err());
    }
}
