//! Queue rate limits carried on a push (`options.rate_limit`).

use crate::backend::RateLimit;
use crate::error::{OjsError, OjsResult};
use serde_json::Value;

pub fn parse(value: &Value) -> OjsResult<RateLimit> {
    let obj = value.as_object().ok_or_else(|| OjsError::invalid("options.rate_limit must be an object"))?;
    let positive = |key: &str| -> OjsResult<Option<u32>> {
        match obj.get(key).filter(|v| !v.is_null()) {
            None => Ok(None),
            Some(v) => v
                .as_u64()
                .filter(|n| *n > 0 && *n <= u32::MAX as u64)
                .map(|n| Some(n as u32))
                .ok_or_else(|| OjsError::invalid(format!("options.rate_limit.{key} must be a positive integer"))),
        }
    };
    let concurrency = positive("concurrency")?.or(positive("max_concurrency")?);
    Ok(RateLimit { max_per_second: positive("max_per_second")?, concurrency })
}
