//! Event webhooks: subscribe a URL to events about people and clients, list the
//! subscriptions, remove one. The outbox delivers the events (`outbox::webhook`).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{AdminError, Ctx, Page};
use crate::audit::AuditEvent;
use crate::clients::validate_backchannel_logout_uri;
use crate::crypto::random_token;
use crate::events::{Event, EventSet};
use crate::outbox::webhook::seal_secret;
use crate::store::webhooks::Webhook;

/// A subscription. Its signing secret is shown once, when it is created.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct WebhookView {
    pub id: String,
    /// Where events are POSTed.
    pub url: String,
    /// The events it receives.
    pub events: Vec<String>,
    pub created_at: i64,
}

impl From<Webhook> for WebhookView {
    fn from(w: Webhook) -> Self {
        WebhookView {
            id: w.id,
            url: w.url,
            events: EventSet::from_stored(&w.events)
                .names()
                .into_iter()
                .map(str::to_string)
                .collect(),
            created_at: w.created_at,
        }
    }
}

/// A subscription to create.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewWebhook {
    /// https (http only on localhost), without credentials or a fragment.
    pub url: String,
    /// `person.created`, `person.signed_in`, `person.changed`, `person.disabled`,
    /// `person.deleted`, `client.changed`, or `*` for all.
    pub events: Vec<String>,
}

/// A subscription just created, with its signing secret: shown this once.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CreatedWebhook {
    #[serde(flatten)]
    pub webhook: WebhookView,
    /// The key of the `X-Sesame-Signature` HMAC. Keep it: it is never shown again.
    pub secret: String,
}

/// The names of every event, for help texts.
pub fn event_names() -> Vec<&'static str> {
    Event::ALL.iter().map(|e| e.as_str()).collect()
}

pub async fn create_webhook(ctx: &Ctx<'_>, w: NewWebhook) -> Result<CreatedWebhook, AdminError> {
    let url = validate_backchannel_logout_uri(&w.url)
        .map_err(|e| AdminError::invalid("url", e.replace("back-channel logout URI", "URL")))?;
    let events =
        EventSet::parse(&w.events).map_err(|e| AdminError::invalid("events", e.to_string()))?;
    let id = format!("wh_{}", random_token(12)?);
    let secret = format!("whsec_{}", random_token(32)?);
    let sealed = seal_secret(ctx.secrets, &id, &secret)?;
    let stored = events.to_stored();
    ctx.store
        .insert_webhook(&id, &url, &stored, &sealed, ctx.now)
        .await?;
    ctx.audit(
        AuditEvent::AdminWebhookCreated {
            webhook: &id,
            events: &stored,
        },
        None,
        None,
    )
    .await?;
    let webhook = ctx
        .store
        .get_webhook(&id)
        .await?
        .ok_or_else(|| AdminError::not_found("webhook", &id))?;
    Ok(CreatedWebhook {
        webhook: webhook.into(),
        secret,
    })
}

pub async fn list_webhooks(ctx: &Ctx<'_>) -> Result<Page<WebhookView>, AdminError> {
    let items: Vec<WebhookView> = ctx
        .store
        .list_webhooks()
        .await?
        .into_iter()
        .map(WebhookView::from)
        .collect();
    ctx.audit(
        AuditEvent::AdminWebhooksListed { count: items.len() },
        None,
        None,
    )
    .await?;
    Ok(Page::all(items))
}

/// Removes a subscription; the events queued for it and not yet delivered are dropped.
/// Returns whether it existed (idempotent).
pub async fn remove_webhook(ctx: &Ctx<'_>, id: &str) -> Result<bool, AdminError> {
    if id.len() > 64
        || !id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        return Err(AdminError::invalid("id", "is not a webhook id"));
    }
    let existed = ctx.store.delete_webhook(id).await?;
    ctx.audit(
        AuditEvent::AdminWebhookRemoved {
            webhook: id,
            existed,
        },
        None,
        None,
    )
    .await?;
    Ok(existed)
}
