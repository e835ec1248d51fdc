//! What the bench learns from `GET /ojs/manifest`: identity, backend and the optional
//! features that change how it drives the server.

use serde::Serialize;
use serde_json::Value;

#[derive(Serialize, Debug, Clone)]
pub struct ServerInfo {
    pub implementation: String,
    pub version: String,
    pub backend: String,
    pub spec_version: String,
    pub conformance_level: Value,
    pub batch_enqueue: bool,
    pub batch_ack: bool,
    pub long_poll: bool,
}

impl ServerInfo {
    pub fn from_manifest(manifest: &Value) -> Self {
        let text = |value: &Value| value.as_str().map(str::to_string);
        let implementation = &manifest["implementation"];
        let experimental = experimental_extensions(manifest);
        Self {
            implementation: text(&implementation["name"]).unwrap_or_else(|| "unknown".into()),
            version: text(&implementation["version"]).unwrap_or_else(|| "unknown".into()),
            backend: text(&manifest["backend"])
                .or_else(|| text(&implementation["backend"]))
                .unwrap_or_else(|| "unknown".into()),
            spec_version: text(&manifest["specversion"])
                .or_else(|| text(&manifest["ojs_version"]))
                .unwrap_or_else(|| "unknown".into()),
            conformance_level: manifest["conformance_level"].clone(),
            batch_enqueue: manifest["capabilities"]["batch_enqueue"].as_bool().unwrap_or(false),
            batch_ack: experimental.iter().any(|name| name == "batch-ack"),
            long_poll: experimental.iter().any(|name| name == "fetch-long-poll"),
        }
    }
}

/// `extensions.experimental` may list plain names or objects with a `name` field.
fn experimental_extensions(manifest: &Value) -> Vec<String> {
    let Some(list) = manifest["extensions"]["experimental"].as_array() else { return Vec::new() };
    list.iter()
        .filter_map(|entry| entry.as_str().or_else(|| entry["name"].as_str()))
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_features_from_names_or_objects() {
        let manifest = json!({
            "specversion": "1.0",
            "implementation": {"name": "ojs-rust", "version": "0.1.0", "backend": "redis"},
            "conformance_level": 4,
            "capabilities": {"batch_enqueue": true},
            "extensions": {"experimental": ["batch-ack", {"name": "fetch-long-poll"}]}
        });
        let info = ServerInfo::from_manifest(&manifest);
        assert_eq!(info.backend, "redis");
        assert!(info.batch_enqueue && info.batch_ack && info.long_poll);
    }

    #[test]
    fn a_bare_manifest_disables_every_optional_feature() {
        let info = ServerInfo::from_manifest(&json!({"specversion": "1.0"}));
        assert_eq!(info.implementation, "unknown");
        assert!(!info.batch_enqueue && !info.batch_ack && !info.long_poll);
    }
}
