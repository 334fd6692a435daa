//! A generic, signed HTTPS webhook for any SMS provider.
//!
//! ```text
//! POST {url}
//! Content-Type: application/json
//! X-Sesame-Signature: t=1718000000,v1=<hex HMAC-SHA256(secret, "1718000000." + body)>
//!
//! {"to":"+16502530000","body":"123456 is your Sesame code\n\n@id.example.com #123456"}
//! ```
//!
//! Any 2xx answer means the message was accepted. Anything else is a failure; a JSON
//! answer's `code` (or `error`) and `message` are logged, scrubbed of the code and number.
//! Receivers check the signature in constant time and refuse a `t` more than a few
//! minutes from their clock (docs/sms.md shows how).

use std::time::Duration;

use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;

use super::{read_error_body, transport_error, SmsError};
use crate::config::WebhookConfig;
use crate::delivery::DeliveryError;

pub const NAME: &str = "webhook";
pub const SIGNATURE_HEADER: &str = "x-sesame-signature";

pub struct WebhookSender {
    http: reqwest::Client,
    url: String,
    secret: SecretString,
    timeout: Duration,
}

/// `t=<unix>,v1=<hex HMAC-SHA256(secret, "<unix>." + body)>`.
pub fn signature_header(secret: &[u8], t: i64, body: &[u8]) -> String {
    format!("t={t},v1={}", hex(&sign(secret, t, body)))
}

fn sign(secret: &[u8], t: i64, body: &[u8]) -> Vec<u8> {
    // HMAC takes a key of any length; new_from_slice cannot fail for it.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret) else {
        return Vec::new();
    };
    mac.update(t.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac.finalize().into_bytes().to_vec()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl WebhookSender {
    pub(super) fn new(
        cfg: &WebhookConfig,
        http: reqwest::Client,
        timeout: Duration,
    ) -> Result<WebhookSender, DeliveryError> {
        let secret = cfg
            .secret
            .clone()
            .filter(|s| !s.expose_secret().is_empty())
            .ok_or_else(|| DeliveryError::Config("sms.webhook.secret is required".into()))?;
        Ok(WebhookSender {
            http,
            url: cfg.url.trim().to_owned(),
            secret,
            timeout,
        })
    }

    pub(super) async fn send(&self, to: &str, body: &str, now: i64) -> Result<(), SmsError> {
        let payload =
            serde_json::to_vec(&serde_json::json!({ "to": to, "body": body })).map_err(|e| {
                SmsError::Transport {
                    provider: NAME,
                    detail: format!("could not encode the message: {e}"),
                }
            })?;
        let signature = signature_header(self.secret.expose_secret().as_bytes(), now, &payload);
        let res = self
            .http
            .post(&self.url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(SIGNATURE_HEADER, signature)
            .body(payload)
            .send()
            .await
            .map_err(|e| transport_error(NAME, e, self.timeout))?;
        let status = res.status();
        if status.is_success() {
            return Ok(());
        }
        let text = read_error_body(res).await;
        let json: Option<serde_json::Value> = serde_json::from_str(&text).ok();
        let field = |names: &[&str]| {
            json.as_ref().and_then(|j| {
                names.iter().find_map(|n| match j.get(*n) {
                    Some(serde_json::Value::String(s)) => Some(s.clone()),
                    Some(serde_json::Value::Number(n)) => Some(n.to_string()),
                    _ => None,
                })
            })
        };
        Err(SmsError::Rejected {
            provider: NAME,
            status: status.as_u16(),
            code: field(&["code", "error"]),
            detail: field(&["message", "error_description"]).unwrap_or_default(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_hmac_sha256_of_timestamp_dot_body_in_hex() {
        // RFC 4231-style check against an independent computation of the same HMAC.
        let h = signature_header(b"key", 1_700_000_000, b"{\"a\":1}");
        let mut mac = Hmac::<Sha256>::new_from_slice(b"key").unwrap();
        mac.update(b"1700000000.{\"a\":1}");
        let want = hex(&mac.finalize().into_bytes());
        assert_eq!(h, format!("t=1700000000,v1={want}"));
        assert_eq!(want.len(), 64);
        // The well-known HMAC-SHA256("key", "The quick brown fox jumps over the lazy dog").
        let mut mac = Hmac::<Sha256>::new_from_slice(b"key").unwrap();
        mac.update(b"The quick brown fox jumps over the lazy dog");
        assert_eq!(
            hex(&mac.finalize().into_bytes()),
            "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"
        );
    }
}
