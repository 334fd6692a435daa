//! Authorization: the validated request, the browser's single sign-on session, and the step
//! that turns an authenticated person and a validated request into an authorization code.
//!
//! Both the authorization endpoint (`oidc`, when single sign-on applies) and the hosted
//! login pages (`login`, after a code was verified) finish here, so the rules of the
//! redirect live in one place.

pub mod respond;

use serde::{Deserialize, Serialize};
use tower_sessions::Session;

pub use self::respond::{ClientResponse, ResponseMode};

use crate::crypto::random_token;
use crate::error::{ErrorCode, PageError};
use crate::oidc::claims::ClaimsRequest;
use crate::scope::ScopeSet;
use crate::sso::SsoSession;
use crate::state::AppState;
use crate::store::codes::{AuthCode, Grant};

/// A `prompt` value (OIDC Core 3.1.2.1), parsed at the authorization endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Prompt {
    /// No page may be shown: answer from the SSO session or with an error.
    None,
    /// Sign in again, whatever the SSO session.
    Login,
    /// Ask for consent again.
    Consent,
    /// Let the person choose an account (Sesame has one per browser: a new sign-in).
    SelectAccount,
}

impl Prompt {
    /// Every value, as discovery advertises them.
    pub const ALL: [Prompt; 4] = [
        Prompt::None,
        Prompt::Login,
        Prompt::Consent,
        Prompt::SelectAccount,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Prompt::None => "none",
            Prompt::Login => "login",
            Prompt::Consent => "consent",
            Prompt::SelectAccount => "select_account",
        }
    }

    pub fn parse(s: &str) -> Option<Prompt> {
        Prompt::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

/// An authorization request after validation, as kept in the login transaction.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct AuthRequest {
    pub client_id: String,
    pub redirect_uri: String,
    /// Space-separated, de-duplicated, in the order requested.
    pub scope: ScopeSet,
    pub state: Option<String>,
    pub nonce: Option<String>,
    pub code_challenge: Option<String>,
    /// How the answer goes back: in the redirect's query or as a posted form.
    #[serde(default, skip_serializing_if = "ResponseMode::is_query")]
    pub response_mode: ResponseMode,
    #[serde(default)]
    pub prompt: Vec<Prompt>,
    pub max_age: Option<i64>,
    pub login_hint: Option<String>,
    /// The `claims` request parameter, parsed and reduced to what the client may obtain;
    /// kept (in the sealed sign-in and the login transaction) as its canonical JSON text.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::oidc::claims::as_text"
    )]
    pub claims: Option<ClaimsRequest>,
    /// A device's sign-in (RFC 8628): it ends on the device confirmation page, not with a
    /// code for a redirect URI.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub device: bool,
    /// A sign-in to the admin console: it ends on the console's [`CONSOLE_SIGNED_IN_PATH`],
    /// never with a code for a client.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub console: bool,
    /// The subject of a valid `id_token_hint`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_token_hint_sub: Option<String>,
    /// The language of the sign-in (a tag of the deployment's catalogs), chosen once when
    /// it starts (`ui_locales`, then `Accept-Language`, then the default): its pages and
    /// its code message are written in it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
}

impl AuthRequest {
    /// A plain `openid` request of `client_id` back to `redirect_uri`, for tests.
    #[cfg(test)]
    pub fn plain(client_id: &str, redirect_uri: &str) -> AuthRequest {
        AuthRequest {
            client_id: client_id.into(),
            redirect_uri: redirect_uri.into(),
            scope: ScopeSet::parse("openid"),
            state: None,
            nonce: None,
            code_challenge: None,
            response_mode: ResponseMode::Query,
            prompt: vec![],
            max_age: None,
            login_hint: None,
            claims: None,
            device: false,
            console: false,
            id_token_hint_sub: None,
            locale: None,
        }
    }

    /// The `claims` request parameter.
    pub fn claims_request(&self) -> Option<&ClaimsRequest> {
        self.claims.as_ref()
    }

    /// What consent must cover: the scopes, and the scopes of claims asked for one by one.
    pub fn consent_scopes(&self) -> Vec<String> {
        let mut out: Vec<String> = self.scope.iter().map(str::to_string).collect();
        if let Some(c) = self.claims_request() {
            for s in c.implied_scopes() {
                if !out.iter().any(|x| x == s) {
                    out.push(s.to_string());
                }
            }
        }
        out
    }

    pub fn has_scope(&self, s: &str) -> bool {
        self.scope.contains(s)
    }

    pub fn has_prompt(&self, p: Prompt) -> bool {
        self.prompt.contains(&p)
    }
}

/// Where a sign-in to the admin console ends (the console checks who signed in).
pub const CONSOLE_SIGNED_IN_PATH: &str = "/admin/console/signed-in";

/// Session key of the sign-ins this browser started.
pub const TXS_KEY: &str = "txs";

/// Remembers that this browser owns a login transaction (at most the last 8), and gives
/// the session its anti-CSRF token now: the session is written here anyway, and the sign-in
/// page that follows then has nothing to add to it (one session write fewer per sign-in).
/// The session key of the language of this browser's latest sign-in (a catalog tag): the
/// error pages of the sign-in pages are written in it.
pub const SIGN_IN_LANG_KEY: &str = "signin_lang";

/// Binds the login transaction to this browser session and keeps the sign-in's language
/// (`locale`, a catalog tag) for the sign-in pages' error pages.
pub async fn remember_tx(
    session: &Session,
    tx_id: &str,
    locale: Option<&str>,
) -> Result<(), PageError> {
    crate::csrf::token(session).await?;
    if let Some(tag) = locale {
        session.insert(SIGN_IN_LANG_KEY, tag).await?;
    }
    let mut txs: Vec<String> = session.get(TXS_KEY).await?.unwrap_or_default();
    txs.retain(|t| t != tx_id);
    txs.push(tx_id.to_string());
    if txs.len() > 8 {
        let drop = txs.len() - 8;
        txs.drain(..drop);
    }
    session.insert(TXS_KEY, txs).await?;
    Ok(())
}

/// True when this browser started the login transaction (a code is bound to it).
pub async fn owns_tx(session: &Session, tx_id: &str) -> Result<bool, PageError> {
    let txs: Vec<String> = session.get(TXS_KEY).await?.unwrap_or_default();
    Ok(txs.iter().any(|t| t == tx_id))
}

pub async fn forget_tx(session: &Session, tx_id: &str) -> Result<(), PageError> {
    let mut txs: Vec<String> = session.get(TXS_KEY).await?.unwrap_or_default();
    txs.retain(|t| t != tx_id);
    session.insert(TXS_KEY, txs).await?;
    Ok(())
}

/// Issues an authorization code for `req` to the signed-in person and returns the answer
/// that sends it to the client: `code`, `state`, `iss` (RFC 6749 4.1.2, RFC 9207) in the
/// request's response mode.
pub async fn issue_code(
    state: &AppState,
    req: &AuthRequest,
    sso: &SsoSession,
) -> Result<ClientResponse, PageError> {
    issue_code_in_session(state, req, sso, None).await
}

/// [`issue_code`], recording the browser session the grant is made in (so logout can end
/// the grants of that session).
pub async fn issue_code_in_session(
    state: &AppState,
    req: &AuthRequest,
    sso: &SsoSession,
    sid: Option<&str>,
) -> Result<ClientResponse, PageError> {
    let now = state.now();
    let code = random_token(32)?;
    let grant_id = random_token(16)?;
    let amr = serde_json::to_string(&sso.amr).unwrap_or_else(|_| "[]".into());
    // The grant is written with the code, so a reuse of the code always finds what to revoke.
    state
        .store
        .insert_grant(&Grant {
            id: grant_id.clone(),
            user_id: sso.user_id.clone(),
            client_id: req.client_id.clone(),
            scope: req.scope.to_string(),
            auth_time: sso.auth_time,
            amr: amr.clone(),
            created_at: now,
            expires_at: now + state.config.session.ttl_seconds.max(3600),
            revoked_at: None,
            claims: req.claims.as_ref().map(ClaimsRequest::to_json),
            sid: sid.map(str::to_string),
        })
        .await?;
    state
        .store
        .insert_auth_code(&AuthCode {
            code_hash: code_hash(state, &code),
            grant_id,
            client_id: req.client_id.clone(),
            user_id: sso.user_id.clone(),
            redirect_uri: req.redirect_uri.clone(),
            scope: req.scope.to_string(),
            nonce: req.nonce.clone(),
            code_challenge: req.code_challenge.clone(),
            auth_time: sso.auth_time,
            amr,
            created_at: now,
            expires_at: now + state.config.tokens.authorization_code_ttl_seconds,
            used_at: None,
        })
        .await?;
    let mut res = ClientResponse::new(&req.redirect_uri, req.response_mode)
        .ok_or_else(PageError::internal)?
        .in_language(state, state.i18n.from_tag(req.locale.as_deref()))
        .with("code", &code);
    if let Some(s) = &req.state {
        res = res.with("state", s);
    }
    Ok(res.with("iss", &state.config.issuer))
}

/// Builds an error answer to the client (RFC 6749 4.1.2.1 with RFC 9207's `iss`) in the
/// request's response mode.
pub fn error_response(
    issuer: &str,
    redirect_uri: &str,
    mode: ResponseMode,
    error: ErrorCode,
    description: &str,
    client_state: Option<&str>,
) -> Option<ClientResponse> {
    let mut res = ClientResponse::new(redirect_uri, mode)?
        .with("error", error.as_str())
        .with("error_description", description);
    if let Some(s) = client_state {
        res = res.with("state", s);
    }
    Some(res.with("iss", issuer))
}

/// The keyed hash under which an authorization code is stored.
pub fn code_hash(state: &AppState, code: &str) -> Vec<u8> {
    code_hash_with(&state.secrets, code)
}

/// [`code_hash`] from the server secrets alone.
pub fn code_hash_with(secrets: &crate::crypto::ServerSecrets, code: &str) -> Vec<u8> {
    secrets.keyed_hash("authorization_code", &[code.as_bytes()])
}
