//! Token introspection (RFC 7662). Only authenticated confidential clients may ask (a
//! resource server registered as a client). Access tokens of any client can be
//! introspected; refresh tokens only by the client they were issued to. Anything not live
//! answers exactly `{"active": false}`.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use super::claim_values;
use super::claims::{self, Target};
use super::client_auth::AuthenticatedClient;
use super::grant::GrantCtx;
use super::token::no_store;
use super::{refresh, refresh_token};
use crate::error::OAuthError;
use crate::scope::ScopeSet;
use crate::state::AppState;
use crate::store::codes::Grant;
use crate::store::StoreResult;
use crate::tokens::{self, AccessTokenClaims};

/// Whether a verified, unexpired access token is still live: not revoked on its own, and
/// its grant (when it has one) not revoked — revoking a refresh-token family, reusing a
/// code or signing out ends every access token of the grant.
pub async fn access_token_live(state: &AppState, claims: &AccessTokenClaims) -> StoreResult<bool> {
    Ok(live_grant(state, claims).await?.is_some())
}

/// Like [`access_token_live`], and hands back what it read: `None` when the token is not
/// live, `Some(None)` for a live token without a grant (client credentials), `Some(grant)`
/// otherwise, so the caller does not read the grant a second time.
pub async fn live_grant(
    state: &AppState,
    claims: &AccessTokenClaims,
) -> StoreResult<Option<Option<Grant>>> {
    if claims.gid.is_empty() {
        return Ok((!state.store.access_token_revoked(&claims.jti).await?).then_some(None));
    }
    // The grant and the token's own revocation in one query.
    Ok(state
        .store
        .grant_state(&claims.gid, Some(&claims.jti), None)
        .await?
        .filter(|s| !s.token_revoked && s.grant.revoked_at.is_none())
        .map(|s| Some(s.grant)))
}

/// A JWT has two dots; our refresh tokens have none.
pub fn looks_like_jwt(token: &str) -> bool {
    token.split('.').count() == 3
}

/// Adds the person's claims an introspection answer carries, so a resource server can
/// decide without calling UserInfo: `groups` when the token's scope has it and its client
/// may still obtain it (its allow list of now), and with `openid` the client's mapped
/// claims.
async fn add_person_claims(
    state: &AppState,
    v: &mut Value,
    scope: &str,
    client_id: &str,
    user_id: &str,
) -> StoreResult<()> {
    let scopes = ScopeSet::parse(scope);
    let Some(obj) = v.as_object_mut() else {
        return Ok(());
    };
    if scopes.contains("groups") {
        if let Some(client) = state.store.get_client(client_id).await? {
            let wanted = claims::wanted(scope, None, Target::UserInfo, |s| client.allows_scope(s));
            if let Some(user) = state.store.get_user(user_id).await? {
                let released = claim_values::user_claims(&state.store, &user, &wanted).await?;
                if let Some(groups) = released.get("groups") {
                    obj.insert("groups".into(), groups.clone());
                }
            }
        }
    }
    if scopes.contains("openid") {
        claim_values::add_mapped_claims(&state.store, client_id, user_id, obj).await?;
    }
    Ok(())
}

fn inactive() -> Value {
    json!({ "active": false })
}

/// POST /introspect
pub async fn introspect(
    State(state): State<AppState>,
    AuthenticatedClient { client, params: p }: AuthenticatedClient,
) -> Result<Response, OAuthError> {
    if client.public {
        return Err(OAuthError::invalid_client(
            "introspection needs client authentication with a secret",
        ));
    }
    let token = p
        .get("token")
        .ok_or_else(|| OAuthError::invalid_request("token is required"))?;
    let now = state.now();
    let body = if looks_like_jwt(token) {
        match tokens::verify_access_token(&state.keys, token, &state.config.issuer, now).await {
            Ok(c) if access_token_live(&state, &c).await? => {
                let mut v = json!({
                    "active": true,
                    "token_type": "Bearer",
                    "scope": c.scope,
                    "client_id": c.client_id,
                    "sub": c.sub,
                    "exp": c.exp,
                    "iat": c.iat,
                    "iss": c.iss,
                    "aud": c.aud,
                    "jti": c.jti,
                });
                if let Some(t) = c.auth_time {
                    v["auth_time"] = json!(t);
                }
                if !c.gid.is_empty() {
                    add_person_claims(&state, &mut v, &c.scope, &c.client_id, &c.sub).await?;
                }
                v
            }
            Ok(_) => inactive(),
            Err(tokens::TokenError::Keys(e)) => return Err(e.into()),
            Err(_) => inactive(),
        }
    } else {
        match refresh::lookup(&GrantCtx::of(&state), token, &client.id, now).await? {
            Ok((rt, grant, _)) => {
                let mut v = json!({
                    "active": true,
                    "token_type": "refresh_token",
                    "scope": rt.scope,
                    "client_id": rt.client_id,
                    "sub": rt.user_id,
                    "exp": rt.expires_at.min(refresh_token::family_end(&state.config.tokens, &grant)),
                    "iat": rt.created_at,
                    "iss": state.config.issuer,
                    "auth_time": grant.auth_time,
                });
                add_person_claims(&state, &mut v, &rt.scope, &rt.client_id, &rt.user_id).await?;
                v
            }
            Err(_) => inactive(),
        }
    };
    Ok(no_store(Json(body).into_response()))
}
