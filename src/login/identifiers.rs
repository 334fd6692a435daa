//! One account, several identifiers: a signed-in person adds an email address or a phone
//! number to their account, proven by a code sent to it, and may remove one as long as
//! another remains. Either then signs in to the same account (`sub`). The code is counted
//! like a sign-in's: 5 tries, the identifier's and the IP's failure budgets, the send limits
//! (and for a number the SMS guard), one use.

use crate::audit::AuditEvent;
use crate::channel::Channel;
use crate::crypto::{ct_eq, random_code};
use crate::delivery::CodeMessage;
use crate::i18n::{Locale, Msg};
use crate::state::AppState;
use crate::store::identifier_changes::Attached;
use crate::store::users::User;

use super::code_message::LoginError;
use super::identifier::{parse_login_identifier, Identifier};
use super::protect::{self, ClientIp, Gate, Guard, Pause};
use super::sms_guard::{self, SmsDenial};

/// The limits' and audit trail's client for these codes: none (they are the account's).
const NO_CLIENT: &str = "";

fn change_code_hash(state: &AppState, user_id: &str, identifier: &str, code: &str) -> Vec<u8> {
    state.secrets.keyed_hash(
        "identifier_code",
        &[user_id.as_bytes(), identifier.as_bytes(), code.as_bytes()],
    )
}

/// Why a code was not sent to a new identifier.
#[derive(Debug)]
pub enum NotSent {
    /// Not an address or number (the message says why).
    Invalid(Msg),
    /// The account already has exactly this identifier.
    AlreadyYours,
    /// A code went to it moments ago.
    Cooldown { wait_seconds: i64 },
    /// A send or failure limit.
    Paused(Pause),
    /// The SMS guard refused the number.
    Sms(SmsDenial),
    /// The message could not be sent just now.
    Failed(Channel),
}

/// Sends a code to `raw` (typed by the person) to add it to `user`'s account. Whether
/// another account holds it is not looked at here: only someone who can read the code
/// learns that, when they type it ([`confirm`]).
pub async fn send(
    state: &AppState,
    user: &User,
    raw: &str,
    ip: &ClientIp,
    lang: Locale,
    example: &str,
) -> Result<Result<(), NotSent>, LoginError> {
    let id = match parse_login_identifier(raw, super::phone::rules(state)) {
        Ok(id) => id,
        Err(e) => return Ok(Err(NotSent::Invalid(e.msg(example)))),
    };
    let channel = id.channel();
    let mine = match channel {
        Channel::Email => user.email.as_deref(),
        Channel::Sms => user.phone.as_deref(),
    };
    if mine == Some(id.as_str()) {
        return Ok(Err(NotSent::AlreadyYours));
    }
    let now = state.now();
    let cfg = &state.config.login;
    let pending = state.store.get_identifier_change(&user.id, now).await?;
    let recent = pending
        .as_ref()
        .filter(|p| p.identifier == id.as_str())
        .map(|p| p.code_sent_at);
    if let Some(sent) = recent {
        let wait = sent + cfg.resend_cooldown_seconds - now;
        if wait > 0 {
            return Ok(Err(NotSent::Cooldown { wait_seconds: wait }));
        }
    }
    if let Identifier::Phone(number) = &id {
        if let Some(d) = sms_guard::admit_number(state, None, number, Some(ip.0), false).await? {
            return Ok(Err(NotSent::Sms(d)));
        }
    }
    if let Some(p) =
        protect::check_send(&Guard::of(state), channel, id.as_str(), ip, NO_CLIENT).await?
    {
        return Ok(Err(NotSent::Paused(p)));
    }
    let code = random_code()?;
    let hash = change_code_hash(state, &user.id, id.as_str(), &code);
    state
        .store
        .start_identifier_change(
            &user.id,
            channel,
            id.as_str(),
            &hash,
            now + cfg.code_ttl_seconds,
            now,
        )
        .await?;
    let tr = state.i18n.tr(lang);
    let account = tr.t1(
        "ids-mail-client",
        "product",
        state.config.product_name.as_str(),
    );
    let msg = CodeMessage {
        tr,
        to: id.as_str(),
        code: &code,
        product_name: &state.config.product_name,
        client_name: &account,
        issuer_host: &super::code::issuer_host(state),
        expires_minutes: (cfg.code_ttl_seconds + 59) / 60,
        link: None,
    };
    let sent = match channel {
        Channel::Email => state.mailer.send_code(&msg).await.is_ok(),
        Channel::Sms => state.sms.send_code(&msg, now).await.is_ok(),
    };
    if !sent {
        state
            .store
            .end_identifier_change(&user.id, Some(&hash))
            .await?;
        return Ok(Err(NotSent::Failed(channel)));
    }
    Ok(Ok(()))
}

/// What a typed code did.
#[derive(Debug)]
pub enum Confirmed {
    /// The identifier is on the account, verified.
    Added(User),
    Wrong {
        remaining: i64,
    },
    NoLiveCode {
        too_many_tries: bool,
    },
    /// The code was right, but another account holds the identifier: nothing changed.
    HeldElsewhere,
    Paused(Pause),
}

/// Checks the code typed for the identifier being added.
pub async fn confirm(
    state: &AppState,
    user_id: &str,
    typed: &str,
    ip: &ClientIp,
) -> Result<Confirmed, LoginError> {
    let outcome = evaluate(state, user_id, typed, ip).await?;
    if matches!(
        outcome,
        Confirmed::Wrong { .. } | Confirmed::NoLiveCode { .. }
    ) {
        let delay = protect::failed_verification(&Guard::of(state), ip, true).await?;
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
    }
    Ok(outcome)
}

async fn evaluate(
    state: &AppState,
    user_id: &str,
    typed: &str,
    ip: &ClientIp,
) -> Result<Confirmed, LoginError> {
    let now = state.now();
    let max = state.config.login.max_attempts;
    let pending = state.store.get_identifier_change(user_id, now).await?;
    if let Some(p) = &pending {
        let g = Guard::of(state);
        if let Some(pause) =
            protect::check_ip_failures(&g, Some(&p.identifier), p.channel(), ip, NO_CLIENT).await?
        {
            return Ok(Confirmed::Paused(pause));
        }
    }
    let Some(attempt) = state
        .store
        .count_identifier_attempt(user_id, now, max)
        .await?
    else {
        return Ok(Confirmed::NoLiveCode {
            too_many_tries: pending.is_some_and(|p| p.attempts >= max),
        });
    };
    let channel = Channel::from_stored(Some(&attempt.channel));
    let masked = channel.mask(&attempt.identifier);
    let reservation = match protect::reserve_failure(
        &Guard::of(state),
        channel,
        &attempt.identifier,
        ip,
        NO_CLIENT,
    )
    .await?
    {
        Gate::Open(r) => r,
        Gate::Paused(p) => return Ok(Confirmed::Paused(p)),
    };
    let hash = change_code_hash(state, user_id, &attempt.identifier, typed);
    if !ct_eq(&attempt.code_hash, &hash) {
        protect::keep(reservation);
        protect::audit(
            state,
            AuditEvent::VerificationFailed {
                to: &masked,
                attempt: attempt.attempts,
                channel,
            },
            Some(user_id),
            None,
            Some(ip),
        )
        .await;
        if attempt.attempts >= max {
            state.store.end_identifier_change(user_id, None).await?;
            return Ok(Confirmed::NoLiveCode {
                too_many_tries: true,
            });
        }
        return Ok(Confirmed::Wrong {
            remaining: max - attempt.attempts,
        });
    }
    protect::release(&Guard::of(state), reservation).await?;
    if !state
        .store
        .end_identifier_change(user_id, Some(&attempt.code_hash))
        .await?
    {
        return Ok(Confirmed::NoLiveCode {
            too_many_tries: false,
        });
    }
    match state
        .store
        .attach_identifier(user_id, channel, &attempt.identifier, now)
        .await?
    {
        Attached::Done(user) => {
            protect::audit(
                state,
                AuditEvent::IdentifierAdded {
                    to: &masked,
                    channel,
                },
                Some(user_id),
                None,
                Some(ip),
            )
            .await;
            Ok(Confirmed::Added(user))
        }
        Attached::HeldElsewhere => {
            protect::audit(
                state,
                AuditEvent::IdentifierHeldElsewhere {
                    to: &masked,
                    channel,
                },
                Some(user_id),
                None,
                Some(ip),
            )
            .await;
            Ok(Confirmed::HeldElsewhere)
        }
        Attached::NoUser => Ok(Confirmed::NoLiveCode {
            too_many_tries: false,
        }),
    }
}

/// Removes the person's identifier of `channel`; false when it is their only one (or they
/// have none of that channel).
pub async fn remove(
    state: &AppState,
    user: &User,
    channel: Channel,
    ip: &ClientIp,
) -> Result<bool, LoginError> {
    let current = match channel {
        Channel::Email => user.email.as_deref(),
        Channel::Sms => user.phone.as_deref(),
    };
    let Some(current) = current else {
        return Ok(false);
    };
    let masked = channel.mask(current);
    if !state
        .store
        .detach_identifier(&user.id, channel, state.now())
        .await?
    {
        return Ok(false);
    }
    protect::audit(
        state,
        AuditEvent::IdentifierRemoved {
            to: &masked,
            channel,
        },
        Some(&user.id),
        None,
        Some(ip),
    )
    .await;
    Ok(true)
}

/// Forgets the identifier being added (its code stops working).
pub async fn cancel(state: &AppState, user_id: &str) -> Result<(), LoginError> {
    state.store.end_identifier_change(user_id, None).await?;
    Ok(())
}
