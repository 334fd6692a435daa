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

pub mod per_ip;

use crate::store::limits::CounterWindow;
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

/// The counters of `key` under the rules that are on (`max > 0`), each once.
fn windows(now: i64, groups: &[(&str, &[Rule])]) -> Vec<(usize, Rule, CounterWindow)> {
    let mut out: Vec<(usize, Rule, CounterWindow)> = Vec::new();
    for (g, (key, rules)) in groups.iter().enumerate() {
        for rule in rules.iter().filter(|r| r.max > 0) {
            let start = rule.window_start(now);
            out.push((
                g,
                *rule,
                CounterWindow {
                    key: counter_key(key, rule),
                    window_start: start,
                    expires_at: start + rule.window_seconds.max(1),
                },
            ));
        }
    }
    out
}

/// The distinct counters among `ws` (one statement may touch a row only once).
fn distinct(ws: &[(usize, Rule, CounterWindow)]) -> Vec<CounterWindow> {
    let mut out: Vec<CounterWindow> = Vec::with_capacity(ws.len());
    for (_, _, w) in ws {
        if !out
            .iter()
            .any(|o| o.key == w.key && o.window_start == w.window_start)
        {
            out.push(w.clone());
        }
    }
    out
}

/// The count of window `w` among `unique` windows and their `counts` (same order).
fn count_of(unique: &[CounterWindow], counts: &[i64], w: &CounterWindow) -> i64 {
    unique
        .iter()
        .position(|u| u.key == w.key && u.window_start == w.window_start)
        .and_then(|i| counts.get(i).copied())
        .unwrap_or(0)
}

/// Counts one event for `key` under every rule, then decides. Counting first and deciding
/// on the returned count makes the check atomic: concurrent requests cannot all see room.
/// A rule with `max <= 0` is off.
pub async fn hit(store: &Store, now: i64, key: &str, rules: &[Rule]) -> StoreResult<Decision> {
    let mut d = hit_all(store, now, &[(key, rules)]).await?;
    Ok(d.pop().unwrap_or(Decision::Allowed))
}

/// [`hit`] for several keys at once, in one statement: one decision per `(key, rules)`, in
/// the order given.
pub async fn hit_all(
    store: &Store,
    now: i64,
    groups: &[(&str, &[Rule])],
) -> StoreResult<Vec<Decision>> {
    let ws = windows(now, groups);
    let unique = distinct(&ws);
    let counts = store.bump_counters(&unique, 1).await?;
    let mut decisions = vec![Decision::Allowed; groups.len()];
    for (g, rule, w) in &ws {
        let count = count_of(&unique, &counts, w);
        if count > rule.max && decisions[*g].is_allowed() {
            store.metrics.rate_limit_denied(rule.name);
            decisions[*g] = Decision::Denied {
                rule: rule.name,
                retry_after: (w.expires_at - now).max(1),
            };
        }
    }
    Ok(decisions)
}

/// Decides without counting (for example: is sending paused for this identifier?).
pub async fn peek(store: &Store, now: i64, key: &str, rules: &[Rule]) -> StoreResult<Decision> {
    let ws = windows(now, &[(key, rules)]);
    let unique = distinct(&ws);
    let counts = store.read_counters(&unique).await?;
    for (_, rule, w) in &ws {
        let count = count_of(&unique, &counts, w);
        if count >= rule.max {
            return Ok(Decision::Denied {
                rule: rule.name,
                retry_after: (w.expires_at - now).max(1),
            });
        }
    }
    Ok(Decision::Allowed)
}

/// Gives back one event counted by [`hit`] under every rule (for example: a verification
/// reserved before it was evaluated turned out to be right). Never goes below zero.
pub async fn refund(store: &Store, now: i64, key: &str, rules: &[Rule]) -> StoreResult<()> {
    refund_all(store, now, &[(key, rules)]).await
}

/// [`refund`] for several keys at once, in one statement.
pub async fn refund_all(store: &Store, now: i64, groups: &[(&str, &[Rule])]) -> StoreResult<()> {
    store
        .refund_counters(&distinct(&windows(now, groups)))
        .await
}

/// Counts one event for `key` under `rule` and returns the count in the current window
/// (rules that are off are still counted here: the count is what the caller asked for).
pub async fn hit_count(store: &Store, now: i64, key: &str, rule: &Rule) -> StoreResult<i64> {
    let start = rule.window_start(now);
    store
        .bump_counter(
            &counter_key(key, rule),
            start,
            start + rule.window_seconds.max(1),
            1,
        )
        .await
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
