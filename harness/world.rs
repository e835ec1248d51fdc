//! The per-scenario state (`OjsWorld`) and the run-wide context every scenario reads.

use std::collections::HashMap;
use std::sync::RwLock;
use std::time::Duration;

use cucumber::World;
use reqwest::header::HeaderMap;
use serde_json::Value;

use crate::{jsonpath, template};

/// What every scenario of one run shares: where the server is and a pooled HTTP client.
#[derive(Clone, Debug)]
pub struct RunContext {
    pub base_url: String,
    pub client: reqwest::Client,
    /// A second server process on the same backend (shared backends only), for `@two-servers` scenarios.
    pub peer_url: Option<String>,
    /// The environment the harness gave the server (`OJS_BACKEND`, `DATABASE_URL`, `OJS_PG_SCHEMA`, …);
    /// empty when testing an external server.
    pub backend_env: Vec<(String, String)>,
}

impl RunContext {
    pub fn backend_var(&self, name: &str) -> Option<&str> {
        self.backend_env.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// The same context, pointed at the peer server.
    pub fn peer(&self) -> Result<RunContext, String> {
        let url = self.peer_url.clone().ok_or("this run has no second server (needs a shared backend)")?;
        Ok(RunContext { base_url: url, client: self.client.clone(), peer_url: None, backend_env: self.backend_env.clone() })
    }
}

static RUN_CONTEXT: RwLock<Option<RunContext>> = RwLock::new(None);

/// Points all scenarios created from now on at `ctx` (one run per backend, one after another).
pub fn set_run_context(ctx: RunContext) {
    *RUN_CONTEXT.write().unwrap_or_else(|e| e.into_inner()) = Some(ctx);
}

fn run_context() -> Result<RunContext, String> {
    RUN_CONTEXT
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .clone()
        .ok_or_else(|| "no server configured for this run".to_string())
}

/// Builds the shared HTTP client. Requests may legitimately take up to the 30 s long-poll
/// limit, so the timeout is above that.
pub fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(45))
        .pool_max_idle_per_host(64)
        .build()
        .expect("building the HTTP client cannot fail with these options")
}

/// Result type of every step: the error text becomes the step's failure message.
pub type StepResult = Result<(), String>;

/// One HTTP exchange as the assertions see it.
#[derive(Debug, Clone)]
pub struct Reply {
    pub method: String,
    pub path: String,
    pub status: u16,
    pub headers: HeaderMap,
    pub body: String,
    pub json: Option<Value>,
}

impl Reply {
    /// Short description used in failure messages.
    pub fn describe(&self) -> String {
        let mut body = self.body.clone();
        if body.len() > 1500 {
            let mut cut = 1500;
            while !body.is_char_boundary(cut) {
                cut -= 1;
            }
            body.truncate(cut);
            body.push('…');
        }
        format!("{} {} → {} {}", self.method, self.path, self.status, body)
    }
}

/// A request, already templated, ready to send.
pub struct Outgoing {
    pub method: reqwest::Method,
    pub path: String,
    pub content_type: Option<String>,
    pub body: Option<Vec<u8>>,
}

#[derive(Debug, World)]
#[world(init = Self::new)]
pub struct OjsWorld {
    pub ctx: RunContext,
    /// 8 lowercase hex characters unique to this scenario.
    pub suffix: String,
    /// Values saved by `I save the response field …` and the `… saved as` steps.
    pub saved: HashMap<String, Value>,
    /// The most recent response ("the response").
    pub last: Option<Reply>,
    /// Extra headers for the next request only.
    pub next_headers: Vec<(String, String)>,
    /// Job ids delivered by the concurrent-worker step, in delivery order.
    pub delivered: Vec<String>,
    /// Problems the concurrent workers ran into (failed acks, transport errors).
    pub worker_problems: Vec<String>,
    /// Status codes recorded by the concurrent-clients step.
    pub concurrent_statuses: Vec<u16>,
}

impl OjsWorld {
    async fn new() -> Result<Self, std::io::Error> {
        let ctx = run_context().map_err(std::io::Error::other)?;
        let suffix = format!("{:08x}", rand::random::<u32>());
        Ok(Self {
            ctx,
            suffix,
            saved: HashMap::new(),
            last: None,
            next_headers: Vec::new(),
            delivered: Vec::new(),
            worker_problems: Vec::new(),
            concurrent_statuses: Vec::new(),
        })
    }

    /// Expands `{{…}}` placeholders (see notes/steps.md): saved names, scenario-unique
    /// names, `now±offset`, and `uuidv7:NAME` (a fresh lowercase UUIDv7 saved under NAME).
    pub fn expand(&mut self, text: &str) -> Result<String, String> {
        let suffix = self.suffix.clone();
        let saved = &mut self.saved;
        template::expand(text, &mut |name| {
            if let Some(value) = saved.get(name) {
                return Ok(match value {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                });
            }
            if let Some(ts) = template::now_placeholder(name, chrono::Utc::now()) {
                return Ok(ts);
            }
            if let Some(key) = name.strip_prefix("uuidv7:") {
                let id = uuid::Uuid::now_v7().to_string();
                saved.insert(key.to_string(), Value::String(id.clone()));
                return Ok(id);
            }
            Ok(format!("{name}-{suffix}"))
        })
    }

    /// Parses a JSON step argument after templating.
    pub fn expand_json(&mut self, text: &str) -> Result<Value, String> {
        let text = self.expand(text)?;
        serde_json::from_str(text.trim()).map_err(|e| format!("step argument {text:?} is not JSON: {e}"))
    }

    /// Sends a request (consuming any one-shot headers) without touching "the response".
    pub async fn exchange(&mut self, out: Outgoing) -> Result<Reply, String> {
        let headers = std::mem::take(&mut self.next_headers);
        send(&self.ctx, out, &headers).await
    }

    /// Sends a request and makes its reply "the response".
    pub async fn request(&mut self, out: Outgoing) -> StepResult {
        let reply = self.exchange(out).await?;
        self.last = Some(reply);
        Ok(())
    }

    pub fn json_request(method: reqwest::Method, path: String, body: &str) -> Outgoing {
        Outgoing {
            method,
            path,
            content_type: Some("application/json".into()),
            body: Some(body.as_bytes().to_vec()),
        }
    }

    pub fn last(&self) -> Result<&Reply, String> {
        self.last.as_ref().ok_or_else(|| "no request has been sent yet".to_string())
    }

    /// The JSON body of the response, or a failure explaining why there is none.
    pub fn last_json(&self) -> Result<&Value, String> {
        let reply = self.last()?;
        reply
            .json
            .as_ref()
            .ok_or_else(|| format!("response body is not JSON: {}", reply.describe()))
    }

    /// Evaluates a path on the response body (`None` when absent).
    pub fn field(&mut self, path: &str) -> Result<Option<Value>, String> {
        let path = self.expand(path)?;
        jsonpath::eval(self.last_json()?, &path)
    }

    /// Push helper for the `Given … saved as` steps: asserts 201 and saves `$.job.id`.
    pub async fn push_and_save(&mut self, body: &str, name: &str) -> StepResult {
        let out = Self::json_request(reqwest::Method::POST, "/ojs/v1/jobs".into(), body);
        self.request(out).await?;
        let reply = self.last()?;
        if reply.status != 201 {
            return Err(format!("push expected 201, got {}", reply.describe()));
        }
        let Some(id) = self.field("$.job.id")? else {
            return Err(format!("push response has no $.job.id: {}", self.last()?.describe()));
        };
        self.saved.insert(name.to_string(), id);
        Ok(())
    }
}

/// Sends one request against the run's server.
pub async fn send(ctx: &RunContext, out: Outgoing, headers: &[(String, String)]) -> Result<Reply, String> {
    let url = if out.path.starts_with("http://") || out.path.starts_with("https://") {
        out.path.clone()
    } else {
        format!("{}{}", ctx.base_url, out.path)
    };
    let mut builder = ctx.client.request(out.method.clone(), &url);
    if let Some(ct) = &out.content_type {
        builder = builder.header(reqwest::header::CONTENT_TYPE, ct);
    }
    for (name, value) in headers {
        builder = builder.header(name.as_str(), value.as_str());
    }
    if let Some(body) = out.body {
        builder = builder.body(body);
    }
    let response = builder
        .send()
        .await
        .map_err(|e| format!("{} {} failed: {e}", out.method, out.path))?;
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let bytes = response
        .bytes()
        .await
        .map_err(|e| format!("reading the body of {} {} failed: {e}", out.method, out.path))?;
    let body = String::from_utf8_lossy(&bytes).into_owned();
    let json = serde_json::from_slice(&bytes).ok();
    Ok(Reply {
        method: out.method.to_string(),
        path: out.path,
        status,
        headers,
        body,
        json,
    })
}
