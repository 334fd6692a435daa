//! Which clients received tokens in which sign-in (table `session_clients`), so a logout
//! knows whom to tell (OpenID Connect Back-Channel Logout 1.0).

use super::{Store, StoreResult};
use crate::with_pool;

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
}
