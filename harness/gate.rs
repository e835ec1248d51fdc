//! Makes `@serial` (and `@reset`) scenarios run alone.
//!
//! cucumber's runner prefers serial scenarios but can still start one while concurrent
//! scenarios of a later-parsed feature are in flight. A reset in that moment would wipe
//! their jobs, so every scenario also passes this gate: concurrent scenarios hold a shared
//! lock, serial ones an exclusive one, from the before hook to the after hook.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;

use cucumber::gherkin::Scenario;
use tokio::sync::{OwnedRwLockReadGuard, OwnedRwLockWriteGuard, RwLock};

/// Held only for its `Drop`, which releases the lock.
#[allow(dead_code)]
enum Pass {
    Shared(OwnedRwLockReadGuard<()>),
    Exclusive(OwnedRwLockWriteGuard<()>),
}

#[derive(Clone, Default)]
pub struct Gate {
    lock: Arc<RwLock<()>>,
    /// Passes held by running scenarios, keyed by the scenario's address (stable while it runs).
    held: Rc<RefCell<HashMap<usize, Pass>>>,
}

fn key(scenario: &Scenario) -> usize {
    scenario as *const Scenario as usize
}

impl Gate {
    pub async fn enter(&self, scenario: &Scenario, exclusive: bool) {
        let pass = if exclusive {
            Pass::Exclusive(Arc::clone(&self.lock).write_owned().await)
        } else {
            Pass::Shared(Arc::clone(&self.lock).read_owned().await)
        };
        self.held.borrow_mut().insert(key(scenario), pass);
    }

    pub fn leave(&self, scenario: &Scenario) {
        self.held.borrow_mut().remove(&key(scenario));
    }
}
