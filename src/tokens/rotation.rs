//! Signing-key rotation with the configured timing.
//!
//! A new key is published in the JWKS at once and signs only after
//! `keys.prepublish_seconds`, so relying parties that cache the JWKS learn it before they
//! meet it. The key it replaces stops signing at that moment and stays published for
//! `keys.retain_seconds` more, and never less than the longest token lifetime: every token
//! it signed still validates through the JWKS until it expires.

use super::keys::{KeyError, KeyRing, ALGORITHMS};
use crate::config::Config;
use crate::jose::SigningAlg;

/// One rotated algorithm.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Rotated {
    pub alg: String,
    pub kid: String,
    /// When the new key starts signing.
    pub activates_at: i64,
    /// When the replaced keys leave the JWKS.
    pub old_keys_unpublished_at: i64,
}

/// How long a replaced key stays published after it stops signing.
pub fn retention(config: &Config) -> i64 {
    config
        .keys
        .retain_seconds
        .max(config.tokens.longest_signed_ttl())
}

/// Rotates the keys of `alg` (or of every algorithm when `None`).
pub async fn rotate(
    ring: &KeyRing,
    config: &Config,
    alg: Option<&str>,
    now: i64,
) -> Result<Vec<Rotated>, KeyError> {
    let algs: Vec<&str> = match alg {
        Some(a) => match SigningAlg::parse(a) {
            Some(a) => vec![a.as_str()],
            None => {
                return Err(KeyError::Jose(format!(
                    "unsupported algorithm {a} (RS256 or ES256)"
                )))
            }
        },
        None => ALGORITHMS.to_vec(),
    };
    let prepublish = config.keys.prepublish_seconds.max(0);
    let retain = retention(config);
    let mut out = Vec::new();
    for a in algs {
        let kid = ring.rotate(a, prepublish, retain).await?;
        tracing::info!(%kid, alg = a, prepublish, retain, "rotated a signing key");
        out.push(Rotated {
            alg: a.to_string(),
            kid,
            activates_at: now + prepublish,
            old_keys_unpublished_at: now + prepublish + retain,
        });
    }
    Ok(out)
}
