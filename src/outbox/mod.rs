//! Delivery without loss: code messages go through an outbox table.
//!
//! 1. The request that asks for a code writes the code and its message in one database
//!    transaction ([`crate::login::code_message::store_code`]). The message's payload (the code, and what the message
//!    says) is encrypted with the server secret, bound to its channel, recipient and
//!    sign-in, so the outbox never holds a code in clear; it is erased once the message is
//!    delivered or has failed for good. Every request writes one row, the same way: when
//!    the address may not receive a code (unknown with registration off, a disabled
//!    account, a review account) the row is a *stand-in*, marked so only inside its sealed
//!    payload, which is padded to the same size as a real one ([`payload`]).
//! 2. The row is written already claimed by this replica, and the request hands it to a
//!    task of its own ([`deliver_after_answer`]) and answers at once: nothing about the
//!    delivery (or its absence) happens before the answer. With a healthy SMTP server the
//!    person gets the message as fast as without an outbox. A stand-in is completed by the
//!    same task without sending anything (`discarded`): to the person, the code page and
//!    the metrics it is a delivered message; the audit trail says `code_not_sent`.
//! 3. A worker on every replica ([`worker`]) claims due messages with a lease and delivers
//!    them, retrying with exponential backoff. A replica that dies holding claims loses them
//!    when the lease ends; one that shuts down gives them back at once.
//! 4. After `outbox.max_attempts` attempts, or once the next attempt would come after
//!    `outbox.give_up_after_seconds` (or the code's expiry), the message has failed for
//!    good: its code is withdrawn (so the person can ask again at once) and the code page
//!    says "We could not send the code" ([`crate::login::code_message::page_status`]), also when the one attempt of
//!    `outbox.max_attempts = 1` failed.
//!
//! Each message is delivered once: a row is attempted only by the replica whose claim
//! (an atomic conditional `UPDATE`) holds, the lease outlasts one attempt
//! (`outbox.lease_seconds` > `email.timeout_seconds`, checked at start), and the result is
//! written only while the claim is still held. The one window left is inherent to SMTP: a
//! replica killed after the SMTP server accepted the message but before it recorded that
//! leaves the row to be sent again when its lease ends (at least once, never lost).
//!
//! Channels: `email` is delivered through [`crate::delivery::Mailer`]. A row's `channel`
//! picks the sender in `finish::send`; another channel (SMS) plugs in there with its own payload
//! fields. `backchannel` rows are not code messages: they carry OpenID Connect back-channel
//! logout notifications to clients, with a payload and a delivery of their own ([`logout`]).
//!
//! The outbox is a queue of sealed messages and knows no sign-in rule: what a code message
//! says, when a code may be sent and what the code page tells the person are the login
//! code's ([`crate::login::code_message`]).

mod finish;
pub mod logout;
mod notify;
mod payload;
pub mod webhook;

use std::time::Duration;

use tokio::task::JoinSet;

pub use payload::StandIn;
pub(crate) use payload::{seal_payload, CodePayload};

use crate::audit::AuditEvent;
use crate::channel::Channel;
use crate::config::OutboxConfig;
use crate::metrics::DELIVERY_ATTEMPTS;
use crate::state::AppState;
use crate::store::outbox::Claimed;
use crate::store::StoreResult;

/// Seconds to wait after attempt number `attempts` (1-based) failed: the initial wait,
/// doubled for every further attempt, capped.
pub fn backoff_seconds(cfg: &OutboxConfig, attempts: i64) -> i64 {
    let exp = (attempts.max(1) - 1).min(30) as u32;
    cfg.retry_initial_seconds
        .max(1)
        .saturating_mul(1_i64 << exp)
        .min(cfg.retry_max_seconds.max(1))
}

/// The result of one attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempt {
    Delivered,
    /// Failed; another attempt is scheduled.
    Retrying,
    /// Failed for good.
    Failed,
    /// The claim was lost (or the database failed while recording): another replica or a
    /// later run decides.
    Unknown,
}

/// How long after the answer the first attempt starts, at the least. Started at once, a
/// real delivery's work (rendering, the SMTP exchange) overlapped the answer still going
/// out and made it measurably slower than a stand-in's few statements (0.6 ms in the median
/// on a release build); 30 ms later it no longer touches the answer
/// (tests/timing/enumeration.py, docs/security.md), and a person does not notice it.
pub const FIRST_ATTEMPT_DELAY: Duration = Duration::from_millis(30);

/// The most added to [`FIRST_ATTEMPT_DELAY`], at random. A real delivery costs the replica
/// more than a stand-in does; after a fixed delay that cost would land on whatever request
/// arrives exactly then, so a client timing a request sent a fixed time after its guess
/// would learn whether the guess has an account. Spread over a quarter of a second, the
/// cost falls on requests that carry no relation to the guess.
pub const FIRST_ATTEMPT_JITTER: Duration = Duration::from_millis(250);

/// When the first attempt of a message just written starts: [`FIRST_ATTEMPT_DELAY`] plus
/// up to [`FIRST_ATTEMPT_JITTER`], drawn afresh for every message.
pub fn first_attempt_delay() -> Duration {
    use rand::Rng;
    let max = u64::try_from(FIRST_ATTEMPT_JITTER.as_micros()).unwrap_or(u64::MAX);
    FIRST_ATTEMPT_DELAY + Duration::from_micros(rand::rng().random_range(0..max))
}

/// Hands a message just written (and claimed) to a task of its own, which makes the
/// first attempt, and returns at once: the request answers without waiting for any part of
/// the delivery, so the answer takes the same time whether the message is sent, or is a
/// stand-in. A failure is then told on the code page ([`page_status`]); a person closing
/// the tab does not cut the attempt short.
/// The first attempt (or the stand-in's completion) starts [`first_attempt_delay`] later.
pub fn deliver_after_answer(state: &AppState, claimed: Claimed) {
    let st = state.clone();
    let handle = tokio::spawn(async move {
        let _inflight = st.replica.track();
        tokio::time::sleep(first_attempt_delay()).await;
        deliver_claimed(&st, claimed).await
    });
    state.replica.remember_task(handle.abort_handle());
}

/// Delivers one claimed message and records the result (while the claim holds).
pub async fn deliver_claimed(state: &AppState, c: Claimed) -> Attempt {
    match try_deliver(state, &c).await {
        Ok(a) => a,
        Err(e) => {
            tracing::warn!(error = %e, message = c.id, "outbox: could not record a delivery result");
            Attempt::Unknown
        }
    }
}

async fn try_deliver(state: &AppState, c: &Claimed) -> StoreResult<Attempt> {
    let me = state.replica.id.as_str();
    let cfg = &state.config.outbox;
    let metrics = &state.store.metrics;
    if c.channel == logout::CHANNEL {
        return logout::deliver(state, c).await;
    }
    if c.channel == webhook::CHANNEL {
        return webhook::deliver(state, c).await;
    }
    let Some(payload) = payload::open(&state.secrets, c) else {
        // Written under another secret_key, or altered: it can never be sent.
        finish::fail_for_good(state, c, None, "the payload cannot be decrypted").await?;
        return Ok(Attempt::Failed);
    };
    if let Some(stand_in) = payload.stand_in {
        return finish::complete_stand_in(state, c, &payload, stand_in).await;
    }
    if state.now() >= c.give_up_at {
        finish::fail_for_good(state, c, Some(&payload), "not delivered before it expired").await?;
        return Ok(Attempt::Failed);
    }
    match finish::send(state, c, &payload).await {
        Ok(()) => {
            let now = state.now();
            metrics.inc(
                DELIVERY_ATTEMPTS,
                &[("channel", label(c)), ("result", "delivered")],
            );
            if !state.store.mark_message_delivered(c.id, me, now).await? {
                tracing::warn!(
                    message = c.id,
                    "outbox: delivered, but the claim had been lost"
                );
                return Ok(Attempt::Unknown);
            }
            state
                .audit_from(
                    AuditEvent::CodeSent {
                        channel: &c.channel,
                        to: &masked(c),
                        attempts: c.attempts,
                    },
                    payload.user_id.as_deref(),
                    Some(&payload.client_id),
                    payload.ip.as_deref(),
                )
                .await;
            Ok(Attempt::Delivered)
        }
        Err(error) => {
            let now = state.now();
            let next = now + backoff_seconds(cfg, c.attempts);
            if c.attempts >= cfg.max_attempts || next >= c.give_up_at {
                finish::fail_for_good(state, c, Some(&payload), &error).await?;
                return Ok(Attempt::Failed);
            }
            metrics.inc(
                DELIVERY_ATTEMPTS,
                &[("channel", label(c)), ("result", "retry")],
            );
            tracing::warn!(
                message = c.id, to = %masked(c), attempts = c.attempts,
                retry_in = next - now, error = %error, "outbox: delivery failed; will retry"
            );
            if state
                .store
                .schedule_message_retry(c.id, me, now, next, &error)
                .await?
            {
                Ok(Attempt::Retrying)
            } else {
                Ok(Attempt::Unknown)
            }
        }
    }
}

fn label(c: &Claimed) -> &str {
    crate::metrics::label_value(Some(&c.channel))
}

/// The row's recipient, masked by its channel for logs and the audit trail.
fn masked(c: &Claimed) -> String {
    Channel::from_stored(Some(&c.channel)).mask(&c.recipient)
}

/// How often each replica's worker looks for work that a stopped replica left unwritten
/// (the first time when it starts).
pub const SWEEP_INTERVAL: Duration = Duration::from_secs(120);

/// Writes the messages a replica that stopped at the wrong moment left unwritten: the
/// logout notifications of sign-ins it had ended ([`logout::sweep`]).
async fn sweep(state: &AppState) {
    let ctx = logout::NoticeCtx {
        store: &state.store,
        secrets: &state.secrets,
        outbox: &state.config.outbox,
        now: state.now(),
    };
    match logout::sweep(&ctx).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(
            messages = n,
            "outbox: wrote the logout notifications of sign-ins ended without them"
        ),
        Err(e) => tracing::warn!(error = %e, "outbox: could not sweep ended sign-ins"),
    }
}

/// The worker every replica runs until shutdown begins: claims due messages in batches and
/// delivers each batch concurrently. Sleeps `outbox.poll_interval_ms` between rounds, or
/// less when woken.
pub async fn worker(state: AppState) {
    let cfg = state.config.outbox.clone();
    let mut stop = state.replica.shutdown_receiver();
    let poll = Duration::from_millis(cfg.poll_interval_ms.max(1));
    let mut next_sweep = tokio::time::Instant::now();
    loop {
        if *stop.borrow() {
            break;
        }
        if tokio::time::Instant::now() >= next_sweep {
            sweep(&state).await;
            next_sweep = tokio::time::Instant::now() + SWEEP_INTERVAL;
        }
        if let Err(e) = webhook::dispatch(&state).await {
            tracing::warn!(error = %e, "outbox: could not queue webhook events");
        }
        let now = state.now();
        let claimed = state
            .store
            .claim_due_messages(
                &state.replica.id,
                now,
                now + cfg.lease_seconds,
                cfg.batch_size,
            )
            .await;
        match claimed {
            Ok(batch) if !batch.is_empty() => {
                let full = batch.len() as i64 >= cfg.batch_size;
                let mut set = JoinSet::new();
                for c in batch {
                    let st = state.clone();
                    set.spawn(async move { deliver_claimed(&st, c).await });
                }
                while set.join_next().await.is_some() {}
                if full {
                    continue; // more may be due
                }
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "outbox: could not claim messages"),
        }
        tokio::select! {
            _ = tokio::time::sleep(poll) => {}
            _ = state.replica.outbox_wake.notified() => {}
            _ = stop.changed() => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_the_initial_wait_and_is_capped() {
        let cfg = OutboxConfig {
            retry_initial_seconds: 2,
            retry_max_seconds: 60,
            ..OutboxConfig::default()
        };
        let waits: Vec<i64> = (1..=8).map(|a| backoff_seconds(&cfg, a)).collect();
        assert_eq!(waits, vec![2, 4, 8, 16, 32, 60, 60, 60]);
        assert_eq!(backoff_seconds(&cfg, 0), 2);
        assert_eq!(backoff_seconds(&cfg, 1_000), 60);
    }

    #[test]
    fn a_delivery_does_not_start_a_fixed_time_after_the_answer_so_its_cost_cannot_be_timed_by_a_later_request(
    ) {
        let delays: Vec<Duration> = (0..200).map(|_| first_attempt_delay()).collect();
        let lowest = FIRST_ATTEMPT_DELAY;
        let highest = FIRST_ATTEMPT_DELAY + FIRST_ATTEMPT_JITTER;
        assert!(
            delays.iter().all(|d| *d >= lowest && *d < highest),
            "{delays:?}"
        );
        // Spread over the window, not bunched: both halves are drawn from, and no value
        // repeats often.
        let middle = lowest + FIRST_ATTEMPT_JITTER / 2;
        let early = delays.iter().filter(|d| **d < middle).count();
        assert!(
            (40..=160).contains(&early),
            "{early} of 200 in the first half"
        );
        let mut distinct = delays.clone();
        distinct.sort();
        distinct.dedup();
        assert!(distinct.len() > 150, "{} distinct delays", distinct.len());
    }
}
