//! Twilio's Programmable Messaging REST API.
//!
//! ```text
//! POST {base_url}/2010-04-01/Accounts/{AccountSid}/Messages.json
//! Authorization: Basic base64(AccountSid:AuthToken)   or   base64(ApiKeySid:ApiKeySecret)
//! Content-Type: application/x-www-form-urlencoded
//!
//! To=%2B16502530000&From=%2B15005550006&Body=123456+is+your+Sesame+code...
//!    (or MessagingServiceSid=MG... instead of From)
//! ```
//!
//! Success is `201 Created` with the message resource (`sid`, `status`). An error is a
//! 4xx/5xx with `{"code": 21211, "message": "...", "more_info": "...", "status": 400}`.

use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use super::{read_error_body, transport_error, SmsError};
use crate::config::TwilioConfig;

pub const NAME: &str = "twilio";

enum Sender {
    From(String),
    Service(String),
}

pub struct TwilioSender {
    http: reqwest::Client,
    url: String,
    user: String,
    password: SecretString,
    sender: Sender,
    timeout: Duration,
}

#[derive(Deserialize)]
struct TwilioError {
    code: Option<serde_json::Value>,
    message: Option<String>,
}

#[derive(Deserialize)]
struct TwilioMessage {
    sid: Option<String>,
    status: Option<String>,
}

impl TwilioSender {
    pub(super) fn new(
        cfg: &TwilioConfig,
        http: reqwest::Client,
        timeout: Duration,
    ) -> TwilioSender {
        let sid = cfg.account_sid.trim().to_owned();
        let url = format!(
            "{}/2010-04-01/Accounts/{}/Messages.json",
            cfg.base_url.trim_end_matches('/'),
            sid
        );
        let (user, password) = match (&cfg.auth_token, &cfg.api_key_sid, &cfg.api_key_secret) {
            (Some(token), _, _) => (sid, token.clone()),
            (None, Some(key), Some(secret)) => (key.trim().to_owned(), secret.clone()),
            // Refused by the configuration check; an empty password fails at Twilio.
            _ => (sid, SecretString::from(String::new())),
        };
        let sender = match (&cfg.from, &cfg.messaging_service_sid) {
            (_, Some(mg)) if !mg.trim().is_empty() => Sender::Service(mg.trim().to_owned()),
            (Some(from), _) => Sender::From(from.trim().to_owned()),
            _ => Sender::From(String::new()),
        };
        TwilioSender {
            http,
            url,
            user,
            password,
            sender,
            timeout,
        }
    }

    pub(super) async fn send(&self, to: &str, body: &str) -> Result<(), SmsError> {
        let (sender_field, sender_value) = match &self.sender {
            Sender::From(f) => ("From", f.as_str()),
            Sender::Service(s) => ("MessagingServiceSid", s.as_str()),
        };
        let form = [("To", to), (sender_field, sender_value), ("Body", body)];
        let res = self
            .http
            .post(&self.url)
            .basic_auth(&self.user, Some(self.password.expose_secret()))
            .header(reqwest::header::ACCEPT, "application/json")
            .form(&form)
            .send()
            .await
            .map_err(|e| transport_error(NAME, e, self.timeout))?;
        let status = res.status();
        if status.is_success() {
            let text = res.text().await.unwrap_or_default();
            let msg: Option<TwilioMessage> = serde_json::from_str(&text).ok();
            tracing::debug!(
                provider = NAME,
                http_status = status.as_u16(),
                message_sid = msg.as_ref().and_then(|m| m.sid.as_deref()),
                message_status = msg.as_ref().and_then(|m| m.status.as_deref()),
                "twilio accepted the message"
            );
            return Ok(());
        }
        let text = read_error_body(res).await;
        let err: Option<TwilioError> = serde_json::from_str(&text).ok();
        let code = err.as_ref().and_then(|e| match &e.code {
            Some(serde_json::Value::Number(n)) => Some(n.to_string()),
            Some(serde_json::Value::String(s)) => Some(s.clone()),
            _ => None,
        });
        let detail = err.and_then(|e| e.message).unwrap_or_default();
        Err(SmsError::Rejected {
            provider: NAME,
            status: status.as_u16(),
            code,
            detail,
        })
    }
}
