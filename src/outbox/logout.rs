//! Back-channel logout notifications (OpenID Connect Back-Channel Logout 1.0) as outbox
//! messages of their own channel, [`CHANNEL`].
//!
//! When sign-ins end, [`notify_sessions_ended`] writes one message per sign-in and client
//! that received an ID token in it and registered a `backchannel_logout_uri`
//! (`Store::logout_targets`). The row's recipient is the client id; its sealed payload
//! ([`Notice`]) holds the subject, the `sid` and the token's `jti`, bound to the channel
//! and the client. The logout token itself is minted at each attempt ([`deliver`]), so a
//! retry never sends an expired one, and POSTed as `logout_token=…`
//! (`application/x-www-form-urlencoded`) to the URI the client has registered at that
//! moment. A 200 or 204 answer is a delivery; anything else, or no answer, is retried with
//! the outbox's backoff until `outbox.max_attempts` or `outbox.give_up_after_seconds`.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::notify::{self, Outcome};
use super::Attempt;
use crate::audit::AuditEvent;
use crate::config::OutboxConfig;
use crate::crypto::{random_token, CryptoError, ServerSecrets};
use crate::state::AppState;
use crate::store::clients::Client;
use crate::store::outbox::Claimed;
use crate::store::{Store, StoreError, StoreResult};
use crate::tokens::{self, LogoutTokenClaims, LOGOUT_TOKEN_TYPE};

/// The outbox channel of logout notifications.
pub const CHANNEL: &str = "backchannel";

/// How long a logout token is valid after it is minted.
pub const LOGOUT_TOKEN_TTL_SECONDS: i64 = 120;

/// The longest wait for a client's answer (shorter still when the lease is short).
const REQUEST_TIMEOUT_SECONDS: u64 = 10;

/// The sealed part of a logout notification.
#[derive(Clone, Serialize, Deserialize)]
pub(crate) struct Notice {
    pub(crate) client_id: String,
    pub(crate) sub: String,
    pub(crate) sid: String,
    /// The same on every attempt, so a client can tell a retry from a new logout.
    pub(crate) jti: String,
}

impl std::fmt::Debug for Notice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Notice(<redacted>)")
    }
}

/// Why the notifications of ended sign-ins could not be written.
#[derive(Debug, thiserror::Error)]
pub enum NoticeError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Crypto(#[from] CryptoError),
}

fn aad(client_id: &str) -> Vec<u8> {
    let mut v = b"sesame/outbox/backchannel/v1".to_vec();
    v.push(0);
    v.extend_from_slice(client_id.as_bytes());
    v
}

fn seal(secrets: &ServerSecrets, n: &Notice) -> Result<Vec<u8>, CryptoError> {
    let json = serde_json::to_vec(n).map_err(|_| CryptoError::Encrypt)?;
    secrets.encrypt(&json, &aad(&n.client_id))
}

fn open(secrets: &ServerSecrets, c: &Claimed) -> Option<Notice> {
    let json = secrets
        .decrypt(c.payload.as_deref()?, &aad(&c.recipient))
        .ok()?;
    serde_json::from_slice(&json).ok()
}

/// What the ending of sign-ins needs to write their notifications.
pub struct NoticeCtx<'a> {
    pub store: &'a Store,
    pub secrets: &'a ServerSecrets,
    pub outbox: &'a OutboxConfig,
    pub now: i64,
}

/// Writes a logout notification for every client of each ended sign-in that registered a
/// back-channel logout URI; returns how many. Any replica's outbox worker delivers them.
/// Each sign-in's notifications are written in one transaction that also forgets its
/// clients (`Store::enqueue_logout_notices`), so a client is told once, and a crash
/// between ending a sign-in and this call leaves it to [`sweep`].
pub async fn notify_sessions_ended(
    ctx: &NoticeCtx<'_>,
    session_ids: &[String],
) -> Result<usize, NoticeError> {
    let mut n = 0;
    for sid in session_ids {
        n += ctx
            .store
            .enqueue_logout_notices(
                sid,
                ctx.now,
                ctx.now + ctx.outbox.give_up_after_seconds,
                |t| -> Result<Vec<u8>, NoticeError> {
                    let notice = Notice {
                        client_id: t.client_id.clone(),
                        sub: t.user_id.clone(),
                        sid: t.session_id.clone(),
                        jti: random_token(16)?,
                    };
                    Ok(seal(ctx.secrets, &notice)?)
                },
            )
            .await?;
    }
    Ok(n)
}

/// How far back [`sweep`] looks for ended sign-ins whose clients were never told.
pub const SWEEP_LOOKBACK_SECONDS: i64 = 7 * 86_400;

/// The most sign-ins one [`sweep`] round notifies.
const SWEEP_BATCH: i64 = 100;

/// Notifies the clients of sign-ins that ended (in the last [`SWEEP_LOOKBACK_SECONDS`])
/// but whose notifications were never written: a replica stopped between the two writes.
/// Every replica's outbox worker runs it when it starts and then every few minutes; the
/// transaction of [`notify_sessions_ended`] makes it harmless to run alongside a request
/// doing the same. Returns how many notifications it wrote.
pub async fn sweep(ctx: &NoticeCtx<'_>) -> Result<usize, NoticeError> {
    let mut n = 0;
    loop {
        let ids = ctx
            .store
            .ended_sessions_with_clients(ctx.now - SWEEP_LOOKBACK_SECONDS, SWEEP_BATCH)
            .await?;
        n += notify_sessions_ended(ctx, &ids).await?;
        if (ids.len() as i64) < SWEEP_BATCH {
            return Ok(n);
        }
    }
}

/// [`notify_sessions_ended`] from a request's state, waking this replica's worker.
pub async fn notify_from_state(
    state: &AppState,
    session_ids: &[String],
) -> Result<usize, NoticeError> {
    let ctx = NoticeCtx {
        store: &state.store,
        secrets: &state.secrets,
        outbox: &state.config.outbox,
        now: state.now(),
    };
    let n = notify_sessions_ended(&ctx, session_ids).await?;
    if n > 0 {
        state.replica.outbox_wake.notify_one();
    }
    Ok(n)
}

/// Mints the logout token of a notice for `client`: `sub` and `sid` always (the spec
/// allows both; a client that requires `sid` gets it), never a `nonce`.
pub(crate) fn logout_token(
    keys: &tokens::KeySet,
    issuer: &str,
    client: &Client,
    n: &Notice,
    now: i64,
) -> Result<String, tokens::KeyError> {
    let claims = LogoutTokenClaims {
        iss: issuer.to_string(),
        aud: client.id.clone(),
        iat: now,
        exp: now + LOGOUT_TOKEN_TTL_SECONDS,
        jti: n.jti.clone(),
        sub: Some(n.sub.clone()),
        sid: Some(n.sid.clone()),
        events: LogoutTokenClaims::logout_events(),
    };
    tokens::sign(keys, client.id_token_alg, LOGOUT_TOKEN_TYPE, &claims, now)
}

/// One POST of a logout token. The error never holds the token.
async fn post(state: &AppState, uri: &str, token: &str) -> Result<(), String> {
    let lease = u64::try_from(state.config.outbox.lease_seconds / 2).unwrap_or(1);
    let timeout = Duration::from_secs(REQUEST_TIMEOUT_SECONDS.min(lease.max(1)));
    let http = reqwest::Client::builder()
        .timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|_| "could not build the HTTP client".to_string())?;
    let body = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("logout_token", token)
        .finish();
    let res = http
        .post(uri)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .map_err(|e| {
            if e.is_timeout() {
                "the client did not answer in time".to_string()
            } else {
                "the client could not be reached".to_string()
            }
        })?;
    match res.status().as_u16() {
        200 | 204 => Ok(()),
        s => Err(format!("the client answered HTTP {s}")),
    }
}

/// What logs call this channel's messages.
const WHAT: &str = "back-channel logout";

/// Delivers one claimed logout notification and records the result (while the claim
/// holds).
pub(super) async fn deliver(state: &AppState, c: &Claimed) -> StoreResult<Attempt> {
    let Some(notice) = open(&state.secrets, c) else {
        return fail(state, c, None, "the payload cannot be decrypted").await;
    };
    let client = state.store.get_client(&notice.client_id).await?;
    let Some((client, uri)) = client.and_then(|cl| {
        let uri = cl.meta.backchannel_logout_uri.clone()?;
        Some((cl, uri))
    }) else {
        // The client is gone, or no longer wants to be told.
        return notify::discard(state, c).await;
    };
    let now = state.now();
    if now >= c.give_up_at {
        return fail(state, c, Some(&notice), "not delivered before it expired").await;
    }
    let sent = match state.keys.keys().await {
        Ok(keys) => match logout_token(&keys, &state.config.issuer, &client, &notice, now) {
            Ok(token) => post(state, &uri, &token).await,
            Err(e) => Err(format!("could not sign the logout token: {e}")),
        },
        Err(e) => Err(format!("could not load the signing keys: {e}")),
    };
    let outcome = notify::record(state, c, CHANNEL, WHAT, sent).await?;
    audit(state, c, Some(&notice), &outcome).await;
    Ok(outcome.attempt())
}

async fn fail(
    state: &AppState,
    c: &Claimed,
    notice: Option<&Notice>,
    error: &str,
) -> StoreResult<Attempt> {
    let outcome = notify::give_up(state, c, CHANNEL, WHAT, error.to_string()).await?;
    audit(state, c, notice, &outcome).await;
    Ok(outcome.attempt())
}

/// The audit event of a delivery, or of a notification given up.
async fn audit(state: &AppState, c: &Claimed, notice: Option<&Notice>, outcome: &Outcome) {
    let event = match outcome {
        Outcome::Delivered => AuditEvent::BackchannelLogoutSent {
            attempts: c.attempts,
        },
        Outcome::GaveUp(reason) => AuditEvent::BackchannelLogoutFailed {
            attempts: c.attempts,
            reason,
        },
        Outcome::Retrying | Outcome::Lost => return,
    };
    state
        .audit(event, notice.map(|n| n.sub.as_str()), Some(&c.recipient))
        .await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_notice_opens_only_for_the_client_it_was_sealed_for() {
        let secrets = ServerSecrets::from_secret(&secrecy::SecretString::from(
            "a-test-secret-that-is-long-enough-0123456789".to_string(),
        ));
        let n = Notice {
            client_id: "rp-1".into(),
            sub: "user-1".into(),
            sid: "abc".into(),
            jti: "j1".into(),
        };
        let sealed = seal(&secrets, &n).unwrap();
        let claimed = |recipient: &str| Claimed {
            id: 1,
            channel: CHANNEL.into(),
            recipient: recipient.into(),
            login_tx: None,
            payload: Some(sealed.clone()),
            attempts: 1,
            give_up_at: 0,
            created_at: 0,
        };
        let opened = open(&secrets, &claimed("rp-1")).unwrap();
        assert_eq!(
            (opened.sub.as_str(), opened.sid.as_str()),
            ("user-1", "abc")
        );
        assert!(open(&secrets, &claimed("rp-2")).is_none());
    }
}
