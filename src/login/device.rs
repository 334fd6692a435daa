//! The person's side of the device authorization grant (RFC 8628): `/device`, where the
//! user code a device shows is typed (or arrives prefilled from
//! `verification_uri_complete`), then the usual sign-in (or the browser's single sign-on),
//! then `/device/confirm`, which names the app and asks to allow or deny it.
//!
//! Wrong user codes are limited per client IP (`device.user_code_failures_per_ip_per_hour`,
//! counted in the database like every limit); past the budget the page asks the person to
//! wait and compares nothing. The browser session remembers which device authorization it
//! is answering (`device`), so the confirmation applies to the code this browser typed.

use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;
use tower_sessions::Session;

use super::consent::{describe_scope, who};
use super::pending::{self, Pending};
use super::protect::ClientIp;
use super::user_code::{display_user_code, normalize_user_code, user_code_hash};
use crate::audit::AuditEvent;
use crate::authz::AuthRequest;
use crate::crypto::random_token;
use crate::csrf::{self, CsrfForm, CsrfProtected};
use crate::error::{render, PageError};
use crate::forms::PageQuery;
use crate::i18n::web::PageLang;
use crate::i18n::{Locale, Msg, Tr};
use crate::limits::{self, Decision, Rule};
use crate::scope::ScopeSet;
use crate::sso::SsoSession;
use crate::state::AppState;
use crate::store::device::{DeviceAuthorization, DeviceDecision};

/// The page where the person types the user code (`verification_uri`).
pub const DEVICE_PATH: &str = "/device";
pub const CONFIRM_PATH: &str = "/device/confirm";
/// Session key of the device authorization this browser is answering.
const DEVICE_KEY: &str = "device";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(DEVICE_PATH, get(show).post(submit))
        .route(CONFIRM_PATH, get(confirm).post(decide))
}

#[derive(askama::Template)]
#[template(path = "device_code.html")]
struct CodePage<'a> {
    t: Tr<'a>,
    csrf: &'a str,
    value: &'a str,
    error: Option<String>,
}

#[derive(askama::Template)]
#[template(path = "device_confirm.html")]
struct ConfirmPage<'a> {
    t: Tr<'a>,
    client_name: &'a str,
    who: &'a str,
    items: Vec<String>,
    csrf: &'a str,
}

#[derive(askama::Template)]
#[template(path = "device_done.html")]
struct DonePage<'a> {
    t: Tr<'a>,
    title: String,
    message: String,
}

async fn code_page(
    state: &AppState,
    session: &Session,
    lang: Locale,
    value: &str,
    error: Option<&str>,
) -> Result<Response, PageError> {
    let csrf = csrf::token(session).await?;
    let t = state.i18n.tr(lang);
    render(&CodePage {
        error: error.map(|e| t.t(e)),
        t,
        csrf: &csrf,
        value,
    })
}

#[derive(Deserialize)]
struct CodeQuery {
    user_code: Option<String>,
}

/// GET /device: the form, prefilled from `verification_uri_complete`.
async fn show(
    State(state): State<AppState>,
    session: Session,
    PageLang(lang): PageLang,
    PageQuery(q): PageQuery<CodeQuery>,
) -> Result<Response, PageError> {
    let typed = q.user_code.unwrap_or_default();
    let value = normalize_user_code(&typed)
        .map(|c| display_user_code(&c))
        .unwrap_or_default();
    code_page(&state, &session, lang, &value, None).await
}

#[derive(Deserialize)]
struct CodeForm {
    csrf: String,
    user_code: String,
}

impl CsrfProtected for CodeForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

fn failure_rule(state: &AppState) -> Rule {
    Rule::new(
        "device_user_code_failures_ip",
        state.config.device.user_code_failures_per_ip_per_hour,
        3600,
    )
}

/// The calm page for an address past its budget of wrong user codes.
fn paused(retry_after: i64) -> Response {
    let mut res = PageError::new(
        StatusCode::TOO_MANY_REQUESTS,
        Msg::new("error-device-wait"),
        Msg::attr("error-device-wait", "message").arg("wait", Msg::wait(retry_after)),
    )
    .into_response();
    if let Ok(v) = HeaderValue::from_str(&retry_after.max(1).to_string()) {
        res.headers_mut().insert(header::RETRY_AFTER, v);
    }
    res
}

/// POST /device: checks the user code (within the IP's failure budget), then signs the
/// person in, or goes straight to the confirmation with a live single sign-on.
async fn submit(
    State(state): State<AppState>,
    session: Session,
    ip: ClientIp,
    PageLang(lang): PageLang,
    CsrfForm(form): CsrfForm<CodeForm>,
) -> Result<Response, PageError> {
    let now = state.now();
    let key = format!("device:ip:{}", ip.limit_key());
    let rules = [failure_rule(&state)];
    if let Decision::Denied { retry_after, .. } =
        limits::peek(&state.store, now, &key, &rules).await?
    {
        return Ok(paused(retry_after));
    }
    let found = match normalize_user_code(&form.user_code) {
        Some(code) => {
            state
                .store
                .pending_device_by_user_code(&user_code_hash(&state.secrets, &code), now)
                .await?
        }
        None => None,
    };
    let Some(device) = found else {
        limits::hit(&state.store, now, &key, &rules).await?;
        let typed: String = form.user_code.chars().take(32).collect();
        return code_page(&state, &session, lang, &typed, Some("device-error-wrong")).await;
    };
    session.insert(DEVICE_KEY, &device.id).await?;
    match live_sso(&state, &session).await? {
        Some(_) => Ok(Redirect::to(CONFIRM_PATH).into_response()),
        None => sign_in(&state, &device, lang).await,
    }
}

/// The browser's single sign-on, when it may be used.
async fn live_sso(state: &AppState, session: &Session) -> Result<Option<SsoSession>, PageError> {
    match crate::sso::current(session).await? {
        Some(sso) if crate::sso::is_live(&state.store, session, &sso).await? => Ok(Some(sso)),
        _ => Ok(None),
    }
}

/// Starts the hosted sign-in for the device's client; it ends on the confirmation page.
async fn sign_in(
    state: &AppState,
    device: &DeviceAuthorization,
    lang: Locale,
) -> Result<Response, PageError> {
    let now = state.now();
    let sealed = pending::seal(
        &state.secrets,
        &Pending {
            tx: random_token(32)?,
            req: AuthRequest {
                client_id: device.client_id.clone(),
                redirect_uri: String::new(),
                scope: ScopeSet::parse(&device.scope),
                state: None,
                nonce: None,
                code_challenge: None,
                response_mode: Default::default(),
                prompt: vec![],
                max_age: None,
                login_hint: None,
                claims: None,
                device: true,
                console: false,
                id_token_hint_sub: None,
                locale: Some(state.i18n.tag(lang).to_owned()),
            },
            iat: now,
            exp: now + state.config.login.transaction_ttl_seconds,
        },
    )?;
    Ok(Redirect::to(&format!("/login?tx={sealed}")).into_response())
}

fn expired() -> PageError {
    PageError::keyed(StatusCode::BAD_REQUEST, "error-device-expired")
}

/// The device authorization this browser is answering, still pending and live.
async fn pending_device(
    state: &AppState,
    session: &Session,
) -> Result<DeviceAuthorization, PageError> {
    let id: Option<String> = session.get(DEVICE_KEY).await?;
    let Some(id) = id else {
        return Err(expired());
    };
    state
        .store
        .pending_device(&id, state.now())
        .await?
        .ok_or_else(expired)
}

/// GET /device/confirm: "Sign in to <app> on your device?"
async fn confirm(
    State(state): State<AppState>,
    session: Session,
    PageLang(lang): PageLang,
) -> Result<Response, PageError> {
    let device = pending_device(&state, &session).await?;
    let Some(sso) = live_sso(&state, &session).await? else {
        return sign_in(&state, &device, lang).await;
    };
    let client = state
        .store
        .get_client(&device.client_id)
        .await?
        .ok_or_else(expired)?;
    let t = state.i18n.tr(lang);
    let items = ScopeSet::parse(&device.scope)
        .iter()
        .map(|s| describe_scope(s, &t))
        .collect();
    let csrf = csrf::token(&session).await?;
    render(&ConfirmPage {
        who: &who(&state, &sso.user_id, &t).await?,
        t,
        client_name: &client.name,
        items,
        csrf: &csrf,
    })
}

#[derive(Deserialize)]
struct DecisionForm {
    csrf: String,
    decision: String,
}

impl CsrfProtected for DecisionForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// POST /device/confirm: Allow or Deny, once.
async fn decide(
    State(state): State<AppState>,
    session: Session,
    PageLang(lang): PageLang,
    CsrfForm(form): CsrfForm<DecisionForm>,
) -> Result<Response, PageError> {
    let device = pending_device(&state, &session).await?;
    let sso = live_sso(&state, &session)
        .await?
        .ok_or_else(PageError::session_expired)?;
    let approve = form.decision == "allow";
    let amr = serde_json::to_string(&sso.amr).unwrap_or_else(|_| "[]".into());
    let decision = DeviceDecision {
        user_id: &sso.user_id,
        auth_time: sso.auth_time,
        amr: &amr,
        approve,
    };
    if !state
        .store
        .decide_device(&device.id, decision, state.now())
        .await?
    {
        return Err(expired());
    }
    session.remove::<String>(DEVICE_KEY).await?;
    let event = if approve {
        AuditEvent::DeviceAuthorizationApproved {
            scope: &device.scope,
        }
    } else {
        AuditEvent::DeviceAuthorizationDenied {
            scope: &device.scope,
        }
    };
    state
        .audit(event, Some(&sso.user_id), Some(&device.client_id))
        .await;
    let id = if approve {
        "device-done-approved"
    } else {
        "device-done-denied"
    };
    let t = state.i18n.tr(lang);
    render(&DonePage {
        title: t.t(id),
        message: t.msg(&Msg::attr(id, "message")),
        t,
    })
}
