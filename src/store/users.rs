//! People who sign in. The `id` is the opaque, stable `sub`; it is never the email.

use serde::{Deserialize, Serialize};

use super::{Store, StoreResult};
use crate::with_pool;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, sqlx::FromRow)]
pub struct User {
    pub id: String,
    pub email: Option<String>,
    pub email_verified: bool,
    pub phone: Option<String>,
    pub phone_verified: bool,
    pub created_at: i64,
    pub updated_at: i64,
    pub last_login_at: Option<i64>,
    pub disabled_at: Option<i64>,
}

pub(super) const COLUMNS: &str =
    "id, email, email_verified, phone, phone_verified, created_at, updated_at, \
                       last_login_at, disabled_at";

pub use crate::channel::Channel;

/// The identifier column a lookup by `channel` uses.
fn column(channel: Channel) -> &'static str {
    match channel {
        Channel::Email => "email",
        Channel::Sms => "phone",
    }
}

impl Store {
    pub async fn get_user(&self, id: &str) -> StoreResult<Option<User>> {
        let sql = format!("SELECT {COLUMNS} FROM users WHERE id = $1");
        Ok(with_pool!(&self.db, pool => {
            sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?
        }))
    }

    /// Finds a user by a normalised email address or E.164 phone number.
    pub async fn find_user_by_identifier(
        &self,
        channel: Channel,
        identifier: &str,
    ) -> StoreResult<Option<User>> {
        let sql = format!("SELECT {COLUMNS} FROM users WHERE {} = $1", column(channel));
        Ok(with_pool!(&self.db, pool => {
            sqlx::query_as(&sql).bind(identifier).fetch_optional(pool).await?
        }))
    }

    /// Marks the identifier verified and records the sign-in time; or, when no user has
    /// that identifier and `register` is true, creates one. Returns the user, or None when
    /// there is none and registration is off. Safe against two concurrent first sign-ins.
    pub async fn user_signed_in(
        &self,
        channel: Channel,
        identifier: &str,
        new_id: &str,
        register: bool,
        now: i64,
    ) -> StoreResult<Option<User>> {
        let col = column(channel);
        let verified = format!("{col}_verified");
        // One statement either way: an upsert when registration is on, an update when not.
        if register {
            let sql = format!(
                "INSERT INTO users (id, {col}, {verified}, created_at, updated_at, last_login_at) \
                 VALUES ($1, $2, TRUE, $3, $3, $3) \
                 ON CONFLICT ({col}) DO UPDATE SET {verified} = TRUE, \
                 last_login_at = excluded.last_login_at, updated_at = excluded.updated_at \
                 RETURNING {COLUMNS}"
            );
            return Ok(with_pool!(&self.db, pool => {
                sqlx::query_as(&sql)
                    .bind(new_id)
                    .bind(identifier)
                    .bind(now)
                    .fetch_optional(pool)
                    .await?
            }));
        }
        let sql = format!(
            "UPDATE users SET {verified} = TRUE, last_login_at = $1, updated_at = $1 \
             WHERE {col} = $2 RETURNING {COLUMNS}"
        );
        Ok(with_pool!(&self.db, pool => {
            sqlx::query_as(&sql).bind(now).bind(identifier).fetch_optional(pool).await?
        }))
    }

    /// Creates a person with this identifier, not yet verified (an admin named them before
    /// their first sign-in), unless one exists. Returns the person either way.
    pub async fn insert_user_if_absent(
        &self,
        channel: Channel,
        identifier: &str,
        new_id: &str,
        now: i64,
    ) -> StoreResult<Option<User>> {
        let col = column(channel);
        let sql = format!(
            "INSERT INTO users (id, {col}, created_at, updated_at) VALUES ($1, $2, $3, $3) \
             ON CONFLICT ({col}) DO NOTHING"
        );
        with_pool!(&self.db, pool => {
            sqlx::query(&sql).bind(new_id).bind(identifier).bind(now).execute(pool).await?;
        });
        self.find_user_by_identifier(channel, identifier).await
    }

    pub async fn list_users(&self, limit: i64, offset: i64) -> StoreResult<Vec<User>> {
        let sql = format!("SELECT {COLUMNS} FROM users ORDER BY created_at, id LIMIT $1 OFFSET $2");
        Ok(with_pool!(&self.db, pool => {
            sqlx::query_as(&sql).bind(limit).bind(offset).fetch_all(pool).await?
        }))
    }
}
