//! The Lua scripts, loaded once and called by SHA (`::redis::Script` falls back to loading on NOSCRIPT).
//! Job scripts get `common.lua` prepended so index maintenance is written once.

use ::redis::Script;

const COMMON: &str = include_str!("scripts/common.lua");

fn with_common(body: &str) -> Script {
    Script::new(&format!("{COMMON}\n{body}"))
}

pub struct Scripts {
    pub insert: Script,
    pub claim: Script,
    pub complete: Script,
    pub update: Script,
    pub commit: Script,
    pub heartbeat: Script,
    pub due: Script,
    pub prune: Script,
    pub dead_delete: Script,
    pub forget: Script,
    pub cron_delete: Script,
    pub events: Script,
}

impl Scripts {
    pub fn new() -> Self {
        Self {
            insert: with_common(include_str!("scripts/insert.lua")),
            claim: with_common(include_str!("scripts/claim.lua")),
            complete: with_common(include_str!("scripts/complete.lua")),
            update: with_common(include_str!("scripts/update.lua")),
            commit: with_common(include_str!("scripts/commit.lua")),
            heartbeat: with_common(include_str!("scripts/heartbeat.lua")),
            due: with_common(include_str!("scripts/due.lua")),
            prune: with_common(include_str!("scripts/prune.lua")),
            dead_delete: with_common(include_str!("scripts/dead_delete.lua")),
            forget: Script::new(include_str!("scripts/forget.lua")),
            cron_delete: Script::new(include_str!("scripts/cron_delete.lua")),
            events: Script::new(include_str!("scripts/events.lua")),
        }
    }

    pub fn all(&self) -> [&Script; 12] {
        [
            &self.insert,
            &self.claim,
            &self.complete,
            &self.update,
            &self.commit,
            &self.heartbeat,
            &self.due,
            &self.prune,
            &self.dead_delete,
            &self.forget,
            &self.cron_delete,
            &self.events,
        ]
    }
}
