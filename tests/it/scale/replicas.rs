//! The scale-out proof: two Sesame servers on one database behave as one. A browser
//! behind a load balancer presents its one session cookie to whichever replica serves the
//! request. (On SQLite the two servers share one file; on PostgreSQL one database.)

use reqwest::StatusCode;
use sesame::limits::{self, Rule};
use sesame::metrics::RATE_LIMIT_DENIALS;

use crate::scale::support::*;
use crate::support::smtp::code_from;
use crate::support::*;

#[tokio::test]
async fn sign_in_started_on_one_replica_completes_on_another() {
    let a = TestApp::spawn().await;
    let b = second_replica(&a, |_| {}).await;
    let client = a.confidential_client().await;
    let (verifier, challenge) = pkce_pair();
    let p = AuthParams {
        challenge: Some(challenge),
        ..Default::default()
    };
    let auth_url = authorize_url(&a, &client, &p);
    let lb = LbBrowser::new();

    // Authorize and ask for the code on A.
    let page = lb.open_login(&a.base, &a.base, &auth_url).await;
    let res = lb
        .submit_identifier(&a.base, &page, "carol@example.com")
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let code = code_from(
        &a.smtp
            .wait_for_message_to("carol@example.com", MAIL_WAIT)
            .await,
    );

    // B serves the code page of the sign-in A started...
    let res = lb.get(&on(&b.base, &page.url)).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().await.unwrap().contains("c***@example.com"));
    // ...but only to the browser that holds the session: the sign-in is bound to it.
    let stranger = LbBrowser::new();
    let res = stranger.submit_code(&b.base, &page, &code).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    // The code typed on B completes the sign-in.
    let res = lb.submit_code(&b.base, &page, &code).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let back = location(&res, &b.base);
    assert!(back.starts_with(&client.redirect_uri), "{back}");
    assert_eq!(
        query_param(&back, "state").as_deref(),
        Some(p.state.as_str())
    );
    assert_eq!(
        query_param(&back, "iss").as_deref(),
        Some(a.state.config.issuer.as_str())
    );

    // The code is exchanged on B; A's and B's userinfo both accept the access token.
    let auth_code = query_param(&back, "code").unwrap();
    let res = exchange_at(&b.base, &client, &auth_code, &verifier).await;
    assert_eq!(res.status(), StatusCode::OK);
    let tokens: serde_json::Value = res.json().await.unwrap();
    let at = tokens["access_token"].as_str().unwrap();
    let sub = jwt_claims(tokens["id_token"].as_str().unwrap())["sub"].clone();
    for base in [&a.base, &b.base] {
        let res = userinfo_at(base, at).await;
        assert_eq!(res.status(), StatusCode::OK, "userinfo at {base}");
        let info: serde_json::Value = res.json().await.unwrap();
        assert_eq!(info["sub"], sub);
        assert_eq!(info["email"], "carol@example.com");
    }
    // A second exchange of the same code, on the other replica, is refused.
    let res = exchange_at(&a.base, &client, &auth_code, &verifier).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    // ...and it revoked what the code issued, on both replicas.
    for base in [&a.base, &b.base] {
        assert_eq!(
            userinfo_at(base, at).await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    // Single sign-on: the session made on B is known to A.
    let res = lb
        .get(&on(
            &a.base,
            &authorize_url(
                &a,
                &client,
                &AuthParams {
                    challenge: Some(pkce_pair().1),
                    ..Default::default()
                },
            ),
        ))
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let back = location(&res, &a.base);
    assert!(
        back.starts_with(&client.redirect_uri) && query_param(&back, "code").is_some(),
        "A should sign the browser in from the session made on B: {back}"
    );
}

#[tokio::test]
async fn tokens_issued_by_one_replica_are_accepted_by_the_other() {
    let a = TestApp::spawn().await;
    let b = second_replica(&a, |_| {}).await;
    let client = a.confidential_client().await;
    let tokens = a.tokens_for(&client, "dave@example.com").await;
    let at = tokens["access_token"].as_str().unwrap();
    let res = userinfo_at(&b.base, at).await;
    assert_eq!(res.status(), StatusCode::OK);
    let info: serde_json::Value = res.json().await.unwrap();
    assert_eq!(info["email"], "dave@example.com");
    // The ID token's key is in B's JWKS.
    let kid = jwt_header(tokens["id_token"].as_str().unwrap())["kid"].clone();
    let jwks: serde_json::Value = reqwest::get(b.url("/jwks"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .any(|k| k["kid"] == kid));
}

#[tokio::test]
async fn key_rotated_on_one_replica_is_served_and_trusted_by_the_other() {
    let a = TestApp::spawn().await;
    let b = second_replica(&a, |_| {}).await;
    let kids = |jwks: serde_json::Value| -> Vec<String> {
        jwks["keys"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k["kid"].as_str().unwrap().to_string())
            .collect()
    };
    let before = kids(
        reqwest::get(b.url("/jwks"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap(),
    );
    let new_kid = a.state.keys.rotate("RS256", 0, 3600).await.unwrap();
    assert!(!before.contains(&new_kid));
    let after = kids(
        reqwest::get(b.url("/jwks"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap(),
    );
    assert!(
        after.contains(&new_kid),
        "B serves the key rotated on A: {after:?}"
    );
    // The retired key stays published (tokens it signed still verify).
    assert!(before.iter().all(|k| after.contains(k)));

    // A signs with the new key; B accepts the token.
    let client = a.confidential_client().await;
    let tokens = a.tokens_for(&client, "erin@example.com").await;
    let at = tokens["access_token"].as_str().unwrap();
    assert_eq!(jwt_header(at)["kid"], new_kid.as_str());
    assert_eq!(userinfo_at(&b.base, at).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn wrong_guesses_split_across_replicas_burn_the_code() {
    let a = TestApp::spawn().await;
    let b = second_replica(&a, |_| {}).await;
    let client = a.confidential_client().await;
    let p = AuthParams {
        challenge: Some(pkce_pair().1),
        ..Default::default()
    };
    let lb = LbBrowser::new();
    let page = lb
        .open_login(&a.base, &a.base, &authorize_url(&a, &client, &p))
        .await;
    let res = lb
        .submit_identifier(&a.base, &page, "frank@example.com")
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let code = code_from(
        &a.smtp
            .wait_for_message_to("frank@example.com", MAIL_WAIT)
            .await,
    );
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let expected = [
        "You have 4 tries left",
        "You have 3 tries left",
        "You have 2 tries left",
        "You have 1 try left",
        "Too many wrong tries",
    ];
    for (i, want) in expected.iter().enumerate() {
        let base = if i % 2 == 0 { &a.base } else { &b.base };
        let res = lb.submit_code(base, &page, wrong).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        let html = res.text().await.unwrap();
        assert!(html.contains(want), "guess {} on {base}: {html}", i + 1);
    }
    // The right code no longer works, on either replica.
    for base in [&b.base, &a.base] {
        let res = lb.submit_code(base, &page, &code).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        assert!(res.text().await.unwrap().contains("Too many wrong tries"));
    }
}

#[tokio::test]
async fn rate_limits_are_shared_by_replicas() {
    let a = TestApp::spawn().await;
    let b = second_replica(&a, |_| {}).await;
    let now = a.state.now();
    let rules = [Rule::new("scale_shared_rule", 3, 3600)];
    let mut allowed = 0;
    for i in 0..8 {
        let store = if i % 2 == 0 {
            &a.state.store
        } else {
            &b.state.store
        };
        if limits::hit(store, now, "send:email:grace@example.com", &rules)
            .await
            .unwrap()
            .is_allowed()
        {
            allowed += 1;
        }
    }
    assert_eq!(allowed, 3, "the limit holds across both replicas together");
    for store in [&a.state.store, &b.state.store] {
        assert!(
            !limits::peek(store, now, "send:email:grace@example.com", &rules)
                .await
                .unwrap()
                .is_allowed()
        );
    }
    // Each replica counted its own denials; together they are all of them.
    let denied = |app: &TestApp| {
        app.state
            .store
            .metrics
            .counter(RATE_LIMIT_DENIALS, &[("rule", "scale_shared_rule")])
    };
    assert_eq!(denied(&a) + denied(&b), 5);
    assert_eq!((denied(&a), denied(&b)), (2, 3));
}

#[tokio::test]
async fn refresh_rotation_and_introspection_hold_across_replicas() {
    let a = TestApp::spawn().await;
    let b = second_replica(&a, |_| {}).await;
    let client = a.client_with(|c| c.always_issue_refresh_token = true).await;
    let tokens = a.tokens_for(&client, "erin@example.com").await;
    let first = tokens["refresh_token"].as_str().unwrap().to_string();
    let at = tokens["access_token"].as_str().unwrap();

    // B introspects what A issued.
    let res = b.introspect(&client, at).await;
    assert_eq!(res.status(), StatusCode::OK);
    let info: serde_json::Value = res.json().await.unwrap();
    assert_eq!(info["active"], true, "{info}");
    assert_eq!(info["client_id"], client.id.as_str());

    // A rotates the refresh token; the old one then fails on B...
    let res = a.refresh(&client, &first, None).await;
    assert_eq!(res.status(), StatusCode::OK);
    let rotated: serde_json::Value = res.json().await.unwrap();
    let second = rotated["refresh_token"].as_str().unwrap().to_string();
    assert_ne!(first, second);
    let res = b.refresh(&client, &first, None).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let err: serde_json::Value = res.json().await.unwrap();
    assert_eq!(err["error"], "invalid_grant");

    // ...and that reuse revoked the whole family, seen from both replicas.
    let res = a.refresh(&client, &second, None).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let res = b.introspect(&client, &second).await;
    let info: serde_json::Value = res.json().await.unwrap();
    assert_eq!(info, serde_json::json!({ "active": false }));
    let new_at = rotated["access_token"].as_str().unwrap();
    assert_eq!(
        a.userinfo(new_at).await.status(),
        StatusCode::UNAUTHORIZED,
        "access tokens of a revoked family stop working"
    );
}
