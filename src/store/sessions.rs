//! Browser sessions for tower-sessions, kept in the database so any replica can serve them.

use async_trait::async_trait;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{Error, Result};
use tower_sessions::SessionStore;

use super::Store;
use crate::with_pool;

fn backend(e: impl std::fmt::Display) -> Error {
    Error::Backend(e.to_string())
}

#[async_trait]
impl SessionStore for Store {
    async fn create(&self, record: &mut Record) -> Result<()> {
        let data = serde_json::to_string(&record.data).map_err(|e| Error::Encode(e.to_string()))?;
        let expires = record.expiry_date.unix_timestamp();
        // Ids are 128 random bits; a collision is retried with a fresh id.
        for _ in 0..3 {
            let id = record.id.to_string();
            let inserted = with_pool!(&self.db, pool => {
                sqlx::query(
                    "INSERT INTO sessions (id, data, expires_at) VALUES ($1, $2, $3) \
                     ON CONFLICT (id) DO NOTHING",
                )
                .bind(&id)
                .bind(&data)
                .bind(expires)
                .execute(pool)
                .await
                .map_err(backend)?
                .rows_affected()
            });
            if inserted == 1 {
                return Ok(());
            }
            record.id = Id::default();
        }
        Err(Error::Backend("could not allocate a session id".into()))
    }

    async fn save(&self, record: &Record) -> Result<()> {
        let data = serde_json::to_string(&record.data).map_err(|e| Error::Encode(e.to_string()))?;
        let id = record.id.to_string();
        with_pool!(&self.db, pool => {
            sqlx::query(
                "INSERT INTO sessions (id, data, expires_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (id) DO UPDATE SET data = excluded.data, expires_at = excluded.expires_at",
            )
            .bind(&id)
            .bind(&data)
            .bind(record.expiry_date.unix_timestamp())
            .execute(pool)
            .await
            .map_err(backend)?;
        });
        Ok(())
    }

    async fn load(&self, id: &Id) -> Result<Option<Record>> {
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let key = id.to_string();
        let row: Option<(String, i64)> = with_pool!(&self.db, pool => {
            sqlx::query_as("SELECT data, expires_at FROM sessions WHERE id = $1 AND expires_at > $2")
                .bind(&key)
                .bind(now)
                .fetch_optional(pool)
                .await
                .map_err(backend)?
        });
        let Some((data, expires)) = row else {
            return Ok(None);
        };
        let data = serde_json::from_str(&data).map_err(|e| Error::Decode(e.to_string()))?;
        let expiry_date = time::OffsetDateTime::from_unix_timestamp(expires)
            .map_err(|e| Error::Decode(e.to_string()))?;
        Ok(Some(Record {
            id: *id,
            data,
            expiry_date,
        }))
    }

    async fn delete(&self, id: &Id) -> Result<()> {
        let key = id.to_string();
        with_pool!(&self.db, pool => {
            sqlx::query("DELETE FROM sessions WHERE id = $1")
                .bind(&key)
                .execute(pool)
                .await
                .map_err(backend)?;
        });
        Ok(())
    }
}
