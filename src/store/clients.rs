//! Registered relying parties.

use serde::{Deserialize, Serialize};

use super::{from_json, to_json, Store, StoreResult};
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
    pub id_token_alg: String,
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
}

impl Client {
    pub fn allows_grant(&self, grant_type: &str) -> bool {
        self.grant_types.iter().any(|g| g == grant_type)
    }

    /// The extra scopes the client was registered with.
    pub fn registered_scopes(&self) -> impl Iterator<Item = &str> {
        self.scope.split(' ').filter(|s| !s.is_empty())
    }
}

/// The grant types of a client registered without saying.
pub fn default_grant_types() -> Vec<String> {
    vec!["authorization_code".into(), "refresh_token".into()]
}

#[derive(sqlx::FromRow)]
struct ClientRow {
    id: String,
    name: String,
    secret_hash: Option<Vec<u8>>,
    redirect_uris: String,
    public: bool,
    pkce_required: bool,
    first_party: bool,
    id_token_alg: String,
    created_at: i64,
    updated_at: i64,
    post_logout_redirect_uris: String,
    grant_types: String,
    always_issue_refresh_token: bool,
    scope: String,
    dynamic: bool,
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
        })
    }
}

const COLUMNS: &str = "id, name, secret_hash, redirect_uris, public, pkce_required, first_party, \
                       id_token_alg, created_at, updated_at, post_logout_redirect_uris, \
                       grant_types, always_issue_refresh_token, scope, dynamic";

impl Store {
    pub async fn insert_client(&self, c: &Client) -> StoreResult<()> {
        let uris = to_json(&c.redirect_uris);
        let logout_uris = to_json(&c.post_logout_redirect_uris);
        let grant_types = to_json(&c.grant_types);
        with_pool!(&self.db, pool => {
            sqlx::query(
                "INSERT INTO clients (id, name, secret_hash, redirect_uris, public, pkce_required, \
                 first_party, id_token_alg, created_at, updated_at, post_logout_redirect_uris, \
                 grant_types, always_issue_refresh_token, scope, dynamic) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
            )
            .bind(&c.id)
            .bind(&c.name)
            .bind(&c.secret_hash)
            .bind(&uris)
            .bind(c.public)
            .bind(c.pkce_required)
            .bind(c.first_party)
            .bind(&c.id_token_alg)
            .bind(c.created_at)
            .bind(c.updated_at)
            .bind(&logout_uris)
            .bind(&grant_types)
            .bind(c.always_issue_refresh_token)
            .bind(&c.scope)
            .bind(c.dynamic)
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
        let n = with_pool!(&self.db, pool => {
            sqlx::query(
                "UPDATE clients SET name = $1, secret_hash = $2, redirect_uris = $3, public = $4, \
                 pkce_required = $5, first_party = $6, id_token_alg = $7, updated_at = $8, \
                 post_logout_redirect_uris = $10, grant_types = $11, \
                 always_issue_refresh_token = $12, scope = $13 \
                 WHERE id = $9",
            )
            .bind(&c.name)
            .bind(&c.secret_hash)
            .bind(&uris)
            .bind(c.public)
            .bind(c.pkce_required)
            .bind(c.first_party)
            .bind(&c.id_token_alg)
            .bind(c.updated_at)
            .bind(&c.id)
            .bind(&logout_uris)
            .bind(&grant_types)
            .bind(c.always_issue_refresh_token)
            .bind(&c.scope)
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
