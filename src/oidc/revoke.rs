//! Token revocation (RFC 7009). A client revokes its own tokens:
//! - a refresh token: the whole family (the grant) ends, so every refresh token and every
//!   access token issued from the same sign-in stops working;
//! - an access token: that token alone (its `jti` is kept until it would have expired).
//!
//! Unknown, malformed or expired tokens answer 200 as the RFC requires (2.2); a token
//! issued to another client is refused (2.1).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::client_auth::AuthenticatedClient;
use super::introspect::looks_like_jwt;
use super::refresh_token;
use super::token::no_store;
use crate::audit::AuditEvent;
use crate::error::OAuthError;
use crate::state::AppState;
use crate::tokens;

fn not_yours() -> OAuthError {
    OAuthError::invalid_request("the token was not issued to this client")
}

/// POST /revoke
pub async fn revoke(
    State(state): State<AppState>,
    AuthenticatedClient { client, params: p }: AuthenticatedClient,
) -> Result<Response, OAuthError> {
    let token = p
        .get("token")
        .ok_or_else(|| OAuthError::invalid_request("token is required"))?;
    // token_type_hint is optional and only a hint; the two kinds look different anyway.
    let now = state.now();
    if looks_like_jwt(token) {
        match tokens::verify_access_token(&state.keys, token, &state.config.issuer, now).await {
            Ok(c) => {
                if c.client_id != client.id {
                    return Err(not_yours());
                }
                state.store.revoke_access_token(&c.jti, c.exp).await?;
                state
                    .audit(
                        AuditEvent::AccessTokenRevoked { jti: &c.jti },
                        (!c.gid.is_empty()).then_some(c.sub.as_str()),
                        Some(&client.id),
                    )
                    .await;
            }
            Err(tokens::TokenError::Keys(e)) => return Err(e.into()),
            Err(_) => {}
        }
    } else if let Some(rt) = state
        .store
        .get_refresh_token(&refresh_token::token_hash_with(&state.secrets, token))
        .await?
    {
        if rt.client_id != client.id {
            return Err(not_yours());
        }
        state.store.revoke_grant(&rt.grant_id, now).await?;
        state
            .audit(
                AuditEvent::RefreshTokenRevoked {
                    grant: &rt.grant_id,
                },
                Some(&rt.user_id),
                Some(&client.id),
            )
            .await;
    }
    Ok(no_store(StatusCode::OK.into_response()))
}
