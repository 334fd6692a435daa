//! The development-mode demo relying party at `/`.
//!
//! A real RP, not a shortcut: it uses the `openidconnect` crate over HTTP against this
//! server's own discovery document, runs the code flow with PKCE, validates the ID token
//! against the JWKS and calls userinfo. It exists only in development mode.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreProviderMetadata, CoreUserInfoClaims,
};
use openidconnect::{
    AuthorizationCode, ClientId, CsrfToken, EndpointMaybeSet, EndpointNotSet, EndpointSet,
    IssuerUrl, Nonce, OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope,
    TokenResponse,
};
use serde::{Deserialize, Serialize};
use tower_sessions::Session;

use crate::csrf::{self, CsrfForm, CsrfProtected};
use crate::error::{render, PageError};
use crate::i18n::web::PageLang;
use crate::i18n::{Msg, Tr};
use crate::state::AppState;
use crate::store::clients::Client;

pub const DEMO_CLIENT_ID: &str = "sesame-demo";
const DEMO_KEY: &str = "demo";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/demo/start", post(start))
        .route("/demo/callback", get(callback))
}

fn redirect_uri(state: &AppState) -> String {
    state.url("/demo/callback")
}

/// Registers (or refreshes) the demo client: public, PKCE required, first-party.
pub async fn ensure_demo_client(state: &AppState) -> Result<(), crate::store::StoreError> {
    let now = state.now();
    let uri = redirect_uri(state);
    match state.store.get_client(DEMO_CLIENT_ID).await? {
        Some(mut c) => {
            if c.redirect_uris != [uri.clone()] {
                c.redirect_uris = vec![uri];
                c.updated_at = now;
                state.store.update_client(&c).await?;
            }
        }
        None => {
            let inserted = state
                .store
                .insert_client(&Client {
                    id: DEMO_CLIENT_ID.into(),
                    name: "Demo app".into(),
                    secret_hash: None,
                    redirect_uris: vec![uri],
                    public: true,
                    pkce_required: true,
                    first_party: true,
                    id_token_alg: state.config.tokens.default_id_token_alg,
                    created_at: now,
                    updated_at: now,
                    post_logout_redirect_uris: vec![],
                    grant_types: crate::store::clients::default_grant_types(),
                    always_issue_refresh_token: false,
                    scope: String::new(),
                    dynamic: false,
                    meta: Default::default(),
                })
                .await;
            match inserted {
                // Another replica starting at the same moment registered it first.
                Err(e) if e.is_unique_violation() => {}
                other => other?,
            }
        }
    }
    Ok(())
}

#[derive(askama::Template)]
#[template(path = "demo_home.html")]
struct Home<'a> {
    t: Tr<'a>,
    csrf: &'a str,
}

#[derive(askama::Template)]
#[template(path = "demo_result.html")]
struct Result_<'a> {
    t: Tr<'a>,
    id_token_claims: String,
    userinfo: String,
    /// The token's times (`iat`, `exp`, `auth_time`), as dates.
    times: Vec<(&'static str, String)>,
}

#[derive(Serialize, Deserialize)]
struct Pending {
    state: String,
    nonce: String,
    verifier: String,
}

async fn home(
    State(state): State<AppState>,
    session: Session,
    PageLang(lang): PageLang,
) -> Result<Response, PageError> {
    let csrf = csrf::token(&session).await?;
    render(&Home {
        t: state.i18n.tr(lang),
        csrf: &csrf,
    })
}

/// The client type `from_provider_metadata` gives: auth URL set, token and userinfo URLs
/// taken from discovery.
type DemoClient = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// Discovers this server as any RP would, and builds the demo client from it.
async fn discover(state: &AppState) -> Result<DemoClient, PageError> {
    let issuer =
        IssuerUrl::new(state.config.issuer.to_string()).map_err(|_| PageError::internal())?;
    let meta = CoreProviderMetadata::discover_async(issuer, &state.http)
        .await
        .map_err(|e| demo_error(&format!("discovery failed: {e}")))?;
    let redirect = RedirectUrl::new(redirect_uri(state)).map_err(|_| PageError::internal())?;
    Ok(
        CoreClient::from_provider_metadata(meta, ClientId::new(DEMO_CLIENT_ID.into()), None)
            .set_redirect_uri(redirect),
    )
}

/// A callback the demo refuses (no sign-in started here, wrong state or issuer, an error
/// from the server): the browser's request is at fault, so 400, not 502.
fn demo_refused(detail: &str) -> PageError {
    tracing::info!(detail, "demo relying party refused a callback");
    PageError::new(
        axum::http::StatusCode::BAD_REQUEST,
        Msg::new("demo-error"),
        Msg::attr("demo-error", "message").arg("detail", detail),
    )
}

fn demo_error(detail: &str) -> PageError {
    tracing::warn!(detail, "demo relying party failed");
    PageError::new(
        axum::http::StatusCode::BAD_GATEWAY,
        Msg::new("demo-error"),
        Msg::attr("demo-error", "message").arg("detail", detail),
    )
}

#[derive(Deserialize)]
struct StartForm {
    /// Missing reads as empty, so it is refused like a wrong token (403).
    #[serde(default)]
    csrf: String,
}

impl CsrfProtected for StartForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

async fn start(
    State(state): State<AppState>,
    session: Session,
    CsrfForm(_): CsrfForm<StartForm>,
) -> Result<Response, PageError> {
    let client = discover(&state).await?;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, csrf_state, nonce) = client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scope(Scope::new("email".into()))
        .add_scope(Scope::new("phone".into()))
        .set_pkce_challenge(challenge)
        .url();
    session
        .insert(
            DEMO_KEY,
            Pending {
                state: csrf_state.secret().clone(),
                nonce: nonce.secret().clone(),
                verifier: verifier.secret().clone(),
            },
        )
        .await?;
    Ok(Redirect::to(url.as_str()).into_response())
}

#[derive(Deserialize)]
struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    iss: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

async fn callback(
    State(state): State<AppState>,
    session: Session,
    PageLang(lang): PageLang,
    crate::forms::PageQuery(q): crate::forms::PageQuery<CallbackQuery>,
) -> Result<Response, PageError> {
    let pending: Pending = session
        .remove(DEMO_KEY)
        .await?
        .ok_or_else(|| demo_refused("no sign-in was started from this browser"))?;
    if q.state.as_deref() != Some(pending.state.as_str()) {
        return Err(demo_refused("the state parameter does not match"));
    }
    if q.iss.as_deref() != Some(state.config.issuer.as_str()) {
        return Err(demo_refused("the iss parameter does not match the issuer"));
    }
    if let Some(err) = q.error {
        return Err(demo_refused(&format!(
            "{err}: {}",
            q.error_description.unwrap_or_default()
        )));
    }
    let code = q
        .code
        .ok_or_else(|| demo_refused("no code in the callback"))?;
    let client = discover(&state).await?;
    let tokens = client
        .exchange_code(AuthorizationCode::new(code))
        .map_err(|e| demo_error(&e.to_string()))?
        .set_pkce_verifier(PkceCodeVerifier::new(pending.verifier))
        .request_async(&state.http)
        .await
        .map_err(|e| demo_error(&format!("token exchange failed: {e}")))?;
    let id_token = tokens
        .id_token()
        .ok_or_else(|| demo_error("no ID token in the token response"))?;
    let verifier = client.id_token_verifier().set_allowed_algs(vec![
        openidconnect::core::CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
        openidconnect::core::CoreJwsSigningAlgorithm::EcdsaP256Sha256,
    ]);
    let claims = id_token
        .claims(&verifier, &Nonce::new(pending.nonce))
        .map_err(|e| demo_error(&format!("ID token rejected: {e}")))?;
    let userinfo: CoreUserInfoClaims = client
        .user_info(tokens.access_token().clone(), None)
        .map_err(|e| demo_error(&e.to_string()))?
        .request_async(&state.http)
        .await
        .map_err(|e| demo_error(&format!("userinfo failed: {e}")))?;
    let t = state.i18n.tr(lang);
    let claims_json = serde_json::to_value(claims).unwrap_or_default();
    let times = ["auth_time", "iat", "exp"]
        .into_iter()
        .filter_map(|name| Some((name, t.datetime(claims_json.get(name)?.as_i64()?))))
        .collect();
    render(&Result_ {
        t,
        id_token_claims: serde_json::to_string_pretty(&claims_json).unwrap_or_default(),
        userinfo: serde_json::to_string_pretty(&userinfo).unwrap_or_default(),
        times,
    })
}
