//! The HTTP conversations of each scenario, written as a relying party and a browser would
//! have them, over one shared keep-alive client (cookies are carried by hand so that many
//! simulated browsers can share the connection pool).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use reqwest::{Client, Response, StatusCode};
use serde_json::Value;

use crate::sink::Sink;

pub const REDIRECT_URI: &str = "http://127.0.0.1:9/cb";

#[derive(Clone)]
pub struct Ctx {
    pub http: Client,
    pub base: String,
    pub sink: Sink,
    pub client_id: String,
    pub client_secret: String,
    /// Endpoints from discovery (None when not advertised).
    pub token_endpoint: String,
    pub userinfo_endpoint: String,
    pub introspection_endpoint: Option<String>,
    pub grant_types: Vec<String>,
    pub scopes: Vec<String>,
    pub counter: Arc<AtomicU64>,
}

pub type FlowResult<T> = Result<T, String>;

fn cookie_from(res: &Response) -> Option<String> {
    res.headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("sesame_session=") || v.starts_with("__Host-sesame="))
        .and_then(|v| v.split(';').next())
        .map(str::to_string)
}

fn location(res: &Response) -> FlowResult<String> {
    res.headers()
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .ok_or_else(|| format!("expected a redirect, got {}", res.status()))
}

fn hidden(html: &str, name: &str) -> FlowResult<String> {
    let needle = format!("name=\"{name}\" value=\"");
    let start = html.find(&needle).ok_or(format!("no {name} field"))? + needle.len();
    let end = html[start..].find('"').ok_or("unterminated")? + start;
    Ok(html[start..end].to_string())
}

fn param(url: &str, name: &str) -> Option<String> {
    url::Url::parse(url)
        .ok()?
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

fn expect(res: &Response, status: StatusCode, step: &str) -> FlowResult<()> {
    if res.status() == status {
        Ok(())
    } else {
        Err(format!("{step}: expected {status}, got {}", res.status()))
    }
}

/// What a finished sign-in leaves: its tokens.
pub struct Tokens {
    pub access_token: String,
    pub refresh_token: Option<String>,
}

impl Ctx {
    fn next_email(&self) -> String {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        format!("user{n}-{}@bench.test", std::process::id())
    }

    /// Authorize → pages → code by email → verify; returns (code, verifier).
    pub async fn sign_in_to_code(&self, scope: &str) -> FlowResult<(String, String)> {
        let verifier = sesame::crypto::random_token(32).map_err(|e| e.to_string())?;
        let challenge = sesame::crypto::pkce_s256(&verifier);
        let url = format!(
            "{}/authorize?response_type=code&client_id={}&redirect_uri={}&scope={}&state=s&nonce=n&code_challenge={challenge}&code_challenge_method=S256",
            self.base,
            self.client_id,
            urlenc(REDIRECT_URI),
            urlenc(scope)
        );
        let res = self
            .http
            .get(&url)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        expect(&res, StatusCode::SEE_OTHER, "authorize")?;
        let cookie = cookie_from(&res).ok_or("no session cookie")?;
        let login = format!("{}{}", self.base, location(&res)?);
        let res = self
            .http
            .get(&login)
            .header(COOKIE, &cookie)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        expect(&res, StatusCode::OK, "login page")?;
        let html = res.text().await.map_err(|e| e.to_string())?;
        let tx = hidden(&html, "tx")?;
        let csrf = hidden(&html, "csrf")?;
        let email = self.next_email();
        let code_rx = self.sink.expect(&email);
        let res = self
            .http
            .post(format!("{}/login", self.base))
            .header(COOKIE, &cookie)
            .form(&[("tx", tx.as_str()), ("csrf", &csrf), ("identifier", &email)])
            .send()
            .await
            .map_err(|e| e.to_string())?;
        expect(&res, StatusCode::SEE_OTHER, "submit address")?;
        let code = tokio::time::timeout(Duration::from_secs(20), code_rx)
            .await
            .map_err(|_| "no email within 20 s".to_string())?
            .map_err(|_| "sink dropped".to_string())?;
        let res = self
            .http
            .post(format!("{}/login/verify", self.base))
            .header(COOKIE, &cookie)
            .form(&[("tx", tx.as_str()), ("csrf", &csrf), ("code", &code)])
            .send()
            .await
            .map_err(|e| e.to_string())?;
        expect(&res, StatusCode::SEE_OTHER, "verify code")?;
        let back = location(&res)?;
        let code = param(&back, "code").ok_or_else(|| format!("no code in {back}"))?;
        Ok((code, verifier))
    }

    pub async fn exchange(&self, code: &str, verifier: &str) -> FlowResult<Tokens> {
        let res = self
            .http
            .post(&self.token_endpoint)
            .basic_auth(&self.client_id, Some(&self.client_secret))
            .form(&[
                ("grant_type", "authorization_code"),
                ("code", code),
                ("redirect_uri", REDIRECT_URI),
                ("code_verifier", verifier),
            ])
            .send()
            .await
            .map_err(|e| e.to_string())?;
        token_json(res, "code exchange").await
    }

    pub async fn userinfo(&self, access_token: &str) -> FlowResult<()> {
        let res = self
            .http
            .get(&self.userinfo_endpoint)
            .bearer_auth(access_token)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        expect(&res, StatusCode::OK, "userinfo")?;
        res.bytes().await.map_err(|e| e.to_string())?;
        Ok(())
    }

    /// The whole passwordless sign-in of one person, as one unit of work.
    pub async fn full_login(&self) -> FlowResult<Tokens> {
        let (code, verifier) = self.sign_in_to_code("openid email").await?;
        let tokens = self.exchange(&code, &verifier).await?;
        self.userinfo(&tokens.access_token).await?;
        Ok(tokens)
    }

    pub async fn refresh(&self, refresh_token: &str) -> FlowResult<Tokens> {
        let res = self
            .http
            .post(&self.token_endpoint)
            .basic_auth(&self.client_id, Some(&self.client_secret))
            .form(&[
                ("grant_type", "refresh_token"),
                ("refresh_token", refresh_token),
            ])
            .send()
            .await
            .map_err(|e| e.to_string())?;
        token_json(res, "refresh").await
    }

    pub async fn client_credentials(&self) -> FlowResult<Tokens> {
        let res = self
            .http
            .post(&self.token_endpoint)
            .basic_auth(&self.client_id, Some(&self.client_secret))
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .map_err(|e| e.to_string())?;
        token_json(res, "client credentials").await
    }

    pub async fn introspect(&self, token: &str) -> FlowResult<()> {
        let endpoint = self
            .introspection_endpoint
            .as_deref()
            .ok_or("no introspection endpoint")?;
        let res = self
            .http
            .post(endpoint)
            .basic_auth(&self.client_id, Some(&self.client_secret))
            .form(&[("token", token)])
            .send()
            .await
            .map_err(|e| e.to_string())?;
        expect(&res, StatusCode::OK, "introspection")?;
        let v: Value = res.json().await.map_err(|e| e.to_string())?;
        if v["active"] != Value::Bool(true) {
            return Err("introspection says inactive".into());
        }
        Ok(())
    }

    pub async fn get_ok(&self, path: &str) -> FlowResult<()> {
        let res = self
            .http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .map_err(|e| e.to_string())?;
        expect(&res, StatusCode::OK, path)?;
        res.bytes().await.map_err(|e| e.to_string())?;
        Ok(())
    }
}

async fn token_json(res: Response, step: &str) -> FlowResult<Tokens> {
    let status = res.status();
    let v: Value = res.json().await.map_err(|e| e.to_string())?;
    if status != StatusCode::OK {
        return Err(format!("{step}: {status} {v}"));
    }
    Ok(Tokens {
        access_token: v["access_token"]
            .as_str()
            .ok_or("no access_token")?
            .to_string(),
        refresh_token: v["refresh_token"].as_str().map(str::to_string),
    })
}

pub fn urlenc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
