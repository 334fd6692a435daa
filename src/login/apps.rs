//! The person's "connected apps" page (`/account/apps`): the third-party apps they allowed
//! to use their account, with what each may see, and a button that withdraws the
//! permission (which also revokes every token the app holds for them:
//! [`super::consent::revoke_consent`]). It needs the browser's single sign-on session.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;
use tower_sessions::Session;

use super::account::not_signed_in;
use super::consent::{describe_scope, revoke_consent};
use crate::csrf::{self, CsrfForm, CsrfProtected};
use crate::error::PageError;
use crate::forms::PageQuery;
use crate::i18n::web::PageLang;
use crate::i18n::Tr;
use crate::scope::ScopeSet;
use crate::state::AppState;

pub const APPS_PATH: &str = "/account/apps";
const WITHDRAW_PATH: &str = "/account/apps/withdraw";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(APPS_PATH, get(show))
        .route(WITHDRAW_PATH, post(withdraw))
}

/// One app on the page.
struct App {
    client_id: String,
    name: String,
    may: Vec<String>,
}

#[derive(askama::Template)]
#[template(path = "account_apps.html")]
struct AppsPage<'a> {
    t: Tr<'a>,
    csrf: &'a str,
    apps: Vec<App>,
    withdrawn: Option<String>,
}

#[derive(Deserialize)]
struct ShownQuery {
    #[serde(default)]
    withdrawn: Option<String>,
}

async fn show(
    State(state): State<AppState>,
    session: Session,
    PageLang(lang): PageLang,
    PageQuery(q): PageQuery<ShownQuery>,
) -> Result<Response, PageError> {
    let sso = crate::sso::current(&session)
        .await?
        .ok_or_else(not_signed_in)?;
    let t = state.i18n.tr(lang);
    let mut apps = Vec::new();
    for c in state.store.list_consents(&sso.user_id).await? {
        // A consent outlives nothing: a deleted client's rows go with it.
        let Some(client) = state.store.get_client(&c.client_id).await? else {
            continue;
        };
        apps.push(App {
            may: ScopeSet::parse(&c.scope)
                .iter()
                .map(|s| describe_scope(s, &t))
                .collect(),
            client_id: client.id,
            name: client.name,
        });
    }
    apps.sort_by_key(|a| a.name.to_lowercase());
    // The name shown after a withdrawal is looked up, never echoed from the address.
    let withdrawn = match q.withdrawn {
        Some(id) => state.store.get_client(&id).await?.map(|c| c.name),
        None => None,
    };
    let csrf = csrf::token(&session).await?;
    crate::error::render(&AppsPage {
        t,
        csrf: &csrf,
        apps,
        withdrawn,
    })
}

#[derive(Deserialize)]
struct WithdrawForm {
    csrf: String,
    client_id: String,
}

impl CsrfProtected for WithdrawForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

async fn withdraw(
    State(state): State<AppState>,
    session: Session,
    CsrfForm(form): CsrfForm<WithdrawForm>,
) -> Result<Response, PageError> {
    let sso = crate::sso::current(&session)
        .await?
        .ok_or_else(not_signed_in)?;
    revoke_consent(&state, &sso.user_id, &form.client_id).await?;
    let back = url::form_urlencoded::Serializer::new(format!("{APPS_PATH}?"))
        .append_pair("withdrawn", &form.client_id)
        .finish();
    Ok(Redirect::to(&back).into_response())
}
