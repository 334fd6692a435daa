//! Relying parties: register, list, show, change, rotate the secret, delete.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::client_checks::{
    opt_backchannel_uri, opt_url, patch_claims, refuse_console_client, valid_alg, valid_color,
    valid_redirect_uris, valid_scopes, valid_ttl, REFRESH_TTL_MAX, TTL_MAX,
};
use super::{valid_name, AdminError, Ctx, Page, PageParams};
use crate::audit::AuditEvent;
use crate::clients::{self, NewClient};
use crate::crypto::random_token;
use crate::store::clients::{Client, ClientMeta};

/// Whether a client must send a PKCE challenge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum PkcePolicy {
    Required,
    Optional,
}

/// A registered client. Times are Unix seconds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ClientView {
    pub client_id: String,
    pub name: String,
    pub redirect_uris: Vec<String>,
    /// Public clients (SPAs, native apps) have no secret and always use PKCE.
    pub public: bool,
    pub pkce: PkcePolicy,
    /// First-party clients skip the consent page.
    pub first_party: bool,
    /// `RS256` or `ES256`.
    pub id_token_alg: String,
    pub logo_uri: Option<String>,
    pub client_uri: Option<String>,
    pub policy_uri: Option<String>,
    pub tos_uri: Option<String>,
    /// `#rrggbb`.
    pub brand_color: Option<String>,
    /// Null: every supported scope.
    pub allowed_scopes: Option<Vec<String>>,
    /// Null: the server default.
    pub access_token_ttl_seconds: Option<i64>,
    pub id_token_ttl_seconds: Option<i64>,
    pub refresh_token_ttl_seconds: Option<i64>,
    /// Where the client is told, server to server, that a sign-in ended (OpenID Connect
    /// Back-Channel Logout 1.0); null: it is not told.
    pub backchannel_logout_uri: Option<String>,
    /// The client needs the `sid` claim in its logout tokens.
    pub backchannel_logout_session_required: bool,
    /// Mapped claims: claim name → the person attribute it carries, released in the ID
    /// token, at UserInfo and in introspection to this client only.
    #[serde(default)]
    pub claims: BTreeMap<String, String>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl From<Client> for ClientView {
    fn from(c: Client) -> Self {
        ClientView {
            client_id: c.id,
            name: c.name,
            redirect_uris: c.redirect_uris,
            public: c.public,
            pkce: if c.pkce_required {
                PkcePolicy::Required
            } else {
                PkcePolicy::Optional
            },
            first_party: c.first_party,
            id_token_alg: c.id_token_alg.to_string(),
            logo_uri: c.meta.logo_uri,
            client_uri: c.meta.client_uri,
            policy_uri: c.meta.policy_uri,
            tos_uri: c.meta.tos_uri,
            brand_color: c.meta.brand_color,
            allowed_scopes: c.meta.allowed_scopes,
            access_token_ttl_seconds: c.meta.access_token_ttl_seconds,
            id_token_ttl_seconds: c.meta.id_token_ttl_seconds,
            refresh_token_ttl_seconds: c.meta.refresh_token_ttl_seconds,
            backchannel_logout_uri: c.meta.backchannel_logout_uri,
            backchannel_logout_session_required: c.meta.backchannel_logout_session_required,
            claims: BTreeMap::new(),
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

/// A client to register.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewClientRequest {
    pub name: String,
    /// Exact redirect URIs: https, http only on loopback, or a reverse-domain scheme for
    /// public native apps.
    pub redirect_uris: Vec<String>,
    /// Default false (a confidential client with a secret).
    #[serde(default)]
    pub public: bool,
    /// Default `required`; `optional` only for confidential clients.
    pub pkce: Option<PkcePolicy>,
    /// Default true.
    pub first_party: Option<bool>,
    /// Default: the server's `tokens.default_id_token_alg`.
    pub id_token_alg: Option<String>,
    pub logo_uri: Option<String>,
    pub client_uri: Option<String>,
    pub policy_uri: Option<String>,
    pub tos_uri: Option<String>,
    pub brand_color: Option<String>,
    pub allowed_scopes: Option<Vec<String>>,
    pub access_token_ttl_seconds: Option<i64>,
    pub id_token_ttl_seconds: Option<i64>,
    pub refresh_token_ttl_seconds: Option<i64>,
    /// https (http only on loopback): where logout tokens are sent.
    pub backchannel_logout_uri: Option<String>,
    /// Default false.
    pub backchannel_logout_session_required: Option<bool>,
    /// Exact URIs RP-initiated logout may return to.
    pub post_logout_redirect_uris: Option<Vec<String>>,
    /// Default: authorization_code and refresh_token; `client_credentials` for machines.
    pub grant_types: Option<Vec<String>>,
    /// Issue refresh tokens on every code exchange, even without offline_access.
    pub always_issue_refresh_token: Option<bool>,
    /// Extra (API) scopes, space-separated: what a client_credentials client may get.
    pub scope: Option<String>,
    /// Mapped claims: claim name → person attribute. A claim name may not be a standard or
    /// registered claim (`sub`, `email`, `groups`, …).
    pub claims: Option<BTreeMap<String, String>>,
}

/// A registered client and, for a confidential one, its secret: shown only in this answer.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ClientCreated {
    #[serde(flatten)]
    pub client: ClientView,
    /// Only for confidential clients (absent for public ones); Sesame keeps only a keyed
    /// hash of it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
}

/// A new client secret, shown only in this answer.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ClientSecret {
    pub client_id: String,
    pub client_secret: String,
}

/// Changes to a client (JSON merge patch, RFC 7396): absent fields stay as they are,
/// `null` clears an optional field.
// The optional fields are double options (serde_with's `double_option`): absent is `None`,
// `null` is `Some(None)`, a value is `Some(Some(v))`. (A plain comment: the doc comment is
// the OpenAPI description.)
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClientPatch {
    pub name: Option<String>,
    pub redirect_uris: Option<Vec<String>>,
    /// Cannot be changed; accepted only when equal to the current value.
    pub public: Option<bool>,
    pub pkce: Option<PkcePolicy>,
    pub first_party: Option<bool>,
    pub id_token_alg: Option<String>,
    #[serde(
        default,
        with = "::serde_with::rust::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<String>)]
    pub logo_uri: Option<Option<String>>,
    #[serde(
        default,
        with = "::serde_with::rust::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<String>)]
    pub client_uri: Option<Option<String>>,
    #[serde(
        default,
        with = "::serde_with::rust::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<String>)]
    pub policy_uri: Option<Option<String>>,
    #[serde(
        default,
        with = "::serde_with::rust::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<String>)]
    pub tos_uri: Option<Option<String>>,
    #[serde(
        default,
        with = "::serde_with::rust::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<String>)]
    pub brand_color: Option<Option<String>>,
    #[serde(
        default,
        with = "::serde_with::rust::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<Vec<String>>)]
    pub allowed_scopes: Option<Option<Vec<String>>>,
    #[serde(
        default,
        with = "::serde_with::rust::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<i64>)]
    pub access_token_ttl_seconds: Option<Option<i64>>,
    #[serde(
        default,
        with = "::serde_with::rust::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<i64>)]
    pub id_token_ttl_seconds: Option<Option<i64>>,
    #[serde(
        default,
        with = "::serde_with::rust::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<i64>)]
    pub refresh_token_ttl_seconds: Option<Option<i64>>,
    #[serde(
        default,
        with = "::serde_with::rust::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<String>)]
    pub backchannel_logout_uri: Option<Option<String>>,
    pub backchannel_logout_session_required: Option<bool>,
    /// Mapped claims, merged: `{"policy": "minio_policy"}` maps the claim `policy` to the
    /// attribute `minio_policy`, `{"policy": null}` removes it; `null` removes them all.
    #[serde(
        default,
        with = "::serde_with::rust::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<BTreeMap<String, Option<String>>>)]
    pub claims: Option<Option<BTreeMap<String, Option<String>>>>,
}

async fn load(ctx: &Ctx<'_>, id: &str) -> Result<Client, AdminError> {
    ctx.store
        .get_client(id)
        .await?
        .ok_or_else(|| AdminError::not_found("client", id))
}

/// The view of a client, with its claim mappings.
async fn view(ctx: &Ctx<'_>, c: Client) -> Result<ClientView, AdminError> {
    let claims = ctx.store.client_claims(&c.id).await?;
    Ok(ClientView { claims, ..c.into() })
}

pub async fn create_client(
    ctx: &Ctx<'_>,
    r: NewClientRequest,
) -> Result<ClientCreated, AdminError> {
    let name = valid_name("name", &r.name)?;
    let pkce = r.pkce.unwrap_or(PkcePolicy::Required);
    if r.public && pkce == PkcePolicy::Optional {
        return Err(AdminError::invalid(
            "pkce",
            "public clients always require PKCE",
        ));
    }
    // No redirect URI is valid only for a client without the authorization_code grant, which
    // crate::clients::validate decides.
    let redirect_uris = if r.redirect_uris.is_empty() {
        vec![]
    } else {
        valid_redirect_uris(r.redirect_uris.clone(), r.public)?
    };
    let alg = valid_alg(
        r.id_token_alg
            .as_deref()
            .unwrap_or(ctx.config.tokens.default_id_token_alg.as_str()),
    )?;
    let meta = meta_of(&r)?;
    let claims = patch_claims(
        &BTreeMap::new(),
        r.claims
            .unwrap_or_default()
            .into_iter()
            .map(|(k, v)| (k, Some(v)))
            .collect(),
    )?;
    let reg = clients::register_with_meta(
        ctx.store,
        ctx.secrets,
        ctx.now,
        NewClient {
            name,
            redirect_uris,
            public: r.public,
            pkce_required: pkce == PkcePolicy::Required,
            first_party: r.first_party.unwrap_or(true),
            id_token_alg: alg,
            post_logout_redirect_uris: r.post_logout_redirect_uris.unwrap_or_default(),
            grant_types: r.grant_types.unwrap_or_default(),
            always_issue_refresh_token: r.always_issue_refresh_token.unwrap_or(false),
            scope: r.scope.unwrap_or_default(),
            dynamic: false,
        },
        meta,
    )
    .await?;
    if !claims.is_empty() {
        ctx.store.set_client_claims(&reg.client_id, &claims).await?;
    }
    let client = load(ctx, &reg.client_id).await?;
    ctx.audit(
        AuditEvent::AdminClientCreated {
            name: &client.name,
            public: client.public,
        },
        None,
        Some(&client.id),
    )
    .await?;
    Ok(ClientCreated {
        client: view(ctx, client).await?,
        client_secret: reg.client_secret,
    })
}

/// The longest client search.
pub const MAX_SEARCH_CHARS: usize = 100;

/// A page of clients, oldest first; with `search`, those whose name or client id contains
/// it (case-insensitive). The cursor belongs to the search it came from.
pub async fn list_clients(
    ctx: &Ctx<'_>,
    p: &PageParams,
    search: Option<&str>,
) -> Result<Page<ClientView>, AdminError> {
    let limit = p.limit()?;
    let after: Option<(i64, String)> = p.cursor()?;
    if search.is_some_and(|s| s.chars().count() > MAX_SEARCH_CHARS) {
        return Err(AdminError::invalid(
            "search",
            format!("at most {MAX_SEARCH_CHARS} characters"),
        ));
    }
    let rows = ctx
        .store
        .list_clients_page(
            after.as_ref().map(|(t, id)| (*t, id.as_str())),
            limit + 1,
            search,
        )
        .await?;
    let mut page = Page::from_rows(
        rows,
        limit,
        |c| (c.created_at, c.id.clone()),
        ClientView::from,
    );
    for c in &mut page.items {
        c.claims = ctx.store.client_claims(&c.client_id).await?;
    }
    ctx.audit(
        AuditEvent::AdminClientsListed {
            count: page.items.len(),
        },
        None,
        None,
    )
    .await?;
    Ok(page)
}

pub async fn get_client(ctx: &Ctx<'_>, id: &str) -> Result<ClientView, AdminError> {
    let c = load(ctx, id).await?;
    ctx.audit(AuditEvent::AdminClientViewed {}, None, Some(&c.id))
        .await?;
    view(ctx, c).await
}

pub async fn update_client(
    ctx: &Ctx<'_>,
    id: &str,
    patch: ClientPatch,
) -> Result<ClientView, AdminError> {
    refuse_console_client(id)?;
    let mut c = load(ctx, id).await?;
    let before = c.clone();
    if patch.public.is_some_and(|p| p != c.public) {
        return Err(AdminError::invalid(
            "public",
            "a client cannot change between public and confidential; register a new one",
        ));
    }
    if let Some(n) = &patch.name {
        c.name = valid_name("name", n)?;
    }
    if let Some(u) = patch.redirect_uris {
        c.redirect_uris = valid_redirect_uris(u, c.public)?;
    }
    if let Some(p) = patch.pkce {
        if c.public && p == PkcePolicy::Optional {
            return Err(AdminError::invalid(
                "pkce",
                "public clients always require PKCE",
            ));
        }
        c.pkce_required = p == PkcePolicy::Required;
    }
    if let Some(f) = patch.first_party {
        c.first_party = f;
    }
    if let Some(a) = &patch.id_token_alg {
        c.id_token_alg = valid_alg(a)?;
    }
    let m = &mut c.meta;
    if let Some(v) = patch.logo_uri {
        m.logo_uri = opt_url("logo_uri", v, true)?;
    }
    if let Some(v) = patch.client_uri {
        m.client_uri = opt_url("client_uri", v, false)?;
    }
    if let Some(v) = patch.policy_uri {
        m.policy_uri = opt_url("policy_uri", v, false)?;
    }
    if let Some(v) = patch.tos_uri {
        m.tos_uri = opt_url("tos_uri", v, false)?;
    }
    if let Some(v) = patch.brand_color {
        m.brand_color = valid_color(v)?;
    }
    if let Some(v) = patch.allowed_scopes {
        m.allowed_scopes = valid_scopes(v)?;
    }
    if let Some(v) = patch.access_token_ttl_seconds {
        m.access_token_ttl_seconds = valid_ttl("access_token_ttl_seconds", v, 30, TTL_MAX)?;
    }
    if let Some(v) = patch.id_token_ttl_seconds {
        m.id_token_ttl_seconds = valid_ttl("id_token_ttl_seconds", v, 30, TTL_MAX)?;
    }
    if let Some(v) = patch.refresh_token_ttl_seconds {
        m.refresh_token_ttl_seconds =
            valid_ttl("refresh_token_ttl_seconds", v, 60, REFRESH_TTL_MAX)?;
    }
    if let Some(v) = patch.backchannel_logout_uri {
        m.backchannel_logout_uri = opt_backchannel_uri(v)?;
    }
    if let Some(v) = patch.backchannel_logout_session_required {
        m.backchannel_logout_session_required = v;
    }
    let claims_before = ctx.store.client_claims(&c.id).await?;
    let claims = match patch.claims {
        None => claims_before.clone(),
        Some(None) => BTreeMap::new(),
        Some(Some(p)) => patch_claims(&claims_before, p)?,
    };
    let mut changed = changed_fields(&before, &c);
    if claims != claims_before {
        changed.push("claims");
    }
    if !changed.is_empty() {
        c.updated_at = ctx.now;
        if !ctx.store.update_client(&c).await? {
            return Err(AdminError::not_found("client", id));
        }
    }
    if claims != claims_before {
        ctx.store.set_client_claims(&c.id, &claims).await?;
    }
    ctx.audit(
        AuditEvent::AdminClientUpdated { changed: &changed },
        None,
        Some(&c.id),
    )
    .await?;
    Ok(ClientView { claims, ..c.into() })
}

/// The names of the fields that differ (for the audit event).
fn changed_fields(a: &Client, b: &Client) -> Vec<&'static str> {
    let va = serde_json::to_value(ClientView::from(a.clone())).unwrap_or_default();
    let vb = serde_json::to_value(ClientView::from(b.clone())).unwrap_or_default();
    const FIELDS: &[&str] = &[
        "name",
        "redirect_uris",
        "pkce",
        "first_party",
        "id_token_alg",
        "logo_uri",
        "client_uri",
        "policy_uri",
        "tos_uri",
        "brand_color",
        "allowed_scopes",
        "access_token_ttl_seconds",
        "id_token_ttl_seconds",
        "refresh_token_ttl_seconds",
        "backchannel_logout_uri",
        "backchannel_logout_session_required",
    ];
    FIELDS
        .iter()
        .copied()
        .filter(|f| va.get(f) != vb.get(f))
        .collect()
}

/// Issues a new secret to a confidential client; the old one stops working at once.
pub async fn rotate_secret(ctx: &Ctx<'_>, id: &str) -> Result<ClientSecret, AdminError> {
    refuse_console_client(id)?;
    let mut c = load(ctx, id).await?;
    if c.public {
        return Err(AdminError::Conflict(
            "a public client has no secret to rotate".into(),
        ));
    }
    let secret = random_token(32)?;
    c.secret_hash = Some(clients::secret_hash(ctx.secrets, &c.id, &secret));
    c.updated_at = ctx.now;
    if !ctx.store.update_client(&c).await? {
        return Err(AdminError::not_found("client", id));
    }
    ctx.audit(AuditEvent::AdminClientSecretRotated {}, None, Some(&c.id))
        .await?;
    Ok(ClientSecret {
        client_id: c.id,
        client_secret: secret,
    })
}

/// Deletes a client and everything issued to it. Returns whether it existed (deleting an
/// absent client is not an error: the operation is idempotent).
pub async fn delete_client(ctx: &Ctx<'_>, id: &str) -> Result<bool, AdminError> {
    let existed = ctx.store.delete_client(id).await?;
    ctx.audit(AuditEvent::AdminClientDeleted { existed }, None, Some(id))
        .await?;
    Ok(existed)
}

/// Validates the optional metadata of a new client.
fn meta_of(r: &NewClientRequest) -> Result<ClientMeta, AdminError> {
    Ok(ClientMeta {
        logo_uri: opt_url("logo_uri", r.logo_uri.clone(), true)?,
        client_uri: opt_url("client_uri", r.client_uri.clone(), false)?,
        policy_uri: opt_url("policy_uri", r.policy_uri.clone(), false)?,
        tos_uri: opt_url("tos_uri", r.tos_uri.clone(), false)?,
        brand_color: valid_color(r.brand_color.clone())?,
        allowed_scopes: valid_scopes(r.allowed_scopes.clone())?,
        access_token_ttl_seconds: valid_ttl(
            "access_token_ttl_seconds",
            r.access_token_ttl_seconds,
            30,
            TTL_MAX,
        )?,
        id_token_ttl_seconds: valid_ttl(
            "id_token_ttl_seconds",
            r.id_token_ttl_seconds,
            30,
            TTL_MAX,
        )?,
        refresh_token_ttl_seconds: valid_ttl(
            "refresh_token_ttl_seconds",
            r.refresh_token_ttl_seconds,
            60,
            REFRESH_TTL_MAX,
        )?,
        backchannel_logout_uri: opt_backchannel_uri(r.backchannel_logout_uri.clone())?,
        backchannel_logout_session_required: r.backchannel_logout_session_required.unwrap_or(false),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_patch_tells_absent_from_null() {
        let p: ClientPatch = serde_json::from_str(r#"{"logo_uri": null}"#).unwrap();
        assert_eq!(p.logo_uri, Some(None));
        assert_eq!(p.client_uri, None);
        let p: ClientPatch = serde_json::from_str(r#"{"access_token_ttl_seconds": 120}"#).unwrap();
        assert_eq!(p.access_token_ttl_seconds, Some(Some(120)));
        assert!(serde_json::from_str::<ClientPatch>(r#"{"nmae": "x"}"#).is_err());
    }

    #[test]
    fn merge_patch_serializes_absent_as_absent_and_null_as_null() {
        let doc = serde_json::json!({ "logo_uri": null, "allowed_scopes": ["a"] });
        let p: ClientPatch = serde_json::from_value(doc).unwrap();
        let back = serde_json::to_value(&p).unwrap();
        assert!(back.get("logo_uri").is_some_and(|v| v.is_null()), "{back}");
        assert_eq!(back["allowed_scopes"], serde_json::json!(["a"]));
        assert!(
            back.get("client_uri").is_none(),
            "absent stays absent: {back}"
        );
    }
}
