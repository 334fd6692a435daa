//! Groups: create, list, show, remove; put people in them and take them out. A client
//! allowed the `groups` scope receives the names of a person's groups in the `groups`
//! claim.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::users::{find_user, UserView};
use super::{AdminError, Ctx, Page};
use crate::audit::AuditEvent;
use crate::store::groups::Group;

/// The longest group name.
pub const NAME_MAX: usize = 64;

/// A group. Times are Unix seconds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct GroupView {
    /// `[a-z0-9][a-z0-9._-]{0,63}`: what the `groups` claim carries.
    pub name: String,
    pub description: Option<String>,
    /// How many people are in the group.
    pub members: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

impl From<Group> for GroupView {
    fn from(g: Group) -> Self {
        GroupView {
            name: g.name,
            description: g.description,
            members: g.members,
            created_at: g.created_at,
            updated_at: g.updated_at,
        }
    }
}

/// A group to create.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewGroup {
    /// `[a-z0-9][a-z0-9._-]{0,63}`.
    pub name: String,
    /// For people: what the group is for (at most 200 printable characters).
    pub description: Option<String>,
}

/// Whether a person is in a group after the call, and whether the call changed that.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Membership {
    pub group: String,
    pub user_id: String,
    pub member: bool,
    pub changed: bool,
}

/// Checks a group name: a lowercase letter or digit, then up to 63 of lowercase letters,
/// digits, `.`, `_` and `-`.
pub fn valid_group_name(name: &str) -> Result<&str, AdminError> {
    let ok_first = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    let ok_rest = |b: u8| ok_first(b) || matches!(b, b'.' | b'_' | b'-');
    let bytes = name.as_bytes();
    match bytes.split_first() {
        Some((first, rest))
            if bytes.len() <= NAME_MAX && ok_first(*first) && rest.iter().all(|b| ok_rest(*b)) =>
        {
            Ok(name)
        }
        _ => Err(AdminError::invalid(
            "name",
            format!(
                "a group name is 1 to {NAME_MAX} characters: a lowercase letter or digit, \
                 then lowercase letters, digits, `.`, `_` or `-`"
            ),
        )),
    }
}

fn valid_description(d: Option<String>) -> Result<Option<String>, AdminError> {
    let Some(d) = d.map(|d| d.trim().to_string()).filter(|d| !d.is_empty()) else {
        return Ok(None);
    };
    if d.chars().count() > 200 || d.chars().any(char::is_control) {
        return Err(AdminError::invalid(
            "description",
            "must be at most 200 printable characters",
        ));
    }
    Ok(Some(d))
}

async fn load(ctx: &Ctx<'_>, name: &str) -> Result<Group, AdminError> {
    let name = valid_group_name(name)?;
    ctx.store
        .get_group(name)
        .await?
        .ok_or_else(|| AdminError::not_found("group", name))
}

pub async fn create_group(ctx: &Ctx<'_>, g: NewGroup) -> Result<GroupView, AdminError> {
    let name = valid_group_name(&g.name)?;
    let description = valid_description(g.description)?;
    if !ctx
        .store
        .insert_group(name, description.as_deref(), ctx.now)
        .await?
    {
        return Err(AdminError::Conflict(format!(
            "a group named {name} already exists"
        )));
    }
    ctx.audit(AuditEvent::AdminGroupCreated { group: name }, None, None)
        .await?;
    Ok(load(ctx, name).await?.into())
}

pub async fn list_groups(ctx: &Ctx<'_>) -> Result<Page<GroupView>, AdminError> {
    let items: Vec<GroupView> = ctx
        .store
        .list_groups()
        .await?
        .into_iter()
        .map(GroupView::from)
        .collect();
    ctx.audit(
        AuditEvent::AdminGroupsListed { count: items.len() },
        None,
        None,
    )
    .await?;
    Ok(Page::all(items))
}

pub async fn get_group(ctx: &Ctx<'_>, name: &str) -> Result<GroupView, AdminError> {
    let g = load(ctx, name).await?;
    ctx.audit(AuditEvent::AdminGroupViewed { group: &g.name }, None, None)
        .await?;
    Ok(g.into())
}

/// Deletes a group and its memberships. Returns whether it existed (deleting an absent
/// group is not an error: the operation is idempotent).
pub async fn remove_group(ctx: &Ctx<'_>, name: &str) -> Result<bool, AdminError> {
    let name = valid_group_name(name)?;
    let members = ctx.store.get_group(name).await?.map(|g| g.members);
    let existed = ctx.store.delete_group(name).await?;
    ctx.audit(
        AuditEvent::AdminGroupDeleted {
            group: name,
            existed,
            members: members.unwrap_or(0),
        },
        None,
        None,
    )
    .await?;
    Ok(existed)
}

/// The people in a group, oldest account first.
pub async fn list_members(ctx: &Ctx<'_>, name: &str) -> Result<Page<UserView>, AdminError> {
    let g = load(ctx, name).await?;
    let items: Vec<UserView> = ctx
        .store
        .group_members(&g.name)
        .await?
        .into_iter()
        .map(UserView::from)
        .collect();
    ctx.audit(
        AuditEvent::AdminGroupMembersListed {
            group: &g.name,
            count: items.len(),
        },
        None,
        None,
    )
    .await?;
    Ok(Page::all(items))
}

/// Puts a person (id, email address or phone number) in a group. Idempotent.
pub async fn add_member(ctx: &Ctx<'_>, name: &str, user: &str) -> Result<Membership, AdminError> {
    let g = load(ctx, name).await?;
    let u = find_user(ctx, user)
        .await?
        .ok_or_else(|| AdminError::not_found("user", user))?;
    let changed = ctx.store.add_group_member(&g.name, &u.id, ctx.now).await?;
    ctx.audit(
        AuditEvent::AdminGroupMemberAdded {
            group: &g.name,
            already_member: !changed,
        },
        Some(&u.id),
        None,
    )
    .await?;
    Ok(Membership {
        group: g.name,
        user_id: u.id,
        member: true,
        changed,
    })
}

/// Takes a person out of a group. Idempotent.
pub async fn remove_member(
    ctx: &Ctx<'_>,
    name: &str,
    user: &str,
) -> Result<Membership, AdminError> {
    let g = load(ctx, name).await?;
    let u = find_user(ctx, user)
        .await?
        .ok_or_else(|| AdminError::not_found("user", user))?;
    let changed = ctx.store.remove_group_member(&g.name, &u.id).await?;
    ctx.audit(
        AuditEvent::AdminGroupMemberRemoved {
            group: &g.name,
            was_member: changed,
        },
        Some(&u.id),
        None,
    )
    .await?;
    Ok(Membership {
        group: g.name,
        user_id: u.id,
        member: false,
        changed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_names_are_a_restricted_charset() {
        for ok in ["admins", "0", "team.storage_rw-2", &"a".repeat(64)] {
            assert!(valid_group_name(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "Admins",
            "-admins",
            ".x",
            "a b",
            "é",
            "a/b",
            "a\n",
            &"a".repeat(65),
        ] {
            let e = valid_group_name(bad).unwrap_err();
            assert!(
                matches!(e, AdminError::Invalid { field: "name", .. }),
                "{bad}"
            );
        }
    }
}
