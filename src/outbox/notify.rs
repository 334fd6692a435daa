//! What the notification channels (back-channel logout, webhooks) share: recording the
//! result of an attempt while the claim holds, with the outbox's backoff and the delivery
//! metrics. Each channel writes its own audit events from the [`Outcome`].

use super::{backoff_seconds, Attempt};
use crate::metrics::DELIVERY_ATTEMPTS;
use crate::state::AppState;
use crate::store::outbox::Claimed;
use crate::store::StoreResult;

/// What became of one attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Outcome {
    Delivered,
    /// Failed; another attempt is scheduled.
    Retrying,
    /// Failed for good (after the last attempt, or past the give-up time), with the reason.
    GaveUp(String),
    /// The claim was lost: another replica decides.
    Lost,
}

impl Outcome {
    pub(super) fn attempt(&self) -> Attempt {
        match self {
            Outcome::Delivered => Attempt::Delivered,
            Outcome::Retrying => Attempt::Retrying,
            Outcome::GaveUp(_) => Attempt::Failed,
            Outcome::Lost => Attempt::Unknown,
        }
    }
}

/// Records the result of one attempt of a message of `channel` (`what` names it in logs).
pub(super) async fn record(
    state: &AppState,
    c: &Claimed,
    channel: &'static str,
    what: &str,
    sent: Result<(), String>,
) -> StoreResult<Outcome> {
    let me = state.replica.id.as_str();
    let metrics = &state.store.metrics;
    let now = state.now();
    let error = match sent {
        Ok(()) => {
            metrics.inc(
                DELIVERY_ATTEMPTS,
                &[("channel", channel), ("result", "delivered")],
            );
            return Ok(
                if state.store.mark_message_delivered(c.id, me, now).await? {
                    Outcome::Delivered
                } else {
                    Outcome::Lost
                },
            );
        }
        Err(e) => e,
    };
    let cfg = &state.config.outbox;
    let next = now + backoff_seconds(cfg, c.attempts);
    if c.attempts >= cfg.max_attempts || next >= c.give_up_at {
        return give_up(state, c, channel, what, error).await;
    }
    metrics.inc(
        DELIVERY_ATTEMPTS,
        &[("channel", channel), ("result", "retry")],
    );
    tracing::warn!(
        message = c.id, recipient = %c.recipient, attempts = c.attempts,
        retry_in = next - now, error = %error, "outbox: {what} failed; will retry"
    );
    let kept = state
        .store
        .schedule_message_retry(c.id, me, now, next, &error)
        .await?;
    Ok(if kept {
        Outcome::Retrying
    } else {
        Outcome::Lost
    })
}

/// Marks a message of `channel` failed for good.
pub(super) async fn give_up(
    state: &AppState,
    c: &Claimed,
    channel: &'static str,
    what: &str,
    error: String,
) -> StoreResult<Outcome> {
    state.store.metrics.inc(
        DELIVERY_ATTEMPTS,
        &[("channel", channel), ("result", "failed")],
    );
    if !state
        .store
        .mark_message_failed(c.id, &state.replica.id, state.now(), &error, None)
        .await?
    {
        return Ok(Outcome::Lost);
    }
    tracing::warn!(
        message = c.id, recipient = %c.recipient, attempts = c.attempts, error = %error,
        "outbox: {what} failed for good"
    );
    Ok(Outcome::GaveUp(error))
}

/// Completes a message nobody wants any more (its client or webhook is gone) unsent.
pub(super) async fn discard(state: &AppState, c: &Claimed) -> StoreResult<Attempt> {
    let done = state
        .store
        .mark_message_discarded(c.id, &state.replica.id, state.now())
        .await?;
    Ok(if done {
        Attempt::Delivered
    } else {
        Attempt::Unknown
    })
}
