//! Signing keys: list them, rotate them.

use crate::audit::AuditEvent;
use crate::jose::SigningAlg;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{AdminError, Ctx, Page};
use crate::store::keys::StoredKey;
use crate::tokens::keys::ALGORITHMS;
use crate::tokens::KeyRing;

/// Where a key is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum KeyStatus {
    /// Published, signs from `activates_at`.
    Pending,
    /// Published and signing.
    Active,
    /// Published so tokens it signed still verify, no longer signing.
    Retired,
    /// No longer published.
    Unpublished,
}

/// A signing key (public facts only). Times are Unix seconds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct KeyView {
    pub kid: String,
    pub alg: String,
    pub status: KeyStatus,
    pub created_at: i64,
    pub activates_at: i64,
    pub retired_at: Option<i64>,
    pub unpublish_at: Option<i64>,
}

impl KeyView {
    pub fn of(k: &StoredKey, now: i64) -> KeyView {
        let status = if k.unpublish_at.is_some_and(|t| t <= now) {
            KeyStatus::Unpublished
        } else if k.retired_at.is_some_and(|t| t <= now) {
            KeyStatus::Retired
        } else if k.activates_at > now {
            KeyStatus::Pending
        } else {
            KeyStatus::Active
        };
        KeyView {
            kid: k.kid.clone(),
            alg: k.alg.clone(),
            status,
            created_at: k.created_at,
            activates_at: k.activates_at,
            retired_at: k.retired_at,
            unpublish_at: k.unpublish_at,
        }
    }
}

/// A key rotation.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RotateRequest {
    /// `RS256` or `ES256`; absent: both.
    pub alg: Option<String>,
    /// Seconds the new key is published before it signs, so relying parties that cache
    /// the JWKS see it first (default: `keys.prepublish_seconds`; 0 signs at once, e.g. after a compromise).
    pub prepublish_seconds: Option<i64>,
    /// Seconds the replaced keys stay published after they stop signing (default: the
    /// longest token lifetime plus 5 minutes; 0 unpublishes them at once).
    pub retain_seconds: Option<i64>,
}

/// The keys a rotation created.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Rotated {
    pub rotated: Vec<KeyView>,
}

const MAX_DELAY: i64 = 90 * 86_400;

pub async fn list_keys(ctx: &Ctx<'_>) -> Result<Page<KeyView>, AdminError> {
    let keys = ctx.store.all_keys().await?;
    let items: Vec<KeyView> = keys.iter().map(|k| KeyView::of(k, ctx.now)).collect();
    ctx.audit(
        AuditEvent::AdminKeysListed { count: items.len() },
        None,
        None,
    )
    .await?;
    Ok(Page::all(items))
}

/// The default retention: the longest lifetime of a token a key may have signed.
async fn default_retain(ctx: &Ctx<'_>) -> Result<i64, AdminError> {
    let t = &ctx.config.tokens;
    let longest = t
        .access_token_ttl_seconds
        .max(t.id_token_ttl_seconds)
        .max(ctx.store.max_client_token_ttl().await?);
    Ok(longest + 300)
}

pub async fn rotate_keys(
    ctx: &Ctx<'_>,
    ring: &KeyRing,
    r: RotateRequest,
) -> Result<Rotated, AdminError> {
    let algs: Vec<&str> = match r.alg.as_deref() {
        None => ALGORITHMS.to_vec(),
        Some(a) => match SigningAlg::parse(a) {
            Some(a) => vec![a.as_str()],
            None => return Err(AdminError::invalid("alg", "must be RS256 or ES256")),
        },
    };
    let prepublish = r
        .prepublish_seconds
        .unwrap_or(ctx.config.keys.prepublish_seconds);
    if !(0..=MAX_DELAY).contains(&prepublish) {
        return Err(AdminError::invalid(
            "prepublish_seconds",
            format!("must be between 0 and {MAX_DELAY}"),
        ));
    }
    let retain = match r.retain_seconds {
        Some(n) if !(0..=MAX_DELAY).contains(&n) => {
            return Err(AdminError::invalid(
                "retain_seconds",
                format!("must be between 0 and {MAX_DELAY}"),
            ))
        }
        Some(n) => n,
        None => default_retain(ctx)
            .await?
            .max(crate::tokens::rotation::retention(ctx.config)),
    };
    let mut kids = Vec::new();
    for alg in algs {
        let kid = ring.rotate(alg, prepublish, retain).await?;
        ctx.audit(
            AuditEvent::AdminKeyRotated {
                alg,
                kid: &kid,
                prepublish_seconds: prepublish,
                retain_seconds: retain,
            },
            None,
            None,
        )
        .await?;
        kids.push(kid);
    }
    let all = ctx.store.all_keys().await?;
    Ok(Rotated {
        rotated: all
            .iter()
            .filter(|k| kids.contains(&k.kid))
            .map(|k| KeyView::of(k, ctx.now))
            .collect(),
    })
}
