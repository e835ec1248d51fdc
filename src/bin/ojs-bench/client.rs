//! The HTTP side: one keep-alive `reqwest::Client` and the few OJS endpoints the bench drives.
//! Responses are decoded into minimal structs so the bench spends little CPU on parsing.

use std::time::Duration;

use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Value};

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("{path}: request failed: {source}")]
    Transport {
        path: String,
        #[source]
        source: reqwest::Error,
    },
    #[error("{path}: HTTP {status}: {body}")]
    Status { path: String, status: u16, body: String },
    #[error("{path}: unexpected response body: {source}")]
    Decode {
        path: String,
        #[source]
        source: serde_json::Error,
    },
}

#[derive(Clone)]
pub struct OjsClient {
    http: reqwest::Client,
    base: String,
}

/// A job as seen by a worker: only what the bench needs.
#[derive(Deserialize, Debug)]
pub struct FetchedJob {
    pub id: String,
    #[serde(default)]
    pub args: Vec<Value>,
}

#[derive(Deserialize)]
struct IdOnly {
    id: String,
}

#[derive(Deserialize)]
struct PushResponse {
    job: IdOnly,
}

#[derive(Deserialize)]
struct BatchResponse {
    jobs: Vec<IdOnly>,
}

#[derive(Deserialize)]
struct FetchResponse {
    #[serde(default)]
    jobs: Vec<FetchedJob>,
}

#[derive(Deserialize)]
struct BatchAckResponse {
    #[serde(default)]
    results: Vec<BatchAckItem>,
}

#[derive(Deserialize)]
struct BatchAckItem {
    #[serde(default)]
    acknowledged: bool,
}

#[derive(Deserialize)]
struct StatsResponse {
    queue: QueueStats,
}

#[derive(Deserialize, Debug, Clone, Copy)]
pub struct QueueStats {
    #[serde(default)]
    pub available: u64,
    #[serde(default)]
    pub active: u64,
}

/// Parameters of one `POST /ojs/v1/workers/fetch`.
pub struct FetchRequest<'a> {
    pub queue: &'a str,
    pub count: u64,
    pub wait_ms: Option<u64>,
    pub visibility_timeout_ms: u64,
    pub worker_id: &'a str,
}

impl OjsClient {
    /// `connections` sizes the keep-alive pool to the bench's concurrency.
    pub fn new(base_url: &str, connections: usize) -> Result<Self, ClientError> {
        let http = reqwest::Client::builder()
            .pool_max_idle_per_host(connections)
            .pool_idle_timeout(Duration::from_secs(90))
            .tcp_nodelay(true)
            .timeout(Duration::from_secs(120))
            .build()
            .map_err(|source| ClientError::Transport { path: base_url.to_string(), source })?;
        Ok(Self { http, base: base_url.trim_end_matches('/').to_string() })
    }

    pub async fn manifest(&self) -> Result<Value, ClientError> {
        self.get("/ojs/manifest").await
    }

    /// Batch enqueue; returns the ids in request order.
    pub async fn push_batch(&self, jobs: Vec<Value>) -> Result<Vec<String>, ClientError> {
        let response: BatchResponse = self.post("/ojs/v1/jobs/batch", &json!({ "jobs": jobs })).await?;
        Ok(response.jobs.into_iter().map(|job| job.id).collect())
    }

    pub async fn push_one(&self, job: &Value) -> Result<String, ClientError> {
        let response: PushResponse = self.post("/ojs/v1/jobs", job).await?;
        Ok(response.job.id)
    }

    pub async fn fetch(&self, request: &FetchRequest<'_>) -> Result<Vec<FetchedJob>, ClientError> {
        let mut body = json!({
            "queues": [request.queue],
            "count": request.count,
            "worker_id": request.worker_id,
            "visibility_timeout_ms": request.visibility_timeout_ms,
        });
        if let Some(wait_ms) = request.wait_ms {
            body["wait_ms"] = json!(wait_ms);
        }
        let response: FetchResponse = self.post("/ojs/v1/workers/fetch", &body).await?;
        Ok(response.jobs)
    }

    pub async fn ack_one(&self, job_id: &str) -> Result<(), ClientError> {
        let _: Value = self.post("/ojs/v1/workers/ack", &json!({ "job_id": job_id })).await?;
        Ok(())
    }

    /// Batch ack (extension "batch-ack"); returns how many the server acknowledged.
    pub async fn ack_batch(&self, job_ids: &[String]) -> Result<usize, ClientError> {
        let acks: Vec<Value> = job_ids.iter().map(|id| json!({ "job_id": id })).collect();
        let response: BatchAckResponse = self.post("/ojs/v1/workers/ack", &json!({ "acks": acks })).await?;
        Ok(response.results.iter().filter(|item| item.acknowledged).count())
    }

    pub async fn queue_stats(&self, queue: &str) -> Result<QueueStats, ClientError> {
        let response: StatsResponse = self.get(&format!("/ojs/v1/queues/{queue}/stats")).await?;
        Ok(response.queue)
    }

    async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, ClientError> {
        let request = self.http.get(format!("{}{}", self.base, path));
        self.send(path, request).await
    }

    async fn post<T: DeserializeOwned>(&self, path: &str, body: &Value) -> Result<T, ClientError> {
        let request = self.http.post(format!("{}{}", self.base, path)).json(body);
        self.send(path, request).await
    }

    async fn send<T: DeserializeOwned>(
        &self,
        path: &str,
        request: reqwest::RequestBuilder,
    ) -> Result<T, ClientError> {
        let transport = |source| ClientError::Transport { path: path.to_string(), source };
        let response = request.send().await.map_err(transport)?;
        let status = response.status();
        let bytes = response.bytes().await.map_err(transport)?;
        if !status.is_success() {
            let body = String::from_utf8_lossy(&bytes[..bytes.len().min(300)]).into_owned();
            return Err(ClientError::Status { path: path.to_string(), status: status.as_u16(), body });
        }
        serde_json::from_slice(&bytes).map_err(|source| ClientError::Decode { path: path.to_string(), source })
    }
}
