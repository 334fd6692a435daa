//! Delivery without loss: code messages go through an outbox table.
//!
//! 1. The request that asks for a code writes the code and its message in one database
//!    transaction ([`store_code`]). The message's payload (the code, and what the message
//!    says) is encrypted with the server secret, bound to its channel, recipient and
//!    sign-in, so the outbox never holds a code in clear; it is erased once the message is
//!    delivered or has failed for good. Every request writes one row, the same way: when
//!    the address may not receive a code (unknown with registration off, a disabled
//!    account, a review account) the row is a *stand-in*, marked so only inside its sealed
//!    payload, which is padded to the same size as a real one ([`seal_payload`]).
//! 2. The row is written already claimed by this replica, and the request hands it to a
//!    task of its own ([`deliver_after_answer`]) and answers at once: nothing about the
//!    delivery (or its absence) happens before the answer. With a healthy SMTP server the
//!    person gets the message as fast as without an outbox. A stand-in is completed by the
//!    same task without sending anything ([`DISCARDED`]): to the person, the code page and
//!    the metrics it is a delivered message; the audit trail says `code_not_sent`.
//! 3. A worker on every replica ([`worker`]) claims due messages with a lease and delivers
//!    them, retrying with exponential backoff. A replica that dies holding claims loses them
//!    when the lease ends; one that shuts down gives them back at once.
//! 4. After `outbox.max_attempts` attempts, or once the next attempt would come after
//!    `outbox.give_up_after_seconds` (or the code's expiry), the message has failed for
//!    good: its code is withdrawn (so the person can ask again at once) and the code page
//!    says "We could not send the code" ([`page_status`]), also when the one attempt of
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
//! picks the sender in [`send`]; another channel (SMS) plugs in there with its own payload
//! fields.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::task::JoinSet;

use crate::config::OutboxConfig;
use crate::delivery::{mask_email, CodeMessage};
use crate::login::code::{code_hash, LoginError};
use crate::metrics::DELIVERY_ATTEMPTS;
use crate::state::AppState;
use crate::store::login::{LoginTx, NewCode};
use crate::store::outbox::{Claimed, CodeStored, NewMessage, FAILED, PENDING};
use crate::store::StoreResult;

/// Shown on the code page when the message failed for good.
pub const DELIVERY_FAILED_TEXT: &str = "We could not send the code. Please try again in a moment.";
/// The same for a text message.
pub const SMS_DELIVERY_FAILED_TEXT: &str =
    "We could not send a text message to this number just now. Please try again in a moment, \
     or sign in with your email address.";
/// Shown on the code page while a message waits for a retry.
pub const DELIVERY_DELAYED_TEXT: &str =
    "Sending the code is taking longer than usual. We keep trying: it should arrive soon.";

/// The encrypted part of a code message.
#[derive(Clone, Serialize, Deserialize)]
struct CodePayload {
    code: String,
    client_name: String,
    issuer_host: String,
    expires_minutes: i64,
    client_id: String,
    user_id: Option<String>,
    /// The address of the request that asked for the code, for the audit trail.
    #[serde(default)]
    ip: Option<String>,
    /// Set for a stand-in: why nothing may be sent.
    #[serde(default)]
    stand_in: Option<StandIn>,
}

/// Why a code's message is a stand-in that is completed without sending.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StandIn {
    /// No account, and registration is off.
    NoAccount,
    /// The account is disabled.
    Disabled,
    /// A review account: its fixed code works, nothing is sent.
    ReviewAccount,
}

impl StandIn {
    fn reason(self) -> &'static str {
        match self {
            StandIn::NoAccount => "no account",
            StandIn::Disabled => "account disabled",
            StandIn::ReviewAccount => "review account",
        }
    }
}

/// Payloads are padded to a multiple of this many bytes.
const PAYLOAD_BLOCK: usize = 256;
/// Room kept for the fields that differ between a message and its stand-in (the user id
/// and the stand-in mark), so both pad to the same size.
const PAYLOAD_SLACK: usize = 128;

impl std::fmt::Debug for CodePayload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CodePayload(<redacted>)")
    }
}

/// Binds a payload to its row: a ciphertext moved to another recipient does not decrypt.
fn aad(channel: &str, recipient: &str, login_tx: Option<&str>) -> Vec<u8> {
    let mut v = b"sesame/outbox/v1".to_vec();
    for part in [channel, recipient, login_tx.unwrap_or("")] {
        v.push(0);
        v.extend_from_slice(part.as_bytes());
    }
    v
}

/// Seconds to wait after attempt number `attempts` (1-based) failed: the initial wait,
/// doubled for every further attempt, capped.
pub fn backoff_seconds(cfg: &OutboxConfig, attempts: i64) -> i64 {
    let exp = (attempts.max(1) - 1).min(30) as u32;
    cfg.retry_initial_seconds
        .max(1)
        .saturating_mul(1_i64 << exp)
        .min(cfg.retry_max_seconds.max(1))
}

/// A code message to write with its code.
pub struct OutgoingCode<'a> {
    pub channel: &'a str,
    pub message: &'a CodeMessage<'a>,
    pub user_id: Option<&'a str>,
    pub ip: Option<&'a str>,
    /// A stand-in: written and completed like a message, never sent.
    pub stand_in: Option<StandIn>,
}

/// What [`store_code`] did.
#[derive(Debug)]
pub enum Stored {
    /// The cooldown has not passed (or the sign-in is over): nothing was written.
    Refused,
    /// The code and its message (or stand-in) were stored; the message is claimed for an
    /// attempt now.
    Queued(Claimed),
}

/// The sealed payload of a message: JSON padded with spaces to a size that does not depend
/// on whether the message is a stand-in, encrypted and bound to its row.
fn seal_payload(
    secrets: &crate::crypto::ServerSecrets,
    payload: &CodePayload,
    channel: &str,
    recipient: &str,
    tx_id: &str,
) -> Result<Vec<u8>, crate::crypto::CryptoError> {
    let json =
        |p: &CodePayload| serde_json::to_vec(p).map_err(|_| crate::crypto::CryptoError::Encrypt);
    let base = json(&CodePayload {
        user_id: None,
        stand_in: None,
        ..payload.clone()
    })?
    .len();
    let mut bytes = json(payload)?;
    let target = (base + PAYLOAD_SLACK)
        .max(bytes.len())
        .div_ceil(PAYLOAD_BLOCK)
        * PAYLOAD_BLOCK;
    bytes.resize(target, b' ');
    secrets.encrypt(&bytes, &aad(channel, recipient, Some(tx_id)))
}

/// Stores a sign-in's new code and, in the same transaction, its message (or stand-in).
pub async fn store_code(
    state: &AppState,
    tx: &LoginTx,
    code: &NewCode<'_>,
    outgoing: &OutgoingCode<'_>,
) -> Result<Stored, LoginError> {
    let now = state.now();
    let cfg = &state.config.outbox;
    let lease_until = now + cfg.lease_seconds;
    let give_up_at = (now + cfg.give_up_after_seconds).min(code.expires_at);
    let o = outgoing;
    let payload = CodePayload {
        code: o.message.code.to_owned(),
        client_name: o.message.client_name.to_owned(),
        issuer_host: o.message.issuer_host.to_owned(),
        expires_minutes: o.message.expires_minutes,
        client_id: tx.client_id.clone(),
        user_id: o.user_id.map(str::to_owned),
        ip: o.ip.map(str::to_owned),
        stand_in: o.stand_in,
    };
    let sealed = seal_payload(&state.secrets, &payload, o.channel, o.message.to, &tx.id)?;
    let message = NewMessage {
        channel: o.channel,
        recipient: o.message.to,
        login_tx: Some(&tx.id),
        payload: &sealed,
        give_up_at,
    };
    let stored = state
        .store
        .set_login_code_and_enqueue(&tx.id, code, now, &message, &state.replica.id, lease_until)
        .await?;
    Ok(match stored {
        CodeStored::Refused => Stored::Refused,
        CodeStored::Stored { message_id } => Stored::Queued(Claimed {
            id: message_id,
            channel: o.channel.to_owned(),
            recipient: o.message.to.to_owned(),
            login_tx: Some(tx.id.clone()),
            payload: Some(sealed),
            attempts: 1,
            give_up_at,
            created_at: now,
        }),
    })
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

/// How long after the answer the first attempt starts. Started at once, a real delivery's
/// work (rendering, the SMTP exchange) overlapped the answer still going out and made it
/// measurably slower than a stand-in's few statements (0.6 ms in the median on a release
/// build); 30 ms later it no longer touches the answer (tests/timing/enumeration.py,
/// docs/security.md), and a person does not notice it.
pub const FIRST_ATTEMPT_DELAY: Duration = Duration::from_millis(30);

/// Hands a message just written (and claimed) to a task of its own, which makes the
/// first attempt, and returns at once: the request answers without waiting for any part of
/// the delivery, so the answer takes the same time whether the message is sent, or is a
/// stand-in. A failure is then told on the code page ([`page_status`]); a person closing
/// the tab does not cut the attempt short.
/// The first attempt (or the stand-in's completion) starts [`FIRST_ATTEMPT_DELAY`] later.
pub fn deliver_after_answer(state: &AppState, claimed: Claimed) {
    let st = state.clone();
    let handle = tokio::spawn(async move {
        let _inflight = st.replica.track();
        tokio::time::sleep(FIRST_ATTEMPT_DELAY).await;
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

fn decrypt(state: &AppState, c: &Claimed) -> Option<CodePayload> {
    let sealed = c.payload.as_deref()?;
    let json = state
        .secrets
        .decrypt(
            sealed,
            &aad(&c.channel, &c.recipient, c.login_tx.as_deref()),
        )
        .ok()?;
    serde_json::from_slice(&json).ok()
}

async fn try_deliver(state: &AppState, c: &Claimed) -> StoreResult<Attempt> {
    let me = state.replica.id.as_str();
    let cfg = &state.config.outbox;
    let metrics = &state.store.metrics;
    let Some(payload) = decrypt(state, c) else {
        // Written under another secret_key, or altered: it can never be sent.
        fail_for_good(state, c, None, "the payload cannot be decrypted").await?;
        return Ok(Attempt::Failed);
    };
    if let Some(stand_in) = payload.stand_in {
        return complete_stand_in(state, c, &payload, stand_in).await;
    }
    if state.now() >= c.give_up_at {
        fail_for_good(state, c, Some(&payload), "not delivered before it expired").await?;
        return Ok(Attempt::Failed);
    }
    match send(state, c, &payload).await {
        Ok(()) => {
            let now = state.now();
            metrics.inc(
                DELIVERY_ATTEMPTS,
                &[("channel", label(&c.channel)), ("result", "delivered")],
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
                    "code_sent",
                    payload.user_id.as_deref(),
                    Some(&payload.client_id),
                    payload.ip.as_deref(),
                    serde_json::json!({
                        "channel": c.channel, "to": mask(&c.channel, &c.recipient),
                        "attempts": c.attempts,
                    }),
                )
                .await;
            Ok(Attempt::Delivered)
        }
        Err(error) => {
            let now = state.now();
            let next = now + backoff_seconds(cfg, c.attempts);
            if c.attempts >= cfg.max_attempts || next >= c.give_up_at {
                fail_for_good(state, c, Some(&payload), &error).await?;
                return Ok(Attempt::Failed);
            }
            metrics.inc(
                DELIVERY_ATTEMPTS,
                &[("channel", label(&c.channel)), ("result", "retry")],
            );
            tracing::warn!(
                message = c.id, to = %mask(&c.channel, &c.recipient), attempts = c.attempts,
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

/// Completes a stand-in: nothing is sent; to the code page and the metrics it is a
/// delivered message; the audit trail says why nothing was sent.
async fn complete_stand_in(
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
        &[("channel", label(&c.channel)), ("result", "delivered")],
    );
    let to = mask(&c.channel, &c.recipient);
    let (kind, detail) = match stand_in {
        StandIn::ReviewAccount => (
            "review_account_code_skipped",
            serde_json::json!({ "channel": c.channel, "to": to }),
        ),
        other => (
            "code_not_sent",
            serde_json::json!({ "channel": c.channel, "to": to, "reason": other.reason() }),
        ),
    };
    state
        .audit_from(
            kind,
            payload.user_id.as_deref(),
            Some(&payload.client_id),
            payload.ip.as_deref(),
            detail,
        )
        .await;
    Ok(Attempt::Delivered)
}

async fn fail_for_good(
    state: &AppState,
    c: &Claimed,
    payload: Option<&CodePayload>,
    error: &str,
) -> StoreResult<()> {
    let now = state.now();
    state.store.metrics.inc(
        DELIVERY_ATTEMPTS,
        &[("channel", label(&c.channel)), ("result", "failed")],
    );
    // Withdraw the code nobody received (unless a newer one replaced it), with the row.
    let hash = match (&c.login_tx, payload) {
        (Some(tx), Some(p)) => Some(code_hash(state, tx, &p.code)),
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
        message = c.id, to = %mask(&c.channel, &c.recipient), attempts = c.attempts,
        error = %error, "outbox: delivery failed for good"
    );
    state
        .audit(
            "code_send_failed",
            payload.and_then(|p| p.user_id.as_deref()),
            payload.map(|p| p.client_id.as_str()),
            serde_json::json!({
                "channel": c.channel, "to": mask(&c.channel, &c.recipient),
                "attempts": c.attempts,
            }),
        )
        .await;
    Ok(())
}

fn label(channel: &str) -> &str {
    crate::metrics::label_value(Some(channel))
}

fn mask(channel: &str, recipient: &str) -> String {
    match channel {
        "email" => mask_email(recipient),
        "sms" => crate::delivery::sms::mask_phone(recipient),
        _ => {
            // Phone numbers and anything else: keep the last two characters.
            let tail: String = recipient
                .chars()
                .rev()
                .take(2)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            format!("***{tail}")
        }
    }
}

/// Sends one message through its channel's sender. The error text never holds the code.
async fn send(state: &AppState, c: &Claimed, p: &CodePayload) -> Result<(), String> {
    let msg = CodeMessage {
        to: &c.recipient,
        code: &p.code,
        product_name: &state.config.product_name,
        client_name: &p.client_name,
        issuer_host: &p.issuer_host,
        expires_minutes: p.expires_minutes,
    };
    match c.channel.as_str() {
        "email" => state
            .mailer
            .send_code(&msg)
            .await
            .map_err(|e| e.to_string()),
        "sms" => state
            .sms
            .send_code(&msg, state.now())
            .await
            .map_err(|e| e.to_string()),
        other => Err(format!("no sender for channel `{}`", label(other))),
    }
}

/// The worker every replica runs until shutdown begins: claims due messages in batches and
/// delivers each batch concurrently. Sleeps `outbox.poll_interval_ms` between rounds, or
/// less when woken.
pub async fn worker(state: AppState) {
    let cfg = state.config.outbox.clone();
    let mut stop = state.replica.shutdown_receiver();
    let poll = Duration::from_millis(cfg.poll_interval_ms.max(1));
    loop {
        if *stop.borrow() {
            break;
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

/// What the code page should say about the delivery of the sign-in's newest message:
/// `(error, notice)`.
pub async fn page_status(
    state: &AppState,
    tx: &LoginTx,
) -> StoreResult<(Option<String>, Option<String>)> {
    if tx.identifier.is_none() {
        return Ok((None, None));
    }
    let Some(m) = state.store.latest_message_for_tx(&tx.id).await? else {
        return Ok((None, None));
    };
    // A stand-in is never failed nor late: its page reads like a sent code's.
    Ok(match m.status.as_str() {
        FAILED if m.channel == "sms" => (Some(SMS_DELIVERY_FAILED_TEXT.into()), None),
        FAILED => (Some(DELIVERY_FAILED_TEXT.into()), None),
        PENDING if m.last_error.is_some() => (None, Some(DELIVERY_DELAYED_TEXT.into())),
        _ => (None, None),
    })
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
    fn payload_aad_binds_channel_recipient_and_sign_in() {
        assert_ne!(
            aad("email", "a@x.org", Some("t1")),
            aad("email", "b@x.org", Some("t1"))
        );
        assert_ne!(
            aad("email", "a@x.org", Some("t1")),
            aad("sms", "a@x.org", Some("t1"))
        );
        assert_ne!(
            aad("email", "a@x.org", Some("t1")),
            aad("email", "a@x.org", Some("t2"))
        );
        assert_ne!(
            aad("email", "a@x.orgt", None),
            aad("email", "a@x.org", Some("t"))
        );
    }

    #[test]
    fn a_stand_in_payload_is_as_long_as_a_real_one_and_opens_the_same_way() {
        let secrets = crate::crypto::ServerSecrets::from_secret(&secrecy::SecretString::from(
            "a-test-secret-that-is-long-enough-0123456789".to_string(),
        ));
        let real = CodePayload {
            code: "123456".into(),
            client_name: "Example App".into(),
            issuer_host: "id.example.com".into(),
            expires_minutes: 10,
            client_id: "client-1".into(),
            user_id: Some("Yc3K0x7bPq2mWn5rT8vZ1a".into()),
            ip: Some("203.0.113.9".into()),
            stand_in: None,
        };
        let sealed = |p: &CodePayload| seal_payload(&secrets, p, "email", "a@x.org", "t1").unwrap();
        let sizes: Vec<usize> = [
            real.clone(),
            CodePayload {
                user_id: None,
                stand_in: Some(StandIn::NoAccount),
                ..real.clone()
            },
            CodePayload {
                stand_in: Some(StandIn::Disabled),
                ..real.clone()
            },
            CodePayload {
                user_id: None,
                stand_in: Some(StandIn::ReviewAccount),
                ..real.clone()
            },
        ]
        .iter()
        .map(|p| sealed(p).len())
        .collect();
        assert!(sizes.iter().all(|n| *n == sizes[0]), "{sizes:?}");
        // The padding is whitespace after the JSON: it opens as before.
        let c = Claimed {
            id: 1,
            channel: "email".into(),
            recipient: "a@x.org".into(),
            login_tx: Some("t1".into()),
            payload: Some(sealed(&CodePayload {
                stand_in: Some(StandIn::Disabled),
                ..real.clone()
            })),
            attempts: 1,
            give_up_at: 0,
            created_at: 0,
        };
        let json = secrets
            .decrypt(
                c.payload.as_deref().unwrap(),
                &aad("email", "a@x.org", Some("t1")),
            )
            .unwrap();
        let opened: CodePayload = serde_json::from_slice(&json).unwrap();
        assert_eq!(opened.stand_in, Some(StandIn::Disabled));
        assert_eq!(opened.code, "123456");
    }

    #[test]
    fn masks_recipients_by_channel() {
        assert_eq!(mask("email", "alice@example.com"), "a***@example.com");
        let masked = mask("sms", "+33612345678");
        assert!(
            masked.ends_with("78") && !masked.contains("61234"),
            "{masked}"
        );
    }
}
