//! Consent for third-party clients, and the last step of every successful authorization.
//!
//! First-party clients never see a consent page. A third-party client gets one listing the
//! requested scopes in plain words, unless the person already granted all of them (the
//! grant is remembered per person and client, as the union of the scopes granted) and the
//! request does not say `prompt=consent`. A remembered consent is revocable with
//! [`revoke_consent`], which also revokes every token the client holds for the person.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use serde::{Deserialize, Serialize};
use tower_sessions::Session;

use crate::audit::AuditEvent;
use crate::authz::{self, AuthRequest, Prompt};
use crate::branding::Brand;
use crate::crypto::random_token;
use crate::csrf::{self, CsrfForm, CsrfProtected};
use crate::delivery::mask_email;
use crate::error::{render, ErrorCode, PageError};
use crate::forms::PageQuery;
use crate::i18n::Tr;
use crate::scope::ScopeSet;
use crate::sso::SsoSession;
use crate::state::AppState;
use crate::store::clients::Client;
use crate::store::{Store, StoreResult};

pub const CONSENT_PATH: &str = "/consent";

pub fn routes() -> Router<AppState> {
    Router::new().route(CONSENT_PATH, get(show).post(decide))
}

/// A consent waiting for the person's answer, kept as a login transaction (single use,
/// bound to this browser, expiring with the sign-in).
#[derive(Serialize, Deserialize)]
struct PendingConsent {
    #[serde(flatten)]
    req: AuthRequest,
    consent_user: String,
}

/// Finishes an authorization for a signed-in person: asks for consent when a third-party
/// client needs it, otherwise issues the code and sends the browser back to the client.
pub async fn finish(
    state: &AppState,
    session: &Session,
    req: &AuthRequest,
    sso: &SsoSession,
) -> Result<Response, PageError> {
    if req.device {
        // A device's sign-in ends on its confirmation page, never at a redirect URI.
        return Ok(Redirect::to(super::device::CONFIRM_PATH).into_response());
    }
    if req.console {
        // An admin's sign-in to the console ends there; the console checks who it was.
        return Ok(Redirect::to(authz::CONSOLE_SIGNED_IN_PATH).into_response());
    }
    let client = state
        .store
        .get_client(&req.client_id)
        .await?
        .ok_or_else(PageError::session_expired)?;
    let required_sub = req
        .claims_request()
        .and_then(|c| c.required_sub().map(str::to_string));
    if required_sub.is_some_and(|sub| sub != sso.user_id) {
        return error_to_client(
            state,
            req,
            ErrorCode::AccessDenied,
            "the signed-in person is not the one the request names",
        );
    }
    if !client.first_party {
        let covered = !consent_needed(&state.store, &client, req, &sso.user_id).await?;
        if !covered {
            if req.has_prompt(Prompt::None) {
                return error_to_client(
                    state,
                    req,
                    ErrorCode::ConsentRequired,
                    "the person must consent to this app's request",
                );
            }
            let now = state.now();
            let tx_id = random_token(32)?;
            let pending = serde_json::to_string(&PendingConsent {
                req: req.clone(),
                consent_user: sso.user_id.clone(),
            })
            .map_err(|_| PageError::internal())?;
            state
                .store
                .insert_login_tx(
                    &tx_id,
                    &client.id,
                    &pending,
                    now,
                    now + state.config.login.transaction_ttl_seconds,
                )
                .await?;
            authz::remember_tx(session, &tx_id, req.locale.as_deref()).await?;
            return Ok(Redirect::to(&format!("{CONSENT_PATH}?tx={tx_id}")).into_response());
        }
    }
    let sid = crate::sso::current_sid(session).await?;
    let answer = authz::issue_code_in_session(state, req, sso, sid.as_deref()).await?;
    Ok(answer.into_response())
}

/// What the person is asked to consent to: the scopes of the request and of the claims it
/// asks for one by one, only those the client may obtain. Validation already dropped the
/// others; an allow list narrowed since is applied here as well, so the page never offers
/// what the client cannot get.
pub fn scopes_to_consent(client: &Client, req: &AuthRequest) -> Vec<String> {
    req.consent_scopes()
        .into_iter()
        .filter(|s| client.allows_scope(s))
        .collect()
}

/// Whether `client` must still ask the person `user_id` before it gets `req`: never for a
/// first-party client; always with `prompt=consent`; otherwise unless the remembered
/// consent covers every scope of [`scopes_to_consent`].
pub async fn consent_needed(
    store: &Store,
    client: &Client,
    req: &AuthRequest,
    user_id: &str,
) -> StoreResult<bool> {
    if client.first_party {
        return Ok(false);
    }
    if req.has_prompt(Prompt::Consent) {
        return Ok(true);
    }
    let wanted = scopes_to_consent(client, req);
    let remembered = store.get_consent(user_id, &client.id).await?;
    Ok(!remembered.is_some_and(|c| c.covers(wanted.iter().map(String::as_str))))
}

fn error_to_client(
    state: &AppState,
    req: &AuthRequest,
    error: ErrorCode,
    description: &str,
) -> Result<Response, PageError> {
    let answer = authz::error_response(
        &state.config.issuer,
        &req.redirect_uri,
        req.response_mode,
        error,
        description,
        req.state.as_deref(),
    )
    .ok_or_else(PageError::internal)?
    .in_language(state, state.i18n.from_tag(req.locale.as_deref()));
    Ok(answer.into_response())
}

/// A scope in words a person understands.
pub fn describe_scope(scope: &str, t: &Tr<'_>) -> String {
    match scope {
        "openid" => t.t("scope-openid"),
        "email" => t.t("scope-email"),
        "phone" => t.t("scope-phone"),
        "profile" => t.t("scope-profile"),
        "address" => t.t("scope-address"),
        "groups" => t.t("scope-groups"),
        "offline_access" => t.t("scope-offline-access"),
        other => t.t1("scope-other", "scope", other),
    }
}

#[derive(askama::Template)]
#[template(path = "consent.html")]
struct ConsentPage<'a> {
    t: Tr<'a>,
    brand: &'a Brand,
    client_name: &'a str,
    who: &'a str,
    items: Vec<String>,
    tx: &'a str,
    csrf: &'a str,
}

/// A pending consent, checked: it exists, is live, belongs to this browser, and the person
/// signed in now is the one it was asked of.
async fn load_pending(
    state: &AppState,
    session: &Session,
    tx_id: &str,
) -> Result<(PendingConsent, SsoSession), PageError> {
    if tx_id.len() > 64 || !authz::owns_tx(session, tx_id).await? {
        return Err(PageError::session_expired());
    }
    let tx = state
        .store
        .get_login_tx(tx_id, state.now())
        .await?
        .filter(|t| t.completed_at.is_none())
        .ok_or_else(PageError::session_expired)?;
    let pending: PendingConsent =
        serde_json::from_str(&tx.request).map_err(|_| PageError::session_expired())?;
    let sso = crate::sso::current(session)
        .await?
        .filter(|s| s.user_id == pending.consent_user)
        .ok_or_else(PageError::session_expired)?;
    Ok((pending, sso))
}

#[derive(Deserialize)]
struct TxQuery {
    tx: String,
}

async fn show(
    State(state): State<AppState>,
    session: Session,
    PageQuery(q): PageQuery<TxQuery>,
) -> Result<Response, PageError> {
    let (pending, sso) = load_pending(&state, &session, &q.tx).await?;
    let client = state
        .store
        .get_client(&pending.req.client_id)
        .await?
        .ok_or_else(PageError::session_expired)?;
    let t = state
        .i18n
        .tr(state.i18n.from_tag(pending.req.locale.as_deref()));
    let who = who(&state, &sso.user_id, &t).await?;
    let items = scopes_to_consent(&client, &pending.req)
        .iter()
        .map(|s| describe_scope(s, &t))
        .collect();
    let csrf = csrf::token(&session).await?;
    render(&ConsentPage {
        t,
        brand: &Brand::of(&client),
        client_name: &client.name,
        who: &who,
        items,
        tx: &q.tx,
        csrf: &csrf,
    })
}

/// Who is signed in, as the pages say it: a masked address or the last digits of a number.
pub(super) async fn who(state: &AppState, user_id: &str, t: &Tr<'_>) -> Result<String, PageError> {
    match state.store.get_user(user_id).await? {
        Some(u) => Ok(match (&u.email, &u.phone) {
            (Some(e), _) => mask_email(e),
            (None, Some(p)) => t.t1("who-phone", "digits", last_digits(p)),
            (None, None) => t.t("who-account"),
        }),
        None => Err(PageError::session_expired()),
    }
}

fn last_digits(phone: &str) -> String {
    let digits: Vec<char> = phone.chars().filter(char::is_ascii_digit).collect();
    digits[digits.len().saturating_sub(2)..].iter().collect()
}

#[derive(Deserialize)]
struct DecisionForm {
    tx: String,
    csrf: String,
    decision: String,
}

impl CsrfProtected for DecisionForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

async fn decide(
    State(state): State<AppState>,
    session: Session,
    CsrfForm(form): CsrfForm<DecisionForm>,
) -> Result<Response, PageError> {
    let (pending, sso) = load_pending(&state, &session, &form.tx).await?;
    let now = state.now();
    // Single use: of two submissions only one completes the transaction.
    if !state.store.complete_login_tx(&form.tx, now).await? {
        return Err(PageError::session_expired());
    }
    authz::forget_tx(&session, &form.tx).await?;
    let req = pending.req;
    if form.decision != "allow" {
        state
            .audit(
                AuditEvent::ConsentDenied {
                    scope: &req.scope.to_string(),
                },
                Some(&sso.user_id),
                Some(&req.client_id),
            )
            .await;
        return error_to_client(&state, &req, ErrorCode::AccessDenied, "the person declined");
    }
    let mut granted: Vec<String> = state
        .store
        .get_consent(&sso.user_id, &req.client_id)
        .await?
        .map(|c| {
            ScopeSet::parse(&c.scope)
                .iter()
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    let client = state
        .store
        .get_client(&req.client_id)
        .await?
        .ok_or_else(PageError::session_expired)?;
    for s in scopes_to_consent(&client, &req) {
        if !granted.contains(&s) {
            granted.push(s);
        }
    }
    granted.retain(|s| !s.is_empty());
    state
        .store
        .save_consent(&sso.user_id, &req.client_id, &granted.join(" "), now)
        .await?;
    state
        .audit(
            AuditEvent::ConsentGranted {
                scope: &granted.join(" "),
            },
            Some(&sso.user_id),
            Some(&req.client_id),
        )
        .await;
    let sid = crate::sso::current_sid(&session).await?;
    let answer = authz::issue_code_in_session(&state, &req, &sso, sid.as_deref()).await?;
    Ok(answer.into_response())
}

/// Withdraws a person's consent to a client and revokes every grant (so every refresh and
/// access token) the client holds for them. Returns whether a consent was remembered.
pub async fn revoke_consent(state: &AppState, user_id: &str, client_id: &str) -> StoreResult<bool> {
    let now = state.now();
    let had = state.store.delete_consent(user_id, client_id).await?;
    let grants = state
        .store
        .revoke_grants_of(user_id, client_id, now)
        .await?;
    state
        .audit(
            AuditEvent::ConsentRevoked {
                grants_revoked: grants,
            },
            Some(user_id),
            Some(client_id),
        )
        .await;
    Ok(had)
}
