//! Discovery and signing keys (issue 2, points 5 and 6): the metadata of OIDC Discovery
//! 1.0 with only what is implemented; RS256 and ES256 keys with `kid`, published at the
//! `jwks_uri`, kept in the database with their private parts encrypted, the same after a
//! restart.

use std::sync::Arc;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use reqwest::StatusCode;
use secrecy::SecretString;
use serde_json::json;
use sesame::app::{Application, BuildOptions};
use sesame::clock::ShiftedClock;

use crate::support::*;

async fn get_json(url: &str) -> (reqwest::header::HeaderMap, serde_json::Value) {
    let res = reqwest::get(url).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK, "{url}");
    let headers = res.headers().clone();
    (headers, res.json().await.unwrap())
}

async fn discovery(app: &TestApp) -> serde_json::Value {
    let (headers, doc) = get_json(&app.url("/.well-known/openid-configuration")).await;
    let ct = headers["content-type"].to_str().unwrap();
    assert!(ct.starts_with("application/json"), "{ct}");
    doc
}

async fn kids(app: &TestApp) -> Vec<String> {
    let (_, jwks) = get_json(&app.url("/jwks")).await;
    let mut kids: Vec<String> = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap().to_string())
        .collect();
    kids.sort();
    kids
}

#[tokio::test]
async fn discovery_has_every_required_and_recommended_field() {
    let app = TestApp::spawn().await;
    let doc = discovery(&app).await;
    // OIDC Discovery 1.0 section 3: REQUIRED...
    for field in [
        "issuer",
        "authorization_endpoint",
        "token_endpoint",
        "jwks_uri",
        "response_types_supported",
        "subject_types_supported",
        "id_token_signing_alg_values_supported",
    ] {
        assert!(doc.get(field).is_some(), "REQUIRED {field} missing: {doc}");
    }
    // ...and RECOMMENDED. registration_endpoint is RECOMMENDED too, but dynamic
    // registration is not implemented, and the document lists only what is.
    for field in ["userinfo_endpoint", "scopes_supported", "claims_supported"] {
        assert!(
            doc.get(field).is_some(),
            "RECOMMENDED {field} missing: {doc}"
        );
    }
    assert!(doc.get("registration_endpoint").is_none());
    let algs = doc["id_token_signing_alg_values_supported"]
        .as_array()
        .unwrap();
    assert!(algs.contains(&"RS256".into()), "RS256 is mandatory");
    assert!(algs.contains(&"ES256".into()));
    assert!(!algs.contains(&"none".into()));
    let scopes = doc["scopes_supported"].as_array().unwrap();
    assert!(scopes.contains(&"openid".into()) && scopes.contains(&"email".into()));
    let claims = doc["claims_supported"].as_array().unwrap();
    for c in [
        "sub",
        "email",
        "email_verified",
        "auth_time",
        "amr",
        "nonce",
    ] {
        assert!(claims.contains(&c.into()), "claims_supported has {c}");
    }
}

#[tokio::test]
async fn discovery_advertises_exactly_what_is_implemented() {
    let app = TestApp::spawn().await;
    let doc = discovery(&app).await;
    assert_eq!(doc["code_challenge_methods_supported"], json!(["S256"]));
    assert_eq!(doc["authorization_response_iss_parameter_supported"], true);
    assert_eq!(doc["response_types_supported"], json!(["code"]));
    assert_eq!(
        doc["grant_types_supported"],
        json!([
            "authorization_code",
            "refresh_token",
            "client_credentials",
            "urn:ietf:params:oauth:grant-type:device_code"
        ])
    );
    assert_eq!(doc["subject_types_supported"], json!(["public"]));
    assert_eq!(
        doc["token_endpoint_auth_methods_supported"],
        json!(["client_secret_basic", "client_secret_post", "none"])
    );
    assert_eq!(doc["request_parameter_supported"], false);
    assert_eq!(doc["request_uri_parameter_supported"], false);
    if let Some(modes) = doc.get("response_modes_supported") {
        assert_eq!(modes, &json!(["query", "form_post"]));
    }
    // Nothing for endpoints that do not exist.
    for absent in [
        "end_session_endpoint",
        "revocation_endpoint",
        "introspection_endpoint",
    ] {
        if let Some(url) = doc.get(absent).and_then(|v| v.as_str()) {
            let res = reqwest::Client::new().post(url).send().await.unwrap();
            assert_ne!(
                res.status(),
                StatusCode::NOT_FOUND,
                "{absent} is advertised but missing"
            );
        }
    }
}

#[tokio::test]
async fn issuer_is_exactly_the_configured_one_and_endpoints_live_under_it() {
    let app = TestApp::spawn().await;
    let doc = discovery(&app).await;
    assert_eq!(doc["issuer"], app.state.config.issuer.as_str());
    assert_eq!(doc["issuer"], app.base.as_str());
    for ep in [
        "authorization_endpoint",
        "token_endpoint",
        "userinfo_endpoint",
        "jwks_uri",
    ] {
        let url = doc[ep].as_str().unwrap();
        assert!(url.starts_with(&format!("{}/", app.base)), "{ep}: {url}");
    }
    // Every endpoint answers where it says it is.
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let at = |ep: &str| doc[ep].as_str().unwrap().to_string();
    let res = http.get(at("jwks_uri")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let res = http.get(at("authorization_endpoint")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let res = http
        .post(at("token_endpoint"))
        .form(&[("a", "b")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let res = http.get(at("userinfo_endpoint")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);

    // Another configured issuer is reflected exactly.
    let other = TestApp::spawn_with(|c| {
        c.issuer = sesame::config::Issuer::parse("https://id.example.com").unwrap()
    })
    .await;
    let doc = discovery(&other).await;
    assert_eq!(doc["issuer"], "https://id.example.com");
    assert_eq!(doc["token_endpoint"], "https://id.example.com/token");
}

#[tokio::test]
async fn jwks_publishes_rs256_and_es256_public_keys_with_kid_alg_and_use() {
    let app = TestApp::spawn().await;
    let (headers, jwks) = get_json(&app.url("/jwks")).await;
    let ct = headers["content-type"].to_str().unwrap();
    assert!(ct.contains("json"), "{ct}");
    let keys = jwks["keys"].as_array().unwrap();
    let mut algs: Vec<&str> = keys.iter().map(|k| k["alg"].as_str().unwrap()).collect();
    algs.sort();
    assert_eq!(algs, ["ES256", "RS256"]);
    for k in keys {
        assert!(k["kid"].as_str().is_some_and(|s| !s.is_empty()), "{k}");
        assert_eq!(k["use"], "sig", "{k}");
        for private in ["d", "p", "q", "dp", "dq", "qi"] {
            assert!(k.get(private).is_none(), "no private member {private}: {k}");
        }
        match k["alg"].as_str().unwrap() {
            "RS256" => {
                assert_eq!(k["kty"], "RSA");
                let n = URL_SAFE_NO_PAD.decode(k["n"].as_str().unwrap()).unwrap();
                assert!(n.len() >= 256, "at least 2048-bit RSA");
            }
            _ => {
                assert_eq!(k["kty"], "EC");
                assert_eq!(k["crv"], "P-256");
            }
        }
    }
    let mut unique: Vec<_> = keys.iter().map(|k| k["kid"].clone()).collect();
    unique.dedup();
    assert_eq!(unique.len(), keys.len(), "kids are unique");
}

#[tokio::test]
async fn signing_keys_survive_a_restart() {
    let app = TestApp::spawn().await;
    let client = app.confidential_client().await;
    let before = kids(&app).await;
    let tokens = app.tokens_for(&client, "restart@example.com").await;
    let issuer = app.base.clone();
    let (db, smtp, clock) = (app.db.clone(), app.smtp.clone(), app.clock.clone());
    app.stop().await;

    let again = TestApp::spawn_on(db, smtp, clock, |c| {
        c.issuer = sesame::config::Issuer::parse(&issuer).unwrap()
    })
    .await;
    assert_eq!(kids(&again).await, before, "no new keys on restart");
    // A token signed before the restart still verifies after it.
    let res = reqwest::Client::new()
        .get(again.url("/userinfo"))
        .bearer_auth(tokens["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(again.state.store.all_keys().await.unwrap().len(), 2);
}

#[tokio::test]
async fn private_keys_are_stored_encrypted() {
    let app = TestApp::spawn().await;
    let (_, jwks) = get_json(&app.url("/jwks")).await;
    let stored = app.state.store.all_keys().await.unwrap();
    assert_eq!(stored.len(), 2);
    const RSA_OID: &[u8] = &[
        0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01,
    ];
    const EC_OID: &[u8] = &[0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
    let contains = |hay: &[u8], needle: &[u8]| hay.windows(needle.len()).any(|w| w == needle);
    for key in &stored {
        let blob = &key.private_key;
        assert!(!contains(blob, b"-----BEGIN"), "no PEM in clear");
        assert!(
            !contains(blob, RSA_OID) && !contains(blob, EC_OID),
            "no PKCS#8 in clear"
        );
        let jwk = jwks["keys"]
            .as_array()
            .unwrap()
            .iter()
            .find(|k| k["kid"] == key.kid.as_str())
            .unwrap();
        // The public numbers are inside a PKCS#8 private key; they must not show.
        let public = if key.alg == "RS256" {
            &jwk["n"]
        } else {
            &jwk["x"]
        };
        let public = URL_SAFE_NO_PAD.decode(public.as_str().unwrap()).unwrap();
        assert!(
            !contains(blob, &public[..24]),
            "{}: key material in clear",
            key.kid
        );
    }
    // Without the right secret the keys cannot be read: the server refuses to start.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let mut config = test_config(port, &app.db.url, &app.smtp.url());
    config.secret_key = Some(SecretString::from(
        "a-different-secret-key-that-is-long-enough-42".to_string(),
    ));
    let opts = BuildOptions {
        clock: Arc::new(ShiftedClock::new()),
        key_cache_seconds: 0,
    };
    let started = Application::with_listener(config, opts, listener).await;
    assert!(
        started.is_err(),
        "a wrong secret_key cannot decrypt the keys"
    );
}
