//! Audit events: one enum whose variants carry their details, typed, so a kind is named
//! once, never misspelt, and always written with the same fields. The trail stores the
//! kind's name (`AuditKind::as_str`) and the details as JSON (`AuditEvent::detail`);
//! docs/architecture.md lists the kinds. A leaf beside `channel`: it imports nothing else
//! of Sesame's.

use serde::Serialize;

use crate::channel::Channel;
use crate::store::audit::NewAuditEvent;

macro_rules! events {
    ($(
        $(#[$doc:meta])*
        $v:ident => $s:literal { $($(#[$fm:meta])* $f:ident : $t:ty),* $(,)? }
    )*) => {
        /// What an audit event records: the name of an [`AuditEvent`] without its details.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum AuditKind {
            $($(#[$doc])* $v,)*
        }

        impl AuditKind {
            /// Every kind.
            pub const ALL: &'static [AuditKind] = &[$(AuditKind::$v,)*];

            /// The name the trail stores and the admin API filters by.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(AuditKind::$v => $s,)*
                }
            }
        }

        /// One audit event with its details. The details never hold a secret, a code or a
        /// whole identifier: identifiers are masked by the caller (`to`).
        #[derive(Debug, Clone, Serialize)]
        #[serde(untagged)]
        pub enum AuditEvent<'a> {
            $($(#[$doc])* $v { $($(#[$fm])* $f: $t,)* },)*
        }

        impl AuditEvent<'_> {
            /// The event's kind.
            pub const fn kind(&self) -> AuditKind {
                match self {
                    $(AuditEvent::$v { .. } => AuditKind::$v,)*
                }
            }
        }
    };
}

/// The filter an admin read the trail with.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct ReadFilter<'a> {
    pub user_id: Option<&'a str>,
    pub client_id: Option<&'a str>,
    pub kind: Option<&'a str>,
    pub since: Option<i64>,
    pub until: Option<i64>,
}

events! {
    // A sign-in. `channel` is the stored name where the row may come from a later version.
    /// A code was handed to its channel.
    CodeSent => "code_sent" { channel: &'a str, to: &'a str, attempts: i64 }
    /// A code was not sent, on purpose (a stand-in: the reason says which).
    CodeNotSent => "code_not_sent" { channel: &'a str, to: &'a str, reason: &'a str }
    /// Delivery gave up after its retries.
    CodeSendFailed => "code_send_failed" { channel: &'a str, to: &'a str, attempts: i64 }
    /// An SMS was refused by the SMS rules (country, per-number or per-IP budgets).
    SmsDenied => "sms_denied" {
        rule: &'a str,
        to: &'a str,
        country: Option<&'a str>,
        retry_after: Option<i64>,
    }
    /// A rate limit refused a request.
    LimitHit => "limit_hit" {
        rule: &'a str,
        scope: &'a str,
        channel: Channel,
        to: &'a str,
        retry_after: i64,
    }
    /// A wrong code was typed.
    VerificationFailed => "verification_failed" { to: &'a str, attempt: i64, channel: Channel }
    /// The right code was typed.
    VerificationSucceeded => "verification_succeeded" { channel: Channel }
    /// A first sign-in made an account.
    UserRegistered => "user_registered" { channel: Channel }
    /// A store reviewer's account signed in.
    ReviewAccountUsed => "review_account_used" {
        to: &'a str,
        channel: &'a str,
        expires_at: i64,
    }
    /// No code was sent to a review account (its fixed code is used).
    ReviewAccountCodeSkipped => "review_account_code_skipped" { channel: &'a str, to: &'a str }
    // Tokens
    /// Tokens were issued at the token endpoint.
    TokensIssued => "tokens_issued" {
        #[serde(skip_serializing_if = "Option::is_none")]
        grant: Option<&'a str>,
        grant_type: &'static str,
        #[serde(skip_serializing_if = "Option::is_none")]
        refresh_token: Option<bool>,
        #[serde(skip_serializing_if = "Option::is_none")]
        scope: Option<&'a str>,
    }
    /// A device asked for authorization (RFC 8628); its tokens are `tokens_issued`.
    DeviceAuthorizationRequested => "device_authorization_requested" { scope: &'a str }
    /// A person allowed a device's request.
    DeviceAuthorizationApproved => "device_authorization_approved" { scope: &'a str }
    /// A person refused a device's request.
    DeviceAuthorizationDenied => "device_authorization_denied" { scope: &'a str }
    /// A refresh token was exchanged.
    TokensRefreshed => "tokens_refreshed" { grant: &'a str }
    /// An authorization code was presented twice; its grant is revoked.
    CodeReuseRevoked => "code_reuse_revoked" { grant: &'a str }
    /// A used refresh token came back; its grant is revoked.
    RefreshTokenReuseRevoked => "refresh_token_reuse_revoked" { grant: &'a str }
    /// A refresh token was revoked by its client.
    RefreshTokenRevoked => "refresh_token_revoked" { grant: &'a str }
    /// An access token was revoked by its client.
    AccessTokenRevoked => "access_token_revoked" { jti: &'a str }
    // People
    /// A person consented to a client's scopes.
    ConsentGranted => "consent_granted" { scope: &'a str }
    /// A person declined.
    ConsentDenied => "consent_denied" { scope: &'a str }
    /// A person withdrew a consent (the client's grants are revoked).
    ConsentRevoked => "consent_revoked" { grants_revoked: u64 }
    /// A person changed their profile.
    ProfileUpdated => "profile_updated" {}
    /// A person added (or replaced) the identifier of a channel on their account, proven by
    /// the code sent to it (masked).
    IdentifierAdded => "identifier_added" { to: &'a str, channel: Channel }
    /// A proven identifier could not be added: another account holds it (masked; the
    /// other account is not named).
    IdentifierHeldElsewhere => "identifier_held_elsewhere" { to: &'a str, channel: Channel }
    /// A person removed the identifier of a channel from their account.
    IdentifierRemoved => "identifier_removed" { to: &'a str, channel: Channel }
    /// A person signed out.
    SignedOut => "signed_out" {}
    /// A client's back-channel logout URI accepted a logout token (attempts: how many it
    /// took).
    BackchannelLogoutSent => "backchannel_logout_sent" { attempts: i64 }
    /// A logout token could not be delivered, after its retries (reason: for operators;
    /// never the token).
    BackchannelLogoutFailed => "backchannel_logout_failed" { attempts: i64, reason: &'a str }
    /// An event could not be delivered to a webhook, after its retries (reason: for
    /// operators).
    WebhookDeliveryFailed => "webhook_delivery_failed" {
        webhook: &'a str,
        event: &'a str,
        event_id: &'a str,
        attempts: i64,
        reason: &'a str,
    }
    // Clients
    /// A client was added from the command line.
    ClientCreated => "client_created" {
        name: &'a str,
        public: bool,
        pkce_required: bool,
        first_party: bool,
        redirect_uris: &'a [String],
    }
    /// A client registered itself (dynamic registration).
    ClientRegistered => "client_registered" { dynamic: bool, name: &'a str }
    /// A client was removed from the command line.
    ClientRemoved => "client_removed" {}
    /// Someone who is not an admin signed in to the console: they were turned away.
    ConsoleSignInRefused => "console_sign_in_refused" {}
    // Admins (the admin API adds the actor)
    /// An admin read the audit trail.
    AdminAuditRead => "admin_audit_read" { filter: ReadFilter<'a>, count: usize }
    AdminClientCreated => "admin_client_created" { name: &'a str, public: bool }
    AdminClientDeleted => "admin_client_deleted" { existed: bool }
    AdminClientSecretRotated => "admin_client_secret_rotated" {}
    /// The names of the fields that changed.
    AdminClientUpdated => "admin_client_updated" { changed: &'a [&'static str] }
    AdminClientViewed => "admin_client_viewed" {}
    AdminClientsListed => "admin_clients_listed" { count: usize }
    /// A person became a console admin (`created_person`: they had no account yet).
    AdminConsoleAdminAdded => "admin_console_admin_added" {
        already_admin: bool,
        created_person: bool,
    }
    AdminConsoleAdminRemoved => "admin_console_admin_removed" { was_admin: bool }
    AdminConsoleAdminsListed => "admin_console_admins_listed" { count: usize }
    /// An admin signed in to the console (or again, for a destructive action).
    AdminConsoleSignedIn => "admin_console_signed_in" { amr: &'a [String] }
    AdminConsoleSignedOut => "admin_console_signed_out" {}
    /// An admin read the overview.
    AdminOverviewViewed => "admin_overview_viewed" {}
    AdminGrantRevoked => "admin_grant_revoked" { grant: &'a str, was_active: bool }
    AdminGrantsRevoked => "admin_grants_revoked" { count: usize }
    AdminGroupCreated => "admin_group_created" { group: &'a str }
    /// `members`: how many memberships went with it.
    AdminGroupDeleted => "admin_group_deleted" { group: &'a str, existed: bool, members: i64 }
    AdminGroupMemberAdded => "admin_group_member_added" { group: &'a str, already_member: bool }
    AdminGroupMemberRemoved => "admin_group_member_removed" { group: &'a str, was_member: bool }
    AdminGroupMembersListed => "admin_group_members_listed" { group: &'a str, count: usize }
    AdminGroupViewed => "admin_group_viewed" { group: &'a str }
    AdminGroupsListed => "admin_groups_listed" { count: usize }
    AdminKeyRotated => "admin_key_rotated" {
        alg: &'a str,
        kid: &'a str,
        prepublish_seconds: i64,
        retain_seconds: i64,
    }
    AdminKeysListed => "admin_keys_listed" { count: usize }
    AdminReviewAccountAdded => "admin_review_account_added" { to: &'a str, expires_at: i64 }
    AdminReviewAccountRemoved => "admin_review_account_removed" { to: &'a str, existed: bool }
    AdminReviewAccountsListed => "admin_review_accounts_listed" { count: usize }
    AdminSessionRevoked => "admin_session_revoked" { session: &'a str, was_active: bool }
    AdminSessionsRevoked => "admin_sessions_revoked" { count: usize }
    AdminTokenCreated => "admin_token_created" { token_id: &'a str, name: &'a str }
    AdminTokenRevoked => "admin_token_revoked" {
        token_id: &'a str,
        name: &'a str,
        was_active: bool,
    }
    /// `sessions_ended` and `grants_revoked` are absent when the user did not exist.
    AdminUserDeleted => "admin_user_deleted" {
        existed: bool,
        #[serde(skip_serializing_if = "Option::is_none")]
        sessions_ended: Option<usize>,
        #[serde(skip_serializing_if = "Option::is_none")]
        grants_revoked: Option<usize>,
    }
    /// An attribute was set (its name; never its value).
    AdminUserAttributeSet => "admin_user_attribute_set" { attribute: &'a str, replaced: bool }
    AdminUserAttributeUnset => "admin_user_attribute_unset" { attribute: &'a str, existed: bool }
    AdminUserAttributesViewed => "admin_user_attributes_viewed" { count: usize }
    AdminUserDisabled => "admin_user_disabled" {
        already_disabled: bool,
        sessions_ended: usize,
        grants_revoked: usize,
    }
    AdminUserEnabled => "admin_user_enabled" { was_disabled: bool }
    AdminUserGrantsListed => "admin_user_grants_listed" { count: usize }
    AdminUserSessionsListed => "admin_user_sessions_listed" { count: usize }
    AdminUserViewed => "admin_user_viewed" {}
    AdminUsersListed => "admin_users_listed" { search: bool, count: usize }
    AdminWebhookCreated => "admin_webhook_created" { webhook: &'a str, events: &'a str }
    AdminWebhookRemoved => "admin_webhook_removed" { webhook: &'a str, existed: bool }
    AdminWebhooksListed => "admin_webhooks_listed" { count: usize }
}

impl AuditEvent<'_> {
    /// The details as the trail stores them: a JSON object of the variant's fields.
    pub fn detail(&self) -> serde_json::Value {
        match serde_json::to_value(self) {
            Ok(v @ serde_json::Value::Object(_)) => v,
            // Every variant is a struct of plain fields, so this is not reached; an empty
            // object keeps the trail's shape if it ever were.
            _ => serde_json::Value::Object(serde_json::Map::new()),
        }
    }

    /// The row the trail stores for this event: its kind, its details, and who and what
    /// it concerns.
    pub fn row<'r>(
        &self,
        user_id: Option<&'r str>,
        client_id: Option<&'r str>,
        ip: Option<&'r str>,
    ) -> NewAuditEvent<'r> {
        NewAuditEvent {
            kind: self.kind().as_str(),
            user_id,
            client_id,
            ip,
            detail: self.detail(),
        }
    }
}

impl AuditKind {
    /// The kind a stored name names, if it is one of today's.
    pub fn parse(s: &str) -> Option<AuditKind> {
        AuditKind::ALL.iter().copied().find(|k| k.as_str() == s)
    }

    /// Whether an admin's action (or read) made the event.
    pub fn is_admin(self) -> bool {
        self.as_str().starts_with("admin_")
    }
}

impl std::fmt::Display for AuditKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_its_own_snake_case_name_and_parses_back() {
        let mut names: Vec<&str> = AuditKind::ALL.iter().map(|k| k.as_str()).collect();
        for (k, n) in AuditKind::ALL.iter().zip(&names) {
            assert_eq!(AuditKind::parse(n), Some(*k));
            assert!(
                n.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                "{n}"
            );
        }
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), AuditKind::ALL.len());
        assert_eq!(AuditKind::parse("code_snet"), None);
        assert!(AuditKind::AdminKeyRotated.is_admin() && !AuditKind::CodeSent.is_admin());
    }

    #[test]
    fn an_event_names_its_kind_and_stores_its_fields_as_one_object() {
        let e = AuditEvent::TokensIssued {
            grant: None,
            grant_type: "client_credentials",
            refresh_token: None,
            scope: Some("api"),
        };
        assert_eq!(e.kind(), AuditKind::TokensIssued);
        assert_eq!(
            e.detail(),
            serde_json::json!({ "grant_type": "client_credentials", "scope": "api" })
        );
        let e = AuditEvent::VerificationFailed {
            to: "a***@example.com",
            attempt: 2,
            channel: Channel::Sms,
        };
        assert_eq!(e.kind().as_str(), "verification_failed");
        assert_eq!(
            e.detail(),
            serde_json::json!({ "to": "a***@example.com", "attempt": 2, "channel": "sms" })
        );
        assert_eq!(AuditEvent::SignedOut {}.detail(), serde_json::json!({}));
    }
}
