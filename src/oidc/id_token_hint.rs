//! `id_token_hint` (OIDC Core 3.1.2.1, RP-Initiated Logout 1.0 section 2): an ID token this
//! server issued, presented back as a hint. It must carry our signature and issuer; it may
//! have expired (the spec allows an expired hint, since the RP often has nothing fresher).

use serde::Deserialize;

use crate::state::AppState;
use crate::tokens::{self, TokenError};

/// What a valid hint says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hint {
    pub sub: String,
    /// The clients the ID token was issued to.
    pub aud: Vec<String>,
    pub sid: Option<String>,
}

impl Hint {
    pub fn issued_to(&self, client_id: &str) -> bool {
        self.aud.iter().any(|a| a == client_id)
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Aud {
    One(String),
    Many(Vec<String>),
}

#[derive(Deserialize)]
struct HintClaims {
    iss: String,
    sub: String,
    aud: Aud,
    #[serde(default)]
    sid: Option<String>,
}

/// Verifies a hint: signed by one of our published keys, our issuer, an ID token (not an
/// access token). Expiry is not checked.
pub async fn verify(state: &AppState, token: &str) -> Result<Hint, TokenError> {
    let (payload, header) = tokens::verify(&state.keys, token).await?;
    if header.token_type() == Some("at+jwt") {
        return Err(TokenError::WrongType);
    }
    let claims: HintClaims = serde_json::from_slice(&payload).map_err(|_| TokenError::Malformed)?;
    if claims.iss != state.config.issuer {
        return Err(TokenError::WrongIssuer);
    }
    let aud = match claims.aud {
        Aud::One(a) => vec![a],
        Aud::Many(v) => v,
    };
    Ok(Hint {
        sub: claims.sub,
        aud,
        sid: claims.sid,
    })
}
