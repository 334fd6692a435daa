//! A code and its message, written together: the sign-in rules the outbox carries out.
//! [`store_code`] writes a sign-in's new code and its sealed message (or stand-in) in one
//! transaction; [`page_status`] says what the code page tells the person about the
//! message's delivery.

use crate::channel::Channel;
use crate::delivery::CodeMessage;
use crate::i18n::Msg;
use crate::outbox::{CodePayload, StandIn};
use crate::state::AppState;
use crate::store::login::{LoginTx, NewCode};
use crate::store::outbox::{Claimed, CodeStored, MessageStatus, NewMessage};
use crate::store::{StoreError, StoreResult};

/// Why a code could not be stored: the database, or sealing its message.
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

/// A code message to write with its code.
pub struct OutgoingCode<'a> {
    pub channel: Channel,
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
        lang: Some(o.message.tr.lang().to_owned()),
        client_id: tx.client_id.clone(),
        user_id: o.user_id.map(str::to_owned),
        ip: o.ip.map(str::to_owned),
        stand_in: o.stand_in,
        link: o.message.link.map(str::to_owned),
    };
    let sealed = crate::outbox::seal_payload(
        &state.secrets,
        &payload,
        o.channel.as_str(),
        o.message.to,
        &tx.id,
    )?;
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
            channel: o.channel.as_str().to_owned(),
            recipient: o.message.to.to_owned(),
            login_tx: Some(tx.id.clone()),
            payload: Some(sealed),
            attempts: 1,
            give_up_at,
            created_at: now,
        }),
    })
}

/// What the code page should say about the delivery of the sign-in's newest message:
/// `(error, notice)`.
pub async fn page_status(
    state: &AppState,
    tx: &LoginTx,
) -> StoreResult<(Option<Msg>, Option<Msg>)> {
    if tx.identifier.is_none() {
        return Ok((None, None));
    }
    let Some(m) = state.store.latest_message_for_tx(&tx.id).await? else {
        return Ok((None, None));
    };
    // A stand-in is never failed nor late: its page reads like a sent code's.
    Ok(match m.status {
        MessageStatus::Failed if m.channel == Channel::Sms.as_str() => {
            (Some(Msg::new("code-delivery-failed-sms")), None)
        }
        MessageStatus::Failed => (Some(Msg::new("code-delivery-failed")), None),
        MessageStatus::Pending if m.last_error.is_some() => {
            (None, Some(Msg::new("code-delivery-delayed")))
        }
        _ => (None, None),
    })
}
