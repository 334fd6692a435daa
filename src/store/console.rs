//! The admin console's own rows: who may use it (`console_admins`), and the counts its
//! overview shows.

use super::{Store, StoreResult};
use crate::with_pool;

/// A console admin, with the person's identifiers.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ConsoleAdmin {
    pub user_id: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub disabled_at: Option<i64>,
    pub added_at: i64,
    pub added_by: String,
}

/// What the overview counts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    pub users: i64,
    pub disabled_users: i64,
    pub clients: i64,
    pub sign_ins_since: i64,
    pub outbox_failed: i64,
}

impl Store {
    /// Adds an admin; false when the person already was one.
    pub async fn insert_console_admin(
        &self,
        user_id: &str,
        added_by: &str,
        now: i64,
    ) -> StoreResult<bool> {
        let n = with_pool!(&self.db, pool => {
            sqlx::query(
                "INSERT INTO console_admins (user_id, added_at, added_by) VALUES ($1, $2, $3) \
                 ON CONFLICT (user_id) DO NOTHING",
            )
            .bind(user_id)
            .bind(now)
            .bind(added_by)
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(n == 1)
    }

    /// Removes an admin; false when the person was not one.
    pub async fn delete_console_admin(&self, user_id: &str) -> StoreResult<bool> {
        let n = with_pool!(&self.db, pool => {
            sqlx::query("DELETE FROM console_admins WHERE user_id = $1")
                .bind(user_id)
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(n == 1)
    }

    /// Whether this person is an admin of the console.
    pub async fn is_console_admin(&self, user_id: &str) -> StoreResult<bool> {
        let n: i64 = with_pool!(&self.db, pool => {
            sqlx::query_scalar("SELECT COUNT(*) FROM console_admins WHERE user_id = $1")
                .bind(user_id)
                .fetch_one(pool)
                .await?
        });
        Ok(n > 0)
    }

    /// Whether any admin exists (until one does, the console is not served).
    pub async fn console_has_admin(&self) -> StoreResult<bool> {
        let n: i64 = with_pool!(&self.db, pool => {
            sqlx::query_scalar("SELECT COUNT(*) FROM console_admins").fetch_one(pool).await?
        });
        Ok(n > 0)
    }

    /// Every admin, in the order they were added.
    pub async fn list_console_admins(&self) -> StoreResult<Vec<ConsoleAdmin>> {
        Ok(with_pool!(&self.db, pool => {
            sqlx::query_as(
                "SELECT a.user_id, u.email, u.phone, u.disabled_at, a.added_at, a.added_by \
                 FROM console_admins a JOIN users u ON u.id = a.user_id \
                 ORDER BY a.added_at, a.user_id",
            )
            .fetch_all(pool)
            .await?
        }))
    }

    /// The overview's counts; `sign_in_kind` events at or after `since` are sign-ins.
    pub async fn console_counts(&self, sign_in_kind: &str, since: i64) -> StoreResult<Counts> {
        let (users, disabled_users, clients, sign_ins_since, outbox_failed): (
            i64,
            i64,
            i64,
            i64,
            i64,
        ) = with_pool!(&self.db, pool => {
            sqlx::query_as(
                "SELECT (SELECT COUNT(*) FROM users), \
                 (SELECT COUNT(*) FROM users WHERE disabled_at IS NOT NULL), \
                 (SELECT COUNT(*) FROM clients), \
                 (SELECT COUNT(*) FROM audit_events WHERE kind = $1 AND at >= $2), \
                 (SELECT COUNT(*) FROM outbox WHERE status = 'failed')",
            )
            .bind(sign_in_kind)
            .bind(since)
            .fetch_one(pool)
            .await?
        });
        Ok(Counts {
            users,
            disabled_users,
            clients,
            sign_ins_since,
            outbox_failed,
        })
    }
}
