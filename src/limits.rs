//! Rate limits: named rules over fixed time windows, counted in the database so every
//! replica sees the same numbers.
//!
//! ```text
//! let rules = [Rule::new("email_sends_15m", 3, 900), Rule::new("email_sends_day", 10, 86_400)];
//! match limits::hit(&state.store, now, "send:email:alice@example.com", &rules).await? {
//!     Decision::Allowed => { /* send */ }
//!     Decision::Denied { rule, retry_after } => { /* calm page, audit event */ }
//! }
//! ```

use crate::store::{Store, StoreResult};

/// At most `max` events per `window_seconds`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    pub name: &'static str,
    pub max: i64,
    pub window_seconds: i64,
}

impl Rule {
    pub const fn new(name: &'static str, max: i64, window_seconds: i64) -> Rule {
        Rule {
            name,
            max,
            window_seconds,
        }
    }

    fn window_start(&self, now: i64) -> i64 {
        let w = self.window_seconds.max(1);
        now - now.rem_euclid(w)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Allowed,
    /// The first rule that refused, and the seconds until its window ends.
    Denied {
        rule: &'static str,
        retry_after: i64,
    },
}

impl Decision {
    pub fn is_allowed(&self) -> bool {
        matches!(self, Decision::Allowed)
    }
}

fn counter_key(key: &str, rule: &Rule) -> String {
    format!("{}|{}", rule.name, key)
}

/// Counts one event for `key` under every rule, then decides. Counting first and deciding
/// on the returned count makes the check atomic: concurrent requests cannot all see room.
/// A rule with `max <= 0` is off.
pub async fn hit(store: &Store, now: i64, key: &str, rules: &[Rule]) -> StoreResult<Decision> {
    let mut decision = Decision::Allowed;
    for rule in rules.iter().filter(|r| r.max > 0) {
        let start = rule.window_start(now);
        let end = start + rule.window_seconds.max(1);
        let count = store
            .bump_counter(&counter_key(key, rule), start, end, 1)
            .await?;
        if count > rule.max && decision.is_allowed() {
            store.metrics.rate_limit_denied(rule.name);
            decision = Decision::Denied {
                rule: rule.name,
                retry_after: (end - now).max(1),
            };
        }
    }
    Ok(decision)
}

/// Decides without counting (for example: is sending paused for this identifier?).
pub async fn peek(store: &Store, now: i64, key: &str, rules: &[Rule]) -> StoreResult<Decision> {
    for rule in rules.iter().filter(|r| r.max > 0) {
        let start = rule.window_start(now);
        let count = store.read_counter(&counter_key(key, rule), start).await?;
        if count >= rule.max {
            return Ok(Decision::Denied {
                rule: rule.name,
                retry_after: (start + rule.window_seconds.max(1) - now).max(1),
            });
        }
    }
    Ok(Decision::Allowed)
}

/// Gives back one event counted by [`hit`] under every rule (for example: a verification
/// reserved before it was evaluated turned out to be right). Never goes below zero.
pub async fn refund(store: &Store, now: i64, key: &str, rules: &[Rule]) -> StoreResult<()> {
    for rule in rules.iter().filter(|r| r.max > 0) {
        let start = rule.window_start(now);
        if store.read_counter(&counter_key(key, rule), start).await? > 0 {
            let end = start + rule.window_seconds.max(1);
            store
                .bump_counter(&counter_key(key, rule), start, end, -1)
                .await?;
        }
    }
    Ok(())
}

/// The events counted so far for `key` under `rule` in the current window.
pub async fn count(store: &Store, now: i64, key: &str, rule: &Rule) -> StoreResult<i64> {
    store
        .read_counter(&counter_key(key, rule), rule.window_start(now))
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_are_aligned() {
        let r = Rule::new("x", 1, 60);
        assert_eq!(r.window_start(125), 120);
        assert_eq!(r.window_start(120), 120);
    }
}
