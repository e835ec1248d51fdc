//! Query strings, parsed by hand so a malformed one is an OJS error rather than a framework rejection.

use std::collections::HashMap;

pub fn parse(query: Option<&str>) -> HashMap<String, String> {
    let mut out = HashMap::new();
    for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        out.insert(decode(k), decode(v));
    }
    out
}

fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok()).and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'+', _) => out.push(b' '),
            (b'%', Some(b)) => {
                out.push(b);
                i += 2;
            }
            (b, _) => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Comma-separated list parameter.
pub fn list(params: &HashMap<String, String>, key: &str) -> Vec<String> {
    params.get(key).map(|v| v.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    #[test]
    fn decodes_percent_and_lists() {
        let p = super::parse(Some("types=job.completed%2Cjob.failed&limit=5&x"));
        assert_eq!(super::list(&p, "types"), vec!["job.completed", "job.failed"]);
        assert_eq!(p["limit"], "5");
        assert_eq!(p["x"], "");
        assert_eq!(super::parse(Some("a=%zz"))["a"], "%zz");
    }
}
