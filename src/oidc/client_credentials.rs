//! The client-credentials grant (RFC 6749 section 4.4) for machine clients: an access token
//! for the client itself, never an ID token or a refresh token (4.4.3), and only for the
//! (API) scopes the client was registered with. Person-related scopes (`openid`, `email`,
//! …) are refused: there is no person behind this token.

use super::authorize::SUPPORTED_SCOPES;
use super::grant::{GrantCtx, GrantError, TokenResponse};
use super::issue;
use super::params::Params;
use crate::audit::AuditEvent;
use crate::crypto::random_token;
use crate::scope::ScopeSet;
use crate::store::clients::Client;
use crate::tokens::AccessTokenClaims;

/// The scope granted for a request: the asked scopes, each registered for the client and
/// none about a person; without `scope`, everything the client was registered for.
pub fn granted_scope(client: &Client, asked: Option<&str>) -> Result<String, GrantError> {
    let Some(asked) = asked else {
        return Ok(client.registered_scopes().collect::<Vec<_>>().join(" "));
    };
    let asked = ScopeSet::parse(asked);
    for s in asked.iter() {
        if SUPPORTED_SCOPES.contains(&s) {
            return Err(GrantError::InvalidScope(format!(
                "scope `{s}` is about a person; the client-credentials grant has none"
            )));
        }
        if !client.registered_scopes().any(|r| r == s) {
            return Err(GrantError::InvalidScope(format!(
                "scope `{s}` is not registered for this client"
            )));
        }
    }
    Ok(asked.to_string())
}

/// `grant_type=client_credentials` at the token endpoint.
pub async fn grant(
    ctx: &GrantCtx<'_>,
    client: &Client,
    p: &Params,
) -> Result<TokenResponse, GrantError> {
    if client.public {
        return Err(GrantError::UnauthorizedClient(
            "public clients cannot use the client-credentials grant",
        ));
    }
    let scope = granted_scope(client, p.get("scope"))?;
    let now = ctx.now();
    let ttl = client.access_token_ttl(ctx.tokens.access_token_ttl_seconds);
    let claims = AccessTokenClaims {
        iss: ctx.issuer.to_string(),
        sub: client.id.clone(),
        aud: ctx.issuer.to_string(),
        exp: now + ttl,
        iat: now,
        jti: random_token(16)?,
        client_id: client.id.clone(),
        scope: scope.clone(),
        auth_time: None,
        gid: String::new(),
    };
    let keys = ctx.keys.keys().await?;
    let access_token = issue::access_token(ctx, &keys, &claims, now)?;
    ctx.audit(
        AuditEvent::TokensIssued {
            grant: None,
            grant_type: "client_credentials",
            refresh_token: None,
            scope: Some(&scope),
        },
        None,
        Some(&client.id),
    )
    .await;
    Ok(TokenResponse {
        access_token,
        token_type: "Bearer",
        expires_in: ttl,
        id_token: None,
        refresh_token: None,
        scope,
    })
}
