//! Event webhooks as outbox messages of their own channel, [`CHANNEL`].
//!
//! Events are read off the audit trail ([`crate::events`]). Each round of every replica's
//! worker, [`dispatch`] reads each webhook's audit rows after its cursor, turns those of
//! the events it subscribes to into sealed messages, and moves the cursor, in one
//! transaction (`Store::advance_webhook`): an event is queued once, whichever replica gets
//! there, and one that happened while every replica was down is queued when one starts.
//! On PostgreSQL the newest [`SETTLE_SECONDS`] of the trail wait for the next round: ids
//! are drawn before commit there, so a row may become visible after a later one.
//!
//! Each attempt ([`deliver`]) POSTs the event's JSON body with
//! `X-Sesame-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "<unix>." + body)>` (the
//! scheme of the SMS webhook, signed afresh at each attempt), `X-Sesame-Event` and
//! `X-Sesame-Event-Id`. Any 2xx is a delivery; anything else, or no answer, is retried with
//! the outbox's backoff. The body's `id` is the same on every attempt, so a receiver can
//! drop a repeat.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::notify::{self, Outcome};
use super::Attempt;
use crate::audit::AuditEvent;
use crate::crypto::{CryptoError, ServerSecrets};
use crate::delivery::sms::webhook::{signature_header, SIGNATURE_HEADER};
use crate::events::{Event, EventSet};
use crate::state::AppState;
use crate::store::audit::AuditEvent as AuditRow;
use crate::store::outbox::Claimed;
use crate::store::{Db, StoreResult};

/// The outbox channel of webhook deliveries.
pub const CHANNEL: &str = "webhook";

/// The header naming the event of a delivery.
pub const EVENT_HEADER: &str = "x-sesame-event";
/// The header carrying the event's id (the body's `id`).
pub const EVENT_ID_HEADER: &str = "x-sesame-event-id";

/// How old the newest audit rows must be before a PostgreSQL deployment dispatches them.
pub const SETTLE_SECONDS: i64 = 2;

/// The most audit rows one webhook reads in one step.
const BATCH: i64 = 200;

/// The longest wait for a receiver's answer (shorter still when the lease is short).
const REQUEST_TIMEOUT_SECONDS: u64 = 10;

/// The sealed part of one delivery: the event and its body, fixed when it was queued.
#[derive(Clone, Serialize, Deserialize)]
struct Delivery {
    event: Event,
    event_id: String,
    body: String,
}

/// The JSON body a receiver gets.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Body {
    /// The event's id: the audit event's, so the same on every attempt.
    pub id: String,
    #[serde(rename = "type")]
    pub event: Event,
    /// Unix seconds.
    pub occurred_at: i64,
    /// The person it concerns (`sub`), if any.
    pub sub: Option<String>,
    /// The client it concerns, if any.
    pub client_id: Option<String>,
    /// The audit event it was read from (`user_registered`, `admin_client_updated`, …).
    pub source: String,
    /// That event's details (never a code, a secret or a whole identifier), without the
    /// acting admin.
    pub detail: serde_json::Value,
}

impl Body {
    fn from_row(event: Event, row: &AuditRow) -> Body {
        let mut detail = serde_json::from_str::<serde_json::Value>(&row.detail)
            .ok()
            .filter(serde_json::Value::is_object)
            .unwrap_or_else(|| serde_json::Value::Object(serde_json::Map::new()));
        if let Some(map) = detail.as_object_mut() {
            map.remove("actor");
        }
        Body {
            id: row.id.to_string(),
            event,
            occurred_at: row.at,
            sub: row.user_id.clone(),
            client_id: row.client_id.clone(),
            source: row.kind.clone(),
            detail,
        }
    }
}

fn aad(webhook_id: &str) -> Vec<u8> {
    let mut v = b"sesame/outbox/webhook/v1".to_vec();
    v.push(0);
    v.extend_from_slice(webhook_id.as_bytes());
    v
}

fn secret_aad(webhook_id: &str) -> Vec<u8> {
    let mut v = b"sesame/webhook-secret/v1".to_vec();
    v.push(0);
    v.extend_from_slice(webhook_id.as_bytes());
    v
}

/// Encrypts a webhook's signing secret for the store, bound to the webhook.
pub fn seal_secret(
    secrets: &ServerSecrets,
    webhook_id: &str,
    secret: &str,
) -> Result<Vec<u8>, CryptoError> {
    secrets.encrypt(secret.as_bytes(), &secret_aad(webhook_id))
}

fn open_secret(secrets: &ServerSecrets, webhook_id: &str, sealed: &[u8]) -> Option<Vec<u8>> {
    secrets.decrypt(sealed, &secret_aad(webhook_id)).ok()
}

fn seal(secrets: &ServerSecrets, webhook_id: &str, d: &Delivery) -> Result<Vec<u8>, CryptoError> {
    let json = serde_json::to_vec(d).map_err(|_| CryptoError::Encrypt)?;
    secrets.encrypt(&json, &aad(webhook_id))
}

fn open(secrets: &ServerSecrets, c: &Claimed) -> Option<Delivery> {
    let json = secrets
        .decrypt(c.payload.as_deref()?, &aad(&c.recipient))
        .ok()?;
    serde_json::from_slice(&json).ok()
}

/// Queues the events that happened since each webhook's cursor; returns how many.
pub async fn dispatch(state: &AppState) -> Result<usize, DispatchError> {
    let hooks = state.store.list_webhooks().await?;
    if hooks.is_empty() {
        return Ok(0);
    }
    let now = state.now();
    let upto = match state.store.db {
        Db::Postgres(_) => now - SETTLE_SECONDS,
        Db::Sqlite(_) => now,
    };
    let give_up_at = now + state.config.outbox.give_up_after_seconds;
    let mut queued = 0;
    for hook in hooks {
        let events = EventSet::from_stored(&hook.events);
        let mut cursor = hook.cursor;
        loop {
            let rows = state.store.audit_events_after(cursor, upto, BATCH).await?;
            let Some(last) = rows.last().map(|r| r.id) else {
                break;
            };
            let mut messages = Vec::new();
            for row in &rows {
                let Some(event) = Event::from_audit(&row.kind, &parse_detail(&row.detail))
                    .filter(|e| events.contains(*e))
                else {
                    continue;
                };
                let body = Body::from_row(event, row);
                let d = Delivery {
                    event,
                    event_id: body.id.clone(),
                    body: serde_json::to_string(&body).map_err(|_| CryptoError::Encrypt)?,
                };
                messages.push(seal(&state.secrets, &hook.id, &d)?);
            }
            if !state
                .store
                .advance_webhook(&hook.id, cursor, last, &messages, now, give_up_at)
                .await?
            {
                break; // another replica moved it: it queues these
            }
            queued += messages.len();
            cursor = last;
            if (rows.len() as i64) < BATCH {
                break;
            }
        }
    }
    if queued > 0 {
        state.replica.outbox_wake.notify_one();
    }
    Ok(queued)
}

fn parse_detail(s: &str) -> serde_json::Value {
    serde_json::from_str(s).unwrap_or(serde_json::Value::Null)
}

/// Why events could not be queued.
#[derive(Debug, thiserror::Error)]
pub enum DispatchError {
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error(transparent)]
    Crypto(#[from] CryptoError),
}

/// One POST of an event. The error never holds the body or the secret.
async fn post(state: &AppState, url: &str, d: &Delivery, secret: &[u8]) -> Result<(), String> {
    let lease = u64::try_from(state.config.outbox.lease_seconds / 2).unwrap_or(1);
    let timeout = Duration::from_secs(REQUEST_TIMEOUT_SECONDS.min(lease.max(1)));
    let http = reqwest::Client::builder()
        .timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|_| "could not build the HTTP client".to_string())?;
    let signature = signature_header(secret, state.now(), d.body.as_bytes());
    let res = http
        .post(url)
        .header("content-type", "application/json")
        .header(SIGNATURE_HEADER, signature)
        .header(EVENT_HEADER, d.event.as_str())
        .header(EVENT_ID_HEADER, &d.event_id)
        .body(d.body.clone())
        .send()
        .await
        .map_err(|e| {
            if e.is_timeout() {
                "the receiver did not answer in time".to_string()
            } else {
                "the receiver could not be reached".to_string()
            }
        })?;
    if res.status().is_success() {
        Ok(())
    } else {
        Err(format!(
            "the receiver answered HTTP {}",
            res.status().as_u16()
        ))
    }
}

/// What logs call this channel's messages.
const WHAT: &str = "webhook delivery";

/// Delivers one claimed event and records the result (while the claim holds).
pub(super) async fn deliver(state: &AppState, c: &Claimed) -> StoreResult<Attempt> {
    let Some(d) = open(&state.secrets, c) else {
        return fail(state, c, None, "the payload cannot be decrypted").await;
    };
    let Some(hook) = state.store.get_webhook(&c.recipient).await? else {
        // The webhook was removed: nobody wants it any more.
        return notify::discard(state, c).await;
    };
    if state.now() >= c.give_up_at {
        return fail(state, c, Some(&d), "not delivered before it expired").await;
    }
    let sent = match open_secret(&state.secrets, &hook.id, &hook.secret) {
        Some(secret) => post(state, &hook.url, &d, &secret).await,
        None => Err("the webhook's secret cannot be decrypted".to_string()),
    };
    let outcome = notify::record(state, c, CHANNEL, WHAT, sent).await?;
    audit(state, c, Some(&d), &outcome).await;
    Ok(outcome.attempt())
}

async fn fail(
    state: &AppState,
    c: &Claimed,
    d: Option<&Delivery>,
    error: &str,
) -> StoreResult<Attempt> {
    let outcome = notify::give_up(state, c, CHANNEL, WHAT, error.to_string()).await?;
    audit(state, c, d, &outcome).await;
    Ok(outcome.attempt())
}

/// The audit event of an event given up (deliveries are not audited: the event already
/// is).
async fn audit(state: &AppState, c: &Claimed, d: Option<&Delivery>, outcome: &Outcome) {
    let Outcome::GaveUp(reason) = outcome else {
        return;
    };
    state
        .audit(
            AuditEvent::WebhookDeliveryFailed {
                webhook: &c.recipient,
                event: d.map(|d| d.event.as_str()).unwrap_or("unknown"),
                event_id: d.map(|d| d.event_id.as_str()).unwrap_or(""),
                attempts: c.attempts,
                reason,
            },
            None,
            None,
        )
        .await;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secrets() -> ServerSecrets {
        ServerSecrets::from_secret(&secrecy::SecretString::from(
            "a-test-secret-that-is-long-enough-0123456789".to_string(),
        ))
    }

    #[test]
    fn a_webhook_secret_opens_only_for_its_own_webhook() {
        let s = secrets();
        let sealed = seal_secret(&s, "wh_a", "the-signing-secret").unwrap();
        assert_eq!(
            open_secret(&s, "wh_a", &sealed).as_deref(),
            Some(&b"the-signing-secret"[..])
        );
        assert_eq!(open_secret(&s, "wh_b", &sealed), None);
    }

    #[test]
    fn a_body_carries_the_event_without_the_acting_admin() {
        let row = AuditRow {
            id: 42,
            at: 1_700_000_000,
            kind: "admin_user_disabled".into(),
            user_id: Some("u1".into()),
            client_id: None,
            ip: Some("192.0.2.1".into()),
            detail: r#"{"already_disabled":false,"actor":{"token":"t1"}}"#.into(),
        };
        let b = Body::from_row(Event::PersonDisabled, &row);
        let v = serde_json::to_value(&b).unwrap();
        assert_eq!(v["id"], "42");
        assert_eq!(v["type"], "person.disabled");
        assert_eq!(v["sub"], "u1");
        assert_eq!(v["source"], "admin_user_disabled");
        assert_eq!(v["detail"], serde_json::json!({"already_disabled": false}));
        assert!(v.get("ip").is_none(), "{v}");
    }
}
