//! Event webhooks in the console: the list, subscribing a URL (its signing secret shown
//! once) and removing one. Each action is the shared operation.

use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;

use super::session::ConsoleAdmin;
use super::{done, page_error, refused, when, Chrome};
use crate::admin::ops::webhooks::{self as ops, NewWebhook, WebhookView};
use crate::csrf::{CsrfForm, CsrfProtected};
use crate::error::{render, PageError};
use crate::events::Event;
use crate::state::AppState;

const PATH: &str = "/admin/console/webhooks";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(PATH, get(list_page).post(create))
        .route("/admin/console/webhooks/remove", post(remove))
}

/// The subscription form: a URL and a checkbox per event.
#[derive(Deserialize, Default)]
struct WebhookForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    url: String,
    person_created: Option<String>,
    person_signed_in: Option<String>,
    person_changed: Option<String>,
    person_disabled: Option<String>,
    person_deleted: Option<String>,
    client_changed: Option<String>,
}

impl CsrfProtected for WebhookForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

impl WebhookForm {
    fn events(&self) -> Vec<String> {
        [
            (&self.person_created, Event::PersonCreated),
            (&self.person_signed_in, Event::PersonSignedIn),
            (&self.person_changed, Event::PersonChanged),
            (&self.person_disabled, Event::PersonDisabled),
            (&self.person_deleted, Event::PersonDeleted),
            (&self.client_changed, Event::ClientChanged),
        ]
        .into_iter()
        .filter(|(on, _)| on.is_some())
        .map(|(_, e)| e.as_str().to_string())
        .collect()
    }
}

/// The removal form: the webhook's id.
#[derive(Deserialize)]
struct RemoveForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    id: String,
}

impl CsrfProtected for RemoveForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// One event's checkbox: its form field and its name.
struct EventBox {
    field: String,
    name: &'static str,
}

#[derive(askama::Template)]
#[template(path = "console/webhooks.html")]
struct ListPage {
    c: Chrome,
    webhooks: Vec<WebhookView>,
    boxes: Vec<EventBox>,
    url: String,
    error: Option<String>,
}

impl ListPage {
    fn when(&self, t: &i64) -> String {
        when(t)
    }
}

async fn list_with(
    state: &AppState,
    admin: &ConsoleAdmin,
    url: String,
    error: Option<String>,
) -> Result<Response, PageError> {
    let page = ops::list_webhooks(&admin.ctx(state))
        .await
        .map_err(page_error)?;
    let boxes = Event::ALL
        .iter()
        .map(|e| EventBox {
            field: e.as_str().replace('.', "_"),
            name: e.as_str(),
        })
        .collect();
    render(&ListPage {
        c: Chrome::of(state, admin, "webhooks").await?,
        webhooks: page.items,
        boxes,
        url,
        error,
    })
}

/// GET /admin/console/webhooks
async fn list_page(
    State(state): State<AppState>,
    admin: ConsoleAdmin,
) -> Result<Response, PageError> {
    list_with(&state, &admin, String::new(), None).await
}

/// POST /admin/console/webhooks (after a recent sign-in: a webhook sends data out of the
/// deployment): the secret, shown once.
async fn create(
    State(state): State<AppState>,
    admin: ConsoleAdmin,
    CsrfForm(f): CsrfForm<WebhookForm>,
) -> Result<Response, PageError> {
    if let Some(r) = admin.require_recent(PATH).await? {
        return Ok(r);
    }
    let req = NewWebhook {
        url: f.url.clone(),
        events: f.events(),
    };
    let w = match ops::create_webhook(&admin.ctx(&state), req).await {
        Ok(w) => w,
        Err(e) => return list_with(&state, &admin, f.url, Some(refused(e)?)).await,
    };
    render(&super::clients::SecretPage {
        c: Chrome::of(&state, &admin, "webhooks").await?,
        title: "Webhook created".into(),
        intro: format!(
            "Copy the signing secret of the webhook for {} now: it is shown only once. Receivers check X-Sesame-Signature with it.",
            w.webhook.url
        ),
        label: "Signing secret".into(),
        secret: w.secret,
        id_label: "Webhook id".into(),
        id: w.webhook.id,
        back: PATH.into(),
    })
}

/// POST /admin/console/webhooks/remove
async fn remove(
    State(state): State<AppState>,
    admin: ConsoleAdmin,
    CsrfForm(f): CsrfForm<RemoveForm>,
) -> Result<Response, PageError> {
    match ops::remove_webhook(&admin.ctx(&state), &f.id).await {
        Ok(true) => done(&admin.session, PATH, format!("Webhook {} removed.", f.id)).await,
        Ok(false) => done(&admin.session, PATH, "That webhook was already removed.").await,
        Err(e) => list_with(&state, &admin, String::new(), Some(refused(e)?)).await,
    }
}
