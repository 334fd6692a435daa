//! What the hosted pages show about the client a person is signing in to: its name, logo,
//! home page, privacy and terms links, and an accent colour.
//!
//! The Content-Security-Policy allows styles only from this origin (`style-src 'self'`, no
//! inline styles), so the colour is not written into the page: each client with a colour
//! gets a tiny stylesheet of its own at `/static/brand/{client_id}/style.css?v={updated_at}`
//! that sets the `--accent` and `--on-accent` custom properties `sesame.css` uses. It is
//! same-origin (allowed by the CSP as it is), cacheable, and the `v` query changes whenever
//! the client is updated.

use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use crate::state::AppState;
use crate::store::clients::Client;

/// The client as the sign-in pages show it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Brand {
    pub name: String,
    pub logo_uri: Option<String>,
    pub client_uri: Option<String>,
    pub policy_uri: Option<String>,
    pub tos_uri: Option<String>,
    /// The client's stylesheet URL, when it has a colour.
    pub stylesheet: Option<String>,
}

impl Brand {
    pub fn of(client: &Client) -> Brand {
        Brand {
            name: client.name.clone(),
            logo_uri: client.meta.logo_uri.clone(),
            client_uri: client.meta.client_uri.clone(),
            policy_uri: client.meta.policy_uri.clone(),
            tos_uri: client.meta.tos_uri.clone(),
            stylesheet: client.meta.brand_color.as_ref().map(|_| {
                format!(
                    "/static/brand/{}/style.css?v={}",
                    url_path_segment(&client.id),
                    client.updated_at
                )
            }),
        }
    }

    /// Whether there is a privacy or terms link to show.
    pub fn has_legal_links(&self) -> bool {
        self.policy_uri.is_some() || self.tos_uri.is_some()
    }
}

fn url_path_segment(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// Parses `#rrggbb` (either case) into its normalised lower-case form.
pub fn parse_color(s: &str) -> Option<String> {
    let hex = s.strip_prefix('#')?;
    (hex.len() == 6 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| format!("#{}", hex.to_ascii_lowercase()))
}

fn channel(c: u8) -> f64 {
    let c = f64::from(c) / 255.0;
    if c <= 0.039_28 {
        c / 12.92
    } else {
        ((c + 0.055) / 1.055).powf(2.4)
    }
}

/// WCAG relative luminance of a `#rrggbb` colour.
fn luminance(color: &str) -> Option<f64> {
    let hex = color.strip_prefix('#')?;
    let byte = |i: usize| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok();
    Some(0.2126 * channel(byte(0)?) + 0.7152 * channel(byte(2)?) + 0.0722 * channel(byte(4)?))
}

/// The text colour for buttons on `accent`: white or black, whichever contrasts more.
pub fn on_accent(accent: &str) -> &'static str {
    let l = luminance(accent).unwrap_or(0.0);
    let white = 1.05 / (l + 0.05);
    let black = (l + 0.05) / 0.05;
    if white >= black {
        "#ffffff"
    } else {
        "#000000"
    }
}

/// The stylesheet of one client's colour.
pub fn stylesheet(color: &str) -> String {
    format!(
        "/* Sesame: this client's accent colour. */\n:root {{ --accent: {color}; --on-accent: {}; }}\n",
        on_accent(color)
    )
}

pub fn routes() -> Router<AppState> {
    Router::new().route("/static/brand/{client_id}/style.css", get(brand_css))
}

async fn brand_css(State(state): State<AppState>, Path(client_id): Path<String>) -> Response {
    if client_id.len() > 128 {
        return StatusCode::NOT_FOUND.into_response();
    }
    let color = match state.store.get_client(&client_id).await {
        Ok(Some(c)) => c.meta.brand_color.and_then(|c| parse_color(&c)),
        Ok(None) => None,
        Err(e) => {
            tracing::error!(error = %e, "database error");
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        }
    };
    let Some(color) = color else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let mut res = stylesheet(&color).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/css; charset=utf-8"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_are_validated_and_normalised() {
        assert_eq!(parse_color("#A1b2C3").as_deref(), Some("#a1b2c3"));
        for bad in [
            "a1b2c3", "#abc", "#abcdefg", "#ggggggg", "", "#12345", "red", "#12 456",
        ] {
            assert_eq!(parse_color(bad), None, "{bad}");
        }
    }

    #[test]
    fn button_text_contrasts_with_the_accent() {
        assert_eq!(on_accent("#ffffff"), "#000000");
        assert_eq!(on_accent("#ffe066"), "#000000");
        assert_eq!(on_accent("#000000"), "#ffffff");
        assert_eq!(on_accent("#3552c8"), "#ffffff");
        assert!(stylesheet("#3552c8").contains("--accent: #3552c8"));
    }
}
