//! The job the bench enqueues: type `bench.noop`, ~100 bytes of args carrying the send time.

use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};

pub const JOB_TYPE: &str = "bench.noop";

/// Padding that brings the serialised args to about 100 bytes.
const PAD: &str = "ojs-bench-padding-ojs-bench-padding-ojs";

/// Wall-clock milliseconds since the epoch, with microsecond precision.
pub fn now_ms() -> f64 {
    let elapsed = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    elapsed.as_secs_f64() * 1000.0
}

/// An enqueue request for job number `seq` in `queue`, stamped with the current time.
pub fn job_request(queue: &str, seq: u64) -> Value {
    // Rounded to whole microseconds so the number prints compactly and round-trips exactly.
    let sent_ms = (now_ms() * 1000.0).round() / 1000.0;
    json!({
        "type": JOB_TYPE,
        "args": [{ "seq": seq, "sent_ms": sent_ms, "pad": PAD }],
        "options": { "queue": queue },
    })
}

/// The send time stamped into a fetched job's args, if it is one of ours.
pub fn sent_ms(args: &[Value]) -> Option<f64> {
    args.first()?.get("sent_ms")?.as_f64()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn args_are_about_100_bytes_and_carry_the_send_time() {
        let request = job_request("bench-q", 123_456);
        let args_len = request["args"].to_string().len();
        assert!((90..=110).contains(&args_len), "args are {args_len} bytes");
        let stamped = sent_ms(request["args"].as_array().unwrap()).unwrap();
        assert!((now_ms() - stamped).abs() < 10_000.0);
    }

    #[test]
    fn foreign_args_have_no_send_time() {
        assert_eq!(sent_ms(&[]), None);
        assert_eq!(sent_ms(&[json!("hello")]), None);
    }
}
