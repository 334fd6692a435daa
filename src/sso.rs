//! The SSO session: a person signed in in one browser. One name for one thing: the
//! browser's session holds its state ([`SsoSession`]: who, when, how), and the database
//! holds its record (`store::sso_sessions`, the `user_sessions` table), which admins list
//! and end.
//!
//! At sign-in, [`start`] renews the browser session's id (against fixation), stores the
//! state and [`record`]s it: a `user_sessions` row and keeps its id in the browser's
//! session under [`SSO_SID_KEY`]; a newer sign-in in the same browser replaces it. Ending
//! a sign-in (`Store::end_sso_session`) marks the row and deletes the browser's session
//! record, and [`is_live`] refuses single sign-on for an ended one even if a request in
//! flight wrote the record back.

use tower_sessions::Session;

use serde::{Deserialize, Serialize};

use crate::error::PageError;
use crate::outbox::logout;
use crate::state::AppState;
use crate::store::sso_sessions::SsoSessionRecord;
pub use crate::store::sso_sessions::SSO_SID_KEY;
use crate::store::Store;

/// Session key of the single sign-on state.
pub const SSO_KEY: &str = "sso";
/// Session key of the single sign-on session's id as grants, ID tokens (`sid`) and
/// logout tokens carry it: the id of its record (a row of `user_sessions`), never the
/// cookie's value.
pub const SID_KEY: &str = "sid";

/// Who is signed in in this browser, and how.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct SsoSession {
    pub user_id: String,
    pub auth_time: i64,
    pub amr: Vec<String>,
}

pub async fn current(session: &Session) -> Result<Option<SsoSession>, PageError> {
    Ok(session.get::<SsoSession>(SSO_KEY).await?)
}

/// Records a sign-in: a new session id (against fixation), then the single sign-on state
/// (and the record admins see, [`record`], whose id is the `sid` of its grants).
pub async fn start(state: &AppState, session: &Session, sso: &SsoSession) -> Result<(), PageError> {
    session.cycle_id().await?;
    session.insert(SSO_KEY, sso).await?;
    let sid = record(state, session, sso).await?;
    session.insert(SID_KEY, sid).await?;
    Ok(())
}

/// The id of this browser's single sign-on session, when there is one.
pub async fn current_sid(session: &Session) -> Result<Option<String>, PageError> {
    Ok(session.get::<String>(SID_KEY).await?)
}

/// Records a sign-in for this browser and returns its id. The same person signing in again
/// in the same browser renews the sign-in they had (the same `sid`, so the apps that hold
/// it keep it, with the new methods and expiry); another person's sign-in ends the one it
/// replaces, and that sign-in's clients are told (back-channel logout).
pub async fn record(
    state: &AppState,
    session: &Session,
    sso: &SsoSession,
) -> Result<String, PageError> {
    let now = state.now();
    let amr = serde_json::to_string(&sso.amr).unwrap_or_else(|_| "[]".into());
    let expires_at = now + state.config.session.ttl_seconds;
    if let Some(old) = session.get::<String>(SSO_SID_KEY).await? {
        // `cycle_id` has already deleted the old browser session record.
        if state
            .store
            .renew_sso_session(&old, &sso.user_id, &amr, now, expires_at)
            .await?
        {
            return Ok(old);
        }
        if state
            .store
            .mark_sso_session_ended(&old, now, "replaced")
            .await?
        {
            notify_ended(state, old).await?;
        }
    }
    let sid = crate::crypto::random_hex(16)?;
    state
        .store
        .insert_sso_session(&SsoSessionRecord {
            id: sid.clone(),
            user_id: sso.user_id.clone(),
            amr,
            created_at: now,
            expires_at,
            ended_at: None,
            end_reason: None,
        })
        .await?;
    session.insert(SSO_SID_KEY, &sid).await?;
    Ok(sid)
}

/// Tells the clients of an ended sign-in (through the outbox).
pub async fn notify_ended(state: &AppState, sid: String) -> Result<(), PageError> {
    logout::notify_from_state(state, &[sid])
        .await
        .map(|_| ())
        .map_err(|e| match e {
            logout::NoticeError::Store(e) => PageError::from(e),
            logout::NoticeError::Crypto(e) => PageError::from(e),
        })
}

/// Whether a browser's single sign-on may still be used: the account is enabled and the
/// recorded sign-in was not ended.
pub async fn is_live(
    store: &Store,
    session: &Session,
    sso: &SsoSession,
) -> Result<bool, PageError> {
    if let Some(sid) = session.get::<String>(SSO_SID_KEY).await? {
        if store.sso_session_ended(&sid).await? {
            return Ok(false);
        }
    }
    Ok(matches!(store.get_user(&sso.user_id).await?, Some(u) if u.disabled_at.is_none()))
}
