//! Minting the tokens of a grant: the access token (RFC 9068 JWT), the ID token (OIDC Core
//! 2) with the claims released for it, and a refresh token when the grant has one.
//! Shared by the authorization-code and refresh-token grants.

use crate::scope::ScopeSet;
use serde_json::Value;

use super::claim_values;
use super::claims::{self, Target};
use super::grant::{GrantCtx, GrantError, TokenResponse};
use super::refresh_token;
use crate::crypto::random_token;
use crate::store::clients::Client;
use crate::store::codes::Grant;
use crate::store::users::User;
use crate::tokens::{self, AccessTokenClaims, IdTokenClaims, KeySet};

/// What to mint for one token response.
pub struct Issue<'a> {
    pub client: &'a Client,
    pub user: &'a User,
    pub grant: &'a Grant,
    /// The scope of this access token (a refresh may narrow the grant's).
    pub scope: &'a str,
    /// The nonce of the authorization request (absent from refreshed ID tokens).
    pub nonce: Option<String>,
    /// Mint a refresh token of this scope.
    pub refresh_scope: Option<&'a str>,
}

/// Signs an access token.
pub fn access_token(
    ctx: &GrantCtx<'_>,
    keys: &KeySet,
    claims: &AccessTokenClaims,
    now: i64,
) -> Result<String, GrantError> {
    Ok(tokens::sign(
        keys,
        ctx.tokens.access_token_alg,
        "at+jwt",
        claims,
        now,
    )?)
}

/// Mints the token response of a grant.
pub async fn issue(
    ctx: &GrantCtx<'_>,
    it: Issue<'_>,
    now: i64,
) -> Result<TokenResponse, GrantError> {
    let keys = ctx.keys.keys().await?;
    let cfg = ctx.tokens;
    let amr: Vec<String> = serde_json::from_str(&it.grant.amr).unwrap_or_default();
    let access_ttl = it.client.access_token_ttl(cfg.access_token_ttl_seconds);
    let access = AccessTokenClaims {
        iss: ctx.issuer.to_string(),
        sub: it.user.id.clone(),
        aud: ctx.issuer.to_string(),
        exp: now + access_ttl,
        iat: now,
        jti: random_token(16)?,
        client_id: it.client.id.clone(),
        scope: it.scope.to_string(),
        auth_time: Some(it.grant.auth_time),
        gid: it.grant.id.clone(),
    };
    let access_token = access_token(ctx, &keys, &access, now)?;
    let id_token = if ScopeSet::parse(it.scope).contains("openid") {
        let request = it
            .grant
            .claims
            .as_deref()
            .and_then(|c| claims::ClaimsRequest::parse(c).ok());
        // The client as it is now: an allow list narrowed since the grant applies at once.
        let wanted = claims::wanted(it.scope, request.as_ref(), Target::IdToken, |s| {
            it.client.allows_scope(s)
        });
        let mut extra = claim_values::user_claims(ctx.store, it.user, &wanted).await?;
        claim_values::add_mapped_claims(ctx.store, &it.client.id, &it.user.id, &mut extra).await?;
        if let Some(sid) = &it.grant.sid {
            extra.insert("sid".into(), Value::String(sid.clone()));
            // The client now has a session in this sign-in: its logout tells the client.
            ctx.store
                .record_session_client(sid, &it.client.id, now)
                .await?;
        }
        let id_claims = IdTokenClaims {
            iss: ctx.issuer.to_string(),
            sub: it.user.id.clone(),
            aud: it.client.id.clone(),
            azp: it.client.id.clone(),
            exp: now + it.client.id_token_ttl(cfg.id_token_ttl_seconds),
            iat: now,
            auth_time: it.grant.auth_time,
            nonce: it.nonce,
            acr: Some(super::acr::Acr::of_amr(&amr).as_str().to_owned()),
            amr,
            at_hash: Some(tokens::at_hash(&access_token)),
            extra,
        };
        Some(tokens::sign(
            &keys,
            it.client.id_token_alg,
            "JWT",
            &id_claims,
            now,
        )?)
    } else {
        None
    };
    let refresh_token = match it.refresh_scope {
        Some(scope) => Some(refresh_token::mint(ctx, it.client, it.grant, scope, now).await?),
        None => None,
    };
    Ok(TokenResponse {
        access_token,
        token_type: "Bearer",
        expires_in: access_ttl,
        id_token,
        refresh_token,
        scope: it.scope.to_string(),
    })
}
