//! A relying party built on the `openidconnect` crate, run against a live Sesame.
//!
//! It does what an application would, over HTTP only: discovery, an authorization URL with
//! PKCE S256 + state + nonce, the person's part of the sign-in (a cookie-keeping HTTP client
//! posting the hosted forms, with the one-time code fetched from the test harness's mailbox,
//! which read it from the real email), the code exchange, ID token validation (signature
//! against the JWKS, iss, aud, exp, nonce, at_hash when present), userinfo, the refresh
//! grant when the server advertises it, and the checks that a reused code and tampered ID
//! tokens are refused.
//!
//! Usage:
//!   sesame-rust-rp --issuer URL --client-id ID [--client-secret S] [--auth basic|post]
//!                  --redirect-uri URL --email ADDRESS --mailbox URL
//!
//! Prints one JSON object on stdout: `{"ok": true, ...}` with what it saw, or
//! `{"ok": false, "error": "..."}` (exit status 1). Progress goes to stderr.

use std::collections::HashMap;
use std::error::Error;
use std::fmt::Display;
use std::process::ExitCode;
use std::str::FromStr;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreErrorResponseType, CoreGrantType, CoreIdToken,
    CoreIdTokenClaims, CoreProviderMetadata, CoreUserInfoClaims,
};
use openidconnect::{
    AccessToken, AccessTokenHash, AuthType, AuthorizationCode, ClientId, ClientSecret, CsrfToken,
    IssuerUrl, Nonce, OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl,
    RequestTokenError, Scope, SubjectIdentifier, TokenResponse,
};
use serde_json::{json, Value};

struct Args {
    issuer: String,
    client_id: String,
    client_secret: Option<String>,
    auth: String,
    redirect_uri: String,
    email: String,
    mailbox: String,
}

fn parse_args() -> Result<Args, String> {
    let mut map: HashMap<String, String> = HashMap::new();
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let Some(name) = flag.strip_prefix("--") else {
            return Err(format!("unexpected argument `{flag}`"));
        };
        let value = it.next().ok_or_else(|| format!("--{name} needs a value"))?;
        if map.insert(name.to_string(), value).is_some() {
            return Err(format!("--{name} given twice"));
        }
    }
    let mut take = |k: &str| map.remove(k);
    let need = |v: Option<String>, k: &str| v.ok_or_else(|| format!("--{k} is required"));
    let args = Args {
        issuer: need(take("issuer"), "issuer")?,
        client_id: need(take("client-id"), "client-id")?,
        client_secret: take("client-secret"),
        auth: take("auth").unwrap_or_else(|| "basic".into()),
        redirect_uri: need(take("redirect-uri"), "redirect-uri")?,
        email: need(take("email"), "email")?,
        mailbox: need(take("mailbox"), "mailbox")?,
    };
    if let Some(k) = map.keys().next() {
        return Err(format!("unknown option --{k}"));
    }
    if !matches!(args.auth.as_str(), "basic" | "post") {
        return Err("--auth must be basic or post".into());
    }
    Ok(args)
}

/// An error with its whole chain of causes, on one line.
fn chain(e: &dyn Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        s.push_str(": ");
        s.push_str(&c.to_string());
        cur = c.source();
    }
    s
}

fn ctx<E: Error>(what: &'static str) -> impl FnOnce(E) -> String {
    move |e| format!("{what}: {}", chain(&e))
}

fn ctx_display<E: Display>(what: &'static str) -> impl FnOnce(E) -> String {
    move |e| format!("{what}: {e}")
}

fn progress(msg: &str) {
    eprintln!("rust-rp: {msg}");
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("sesame-rust-rp: {e}");
            return ExitCode::from(2);
        }
    };
    match run(&args).await {
        Ok(report) => {
            println!("{report}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            println!("{}", json!({ "ok": false, "error": e }));
            eprintln!("rust-rp: FAILED: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(a: &Args) -> Result<Value, String> {
    // openidconnect requires an HTTP client that does not follow redirects (SSRF safety).
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(ctx("HTTP client"))?;

    let issuer = IssuerUrl::new(a.issuer.clone()).map_err(ctx("issuer URL"))?;
    let meta = CoreProviderMetadata::discover_async(issuer, &http)
        .await
        .map_err(ctx("discovery"))?;
    progress("discovery ok");
    let refresh_advertised = meta
        .grant_types_supported()
        .is_some_and(|g| g.contains(&CoreGrantType::RefreshToken));
    let offline_advertised = meta
        .scopes_supported()
        .is_some_and(|s| s.iter().any(|s| s.as_str() == "offline_access"));

    let client = CoreClient::from_provider_metadata(
        meta,
        ClientId::new(a.client_id.clone()),
        a.client_secret.clone().map(ClientSecret::new),
    )
    .set_redirect_uri(RedirectUrl::new(a.redirect_uri.clone()).map_err(ctx("redirect URI"))?)
    .set_auth_type(if a.auth == "post" {
        AuthType::RequestBody
    } else {
        AuthType::BasicAuth
    });

    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let verifier_secret = verifier.secret().clone();
    let mut auth = client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scope(Scope::new("email".into()))
        .set_pkce_challenge(challenge);
    if refresh_advertised && offline_advertised {
        auth = auth.add_scope(Scope::new("offline_access".into()));
    }
    let (auth_url, state, nonce) = auth.url();
    if !auth_url
        .query_pairs()
        .any(|(k, v)| k == "code_challenge_method" && v == "S256")
    {
        return Err("the authorization URL does not use PKCE S256".into());
    }

    let callback = sign_in(a, auth_url.as_str()).await?;
    progress("signed in; back at the redirect URI");
    let cb = url::Url::parse(&callback).map_err(ctx("callback URL"))?;
    let base = format!("{}{}", cb.origin().ascii_serialization(), cb.path());
    if base != a.redirect_uri {
        return Err(format!(
            "redirected to {base}, not the registered {}",
            a.redirect_uri
        ));
    }
    let q: HashMap<String, String> = cb.query_pairs().into_owned().collect();
    if let Some(err) = q.get("error") {
        return Err(format!("authorization error in the callback: {err}"));
    }
    if q.get("state") != Some(state.secret()) {
        return Err("the state in the callback does not match".into());
    }
    // RFC 9207: the server advertises authorization_response_iss_parameter_supported.
    if q.get("iss") != Some(&a.issuer) {
        return Err(format!(
            "the iss in the callback is {:?}, not the issuer",
            q.get("iss")
        ));
    }
    let code = q.get("code").cloned().ok_or("no code in the callback")?;

    let token = client
        .exchange_code(AuthorizationCode::new(code.clone()))
        .map_err(ctx("token endpoint"))?
        .set_pkce_verifier(verifier)
        .request_async(&http)
        .await
        .map_err(ctx("code exchange"))?;
    progress("code exchanged");
    let id_token = token
        .id_token()
        .ok_or("no id_token in the token response")?;
    let id_verifier = client.id_token_verifier();
    let claims: CoreIdTokenClaims = id_token
        .claims(&id_verifier, &nonce)
        .map_err(ctx("ID token rejected"))?
        .clone();
    let at_hash_checked = if let Some(expected) = claims.access_token_hash() {
        let alg = id_token.signing_alg().map_err(ctx("ID token alg"))?;
        let key = id_token
            .signing_key(&id_verifier)
            .map_err(ctx("ID token key"))?;
        let actual =
            AccessTokenHash::from_token(token.access_token(), alg, key).map_err(ctx("at_hash"))?;
        if actual != *expected {
            return Err("at_hash does not match the access token".into());
        }
        true
    } else {
        false
    };
    let email_claim = claims.email().map(|e| e.as_str().to_string());
    if email_claim.as_deref() != Some(a.email.to_lowercase().as_str()) {
        return Err(format!(
            "ID token email is {email_claim:?}, expected {}",
            a.email
        ));
    }
    progress("ID token valid (signature via JWKS, iss, aud, exp, nonce)");

    let subject = claims.subject().clone();
    let userinfo = fetch_userinfo(&client, &http, token.access_token(), &subject)
        .await
        .map_err(|e| format!("userinfo: {e}"))?;
    if userinfo.email().map(|e| e.as_str()) != email_claim.as_deref() {
        return Err("userinfo email differs from the ID token's".into());
    }
    progress("userinfo ok");

    // Refresh, only where the server says it supports it.
    let refresh = if !refresh_advertised {
        eprintln!();
        eprintln!("rust-rp: ******** refresh: not advertised by this server, skipped ********");
        eprintln!();
        json!({ "advertised": false, "skipped": true })
    } else {
        let rt = token
            .refresh_token()
            .ok_or("the server advertises refresh_token but issued no refresh token")?;
        let t2 = client
            .exchange_refresh_token(rt)
            .map_err(ctx("token endpoint"))?
            .request_async(&http)
            .await
            .map_err(ctx("refresh grant"))?;
        let ui2 = fetch_userinfo(&client, &http, t2.access_token(), &subject)
            .await
            .map_err(|e| format!("userinfo with the refreshed access token: {e}"))?;
        if ui2.subject() != &subject {
            return Err("refreshed access token is for another subject".into());
        }
        let refreshed_id_token = match t2.id_token() {
            None => false,
            Some(idt) => {
                // A refreshed ID token carries no new nonce (OIDC Core 12.2).
                let c2 = idt
                    .claims(&id_verifier, |_: Option<&Nonce>| Ok(()))
                    .map_err(ctx("refreshed ID token rejected"))?;
                if c2.subject() != &subject {
                    return Err("refreshed ID token has another sub".into());
                }
                true
            }
        };
        progress("refresh ok");
        json!({
            "advertised": true,
            "skipped": false,
            "new_access_token_works": true,
            "id_token_in_refresh_response": refreshed_id_token,
            "rotated": t2.refresh_token().is_some_and(|n| n.secret() != rt.secret()),
        })
    };

    // The same code a second time: refused, and what it issued is revoked (RFC 6749 4.1.2).
    let reuse = client
        .exchange_code(AuthorizationCode::new(code))
        .map_err(ctx("token endpoint"))?
        .set_pkce_verifier(PkceCodeVerifier::new(verifier_secret))
        .request_async(&http)
        .await;
    let reuse_error = match reuse {
        Ok(_) => return Err("a reused authorization code was accepted".into()),
        Err(RequestTokenError::ServerResponse(r)) => {
            if *r.error() != CoreErrorResponseType::InvalidGrant {
                return Err(format!(
                    "code reuse answered {:?}, not invalid_grant",
                    r.error()
                ));
            }
            "invalid_grant".to_string()
        }
        Err(other) => return Err(format!("code reuse: unexpected failure: {}", chain(&other))),
    };
    let revoked_after_reuse = fetch_userinfo(&client, &http, token.access_token(), &subject)
        .await
        .is_err();
    if !revoked_after_reuse {
        return Err("the access token still works after its code was reused".into());
    }
    progress("code reuse refused; its access token revoked");

    // Tampered ID tokens. A changed aud must fail the audience check even with the
    // signature check switched off; a changed email (aud, iss, nonce intact) can only be
    // caught by the signature check.
    let raw = id_token.to_string();
    let wrong_aud = tamper(&raw, |p| p["aud"] = json!("someone-else"))?;
    let wrong_aud_error = match CoreIdToken::from_str(&wrong_aud)
        .map_err(ctx("parse tampered token"))?
        .claims(
            &client
                .id_token_verifier()
                .insecure_disable_signature_check(),
            &nonce,
        ) {
        Ok(_) => return Err("an ID token with a wrong aud was accepted".into()),
        Err(e) => chain(&e),
    };
    let changed_email = tamper(&raw, |p| p["email"] = json!("mallory@example.com"))?;
    let changed_email_error = match CoreIdToken::from_str(&changed_email)
        .map_err(ctx("parse tampered token"))?
        .claims(&id_verifier, &nonce)
    {
        Ok(_) => {
            return Err("an ID token with a changed payload passed the signature check".into())
        }
        Err(e) => chain(&e),
    };
    // Control: the untouched token still passes the same verifier, so the failures above
    // come from the tampering.
    CoreIdToken::from_str(&raw)
        .map_err(ctx("parse ID token"))?
        .claims(&id_verifier, &nonce)
        .map_err(ctx("control: the untouched ID token"))?;
    progress("tampered ID tokens refused");

    let claims_json = serde_json::to_value(&claims).map_err(ctx("claims to JSON"))?;
    let userinfo_json = serde_json::to_value(&userinfo).map_err(ctx("userinfo to JSON"))?;
    Ok(json!({
        "ok": true,
        "library": "openidconnect (Rust)",
        "auth": if a.client_secret.is_some() { a.auth.as_str() } else { "none" },
        "id_token_alg": format!("{:?}", id_token.signing_alg().map_err(ctx("alg"))?),
        "id_token_claims": claims_json,
        "at_hash_checked": at_hash_checked,
        "userinfo": userinfo_json,
        "refresh": refresh,
        "code_reuse": { "rejected": true, "error": reuse_error, "access_token_revoked": revoked_after_reuse },
        "tampered": { "wrong_aud_rejected": wrong_aud_error, "changed_payload_rejected": changed_email_error },
    }))
}

type Rp = CoreClient<
    openidconnect::EndpointSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointMaybeSet,
    openidconnect::EndpointMaybeSet,
>;

async fn fetch_userinfo(
    client: &Rp,
    http: &reqwest::Client,
    access_token: &AccessToken,
    subject: &SubjectIdentifier,
) -> Result<CoreUserInfoClaims, String> {
    client
        .user_info(access_token.clone(), Some(subject.clone()))
        .map_err(ctx("userinfo endpoint"))?
        .request_async(http)
        .await
        .map_err(ctx("userinfo request"))
}

/// Re-encodes a JWT's payload after `edit`, keeping the original header and signature.
fn tamper(jwt: &str, edit: impl FnOnce(&mut Value)) -> Result<String, String> {
    let parts: Vec<&str> = jwt.split('.').collect();
    if parts.len() != 3 {
        return Err("the ID token is not a compact JWS".into());
    }
    let bytes = URL_SAFE_NO_PAD
        .decode(parts[1])
        .map_err(ctx_display("payload base64"))?;
    let mut payload: Value = serde_json::from_slice(&bytes).map_err(ctx("payload JSON"))?;
    edit(&mut payload);
    let encoded = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&payload).map_err(ctx("payload"))?);
    Ok(format!("{}.{}.{}", parts[0], encoded, parts[2]))
}

/// The person's part: authorize -> login page -> address -> code from the mailbox -> code.
/// Returns the URL Sesame sends the browser back to.
async fn sign_in(a: &Args, auth_url: &str) -> Result<String, String> {
    let browser = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(ctx("browser client"))?;
    let base = url::Url::parse(&a.issuer).map_err(ctx("issuer"))?;

    let res = browser
        .get(auth_url)
        .send()
        .await
        .map_err(ctx("authorize"))?;
    let login = location(&res, &base, "authorize")?;
    let html = browser
        .get(&login)
        .send()
        .await
        .map_err(ctx("login page"))?
        .text()
        .await
        .map_err(ctx("login page"))?;
    let tx = hidden(&html, "tx")?;
    let csrf = hidden(&html, "csrf")?;

    let res = browser
        .post(base.join("/login").map_err(ctx("url"))?)
        .form(&[("tx", &tx), ("csrf", &csrf), ("identifier", &a.email)])
        .send()
        .await
        .map_err(ctx("submit address"))?;
    location(&res, &base, "submit address")?;

    let mut mailbox = url::Url::parse(&a.mailbox).map_err(ctx("mailbox URL"))?;
    mailbox.set_path("/code");
    mailbox.query_pairs_mut().append_pair("to", &a.email);
    let res = reqwest::get(mailbox).await.map_err(ctx("mailbox"))?;
    if !res.status().is_success() {
        return Err(format!("mailbox: {}", res.text().await.unwrap_or_default()));
    }
    let code = res.text().await.map_err(ctx("mailbox"))?;

    let res = browser
        .post(base.join("/login/verify").map_err(ctx("url"))?)
        .form(&[("tx", &tx), ("csrf", &csrf), ("code", &code)])
        .send()
        .await
        .map_err(ctx("submit code"))?;
    location(&res, &base, "submit code")
}

fn location(res: &reqwest::Response, base: &url::Url, step: &str) -> Result<String, String> {
    if !res.status().is_redirection() {
        return Err(format!("{step}: expected a redirect, got {}", res.status()));
    }
    let loc = res
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| format!("{step}: redirect without Location"))?;
    base.join(loc)
        .map(|u| u.to_string())
        .map_err(|e| format!("{step}: bad Location {loc}: {e}"))
}

fn hidden(html: &str, name: &str) -> Result<String, String> {
    let marker = format!("<input type=\"hidden\" name=\"{name}\" value=\"");
    let start = html
        .find(&marker)
        .ok_or_else(|| format!("no hidden field {name} on the login page"))?
        + marker.len();
    let end = html[start..]
        .find('"')
        .ok_or_else(|| format!("unterminated hidden field {name}"))?;
    Ok(html[start..start + end].to_string())
}
