//! Helpers for building script arguments.

use ::redis::ScriptInvocation;

/// Distinct queues in first-seen order, with a 1-based group index lookup.
#[derive(Default)]
pub struct Groups {
    pub names: Vec<String>,
}

impl Groups {
    pub fn index(&mut self, queue: &str) -> usize {
        match self.names.iter().position(|q| q == queue) {
            Some(i) => i + 1,
            None => {
                self.names.push(queue.to_string());
                self.names.len()
            }
        }
    }
}

/// Appends a field count and the field/value pairs of an encoded job.
pub fn push_fields(inv: &mut ScriptInvocation<'_>, fields: &[(&'static str, String)]) {
    inv.arg(fields.len());
    for (k, v) in fields {
        inv.arg(*k).arg(v);
    }
}
