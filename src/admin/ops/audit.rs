//! Reading the audit trail: who signed in to what, and what admins did.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{parse_time, AdminError, Ctx, Page, PageParams};
use crate::audit::{AuditEvent as Event, ReadFilter};
use crate::store::admin::AuditFilter;
use crate::store::audit::AuditEvent;

/// One audit event. `at` is Unix seconds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AuditEventView {
    pub id: i64,
    pub at: i64,
    pub kind: String,
    pub user_id: Option<String>,
    pub client_id: Option<String>,
    pub ip: Option<String>,
    /// Kind-specific facts; admin actions carry `actor` (the admin token or the CLI).
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
}

impl From<AuditEvent> for AuditEventView {
    fn from(e: AuditEvent) -> Self {
        AuditEventView {
            detail: serde_json::from_str(&e.detail).unwrap_or(serde_json::Value::Null),
            id: e.id,
            at: e.at,
            kind: e.kind,
            user_id: e.user_id,
            client_id: e.client_id,
            ip: e.ip,
        }
    }
}

/// Which events to list, newest first.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    pub user_id: Option<String>,
    pub client_id: Option<String>,
    /// An exact kind (`verification_succeeded`) or a prefix ending in `*` (`admin_*`).
    pub kind: Option<String>,
    /// Events at or after: Unix seconds, RFC 3339, or a date (`2026-01-31`).
    pub since: Option<String>,
    /// Events before: Unix seconds, RFC 3339, or a date.
    pub until: Option<String>,
    /// How many items to return (1–200, default 50).
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

pub async fn query_audit(
    ctx: &Ctx<'_>,
    q: &AuditQuery,
) -> Result<Page<AuditEventView>, AdminError> {
    let p = PageParams {
        limit: q.limit,
        cursor: q.cursor.clone(),
    };
    let limit = p.limit()?;
    let before_id: Option<i64> = p.cursor()?;
    let since = q
        .since
        .as_deref()
        .map(|s| parse_time("since", s))
        .transpose()?;
    let until = q
        .until
        .as_deref()
        .map(|s| parse_time("until", s))
        .transpose()?;
    if q.kind
        .as_deref()
        .is_some_and(|k| k.is_empty() || k.len() > 100)
    {
        return Err(AdminError::invalid("kind", "must be 1 to 100 characters"));
    }
    let rows = ctx
        .store
        .query_audit(&AuditFilter {
            user_id: q.user_id.as_deref(),
            client_id: q.client_id.as_deref(),
            kind: q.kind.as_deref(),
            since,
            until,
            before_id,
            limit: limit + 1,
        })
        .await?;
    let page = Page::from_rows(rows, limit, |e| e.id, AuditEventView::from);
    ctx.audit(
        Event::AdminAuditRead {
            filter: ReadFilter {
                user_id: q.user_id.as_deref(),
                client_id: q.client_id.as_deref(),
                kind: q.kind.as_deref(),
                since,
                until,
            },
            count: page.items.len(),
        },
        None,
        None,
    )
    .await?;
    Ok(page)
}
