//! Device authorizations (RFC 8628): the request of a device, found by its device code
//! (the client's polls) or by its user code (the person's page), both stored only as keyed
//! hashes, until it is approved, denied, exchanged once or expired.

use super::text_enum::TextEnum;
use super::{Store, StoreResult};
use crate::with_pool;

/// Where a device authorization stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeviceStatus {
    /// Waiting for the person.
    Pending,
    /// The person allowed it; the device code may be exchanged once.
    Approved,
    /// The person refused it.
    Denied,
    /// Exchanged for tokens.
    Redeemed,
}

impl TextEnum for DeviceStatus {
    fn as_text(&self) -> &'static str {
        match self {
            DeviceStatus::Pending => "pending",
            DeviceStatus::Approved => "approved",
            DeviceStatus::Denied => "denied",
            DeviceStatus::Redeemed => "redeemed",
        }
    }
    fn from_text(s: &str) -> Option<Self> {
        [
            DeviceStatus::Pending,
            DeviceStatus::Approved,
            DeviceStatus::Denied,
            DeviceStatus::Redeemed,
        ]
        .into_iter()
        .find(|v| v.as_text() == s)
    }
}

crate::text_column!(DeviceStatus);

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DeviceAuthorization {
    pub id: String,
    pub client_id: String,
    pub scope: String,
    pub status: DeviceStatus,
    pub user_id: Option<String>,
    pub auth_time: Option<i64>,
    /// JSON array.
    pub amr: Option<String>,
    pub poll_interval: i64,
    pub last_polled_at: Option<i64>,
    /// The poll that read this row came sooner than the interval allowed.
    pub too_fast: bool,
    pub created_at: i64,
    pub expires_at: i64,
}

const COLUMNS: &str = "id, client_id, scope, status, user_id, auth_time, amr, poll_interval, \
                       last_polled_at, too_fast, created_at, expires_at";

/// A new device authorization, as written.
#[derive(Debug, Clone)]
pub struct NewDeviceAuthorization<'a> {
    pub id: &'a str,
    pub device_code_hash: &'a [u8],
    pub user_code_hash: &'a [u8],
    pub client_id: &'a str,
    pub scope: &'a str,
    pub poll_interval: i64,
    pub created_at: i64,
    pub expires_at: i64,
}

/// Who decided, and their sign-in.
#[derive(Debug, Clone, Copy)]
pub struct DeviceDecision<'a> {
    pub user_id: &'a str,
    pub auth_time: i64,
    pub amr: &'a str,
    pub approve: bool,
}

impl Store {
    /// Writes a new device authorization. A user code that is already taken is a unique
    /// violation (the caller draws another).
    pub async fn insert_device_authorization(
        &self,
        d: &NewDeviceAuthorization<'_>,
    ) -> StoreResult<()> {
        with_pool!(&self.db, pool => {
            sqlx::query(
                "INSERT INTO device_authorizations (id, device_code_hash, user_code_hash, \
                 client_id, scope, status, poll_interval, created_at, expires_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(d.id)
            .bind(d.device_code_hash)
            .bind(d.user_code_hash)
            .bind(d.client_id)
            .bind(d.scope)
            .bind(DeviceStatus::Pending.as_text())
            .bind(d.poll_interval)
            .bind(d.created_at)
            .bind(d.expires_at)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// The live, pending device authorization a user code names.
    pub async fn pending_device_by_user_code(
        &self,
        user_code_hash: &[u8],
        now: i64,
    ) -> StoreResult<Option<DeviceAuthorization>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM device_authorizations \
             WHERE user_code_hash = $1 AND status = $2 AND expires_at > $3"
        );
        Ok(with_pool!(&self.db, pool => {
            sqlx::query_as(&sql)
                .bind(user_code_hash)
                .bind(DeviceStatus::Pending.as_text())
                .bind(now)
                .fetch_optional(pool)
                .await?
        }))
    }

    /// The live, pending device authorization with this id.
    pub async fn pending_device(
        &self,
        id: &str,
        now: i64,
    ) -> StoreResult<Option<DeviceAuthorization>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM device_authorizations \
             WHERE id = $1 AND status = $2 AND expires_at > $3"
        );
        Ok(with_pool!(&self.db, pool => {
            sqlx::query_as(&sql)
                .bind(id)
                .bind(DeviceStatus::Pending.as_text())
                .bind(now)
                .fetch_optional(pool)
                .await?
        }))
    }

    /// Records the person's answer, once: false when the authorization was no longer
    /// pending and live.
    pub async fn decide_device(
        &self,
        id: &str,
        decision: DeviceDecision<'_>,
        now: i64,
    ) -> StoreResult<bool> {
        let status = if decision.approve {
            DeviceStatus::Approved
        } else {
            DeviceStatus::Denied
        };
        let done = with_pool!(&self.db, pool => {
            sqlx::query(
                "UPDATE device_authorizations SET status = $1, user_id = $2, auth_time = $3, \
                 amr = $4, decided_at = $5 WHERE id = $6 AND status = $7 AND expires_at > $5",
            )
            .bind(status.as_text())
            .bind(decision.user_id)
            .bind(decision.auth_time)
            .bind(decision.amr)
            .bind(now)
            .bind(id)
            .bind(DeviceStatus::Pending.as_text())
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(done == 1)
    }

    /// Records a poll of the client's device code, atomically: the row as it is now, with
    /// `too_fast` set (and the interval grown by `slow_down_step`) when this poll came
    /// sooner than the interval after the last one. `None` for an unknown code or another
    /// client's.
    pub async fn poll_device(
        &self,
        device_code_hash: &[u8],
        client_id: &str,
        slow_down_step: i64,
        now: i64,
    ) -> StoreResult<Option<DeviceAuthorization>> {
        // Every right-hand side reads the row as it was before this UPDATE.
        let sql = format!(
            "UPDATE device_authorizations SET \
             too_fast = CASE WHEN last_polled_at IS NULL THEN FALSE \
                             ELSE $1 - last_polled_at < poll_interval END, \
             poll_interval = CASE WHEN last_polled_at IS NOT NULL \
                                   AND $1 - last_polled_at < poll_interval \
                             THEN poll_interval + $2 ELSE poll_interval END, \
             last_polled_at = $1 \
             WHERE device_code_hash = $3 AND client_id = $4 RETURNING {COLUMNS}"
        );
        Ok(with_pool!(&self.db, pool => {
            sqlx::query_as(&sql)
                .bind(now)
                .bind(slow_down_step)
                .bind(device_code_hash)
                .bind(client_id)
                .fetch_optional(pool)
                .await?
        }))
    }

    /// Marks an approved, live authorization exchanged, once: of two concurrent
    /// exchanges only one gets `true`.
    pub async fn redeem_device(&self, id: &str, now: i64) -> StoreResult<bool> {
        let done = with_pool!(&self.db, pool => {
            sqlx::query(
                "UPDATE device_authorizations SET status = $1 \
                 WHERE id = $2 AND status = $3 AND expires_at > $4",
            )
            .bind(DeviceStatus::Redeemed.as_text())
            .bind(id)
            .bind(DeviceStatus::Approved.as_text())
            .bind(now)
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(done == 1)
    }

    /// Deletes device authorizations an hour after they expired (a late poll meanwhile
    /// still hears `expired_token`).
    pub async fn purge_expired_devices(&self, now: i64) -> StoreResult<u64> {
        Ok(with_pool!(&self.db, pool => {
            sqlx::query("DELETE FROM device_authorizations WHERE expires_at < $1")
                .bind(now - 3600)
                .execute(pool)
                .await?
                .rows_affected()
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn with_row(store: &Store) {
        store
            .insert_device_authorization(&NewDeviceAuthorization {
                id: "d1",
                device_code_hash: b"dc",
                user_code_hash: b"uc",
                client_id: "c1",
                scope: "openid",
                poll_interval: 5,
                created_at: 100,
                expires_at: 700,
            })
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn a_poll_sooner_than_the_interval_is_too_fast_and_grows_the_interval() {
        let (store, _dir) = crate::store::testing::temp_sqlite().await;
        with_row(&store).await;
        let first = store
            .poll_device(b"dc", "c1", 5, 100)
            .await
            .unwrap()
            .unwrap();
        assert!(!first.too_fast);
        assert_eq!(first.poll_interval, 5);
        let fast = store
            .poll_device(b"dc", "c1", 5, 102)
            .await
            .unwrap()
            .unwrap();
        assert!(fast.too_fast);
        assert_eq!(fast.poll_interval, 10);
        let slow = store
            .poll_device(b"dc", "c1", 5, 112)
            .await
            .unwrap()
            .unwrap();
        assert!(!slow.too_fast);
        assert_eq!(slow.poll_interval, 10);
        assert!(store
            .poll_device(b"dc", "other", 5, 130)
            .await
            .unwrap()
            .is_none());
    }

    #[tokio::test]
    async fn an_authorization_is_decided_once_and_redeemed_once() {
        let (store, _dir) = crate::store::testing::temp_sqlite().await;
        with_row(&store).await;
        assert!(store
            .pending_device_by_user_code(b"uc", 100)
            .await
            .unwrap()
            .is_some());
        assert!(!store.redeem_device("d1", 101).await.unwrap());
        let d = DeviceDecision {
            user_id: "u1",
            auth_time: 90,
            amr: "[]",
            approve: true,
        };
        assert!(store.decide_device("d1", d, 101).await.unwrap());
        assert!(!store.decide_device("d1", d, 102).await.unwrap());
        assert!(store
            .pending_device_by_user_code(b"uc", 102)
            .await
            .unwrap()
            .is_none());
        assert!(store.redeem_device("d1", 103).await.unwrap());
        assert!(!store.redeem_device("d1", 104).await.unwrap());
        assert_eq!(store.purge_expired_devices(4300).await.unwrap(), 0);
        assert_eq!(store.purge_expired_devices(4301).await.unwrap(), 1);
    }
}
