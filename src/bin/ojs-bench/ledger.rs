//! Correctness bookkeeping: every enqueued job id must be delivered exactly once.

use std::collections::HashMap;

use serde::Serialize;

#[derive(Default)]
pub struct DeliveryLedger {
    deliveries: HashMap<String, u32>,
    unexpected: u64,
}

#[derive(Serialize, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Correctness {
    pub enqueued: u64,
    pub delivered: u64,
    /// Enqueued (the server answered with the id) but never delivered.
    pub lost: u64,
    /// Deliveries beyond the first, summed over all jobs.
    pub duplicated: u64,
    /// Deliveries of ids this run never enqueued.
    pub unexpected: u64,
}

impl Correctness {
    pub fn is_clean(&self) -> bool {
        self.lost == 0 && self.duplicated == 0 && self.unexpected == 0
    }
}

impl DeliveryLedger {
    pub fn new(enqueued: impl IntoIterator<Item = String>) -> Self {
        let deliveries = enqueued.into_iter().map(|id| (id, 0)).collect();
        Self { deliveries, unexpected: 0 }
    }

    pub fn record(&mut self, id: &str) {
        match self.deliveries.get_mut(id) {
            Some(count) => *count += 1,
            None => self.unexpected += 1,
        }
    }

    pub fn verdict(&self) -> Correctness {
        let mut result = Correctness {
            enqueued: self.deliveries.len() as u64,
            unexpected: self.unexpected,
            ..Correctness::default()
        };
        for &count in self.deliveries.values() {
            result.delivered += u64::from(count);
            match count {
                0 => result.lost += 1,
                n => result.duplicated += u64::from(n - 1),
            }
        }
        result.delivered += self.unexpected;
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ledger(ids: &[&str]) -> DeliveryLedger {
        DeliveryLedger::new(ids.iter().map(|id| id.to_string()))
    }

    #[test]
    fn exactly_once_is_clean() {
        let mut ledger = ledger(&["a", "b"]);
        ledger.record("a");
        ledger.record("b");
        let verdict = ledger.verdict();
        assert!(verdict.is_clean());
        assert_eq!((verdict.enqueued, verdict.delivered), (2, 2));
    }

    #[test]
    fn counts_lost_duplicated_and_unexpected() {
        let mut ledger = ledger(&["a", "b", "c"]);
        for id in ["a", "a", "a", "b", "zzz"] {
            ledger.record(id);
        }
        let verdict = ledger.verdict();
        assert_eq!(verdict.lost, 1);
        assert_eq!(verdict.duplicated, 2);
        assert_eq!(verdict.unexpected, 1);
        assert_eq!(verdict.delivered, 5);
        assert!(!verdict.is_clean());
    }
}
