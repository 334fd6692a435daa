//! Protection of the sign-in against guessing, pumping and enumeration, for every channel.
//!
//! - **Who is asking**: [`ClientIp`] is the TCP peer, or the client named in
//!   `X-Forwarded-For` when the peer is a configured trusted proxy (`limits.trusted_proxies`,
//!   off by default). IPv6 clients are counted per /64, the block one host usually holds.
//! - **Guessing**: besides the 5 tries per code (counted atomically in the login
//!   transaction), every verification reserves one failure in the identifier's budget
//!   (`limits.identifier_failures_per_hour` / `_per_day`) *before* it is evaluated, and gets
//!   it back when it was right or not evaluated; so concurrent guesses can never pass the
//!   budget. A failed verification also counts against the client IP
//!   (`limits.ip_failures_per_hour`), and its answer is delayed progressively
//!   ([`delay_for`]).
//! - **Pumping**: [`check_send`] counts each code sent per identifier and per IP under the
//!   channel's [`SendLimits`]; it is generic over the channel, so email and SMS share it.
//! - **Enumeration**: a code that is not sent (unknown address with registration off) is
//!   rendered like a sent one and padded with a delay drawn from measured delivery times
//!   ([`Protect::padding`]).
//!
//! Every counter lives in the database through [`crate::limits`], so replicas share them.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::Rng;

use crate::app::AppState;
use crate::config::{LimitsConfig, SendLimits};
use crate::delivery::mask_email;
use crate::limits::{self, Decision, Rule};
use crate::store::users::Channel;
use crate::store::StoreResult;

pub use super::client_ip::{client_ip, ClientIp, IpRange};

// ---------------------------------------------------------------------------
// Rules

fn failure_rules(cfg: &LimitsConfig) -> [Rule; 2] {
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

/// The send limits of a channel.
pub fn send_limits(cfg: &LimitsConfig, channel: Channel) -> &SendLimits {
    match channel {
        Channel::Email => &cfg.email,
        Channel::Sms => &cfg.sms,
    }
}

fn send_rules(channel: Channel, s: &SendLimits) -> ([Rule; 2], [Rule; 2]) {
    let names = match channel {
        Channel::Email => [
            "email_sends_identifier_hour",
            "email_sends_identifier_day",
            "email_sends_ip_hour",
            "email_sends_ip_day",
        ],
        Channel::Sms => [
            "sms_sends_identifier_hour",
            "sms_sends_identifier_day",
            "sms_sends_ip_hour",
            "sms_sends_ip_day",
        ],
    };
    (
        [
            Rule::new(names[0], s.per_identifier_per_hour, 3600),
            Rule::new(names[1], s.per_identifier_per_day, 86_400),
        ],
        [
            Rule::new(names[2], s.per_ip_per_hour, 3600),
            Rule::new(names[3], s.per_ip_per_day, 86_400),
        ],
    )
}

/// The counter key of an identifier: a keyed hash, so the counters table holds no address.
fn identifier_key(state: &AppState, channel: Channel, identifier: &str) -> String {
    let h = state.secrets.keyed_hash(
        "limit_key",
        &[channel.as_str().as_bytes(), identifier.as_bytes()],
    );
    format!(
        "{}:{}",
        channel.as_str(),
        URL_SAFE_NO_PAD.encode(h.get(..16).unwrap_or(&h))
    )
}

fn ip_key(ip: &ClientIp) -> String {
    format!("ip:{}", ip.limit_key())
}

/// Masks an identifier for logs, pages and the audit trail.
pub fn mask_identifier(channel: Channel, identifier: &str) -> String {
    match channel {
        Channel::Email => mask_email(identifier),
        Channel::Sms => {
            let digits: Vec<char> = identifier.chars().collect();
            let keep = digits.len().saturating_sub(2);
            digits
                .iter()
                .enumerate()
                .map(|(i, c)| if i < keep && *c != '+' { '*' } else { *c })
                .collect()
        }
    }
}

fn channel_of(s: Option<&str>) -> Channel {
    match s {
        Some("sms") => Channel::Sms,
        _ => Channel::Email,
    }
}

// ---------------------------------------------------------------------------
// Pauses

/// Why a code may not be sent or checked right now. The same for every identifier,
/// known or not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pause {
    /// Too many wrong codes for this identifier.
    IdentifierFailures { retry_after: i64 },
    /// Too many codes asked for this identifier.
    IdentifierSends { retry_after: i64 },
    /// Too many codes asked from this network address.
    IpSends { retry_after: i64 },
    /// Too many wrong codes from this network address.
    IpFailures { retry_after: i64 },
}

impl Pause {
    pub fn retry_after(&self) -> i64 {
        match self {
            Pause::IdentifierFailures { retry_after }
            | Pause::IdentifierSends { retry_after }
            | Pause::IpSends { retry_after }
            | Pause::IpFailures { retry_after } => *retry_after,
        }
    }

    /// A calm sentence for the person.
    pub fn message(&self) -> String {
        let wait = wait_text(self.retry_after());
        match self {
            Pause::IdentifierFailures { .. } => format!(
                "For your safety, sign-in codes for this address are paused after too many \
                 wrong codes. Please try again in about {wait}."
            ),
            Pause::IdentifierSends { .. } => format!(
                "Several codes were requested for this address recently. Please use the \
                 newest one you received, or try again in about {wait}."
            ),
            Pause::IpSends { .. } => format!(
                "Many codes were requested from your network recently. Please try again in \
                 about {wait}."
            ),
            Pause::IpFailures { .. } => format!(
                "Too many wrong codes were entered from your network. Please try again in \
                 about {wait}."
            ),
        }
    }
}

/// `90` -> "2 minutes", `7200` -> "2 hours".
pub fn wait_text(seconds: i64) -> String {
    let minutes = (seconds.max(1) + 59) / 60;
    match minutes {
        1 => "1 minute".into(),
        m if m < 120 => format!("{m} minutes"),
        m => format!("{} hours", (m + 59) / 60),
    }
}

// ---------------------------------------------------------------------------
// Sending

/// Counts one code about to be sent to `identifier` on `channel` from `ip`, or says why it
/// must not be. Called before the account is looked up, so it answers the same for known
/// and unknown identifiers.
pub async fn check_send(
    state: &AppState,
    channel: Channel,
    identifier: &str,
    ip: &ClientIp,
    client_id: &str,
) -> StoreResult<Option<Pause>> {
    let now = state.now();
    let cfg = &state.config.limits;
    let id_key = identifier_key(state, channel, identifier);
    let masked = mask_identifier(channel, identifier);
    let ctx = LimitContext {
        ip,
        client_id,
        channel,
        masked: &masked,
    };
    if let Decision::Denied { rule, retry_after } = limits::peek(
        &state.store,
        now,
        &format!("fail:{id_key}"),
        &failure_rules(cfg),
    )
    .await?
    {
        audit_limit(state, &ctx, rule, &id_key, retry_after).await;
        return Ok(Some(Pause::IdentifierFailures { retry_after }));
    }
    // A refused send is given back, so the counters say how many codes were really sent
    // (a burst past the hourly limit does not also use up the day).
    let (id_rules, ip_rules) = send_rules(channel, send_limits(cfg, channel));
    let idk = format!("send:{id_key}");
    let ipk = format!("send:{}", ip_key(ip));
    // Both budgets are counted in one statement; a refused send gives both back.
    let groups: [(&str, &[Rule]); 2] = [(&idk, &id_rules), (&ipk, &ip_rules)];
    let decisions = limits::hit_all(&state.store, now, &groups).await?;
    let denied = decisions.iter().enumerate().find_map(|(i, d)| match d {
        Decision::Denied { rule, retry_after } => Some((i, *rule, *retry_after)),
        Decision::Allowed => None,
    });
    if let Some((i, rule, retry_after)) = denied {
        limits::refund_all(&state.store, now, &groups).await?;
        return Ok(Some(if i == 0 {
            audit_limit(state, &ctx, rule, &id_key, retry_after).await;
            Pause::IdentifierSends { retry_after }
        } else {
            audit_limit(state, &ctx, rule, &ipk, retry_after).await;
            Pause::IpSends { retry_after }
        }));
    }
    Ok(None)
}

// ---------------------------------------------------------------------------
// Verifying

/// One failure reserved in an identifier's budget while its guess is evaluated.
#[derive(Debug)]
#[must_use = "a reservation is kept (a wrong code) or released"]
pub struct Reservation {
    key: String,
    rules: [Rule; 2],
    now: i64,
}

/// Whether a guess may be evaluated.
#[derive(Debug)]
pub enum Gate {
    Open(Reservation),
    Paused(Pause),
}

/// Before a code is compared: refuses when the IP or the identifier is out of budget,
/// otherwise reserves one failure for the identifier (atomically, in the database).
pub async fn before_verify(
    state: &AppState,
    tx_identifier: Option<&str>,
    tx_channel: Option<&str>,
    ip: &ClientIp,
    client_id: &str,
) -> StoreResult<Gate> {
    let now = state.now();
    let cfg = &state.config.limits;
    let channel = channel_of(tx_channel);
    let identifier = tx_identifier.unwrap_or("");
    let masked = mask_identifier(channel, identifier);
    let ctx = LimitContext {
        ip,
        client_id,
        channel,
        masked: &masked,
    };
    if cfg.ip_failures_per_hour > 0 {
        let rule = ip_failure_rule(cfg);
        if let Decision::Denied { rule, retry_after } =
            limits::peek(&state.store, now, &ip_key(ip), &[rule]).await?
        {
            audit_limit(state, &ctx, rule, &ip_key(ip), retry_after).await;
            return Ok(Gate::Paused(Pause::IpFailures { retry_after }));
        }
    }
    let key = format!("fail:{}", identifier_key(state, channel, identifier));
    let rules = failure_rules(cfg);
    match limits::hit(&state.store, now, &key, &rules).await? {
        Decision::Denied { rule, retry_after } => {
            // Not evaluated, so not a failure: the budget stays exactly full.
            limits::refund(&state.store, now, &key, &rules).await?;
            audit_limit(state, &ctx, rule, &key, retry_after).await;
            Ok(Gate::Paused(Pause::IdentifierFailures { retry_after }))
        }
        Decision::Allowed => Ok(Gate::Open(Reservation { key, rules, now })),
    }
}

/// Gives the reserved failure back: the guess was right, or nothing was evaluated.
pub async fn release(state: &AppState, r: Reservation) -> StoreResult<()> {
    limits::refund(&state.store, r.now, &r.key, &r.rules).await
}

/// Keeps the reserved failure: the guess was wrong.
pub fn keep(r: Reservation) {
    drop(r);
}

/// Counts a failed verification against the IP (when `counted`) and returns how long to
/// wait before answering.
pub async fn failed_verification(
    state: &AppState,
    ip: &ClientIp,
    counted: bool,
) -> StoreResult<Duration> {
    let now = state.now();
    let cfg = &state.config.limits;
    let rule = ip_failure_rule(cfg);
    let n = if counted {
        let n = limits::hit_count(&state.store, now, &ip_key(ip), &rule).await?;
        if n > rule.max {
            state.store.metrics.rate_limit_denied(rule.name);
        }
        n
    } else {
        limits::count(&state.store, now, &ip_key(ip), &rule).await?
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

// ---------------------------------------------------------------------------
// Audit

struct LimitContext<'a> {
    ip: &'a ClientIp,
    client_id: &'a str,
    channel: Channel,
    masked: &'a str,
}

/// Writes `limit_hit` once per rule, key and hour (a flood of refused requests must not
/// flood the append-only trail).
async fn audit_limit(
    state: &AppState,
    ctx: &LimitContext<'_>,
    rule: &'static str,
    key: &str,
    retry_after: i64,
) {
    let once = [Rule::new("limit_hit_audited", 1, 3600)];
    let dedupe = format!("{rule}|{key}");
    match limits::hit(&state.store, state.now(), &dedupe, &once).await {
        Ok(Decision::Allowed) => {}
        Ok(Decision::Denied { .. }) => return,
        Err(e) => tracing::warn!(error = %e, "could not count a limit audit"),
    }
    let scope = if rule.contains("_ip_") || rule.starts_with("ip_") {
        "ip"
    } else {
        "identifier"
    };
    tracing::info!(rule, scope, to = %ctx.masked, ip = %ctx.ip.0, "rate limit hit");
    audit(
        state,
        "limit_hit",
        None,
        Some(ctx.client_id),
        Some(ctx.ip),
        serde_json::json!({
            "rule": rule,
            "scope": scope,
            "channel": ctx.channel.as_str(),
            "to": ctx.masked,
            "retry_after": retry_after,
        }),
    )
    .await;
}

/// Appends an audit event that records the client's address.
pub async fn audit(
    state: &AppState,
    kind: &str,
    user_id: Option<&str>,
    client_id: Option<&str>,
    ip: Option<&ClientIp>,
    detail: serde_json::Value,
) {
    let ip = ip.map(|i| i.0.to_string());
    state
        .audit_from(kind, user_id, client_id, ip.as_deref(), detail)
        .await;
}

// ---------------------------------------------------------------------------
// Equal work on both paths of the first page

const SAMPLES: usize = 32;

/// Per-replica measurements that make an unsent code cost what a sent one costs, and
/// counters that show both paths did the same work.
#[derive(Debug, Default)]
pub struct Protect {
    /// Recent delivery times in milliseconds, per channel (email, SMS).
    samples: Mutex<[VecDeque<u64>; 2]>,
    /// Code messages rendered (sent or not).
    pub prepared: AtomicU64,
    /// Code messages handed to a sender.
    pub delivered: AtomicU64,
    /// Code messages not sent, padded instead.
    pub padded: AtomicU64,
}

fn slot(channel: Channel) -> usize {
    match channel {
        Channel::Email => 0,
        Channel::Sms => 1,
    }
}

impl Protect {
    /// Records how long a real delivery took.
    pub fn record_delivery(&self, channel: Channel, took: Duration) {
        let ms = u64::try_from(took.as_millis()).unwrap_or(u64::MAX);
        let mut s = self.samples.lock().unwrap_or_else(|e| e.into_inner());
        let ring = &mut s[slot(channel)];
        if ring.len() == SAMPLES {
            ring.pop_front();
        }
        ring.push_back(ms);
    }

    /// How long to wait in place of a delivery: one of the recently measured delivery
    /// times, drawn at random, or the fallback (±50%) before any was measured.
    pub fn padding(&self, channel: Channel, fallback_ms: u64) -> Duration {
        let s = self.samples.lock().unwrap_or_else(|e| e.into_inner());
        let ring = &s[slot(channel)];
        let mut rng = rand::rng();
        let ms = if ring.is_empty() {
            rng.random_range(fallback_ms / 2..=fallback_ms + fallback_ms / 2)
        } else {
            ring.get(rng.random_range(0..ring.len()))
                .copied()
                .unwrap_or(fallback_ms)
        };
        Duration::from_millis(ms)
    }

    pub fn note(&self, counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }
}
