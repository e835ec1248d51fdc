//! Key layout. Queue-local data lives under the queue's hash tag `{P:q:QUEUE}` so a script that touches
//! one queue touches one cluster slot; data without a queue (id map, unique keys, workflows, crons,
//! events) lives under the global tag `{P}`. `KeyLayout::SingleSlot` puts everything under `{P}` instead,
//! for a Redis Cluster where multi-queue scripts (insert, commit) must stay in one slot.

/// Number of KEYS in a queue group (see `scripts/common.lua`).
pub const GROUP_LEN: usize = 13;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum KeyLayout {
    /// One hash tag per queue plus a global one (spreads queues over cluster slots).
    #[default]
    PerQueue,
    /// Every key under the global tag (one slot; cluster-safe for every script).
    SingleSlot,
}

#[derive(Clone, Debug)]
pub struct Keys {
    prefix: String,
    layout: KeyLayout,
}

impl Keys {
    pub fn new(prefix: &str, layout: KeyLayout) -> Self {
        Self { prefix: prefix.to_string(), layout }
    }

    fn global(&self, suffix: &str) -> String {
        format!("{{{}}}:{suffix}", self.prefix)
    }

    fn queue_tag(&self, queue: &str) -> String {
        match self.layout {
            KeyLayout::PerQueue => format!("{{{}:q:{queue}}}", self.prefix),
            KeyLayout::SingleSlot => format!("{{{}}}:q:{queue}", self.prefix),
        }
    }

    /// Hash `job id -> queue name`: finds a job's key from its id alone.
    pub fn ids(&self) -> String {
        self.global("ids")
    }
    /// Set of every queue that ever held a job or was configured.
    pub fn queues(&self) -> String {
        self.global("queues")
    }
    /// String `"QUEUE\nJOB_ID"` naming the holder of a unique fingerprint.
    pub fn unique(&self, fingerprint: &str) -> String {
        self.global(&format!("u:{fingerprint}"))
    }
    /// Hash `{json, v}`: a workflow record and its version.
    pub fn workflow(&self, id: &str) -> String {
        self.global(&format!("wf:{id}"))
    }
    /// Hash `{json, next}`: a cron registration and its `next_run_at` in ms (the CAS field).
    pub fn cron(&self, name: &str) -> String {
        self.global(&format!("cron:{name}"))
    }
    /// Set of registered cron names.
    pub fn crons(&self) -> String {
        self.global("crons")
    }
    /// Capped stream of lifecycle events: one entry per appended batch (`n` events, `b` their JSON array).
    pub fn events(&self) -> String {
        self.global("events")
    }
    /// List of `"<entry id> <event count>"` per stream entry, oldest first (drives the event cap).
    pub fn event_sizes(&self) -> String {
        self.global("events:sizes")
    }
    /// Number of events currently in the stream.
    pub fn event_total(&self) -> String {
        self.global("events:total")
    }
    /// Pub/sub channel for wake-ups (`r`: jobs may be ready, `s`: a new due time).
    pub fn channel(&self) -> String {
        format!("{}:wake", self.prefix)
    }

    pub fn job(&self, queue: &str, id: &str) -> String {
        format!("{}:job:{id}", self.queue_tag(queue))
    }

    /// The queue group, in the order `common.lua` expects.
    pub fn group(&self, queue: &str) -> [String; GROUP_LEN] {
        let t = self.queue_tag(queue);
        [
            format!("{t}:meta"),      // hash: paused, mps, conc, seq, completed
            format!("{t}:ready"),     // zset score 0, member <8 hex prio><16 hex seq>:<id>
            format!("{t}:scheduled"), // zset id by run_at ms
            format!("{t}:retryable"), // zset id by run_at ms
            format!("{t}:active"),    // zset id by lease deadline ms
            format!("{t}:pending"),   // set of ids
            format!("{t}:completed"), // zset id by completed_at ms (for retention)
            format!("{t}:cancelled"), // zset id by cancelled_at ms
            format!("{t}:discarded"), // zset id by discarded_at ms (not in the dead letter queue)
            format!("{t}:dead"),      // zset id by discarded_at ms (dead letter queue; never pruned)
            format!("{t}:rate"),      // zset of deliveries in the last second (rate limit)
            format!("{t}:cps"),       // hash unix second -> completions (completed_last_minute)
            format!("{t}:job:"),      // prefix of job hashes (same slot; used for ids read from indexes)
        ]
    }

    /// SCAN patterns covering every key of this prefix (used by reset).
    pub fn scan_patterns(&self) -> [String; 2] {
        let p = glob_escape(&self.prefix);
        [format!("{{{p}}}:*"), format!("{{{p}:q:*")]
    }
}

fn glob_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
