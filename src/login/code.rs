//! The one-time code: issue, deliver, verify. Plain functions over the state, called by the
//! page handlers and by tests.

use crate::audit::AuditEvent;
use crate::channel::Channel;
use crate::crypto::{ct_eq, random_code, random_token};
use crate::delivery::CodeMessage;
use crate::i18n::Locale;
use crate::sso::SsoSession;
use crate::state::AppState;
use crate::store::login::{LoginTx, NewCode};
use crate::store::users::User;

pub use super::code_message::LoginError;
use super::code_message::{self, OutgoingCode, Stored};
use super::identifier::Identifier;
use super::protect::{self, ClientIp, Gate, Guard, Pause};
use crate::outbox::StandIn;

/// The keyed hash of a code, bound to its login transaction: the same digits typed into
/// another sign-in hash differently and never match.
pub fn code_hash(state: &AppState, tx_id: &str, code: &str) -> Vec<u8> {
    state.secrets.login_code_hash(tx_id, code)
}

#[derive(Debug)]
pub enum SendOutcome {
    /// A code was stored and its message (or stand-in) handed to the outbox, which
    /// delivers it after the answer; a late or failed delivery is told on the code page
    /// ([`code_message::page_status`]).
    Sent,
    /// A code went to this address moments ago; the person should wait.
    Cooldown { wait_seconds: i64 },
    /// A limit refused it (the same answer for known and unknown identifiers).
    Paused(Pause),
}

/// Stores a new code for the sign-in and has it sent. Every address takes the same path
/// up to the answer, whether or not it may receive a code: the limits are counted, the
/// review-account and account lookups made, and the code written with one outbox row in
/// one transaction. Where nothing may be sent (an unknown address with registration off,
/// a disabled account, a review account) the row is a stand-in, told apart only inside its
/// sealed payload. The row is then handed to a delivery that runs after the answer
/// ([`crate::outbox::deliver_after_answer`]), so no part of a delivery, or of its absence,
/// is in the answer's time.
pub async fn send_code(
    state: &AppState,
    tx: &LoginTx,
    client_name: &str,
    id: &Identifier,
    ip: &ClientIp,
    lang: Locale,
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
    if let Some(pause) = protect::check_send(
        &Guard::of(state),
        id.channel(),
        id.as_str(),
        ip,
        &tx.client_id,
    )
    .await?
    {
        return Ok(SendOutcome::Paused(pause));
    }
    let code = random_code()?;
    let hash = code_hash(state, &tx.id, &code);
    // Both lookups are made for every address, in this order.
    let review = super::review::skip_delivery(state, id.as_str()).await?;
    let existing = state
        .store
        .find_user_by_identifier(id.channel(), id.as_str())
        .await?;
    let stand_in = match (&existing, review) {
        (_, true) => Some(StandIn::ReviewAccount),
        (Some(u), false) if u.disabled_at.is_some() => Some(StandIn::Disabled),
        (Some(_), false) => None,
        (None, false) if state.config.register_new_users => None,
        (None, false) => Some(StandIn::NoAccount),
    };
    // The email's link: derived from the code's hash, so it lives and dies with the code.
    // Stand-ins carry one too, so their sealed payloads are as long as real ones.
    let link = (id.channel() == Channel::Email && cfg.magic_link).then(|| {
        format!(
            "{}{}?tx={}&k={}",
            state.config.issuer,
            super::link::LINK_PATH,
            tx.id,
            state.secrets.login_link_key(&tx.id, &hash)
        )
    });
    let issuer_host = issuer_host(state);
    let msg = CodeMessage {
        tr: state.i18n.tr(lang),
        to: id.as_str(),
        code: &code,
        product_name: &state.config.product_name,
        client_name,
        issuer_host: &issuer_host,
        expires_minutes: (cfg.code_ttl_seconds + 59) / 60,
        link: link.as_deref(),
    };
    let ip_text = ip.0.to_string();
    let outgoing = OutgoingCode {
        channel: id.channel(),
        message: &msg,
        user_id: existing.as_ref().map(|u| u.id.as_str()),
        ip: Some(ip_text.as_str()),
        stand_in,
    };
    let new_code = NewCode {
        identifier: id.as_str(),
        channel: id.channel(),
        code_hash: &hash,
        expires_at: now + cfg.code_ttl_seconds,
        cooldown_cutoff: now - cfg.resend_cooldown_seconds,
    };
    match code_message::store_code(state, tx, &new_code, &outgoing).await? {
        Stored::Refused => {
            let wait = tx
                .code_sent_at
                .map(|t| t + cfg.resend_cooldown_seconds - now)
                .unwrap_or(cfg.resend_cooldown_seconds)
                .max(1);
            Ok(SendOutcome::Cooldown { wait_seconds: wait })
        }
        Stored::Queued(claimed) => {
            crate::outbox::deliver_after_answer(state, claimed);
            Ok(SendOutcome::Sent)
        }
    }
}

/// The issuer's `host[:port]`, as messages name it.
pub fn issuer_host(state: &AppState) -> String {
    url::Url::parse(&state.config.issuer)
        .ok()
        .and_then(|u| {
            u.host_str().map(|h| match u.port() {
                Some(p) => format!("{h}:{p}"),
                None => h.to_string(),
            })
        })
        .unwrap_or_default()
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

/// What a person presents to finish a sign-in: the same secret in two forms.
#[derive(Clone, Copy)]
pub enum Proof<'a> {
    /// The 6 digits, as typed.
    Code(&'a str),
    /// The `k` of the emailed sign-in link ([`super::link`]).
    Link(&'a str),
}

/// Checks a typed code ([`verify`] with [`Proof::Code`]).
pub async fn verify_code(
    state: &AppState,
    tx: &LoginTx,
    typed: &str,
    ip: &ClientIp,
) -> Result<VerifyOutcome, LoginError> {
    verify(state, tx, Proof::Code(typed), ip).await
}

/// Checks a typed code or an emailed link's secret. Each call counts one attempt on the code atomically, then
/// reserves one failure in the budget of the identifier that code was sent to (the one the
/// counting `UPDATE` returns) before comparing, so concurrent guesses can exceed neither
/// limit, even while the sign-in switches between addresses; success burns the code. A
/// failed answer counts against the IP and is delayed progressively.
pub async fn verify(
    state: &AppState,
    tx: &LoginTx,
    proof: Proof<'_>,
    ip: &ClientIp,
) -> Result<VerifyOutcome, LoginError> {
    let outcome = evaluate(state, tx, proof, ip).await?;
    let counted = match &outcome {
        VerifyOutcome::Success { .. } => return Ok(outcome),
        VerifyOutcome::Paused(_) => false,
        VerifyOutcome::Wrong { .. } | VerifyOutcome::NoLiveCode { .. } => true,
    };
    let delay = protect::failed_verification(&Guard::of(state), ip, counted).await?;
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    Ok(outcome)
}

async fn evaluate(
    state: &AppState,
    tx: &LoginTx,
    proof: Proof<'_>,
    ip: &ClientIp,
) -> Result<VerifyOutcome, LoginError> {
    let now = state.now();
    let max = state.config.login.max_attempts;
    if tx.identifier.is_none() {
        return Ok(VerifyOutcome::NoLiveCode {
            too_many_tries: false,
        });
    }
    if let Some(pause) = protect::check_ip_failures(
        &Guard::of(state),
        tx.identifier.as_deref(),
        tx.channel(),
        ip,
        &tx.client_id,
    )
    .await?
    {
        return Ok(VerifyOutcome::Paused(pause));
    }
    if let Some(identifier) = tx.identifier.as_deref() {
        if let Some(pause) = protect::check_identifier_failures(
            &Guard::of(state),
            identifier,
            tx.channel(),
            ip,
            &tx.client_id,
        )
        .await?
        {
            return Ok(VerifyOutcome::Paused(pause));
        }
    }
    let Some(attempt) = state.store.count_code_attempt(&tx.id, now, max).await? else {
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
    let channel = attempt.channel();
    // Charged to the identifier whose code is compared below, whatever `tx` said when it
    // was read (the sign-in may have switched addresses since). Past its budget nothing is
    // compared; the attempt just counted stays counted on that code (one of its tries,
    // as for any guess that reached it).
    let reservation = match protect::reserve_failure(
        &Guard::of(state),
        channel,
        &attempt.identifier,
        ip,
        &tx.client_id,
    )
    .await?
    {
        Gate::Open(r) => r,
        Gate::Paused(p) => return Ok(VerifyOutcome::Paused(p)),
    };
    let masked = channel.mask(&attempt.identifier);
    let matched = match proof {
        Proof::Code(typed) => {
            ct_eq(&attempt.code_hash, &code_hash(state, &tx.id, typed))
                || super::review::code_matches(state, tx, &attempt.identifier, typed).await?
        }
        // Only an emailed code has a link, and only while links are on.
        Proof::Link(k) => {
            channel == Channel::Email
                && state.config.login.magic_link
                && ct_eq(
                    state
                        .secrets
                        .login_link_key(&tx.id, &attempt.code_hash)
                        .as_bytes(),
                    k.as_bytes(),
                )
        }
    };
    if !matched {
        protect::keep(reservation);
        protect::audit(
            state,
            AuditEvent::VerificationFailed {
                to: &masked,
                attempt: attempt.attempts,
                channel: attempt.channel(),
            },
            None,
            Some(&tx.client_id),
            Some(ip),
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
    protect::release(&Guard::of(state), reservation).await?;
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
            AuditEvent::UserRegistered { channel },
            Some(&user.id),
            Some(&tx.client_id),
            Some(ip),
        )
        .await;
    }
    protect::audit(
        state,
        AuditEvent::VerificationSucceeded { channel },
        Some(&user.id),
        Some(&tx.client_id),
        Some(ip),
    )
    .await;
    let sso = SsoSession {
        user_id: user.id.clone(),
        auth_time: now,
        amr: super::amr_of(channel),
    };
    Ok(VerifyOutcome::Success {
        user,
        sso,
        registered,
    })
}
