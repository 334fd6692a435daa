//! The console's client form: every field of a client as the HTML form posts it, turned
//! into the admin API's own request ([`NewClientRequest`], [`ClientPatch`]) so the shared
//! operation validates it; and the preview of the branded sign-in page it describes.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::admin::ops::clients::{ClientPatch, ClientView, NewClientRequest, PkcePolicy};
use crate::admin::ops::AdminError;
use crate::branding::{on_accent, parse_color, Brand};
use crate::clients::DEVICE_CODE_GRANT;
use crate::csrf::CsrfProtected;

/// The form as posted. Text fields are always sent (possibly empty); a checkbox only when
/// ticked.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ClientForm {
    #[serde(default)]
    pub csrf: String,
    /// `save` or `preview`.
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub name: String,
    /// One per line.
    #[serde(default)]
    pub redirect_uris: String,
    pub public: Option<String>,
    #[serde(default)]
    pub pkce: String,
    pub first_party: Option<String>,
    #[serde(default)]
    pub id_token_alg: String,
    #[serde(default)]
    pub logo_uri: String,
    #[serde(default)]
    pub client_uri: String,
    #[serde(default)]
    pub policy_uri: String,
    #[serde(default)]
    pub tos_uri: String,
    #[serde(default)]
    pub brand_color: String,
    /// Space-separated; empty: every supported scope.
    #[serde(default)]
    pub allowed_scopes: String,
    #[serde(default)]
    pub access_token_ttl_seconds: String,
    #[serde(default)]
    pub id_token_ttl_seconds: String,
    #[serde(default)]
    pub refresh_token_ttl_seconds: String,
    #[serde(default)]
    pub backchannel_logout_uri: String,
    pub backchannel_logout_session_required: Option<String>,
    /// One per line (registration only).
    #[serde(default)]
    pub post_logout_redirect_uris: String,
    pub grant_authorization_code: Option<String>,
    pub grant_refresh_token: Option<String>,
    pub grant_client_credentials: Option<String>,
    pub grant_device_code: Option<String>,
    pub always_issue_refresh_token: Option<String>,
    /// Extra API scopes, space-separated (registration only).
    #[serde(default)]
    pub scope: String,
    /// `claim=attribute`, one per line.
    #[serde(default)]
    pub claims: String,
}

impl CsrfProtected for ClientForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

fn lines(s: &str) -> Vec<String> {
    s.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

fn text(s: &str) -> Option<String> {
    Some(s.trim()).filter(|s| !s.is_empty()).map(str::to_string)
}

fn number(field: &'static str, s: &str) -> Result<Option<i64>, AdminError> {
    match text(s) {
        None => Ok(None),
        Some(n) => n
            .parse()
            .map(Some)
            .map_err(|_| AdminError::invalid(field, "must be a whole number of seconds")),
    }
}

fn claims(s: &str) -> Result<BTreeMap<String, String>, AdminError> {
    lines(s)
        .into_iter()
        .map(|l| match l.split_once('=') {
            Some((k, v)) => Ok((k.trim().to_string(), v.trim().to_string())),
            None => Err(AdminError::invalid(
                "claims",
                "write one mapping per line: claim=attribute",
            )),
        })
        .collect()
}

impl ClientForm {
    /// The form of an existing client, for editing.
    pub fn of(c: &ClientView) -> ClientForm {
        let tick = |b: bool| b.then(|| "on".to_string());
        ClientForm {
            name: c.name.clone(),
            redirect_uris: c.redirect_uris.join("\n"),
            public: tick(c.public),
            pkce: match c.pkce {
                PkcePolicy::Required => "required".into(),
                PkcePolicy::Optional => "optional".into(),
            },
            first_party: tick(c.first_party),
            id_token_alg: c.id_token_alg.clone(),
            logo_uri: c.logo_uri.clone().unwrap_or_default(),
            client_uri: c.client_uri.clone().unwrap_or_default(),
            policy_uri: c.policy_uri.clone().unwrap_or_default(),
            tos_uri: c.tos_uri.clone().unwrap_or_default(),
            brand_color: c.brand_color.clone().unwrap_or_default(),
            allowed_scopes: c.allowed_scopes.clone().unwrap_or_default().join(" "),
            access_token_ttl_seconds: opt_num(c.access_token_ttl_seconds),
            id_token_ttl_seconds: opt_num(c.id_token_ttl_seconds),
            refresh_token_ttl_seconds: opt_num(c.refresh_token_ttl_seconds),
            backchannel_logout_uri: c.backchannel_logout_uri.clone().unwrap_or_default(),
            backchannel_logout_session_required: tick(c.backchannel_logout_session_required),
            claims: c
                .claims
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("\n"),
            ..ClientForm::default()
        }
    }

    /// A blank form for a new client, with the defaults ticked.
    pub fn blank() -> ClientForm {
        ClientForm {
            first_party: Some("on".into()),
            pkce: "required".into(),
            grant_authorization_code: Some("on".into()),
            grant_refresh_token: Some("on".into()),
            ..ClientForm::default()
        }
    }

    pub fn is_preview(&self) -> bool {
        self.action == "preview"
    }

    fn pkce(&self) -> Option<PkcePolicy> {
        match self.pkce.as_str() {
            "optional" => Some(PkcePolicy::Optional),
            "required" => Some(PkcePolicy::Required),
            _ => None,
        }
    }

    fn scopes(&self) -> Option<Vec<String>> {
        let s: Vec<String> = self
            .allowed_scopes
            .split_whitespace()
            .map(str::to_string)
            .collect();
        (!s.is_empty()).then_some(s)
    }

    fn grant_types(&self) -> Vec<String> {
        [
            (&self.grant_authorization_code, "authorization_code"),
            (&self.grant_refresh_token, "refresh_token"),
            (&self.grant_client_credentials, "client_credentials"),
            (&self.grant_device_code, DEVICE_CODE_GRANT),
        ]
        .into_iter()
        .filter(|(on, _)| on.is_some())
        .map(|(_, g)| g.to_string())
        .collect()
    }

    /// The registration the form asks for.
    pub fn to_new(&self) -> Result<NewClientRequest, AdminError> {
        Ok(NewClientRequest {
            name: self.name.clone(),
            redirect_uris: lines(&self.redirect_uris),
            public: self.public.is_some(),
            pkce: self.pkce(),
            first_party: Some(self.first_party.is_some()),
            id_token_alg: text(&self.id_token_alg),
            logo_uri: text(&self.logo_uri),
            client_uri: text(&self.client_uri),
            policy_uri: text(&self.policy_uri),
            tos_uri: text(&self.tos_uri),
            brand_color: text(&self.brand_color),
            allowed_scopes: self.scopes(),
            access_token_ttl_seconds: number(
                "access_token_ttl_seconds",
                &self.access_token_ttl_seconds,
            )?,
            id_token_ttl_seconds: number("id_token_ttl_seconds", &self.id_token_ttl_seconds)?,
            refresh_token_ttl_seconds: number(
                "refresh_token_ttl_seconds",
                &self.refresh_token_ttl_seconds,
            )?,
            backchannel_logout_uri: text(&self.backchannel_logout_uri),
            backchannel_logout_session_required: Some(
                self.backchannel_logout_session_required.is_some(),
            ),
            post_logout_redirect_uris: Some(lines(&self.post_logout_redirect_uris)),
            grant_types: Some(self.grant_types()),
            always_issue_refresh_token: Some(self.always_issue_refresh_token.is_some()),
            scope: text(&self.scope),
            claims: Some(claims(&self.claims)?),
        })
    }

    /// The change the form asks for: every field it shows, an empty one cleared. Claims
    /// no longer listed are removed.
    pub fn to_patch(&self, current: &ClientView) -> Result<ClientPatch, AdminError> {
        let wanted = claims(&self.claims)?;
        let mut patch_claims: BTreeMap<String, Option<String>> = current
            .claims
            .keys()
            .filter(|k| !wanted.contains_key(*k))
            .map(|k| (k.clone(), None))
            .collect();
        patch_claims.extend(wanted.into_iter().map(|(k, v)| (k, Some(v))));
        Ok(ClientPatch {
            name: Some(self.name.clone()),
            redirect_uris: Some(lines(&self.redirect_uris)),
            public: None,
            pkce: self.pkce(),
            first_party: Some(self.first_party.is_some()),
            id_token_alg: text(&self.id_token_alg),
            logo_uri: Some(text(&self.logo_uri)),
            client_uri: Some(text(&self.client_uri)),
            policy_uri: Some(text(&self.policy_uri)),
            tos_uri: Some(text(&self.tos_uri)),
            brand_color: Some(text(&self.brand_color)),
            allowed_scopes: Some(self.scopes()),
            access_token_ttl_seconds: Some(number(
                "access_token_ttl_seconds",
                &self.access_token_ttl_seconds,
            )?),
            id_token_ttl_seconds: Some(number("id_token_ttl_seconds", &self.id_token_ttl_seconds)?),
            refresh_token_ttl_seconds: Some(number(
                "refresh_token_ttl_seconds",
                &self.refresh_token_ttl_seconds,
            )?),
            backchannel_logout_uri: Some(text(&self.backchannel_logout_uri)),
            backchannel_logout_session_required: Some(
                self.backchannel_logout_session_required.is_some(),
            ),
            claims: Some(Some(patch_claims)),
        })
    }

    /// What the sign-in page would show for this form (only https logos, as the pages'
    /// policy loads; the colour through [`preview_css_path`]).
    pub fn preview(&self) -> Brand {
        let https = |s: &str| text(s).filter(|u| u.starts_with("https://"));
        Brand {
            name: text(&self.name).unwrap_or_else(|| "Your app".into()),
            logo_uri: https(&self.logo_uri),
            client_uri: https(&self.client_uri),
            policy_uri: https(&self.policy_uri),
            tos_uri: https(&self.tos_uri),
            stylesheet: parse_color(self.brand_color.trim()).map(|c| preview_css_path(&c)),
        }
    }
}

fn opt_num(n: Option<i64>) -> String {
    n.map(|n| n.to_string()).unwrap_or_default()
}

/// The preview's stylesheet for a colour (`#rrggbb`).
pub fn preview_css_path(color: &str) -> String {
    format!(
        "/admin/console/preview/{}/style.css",
        color.trim_start_matches('#')
    )
}

/// The preview's stylesheet: the colour on the preview only, not on the console.
pub fn preview_css(hex: &str) -> Option<String> {
    let color = parse_color(&format!("#{hex}"))?;
    Some(format!(
        ".preview {{ --accent: {color}; --on-accent: {}; }}\n",
        on_accent(&color)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_text_field_clears_and_checkboxes_read_as_ticked() {
        let f = ClientForm {
            name: "App".into(),
            redirect_uris: "https://a.example/cb\n\n https://b.example/cb ".into(),
            grant_authorization_code: Some("on".into()),
            claims: "policy = minio_policy".into(),
            ..ClientForm::default()
        };
        let r = f.to_new().unwrap();
        assert_eq!(
            r.redirect_uris,
            vec!["https://a.example/cb", "https://b.example/cb"]
        );
        assert_eq!(r.grant_types, Some(vec!["authorization_code".to_string()]));
        assert_eq!(r.first_party, Some(false));
        assert_eq!(r.logo_uri, None);
        assert_eq!(r.claims.unwrap()["policy"], "minio_policy");
        assert!(ClientForm {
            access_token_ttl_seconds: "soon".into(),
            ..f
        }
        .to_new()
        .is_err());
    }

    #[test]
    fn the_preview_colour_is_checked_before_it_becomes_a_stylesheet() {
        assert!(preview_css("3552C8").unwrap().contains("#3552c8"));
        assert!(preview_css("red;}body{").is_none());
    }
}
