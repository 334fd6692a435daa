//! Which clients received tokens in which sign-in (table `session_clients`), so a logout
//! knows whom to tell (OpenID Connect Back-Channel Logout 1.0).

use super::{Store, StoreError, StoreResult};
use crate::with_pool;

/// The outbox channel name of a logout notification (`outbox::logout::CHANNEL`).
const CHANNEL: &str = "backchannel";

/// One client to tell that one sign-in ended.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct LogoutTarget {
    /// The sign-in (`user_sessions.id`, the `sid` of its ID tokens).
    pub session_id: String,
    pub user_id: String,
    pub client_id: String,
}

impl Store {
    /// Records that `client_id` received an ID token in sign-in `session_id`. Once per
    /// pair; a sign-in with no record (an unknown `sid`) is ignored.
    pub async fn record_session_client(
        &self,
        session_id: &str,
        client_id: &str,
        now: i64,
    ) -> StoreResult<()> {
        with_pool!(&self.db, pool => {
            sqlx::query(
                "INSERT INTO session_clients (session_id, client_id, created_at) \
                 SELECT $1, $2, $3 WHERE EXISTS (SELECT 1 FROM user_sessions WHERE id = $1) \
                 ON CONFLICT (session_id, client_id) DO NOTHING",
            )
            .bind(session_id)
            .bind(client_id)
            .bind(now)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// The clients of sign-in `session_id` that registered a back-channel logout URI.
    pub async fn logout_targets(&self, session_id: &str) -> StoreResult<Vec<LogoutTarget>> {
        Ok(with_pool!(&self.db, pool => {
            sqlx::query_as(
                "SELECT sc.session_id, s.user_id, sc.client_id FROM session_clients sc \
                 JOIN user_sessions s ON s.id = sc.session_id \
                 JOIN clients c ON c.id = sc.client_id \
                 WHERE sc.session_id = $1 AND c.backchannel_logout_uri IS NOT NULL \
                 ORDER BY sc.created_at, sc.client_id",
            )
            .bind(session_id)
            .fetch_all(pool)
            .await?
        }))
    }

    /// Writes the logout notifications of the ended sign-in `session_id` and forgets which
    /// clients it had, in one database transaction: the pairs are taken (deleted) by the
    /// first statement, so each (sign-in, client) is notified once, by whichever request,
    /// replica or sweep gets there first, and a crash before the commit leaves them for
    /// the next sweep ([`Store::ended_sessions_with_clients`]). A sign-in still live is left
    /// alone. `seal` makes the sealed payload of each client that registered a
    /// back-channel logout URI; the others are forgotten without a notification. Returns
    /// how many notifications were written.
    pub async fn enqueue_logout_notices<E: From<StoreError>>(
        &self,
        session_id: &str,
        now: i64,
        give_up_at: i64,
        mut seal: impl FnMut(&LogoutTarget) -> Result<Vec<u8>, E>,
    ) -> Result<usize, E> {
        let written = with_pool!(&self.db, pool => {
            let mut conn = pool.acquire().await.map_err(StoreError::from)?;
            let mut db_txn = sqlx::Connection::begin(conn.raw().map_err(StoreError::from)?)
                .await
                .map_err(StoreError::from)?;
            // A write first: SQLite takes its write lock here, not half-way through.
            let mut taken: Vec<(i64, String)> = sqlx::query_as(
                "DELETE FROM session_clients WHERE session_id = $1 AND EXISTS \
                 (SELECT 1 FROM user_sessions WHERE id = $1 AND ended_at IS NOT NULL) \
                 RETURNING created_at, client_id",
            )
            .bind(session_id)
            .fetch_all(&mut *db_txn)
            .await
            .map_err(StoreError::from)?;
            taken.sort();
            let mut written = 0;
            if !taken.is_empty() {
                let user_id: Option<String> =
                    sqlx::query_scalar("SELECT user_id FROM user_sessions WHERE id = $1")
                        .bind(session_id)
                        .fetch_optional(&mut *db_txn)
                        .await
                        .map_err(StoreError::from)?;
                for (_, client_id) in taken {
                    let wants: Option<bool> = sqlx::query_scalar(
                        "SELECT backchannel_logout_uri IS NOT NULL FROM clients WHERE id = $1",
                    )
                    .bind(&client_id)
                    .fetch_optional(&mut *db_txn)
                    .await
                    .map_err(StoreError::from)?;
                    let (Some(user_id), Some(true)) = (user_id.as_ref(), wants) else {
                        continue;
                    };
                    let target = LogoutTarget {
                        session_id: session_id.to_string(),
                        user_id: user_id.clone(),
                        client_id,
                    };
                    let payload = seal(&target)?;
                    sqlx::query(super::outbox::INSERT_DUE_MESSAGE_SQL)
                    .bind(CHANNEL)
                    .bind(&target.client_id)
                    .bind(&payload)
                    .bind(now)
                    .bind(give_up_at)
                    .execute(&mut *db_txn)
                    .await
                    .map_err(StoreError::from)?;
                    written += 1;
                }
            }
            db_txn.commit().await.map_err(StoreError::from)?;
            written
        });
        Ok(written)
    }

    /// Ended sign-ins (ended at `since` or later) whose clients were never told: those
    /// whose notifications a crash cut off between ending the sign-in and writing them.
    /// At most `limit`.
    pub async fn ended_sessions_with_clients(
        &self,
        since: i64,
        limit: i64,
    ) -> StoreResult<Vec<String>> {
        Ok(with_pool!(&self.db, pool => {
            sqlx::query_scalar(
                "SELECT s.id FROM user_sessions s WHERE s.ended_at >= $1 AND EXISTS \
                 (SELECT 1 FROM session_clients sc WHERE sc.session_id = s.id) \
                 ORDER BY s.ended_at LIMIT $2",
            )
            .bind(since)
            .bind(limit)
            .fetch_all(pool)
            .await?
        }))
    }
}
