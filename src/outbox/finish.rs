//! The end of one attempt: sending through the channel's sender, completing a stand-in
//! without sending, and failing for good (which withdraws the code nobody received).

use super::payload::{CodePayload, StandIn};
use super::{label, masked, Attempt};
use crate::audit::AuditEvent;
use crate::channel::Channel;
use crate::delivery::CodeMessage;
use crate::metrics::DELIVERY_ATTEMPTS;
use crate::state::AppState;
use crate::store::outbox::Claimed;
use crate::store::StoreResult;

/// Completes a stand-in: nothing is sent; to the code page and the metrics it is a
/// delivered message; the audit trail says why nothing was sent.
pub(super) async fn complete_stand_in(
    state: &AppState,
    c: &Claimed,
    payload: &CodePayload,
    stand_in: StandIn,
) -> StoreResult<Attempt> {
    let now = state.now();
    if !state
        .store
        .mark_message_discarded(c.id, &state.replica.id, now)
        .await?
    {
        return Ok(Attempt::Unknown);
    }
    state.store.metrics.inc(
        DELIVERY_ATTEMPTS,
        &[("channel", label(c)), ("result", "delivered")],
    );
    let to = masked(c);
    let event = match stand_in {
        StandIn::ReviewAccount => AuditEvent::ReviewAccountCodeSkipped {
            channel: &c.channel,
            to: &to,
        },
        other => AuditEvent::CodeNotSent {
            channel: &c.channel,
            to: &to,
            reason: other.reason(),
        },
    };
    state
        .audit_from(
            event,
            payload.user_id.as_deref(),
            Some(&payload.client_id),
            payload.ip.as_deref(),
        )
        .await;
    Ok(Attempt::Delivered)
}

pub(super) async fn fail_for_good(
    state: &AppState,
    c: &Claimed,
    payload: Option<&CodePayload>,
    error: &str,
) -> StoreResult<()> {
    let now = state.now();
    state.store.metrics.inc(
        DELIVERY_ATTEMPTS,
        &[("channel", label(c)), ("result", "failed")],
    );
    // Withdraw the code nobody received (unless a newer one replaced it), with the row.
    let hash = match (&c.login_tx, payload) {
        (Some(tx), Some(p)) => Some(state.secrets.login_code_hash(tx, &p.code)),
        _ => None,
    };
    let clear = match (&c.login_tx, &hash) {
        (Some(tx), Some(h)) => Some((tx.as_str(), h.as_slice())),
        _ => None,
    };
    if !state
        .store
        .mark_message_failed(c.id, &state.replica.id, now, error, clear)
        .await?
    {
        return Ok(());
    }
    tracing::warn!(
        message = c.id, to = %masked(c), attempts = c.attempts,
        error = %error, "outbox: delivery failed for good"
    );
    state
        .audit(
            AuditEvent::CodeSendFailed {
                channel: &c.channel,
                to: &masked(c),
                attempts: c.attempts,
            },
            payload.and_then(|p| p.user_id.as_deref()),
            payload.map(|p| p.client_id.as_str()),
        )
        .await;
    Ok(())
}

/// Sends one message through its channel's sender. The error text never holds the code.
pub(super) async fn send(state: &AppState, c: &Claimed, p: &CodePayload) -> Result<(), String> {
    let tr = state.i18n.tr(state.i18n.from_tag(p.lang.as_deref()));
    let msg = CodeMessage {
        tr,
        to: &c.recipient,
        code: &p.code,
        product_name: &state.config.product_name,
        client_name: &p.client_name,
        issuer_host: &p.issuer_host,
        expires_minutes: p.expires_minutes,
        link: p.link.as_deref(),
    };
    match c.channel() {
        Some(Channel::Email) => state
            .mailer
            .send_code(&msg)
            .await
            .map_err(|e| e.to_string()),
        Some(Channel::Sms) => state
            .sms
            .send_code(&msg, state.now())
            .await
            .map_err(|e| e.to_string()),
        None => Err(format!("no sender for channel `{}`", label(c))),
    }
}
