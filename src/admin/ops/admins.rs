//! Console admins: the people who may sign in to the admin console in the browser. Added
//! and removed from the CLI, the admin API or the console itself.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::users::find_user;
use super::{AdminError, Ctx, Page};
use crate::audit::AuditEvent;
use crate::crypto::random_token;
use crate::login::identifier::parse_identifier;
use crate::store::console::ConsoleAdmin;

/// A console admin. Times are Unix seconds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AdminView {
    /// The person (`sub`).
    pub user_id: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// A disabled person cannot sign in, to the console or anywhere.
    pub disabled: bool,
    pub added_at: i64,
    /// Who made them an admin (`{"type": "cli" | "admin_token" | "console", ...}`).
    #[schema(value_type = Object)]
    pub added_by: serde_json::Value,
}

impl From<ConsoleAdmin> for AdminView {
    fn from(a: ConsoleAdmin) -> Self {
        AdminView {
            added_by: serde_json::from_str(&a.added_by).unwrap_or(serde_json::Value::Null),
            user_id: a.user_id,
            email: a.email,
            phone: a.phone,
            disabled: a.disabled_at.is_some(),
            added_at: a.added_at,
        }
    }
}

/// A person to make an admin.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAdmin {
    /// A user id, an email address or a phone number. An address nobody has yet becomes a
    /// person (verified at their first sign-in).
    pub user: String,
}

/// Whether an add or a remove changed anything.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AdminChange {
    pub user_id: String,
    /// Whether the person is an admin now.
    pub admin: bool,
    /// Whether this call changed that.
    pub changed: bool,
}

/// Makes a person an admin of the console. Idempotent.
pub async fn add_admin(ctx: &Ctx<'_>, key: &str) -> Result<AdminChange, AdminError> {
    let (user, created_person) = match find_user(ctx, key).await? {
        Some(u) => (u, false),
        None => {
            let id = parse_identifier(key.trim())
                .map_err(|_| AdminError::not_found("user", key.trim()))?;
            let new_id = random_token(16)?;
            let u = ctx
                .store
                .insert_user_if_absent(id.channel(), id.as_str(), &new_id, ctx.now)
                .await?
                .ok_or_else(|| AdminError::not_found("user", key.trim()))?;
            let created = u.id == new_id;
            (u, created)
        }
    };
    let by = ctx.actor.to_json().to_string();
    let added = ctx
        .store
        .insert_console_admin(&user.id, &by, ctx.now)
        .await?;
    ctx.audit(
        AuditEvent::AdminConsoleAdminAdded {
            already_admin: !added,
            created_person,
        },
        Some(&user.id),
        None,
    )
    .await?;
    Ok(AdminChange {
        user_id: user.id,
        admin: true,
        changed: added,
    })
}

/// Takes a person's console access away (their account stays). Idempotent.
pub async fn remove_admin(ctx: &Ctx<'_>, key: &str) -> Result<AdminChange, AdminError> {
    let user = find_user(ctx, key)
        .await?
        .ok_or_else(|| AdminError::not_found("user", key.trim()))?;
    let removed = ctx.store.delete_console_admin(&user.id).await?;
    ctx.audit(
        AuditEvent::AdminConsoleAdminRemoved { was_admin: removed },
        Some(&user.id),
        None,
    )
    .await?;
    Ok(AdminChange {
        user_id: user.id,
        admin: false,
        changed: removed,
    })
}

pub async fn list_admins(ctx: &Ctx<'_>) -> Result<Page<AdminView>, AdminError> {
    let items: Vec<AdminView> = ctx
        .store
        .list_console_admins()
        .await?
        .into_iter()
        .map(AdminView::from)
        .collect();
    ctx.audit(
        AuditEvent::AdminConsoleAdminsListed { count: items.len() },
        None,
        None,
    )
    .await?;
    Ok(Page::all(items))
}
