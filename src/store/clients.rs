//! Registered relying parties.

use serde::{Deserialize, Serialize};

use super::{from_json, to_json, Store, StoreResult};
use crate::jose::SigningAlg;
use crate::with_pool;

/// A registered client as stored. `secret_hash` is a keyed hash, never the secret.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Client {
    pub id: String,
    pub name: String,
    #[serde(skip)]
    pub secret_hash: Option<Vec<u8>>,
    pub redirect_uris: Vec<String>,
    /// Public clients (SPAs, mobile apps) have no secret and must use PKCE.
    pub public: bool,
    /// Confidential clients may be registered with PKCE optional; public ones never.
    pub pkce_required: bool,
    /// First-party clients get no consent screen.
    pub first_party: bool,
    pub id_token_alg: SigningAlg,
    pub created_at: i64,
    pub updated_at: i64,
    /// Where RP-initiated logout may send the browser back to (exact match).
    pub post_logout_redirect_uris: Vec<String>,
    /// Grant types the client may use at the token endpoint.
    pub grant_types: Vec<String>,
    /// Issue a refresh token on every code exchange, even without `offline_access`.
    pub always_issue_refresh_token: bool,
    /// Extra (API) scopes the client may request, space-separated.
    pub scope: String,
    /// Registered through dynamic client registration (RFC 7591).
    pub dynamic: bool,
    /// What the hosted pages show about the client, and its per-client policy.
    #[serde(flatten)]
    pub meta: ClientMeta,
}

/// Optional client metadata (RFC 7591 names where one exists) and per-client policy.
/// Every field is optional; `None` means "not shown" or "the server default".
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct ClientMeta {
    /// An https URL of the client's logo, shown on the sign-in pages.
    pub logo_uri: Option<String>,
    /// The client's home page.
    pub client_uri: Option<String>,
    /// The client's privacy policy.
    pub policy_uri: Option<String>,
    /// The client's terms of service.
    pub tos_uri: Option<String>,
    /// Accent colour of the sign-in pages, `#rrggbb`.
    pub brand_color: Option<String>,
    /// Scopes this client may obtain; others are dropped at /authorize. `None` = every
    /// supported scope. `openid` is always allowed.
    pub allowed_scopes: Option<Vec<String>>,
    pub access_token_ttl_seconds: Option<i64>,
    pub id_token_ttl_seconds: Option<i64>,
    /// Lifetime of refresh tokens issued to this client (for the refresh-token grant).
    pub refresh_token_ttl_seconds: Option<i64>,
    /// Where the client is told, server to server, that a sign-in it has a session in
    /// ended (OpenID Connect Back-Channel Logout 1.0).
    #[serde(default)]
    pub backchannel_logout_uri: Option<String>,
    /// The client needs the `sid` claim in its logout tokens.
    #[serde(default)]
    pub backchannel_logout_session_required: bool,
}

impl Client {
    pub fn allows_grant(&self, grant_type: &str) -> bool {
        self.grant_types.iter().any(|g| g == grant_type)
    }

    /// The extra scopes the client was registered with.
    pub fn registered_scopes(&self) -> impl Iterator<Item = &str> {
        self.scope.split(' ').filter(|s| !s.is_empty())
    }

    /// Whether the client may obtain `scope` (`openid` always).
    pub fn allows_scope(&self, scope: &str) -> bool {
        scope_allowed(self.meta.allowed_scopes.as_deref(), scope)
    }

    /// The access-token lifetime for this client.
    pub fn access_token_ttl(&self, default: i64) -> i64 {
        self.meta.access_token_ttl_seconds.unwrap_or(default)
    }

    /// The ID-token lifetime for this client.
    pub fn id_token_ttl(&self, default: i64) -> i64 {
        self.meta.id_token_ttl_seconds.unwrap_or(default)
    }

    /// The refresh-token lifetime for this client.
    pub fn refresh_token_ttl(&self, default: i64) -> i64 {
        self.meta.refresh_token_ttl_seconds.unwrap_or(default)
    }
}

/// Whether a client with this allow list (`None`: every scope) may obtain `scope`;
/// `openid` always.
pub fn scope_allowed(allowed_scopes: Option<&[String]>, scope: &str) -> bool {
    scope == "openid" || allowed_scopes.is_none_or(|list| list.iter().any(|s| s == scope))
}

/// The grant types of a client registered without saying.
pub fn default_grant_types() -> Vec<String> {
    vec!["authorization_code".into(), "refresh_token".into()]
}

#[derive(sqlx::FromRow)]
pub(super) struct ClientRow {
    id: String,
    name: String,
    secret_hash: Option<Vec<u8>>,
    redirect_uris: String,
    public: bool,
    pkce_required: bool,
    first_party: bool,
    id_token_alg: SigningAlg,
    created_at: i64,
    updated_at: i64,
    post_logout_redirect_uris: String,
    grant_types: String,
    always_issue_refresh_token: bool,
    scope: String,
    dynamic: bool,
    logo_uri: Option<String>,
    client_uri: Option<String>,
    policy_uri: Option<String>,
    tos_uri: Option<String>,
    brand_color: Option<String>,
    allowed_scopes: Option<String>,
    access_token_ttl_seconds: Option<i64>,
    id_token_ttl_seconds: Option<i64>,
    refresh_token_ttl_seconds: Option<i64>,
    backchannel_logout_uri: Option<String>,
    backchannel_logout_session_required: bool,
}

impl TryFrom<ClientRow> for Client {
    type Error = super::StoreError;
    fn try_from(r: ClientRow) -> StoreResult<Client> {
        Ok(Client {
            id: r.id,
            name: r.name,
            secret_hash: r.secret_hash,
            redirect_uris: from_json(&r.redirect_uris)?,
            public: r.public,
            pkce_required: r.pkce_required,
            first_party: r.first_party,
            id_token_alg: r.id_token_alg,
            created_at: r.created_at,
            updated_at: r.updated_at,
            post_logout_redirect_uris: from_json(&r.post_logout_redirect_uris)?,
            grant_types: from_json(&r.grant_types)?,
            always_issue_refresh_token: r.always_issue_refresh_token,
            scope: r.scope,
            dynamic: r.dynamic,
            meta: ClientMeta {
                logo_uri: r.logo_uri,
                client_uri: r.client_uri,
                policy_uri: r.policy_uri,
                tos_uri: r.tos_uri,
                brand_color: r.brand_color,
                allowed_scopes: r.allowed_scopes.as_deref().map(from_json).transpose()?,
                access_token_ttl_seconds: r.access_token_ttl_seconds,
                id_token_ttl_seconds: r.id_token_ttl_seconds,
                refresh_token_ttl_seconds: r.refresh_token_ttl_seconds,
                backchannel_logout_uri: r.backchannel_logout_uri,
                backchannel_logout_session_required: r.backchannel_logout_session_required,
            },
        })
    }
}

pub(super) const COLUMNS: &str = "id, name, secret_hash, redirect_uris, public, pkce_required, first_party, \
                       id_token_alg, created_at, updated_at, post_logout_redirect_uris, \
                       grant_types, always_issue_refresh_token, scope, dynamic, logo_uri, client_uri, \
                       policy_uri, tos_uri, brand_color, allowed_scopes, access_token_ttl_seconds, \
                       id_token_ttl_seconds, refresh_token_ttl_seconds, backchannel_logout_uri, \
                       backchannel_logout_session_required";

impl Store {
    pub async fn insert_client(&self, c: &Client) -> StoreResult<()> {
        let uris = to_json(&c.redirect_uris);
        let logout_uris = to_json(&c.post_logout_redirect_uris);
        let grant_types = to_json(&c.grant_types);
        let scopes = c.meta.allowed_scopes.as_ref().map(to_json);
        let m = &c.meta;
        with_pool!(&self.db, pool => {
            sqlx::query(
                "INSERT INTO clients (id, name, secret_hash, redirect_uris, public, pkce_required, \
                 first_party, id_token_alg, created_at, updated_at, post_logout_redirect_uris, \
                 grant_types, always_issue_refresh_token, scope, dynamic, logo_uri, client_uri, \
                 policy_uri, tos_uri, brand_color, allowed_scopes, access_token_ttl_seconds, \
                 id_token_ttl_seconds, refresh_token_ttl_seconds, backchannel_logout_uri, \
                 backchannel_logout_session_required) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, \
                 $17, $18, $19, $20, $21, $22, $23, $24, $25, $26)",
            )
            .bind(&c.id)
            .bind(&c.name)
            .bind(&c.secret_hash)
            .bind(&uris)
            .bind(c.public)
            .bind(c.pkce_required)
            .bind(c.first_party)
            .bind(c.id_token_alg.as_str())
            .bind(c.created_at)
            .bind(c.updated_at)
            .bind(&logout_uris)
            .bind(&grant_types)
            .bind(c.always_issue_refresh_token)
            .bind(&c.scope)
            .bind(c.dynamic)
            .bind(&m.logo_uri)
            .bind(&m.client_uri)
            .bind(&m.policy_uri)
            .bind(&m.tos_uri)
            .bind(&m.brand_color)
            .bind(&scopes)
            .bind(m.access_token_ttl_seconds)
            .bind(m.id_token_ttl_seconds)
            .bind(m.refresh_token_ttl_seconds)
            .bind(&m.backchannel_logout_uri)
            .bind(m.backchannel_logout_session_required)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// Replaces every mutable field of a client (its id and creation time stay).
    pub async fn update_client(&self, c: &Client) -> StoreResult<bool> {
        let uris = to_json(&c.redirect_uris);
        let logout_uris = to_json(&c.post_logout_redirect_uris);
        let grant_types = to_json(&c.grant_types);
        let scopes = c.meta.allowed_scopes.as_ref().map(to_json);
        let m = &c.meta;
        let n = with_pool!(&self.db, pool => {
            sqlx::query(
                "UPDATE clients SET name = $1, secret_hash = $2, redirect_uris = $3, public = $4, \
                 pkce_required = $5, first_party = $6, id_token_alg = $7, updated_at = $8, \
                 post_logout_redirect_uris = $10, grant_types = $11, \
                 always_issue_refresh_token = $12, scope = $13, \
                 logo_uri = $14, client_uri = $15, policy_uri = $16, tos_uri = $17, \
                 brand_color = $18, allowed_scopes = $19, access_token_ttl_seconds = $20, \
                 id_token_ttl_seconds = $21, refresh_token_ttl_seconds = $22, \
                 backchannel_logout_uri = $23, backchannel_logout_session_required = $24 \
                 WHERE id = $9",
            )
            .bind(&c.name)
            .bind(&c.secret_hash)
            .bind(&uris)
            .bind(c.public)
            .bind(c.pkce_required)
            .bind(c.first_party)
            .bind(c.id_token_alg.as_str())
            .bind(c.updated_at)
            .bind(&c.id)
            .bind(&logout_uris)
            .bind(&grant_types)
            .bind(c.always_issue_refresh_token)
            .bind(&c.scope)
            .bind(&m.logo_uri)
            .bind(&m.client_uri)
            .bind(&m.policy_uri)
            .bind(&m.tos_uri)
            .bind(&m.brand_color)
            .bind(&scopes)
            .bind(m.access_token_ttl_seconds)
            .bind(m.id_token_ttl_seconds)
            .bind(m.refresh_token_ttl_seconds)
            .bind(&m.backchannel_logout_uri)
            .bind(m.backchannel_logout_session_required)
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(n == 1)
    }

    pub async fn get_client(&self, id: &str) -> StoreResult<Option<Client>> {
        let sql = format!("SELECT {COLUMNS} FROM clients WHERE id = $1");
        let row: Option<ClientRow> = with_pool!(&self.db, pool => {
            sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?
        });
        row.map(Client::try_from).transpose()
    }

    pub async fn list_clients(&self) -> StoreResult<Vec<Client>> {
        let sql = format!("SELECT {COLUMNS} FROM clients ORDER BY created_at, id");
        let rows: Vec<ClientRow> = with_pool!(&self.db, pool => {
            sqlx::query_as(&sql).fetch_all(pool).await?
        });
        rows.into_iter().map(Client::try_from).collect()
    }

    /// One page of clients in creation order, after the `(created_at, id)` cursor.
    /// A page of clients, oldest first; with `search`, only those whose name or id contains
    /// it (case-insensitive for ASCII letters on SQLite, for all letters on PostgreSQL).
    pub async fn list_clients_page(
        &self,
        after: Option<(i64, &str)>,
        limit: i64,
        search: Option<&str>,
    ) -> StoreResult<Vec<Client>> {
        let (at, id) = after.unwrap_or((i64::MIN, ""));
        let pattern = match search.map(str::trim).filter(|s| !s.is_empty()) {
            Some(s) => format!("%{}%", like_escape(&s.to_lowercase())),
            None => "%".to_owned(),
        };
        let sql = format!(
            "SELECT {COLUMNS} FROM clients WHERE (created_at > $1 OR (created_at = $1 AND id > $2)) \
             AND (lower(name) LIKE $4 ESCAPE '\\' OR lower(id) LIKE $4 ESCAPE '\\') \
             ORDER BY created_at, id LIMIT $3"
        );
        let rows: Vec<ClientRow> = with_pool!(&self.db, pool => {
            sqlx::query_as(&sql)
                .bind(at)
                .bind(id)
                .bind(limit)
                .bind(&pattern)
                .fetch_all(pool)
                .await?
        });
        rows.into_iter().map(Client::try_from).collect()
    }

    pub async fn delete_client(&self, id: &str) -> StoreResult<bool> {
        let n = with_pool!(&self.db, pool => {
            sqlx::query("DELETE FROM clients WHERE id = $1")
                .bind(id)
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(n == 1)
    }
}

/// `s` as a literal inside a LIKE pattern whose escape character is `\`.
fn like_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
