//! The kinds of audit events: one enum, so a kind is named once and never misspelt. The
//! trail stores the kind's name (`AuditKind::as_str`); docs/architecture.md lists them.
//! A leaf: it imports nothing of Sesame's.

macro_rules! kinds {
    ($($(#[$doc:meta])* $v:ident => $s:literal,)*) => {
        /// What an audit event records.
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
    };
}

kinds! {
    // A sign-in
    CodeSent => "code_sent",
    CodeNotSent => "code_not_sent",
    CodeSendFailed => "code_send_failed",
    SmsDenied => "sms_denied",
    LimitHit => "limit_hit",
    VerificationFailed => "verification_failed",
    VerificationSucceeded => "verification_succeeded",
    UserRegistered => "user_registered",
    ReviewAccountUsed => "review_account_used",
    ReviewAccountCodeSkipped => "review_account_code_skipped",
    // Tokens
    TokensIssued => "tokens_issued",
    TokensRefreshed => "tokens_refreshed",
    CodeReuseRevoked => "code_reuse_revoked",
    RefreshTokenReuseRevoked => "refresh_token_reuse_revoked",
    RefreshTokenRevoked => "refresh_token_revoked",
    AccessTokenRevoked => "access_token_revoked",
    // People
    ConsentGranted => "consent_granted",
    ConsentDenied => "consent_denied",
    ConsentRevoked => "consent_revoked",
    ProfileUpdated => "profile_updated",
    SignedOut => "signed_out",
    // Clients
    ClientCreated => "client_created",
    ClientRegistered => "client_registered",
    ClientRemoved => "client_removed",
    // Admins (the detail names the actor)
    AdminAuditRead => "admin_audit_read",
    AdminClientCreated => "admin_client_created",
    AdminClientDeleted => "admin_client_deleted",
    AdminClientSecretRotated => "admin_client_secret_rotated",
    AdminClientUpdated => "admin_client_updated",
    AdminClientViewed => "admin_client_viewed",
    AdminClientsListed => "admin_clients_listed",
    AdminGrantRevoked => "admin_grant_revoked",
    AdminGrantsRevoked => "admin_grants_revoked",
    AdminKeyRotated => "admin_key_rotated",
    AdminKeysListed => "admin_keys_listed",
    AdminReviewAccountAdded => "admin_review_account_added",
    AdminReviewAccountRemoved => "admin_review_account_removed",
    AdminReviewAccountsListed => "admin_review_accounts_listed",
    AdminSessionRevoked => "admin_session_revoked",
    AdminSessionsRevoked => "admin_sessions_revoked",
    AdminTokenCreated => "admin_token_created",
    AdminTokenRevoked => "admin_token_revoked",
    AdminUserDeleted => "admin_user_deleted",
    AdminUserDisabled => "admin_user_disabled",
    AdminUserEnabled => "admin_user_enabled",
    AdminUserGrantsListed => "admin_user_grants_listed",
    AdminUserSessionsListed => "admin_user_sessions_listed",
    AdminUserViewed => "admin_user_viewed",
    AdminUsersListed => "admin_users_listed",
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
}
