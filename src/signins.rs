//! Browser sign-ins (single sign-on sessions) recorded so admins can list and end them.
//!
//! At sign-in, [`record`] writes a `user_sessions` row and keeps its id in the browser's
//! session under [`SSO_SID_KEY`]; a newer sign-in in the same browser replaces it. Ending
//! a sign-in (`Store::end_user_session`) marks the row and deletes the browser's session
//! record, and [`is_live`] refuses single sign-on for an ended one even if a request in
//! flight wrote the record back.

use tower_sessions::Session;

use crate::authz::SsoSession;
use crate::error::PageError;
use crate::state::AppState;
use crate::store::user_sessions::UserSession;
pub use crate::store::user_sessions::SSO_SID_KEY;

/// Records a new sign-in for this browser, ending the one it replaces.
pub async fn record(
    state: &AppState,
    session: &Session,
    sso: &SsoSession,
) -> Result<(), PageError> {
    let now = state.now();
    if let Some(old) = session.get::<String>(SSO_SID_KEY).await? {
        // `cycle_id` has already deleted the old browser session record.
        state
            .store
            .mark_user_session_ended(&old, now, "replaced")
            .await?;
    }
    let sid = crate::crypto::random_hex(16)?;
    state
        .store
        .insert_user_session(&UserSession {
            id: sid.clone(),
            user_id: sso.user_id.clone(),
            amr: serde_json::to_string(&sso.amr).unwrap_or_else(|_| "[]".into()),
            created_at: now,
            expires_at: now + state.config.session.ttl_seconds,
            ended_at: None,
            end_reason: None,
        })
        .await?;
    session.insert(SSO_SID_KEY, &sid).await?;
    Ok(())
}

/// Whether a browser's single sign-on may still be used: the account is enabled and the
/// recorded sign-in was not ended.
pub async fn is_live(
    state: &AppState,
    session: &Session,
    sso: &SsoSession,
) -> Result<bool, PageError> {
    if let Some(sid) = session.get::<String>(SSO_SID_KEY).await? {
        if state.store.user_session_ended(&sid).await? {
            return Ok(false);
        }
    }
    Ok(matches!(state.store.get_user(&sso.user_id).await?, Some(u) if u.disabled_at.is_none()))
}
