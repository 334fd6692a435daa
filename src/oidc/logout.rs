//! RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0): the end-session endpoint.
//!
//! - With a valid `id_token_hint` (our signature and issuer; it may have expired) whose
//!   person is the one signed in here (or nobody is), the browser's single sign-on session
//!   ends at once. The browser then goes to `post_logout_redirect_uri` with `state`, but
//!   only when that URI exactly matches one registered for the client the hint was issued
//!   to; an unregistered URI is an error page, never a redirect.
//! - Without a hint, with an invalid one, or when someone else is signed in here, the person
//!   is asked to confirm, and is never redirected (nothing proves the RP sent them).
//! - Ending the session deletes the server-side session and revokes the grants made in it,
//!   except those with `offline_access`, which were granted for use without the person;
//!   the clients that received ID tokens in it and registered a `backchannel_logout_uri`
//!   get a logout token (OpenID Connect Back-Channel Logout 1.0, through the outbox).
//!
//! A POST is answered with a 303 to the same request as a GET: the session cookie is
//! `SameSite=Lax`, which a cross-site POST does not carry but a top-level GET does.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;
use tower_sessions::Session;
use url::Url;

use super::id_token_hint::{self, Hint};
use super::params::{Params, ProtocolParams};
use crate::audit::AuditEvent;
use crate::csrf::{self, CsrfForm, CsrfProtected};
use crate::error::{OAuthError, PageError};
use crate::i18n::web::PageLang;
use crate::i18n::{Locale, Msg, Tr};
use crate::scope::ScopeSet;
use crate::state::AppState;
use crate::store::clients::Client;
use crate::tokens::TokenError;

pub const END_SESSION_PATH: &str = "/logout";
const CONFIRM_PATH: &str = "/logout/confirm";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(END_SESSION_PATH, get(end_session).post(end_session_post))
        .route(CONFIRM_PATH, post(confirm))
}

#[derive(askama::Template)]
#[template(path = "logout_confirm.html")]
struct ConfirmPage<'a> {
    t: Tr<'a>,
    client_name: Option<&'a str>,
    warning: Option<String>,
    csrf: &'a str,
    id_token_hint: &'a str,
    post_logout_redirect_uri: &'a str,
    state: &'a str,
}

#[derive(askama::Template)]
#[template(path = "logout_done.html")]
struct DonePage<'a> {
    t: Tr<'a>,
    client_name: Option<&'a str>,
}

fn bad_request(message: impl Into<Msg>) -> PageError {
    PageError::bad_request(Msg::new("error-invalid-logout"), message)
}

/// What a sign-out request asks for, once checked.
enum Checked {
    /// A valid hint from `client`; the URI (if any) is registered for it.
    Verified {
        hint: Hint,
        client: Client,
        redirect: Option<Url>,
    },
    /// No hint: ask, never redirect.
    Unverified { client: Option<Client> },
    /// A hint that is not ours, or altered: warn, ask, never redirect.
    BadHint,
}

async fn check(state: &AppState, p: &Params) -> Result<Checked, PageError> {
    let client_id = p.get("client_id");
    let Some(token) = p.get("id_token_hint") else {
        let client = match client_id {
            Some(id) => state.store.get_client(id).await?,
            None => None,
        };
        return Ok(Checked::Unverified { client });
    };
    let hint = match id_token_hint::verify(state, token).await {
        Ok(h) => h,
        Err(TokenError::Keys(e)) => return Err(e.into()),
        Err(_) => return Ok(Checked::BadHint),
    };
    let client_id = match client_id {
        Some(id) if hint.issued_to(id) => id.to_string(),
        Some(_) => return Err(bad_request(Msg::new("logout-error-other-client"))),
        None => hint.aud.first().cloned().unwrap_or_default(),
    };
    let client = state
        .store
        .get_client(&client_id)
        .await?
        .ok_or_else(|| bad_request(Msg::new("logout-error-unknown-client")))?;
    let redirect = match p.get("post_logout_redirect_uri") {
        None => None,
        Some(uri) if client.post_logout_redirect_uris.iter().any(|u| u == uri) => {
            let mut url =
                Url::parse(uri).map_err(|_| bad_request(Msg::new("logout-error-bad-return")))?;
            if let Some(s) = p.get("state") {
                url.query_pairs_mut().append_pair("state", s);
            }
            Some(url)
        }
        Some(_) => return Err(bad_request(Msg::new("logout-error-unregistered-return"))),
    };
    Ok(Checked::Verified {
        hint,
        client,
        redirect,
    })
}

/// Ends this browser's single sign-on session: revokes the grants made in it (except
/// offline access), marks its record ended, tells the clients that received tokens in it
/// and registered a back-channel logout URI (through the outbox), and deletes the session
/// and its cookie.
pub async fn end_sso(state: &AppState, session: &Session) -> Result<(), PageError> {
    let sso = crate::sso::current(session).await?;
    let now = state.now();
    if let Some(sid) = crate::sso::current_sid(session).await? {
        for g in state.store.grants_in_session(&sid).await? {
            if !ScopeSet::parse(&g.scope).contains("offline_access") {
                state.store.revoke_grant(&g.id, now).await?;
            }
        }
    }
    if let Some(record) = session.get::<String>(crate::sso::SSO_SID_KEY).await? {
        if state
            .store
            .mark_sso_session_ended(&record, now, "signed_out")
            .await?
        {
            crate::sso::notify_ended(state, record).await?;
        }
    }
    session.flush().await?;
    if let Some(sso) = sso {
        state
            .audit(AuditEvent::SignedOut {}, Some(&sso.user_id), None)
            .await;
    }
    Ok(())
}

fn done(state: &AppState, lang: Locale, client: Option<&Client>) -> Result<Response, PageError> {
    crate::error::render(&DonePage {
        t: state.i18n.tr(lang),
        client_name: client.map(|c| c.name.as_str()),
    })
}

async fn ask(
    state: &AppState,
    lang: Locale,
    session: &Session,
    status: StatusCode,
    client: Option<&Client>,
    warning: Option<&str>,
    carry: &Params,
) -> Result<Response, PageError> {
    let csrf = csrf::token(session).await?;
    let t = state.i18n.tr(lang);
    let html = askama::Template::render(&ConfirmPage {
        warning: warning.map(|w| t.t(w)),
        t,
        client_name: client.map(|c| c.name.as_str()),
        csrf: &csrf,
        id_token_hint: carry.get("id_token_hint").unwrap_or(""),
        post_logout_redirect_uri: carry.get("post_logout_redirect_uri").unwrap_or(""),
        state: carry.get("state").unwrap_or(""),
    })?;
    Ok((status, axum::response::Html(html)).into_response())
}

/// GET /logout (the `end_session_endpoint`).
pub async fn end_session(
    State(state): State<AppState>,
    session: Session,
    PageLang(lang): PageLang,
    params: Result<ProtocolParams, OAuthError>,
) -> Result<Response, PageError> {
    let ProtocolParams(p) =
        params.map_err(|e| bad_request(format!("{}.", e.description.unwrap_or_default())))?;
    let signed_in = crate::sso::current(&session).await?;
    match check(&state, &p).await? {
        Checked::Verified {
            hint,
            client,
            redirect,
        } => {
            if signed_in.as_ref().is_some_and(|s| s.user_id != hint.sub) {
                // Someone else is signed in here: do not end their session unasked.
                return ask(
                    &state,
                    lang,
                    &session,
                    StatusCode::OK,
                    Some(&client),
                    None,
                    &p,
                )
                .await;
            }
            end_sso(&state, &session).await?;
            match redirect {
                Some(url) => Ok(Redirect::to(url.as_str()).into_response()),
                None => done(&state, lang, Some(&client)),
            }
        }
        Checked::Unverified { client } => {
            if signed_in.is_none() {
                return done(&state, lang, client.as_ref());
            }
            let empty = Params::default();
            ask(
                &state,
                lang,
                &session,
                StatusCode::OK,
                client.as_ref(),
                None,
                &empty,
            )
            .await
        }
        Checked::BadHint => {
            let warning = "logout-unverified";
            if signed_in.is_none() {
                return Err(bad_request(Msg::new(warning)));
            }
            let empty = Params::default();
            ask(
                &state,
                lang,
                &session,
                StatusCode::BAD_REQUEST,
                None,
                Some(warning),
                &empty,
            )
            .await
        }
    }
}

/// POST /logout: the same request, answered as a GET (see the module notes).
async fn end_session_post(
    params: Result<ProtocolParams, OAuthError>,
) -> Result<Response, PageError> {
    let ProtocolParams(p) =
        params.map_err(|e| bad_request(format!("{}.", e.description.unwrap_or_default())))?;
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in p.iter() {
        query.append_pair(k, v);
    }
    let query = query.finish();
    let target = if query.is_empty() {
        END_SESSION_PATH.to_string()
    } else {
        format!("{END_SESSION_PATH}?{query}")
    };
    Ok(Redirect::to(&target).into_response())
}

#[derive(Deserialize)]
struct ConfirmForm {
    csrf: String,
    #[serde(default)]
    id_token_hint: String,
    #[serde(default)]
    post_logout_redirect_uri: String,
    #[serde(default)]
    state: String,
}

impl CsrfProtected for ConfirmForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// POST /logout/confirm: the person confirmed; sign out, and go back to the app only when
/// the carried request is verified.
async fn confirm(
    State(state): State<AppState>,
    session: Session,
    PageLang(lang): PageLang,
    CsrfForm(form): CsrfForm<ConfirmForm>,
) -> Result<Response, PageError> {
    let raw = {
        let mut raw = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("id_token_hint", &form.id_token_hint),
            ("post_logout_redirect_uri", &form.post_logout_redirect_uri),
            ("state", &form.state),
        ] {
            raw.append_pair(k, v);
        }
        raw.finish()
    };
    let p = Params::parse(raw.as_bytes()).map_err(|e| bad_request(format!("{e}.")))?;
    let checked = if p.contains("id_token_hint") {
        check(&state, &p).await?
    } else {
        Checked::Unverified { client: None }
    };
    end_sso(&state, &session).await?;
    match checked {
        Checked::Verified {
            redirect: Some(url),
            ..
        } => Ok(Redirect::to(url.as_str()).into_response()),
        Checked::Verified { client, .. } => done(&state, lang, Some(&client)),
        _ => done(&state, lang, None),
    }
}
