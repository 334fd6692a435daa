//! The hosted sign-in pages: ask for an address, send a code, check it.
//!
//! Server-rendered (askama), no JavaScript. Every form carries the login transaction id
//! and an anti-CSRF token tied to the browser session; every POST answers 303. The first
//! page is shown from a sealed sign-in and stores nothing; submitting it writes the
//! transaction and binds it to the browser session ([`pending`]).

pub mod account;
pub mod account_identifiers;
pub mod apps;
pub mod client_ip;
pub mod code;
pub mod code_message;
pub mod consent;
pub mod device;
pub mod flash;
mod flow;
pub mod identifier;
pub mod identifiers;
pub mod link;
pub mod pending;
pub mod phone;
pub mod protect;
pub mod review;
pub mod sms_guard;
pub mod user_code;

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;
use tower_sessions::Session;

use crate::authz;
use crate::branding::Brand;
use crate::error::PageError;
use crate::i18n::{Locale, Msg, Tr};
use crate::state::AppState;

use self::code::{SendOutcome, VerifyOutcome};
use self::flash::Flash;
use self::flow::{
    check_pending_csrf, load_flow, load_flow_or_pending, pending_csrf, start_pending, Flow,
};
use self::identifier::{parse_login_identifier, Identifier};
use self::protect::ClientIp;
use self::sms_guard::SmsDenial;
use crate::csrf::{self, CsrfForm, CsrfProtected};
use crate::forms::{PageForm, PageQuery};

pub const CSS_PATH: &str = "/static/sesame.css";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/login", get(show).post(submit_identifier))
        .route("/login/verify", post(submit_code))
        .route("/login/resend", post(resend))
        .route("/login/restart", post(restart))
        .route(CSS_PATH, get(css))
        .merge(link::routes())
        .merge(consent::routes())
        .merge(device::routes())
        .merge(account::routes())
        .merge(account_identifiers::routes())
        .merge(apps::routes())
}

async fn css() -> Response {
    let mut res = include_str!("../../templates/sesame.css").into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/css; charset=utf-8"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    res
}

#[derive(askama::Template)]
#[template(path = "login_identifier.html")]
struct IdentifierPage<'a> {
    t: Tr<'a>,
    client_name: &'a str,
    brand: &'a Brand,
    tx: &'a str,
    csrf: &'a str,
    value: &'a str,
    error: Option<String>,
    /// Phone numbers are accepted too.
    phone: bool,
}

#[derive(askama::Template)]
#[template(path = "login_code.html")]
struct CodePage<'a> {
    t: Tr<'a>,
    client_name: &'a str,
    brand: &'a Brand,
    tx: &'a str,
    csrf: &'a str,
    masked: &'a str,
    error: Option<String>,
    notice: Option<String>,
    /// No try is left on this code: the main button asks for a new one.
    exhausted: bool,
}

#[derive(Deserialize)]
struct TxQuery {
    #[serde(default)]
    tx: String,
}

fn login_url(tx: &str) -> String {
    format!("/login?tx={tx}")
}

async fn show(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
    PageQuery(q): PageQuery<TxQuery>,
) -> Result<Response, PageError> {
    let flow = load_flow_or_pending(&state, &session, &q.tx).await?;
    if flow.pending.is_some() {
        // Started already, in another browser: its link shows nothing.
        if state
            .store
            .get_login_tx(&flow.tx.id, state.now())
            .await?
            .is_some()
        {
            return Err(PageError::session_expired());
        }
        let (csrf, cookie) = pending_csrf(&state, &session, &headers, &flow.tx.id).await?;
        let mut res = render_flow(&state, &flow, &csrf, None, None, StatusCode::OK)?;
        if let Some(c) = cookie {
            res.headers_mut().append(header::SET_COOKIE, c);
        }
        return Ok(res);
    }
    let csrf = csrf::token(&session).await?;
    let f = flash::take(&session, &flow.tx.id)
        .await?
        .unwrap_or_default();
    let (error, notice) = code_message::page_status(&state, &flow.tx).await?;
    // A delivery that failed since "we sent a new code" was noted outranks the note.
    let notice = match error {
        Some(_) => notice,
        None => f.notice.or(notice),
    };
    render_flow(
        &state,
        &flow,
        &csrf,
        f.error.or(error),
        notice,
        StatusCode::OK,
    )
}

/// The translator of a sign-in: the language it started with.
fn tr_of<'a>(state: &'a AppState, flow: &Flow) -> Tr<'a> {
    state.i18n.tr(flow_locale(state, flow))
}

fn flow_locale(state: &AppState, flow: &Flow) -> Locale {
    state.i18n.from_tag(flow.req.locale.as_deref())
}

/// The example of the phone-number error: a mobile number of the deployment's region.
fn phone_example(state: &AppState) -> String {
    state
        .config
        .sms
        .default_region_id()
        .and_then(phone::example_number)
        .unwrap_or_else(|| "+44 7400 123456".to_owned())
}

fn render_flow(
    state: &AppState,
    flow: &Flow,
    csrf: &str,
    error: Option<Msg>,
    notice: Option<Msg>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let t = tr_of(state, flow);
    let error = error.map(|m| t.msg(&m));
    let notice = notice.map(|m| t.msg(&m));
    let html = match &flow.tx.identifier {
        Some(identifier) => askama::Template::render(&CodePage {
            exhausted: flow.tx.attempts >= state.config.login.max_attempts,
            t,
            client_name: &flow.client_name,
            brand: &flow.brand,
            tx: &flow.tx.id,
            csrf,
            masked: &flow.tx.channel().mask(identifier),
            error,
            notice,
        })?,
        None => askama::Template::render(&IdentifierPage {
            t,
            client_name: &flow.client_name,
            brand: &flow.brand,
            tx: flow.form_tx(),
            csrf,
            value: flow.req.login_hint.as_deref().unwrap_or(""),
            error,
            phone: state.sms.is_enabled(),
        })?,
    };
    Ok((status, axum::response::Html(html)).into_response())
}

#[derive(Deserialize)]
struct IdentifierForm {
    #[serde(default)]
    tx: String,
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    identifier: String,
}

/// The first page again, with what was typed and why it was not accepted.
fn identifier_error_page(
    state: &AppState,
    flow: &Flow,
    csrf: &str,
    typed: &str,
    error: Msg,
    status: StatusCode,
) -> Result<Response, PageError> {
    let t = tr_of(state, flow);
    let page = IdentifierPage {
        error: Some(t.msg(&error)),
        t,
        client_name: &flow.client_name,
        brand: &flow.brand,
        tx: flow.form_tx(),
        csrf,
        value: keep_typed(typed),
        phone: state.sms.is_enabled(),
    };
    let html = askama::Template::render(&page)?;
    Ok((status, axum::response::Html(html)).into_response())
}

/// A refused SMS send, as a page: the message, its status, and `Retry-After` when waiting
/// helps.
fn with_retry_after(mut res: Response, denial: &SmsDenial) -> Response {
    if let Some(v) = denial
        .retry_after
        .and_then(|s| HeaderValue::from_str(&s.to_string()).ok())
    {
        res.headers_mut().insert(header::RETRY_AFTER, v);
    }
    res
}

async fn submit_identifier(
    State(state): State<AppState>,
    session: Session,
    ip: ClientIp,
    headers: HeaderMap,
    PageForm(form): PageForm<IdentifierForm>,
) -> Result<Response, PageError> {
    let mut flow = if pending::is_sealed(&form.tx) {
        let flow = load_flow_or_pending(&state, &session, &form.tx).await?;
        match flow.pending {
            Some(_) => {
                check_pending_csrf(&state, &session, &headers, &flow.tx.id, &form.csrf).await?
            }
            None => csrf::check(&session, &form.csrf).await?,
        }
        flow
    } else {
        csrf::check(&session, &form.csrf).await?;
        load_flow(&state, &session, &form.tx).await?
    };
    let id = match parse_login_identifier(&form.identifier, phone::rules(&state)) {
        Ok(id) => id,
        Err(e) => {
            return identifier_error_page(
                &state,
                &flow,
                &form.csrf,
                &form.identifier,
                e.msg(&phone_example(&state)),
                StatusCode::BAD_REQUEST,
            )
        }
    };
    if flow.pending.is_some() {
        start_pending(&state, &session, &mut flow, &form.csrf).await?;
    }
    if let Some(denial) = sms_guard::check(&state, &flow.tx, &id, Some(ip.0)).await? {
        let res = identifier_error_page(
            &state,
            &flow,
            &form.csrf,
            &form.identifier,
            denial.message(),
            denial.status(),
        )?;
        return Ok(with_retry_after(res, &denial));
    }
    let lang = flow_locale(&state, &flow);
    match code::send_code(&state, &flow.tx, &flow.client_name, &id, &ip, lang).await? {
        SendOutcome::Sent | SendOutcome::Cooldown { .. } => {
            Ok(Redirect::to(&login_url(&flow.tx.id)).into_response())
        }
        SendOutcome::Paused(pause) => identifier_error_page(
            &state,
            &flow,
            &form.csrf,
            id.as_str(),
            pause.message(),
            StatusCode::TOO_MANY_REQUESTS,
        ),
    }
}

/// What the person typed, shown again next to the error: at most 320 characters (the longest
/// address the field accepts), cut on a character boundary.
fn keep_typed(typed: &str) -> &str {
    match typed.char_indices().nth(320) {
        Some((end, _)) => &typed[..end],
        None => typed,
    }
}

#[derive(Deserialize)]
struct CodeForm {
    #[serde(default)]
    tx: String,
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    code: String,
}

impl CsrfProtected for CodeForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

async fn submit_code(
    State(state): State<AppState>,
    session: Session,
    ip: ClientIp,
    CsrfForm(form): CsrfForm<CodeForm>,
) -> Result<Response, PageError> {
    let flow = load_flow(&state, &session, &form.tx).await?;
    if flow.tx.identifier.is_none() {
        return Ok(Redirect::to(&login_url(&flow.tx.id)).into_response());
    }
    let typed: String = form
        .code
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    if typed.len() != 6 || !typed.bytes().all(|b| b.is_ascii_digit()) {
        return render_flow(
            &state,
            &flow,
            &form.csrf,
            Some(Msg::new("code-error-format")),
            None,
            StatusCode::BAD_REQUEST,
        );
    }
    let outcome = code::verify_code(&state, &flow.tx, &typed, &ip).await?;
    answer_verification(&state, &session, flow, &form.csrf, outcome).await
}

/// The `amr` of a code sign-in, in RFC 8176 values: `otp` (a one-time secret: the typed
/// code or its emailed link), plus `sms` when it came by text message.
pub fn amr_of(channel: crate::channel::Channel) -> Vec<String> {
    match channel {
        crate::channel::Channel::Email => vec!["otp".into()],
        crate::channel::Channel::Sms => vec!["otp".into(), "sms".into()],
    }
}

/// The answer to a checked code or link: the sign-in goes on, or the code page says why not.
async fn answer_verification(
    state: &AppState,
    session: &Session,
    flow: Flow,
    csrf: &str,
    outcome: VerifyOutcome,
) -> Result<Response, PageError> {
    match outcome {
        VerifyOutcome::Success { sso, .. } => {
            crate::sso::start(state, session, &sso).await?;
            authz::forget_tx(session, &flow.tx.id).await?;
            consent::finish(state, session, &flow.req, &sso).await
        }
        VerifyOutcome::Wrong { remaining } => {
            let msg = Msg::new("code-error-wrong").arg("remaining", remaining);
            let mut flow = flow;
            if remaining <= 0 {
                flow.tx.attempts = state.config.login.max_attempts;
            }
            render_flow(state, &flow, csrf, Some(msg), None, StatusCode::BAD_REQUEST)
        }
        VerifyOutcome::Paused(pause) => render_flow(
            state,
            &flow,
            csrf,
            Some(pause.message()),
            None,
            StatusCode::TOO_MANY_REQUESTS,
        ),
        VerifyOutcome::NoLiveCode { too_many_tries } => {
            let msg = if too_many_tries {
                "code-error-too-many"
            } else {
                "code-error-expired"
            };
            let mut flow = flow;
            flow.tx.attempts = state.config.login.max_attempts;
            render_flow(
                state,
                &flow,
                csrf,
                Some(Msg::new(msg)),
                None,
                StatusCode::BAD_REQUEST,
            )
        }
    }
}

#[derive(Deserialize)]
struct TxForm {
    #[serde(default)]
    tx: String,
    #[serde(default)]
    csrf: String,
}

impl CsrfProtected for TxForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// "Send a new code": always answers 303 back to the code page, with the outcome held in
/// the session, so reloading the page does not ask for yet another code.
async fn resend(
    State(state): State<AppState>,
    session: Session,
    ip: ClientIp,
    CsrfForm(form): CsrfForm<TxForm>,
) -> Result<Response, PageError> {
    let flow = load_flow(&state, &session, &form.tx).await?;
    let back = Redirect::to(&login_url(&flow.tx.id)).into_response();
    let Some(identifier) = flow.tx.identifier.clone() else {
        return Ok(back);
    };
    let id = Identifier::from_stored(flow.tx.channel(), &identifier);
    let mut f = Flash {
        tx: flow.tx.id.clone(),
        ..Flash::default()
    };
    if let Some(denial) = sms_guard::check(&state, &flow.tx, &id, Some(ip.0)).await? {
        // A refused resend keeps the code already sent working.
        f.error = Some(denial.message());
        flash::set(&session, &f).await?;
        return Ok(with_retry_after(back, &denial));
    }
    let lang = flow_locale(&state, &flow);
    match code::send_code(&state, &flow.tx, &flow.client_name, &id, &ip, lang).await? {
        SendOutcome::Sent => {
            f.notice = Some(Msg::new("code-notice-sent"));
        }
        SendOutcome::Cooldown { wait_seconds } => {
            // Waiting is not a mistake: a calm notice, the code already sent still works.
            f.notice = Some(Msg::new("code-notice-wait").arg("seconds", wait_seconds));
        }
        SendOutcome::Paused(pause) => f.error = Some(pause.message()),
    }
    flash::set(&session, &f).await?;
    Ok(back)
}

async fn restart(
    State(state): State<AppState>,
    session: Session,
    CsrfForm(form): CsrfForm<TxForm>,
) -> Result<Response, PageError> {
    let flow = load_flow(&state, &session, &form.tx).await?;
    state.store.reset_login_identifier(&flow.tx.id).await?;
    Ok(Redirect::to(&login_url(&flow.tx.id)).into_response())
}

#[cfg(test)]
mod tests {
    use super::keep_typed;

    #[test]
    fn a_refused_address_is_shown_again_as_typed() {
        assert_eq!(keep_typed("not-an-email"), "not-an-email");
        assert_eq!(keep_typed(""), "");
    }

    #[test]
    fn a_refused_address_is_cut_to_320_characters_on_a_char_boundary() {
        let long = "é".repeat(400);
        assert_eq!(keep_typed(&long).chars().count(), 320);
        assert_eq!(keep_typed(&"a".repeat(320)).len(), 320);
    }
}
