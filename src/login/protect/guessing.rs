//! Limits on guessing codes: a failure budget per identifier, charged to the identifier
//! whose code a guess is actually compared with (NIST SP 800-63B 5.2.2), a failure budget
//! per client IP, and a progressive delay before answering a failed guess.

use std::time::Duration;

use super::{audit_limit, identifier_key, ip_key, ClientIp, Guard};
use super::{LimitContext, Pause};
use crate::channel::Channel;
use crate::config::LimitsConfig;
use crate::limits::{self, Decision, Rule};
use crate::store::StoreResult;

pub(super) fn failure_rules(cfg: &LimitsConfig) -> [Rule; 2] {
    [
        Rule::new(
            "identifier_failures_hour",
            cfg.identifier_failures_per_hour,
            3600,
        ),
        Rule::new(
            "identifier_failures_day",
            cfg.identifier_failures_per_day,
            86_400,
        ),
    ]
}

/// Failures per IP are always counted (they drive the delay); the budget refuses only
/// when `ip_failures_per_hour` is set.
fn ip_failure_rule(cfg: &LimitsConfig) -> Rule {
    let max = if cfg.ip_failures_per_hour > 0 {
        cfg.ip_failures_per_hour
    } else {
        i64::MAX
    };
    Rule::new("ip_failures_hour", max, 3600)
}

/// One failure reserved in an identifier's budget while its guess is evaluated.
#[derive(Debug)]
#[must_use = "a reservation is kept (a wrong code) or released"]
pub struct Reservation {
    key: String,
    rules: [Rule; 2],
    now: i64,
}

/// Whether a guess may be compared.
#[derive(Debug)]
pub enum Gate {
    Open(Reservation),
    Paused(Pause),
}

/// Before a guess is counted: refuses when the client IP is out of failure budget.
/// `identifier` (the sign-in's, as last read) only names the target in the audit trail.
pub async fn check_ip_failures(
    g: &Guard<'_>,
    identifier: Option<&str>,
    channel: Channel,
    ip: &ClientIp,
    client_id: &str,
) -> StoreResult<Option<Pause>> {
    let cfg = g.limits;
    if cfg.ip_failures_per_hour <= 0 {
        return Ok(None);
    }
    let now = g.now;
    let rule = ip_failure_rule(cfg);
    let Decision::Denied { rule, retry_after } =
        limits::peek(g.store, now, &ip_key(ip), &[rule]).await?
    else {
        return Ok(None);
    };
    let masked = channel.mask(identifier.unwrap_or(""));
    let ctx = LimitContext {
        ip,
        client_id,
        channel,
        masked: &masked,
    };
    audit_limit(g, &ctx, rule, &ip_key(ip), retry_after).await;
    Ok(Some(Pause::IpFailures { retry_after }))
}

/// Before a guess is counted: refuses when the identifier the sign-in names (as last read)
/// is already out of failure budget, so a paused identifier hears "paused" and its code's
/// tries are not used up. Only a first screen: the charge that counts is
/// [`reserve_failure`], made on the identifier whose code is compared.
pub async fn check_identifier_failures(
    g: &Guard<'_>,
    identifier: &str,
    channel: Channel,
    ip: &ClientIp,
    client_id: &str,
) -> StoreResult<Option<Pause>> {
    let now = g.now;
    let key = format!("fail:{}", identifier_key(g, channel, identifier));
    let rules = failure_rules(g.limits);
    let Decision::Denied { rule, retry_after } = limits::peek(g.store, now, &key, &rules).await?
    else {
        return Ok(None);
    };
    let who = Target {
        channel,
        identifier,
        ip,
        client_id,
    };
    Ok(Some(
        identifier_paused(g, &who, rule, &key, retry_after).await,
    ))
}

/// Who a refused guess was aimed at, for the audit trail.
struct Target<'a> {
    channel: Channel,
    identifier: &'a str,
    ip: &'a ClientIp,
    client_id: &'a str,
}

/// Audits an identifier's spent failure budget and returns the pause to show.
async fn identifier_paused(
    g: &Guard<'_>,
    who: &Target<'_>,
    rule: &'static str,
    key: &str,
    retry_after: i64,
) -> Pause {
    let masked = who.channel.mask(who.identifier);
    let ctx = LimitContext {
        ip: who.ip,
        client_id: who.client_id,
        channel: who.channel,
        masked: &masked,
    };
    audit_limit(g, &ctx, rule, key, retry_after).await;
    Pause::IdentifierFailures { retry_after }
}

/// Once an attempt was counted on the code of `identifier` (the one the counting `UPDATE`
/// returned, whose code will be compared): reserves one failure in that identifier's
/// budget, atomically in the database, or refuses when the budget is spent (then nothing
/// may be compared).
pub async fn reserve_failure(
    g: &Guard<'_>,
    channel: Channel,
    identifier: &str,
    ip: &ClientIp,
    client_id: &str,
) -> StoreResult<Gate> {
    let now = g.now;
    let key = format!("fail:{}", identifier_key(g, channel, identifier));
    let rules = failure_rules(g.limits);
    match limits::hit(g.store, now, &key, &rules).await? {
        Decision::Denied { rule, retry_after } => {
            // Not evaluated, so not a failure: the budget stays exactly full.
            limits::refund(g.store, now, &key, &rules).await?;
            let who = Target {
                channel,
                identifier,
                ip,
                client_id,
            };
            let pause = identifier_paused(g, &who, rule, &key, retry_after).await;
            Ok(Gate::Paused(pause))
        }
        Decision::Allowed => Ok(Gate::Open(Reservation { key, rules, now })),
    }
}

/// Gives the reserved failure back: the guess was right.
pub async fn release(g: &Guard<'_>, r: Reservation) -> StoreResult<()> {
    limits::refund(g.store, r.now, &r.key, &r.rules).await
}

/// Keeps the reserved failure: the guess was wrong.
pub fn keep(r: Reservation) {
    drop(r);
}

/// Counts a failed verification against the IP (when `counted`) and returns how long to
/// wait before answering.
pub async fn failed_verification(
    g: &Guard<'_>,
    ip: &ClientIp,
    counted: bool,
) -> StoreResult<Duration> {
    let now = g.now;
    let cfg = g.limits;
    let rule = ip_failure_rule(cfg);
    let n = if counted {
        let n = limits::hit_count(g.store, now, &ip_key(ip), &rule).await?;
        if n > rule.max {
            g.store.metrics.rate_limit_denied(rule.name);
        }
        n
    } else {
        limits::count(g.store, now, &ip_key(ip), &rule).await?
    };
    Ok(delay_for(n, cfg))
}

/// The delay before answering the `failures`-th failed verification of an IP in the hour:
/// none for the first `ip_free_failures`, then `ip_delay_base_ms` doubling with each
/// further failure, never more than `ip_delay_max_ms`.
pub fn delay_for(failures: i64, cfg: &LimitsConfig) -> Duration {
    let over = failures - cfg.ip_free_failures;
    if over <= 0 || cfg.ip_delay_base_ms == 0 {
        return Duration::ZERO;
    }
    let doublings = u32::try_from(over - 1).unwrap_or(u32::MAX).min(20);
    let ms = cfg
        .ip_delay_base_ms
        .saturating_mul(1u64 << doublings)
        .min(cfg.ip_delay_max_ms);
    Duration::from_millis(ms)
}
