//! The overview: how many people and clients there are, how many sign-ins the last day
//! saw, how the outbox is doing, and how old the signing keys are.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::keys::KeyView;
use super::{AdminError, Ctx};
use crate::audit::{AuditEvent, AuditKind};

const DAY: i64 = 86_400;

/// A signing key and its age.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct KeyAge {
    #[serde(flatten)]
    pub key: KeyView,
    /// Seconds since the key was created.
    pub age_seconds: i64,
}

/// The state of the deployment at a glance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Overview {
    pub users: i64,
    pub disabled_users: i64,
    pub clients: i64,
    /// Successful code verifications in the last 24 hours.
    pub sign_ins_last_day: i64,
    /// Messages waiting for delivery.
    pub outbox_pending: i64,
    /// Seconds the oldest waiting message has waited; null when none waits.
    pub outbox_oldest_pending_age_seconds: Option<i64>,
    /// Messages that failed for good (kept a day).
    pub outbox_failed: i64,
    /// The keys still published, newest first.
    pub keys: Vec<KeyAge>,
}

pub async fn overview(ctx: &Ctx<'_>) -> Result<Overview, AdminError> {
    let counts = ctx
        .store
        .console_counts(AuditKind::VerificationSucceeded.as_str(), ctx.now - DAY)
        .await?;
    let depth = ctx.store.outbox_depth().await?;
    let mut keys: Vec<KeyAge> = ctx
        .store
        .all_keys()
        .await?
        .iter()
        .map(|k| KeyAge {
            key: KeyView::of(k, ctx.now),
            age_seconds: (ctx.now - k.created_at).max(0),
        })
        .filter(|k| k.key.status != super::keys::KeyStatus::Unpublished)
        .collect();
    keys.sort_by_key(|k| std::cmp::Reverse(k.key.created_at));
    ctx.audit(AuditEvent::AdminOverviewViewed {}, None, None)
        .await?;
    Ok(Overview {
        users: counts.users,
        disabled_users: counts.disabled_users,
        clients: counts.clients,
        sign_ins_last_day: counts.sign_ins_since,
        outbox_pending: depth.pending,
        outbox_oldest_pending_age_seconds: depth
            .oldest_pending_created_at
            .map(|t| (ctx.now - t).max(0)),
        outbox_failed: counts.outbox_failed,
        keys,
    })
}
