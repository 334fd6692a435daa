//! "Config OP" plan: oidcc-discovery-endpoint-verification. Every endpoint and feature the
//! document lists answers as the document says.

use openidconnect::core::CoreProviderMetadata;
use openidconnect::IssuerUrl;
use reqwest::StatusCode;
use serde_json::Value;

use crate::support::*;

fn strings(v: &Value) -> Vec<&str> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn oidcc_discovery_endpoint_verification() {
    let app = TestApp::spawn().await;
    let res = reqwest::get(app.url("/.well-known/openid-configuration"))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/json"));
    let doc: Value = res.json().await.unwrap();
    // The RP library accepts it as provider metadata for this issuer.
    let http = reqwest::Client::new();
    CoreProviderMetadata::discover_async(IssuerUrl::new(app.base.clone()).unwrap(), &http)
        .await
        .expect("valid provider metadata");
    assert_eq!(doc["issuer"], app.base.as_str());
    for key in [
        "authorization_endpoint",
        "token_endpoint",
        "userinfo_endpoint",
        "jwks_uri",
        "end_session_endpoint",
        "revocation_endpoint",
        "introspection_endpoint",
    ] {
        assert!(doc[key].as_str().unwrap().starts_with(&app.base), "{key}");
    }
    assert!(strings(&doc["scopes_supported"]).contains(&"openid"));
    for s in ["email", "phone", "profile", "address", "offline_access"] {
        assert!(strings(&doc["scopes_supported"]).contains(&s), "{s}");
    }
    assert_eq!(strings(&doc["response_types_supported"]), ["code"]);
    assert!(strings(&doc["id_token_signing_alg_values_supported"]).contains(&"RS256"));
    assert_eq!(strings(&doc["subject_types_supported"]), ["public"]);
    let claims = strings(&doc["claims_supported"]);
    for c in [
        "sub",
        "email",
        "email_verified",
        "phone_number",
        "name",
        "address",
        "auth_time",
    ] {
        assert!(claims.contains(&c), "claims_supported lacks {c}");
    }
    assert_eq!(doc["claims_parameter_supported"], true);
    assert_eq!(
        strings(&doc["prompt_values_supported"]),
        ["none", "login", "consent", "select_account"]
    );
    assert_eq!(
        strings(&doc["grant_types_supported"]),
        [
            "authorization_code",
            "refresh_token",
            "client_credentials",
            "urn:ietf:params:oauth:grant-type:device_code"
        ]
    );
    assert!(
        doc.get("registration_endpoint").is_none(),
        "registration is off"
    );

    // The JWKS has usable public keys only.
    let jwks: Value = reqwest::get(doc["jwks_uri"].as_str().unwrap())
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for k in jwks["keys"].as_array().unwrap() {
        assert!(
            k["kid"].is_string() && k["alg"].is_string() && k["use"] == "sig",
            "{k}"
        );
        assert!(k.get("d").is_none(), "no private part");
    }
    // Each listed endpoint answers its protocol.
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let token = http
        .post(doc["token_endpoint"].as_str().unwrap())
        .form(&[("grant_type", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(token.status(), StatusCode::UNAUTHORIZED);
    let userinfo = http
        .get(doc["userinfo_endpoint"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(userinfo.status(), StatusCode::UNAUTHORIZED);
    for key in ["revocation_endpoint", "introspection_endpoint"] {
        let res = http
            .post(doc[key].as_str().unwrap())
            .form(&[("token", "x")])
            .send()
            .await
            .unwrap();
        assert_eq!(
            res.status(),
            StatusCode::UNAUTHORIZED,
            "{key} needs client authentication"
        );
    }
    let end = http
        .get(doc["end_session_endpoint"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(end.status(), StatusCode::OK);
    let authz = http
        .get(doc["authorization_endpoint"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(
        authz.status(),
        StatusCode::BAD_REQUEST,
        "a page, not a redirect, without a client"
    );
}
