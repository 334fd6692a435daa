//! Person attributes: admin-defined values (`policy` = `readwrite`) that a client receives
//! only as the claims its mapping names (`clients update --claim CLAIM=ATTRIBUTE`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::users::find_user;
use super::{AdminError, Ctx};
use crate::audit::AuditEvent;
use crate::store::users::User;

/// The longest attribute name and value.
pub const NAME_MAX: usize = 64;
pub const VALUE_MAX: usize = 1000;

/// A person's attributes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AttributesView {
    pub user_id: String,
    /// Attribute name → value.
    pub attributes: BTreeMap<String, String>,
}

/// The value to set.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttributeValue {
    /// At most 1000 characters, no control characters.
    pub value: String,
}

/// Checks an attribute name: a lowercase letter or digit, then up to 63 of lowercase
/// letters, digits, `.`, `_` and `-` (`minio_policy`).
pub fn valid_attribute_name(field: &'static str, name: &str) -> Result<String, AdminError> {
    let ok_first = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    let ok_rest = |b: u8| ok_first(b) || matches!(b, b'.' | b'_' | b'-');
    match name.as_bytes().split_first() {
        Some((first, rest))
            if name.len() <= NAME_MAX && ok_first(*first) && rest.iter().all(|b| ok_rest(*b)) =>
        {
            Ok(name.to_string())
        }
        _ => Err(AdminError::invalid(
            field,
            format!(
                "an attribute name is 1 to {NAME_MAX} characters: a lowercase letter or digit, \
                 then lowercase letters, digits, `.`, `_` or `-`"
            ),
        )),
    }
}

fn valid_value(value: &str) -> Result<&str, AdminError> {
    if value.chars().count() > VALUE_MAX || value.chars().any(char::is_control) {
        return Err(AdminError::invalid(
            "value",
            format!("must be at most {VALUE_MAX} characters, without control characters"),
        ));
    }
    Ok(value)
}

async fn load(ctx: &Ctx<'_>, key: &str) -> Result<User, AdminError> {
    find_user(ctx, key)
        .await?
        .ok_or_else(|| AdminError::not_found("user", key))
}

async fn view(ctx: &Ctx<'_>, user_id: String) -> Result<AttributesView, AdminError> {
    Ok(AttributesView {
        attributes: ctx.store.user_attributes(&user_id).await?,
        user_id,
    })
}

pub async fn list_attributes(ctx: &Ctx<'_>, user: &str) -> Result<AttributesView, AdminError> {
    let u = load(ctx, user).await?;
    let v = view(ctx, u.id).await?;
    ctx.audit(
        AuditEvent::AdminUserAttributesViewed {
            count: v.attributes.len(),
        },
        Some(&v.user_id),
        None,
    )
    .await?;
    Ok(v)
}

/// Sets (or replaces) one attribute of a person. The audit event names the attribute,
/// never its value.
pub async fn set_attribute(
    ctx: &Ctx<'_>,
    user: &str,
    name: &str,
    value: &str,
) -> Result<AttributesView, AdminError> {
    let name = valid_attribute_name("attribute", name)?;
    let value = valid_value(value)?;
    let u = load(ctx, user).await?;
    let replaced = ctx
        .store
        .set_user_attribute(&u.id, &name, value, ctx.now)
        .await?;
    ctx.audit(
        AuditEvent::AdminUserAttributeSet {
            attribute: &name,
            replaced,
        },
        Some(&u.id),
        None,
    )
    .await?;
    view(ctx, u.id).await
}

/// Removes one attribute of a person. Idempotent.
pub async fn unset_attribute(
    ctx: &Ctx<'_>,
    user: &str,
    name: &str,
) -> Result<AttributesView, AdminError> {
    let name = valid_attribute_name("attribute", name)?;
    let u = load(ctx, user).await?;
    let existed = ctx.store.unset_user_attribute(&u.id, &name).await?;
    ctx.audit(
        AuditEvent::AdminUserAttributeUnset {
            attribute: &name,
            existed,
        },
        Some(&u.id),
        None,
    )
    .await?;
    view(ctx, u.id).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attribute_names_and_values_are_checked() {
        assert!(valid_attribute_name("a", "minio_policy").is_ok());
        for bad in ["", "Policy", "_x", "a b", "a:b", &"a".repeat(65)] {
            assert!(valid_attribute_name("a", bad).is_err(), "{bad}");
        }
        assert!(valid_value("readwrite").is_ok() && valid_value("").is_ok());
        assert!(valid_value("a\nb").is_err());
        assert!(valid_value(&"x".repeat(1001)).is_err());
    }
}
