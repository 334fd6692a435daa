//! Refresh tokens themselves: their keyed hash, when a family ends, and minting one.
//! The code exchange and the refresh grant both mint here; the refresh grant
//! ([`super::refresh`]) also looks tokens up and rotates them.

use super::grant::{GrantCtx, GrantError};
use crate::config::TokenConfig;
use crate::crypto::{random_token, ServerSecrets};
use crate::state::AppState;
use crate::store::clients::Client;
use crate::store::codes::Grant;
use crate::store::tokens::RefreshToken;

/// The keyed hash a refresh token is stored under.
pub fn token_hash(state: &AppState, token: &str) -> Vec<u8> {
    token_hash_with(&state.secrets, token)
}

/// [`token_hash`] from the server secrets alone.
pub fn token_hash_with(secrets: &ServerSecrets, token: &str) -> Vec<u8> {
    secrets.keyed_hash("refresh_token", &[token.as_bytes()])
}

/// When a grant's refresh-token family ends, whatever its use.
pub fn family_end(tokens: &TokenConfig, grant: &Grant) -> i64 {
    grant.created_at + tokens.refresh_token_absolute_ttl_seconds
}

/// Mints a new refresh token in `grant`'s family and returns it (the only time it exists
/// in clear). A client registered with its own refresh-token lifetime gets a family that
/// ends sooner (never later) than the server's absolute lifetime.
pub async fn mint(
    ctx: &GrantCtx<'_>,
    client: &Client,
    grant: &Grant,
    scope: &str,
    now: i64,
) -> Result<String, GrantError> {
    let token = random_token(32)?;
    let server_end = family_end(ctx.tokens, grant);
    let end = (grant.created_at
        + client.refresh_token_ttl(ctx.tokens.refresh_token_absolute_ttl_seconds))
    .min(server_end);
    let idle = now + ctx.tokens.refresh_token_idle_ttl_seconds;
    ctx.store
        .insert_refresh_token(&RefreshToken {
            token_hash: token_hash_with(ctx.secrets, &token),
            grant_id: grant.id.clone(),
            client_id: grant.client_id.clone(),
            user_id: grant.user_id.clone(),
            scope: scope.to_string(),
            created_at: now,
            expires_at: idle.min(end),
            used_at: None,
            revoked_at: None,
        })
        .await?;
    // A grant's end only ever moves later, so when the grant in hand already reaches `end`
    // the stored one does too and the UPDATE would change nothing (it would still take
    // SQLite's write lock): every rotation after a family's first token skips it.
    if grant.expires_at < end {
        ctx.store.extend_grant(&grant.id, end).await?;
    }
    Ok(token)
}
