//! The one-time code: issue, deliver, verify. Plain functions over the state, called by the
//! page handlers and by tests.

use std::time::Instant;

use crate::app::AppState;
use crate::authz::SsoSession;
use crate::crypto::{ct_eq, random_code, random_token};
use crate::delivery::CodeMessage;
use crate::store::login::{LoginTx, NewCode};
use crate::store::users::User;
use crate::store::StoreError;

use super::identifier::{mask_stored, Identifier};
use super::protect::{self, ClientIp, Gate, Pause};

/// The keyed hash of a code, bound to its login transaction: the same digits typed into
/// another sign-in hash differently and never match.
pub fn code_hash(state: &AppState, tx_id: &str, code: &str) -> Vec<u8> {
    state
        .secrets
        .keyed_hash("login_code", &[tx_id.as_bytes(), code.as_bytes()])
}

#[derive(Debug)]
pub enum SendOutcome {
    /// A code was stored (and sent, when the address may sign in).
    Sent,
    /// A code went to this address moments ago; the person should wait.
    Cooldown { wait_seconds: i64 },
    /// The message failed for good at its first attempt (`outbox.max_attempts = 1`); the
    /// code was withdrawn. A message that will be retried is `Sent`.
    DeliveryFailed,
    /// A limit refused it (the same answer for known and unknown identifiers).
    Paused(Pause),
}

#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Crypto(#[from] crate::crypto::CryptoError),
}

impl From<LoginError> for crate::error::PageError {
    fn from(e: LoginError) -> Self {
        match e {
            LoginError::Store(e) => e.into(),
            LoginError::Crypto(e) => e.into(),
        }
    }
}

/// Stores a new code for the sign-in and sends it. The work is the same whether or not
/// the address belongs to an account: limits are counted first, the message is always
/// rendered ([`crate::delivery::Mailer::prepare`]), and when the address may not sign in
/// (unknown, with registration off) the send is replaced by a wait drawn from measured
/// delivery times.
pub async fn send_code(
    state: &AppState,
    tx: &LoginTx,
    client_name: &str,
    id: &Identifier,
    ip: &ClientIp,
) -> Result<SendOutcome, LoginError> {
    let now = state.now();
    let cfg = &state.config.login;
    // A click within the cooldown costs nothing from the send budget (the UPDATE below
    // checks the cooldown again, atomically).
    if tx.identifier.as_deref() == Some(id.as_str()) {
        if let Some(sent) = tx.code_sent_at {
            let wait = sent + cfg.resend_cooldown_seconds - now;
            if wait > 0 {
                return Ok(SendOutcome::Cooldown { wait_seconds: wait });
            }
        }
    }
    if let Some(pause) =
        protect::check_send(state, id.channel(), id.as_str(), ip, &tx.client_id).await?
    {
        return Ok(SendOutcome::Paused(pause));
    }
    let code = random_code()?;
    let hash = code_hash(state, &tx.id, &code);
    let review = super::review::skip_delivery(state, tx, id.as_str()).await?;
    let existing = state
        .store
        .find_user_by_identifier(id.channel(), id.as_str())
        .await?;
    let may_sign_in = match &existing {
        Some(u) => u.disabled_at.is_none(),
        None => state.config.register_new_users,
    };
    let masked = id.masked();
    let channel = id.channel().as_str();
    let issuer_host = url::Url::parse(&state.config.issuer)
        .ok()
        .and_then(|u| {
            u.host_str().map(|h| match u.port() {
                Some(p) => format!("{h}:{p}"),
                None => h.to_string(),
            })
        })
        .unwrap_or_default();
    let msg = CodeMessage {
        to: id.as_str(),
        code: &code,
        product_name: &state.config.product_name,
        client_name,
        issuer_host: &issuer_host,
        expires_minutes: (cfg.code_ttl_seconds + 59) / 60,
    };
    // Both paths render the message, so the work before the send is the same.
    if id.channel() == crate::store::users::Channel::Email {
        let _ = state.mailer.prepare(&msg);
    }
    state.protect.note(&state.protect.prepared);
    // The code and its message are written in one transaction (the outbox); the message
    // is then delivered at once, or retried by a worker on any replica (crate::outbox).
    let ip_text = ip.0.to_string();
    let outgoing = (may_sign_in && !review).then(|| crate::outbox::OutgoingCode {
        channel: id.channel().as_str(),
        message: &msg,
        user_id: existing.as_ref().map(|u| u.id.as_str()),
        ip: Some(ip_text.as_str()),
    });
    let new_code = NewCode {
        identifier: id.as_str(),
        channel: id.channel().as_str(),
        code_hash: &hash,
        expires_at: now + cfg.code_ttl_seconds,
        cooldown_cutoff: now - cfg.resend_cooldown_seconds,
    };
    match crate::outbox::store_code(state, tx, &new_code, outgoing).await? {
        crate::outbox::Stored::Refused => {
            let wait = tx
                .code_sent_at
                .map(|t| t + cfg.resend_cooldown_seconds - now)
                .unwrap_or(cfg.resend_cooldown_seconds)
                .max(1);
            Ok(SendOutcome::Cooldown { wait_seconds: wait })
        }
        crate::outbox::Stored::WithoutMessage if review => Ok(SendOutcome::Sent),
        crate::outbox::Stored::WithoutMessage => {
            // Both paths take about as long: wait like a delivery would.
            state.protect.note(&state.protect.padded);
            let pad = state
                .protect
                .padding(id.channel(), state.config.limits.send_padding_fallback_ms);
            tokio::time::sleep(pad).await;
            protect::audit(
                state,
                "code_not_sent",
                existing.as_ref().map(|u| u.id.as_str()),
                Some(&tx.client_id),
                Some(ip),
                serde_json::json!({ "channel": channel, "to": masked, "reason": "no account" }),
            )
            .await;
            Ok(SendOutcome::Sent)
        }
        crate::outbox::Stored::Queued(claimed) => {
            let started = Instant::now();
            state.protect.note(&state.protect.delivered);
            let outcome = crate::outbox::deliver_now(state, claimed).await;
            if matches!(outcome, SendOutcome::Sent) {
                state
                    .protect
                    .record_delivery(id.channel(), started.elapsed());
            }
            Ok(outcome)
        }
    }
}

#[derive(Debug)]
pub enum VerifyOutcome {
    /// Signed in: the user and the new single sign-on state.
    Success {
        user: User,
        sso: SsoSession,
        registered: bool,
    },
    /// Wrong code; this many tries remain for it.
    Wrong { remaining: i64 },
    /// No live code: expired, burnt after too many tries, or never sent.
    NoLiveCode { too_many_tries: bool },
    /// A limit refused to evaluate the code (too many failures for the identifier or IP).
    Paused(Pause),
}

/// Checks a typed code. Each call reserves one failure in the identifier's budget and
/// counts one attempt on the code atomically before comparing, so concurrent guesses can
/// exceed neither limit; success burns the code. A failed answer counts against the IP and
/// is delayed progressively.
pub async fn verify_code(
    state: &AppState,
    tx: &LoginTx,
    typed: &str,
    ip: &ClientIp,
) -> Result<VerifyOutcome, LoginError> {
    let outcome = evaluate(state, tx, typed, ip).await?;
    let counted = match &outcome {
        VerifyOutcome::Success { .. } => return Ok(outcome),
        VerifyOutcome::Paused(_) => false,
        VerifyOutcome::Wrong { .. } | VerifyOutcome::NoLiveCode { .. } => true,
    };
    let delay = protect::failed_verification(state, ip, counted).await?;
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    Ok(outcome)
}

async fn evaluate(
    state: &AppState,
    tx: &LoginTx,
    typed: &str,
    ip: &ClientIp,
) -> Result<VerifyOutcome, LoginError> {
    let now = state.now();
    let max = state.config.login.max_attempts;
    if tx.identifier.is_none() {
        return Ok(VerifyOutcome::NoLiveCode {
            too_many_tries: false,
        });
    }
    let reservation = match protect::before_verify(
        state,
        tx.identifier.as_deref(),
        tx.channel.as_deref(),
        ip,
        &tx.client_id,
    )
    .await?
    {
        Gate::Open(r) => r,
        Gate::Paused(p) => return Ok(VerifyOutcome::Paused(p)),
    };
    let Some(attempt) = state.store.count_code_attempt(&tx.id, now, max).await? else {
        protect::release(state, reservation).await?;
        // Read the count again: concurrent guesses may have used the last tries since
        // `tx` was loaded, and the person should hear why the code stopped working.
        let attempts = match state.store.get_login_tx(&tx.id, now).await? {
            Some(t) => t.attempts,
            None => tx.attempts,
        };
        return Ok(VerifyOutcome::NoLiveCode {
            too_many_tries: attempts >= max,
        });
    };
    let hash = code_hash(state, &tx.id, typed);
    let masked = mask_stored(Some(&attempt.channel), &attempt.identifier);
    let matched = ct_eq(&attempt.code_hash, &hash)
        || super::review::code_matches(state, tx, &attempt.identifier, typed).await?;
    if !matched {
        protect::keep(reservation);
        protect::audit(
            state,
            "verification_failed",
            None,
            Some(&tx.client_id),
            Some(ip),
            serde_json::json!({
                "to": masked, "attempt": attempt.attempts, "channel": attempt.channel,
            }),
        )
        .await;
        if attempt.attempts >= max {
            state.store.burn_login_code(&tx.id).await?;
            return Ok(VerifyOutcome::NoLiveCode {
                too_many_tries: true,
            });
        }
        return Ok(VerifyOutcome::Wrong {
            remaining: max - attempt.attempts,
        });
    }
    protect::release(state, reservation).await?;
    if !state
        .store
        .consume_login_code(&tx.id, &attempt.code_hash, now)
        .await?
    {
        // Another request consumed it first.
        return Ok(VerifyOutcome::NoLiveCode {
            too_many_tries: false,
        });
    }
    let channel = match attempt.channel.as_str() {
        "sms" => crate::store::users::Channel::Sms,
        _ => crate::store::users::Channel::Email,
    };
    let new_id = random_token(16)?;
    let user = state
        .store
        .user_signed_in(
            channel,
            &attempt.identifier,
            &new_id,
            state.config.register_new_users,
            now,
        )
        .await?;
    let Some(user) = user.filter(|u| u.disabled_at.is_none()) else {
        // Only reachable by guessing a code that was never sent: answer like a wrong code.
        return Ok(VerifyOutcome::Wrong {
            remaining: (max - attempt.attempts).max(0),
        });
    };
    let registered = user.id == new_id;
    if registered {
        protect::audit(
            state,
            "user_registered",
            Some(&user.id),
            Some(&tx.client_id),
            Some(ip),
            serde_json::json!({ "channel": channel.as_str() }),
        )
        .await;
    }
    protect::audit(
        state,
        "verification_succeeded",
        Some(&user.id),
        Some(&tx.client_id),
        Some(ip),
        serde_json::json!({ "channel": channel.as_str() }),
    )
    .await;
    let sso = SsoSession {
        user_id: user.id.clone(),
        auth_time: now,
        amr: vec!["otp".into(), channel.as_str().into()],
    };
    Ok(VerifyOutcome::Success {
        user,
        sso,
        registered,
    })
}
