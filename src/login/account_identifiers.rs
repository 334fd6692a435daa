//! The person's sign-in addresses page (`/account/identifiers`): the email address and
//! phone number that sign in to this account, adding one (proven by a code sent to it)
//! and removing one while another remains ([`super::identifiers`]). It needs the browser's
//! single sign-on session.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;
use tower_sessions::Session;

use super::account::not_signed_in;
use super::identifiers::{self, Confirmed, NotSent};
use super::protect::ClientIp;
use crate::channel::Channel;
use crate::csrf::{self, CsrfForm, CsrfProtected};
use crate::error::PageError;
use crate::forms::PageQuery;
use crate::i18n::web::PageLang;
use crate::i18n::{Locale, Msg, Tr};
use crate::state::AppState;
use crate::store::users::User;

pub const IDENTIFIERS_PATH: &str = "/account/identifiers";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(IDENTIFIERS_PATH, get(show))
        .route("/account/identifiers/add", post(add))
        .route("/account/identifiers/verify", post(verify))
        .route("/account/identifiers/remove", post(remove))
        .route("/account/identifiers/cancel", post(cancel))
}

#[derive(askama::Template)]
#[template(path = "account_identifiers.html")]
struct IdentifiersPage<'a> {
    t: Tr<'a>,
    csrf: &'a str,
    email: Option<&'a str>,
    phone: Option<&'a str>,
    /// Both are set: either may go.
    removable: bool,
    /// The masked identifier a code was sent to, while it is live.
    pending: Option<String>,
    typed: &'a str,
    error: Option<String>,
    notice: Option<String>,
}

#[derive(Deserialize)]
struct NoticeQuery {
    #[serde(default)]
    done: Option<String>,
}

/// What the page says after a redirect: `?done=added|removed|sent`.
fn notice_of(done: Option<&str>) -> Option<Msg> {
    match done? {
        "added" => Some(Msg::new("ids-added")),
        "removed" => Some(Msg::new("ids-removed")),
        "sent" => Some(Msg::new("code-notice-sent")),
        _ => None,
    }
}

async fn signed_in_user(state: &AppState, session: &Session) -> Result<User, PageError> {
    let sso = crate::sso::current(session)
        .await?
        .ok_or_else(not_signed_in)?;
    state
        .store
        .get_user(&sso.user_id)
        .await?
        .filter(|u| u.disabled_at.is_none())
        .ok_or_else(not_signed_in)
}

struct View<'a> {
    typed: &'a str,
    error: Option<Msg>,
    notice: Option<Msg>,
    status: StatusCode,
}

async fn render(
    state: &AppState,
    session: &Session,
    lang: Locale,
    user: &User,
    v: View<'_>,
) -> Result<Response, PageError> {
    let csrf = csrf::token(session).await?;
    let t = state.i18n.tr(lang);
    let pending = state
        .store
        .get_identifier_change(&user.id, state.now())
        .await?
        .filter(|p| p.attempts < state.config.login.max_attempts)
        .map(|p| p.channel().mask(&p.identifier));
    let html = askama::Template::render(&IdentifiersPage {
        error: v.error.map(|m| t.msg(&m)),
        notice: v.notice.map(|m| t.msg(&m)),
        t,
        csrf: &csrf,
        email: user.email.as_deref(),
        phone: user.phone.as_deref(),
        removable: user.email.is_some() && user.phone.is_some(),
        pending,
        typed: v.typed,
    })?;
    Ok((v.status, Html(html)).into_response())
}

fn back(done: &str) -> Response {
    Redirect::to(&format!("{IDENTIFIERS_PATH}?done={done}")).into_response()
}

async fn show(
    State(state): State<AppState>,
    session: Session,
    PageLang(lang): PageLang,
    PageQuery(q): PageQuery<NoticeQuery>,
) -> Result<Response, PageError> {
    let user = signed_in_user(&state, &session).await?;
    let view = View {
        typed: "",
        error: None,
        notice: notice_of(q.done.as_deref()),
        status: StatusCode::OK,
    };
    render(&state, &session, lang, &user, view).await
}

#[derive(Deserialize)]
struct AddForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    identifier: String,
}

impl CsrfProtected for AddForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

async fn add(
    State(state): State<AppState>,
    session: Session,
    ip: ClientIp,
    PageLang(lang): PageLang,
    CsrfForm(form): CsrfForm<AddForm>,
) -> Result<Response, PageError> {
    let user = signed_in_user(&state, &session).await?;
    let example = super::phone_example(&state);
    let refused =
        match identifiers::send(&state, &user, &form.identifier, &ip, lang, &example).await? {
            Ok(()) => return Ok(back("sent")),
            Err(r) => r,
        };
    let (msg, status) = match refused {
        NotSent::Invalid(m) => (m, StatusCode::BAD_REQUEST),
        NotSent::AlreadyYours => (Msg::new("ids-error-already"), StatusCode::BAD_REQUEST),
        NotSent::Cooldown { wait_seconds } => (
            Msg::new("code-notice-wait").arg("seconds", wait_seconds),
            StatusCode::TOO_MANY_REQUESTS,
        ),
        NotSent::Paused(p) => (p.message(), StatusCode::TOO_MANY_REQUESTS),
        NotSent::Sms(d) => (d.message(), d.status()),
        NotSent::Failed(Channel::Sms) => (
            Msg::new("code-delivery-failed-sms"),
            StatusCode::SERVICE_UNAVAILABLE,
        ),
        NotSent::Failed(Channel::Email) => (
            Msg::new("code-delivery-failed"),
            StatusCode::SERVICE_UNAVAILABLE,
        ),
    };
    let typed = super::keep_typed(&form.identifier);
    let view = View {
        typed,
        error: Some(msg),
        notice: None,
        status,
    };
    render(&state, &session, lang, &user, view).await
}

#[derive(Deserialize)]
struct CodeForm {
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

async fn verify(
    State(state): State<AppState>,
    session: Session,
    ip: ClientIp,
    PageLang(lang): PageLang,
    CsrfForm(form): CsrfForm<CodeForm>,
) -> Result<Response, PageError> {
    let user = signed_in_user(&state, &session).await?;
    let typed: String = form
        .code
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    let (msg, status) = if typed.len() != 6 || !typed.bytes().all(|b| b.is_ascii_digit()) {
        (Msg::new("code-error-format"), StatusCode::BAD_REQUEST)
    } else {
        match identifiers::confirm(&state, &user.id, &typed, &ip).await? {
            Confirmed::Added(_) => return Ok(back("added")),
            Confirmed::Wrong { remaining } => (
                Msg::new("code-error-wrong").arg("remaining", remaining),
                StatusCode::BAD_REQUEST,
            ),
            Confirmed::NoLiveCode { too_many_tries } => (
                Msg::new(if too_many_tries {
                    "code-error-too-many"
                } else {
                    "code-error-expired"
                }),
                StatusCode::BAD_REQUEST,
            ),
            Confirmed::HeldElsewhere => (Msg::new("ids-error-held"), StatusCode::CONFLICT),
            Confirmed::Paused(p) => (p.message(), StatusCode::TOO_MANY_REQUESTS),
        }
    };
    let view = View {
        typed: "",
        error: Some(msg),
        notice: None,
        status,
    };
    render(&state, &session, lang, &user, view).await
}

#[derive(Deserialize)]
struct RemoveForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    channel: String,
}

impl CsrfProtected for RemoveForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

async fn remove(
    State(state): State<AppState>,
    session: Session,
    ip: ClientIp,
    PageLang(lang): PageLang,
    CsrfForm(form): CsrfForm<RemoveForm>,
) -> Result<Response, PageError> {
    let user = signed_in_user(&state, &session).await?;
    let Some(channel) = Channel::parse(&form.channel) else {
        return Err(PageError::keyed(
            StatusCode::BAD_REQUEST,
            "error-link-altered",
        ));
    };
    if identifiers::remove(&state, &user, channel, &ip).await? {
        return Ok(back("removed"));
    }
    let view = View {
        typed: "",
        error: Some(Msg::new("ids-error-last")),
        notice: None,
        status: StatusCode::BAD_REQUEST,
    };
    render(&state, &session, lang, &user, view).await
}

#[derive(Deserialize)]
struct CancelForm {
    #[serde(default)]
    csrf: String,
}

impl CsrfProtected for CancelForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

async fn cancel(
    State(state): State<AppState>,
    session: Session,
    CsrfForm(_form): CsrfForm<CancelForm>,
) -> Result<Response, PageError> {
    let user = signed_in_user(&state, &session).await?;
    identifiers::cancel(&state, &user.id).await?;
    Ok(Redirect::to(IDENTIFIERS_PATH).into_response())
}
