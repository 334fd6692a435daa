//! The profile claims a person can set (OIDC Core 5.1), kept in the `users` row but read
//! and written apart from the sign-in identifiers. Every field is empty by default.

use serde::{Deserialize, Serialize};

use super::{Store, StoreResult};
use crate::with_pool;

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq, sqlx::FromRow)]
pub struct Profile {
    pub name: Option<String>,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub middle_name: Option<String>,
    pub nickname: Option<String>,
    pub preferred_username: Option<String>,
    pub profile: Option<String>,
    pub picture: Option<String>,
    pub website: Option<String>,
    pub gender: Option<String>,
    /// `YYYY-MM-DD` or `YYYY` (OIDC Core 5.1).
    pub birthdate: Option<String>,
    pub zoneinfo: Option<String>,
    pub locale: Option<String>,
    /// A JSON object (OIDC Core 5.1.1), stored as text.
    pub address: Option<String>,
    /// When the person's record last changed (the `updated_at` claim); read only.
    #[serde(default)]
    pub updated_at: i64,
}

const COLUMNS: &str = "name, given_name, family_name, middle_name, nickname, preferred_username, \
                       profile, picture, website, gender, birthdate, zoneinfo, locale, address, \
                       updated_at";

impl Store {
    pub async fn get_profile(&self, user_id: &str) -> StoreResult<Option<Profile>> {
        let sql = format!("SELECT {COLUMNS} FROM users WHERE id = $1");
        Ok(with_pool!(&self.db, pool => {
            sqlx::query_as(&sql).bind(user_id).fetch_optional(pool).await?
        }))
    }

    /// Replaces every profile field of a user (validate with `crate::login::account::validate` first).
    pub async fn set_profile(&self, user_id: &str, p: &Profile, now: i64) -> StoreResult<bool> {
        let n = with_pool!(&self.db, pool => {
            sqlx::query(
                "UPDATE users SET name = $1, given_name = $2, family_name = $3, middle_name = $4, \
                 nickname = $5, preferred_username = $6, profile = $7, picture = $8, website = $9, \
                 gender = $10, birthdate = $11, zoneinfo = $12, locale = $13, address = $14, \
                 updated_at = $15 WHERE id = $16",
            )
            .bind(&p.name)
            .bind(&p.given_name)
            .bind(&p.family_name)
            .bind(&p.middle_name)
            .bind(&p.nickname)
            .bind(&p.preferred_username)
            .bind(&p.profile)
            .bind(&p.picture)
            .bind(&p.website)
            .bind(&p.gender)
            .bind(&p.birthdate)
            .bind(&p.zoneinfo)
            .bind(&p.locale)
            .bind(&p.address)
            .bind(now)
            .bind(user_id)
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(n == 1)
    }
}
