//! The rest of the console: signing keys (list, rotate), the audit trail (filters,
//! paging), review accounts, admin tokens (created and shown once, revoked) and the
//! console's admins. Each action is the shared operation.

use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;

use super::session::ConsoleAdmin;
use super::{age, done, page_error, refused, when, when_opt, Chrome};
use crate::admin::auth::{self as tokens, AdminTokenView};
use crate::admin::ops::admins::{self, AdminView};
use crate::admin::ops::audit::{self, AuditEventView, AuditQuery};
use crate::admin::ops::keys::{self, KeyView, RotateRequest};
use crate::admin::ops::review::{self, NewReviewAccount, ReviewAccountView};
use crate::csrf::{CsrfForm, CsrfProtected};
use crate::error::{render, PageError};
use crate::forms::PageQuery;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/console/keys", get(keys_page))
        .route("/admin/console/keys/rotate", post(rotate))
        .route("/admin/console/audit", get(audit_page))
        .route("/admin/console/review", get(review_page).post(add_review))
        .route("/admin/console/review/remove", post(remove_review))
        .route("/admin/console/tokens", get(tokens_page).post(create_token))
        .route("/admin/console/tokens/revoke", post(revoke_token))
        .route("/admin/console/admins", get(admins_page).post(add_admin))
        .route("/admin/console/admins/remove", post(remove_admin))
}

/// A form with one value besides its anti-CSRF token.
#[derive(Deserialize)]
struct OneField {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    value: String,
}

impl CsrfProtected for OneField {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

#[derive(askama::Template)]
#[template(path = "console/keys.html")]
struct KeysPage {
    c: Chrome,
    keys: Vec<KeyView>,
    now: i64,
}

impl KeysPage {
    fn when(&self, t: &i64) -> String {
        when(t)
    }
    fn when_opt(&self, t: &Option<i64>) -> String {
        when_opt(t)
    }
    fn age(&self, t: &i64) -> String {
        age(&(self.now - *t).max(0))
    }
}

async fn keys_page(
    State(state): State<AppState>,
    admin: ConsoleAdmin,
) -> Result<Response, PageError> {
    let page = keys::list_keys(&admin.ctx(&state))
        .await
        .map_err(page_error)?;
    render(&KeysPage {
        c: Chrome::of(&state, &admin, "keys").await?,
        keys: page.items,
        now: state.now(),
    })
}

/// POST /admin/console/keys/rotate (after a recent sign-in): `value` is `RS256`, `ES256`
/// or empty for both; the configured timing applies.
async fn rotate(
    State(state): State<AppState>,
    admin: ConsoleAdmin,
    CsrfForm(f): CsrfForm<OneField>,
) -> Result<Response, PageError> {
    if let Some(r) = admin.require_recent("/admin/console/keys").await? {
        return Ok(r);
    }
    let alg = Some(f.value.trim().to_string()).filter(|a| !a.is_empty());
    let r = keys::rotate_keys(
        &admin.ctx(&state),
        &state.keys,
        RotateRequest {
            alg,
            prepublish_seconds: None,
            retain_seconds: None,
        },
    )
    .await
    .map_err(page_error)?;
    let kids: Vec<&str> = r.rotated.iter().map(|k| k.kid.as_str()).collect();
    done(
        &admin.session,
        "/admin/console/keys",
        format!("New keys published: {}.", kids.join(", ")),
    )
    .await
}

#[derive(askama::Template)]
#[template(path = "console/audit.html")]
struct AuditPage {
    c: Chrome,
    q: AuditQuery,
    events: Vec<AuditEventView>,
    next: Option<String>,
    error: Option<String>,
}

impl AuditPage {
    fn when(&self, t: &i64) -> String {
        when(t)
    }
    fn field<'a>(&self, v: &'a Option<String>) -> &'a str {
        v.as_deref().unwrap_or("")
    }
    /// The address of the next page: the same filters and the cursor.
    fn next_href(&self, cursor: &str) -> String {
        let mut out = url::form_urlencoded::Serializer::new(String::new());
        let q = &self.q;
        for (k, v) in [
            ("kind", &q.kind),
            ("user_id", &q.user_id),
            ("client_id", &q.client_id),
            ("since", &q.since),
            ("until", &q.until),
        ] {
            if let Some(v) = v {
                out.append_pair(k, v);
            }
        }
        if let Some(l) = q.limit {
            out.append_pair("limit", &l.to_string());
        }
        out.append_pair("cursor", cursor);
        format!("/admin/console/audit?{}", out.finish())
    }
}

/// GET /admin/console/audit?kind&user_id&client_id&since&until&cursor: filters of opaque
/// ids, kinds and times only (no personal data in the address).
async fn audit_page(
    State(state): State<AppState>,
    admin: ConsoleAdmin,
    PageQuery(mut q): PageQuery<AuditQuery>,
) -> Result<Response, PageError> {
    for v in [
        &mut q.kind,
        &mut q.user_id,
        &mut q.client_id,
        &mut q.since,
        &mut q.until,
        &mut q.cursor,
    ] {
        if v.as_deref().is_some_and(|s| s.trim().is_empty()) {
            *v = None;
        }
    }
    let (events, next, error) = match audit::query_audit(&admin.ctx(&state), &q).await {
        Ok(p) => (p.items, p.next_cursor, None),
        Err(e) => (vec![], None, Some(refused(e)?)),
    };
    render(&AuditPage {
        c: Chrome::of(&state, &admin, "audit").await?,
        q,
        events,
        next,
        error,
    })
}

#[derive(askama::Template)]
#[template(path = "console/review.html")]
struct ReviewPage {
    c: Chrome,
    accounts: Vec<ReviewAccountView>,
    error: Option<String>,
}

impl ReviewPage {
    fn when(&self, t: &i64) -> String {
        when(t)
    }
    fn when_opt(&self, t: &Option<i64>) -> String {
        when_opt(t)
    }
}

async fn review_with(
    state: &AppState,
    admin: &ConsoleAdmin,
    error: Option<String>,
) -> Result<Response, PageError> {
    let page = review::list_review_accounts(&admin.ctx(state))
        .await
        .map_err(page_error)?;
    render(&ReviewPage {
        c: Chrome::of(state, admin, "review").await?,
        accounts: page.items,
        error,
    })
}

async fn review_page(
    State(state): State<AppState>,
    admin: ConsoleAdmin,
) -> Result<Response, PageError> {
    review_with(&state, &admin, None).await
}

#[derive(Deserialize)]
struct ReviewForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    identifier: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    until: String,
}

impl CsrfProtected for ReviewForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

async fn add_review(
    State(state): State<AppState>,
    admin: ConsoleAdmin,
    CsrfForm(f): CsrfForm<ReviewForm>,
) -> Result<Response, PageError> {
    let r = review::add_review_account(
        &admin.ctx(&state),
        NewReviewAccount {
            identifier: f.identifier,
            code: f.code,
            until: f.until,
        },
    )
    .await;
    match r {
        Ok(_) => {
            done(
                &admin.session,
                "/admin/console/review",
                "Review account saved.",
            )
            .await
        }
        Err(e) => review_with(&state, &admin, Some(refused(e)?)).await,
    }
}

async fn remove_review(
    State(state): State<AppState>,
    admin: ConsoleAdmin,
    CsrfForm(f): CsrfForm<OneField>,
) -> Result<Response, PageError> {
    match review::remove_review_account(&admin.ctx(&state), &f.value).await {
        Ok(_) => {
            done(
                &admin.session,
                "/admin/console/review",
                "Review account removed.",
            )
            .await
        }
        Err(e) => review_with(&state, &admin, Some(refused(e)?)).await,
    }
}

#[derive(askama::Template)]
#[template(path = "console/tokens.html")]
struct TokensPage {
    c: Chrome,
    tokens: Vec<AdminTokenView>,
    error: Option<String>,
}

impl TokensPage {
    fn when(&self, t: &i64) -> String {
        when(t)
    }
    fn when_opt(&self, t: &Option<i64>) -> String {
        when_opt(t)
    }
}

async fn tokens_with(
    state: &AppState,
    admin: &ConsoleAdmin,
    error: Option<String>,
) -> Result<Response, PageError> {
    let list = tokens::list_tokens(&admin.ctx(state))
        .await
        .map_err(page_error)?;
    render(&TokensPage {
        c: Chrome::of(state, admin, "tokens").await?,
        tokens: list,
        error,
    })
}

async fn tokens_page(
    State(state): State<AppState>,
    admin: ConsoleAdmin,
) -> Result<Response, PageError> {
    tokens_with(&state, &admin, None).await
}

/// POST /admin/console/tokens (after a recent sign-in): a token, shown once.
async fn create_token(
    State(state): State<AppState>,
    admin: ConsoleAdmin,
    CsrfForm(f): CsrfForm<OneField>,
) -> Result<Response, PageError> {
    if let Some(r) = admin.require_recent("/admin/console/tokens").await? {
        return Ok(r);
    }
    let t = match tokens::create_token(&admin.ctx(&state), &f.value).await {
        Ok(t) => t,
        Err(e) => return tokens_with(&state, &admin, Some(refused(e)?)).await,
    };
    render(&super::clients::SecretPage {
        c: Chrome::of(&state, &admin, "tokens").await?,
        title: "Admin token created".into(),
        intro: format!(
            "Copy the token “{}” now: it is shown only once. Use it as Authorization: Bearer <token> with the admin API.",
            t.name
        ),
        label: "Token".into(),
        secret: t.token,
        id_label: "Token id".into(),
        id: t.id,
        back: "/admin/console/tokens".into(),
    })
}

async fn revoke_token(
    State(state): State<AppState>,
    admin: ConsoleAdmin,
    CsrfForm(f): CsrfForm<OneField>,
) -> Result<Response, PageError> {
    match tokens::revoke_token(&admin.ctx(&state), &f.value).await {
        Ok(t) => {
            done(
                &admin.session,
                "/admin/console/tokens",
                format!("Token “{}” revoked.", t.name),
            )
            .await
        }
        Err(e) => tokens_with(&state, &admin, Some(refused(e)?)).await,
    }
}

#[derive(askama::Template)]
#[template(path = "console/admins.html")]
struct AdminsPage {
    c: Chrome,
    admins: Vec<AdminView>,
    error: Option<String>,
}

impl AdminsPage {
    fn when(&self, t: &i64) -> String {
        when(t)
    }
    fn by(&self, a: &AdminView) -> String {
        a.added_by
            .get("type")
            .and_then(|t| t.as_str())
            .map(|t| match t {
                "cli" => "the command line",
                "admin_token" => "an admin token",
                "console" => "the console",
                _ => "–",
            })
            .unwrap_or("–")
            .to_string()
    }
}

async fn admins_with(
    state: &AppState,
    admin: &ConsoleAdmin,
    error: Option<String>,
) -> Result<Response, PageError> {
    let page = admins::list_admins(&admin.ctx(state))
        .await
        .map_err(page_error)?;
    render(&AdminsPage {
        c: Chrome::of(state, admin, "admins").await?,
        admins: page.items,
        error,
    })
}

async fn admins_page(
    State(state): State<AppState>,
    admin: ConsoleAdmin,
) -> Result<Response, PageError> {
    admins_with(&state, &admin, None).await
}

async fn add_admin(
    State(state): State<AppState>,
    admin: ConsoleAdmin,
    CsrfForm(f): CsrfForm<OneField>,
) -> Result<Response, PageError> {
    match admins::add_admin(&admin.ctx(&state), &f.value).await {
        Ok(_) => done(&admin.session, "/admin/console/admins", "Admin added.").await,
        Err(e) => admins_with(&state, &admin, Some(refused(e)?)).await,
    }
}

async fn remove_admin(
    State(state): State<AppState>,
    admin: ConsoleAdmin,
    CsrfForm(f): CsrfForm<OneField>,
) -> Result<Response, PageError> {
    match admins::remove_admin(&admin.ctx(&state), &f.value).await {
        Ok(_) => done(&admin.session, "/admin/console/admins", "Admin removed.").await,
        Err(e) => admins_with(&state, &admin, Some(refused(e)?)).await,
    }
}
