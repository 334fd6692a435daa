//! People: find, show, disable, enable, delete; their sign-ins (browser sessions) and
//! token families (grants), and ending them.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{AdminError, Ctx, Page, PageParams};
use crate::audit::AuditEvent;
use crate::login::identifier::parse_identifier;
use crate::outbox::logout;
use crate::store::admin::{GrantRow, UserFilter};
use crate::store::sso_sessions::SsoSessionRecord;
use crate::store::users::{Channel, User};

/// A person. `user_id` is the `sub` of their tokens. Times are Unix seconds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct UserView {
    pub user_id: String,
    pub email: Option<String>,
    pub email_verified: bool,
    pub phone: Option<String>,
    pub phone_verified: bool,
    pub disabled: bool,
    pub disabled_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
    pub last_login_at: Option<i64>,
}

impl From<User> for UserView {
    fn from(u: User) -> Self {
        UserView {
            user_id: u.id,
            email: u.email,
            email_verified: u.email_verified,
            phone: u.phone,
            phone_verified: u.phone_verified,
            disabled: u.disabled_at.is_some(),
            disabled_at: u.disabled_at,
            created_at: u.created_at,
            updated_at: u.updated_at,
            last_login_at: u.last_login_at,
        }
    }
}

/// One browser sign-in (single sign-on session).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SessionView {
    pub session_id: String,
    pub user_id: String,
    /// How the person signed in (RFC 8176 values), e.g. `["otp"]` or `["otp", "sms"]`.
    pub amr: Vec<String>,
    pub created_at: i64,
    pub expires_at: i64,
    pub active: bool,
    pub ended_at: Option<i64>,
    /// `revoked` (by an admin), `replaced` (another person signed in in the same browser),
    /// `user_disabled`, `signed_out` (the person signed out).
    pub end_reason: Option<String>,
}

impl SessionView {
    fn of(s: SsoSessionRecord, now: i64) -> Self {
        SessionView {
            active: s.is_active(now),
            amr: serde_json::from_str(&s.amr).unwrap_or_default(),
            session_id: s.id,
            user_id: s.user_id,
            created_at: s.created_at,
            expires_at: s.expires_at,
            ended_at: s.ended_at,
            end_reason: s.end_reason,
        }
    }
}

/// A grant: the tokens issued to one client from one authorization (its refresh-token
/// family). Revoking it ends every access and refresh token issued from it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct GrantView {
    pub grant_id: String,
    pub user_id: String,
    pub client_id: String,
    pub client_name: Option<String>,
    pub scope: String,
    pub auth_time: i64,
    pub created_at: i64,
    pub expires_at: i64,
    pub active: bool,
    pub revoked_at: Option<i64>,
    /// Refresh tokens of the family that can still be used.
    pub live_refresh_tokens: i64,
}

impl GrantView {
    fn of(g: GrantRow, now: i64) -> Self {
        GrantView {
            active: g.revoked_at.is_none() && g.expires_at > now,
            grant_id: g.id,
            user_id: g.user_id,
            client_id: g.client_id,
            client_name: g.client_name,
            scope: g.scope,
            auth_time: g.auth_time,
            created_at: g.created_at,
            expires_at: g.expires_at,
            revoked_at: g.revoked_at,
            live_refresh_tokens: g.live_refresh_tokens,
        }
    }
}

/// How many sessions and grants an action ended.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Revoked {
    pub sessions_ended: Vec<String>,
    pub grants_revoked: Vec<String>,
}

/// Which users to list.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserQuery {
    /// A case-insensitive part of the email address or phone number.
    pub search: Option<String>,
    /// true: only disabled accounts; false: only enabled ones.
    pub disabled: Option<bool>,
    /// How many items to return (1–200, default 50).
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// Whether to include ended sessions or inactive grants.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HistoryQuery {
    /// Also list ended sessions / revoked or expired grants (default false).
    #[serde(default)]
    pub include_inactive: bool,
}

const PER_USER_LIMIT: i64 = 500;

/// Finds a user by id, or by email address (`alice@example.com`) or phone (`+4670…`).
pub async fn find_user(ctx: &Ctx<'_>, key: &str) -> Result<Option<User>, AdminError> {
    let key = key.trim();
    if key.is_empty() || key.len() > 320 {
        return Ok(None);
    }
    if key.contains('@') {
        return Ok(match parse_identifier(key) {
            Ok(id) => {
                ctx.store
                    .find_user_by_identifier(id.channel(), id.as_str())
                    .await?
            }
            Err(_) => None,
        });
    }
    if key.starts_with('+') {
        return Ok(ctx.store.find_user_by_identifier(Channel::Sms, key).await?);
    }
    Ok(ctx.store.get_user(key).await?)
}

async fn load(ctx: &Ctx<'_>, key: &str) -> Result<User, AdminError> {
    find_user(ctx, key)
        .await?
        .ok_or_else(|| AdminError::not_found("user", key))
}

pub async fn list_users(ctx: &Ctx<'_>, q: &UserQuery) -> Result<Page<UserView>, AdminError> {
    let p = PageParams {
        limit: q.limit,
        cursor: q.cursor.clone(),
    };
    let limit = p.limit()?;
    let after: Option<(i64, String)> = p.cursor()?;
    let search = q.search.as_deref().map(str::trim).filter(|s| !s.is_empty());
    if search.is_some_and(|s| s.len() > 320) {
        return Err(AdminError::invalid("search", "is too long"));
    }
    let rows = ctx
        .store
        .search_users(&UserFilter {
            search,
            disabled: q.disabled,
            after,
            limit: limit + 1,
        })
        .await?;
    let page = Page::from_rows(
        rows,
        limit,
        |u| (u.created_at, u.id.clone()),
        UserView::from,
    );
    ctx.audit(
        AuditEvent::AdminUsersListed {
            search: search.is_some(),
            count: page.items.len(),
        },
        None,
        None,
    )
    .await?;
    Ok(page)
}

pub async fn get_user(ctx: &Ctx<'_>, key: &str) -> Result<UserView, AdminError> {
    let u = load(ctx, key).await?;
    ctx.audit(AuditEvent::AdminUserViewed {}, Some(&u.id), None)
        .await?;
    Ok(u.into())
}

/// Tells the clients of ended sign-ins that registered a back-channel logout URI (the
/// outbox delivers the logout tokens).
async fn notify_ended(ctx: &Ctx<'_>, ended: &[String]) -> Result<usize, AdminError> {
    let n = logout::NoticeCtx {
        store: ctx.store,
        secrets: ctx.secrets,
        outbox: &ctx.config.outbox,
        now: ctx.now,
    };
    Ok(logout::notify_sessions_ended(&n, ended).await?)
}

/// Ends every sign-in and revokes every grant of a user.
async fn end_everything(ctx: &Ctx<'_>, user_id: &str, reason: &str) -> Result<Revoked, AdminError> {
    let sessions_ended = ctx
        .store
        .end_sso_sessions_of_user(user_id, ctx.now, reason)
        .await?;
    notify_ended(ctx, &sessions_ended).await?;
    let grants_revoked = ctx.store.unrevoked_grant_ids(user_id).await?;
    for g in &grants_revoked {
        ctx.store.revoke_grant(g, ctx.now).await?;
    }
    Ok(Revoked {
        sessions_ended,
        grants_revoked,
    })
}

/// Disables an account: it can no longer sign in, and its sign-ins and grants end now.
/// Idempotent.
pub async fn disable_user(ctx: &Ctx<'_>, key: &str) -> Result<UserView, AdminError> {
    let u = load(ctx, key).await?;
    let was_disabled = u.disabled_at.is_some();
    let u = ctx
        .store
        .set_user_disabled(&u.id, Some(ctx.now), ctx.now)
        .await?
        .ok_or_else(|| AdminError::not_found("user", key))?;
    let ended = end_everything(ctx, &u.id, "user_disabled").await?;
    ctx.audit(
        AuditEvent::AdminUserDisabled {
            already_disabled: was_disabled,
            sessions_ended: ended.sessions_ended.len(),
            grants_revoked: ended.grants_revoked.len(),
        },
        Some(&u.id),
        None,
    )
    .await?;
    Ok(u.into())
}

/// Enables a disabled account. Idempotent.
pub async fn enable_user(ctx: &Ctx<'_>, key: &str) -> Result<UserView, AdminError> {
    let u = load(ctx, key).await?;
    let was_disabled = u.disabled_at.is_some();
    let u = ctx
        .store
        .set_user_disabled(&u.id, None, ctx.now)
        .await?
        .ok_or_else(|| AdminError::not_found("user", key))?;
    ctx.audit(
        AuditEvent::AdminUserEnabled { was_disabled },
        Some(&u.id),
        None,
    )
    .await?;
    Ok(u.into())
}

/// Deletes a user with their sign-ins, grants, codes and tokens. Returns whether the user
/// existed (deleting an absent user is not an error: the operation is idempotent).
pub async fn delete_user(ctx: &Ctx<'_>, key: &str) -> Result<bool, AdminError> {
    let Some(u) = find_user(ctx, key).await? else {
        ctx.audit(
            AuditEvent::AdminUserDeleted {
                existed: false,
                sessions_ended: None,
                grants_revoked: None,
            },
            None,
            None,
        )
        .await?;
        return Ok(false);
    };
    let ended = end_everything(ctx, &u.id, "user_deleted").await?;
    let existed = ctx.store.delete_user(&u.id).await?;
    ctx.audit(
        AuditEvent::AdminUserDeleted {
            existed,
            sessions_ended: Some(ended.sessions_ended.len()),
            grants_revoked: Some(ended.grants_revoked.len()),
        },
        Some(&u.id),
        None,
    )
    .await?;
    Ok(existed)
}

pub async fn list_sessions(
    ctx: &Ctx<'_>,
    key: &str,
    include_inactive: bool,
) -> Result<Page<SessionView>, AdminError> {
    let u = load(ctx, key).await?;
    let rows = ctx
        .store
        .list_sso_sessions(&u.id, ctx.now, include_inactive, PER_USER_LIMIT)
        .await?;
    let items: Vec<SessionView> = rows
        .into_iter()
        .map(|s| SessionView::of(s, ctx.now))
        .collect();
    ctx.audit(
        AuditEvent::AdminUserSessionsListed { count: items.len() },
        Some(&u.id),
        None,
    )
    .await?;
    Ok(Page::all(items))
}

/// Ends one sign-in of a user: that browser must sign in again. Ending an ended sign-in
/// is not an error.
pub async fn end_session(ctx: &Ctx<'_>, key: &str, session_id: &str) -> Result<(), AdminError> {
    let u = load(ctx, key).await?;
    let s = ctx
        .store
        .get_sso_session(session_id)
        .await?
        .filter(|s| s.user_id == u.id)
        .ok_or_else(|| AdminError::not_found("session", session_id))?;
    let ended = ctx.store.end_sso_session(&s.id, ctx.now, "revoked").await?;
    if ended {
        notify_ended(ctx, std::slice::from_ref(&s.id)).await?;
    }
    ctx.audit(
        AuditEvent::AdminSessionRevoked {
            session: &s.id,
            was_active: ended,
        },
        Some(&u.id),
        None,
    )
    .await?;
    Ok(())
}

/// Ends every sign-in of a user.
pub async fn end_all_sessions(ctx: &Ctx<'_>, key: &str) -> Result<Revoked, AdminError> {
    let u = load(ctx, key).await?;
    let ended = ctx
        .store
        .end_sso_sessions_of_user(&u.id, ctx.now, "revoked")
        .await?;
    notify_ended(ctx, &ended).await?;
    ctx.audit(
        AuditEvent::AdminSessionsRevoked { count: ended.len() },
        Some(&u.id),
        None,
    )
    .await?;
    Ok(Revoked {
        sessions_ended: ended,
        grants_revoked: vec![],
    })
}

pub async fn list_grants(
    ctx: &Ctx<'_>,
    key: &str,
    include_inactive: bool,
) -> Result<Page<GrantView>, AdminError> {
    let u = load(ctx, key).await?;
    let rows = ctx
        .store
        .list_user_grants(&u.id, ctx.now, include_inactive, PER_USER_LIMIT)
        .await?;
    let items: Vec<GrantView> = rows
        .into_iter()
        .map(|g| GrantView::of(g, ctx.now))
        .collect();
    ctx.audit(
        AuditEvent::AdminUserGrantsListed { count: items.len() },
        Some(&u.id),
        None,
    )
    .await?;
    Ok(Page::all(items))
}

/// Revokes one grant of a user: every access and refresh token issued from it stops
/// working. Revoking a revoked grant is not an error.
pub async fn revoke_grant(ctx: &Ctx<'_>, key: &str, grant_id: &str) -> Result<(), AdminError> {
    let u = load(ctx, key).await?;
    let g = ctx
        .store
        .get_grant(grant_id)
        .await?
        .filter(|g| g.user_id == u.id)
        .ok_or_else(|| AdminError::not_found("grant", grant_id))?;
    ctx.store.revoke_grant(&g.id, ctx.now).await?;
    ctx.audit(
        AuditEvent::AdminGrantRevoked {
            grant: &g.id,
            was_active: g.revoked_at.is_none(),
        },
        Some(&u.id),
        Some(&g.client_id),
    )
    .await?;
    Ok(())
}

/// Revokes every grant of a user.
pub async fn revoke_all_grants(ctx: &Ctx<'_>, key: &str) -> Result<Revoked, AdminError> {
    let u = load(ctx, key).await?;
    let ids = ctx.store.unrevoked_grant_ids(&u.id).await?;
    for g in &ids {
        ctx.store.revoke_grant(g, ctx.now).await?;
    }
    ctx.audit(
        AuditEvent::AdminGrantsRevoked { count: ids.len() },
        Some(&u.id),
        None,
    )
    .await?;
    Ok(Revoked {
        sessions_ended: vec![],
        grants_revoked: ids,
    })
}
