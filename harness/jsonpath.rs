//! A small JSONPath-like evaluator for assertions: `$`, `.key`, `[n]` (negative counts
//! from the end), `["key"]`, `[*]` (maps the rest of the path over an array) and a final
//! `.length` on an array or string.

use serde_json::Value;

#[derive(Debug, Clone, PartialEq)]
pub enum Segment {
    Key(String),
    Index(i64),
    Each,
}

/// Parses `$.a.b[0]["c d"][*].e` into segments.
pub fn parse(path: &str) -> Result<Vec<Segment>, String> {
    let body = path
        .strip_prefix('$')
        .ok_or_else(|| format!("path {path:?} must start with '$'"))?;
    let chars: Vec<char> = body.chars().collect();
    let mut segments = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '.' => {
                let start = i + 1;
                let mut end = start;
                while end < chars.len() && chars[end] != '.' && chars[end] != '[' {
                    end += 1;
                }
                if end == start {
                    return Err(format!("empty key in path {path:?}"));
                }
                segments.push(Segment::Key(chars[start..end].iter().collect()));
                i = end;
            }
            '[' => {
                let close = chars[i..]
                    .iter()
                    .position(|c| *c == ']')
                    .map(|p| p + i)
                    .ok_or_else(|| format!("unclosed '[' in path {path:?}"))?;
                let inner: String = chars[i + 1..close].iter().collect();
                let inner = inner.trim();
                let segment = if inner == "*" {
                    Segment::Each
                } else if let Some(quoted) = strip_quotes(inner) {
                    Segment::Key(quoted.to_string())
                } else {
                    Segment::Index(
                        inner
                            .parse()
                            .map_err(|_| format!("bad index {inner:?} in path {path:?}"))?,
                    )
                };
                segments.push(segment);
                i = close + 1;
            }
            other => return Err(format!("unexpected {other:?} in path {path:?}")),
        }
    }
    Ok(segments)
}

fn strip_quotes(s: &str) -> Option<&str> {
    for q in ['"', '\''] {
        if s.len() >= 2 && s.starts_with(q) && s.ends_with(q) {
            return Some(&s[1..s.len() - 1]);
        }
    }
    None
}

/// Evaluates `path` on `root`. `Ok(None)` means the path leads nowhere (absent).
pub fn eval(root: &Value, path: &str) -> Result<Option<Value>, String> {
    let segments = parse(path)?;
    Ok(walk(root, &segments))
}

fn walk(value: &Value, segments: &[Segment]) -> Option<Value> {
    let Some((first, rest)) = segments.split_first() else {
        return Some(value.clone());
    };
    match first {
        Segment::Key(key) => match value {
            Value::Object(map) => match map.get(key) {
                Some(child) => walk(child, rest),
                None => None,
            },
            Value::Array(items) if key == "length" && rest.is_empty() => {
                Some(Value::from(items.len()))
            }
            Value::String(s) if key == "length" && rest.is_empty() => {
                Some(Value::from(s.chars().count()))
            }
            _ => None,
        },
        Segment::Index(index) => {
            let items = value.as_array()?;
            let len = items.len() as i64;
            let at = if *index < 0 { len + index } else { *index };
            if at < 0 || at >= len {
                return None;
            }
            walk(&items[at as usize], rest)
        }
        Segment::Each => {
            let items = value.as_array()?;
            Some(Value::Array(
                items
                    .iter()
                    .map(|item| walk(item, rest).unwrap_or(Value::Null))
                    .collect(),
            ))
        }
    }
}

/// JSON equality where numbers compare by value (`2` equals `2.0`).
pub fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(i), Some(j)) => i == j,
            _ => match (x.as_u64(), y.as_u64()) {
                (Some(i), Some(j)) => i == j,
                _ => x.as_f64() == y.as_f64(),
            },
        },
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| json_eq(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| json_eq(v, w)))
        }
        _ => a == b,
    }
}
