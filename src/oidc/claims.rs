//! Which user claims are released, and where: by scope (OIDC Core 5.4) and by the `claims`
//! request parameter (OIDC Core 5.5), into the ID token or the UserInfo response.
//!
//! Scope claims go to both the ID token and UserInfo. Claims asked for one by one through
//! the `claims` parameter go only where they were asked for. A claim the person has no
//! value for is left out, never sent as null; an essential claim that cannot be released is
//! not an error (OIDC Core 5.5.1).
//!
//! A user claim is never released to a client that may not obtain its scope (the client's
//! allowed scopes), whether it was asked for by scope or through the `claims` parameter
//! (null, `essential` or `value` alike): [`ClaimsRequest::retain_obtainable`] drops such
//! claims from the request when it is validated, and [`wanted`] leaves them out again
//! wherever claims are released, against the client's allow list of that moment.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::store::profile::Profile;
use crate::store::users::User;

/// Scopes that release user claims, with the claims each releases.
pub const SCOPE_CLAIMS: &[(&str, &[&str])] = &[
    ("email", &["email", "email_verified"]),
    ("phone", &["phone_number", "phone_number_verified"]),
    (
        "profile",
        &[
            "name",
            "family_name",
            "given_name",
            "middle_name",
            "nickname",
            "preferred_username",
            "profile",
            "picture",
            "website",
            "gender",
            "birthdate",
            "zoneinfo",
            "locale",
            "updated_at",
        ],
    ),
    ("address", &["address"]),
    ("groups", &["groups"]),
];

/// Protocol claims of the ID token.
const PROTOCOL_CLAIMS: &[&str] = &[
    "sub",
    "iss",
    "aud",
    "exp",
    "iat",
    "auth_time",
    "nonce",
    "amr",
    "acr",
    "azp",
    "at_hash",
    "sid",
];

/// Every claim this server can release (discovery's `claims_supported`).
pub fn claims_supported() -> Vec<&'static str> {
    let mut v: Vec<&'static str> = PROTOCOL_CLAIMS.to_vec();
    for (_, claims) in SCOPE_CLAIMS {
        v.extend_from_slice(claims);
    }
    v
}

/// Registered claim names a mapped claim may not take besides [`claims_supported`]: JWT
/// (RFC 7519), ID token and logout-token claims, the members of an introspection answer
/// (RFC 7662), and the names of the IANA JWT registry that carry identity or
/// authorization meaning.
const OTHER_REGISTERED_CLAIMS: &[&str] = &[
    "jti",
    "nbf",
    "typ",
    "cty",
    "cnf",
    "c_hash",
    "s_hash",
    "sub_jwk",
    "events",
    "client_id",
    "scope",
    "token_type",
    "active",
    "username",
    "act",
    "may_act",
    "roles",
    "entitlements",
    "txn",
    "vot",
    "vtm",
    "_claim_names",
    "_claim_sources",
    "gid",
];

/// Whether `name` is a claim Sesame sets itself or a registered claim with a meaning of
/// its own (compared without regard to case), which a client's mapped attribute claim
/// must not shadow.
pub fn is_reserved_claim(name: &str) -> bool {
    claims_supported()
        .into_iter()
        .chain(OTHER_REGISTERED_CLAIMS.iter().copied())
        .any(|c| c.eq_ignore_ascii_case(name))
}

/// The scope a user claim belongs to.
pub fn scope_of(claim: &str) -> Option<&'static str> {
    SCOPE_CLAIMS
        .iter()
        .find(|(_, claims)| claims.contains(&claim))
        .map(|(scope, _)| *scope)
}

/// One entry of the `claims` parameter (OIDC Core 5.5.1).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct ClaimSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub essential: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<Vec<Value>>,
}

/// The `claims` request parameter, reduced to the claims this server knows.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct ClaimsRequest {
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub userinfo: BTreeMap<String, Option<ClaimSpec>>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub id_token: BTreeMap<String, Option<ClaimSpec>>,
}

/// Where claims are going.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    IdToken,
    UserInfo,
}

impl ClaimsRequest {
    /// Parses the parameter: a JSON object whose `userinfo` and `id_token` members map
    /// claim names to null or to `{essential, value, values}`. Unknown claims are dropped
    /// (OIDC Core 5.5: claims not understood are ignored).
    pub fn parse(text: &str) -> Result<ClaimsRequest, String> {
        let bad = || "the claims parameter is not a valid claims request object".to_string();
        let v: Value = serde_json::from_str(text).map_err(|_| bad())?;
        if !v.is_object() {
            return Err(bad());
        }
        let mut req: ClaimsRequest = serde_json::from_value(v).map_err(|_| bad())?;
        let known = claims_supported();
        req.userinfo.retain(|k, _| known.contains(&k.as_str()));
        req.id_token.retain(|k, _| known.contains(&k.as_str()));
        Ok(req)
    }

    /// Drops the user claims whose scope the client may not obtain (`obtainable` says
    /// which scopes it may). Protocol claims (`sub`, `auth_time`, …) stay.
    pub fn retain_obtainable(&mut self, obtainable: impl Fn(&str) -> bool) {
        let keep = |claim: &String| scope_of(claim).is_none_or(&obtainable);
        self.userinfo.retain(|k, _| keep(k));
        self.id_token.retain(|k, _| keep(k));
    }

    pub fn is_empty(&self) -> bool {
        self.userinfo.is_empty() && self.id_token.is_empty()
    }

    fn member(&self, target: Target) -> &BTreeMap<String, Option<ClaimSpec>> {
        match target {
            Target::IdToken => &self.id_token,
            Target::UserInfo => &self.userinfo,
        }
    }

    /// The `sub` a request insists on (`"sub": {"value": …}`), which must be the person's.
    pub fn required_sub(&self) -> Option<&str> {
        [&self.id_token, &self.userinfo]
            .into_iter()
            .filter_map(|m| m.get("sub"))
            .flatten()
            .find_map(|spec| spec.value.as_ref().and_then(Value::as_str))
    }

    /// Scopes whose consent covers the claims asked for one by one.
    pub fn implied_scopes(&self) -> BTreeSet<&'static str> {
        self.userinfo
            .keys()
            .chain(self.id_token.keys())
            .filter_map(|c| scope_of(c))
            .collect()
    }

    /// The canonical JSON kept with the grant.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "{}".into())
    }
}

/// A claims request kept as its canonical JSON text (`#[serde(with = "as_text")]`), so a
/// sealed sign-in or a stored transaction reads as before while the code holds it parsed.
pub mod as_text {
    use serde::{Deserialize, Deserializer, Serializer};

    use super::ClaimsRequest;

    pub fn serialize<S: Serializer>(c: &Option<ClaimsRequest>, s: S) -> Result<S::Ok, S::Error> {
        match c {
            Some(c) => s.serialize_some(&c.to_json()),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<ClaimsRequest>, D::Error> {
        let text: Option<String> = Option::deserialize(d)?;
        text.map(|t| ClaimsRequest::parse(&t).map_err(serde::de::Error::custom))
            .transpose()
    }
}

/// The user claims wanted for `target`: those of the scopes, plus those asked for there,
/// less those of a scope the client may not obtain (`obtainable` says which it may).
pub fn wanted(
    scope: &str,
    claims: Option<&ClaimsRequest>,
    target: Target,
    obtainable: impl Fn(&str) -> bool,
) -> BTreeSet<&'static str> {
    let mut out = BTreeSet::new();
    for s in scope.split(' ') {
        if let Some((_, names)) = SCOPE_CLAIMS.iter().find(|(name, _)| *name == s) {
            out.extend(names.iter().copied());
        }
    }
    if let Some(c) = claims {
        for name in c.member(target).keys() {
            if let Some(known) = SCOPE_CLAIMS
                .iter()
                .flat_map(|(_, names)| names.iter())
                .find(|n| **n == name.as_str())
            {
                out.insert(*known);
            }
        }
    }
    out.retain(|c| scope_of(c).is_none_or(&obtainable));
    out
}

/// True when any wanted claim lives in the profile (so it must be loaded).
pub fn needs_profile(wanted: &BTreeSet<&'static str>) -> bool {
    wanted
        .iter()
        .any(|c| matches!(scope_of(c), Some("profile" | "address")))
}

/// True when the `groups` claim is wanted (so the person's groups must be loaded).
pub fn needs_groups(wanted: &BTreeSet<&'static str>) -> bool {
    wanted.contains("groups")
}

/// What claims are read from besides the user row, loaded only when wanted.
#[derive(Debug, Clone, Copy, Default)]
pub struct Sources<'a> {
    pub profile: Option<&'a Profile>,
    /// The names of the person's groups.
    pub groups: Option<&'a [String]>,
}

/// The values of the wanted claims the person has.
pub fn release(
    user: &User,
    sources: Sources<'_>,
    wanted: &BTreeSet<&'static str>,
) -> Map<String, Value> {
    let profile = sources.profile;
    let mut m = Map::new();
    let mut put = |k: &str, v: Option<Value>| {
        if wanted.contains(k) {
            if let Some(v) = v {
                m.insert(k.to_string(), v);
            }
        }
    };
    put("email", user.email.as_ref().map(|e| json!(e)));
    put(
        "email_verified",
        user.email.as_ref().map(|_| json!(user.email_verified)),
    );
    put("phone_number", user.phone.as_ref().map(|p| json!(p)));
    put(
        "phone_number_verified",
        user.phone.as_ref().map(|_| json!(user.phone_verified)),
    );
    if let Some(p) = profile {
        let text = |v: &Option<String>| v.as_ref().filter(|s| !s.is_empty()).map(|s| json!(s));
        put("name", text(&p.name));
        put("given_name", text(&p.given_name));
        put("family_name", text(&p.family_name));
        put("middle_name", text(&p.middle_name));
        put("nickname", text(&p.nickname));
        put("preferred_username", text(&p.preferred_username));
        put("profile", text(&p.profile));
        put("picture", text(&p.picture));
        put("website", text(&p.website));
        put("gender", text(&p.gender));
        put("birthdate", text(&p.birthdate));
        put("zoneinfo", text(&p.zoneinfo));
        put("locale", text(&p.locale));
        put(
            "address",
            p.address
                .as_deref()
                .and_then(|a| serde_json::from_str::<Value>(a).ok())
                .filter(|v| v.as_object().is_some_and(|o| !o.is_empty())),
        );
        put("updated_at", Some(json!(p.updated_at)));
    }
    // A person in no group gets an empty list: the claim says "no groups", not "unknown".
    put("groups", sources.groups.map(|g| json!(g)));
    m
}

/// The user claims released by `scope` alone (no `claims` parameter, no profile).
pub fn user_claims(user: &User, scope: &str) -> Map<String, Value> {
    release(
        user,
        Sources::default(),
        &wanted(scope, None, Target::UserInfo, |_| true),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user() -> User {
        User {
            id: "u1".into(),
            email: Some("a@example.com".into()),
            email_verified: true,
            phone: Some("+14155550100".into()),
            phone_verified: true,
            created_at: 0,
            updated_at: 0,
            last_login_at: None,
            disabled_at: None,
        }
    }

    #[test]
    fn email_claims_only_with_email_scope() {
        assert!(user_claims(&user(), "openid").is_empty());
        let m = user_claims(&user(), "openid email");
        assert_eq!(m["email"], "a@example.com");
        assert_eq!(m["email_verified"], true);
        assert!(!m.contains_key("phone_number"));
    }

    #[test]
    fn phone_scope_releases_the_phone_number() {
        let m = user_claims(&user(), "openid phone");
        assert_eq!(m["phone_number"], "+14155550100");
        assert_eq!(m["phone_number_verified"], true);
        assert!(!m.contains_key("email"));
    }

    #[test]
    fn empty_profile_fields_are_left_out_not_null() {
        let p = Profile {
            given_name: Some("Ada".into()),
            name: Some(String::new()),
            updated_at: 42,
            ..Profile::default()
        };
        let w = wanted("openid profile", None, Target::UserInfo, |_| true);
        let m = release(
            &user(),
            Sources {
                profile: Some(&p),
                groups: None,
            },
            &w,
        );
        assert_eq!(m["given_name"], "Ada");
        assert_eq!(m["updated_at"], 42);
        assert!(!m.contains_key("name"));
        assert!(!m.contains_key("family_name"));
    }

    #[test]
    fn claims_parameter_asks_per_target_and_drops_unknown_claims() {
        let c = ClaimsRequest::parse(
            r#"{"userinfo":{"name":{"essential":true},"shoe_size":null},"id_token":{"email":null,"sub":{"value":"u1"}}}"#,
        )
        .unwrap();
        assert!(c.userinfo.contains_key("name"));
        assert!(!c.userinfo.contains_key("shoe_size"));
        assert_eq!(c.required_sub(), Some("u1"));
        let ui = wanted("openid", Some(&c), Target::UserInfo, |_| true);
        let id = wanted("openid", Some(&c), Target::IdToken, |_| true);
        assert!(ui.contains("name") && !ui.contains("email"));
        assert!(id.contains("email") && !id.contains("name"));
        assert_eq!(
            c.implied_scopes().into_iter().collect::<Vec<_>>(),
            ["email", "profile"]
        );
    }

    /// A client allowed `email` only (as `--allowed-scope email`).
    fn email_only(scope: &str) -> bool {
        matches!(scope, "openid" | "email")
    }

    #[test]
    fn claims_request_keeps_only_claims_of_scopes_the_client_may_obtain() {
        let mut c = ClaimsRequest::parse(
            r#"{"id_token":{"name":null,"address":{"essential":true},"birthdate":{"value":"1815-12-10"},"email":null,"auth_time":{"essential":true}},
                "userinfo":{"address":null,"phone_number":{"values":["+1"]},"email_verified":null,"sub":{"value":"u1"}}}"#,
        )
        .unwrap();
        c.retain_obtainable(email_only);
        assert_eq!(
            c.id_token.keys().collect::<Vec<_>>(),
            ["auth_time", "email"],
            "null, essential and value forms are all dropped"
        );
        assert_eq!(
            c.userinfo.keys().collect::<Vec<_>>(),
            ["email_verified", "sub"]
        );
        assert_eq!(c.required_sub(), Some("u1"), "protocol claims stay");
        assert_eq!(
            c.implied_scopes().into_iter().collect::<Vec<_>>(),
            ["email"]
        );
    }

    #[test]
    fn wanted_never_includes_a_claim_of_a_scope_the_client_may_not_obtain() {
        let c = ClaimsRequest::parse(
            r#"{"id_token":{"name":null,"address":null,"birthdate":null,"email":null},"userinfo":{"address":null}}"#,
        )
        .unwrap();
        // Even from a request kept unfiltered, and from a scope granted before the client
        // was narrowed, nothing outside the allow list is released.
        let id = wanted("openid profile", Some(&c), Target::IdToken, email_only);
        assert_eq!(id.into_iter().collect::<Vec<_>>(), ["email"]);
        let ui = wanted("openid profile", Some(&c), Target::UserInfo, email_only);
        assert!(ui.is_empty(), "{ui:?}");
        // A client allowed every scope still gets what it asked for.
        let all = wanted("openid", Some(&c), Target::IdToken, |_| true);
        assert_eq!(
            all.into_iter().collect::<Vec<_>>(),
            ["address", "birthdate", "email", "name"]
        );
    }

    #[test]
    fn groups_claim_needs_the_groups_scope_and_a_client_allowed_it() {
        let names = ["admins".to_string(), "storage.rw".to_string()];
        let with_groups = Sources {
            profile: None,
            groups: Some(&names),
        };
        let w = wanted("openid groups", None, Target::IdToken, |_| true);
        assert!(needs_groups(&w) && !needs_profile(&w));
        assert_eq!(
            release(&user(), with_groups, &w)["groups"],
            json!(["admins", "storage.rw"])
        );
        assert!(!needs_groups(&wanted(
            "openid email",
            None,
            Target::IdToken,
            |_| true
        )));
        let mut c = ClaimsRequest::parse(r#"{"id_token":{"groups":{"essential":true}}}"#).unwrap();
        assert!(needs_groups(&wanted(
            "openid",
            Some(&c),
            Target::IdToken,
            |_| true
        )));
        assert!(wanted("openid groups", Some(&c), Target::IdToken, email_only).is_empty());
        c.retain_obtainable(email_only);
        assert!(c.is_empty(), "{c:?}");
    }

    #[test]
    fn standard_and_registered_claims_are_reserved_whatever_their_case() {
        for c in [
            "sub", "ISS", "email", "groups", "address", "sid", "active", "scope",
        ] {
            assert!(is_reserved_claim(c), "{c}");
        }
        for c in ["policy", "minio_policy", "department"] {
            assert!(!is_reserved_claim(c), "{c}");
        }
    }

    #[test]
    fn malformed_claims_parameter_is_refused() {
        for bad in [
            "not json",
            "[]",
            r#"{"userinfo":["name"]}"#,
            r#"{"userinfo":{"name":"yes"}}"#,
            r#"{"id_token":{"name":{"essential":"yes"}}}"#,
        ] {
            assert!(ClaimsRequest::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn phone_claims_only_with_phone_scope_and_a_phone() {
        let mut u = user();
        u.phone = None;
        assert!(!user_claims(&u, "openid phone").contains_key("phone_number"));
        u.phone = Some("+16502530000".into());
        u.phone_verified = true;
        assert!(!user_claims(&u, "openid email").contains_key("phone_number"));
        let m = user_claims(&u, "openid phone");
        assert_eq!(m["phone_number"], "+16502530000");
        assert_eq!(m["phone_number_verified"], true);
        assert!(!m.contains_key("email"));
    }
}
