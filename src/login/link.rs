//! The emailed sign-in link, the code's twin. `GET /login/link?tx&k` shows a confirmation
//! page with one button, and only in the browser the sign-in belongs to: a mail scanner
//! fetching the link spends nothing, and another browser learns nothing (it is told to
//! type the code in the window where the sign-in started). The button posts `k`, which is
//! checked like a typed code ([`code::verify`]): the same tries, limits and expiry, and a
//! success burns the code and its link together.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;
use tower_sessions::Session;

use super::code::{self, Proof};
use super::flow::load_flow;
use super::protect::ClientIp;
use crate::authz;
use crate::branding::Brand;
use crate::csrf::{self, CsrfForm, CsrfProtected};
use crate::error::PageError;
use crate::forms::PageQuery;
use crate::i18n::Tr;
use crate::state::AppState;

/// Where the email's link points.
pub const LINK_PATH: &str = "/login/link";

/// A link's `k`: 32 bytes, base64url without padding.
const KEY_CHARS: usize = 43;

pub fn routes() -> Router<AppState> {
    Router::new().route(LINK_PATH, get(show).post(submit))
}

#[derive(askama::Template)]
#[template(path = "login_link.html")]
struct LinkPage<'a> {
    t: Tr<'a>,
    client_name: &'a str,
    brand: &'a Brand,
    tx: &'a str,
    csrf: &'a str,
    k: &'a str,
    masked: &'a str,
}

#[derive(Deserialize)]
struct LinkQuery {
    #[serde(default)]
    tx: String,
    #[serde(default)]
    k: String,
}

#[derive(Deserialize)]
struct LinkForm {
    #[serde(default)]
    tx: String,
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    k: String,
}

impl CsrfProtected for LinkForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

fn well_formed(tx: &str, k: &str) -> bool {
    !tx.is_empty()
        && tx.len() <= 64
        && k.len() == KEY_CHARS
        && k.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The page for a link opened where its sign-in does not belong: it names nothing of the
/// sign-in (no app, no address), whether the sign-in exists or not.
fn elsewhere() -> PageError {
    PageError::keyed(StatusCode::FORBIDDEN, "error-link-other-browser")
}

async fn show(
    State(state): State<AppState>,
    session: Session,
    PageQuery(q): PageQuery<LinkQuery>,
) -> Result<Response, PageError> {
    if !well_formed(&q.tx, &q.k) {
        return Err(PageError::keyed(
            StatusCode::BAD_REQUEST,
            "error-link-altered",
        ));
    }
    if !authz::owns_tx(&session, &q.tx).await? {
        return Err(elsewhere());
    }
    let flow = load_flow(&state, &session, &q.tx).await?;
    let Some(identifier) = flow.tx.identifier.as_deref() else {
        return Ok(Redirect::to(&super::login_url(&flow.tx.id)).into_response());
    };
    let csrf = csrf::token(&session).await?;
    let html = askama::Template::render(&LinkPage {
        t: super::tr_of(&state, &flow),
        client_name: &flow.client_name,
        brand: &flow.brand,
        tx: &flow.tx.id,
        csrf: &csrf,
        k: &q.k,
        masked: &flow.tx.channel().mask(identifier),
    })?;
    Ok(Html(html).into_response())
}

async fn submit(
    State(state): State<AppState>,
    session: Session,
    ip: ClientIp,
    CsrfForm(form): CsrfForm<LinkForm>,
) -> Result<Response, PageError> {
    if !well_formed(&form.tx, &form.k) {
        return Err(PageError::keyed(
            StatusCode::BAD_REQUEST,
            "error-link-altered",
        ));
    }
    if !authz::owns_tx(&session, &form.tx).await? {
        return Err(elsewhere());
    }
    let flow = load_flow(&state, &session, &form.tx).await?;
    if flow.tx.identifier.is_none() {
        return Ok(Redirect::to(&super::login_url(&flow.tx.id)).into_response());
    }
    let outcome = code::verify(&state, &flow.tx, Proof::Link(&form.k), &ip).await?;
    super::answer_verification(&state, &session, flow, &form.csrf, outcome).await
}

#[cfg(test)]
mod tests {
    use super::well_formed;

    #[test]
    fn only_a_whole_link_secret_is_accepted() {
        let k = "a".repeat(43);
        assert!(well_formed("tx", &k));
        assert!(!well_formed("tx", &k[..42]));
        assert!(!well_formed("", &k));
        assert!(!well_formed("tx", &format!("{}=", &k[..42])));
        assert!(!well_formed(&"t".repeat(65), &k));
    }
}
