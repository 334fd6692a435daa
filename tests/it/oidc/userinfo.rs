//! Tokens and userinfo (issue 2, point 12): the ID token per client in RS256 or ES256,
//! checked here with josekit against the published JWKS; the access token as an RFC 9068
//! JWT; `/userinfo` by GET and POST with RFC 6750 errors.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use josekit::jwk::Jwk;
use josekit::jws::{ES256, RS256};
use reqwest::header::{CACHE_CONTROL, WWW_AUTHENTICATE};
use reqwest::{Response, StatusCode};

use crate::support::*;

fn http() -> reqwest::Client {
    reqwest::Client::new()
}

async fn get_userinfo(app: &TestApp, token: &str) -> Response {
    http()
        .get(app.url("/userinfo"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

/// Asserts a 401 `invalid_token` with its `WWW-Authenticate: Bearer` challenge.
async fn expect_invalid_token(res: Response) {
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let challenge = res.headers()[WWW_AUTHENTICATE]
        .to_str()
        .unwrap()
        .to_string();
    assert!(challenge.starts_with("Bearer realm="), "{challenge}");
    assert!(
        challenge.contains(r#"error="invalid_token""#),
        "{challenge}"
    );
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["error"], "invalid_token");
}

/// Verifies a compact JWS against the server's JWKS with josekit; returns its claims.
async fn verify_with_jwks(app: &TestApp, jwt: &str, alg: &str) -> serde_json::Value {
    let jwks: serde_json::Value = http()
        .get(app.url("/jwks"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let header = jwt_header(jwt);
    assert_eq!(header["alg"], alg);
    let kid = header["kid"].as_str().expect("a kid");
    let key = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kid"] == kid)
        .unwrap_or_else(|| panic!("kid {kid} is published"));
    assert_eq!(key["alg"], alg);
    let jwk = Jwk::from_bytes(key.to_string().as_bytes()).unwrap();
    let (payload, _) = match alg {
        "ES256" => josekit::jws::deserialize_compact(jwt, &ES256.verifier_from_jwk(&jwk).unwrap()),
        _ => josekit::jws::deserialize_compact(jwt, &RS256.verifier_from_jwk(&jwk).unwrap()),
    }
    .expect("the signature verifies with the published key");
    serde_json::from_slice(&payload).unwrap()
}

async fn id_token_checks(alg: &str) {
    let app = TestApp::spawn().await;
    let client = client_from(&app, client_spec("Alg", false, true, alg)).await;
    let (tokens, nonce) = app
        .tokens_with_nonce(&client, "alg@example.com", "openid email")
        .await;
    let id_token = tokens["id_token"].as_str().unwrap();
    let access = tokens["access_token"].as_str().unwrap();
    assert_eq!(jwt_header(id_token)["typ"], "JWT");
    let c = verify_with_jwks(&app, id_token, alg).await;
    assert_eq!(c["iss"], app.base);
    assert_eq!(c["aud"], client.id);
    assert_eq!(c["azp"], client.id);
    assert_eq!(c["nonce"], nonce);
    assert_eq!(c["amr"], serde_json::json!(["otp"]));
    assert_eq!(c["email"], "alg@example.com");
    assert_eq!(c["email_verified"], true);
    let (iat, exp, auth_time) = (
        c["iat"].as_i64().unwrap(),
        c["exp"].as_i64().unwrap(),
        c["auth_time"].as_i64().unwrap(),
    );
    let now = app.state.now();
    assert!(exp > now && iat <= now + 1 && auth_time <= iat, "{c}");
    let sub = c["sub"].as_str().unwrap();
    assert!(!sub.contains('@'), "sub is never the email: {sub}");
    assert_eq!(c["at_hash"], sesame::tokens::at_hash(access));
    // The same key verifies the claims the RP will call userinfo for.
    let info: serde_json::Value = get_userinfo(&app, access).await.json().await.unwrap();
    assert_eq!(info["sub"], sub);
}

#[tokio::test]
async fn es256_id_token_validates_against_the_jwks() {
    id_token_checks("ES256").await;
}

#[tokio::test]
async fn rs256_id_token_validates_against_the_jwks() {
    id_token_checks("RS256").await;
}

#[tokio::test]
async fn access_token_is_an_rfc9068_jwt() {
    let app = TestApp::spawn().await;
    let client = app.confidential_client().await;
    let tokens = app.tokens_for(&client, "at@example.com").await;
    let at = tokens["access_token"].as_str().unwrap();
    assert_eq!(jwt_header(at)["typ"], "at+jwt");
    let c = verify_with_jwks(&app, at, "RS256").await;
    assert_eq!(c["iss"], app.base);
    assert_eq!(c["client_id"], client.id);
    assert_eq!(c["scope"], "openid email");
    assert!(c["aud"].is_string());
    assert!(c["sub"].is_string() && c["jti"].is_string());
    let lifetime = c["exp"].as_i64().unwrap() - c["iat"].as_i64().unwrap();
    assert!(lifetime > 0 && lifetime <= 3600, "short-lived: {lifetime}");
    assert_eq!(tokens["expires_in"].as_i64().unwrap(), lifetime);
    let again = app.tokens_for(&client, "at@example.com").await;
    assert_ne!(
        jwt_claims(again["access_token"].as_str().unwrap())["jti"],
        c["jti"],
        "a fresh jti each time"
    );
}

#[tokio::test]
async fn userinfo_answers_get_and_post_with_a_header_and_post_with_a_form_body() {
    let app = TestApp::spawn().await;
    let client = app.confidential_client().await;
    let tokens = app.tokens_for(&client, "ui@example.com").await;
    let at = tokens["access_token"].as_str().unwrap();
    let sub = jwt_claims(tokens["id_token"].as_str().unwrap())["sub"].clone();
    let answers = [
        get_userinfo(&app, at).await,
        http()
            .post(app.url("/userinfo"))
            .bearer_auth(at)
            .send()
            .await
            .unwrap(),
        http()
            .post(app.url("/userinfo"))
            .form(&[("access_token", at)])
            .send()
            .await
            .unwrap(),
        // The scheme name is case-insensitive (RFC 7235 2.1).
        http()
            .get(app.url("/userinfo"))
            .header("Authorization", format!("bearer {at}"))
            .send()
            .await
            .unwrap(),
    ];
    for res in answers {
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.headers()[CACHE_CONTROL], "no-store");
        let body: serde_json::Value = res.json().await.unwrap();
        assert_eq!(body["sub"], sub);
        assert_eq!(body["email"], "ui@example.com");
        assert_eq!(body["email_verified"], true);
    }
}

#[tokio::test]
async fn email_claims_need_the_email_scope() {
    let app = TestApp::spawn().await;
    let client = app.confidential_client().await;
    let (tokens, _) = app
        .tokens_with_nonce(&client, "scoped@example.com", "openid")
        .await;
    assert_eq!(tokens["scope"], "openid");
    let id = jwt_claims(tokens["id_token"].as_str().unwrap());
    assert!(id.get("email").is_none(), "{id}");
    let info: serde_json::Value = get_userinfo(&app, tokens["access_token"].as_str().unwrap())
        .await
        .json()
        .await
        .unwrap();
    assert!(info["sub"].is_string());
    assert!(info.get("email").is_none(), "{info}");
}

#[tokio::test]
async fn userinfo_without_a_token_is_401_with_a_bearer_challenge() {
    let app = TestApp::spawn().await;
    for res in [
        http().get(app.url("/userinfo")).send().await.unwrap(),
        http()
            .post(app.url("/userinfo"))
            .form(&[("other", "x")])
            .send()
            .await
            .unwrap(),
    ] {
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        let challenge = res.headers()[WWW_AUTHENTICATE].to_str().unwrap();
        assert!(challenge.starts_with("Bearer realm="), "{challenge}");
        assert!(
            !challenge.contains("error="),
            "no error code without credentials (RFC 6750 3.1): {challenge}"
        );
    }
    // Another scheme is an invalid token.
    let res = http()
        .get(app.url("/userinfo"))
        .basic_auth("user", Some("pass"))
        .send()
        .await
        .unwrap();
    expect_invalid_token(res).await;
}

#[tokio::test]
async fn garbage_tampered_forged_and_expired_tokens_are_invalid_token() {
    let app = TestApp::spawn().await;
    let client = app.confidential_client().await;
    let tokens = app.tokens_for(&client, "bad@example.com").await;
    let at = tokens["access_token"].as_str().unwrap().to_string();
    let parts: Vec<&str> = at.split('.').collect();

    let mut claims = jwt_claims(&at);
    claims["sub"] = "someone-else".into();
    let tampered = format!(
        "{}.{}.{}",
        parts[0],
        URL_SAFE_NO_PAD.encode(claims.to_string()),
        parts[2]
    );
    let mut header = jwt_header(&at);
    header["alg"] = "none".into();
    let alg_none = format!(
        "{}.{}.",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        parts[1]
    );
    // Signed by a key that is not ours, under our kid.
    let foreign = josekit::jwk::alg::rsa::RsaKeyPair::generate(2048).unwrap();
    let mut jh = josekit::jws::JwsHeader::new();
    jh.set_token_type("at+jwt");
    jh.set_key_id(jwt_header(&at)["kid"].as_str().unwrap());
    let signer = RS256.signer_from_der(foreign.to_der_private_key()).unwrap();
    let forged =
        josekit::jws::serialize_compact(jwt_claims(&at).to_string().as_bytes(), &jh, &signer)
            .unwrap();
    let id_token = tokens["id_token"].as_str().unwrap().to_string();
    for bad in [
        "garbage".to_string(),
        "a.b.c".to_string(),
        tampered,
        alg_none,
        forged,
        id_token,
    ] {
        expect_invalid_token(get_userinfo(&app, &bad).await).await;
    }
    // The real token works, until it expires.
    assert_eq!(get_userinfo(&app, &at).await.status(), StatusCode::OK);
    app.clock.advance(601);
    expect_invalid_token(get_userinfo(&app, &at).await).await;
}

#[tokio::test]
async fn token_in_header_and_body_at_once_is_400() {
    let app = TestApp::spawn().await;
    let client = app.confidential_client().await;
    let tokens = app.tokens_for(&client, "both@example.com").await;
    let at = tokens["access_token"].as_str().unwrap();
    let res = http()
        .post(app.url("/userinfo"))
        .bearer_auth(at)
        .form(&[("access_token", at)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["error"], "invalid_request");
}

/// Marks the user disabled in the database, leaving its grants and tokens in place, so
/// only the account check can refuse them.
async fn disable_quietly(app: &TestApp, email: &str) {
    let now = app.state.now();
    sesame::with_pool!(&app.state.store.db, pool => {
        sqlx::query("UPDATE users SET disabled_at = $1 WHERE email = $2")
            .bind(now)
            .bind(email)
            .execute(pool)
            .await
            .unwrap();
    });
}

#[tokio::test]
async fn a_disabled_account_gets_no_userinfo_and_its_codes_no_tokens() {
    let app = TestApp::spawn().await;
    let client = app.confidential_client().await;
    let email = "dora@example.com";
    let (tokens, _) = app.tokens_with_nonce(&client, email, "openid email").await;
    let access = tokens["access_token"].as_str().unwrap().to_string();
    assert_eq!(get_userinfo(&app, &access).await.status(), StatusCode::OK);
    let (code, verifier) = app.fresh_code(&client, email).await;

    disable_quietly(&app, email).await;
    expect_invalid_token(get_userinfo(&app, &access).await).await;
    let res = app.exchange(&client, &code, Some(&verifier)).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["error"], "invalid_grant");
}
