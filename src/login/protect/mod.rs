//! Protection of the sign-in against guessing and pumping, for every channel.
//!
//! - **Who is asking**: [`ClientIp`] is the TCP peer, or the client named in
//!   `X-Forwarded-For` when the peer is a configured trusted proxy (`limits.trusted_proxies`,
//!   off by default). IPv6 clients are counted per /64, the block one host usually holds.
//! - **Guessing** ([`guessing`]): besides the 5 tries per code (counted atomically in the
//!   login transaction), every evaluated guess is charged to the identifier whose code it
//!   is compared with: the attempt is counted first (the `UPDATE` returns that identifier),
//!   then one failure is reserved in *that* identifier's budget
//!   (`limits.identifier_failures_per_hour` / `_per_day`) before the comparison, and given
//!   back when the guess was right; so concurrent guesses, even while the sign-in switches
//!   addresses, can never pass the budget. A failed verification also counts against the
//!   client IP (`limits.ip_failures_per_hour`), and its answer is delayed progressively
//!   ([`delay_for`]).
//! - **Pumping** ([`sending`]): [`check_send`] counts each code sent per identifier and per
//!   IP under the channel's [`SendLimits`](crate::config::SendLimits); it is generic over
//!   the channel, so email and SMS share it.
//!
//! Enumeration is answered elsewhere: the address form does the same work for every
//! address and answers before any delivery ([`crate::login::code::send_code`],
//! [`crate::outbox`]).
//!
//! Every counter lives in the database through [`crate::limits`], so replicas share them.

pub mod guessing;
pub mod sending;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

use crate::audit::AuditEvent;
use crate::channel::Channel;
use crate::config::LimitsConfig;
use crate::crypto::ServerSecrets;
use crate::i18n::Msg;
use crate::limits::{self, Decision, Rule};
use crate::state::AppState;
use crate::store::Store;

pub use super::client_ip::{client_ip, ClientIp, IpRange};
pub use guessing::{
    check_identifier_failures, check_ip_failures, delay_for, failed_verification, keep, release,
    reserve_failure, Gate, Reservation,
};
pub use sending::{check_send, send_limits};

/// What the protection rules need, and nothing else: the counters' store, the server
/// secret (counter keys are keyed hashes), the limits and the time of the request.
#[derive(Clone, Copy)]
pub struct Guard<'a> {
    pub store: &'a Store,
    pub secrets: &'a ServerSecrets,
    pub limits: &'a LimitsConfig,
    pub now: i64,
}

impl<'a> Guard<'a> {
    /// The guard of a request, at this moment.
    pub fn of(state: &'a AppState) -> Guard<'a> {
        Guard {
            store: &state.store,
            secrets: &state.secrets,
            limits: &state.config.limits,
            now: state.now(),
        }
    }
}

/// The counter key of an identifier: a keyed hash, so the counters table holds no address.
fn identifier_key(g: &Guard<'_>, channel: Channel, identifier: &str) -> String {
    let h = g.secrets.keyed_hash(
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
    pub fn message(&self) -> Msg {
        let id = match self {
            Pause::IdentifierFailures { .. } => "pause-identifier-failures",
            Pause::IdentifierSends { .. } => "pause-identifier-sends",
            Pause::IpSends { .. } => "pause-ip-sends",
            Pause::IpFailures { .. } => "pause-ip-failures",
        };
        Msg::new(id).arg("wait", Msg::wait(self.retry_after()))
    }
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
    g: &Guard<'_>,
    ctx: &LimitContext<'_>,
    rule: &'static str,
    key: &str,
    retry_after: i64,
) {
    let once = [Rule::new("limit_hit_audited", 1, 3600)];
    let dedupe = format!("{rule}|{key}");
    match limits::hit(g.store, g.now, &dedupe, &once).await {
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
    let ip = ctx.ip.0.to_string();
    let event = AuditEvent::LimitHit {
        rule,
        scope,
        channel: ctx.channel,
        to: ctx.masked,
        retry_after,
    }
    .row(
        None,
        (!ctx.client_id.is_empty()).then_some(ctx.client_id),
        Some(&ip),
    );
    g.store.record(g.now, event).await;
}

/// Appends an audit event that records the client's address.
pub async fn audit(
    state: &AppState,
    event: AuditEvent<'_>,
    user_id: Option<&str>,
    client_id: Option<&str>,
    ip: Option<&ClientIp>,
) {
    let ip = ip.map(|i| i.0.to_string());
    state
        .audit_from(event, user_id, client_id, ip.as_deref())
        .await;
}
