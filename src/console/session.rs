//! Who is using the console: an admin signed in through Sesame's own sign-in, in this
//! browser. The console session lives in the browser's session (tower-sessions), so it is
//! bound to the browser's cookie; it ends after `console.idle_timeout_seconds` unused or
//! `console.max_age_seconds` after its sign-in (both shorter than the SSO session), when
//! the person is no longer an admin or is disabled, and when their SSO session ends.
//!
//! Signing in: `/admin/console/sign-in` seals a sign-in for the console's own client
//! (marked `console`, like the device grant's) and sends the browser to `/login`; the code
//! is asked for whatever the SSO session (`prompt=login`). Its finish comes back to
//! [`crate::authz::CONSOLE_SIGNED_IN_PATH`], which accepts only the sign-in this browser
//! started for the console, completed with a code by the person now signed in.

use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::{Deserialize, Serialize};
use tower_sessions::Session;

use super::{not_found, served, CONSOLE_CLIENT_ID, HOME};
use crate::admin::ops::{Actor, Ctx};
use crate::audit::AuditEvent;
use crate::authz::{AuthRequest, Prompt};
use crate::crypto::random_token;
use crate::csrf::{self, CsrfForm, CsrfProtected};
use crate::error::PageError;
use crate::login::pending::{self, Pending};
use crate::login::protect::ClientIp;
use crate::scope::ScopeSet;
use crate::state::AppState;
use crate::store::clients::Client;

/// Session key of the console session.
const KEY: &str = "console";
/// Session key of the login transaction of the console sign-in this browser started.
const STARTED_KEY: &str = "console_sign_in";
/// Session key of the console page to come back to after a sign-in.
const RETURN_KEY: &str = "console_return";

pub const SIGN_IN_PATH: &str = "/admin/console/sign-in";

/// The console session in the browser's session.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct ConsoleSession {
    user_id: String,
    /// When the admin last typed a code for the console.
    signed_in_at: i64,
    last_seen: i64,
}

/// A request from a signed-in console admin.
pub struct ConsoleAdmin {
    pub user_id: String,
    /// The admin's email address or phone number, shown in the page header.
    pub who: String,
    pub csrf: String,
    /// The sign-in is recent enough for a destructive action.
    pub recent: bool,
    pub ip: String,
    pub session: Session,
}

impl ConsoleAdmin {
    pub fn actor(&self) -> Actor {
        Actor::Console {
            user_id: self.user_id.clone(),
            ip: Some(self.ip.clone()),
        }
    }

    /// The context of the shared admin operations, acting as this admin.
    pub fn ctx<'a>(&self, state: &'a AppState) -> Ctx<'a> {
        Ctx {
            store: &state.store,
            secrets: &state.secrets,
            config: &state.config,
            now: state.now(),
            actor: self.actor(),
        }
    }

    /// For a destructive action: nothing when the sign-in is recent; otherwise the
    /// redirect to a new sign-in that comes back to `back` (a console path).
    pub async fn require_recent(&self, back: &str) -> Result<Option<Response>, PageError> {
        if self.recent {
            return Ok(None);
        }
        self.session.insert(RETURN_KEY, back).await?;
        Ok(Some(Redirect::to(SIGN_IN_PATH).into_response()))
    }
}

impl FromRequestParts<AppState> for ConsoleAdmin {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let fail = |e: PageError| e.into_response();
        if !served(state).await.map_err(fail)? {
            return Err(not_found().into_response());
        }
        let session = Session::from_request_parts(parts, state)
            .await
            .map_err(|_| PageError::internal().into_response())?;
        let ip = match ClientIp::from_request_parts(parts, state).await {
            Ok(ip) => ip.0.to_string(),
            Err(never) => match never {},
        };
        match check(state, &session).await.map_err(fail)? {
            Some((cs, who)) => {
                let now = state.now();
                let csrf = csrf::token(&session).await.map_err(fail)?;
                Ok(ConsoleAdmin {
                    recent: now - cs.signed_in_at <= state.config.console.recent_sign_in_seconds,
                    user_id: cs.user_id,
                    who,
                    csrf,
                    ip,
                    session,
                })
            }
            None => {
                // Come back here after signing in, when "here" is a page (never a form).
                if parts.method == axum::http::Method::GET {
                    let path = parts.uri.path().to_string();
                    session
                        .insert(RETURN_KEY, path)
                        .await
                        .map_err(|e| PageError::from(e).into_response())?;
                }
                Err(Redirect::to(SIGN_IN_PATH).into_response())
            }
        }
    }
}

/// The live console session of this browser, and whom it belongs to; the session is
/// touched (its idle time restarts) at most every 30 seconds.
async fn check(
    state: &AppState,
    session: &Session,
) -> Result<Option<(ConsoleSession, String)>, PageError> {
    let Some(mut cs) = session.get::<ConsoleSession>(KEY).await? else {
        return Ok(None);
    };
    let now = state.now();
    let c = &state.config.console;
    let sso = crate::sso::current(session).await?;
    let sso_ok = match &sso {
        Some(s) if s.user_id == cs.user_id => crate::sso::is_live(&state.store, session, s).await?,
        _ => false,
    };
    let user = state.store.get_user(&cs.user_id).await?;
    let alive = now - cs.last_seen <= c.idle_timeout_seconds
        && now - cs.signed_in_at <= c.max_age_seconds
        && sso_ok
        && user.as_ref().is_some_and(|u| u.disabled_at.is_none())
        && state.store.is_console_admin(&cs.user_id).await?;
    let Some(user) = user.filter(|_| alive) else {
        session.remove::<ConsoleSession>(KEY).await?;
        return Ok(None);
    };
    if now - cs.last_seen >= 30 {
        cs.last_seen = now;
        session.insert(KEY, &cs).await?;
    }
    let who = user.email.or(user.phone).unwrap_or_else(|| user.id.clone());
    Ok(Some((cs, who)))
}

/// The console's own client: the sign-in pages need one to name. It has no redirect URI
/// and no grant type, so no request can use it at `/authorize` or `/token`.
async fn ensure_console_client(state: &AppState) -> Result<(), PageError> {
    if state.store.get_client(CONSOLE_CLIENT_ID).await?.is_some() {
        return Ok(());
    }
    let now = state.now();
    let inserted = state
        .store
        .insert_client(&Client {
            id: CONSOLE_CLIENT_ID.into(),
            name: format!("the {} admin console", state.config.product_name),
            secret_hash: None,
            redirect_uris: vec![],
            public: true,
            pkce_required: true,
            first_party: true,
            id_token_alg: state.config.tokens.default_id_token_alg,
            created_at: now,
            updated_at: now,
            post_logout_redirect_uris: vec![],
            grant_types: vec![],
            always_issue_refresh_token: false,
            scope: String::new(),
            dynamic: false,
            meta: Default::default(),
        })
        .await;
    match inserted {
        Err(e) if e.is_unique_violation() => Ok(()),
        other => Ok(other?),
    }
}

/// GET /admin/console/sign-in: a new sign-in with a code, ending on the console.
pub async fn sign_in(
    State(state): State<AppState>,
    session: Session,
) -> Result<Response, PageError> {
    if !served(&state).await? {
        return Err(not_found());
    }
    ensure_console_client(&state).await?;
    let now = state.now();
    let tx = random_token(32)?;
    let sealed = pending::seal(
        &state.secrets,
        &Pending {
            tx: tx.clone(),
            req: AuthRequest {
                client_id: CONSOLE_CLIENT_ID.into(),
                redirect_uri: String::new(),
                scope: ScopeSet::parse("openid"),
                state: None,
                nonce: None,
                code_challenge: None,
                response_mode: Default::default(),
                prompt: vec![Prompt::Login],
                max_age: None,
                login_hint: None,
                claims: None,
                device: false,
                console: true,
                id_token_hint_sub: None,
                // The hosted sign-in pages speak the deployment's default language here.
                locale: None,
            },
            iat: now,
            exp: now + state.config.login.transaction_ttl_seconds,
        },
    )?;
    session.insert(STARTED_KEY, &tx).await?;
    Ok(Redirect::to(&format!("/login?tx={sealed}")).into_response())
}

/// Whether the console's login transaction `tx_id` was completed with a code for the
/// person of the SSO session, which it started.
async fn completed_by(
    state: &AppState,
    tx_id: &str,
    sso: &crate::sso::SsoSession,
) -> Result<bool, PageError> {
    let Some(tx) = state.store.get_login_tx(tx_id, state.now()).await? else {
        return Ok(false);
    };
    if tx.client_id != CONSOLE_CLIENT_ID
        || tx.completed_at.is_none()
        || sso.auth_time < tx.created_at
    {
        return Ok(false);
    }
    let Some(user) = state.store.get_user(&sso.user_id).await? else {
        return Ok(false);
    };
    Ok(tx.identifier.is_some() && (tx.identifier == user.email || tx.identifier == user.phone))
}

fn not_an_admin() -> PageError {
    PageError::new(
        StatusCode::FORBIDDEN,
        "This account cannot use the admin console",
        "You are signed in, but not as an admin. Ask an admin to give you access.",
    )
}

/// GET /admin/console/signed-in: the end of a console sign-in.
pub async fn signed_in(
    State(state): State<AppState>,
    session: Session,
    ip: ClientIp,
) -> Result<Response, PageError> {
    if !served(&state).await? {
        return Err(not_found());
    }
    let started: Option<String> = session.remove(STARTED_KEY).await?;
    let sso = crate::sso::current(&session).await?;
    let (Some(started), Some(sso)) = (started, sso) else {
        return Ok(Redirect::to(SIGN_IN_PATH).into_response());
    };
    // Only the sign-in this browser started for the console counts, completed with a code
    // by the person now signed in; never an older SSO session.
    if !completed_by(&state, &started, &sso).await?
        || !crate::sso::is_live(&state.store, &session, &sso).await?
    {
        return Ok(Redirect::to(SIGN_IN_PATH).into_response());
    }
    let now = state.now();
    let admin = state.store.is_console_admin(&sso.user_id).await?;
    if !admin {
        session.remove::<ConsoleSession>(KEY).await?;
        state
            .audit_from(
                AuditEvent::ConsoleSignInRefused {},
                Some(&sso.user_id),
                None,
                Some(&ip.0.to_string()),
            )
            .await;
        return Err(not_an_admin());
    }
    session
        .insert(
            KEY,
            ConsoleSession {
                user_id: sso.user_id.clone(),
                signed_in_at: now,
                last_seen: now,
            },
        )
        .await?;
    let ctx = Ctx {
        store: &state.store,
        secrets: &state.secrets,
        config: &state.config,
        now,
        actor: Actor::Console {
            user_id: sso.user_id.clone(),
            ip: Some(ip.0.to_string()),
        },
    };
    ctx.audit(
        AuditEvent::AdminConsoleSignedIn { amr: &sso.amr },
        Some(&sso.user_id),
        None,
    )
    .await
    .map_err(super::page_error)?;
    let back: Option<String> = session.remove(RETURN_KEY).await?;
    let back = back
        .filter(|p| p.starts_with("/admin/console/") && !p.contains("//"))
        .unwrap_or_else(|| HOME.to_string());
    Ok(Redirect::to(&back).into_response())
}

#[derive(Deserialize)]
pub struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

impl CsrfProtected for CsrfOnly {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// POST /admin/console/sign-out: ends the console session (the SSO session stays).
pub async fn sign_out(
    State(state): State<AppState>,
    admin: ConsoleAdmin,
    CsrfForm(_): CsrfForm<CsrfOnly>,
) -> Result<Response, PageError> {
    admin.session.remove::<ConsoleSession>(KEY).await?;
    admin
        .ctx(&state)
        .audit(
            AuditEvent::AdminConsoleSignedOut {},
            Some(&admin.user_id),
            None,
        )
        .await
        .map_err(super::page_error)?;
    Ok(PageError::new(
        StatusCode::OK,
        "Signed out of the admin console",
        "You are no longer signed in to the admin console.",
    )
    .into_response())
}
