//! The append-only audit trail. Details never contain a code, secret or token.

use serde::Serialize;

use super::{Store, StoreResult};
use crate::with_pool;

#[derive(Debug, Clone, Serialize, PartialEq, Eq, sqlx::FromRow)]
pub struct AuditEvent {
    pub id: i64,
    pub at: i64,
    pub kind: String,
    pub user_id: Option<String>,
    pub client_id: Option<String>,
    pub ip: Option<String>,
    pub detail: String,
}

/// A new event, before it has an id.
#[derive(Debug, Clone, Default)]
pub struct NewAuditEvent<'a> {
    pub kind: &'a str,
    pub user_id: Option<&'a str>,
    pub client_id: Option<&'a str>,
    pub ip: Option<&'a str>,
    pub detail: serde_json::Value,
}

impl Store {
    pub async fn audit(&self, at: i64, e: NewAuditEvent<'_>) -> StoreResult<()> {
        let detail = if e.detail.is_null() {
            "{}".to_string()
        } else {
            e.detail.to_string()
        };
        with_pool!(&self.db, pool => {
            sqlx::query(
                "INSERT INTO audit_events (at, kind, user_id, client_id, ip, detail) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(at)
            .bind(e.kind)
            .bind(e.user_id)
            .bind(e.client_id)
            .bind(e.ip)
            .bind(&detail)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// Events at or after `since`, oldest first, optionally of one kind.
    pub async fn audit_events(
        &self,
        since: i64,
        kind: Option<&str>,
        limit: i64,
    ) -> StoreResult<Vec<AuditEvent>> {
        Ok(with_pool!(&self.db, pool => {
            sqlx::query_as(
                "SELECT id, at, kind, user_id, client_id, ip, detail FROM audit_events \
                 WHERE at >= $1 AND ($2 IS NULL OR kind = $2) ORDER BY id LIMIT $3",
            )
            .bind(since)
            .bind(kind)
            .bind(limit)
            .fetch_all(pool)
            .await?
        }))
    }
}
