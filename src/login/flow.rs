//! The sign-in a page's `tx` names, checked: a stored transaction that is live and belongs
//! to this browser, or a sealed sign-in nobody has acted on yet ([`super::pending`]); and
//! the first form's anti-CSRF token for a browser that may have no session yet.

use axum::http::{HeaderMap, HeaderValue};
use tower_sessions::Session;

use super::pending;
use crate::authz::{self, AuthRequest};
use crate::branding::Brand;
use crate::crypto::ct_eq;
use crate::csrf;
use crate::error::PageError;
use crate::state::AppState;
use crate::store::login::LoginTx;

/// A sign-in in progress, checked: it exists, is live, and belongs to this browser; or a
/// sealed sign-in nobody has acted on yet (nothing stored).
pub(super) struct Flow {
    pub(super) tx: LoginTx,
    pub(super) req: AuthRequest,
    pub(super) client_name: String,
    pub(super) brand: Brand,
    /// The sealed sign-in, while its transaction is not stored: the forms carry it as `tx`.
    pub(super) pending: Option<String>,
}

impl Flow {
    /// The `tx` value of the page's forms.
    pub(super) fn form_tx(&self) -> &str {
        self.pending.as_deref().unwrap_or(&self.tx.id)
    }
}

/// The stored sign-in a `tx` value names (a sealed value names the transaction it started).
pub(super) async fn load_flow(
    state: &AppState,
    session: &Session,
    tx: &str,
) -> Result<Flow, PageError> {
    if pending::is_sealed(tx) {
        let p = pending::open(&state.secrets, tx, state.now())?;
        return load_stored_flow(state, session, &p.tx).await;
    }
    load_stored_flow(state, session, tx).await
}

/// [`load_flow`], or for a sealed sign-in this browser has not started, the sign-in as
/// sealed (the first page and its form; nothing is read from or written to the database
/// but the client).
pub(super) async fn load_flow_or_pending(
    state: &AppState,
    session: &Session,
    tx: &str,
) -> Result<Flow, PageError> {
    if !pending::is_sealed(tx) {
        return load_stored_flow(state, session, tx).await;
    }
    let p = pending::open(&state.secrets, tx, state.now())?;
    if authz::owns_tx(session, &p.tx).await? {
        return load_stored_flow(state, session, &p.tx).await;
    }
    let client = state
        .store
        .get_client(&p.req.client_id)
        .await?
        .ok_or_else(PageError::session_expired)?;
    let request = serde_json::to_string(&p.req).map_err(|_| PageError::internal())?;
    Ok(Flow {
        tx: LoginTx {
            id: p.tx,
            client_id: client.id.clone(),
            request,
            created_at: p.iat,
            expires_at: p.exp,
            identifier: None,
            channel: None,
            code_expires_at: None,
            code_sent_at: None,
            attempts: 0,
            completed_at: None,
        },
        req: p.req,
        brand: Brand::of(&client),
        client_name: client.name,
        pending: Some(tx.to_string()),
    })
}

/// The address form's anti-CSRF token for a sign-in not stored yet, without writing
/// anything: the session's token when the browser has a session, else a token bound to a
/// cookie (and the `Set-Cookie` header when the browser has none yet).
pub(super) async fn pending_csrf(
    state: &AppState,
    session: &Session,
    headers: &HeaderMap,
    tx_id: &str,
) -> Result<(String, Option<HeaderValue>), PageError> {
    if let Some(t) = csrf::existing(session).await? {
        return Ok((t, None));
    }
    let https = state.config.issuer_is_https();
    let (key, cookie) = match pending::browser_key(headers, https) {
        Some(k) => (k, None),
        None => {
            let (k, c) = pending::new_browser_key(https)?;
            (k, Some(c))
        }
    };
    Ok((pending::form_token(&state.secrets, &key, tx_id), cookie))
}

/// Checks the address form's token of a sign-in not stored yet: the session's token, or
/// the one bound to this browser's cookie and this sign-in.
pub(super) async fn check_pending_csrf(
    state: &AppState,
    session: &Session,
    headers: &HeaderMap,
    tx_id: &str,
    presented: &str,
) -> Result<(), PageError> {
    let key = pending::browser_key(headers, state.config.issuer_is_https());
    if pending::form_token_matches(&state.secrets, key.as_deref(), tx_id, presented) {
        return Ok(());
    }
    csrf::check(session, presented).await
}

/// The person acted on a sealed sign-in: its transaction is written (once: the id comes
/// from the sealed value) and bound to this browser session, whose anti-CSRF token becomes
/// the one the form carried when it has none. A second submission of the same sealed value
/// joins the transaction only when it presents the same form token (the same browser, e.g.
/// a double click); from another browser it is refused.
pub(super) async fn start_pending(
    state: &AppState,
    session: &Session,
    flow: &mut Flow,
    csrf: &str,
) -> Result<(), PageError> {
    let starter = pending::starter(&state.secrets, csrf, &flow.tx.id);
    let request = serde_json::to_string(&pending::StartedRequest {
        req: flow.req.clone(),
        starter: starter.clone(),
    })
    .map_err(|_| PageError::internal())?;
    let created = state
        .store
        .insert_login_tx_once(
            &flow.tx.id,
            &flow.tx.client_id,
            &request,
            flow.tx.created_at,
            flow.tx.expires_at,
        )
        .await?;
    if created {
        flow.tx.request = request;
    } else {
        let existing = state
            .store
            .get_login_tx(&flow.tx.id, state.now())
            .await?
            .filter(|t| t.completed_at.is_none())
            .ok_or_else(PageError::session_expired)?;
        let same_starter = serde_json::from_str::<pending::StartedRequest>(&existing.request)
            .is_ok_and(|r| ct_eq(r.starter.as_bytes(), starter.as_bytes()));
        if !same_starter {
            return Err(PageError::session_expired());
        }
        flow.tx = existing;
    }
    csrf::adopt(session, csrf).await?;
    authz::remember_tx(session, &flow.tx.id, flow.req.locale.as_deref()).await?;
    flow.pending = None;
    Ok(())
}

/// A stored sign-in, checked: it exists, is live, and belongs to this browser.
pub(super) async fn load_stored_flow(
    state: &AppState,
    session: &Session,
    tx_id: &str,
) -> Result<Flow, PageError> {
    if tx_id.len() > 64 || !authz::owns_tx(session, tx_id).await? {
        return Err(PageError::session_expired());
    }
    let (tx, client) = state
        .store
        .get_login_tx_and_client(tx_id, state.now())
        .await?
        .filter(|(t, _)| t.completed_at.is_none())
        .ok_or_else(PageError::session_expired)?;
    let req: AuthRequest = serde_json::from_str(&tx.request).map_err(|_| PageError::internal())?;
    Ok(Flow {
        tx,
        req,
        brand: Brand::of(&client),
        client_name: client.name,
        pending: None,
    })
}
