//! Review accounts: add, list, remove. The sign-in side is in [`crate::login::review`].

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{parse_time, AdminError, Ctx, Page};
use crate::audit::AuditEvent;
use crate::channel::mask_email;
use crate::login::identifier::parse_identifier;
use crate::login::review::review_code_hash;
use crate::store::review_accounts::ReviewAccount;

/// A review account (its code is never shown again). Times are Unix seconds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ReviewAccountView {
    pub identifier: String,
    /// `email` or `sms`.
    pub channel: String,
    pub expires_at: i64,
    pub active: bool,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub uses: i64,
}

impl ReviewAccountView {
    fn of(a: ReviewAccount, now: i64) -> Self {
        ReviewAccountView {
            active: a.expires_at > now,
            identifier: a.identifier,
            channel: a.channel,
            expires_at: a.expires_at,
            created_at: a.created_at,
            last_used_at: a.last_used_at,
            uses: a.uses,
        }
    }
}

/// A review account to add (or whose code and expiry to replace).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewReviewAccount {
    /// An email address (or, where phone sign-in is enabled, a phone number).
    pub identifier: String,
    /// The fixed 6-digit code the reviewer types.
    pub code: String,
    /// Last day it works (`2027-01-31`, through the end of that day UTC), or an RFC 3339
    /// time or Unix seconds. At most 400 days ahead.
    pub until: String,
}

const MAX_DAYS: i64 = 400;

/// Parses the expiry: a bare date means through the end of that day (UTC).
fn parse_until(s: &str) -> Result<i64, AdminError> {
    let t = parse_time("until", s)?;
    let bare_date = s.trim().len() == 10 && s.trim().as_bytes().get(4) == Some(&b'-');
    Ok(if bare_date { t + 86_400 } else { t })
}

pub async fn add_review_account(
    ctx: &Ctx<'_>,
    r: NewReviewAccount,
) -> Result<ReviewAccountView, AdminError> {
    let id = parse_identifier(&r.identifier)
        .map_err(|e| AdminError::invalid("identifier", e.to_string()))?;
    if r.code.len() != 6 || !r.code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(AdminError::invalid("code", "must be exactly 6 digits"));
    }
    let expires_at = parse_until(&r.until)?;
    if expires_at <= ctx.now {
        return Err(AdminError::invalid("until", "must be in the future"));
    }
    if expires_at > ctx.now + MAX_DAYS * 86_400 {
        return Err(AdminError::invalid(
            "until",
            format!("must be at most {MAX_DAYS} days ahead: review accounts are temporary"),
        ));
    }
    let account = ReviewAccount {
        identifier: id.as_str().to_string(),
        channel: id.channel().as_str().to_string(),
        code_hash: review_code_hash(ctx.secrets, id.as_str(), &r.code),
        expires_at,
        created_at: ctx.now,
        last_used_at: None,
        uses: 0,
    };
    ctx.store.upsert_review_account(&account).await?;
    let user = ctx
        .store
        .find_user_by_identifier(id.channel(), id.as_str())
        .await?;
    ctx.audit(
        AuditEvent::AdminReviewAccountAdded {
            to: &mask_email(id.as_str()),
            expires_at,
        },
        user.as_ref().map(|u| u.id.as_str()),
        None,
    )
    .await?;
    let stored = ctx
        .store
        .get_review_account(id.as_str())
        .await?
        .ok_or_else(|| AdminError::not_found("review account", id.as_str()))?;
    Ok(ReviewAccountView::of(stored, ctx.now))
}

pub async fn list_review_accounts(ctx: &Ctx<'_>) -> Result<Page<ReviewAccountView>, AdminError> {
    let items: Vec<ReviewAccountView> = ctx
        .store
        .list_review_accounts()
        .await?
        .into_iter()
        .map(|a| ReviewAccountView::of(a, ctx.now))
        .collect();
    ctx.audit(
        AuditEvent::AdminReviewAccountsListed { count: items.len() },
        None,
        None,
    )
    .await?;
    Ok(Page::all(items))
}

/// Removes a review account; the identifier signs in normally again. Idempotent.
pub async fn remove_review_account(ctx: &Ctx<'_>, identifier: &str) -> Result<bool, AdminError> {
    let id = parse_identifier(identifier)
        .map_err(|e| AdminError::invalid("identifier", e.to_string()))?;
    let existed = ctx.store.delete_review_account(id.as_str()).await?;
    ctx.audit(
        AuditEvent::AdminReviewAccountRemoved {
            to: &mask_email(id.as_str()),
            existed,
        },
        None,
        None,
    )
    .await?;
    Ok(existed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bare_date_lasts_through_that_day() {
        assert_eq!(parse_until("2027-01-31").unwrap(), 1_801_353_600 + 86_400);
        assert_eq!(
            parse_until("2027-01-31T12:00:00Z").unwrap(),
            1_801_353_600 + 43_200
        );
    }
}
