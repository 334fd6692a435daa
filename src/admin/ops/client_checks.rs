//! Validation of client fields, shared by registration and changes.

use std::collections::BTreeMap;

use super::attributes::valid_attribute_name;
use super::AdminError;
use crate::branding::parse_color;
use crate::clients;
use crate::jose::SigningAlg;
use crate::oidc::authorize::SUPPORTED_SCOPES;

fn is_loopback(u: &url::Url) -> bool {
    match u.host() {
        Some(url::Host::Domain(d)) => d == "localhost",
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// A URL shown on the sign-in pages: absolute https (http only on loopback for links;
/// logos must be https, the only scheme the pages' CSP loads images from besides self).
pub(super) fn valid_url(
    field: &'static str,
    v: &str,
    https_only: bool,
) -> Result<String, AdminError> {
    let v = v.trim();
    if v.len() > 2000 {
        return Err(AdminError::invalid(field, "is longer than 2000 characters"));
    }
    let u = url::Url::parse(v).map_err(|_| AdminError::invalid(field, "is not an absolute URL"))?;
    let ok = match u.scheme() {
        "https" => true,
        "http" => !https_only && is_loopback(&u),
        _ => false,
    };
    if !ok || u.host().is_none() {
        let rule = if https_only {
            "must be an https URL"
        } else {
            "must be an https URL (http only on localhost)"
        };
        return Err(AdminError::invalid(field, rule));
    }
    if !u.username().is_empty() || u.password().is_some() {
        return Err(AdminError::invalid(field, "must not contain credentials"));
    }
    Ok(u.to_string())
}

pub(super) fn opt_url(
    field: &'static str,
    v: Option<String>,
    https_only: bool,
) -> Result<Option<String>, AdminError> {
    v.map(|v| valid_url(field, &v, https_only)).transpose()
}

/// The console's own client cannot be given redirect URIs, grants or a secret: it would
/// become a client that signs in with the console's name.
pub(super) fn refuse_console_client(id: &str) -> Result<(), AdminError> {
    if id == clients::CONSOLE_CLIENT_ID {
        return Err(AdminError::Conflict(
            "this is the admin console's own client; it cannot be changed".into(),
        ));
    }
    Ok(())
}

/// A back-channel logout URI ([`clients::validate_backchannel_logout_uri`]).
pub(super) fn opt_backchannel_uri(v: Option<String>) -> Result<Option<String>, AdminError> {
    v.map(|v| {
        clients::validate_backchannel_logout_uri(&v)
            .map_err(|e| AdminError::invalid("backchannel_logout_uri", e))
    })
    .transpose()
}

pub(super) fn valid_scopes(v: Option<Vec<String>>) -> Result<Option<Vec<String>>, AdminError> {
    let Some(list) = v else { return Ok(None) };
    let mut out = vec!["openid".to_string()];
    for s in list {
        if !SUPPORTED_SCOPES.contains(&s.as_str()) {
            return Err(AdminError::invalid(
                "allowed_scopes",
                format!(
                    "`{s}` is not a supported scope ({})",
                    SUPPORTED_SCOPES.join(", ")
                ),
            ));
        }
        if !out.contains(&s) {
            out.push(s);
        }
    }
    Ok(Some(out))
}

/// The most claims one client may have mapped.
pub(super) const CLAIMS_MAX: usize = 50;

/// Checks a mapped claim's name: 1 to 64 ASCII letters, digits, `_`, `.`, `-` or `:`,
/// starting with a letter, and not a claim Sesame sets itself or a registered one
/// (`sub`, `iss`, `email`, `groups`, …), which it must not shadow.
pub(super) fn valid_claim_name(name: &str) -> Result<String, AdminError> {
    let ok = name.len() <= 64
        && name.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-' | b':'));
    if !ok {
        return Err(AdminError::invalid(
            "claims",
            format!(
                "`{}` is not a claim name: 1 to 64 letters, digits, `_`, `.`, `-` or `:`, \
                 starting with a letter",
                name.chars().take(64).collect::<String>()
            ),
        ));
    }
    if crate::oidc::claims::is_reserved_claim(name) {
        return Err(AdminError::invalid(
            "claims",
            format!("`{name}` is a standard or registered claim; a mapped claim cannot replace it"),
        ));
    }
    Ok(name.to_string())
}

/// Applies a merge patch to a client's claim mappings (claim → attribute; a `null`
/// attribute removes the claim) and checks the result.
pub(super) fn patch_claims(
    current: &BTreeMap<String, String>,
    patch: BTreeMap<String, Option<String>>,
) -> Result<BTreeMap<String, String>, AdminError> {
    let mut out = current.clone();
    for (claim, attribute) in patch {
        match attribute {
            None => {
                out.remove(&claim);
            }
            Some(a) => {
                let attribute = valid_attribute_name("claims", &a)?;
                out.insert(valid_claim_name(&claim)?, attribute);
            }
        }
    }
    if out.len() > CLAIMS_MAX {
        return Err(AdminError::invalid(
            "claims",
            format!("at most {CLAIMS_MAX} claims may be mapped"),
        ));
    }
    Ok(out)
}

pub(super) fn valid_ttl(
    field: &'static str,
    v: Option<i64>,
    min: i64,
    max: i64,
) -> Result<Option<i64>, AdminError> {
    match v {
        Some(n) if !(min..=max).contains(&n) => Err(AdminError::invalid(
            field,
            format!("must be between {min} and {max} seconds"),
        )),
        v => Ok(v),
    }
}

pub(super) fn valid_color(v: Option<String>) -> Result<Option<String>, AdminError> {
    v.map(|c| parse_color(&c).ok_or_else(|| AdminError::invalid("brand_color", "must be #rrggbb")))
        .transpose()
}

pub(super) fn valid_alg(v: &str) -> Result<SigningAlg, AdminError> {
    match SigningAlg::parse(v) {
        Some(a) => Ok(a),
        None => Err(AdminError::invalid(
            "id_token_alg",
            "must be RS256 or ES256",
        )),
    }
}

pub(super) fn valid_redirect_uris(
    uris: Vec<String>,
    public: bool,
) -> Result<Vec<String>, AdminError> {
    if uris.is_empty() {
        return Err(AdminError::invalid(
            "redirect_uris",
            "at least one redirect URI is required",
        ));
    }
    if uris.len() > 50 {
        return Err(AdminError::invalid(
            "redirect_uris",
            "at most 50 are allowed",
        ));
    }
    let mut out: Vec<String> = Vec::with_capacity(uris.len());
    for u in uris {
        if u.len() > 2000 {
            return Err(AdminError::invalid("redirect_uris", "a URI is too long"));
        }
        clients::validate_redirect_uri(&u, public)
            .map_err(|m| AdminError::invalid("redirect_uris", m))?;
        if !out.contains(&u) {
            out.push(u);
        }
    }
    Ok(out)
}

pub(super) const TTL_MAX: i64 = 86_400;
pub(super) const REFRESH_TTL_MAX: i64 = 400 * 86_400;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_must_be_https_and_logos_strictly() {
        assert!(valid_url("logo_uri", "https://cdn.example/logo.png", true).is_ok());
        assert!(valid_url("logo_uri", "http://localhost/logo.png", true).is_err());
        assert!(valid_url("client_uri", "http://localhost:3000/", false).is_ok());
        assert!(valid_url("client_uri", "http://example.com/", false).is_err());
        assert!(valid_url("client_uri", "javascript:alert(1)", false).is_err());
        assert!(valid_url("client_uri", "https://user:pw@example.com/", false).is_err());
        assert!(valid_url("client_uri", "/relative", false).is_err());
    }

    #[test]
    fn scopes_are_checked_and_always_include_openid() {
        assert_eq!(
            valid_scopes(Some(vec!["email".into(), "email".into()])).unwrap(),
            Some(vec!["openid".to_string(), "email".to_string()])
        );
        assert!(valid_scopes(Some(vec!["admin".into()])).is_err());
        assert_eq!(valid_scopes(None).unwrap(), None);
    }
}
