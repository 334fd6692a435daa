//! The events webhooks subscribe to, and how each is read off the audit trail.
//!
//! An event is not written anywhere of its own: the audit trail already records every
//! change to people and clients, so a webhook's events are the trail's rows of the kinds
//! below, read in order after the webhook's cursor (`outbox::webhook`). Whatever reaches
//! the trail reaches the subscribers. A leaf beside `audit`: it imports nothing else of
//! Sesame's.

use std::collections::BTreeSet;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::audit::AuditKind;

/// One kind of event a webhook may subscribe to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Event {
    /// A first sign-in made an account.
    #[serde(rename = "person.created")]
    PersonCreated,
    /// A person typed the right code.
    #[serde(rename = "person.signed_in")]
    PersonSignedIn,
    /// A person's profile, attributes or groups changed, or an admin enabled them again.
    #[serde(rename = "person.changed")]
    PersonChanged,
    /// An admin disabled a person (their sign-ins ended, their grants revoked).
    #[serde(rename = "person.disabled")]
    PersonDisabled,
    /// An admin deleted a person.
    #[serde(rename = "person.deleted")]
    PersonDeleted,
    /// A client was registered, changed, given a new secret or removed.
    #[serde(rename = "client.changed")]
    ClientChanged,
}

impl Event {
    /// Every event, in the order the documentation lists them.
    pub const ALL: &'static [Event] = &[
        Event::PersonCreated,
        Event::PersonSignedIn,
        Event::PersonChanged,
        Event::PersonDisabled,
        Event::PersonDeleted,
        Event::ClientChanged,
    ];

    /// The event's name, as subscriptions and deliveries carry it.
    pub const fn as_str(self) -> &'static str {
        match self {
            Event::PersonCreated => "person.created",
            Event::PersonSignedIn => "person.signed_in",
            Event::PersonChanged => "person.changed",
            Event::PersonDisabled => "person.disabled",
            Event::PersonDeleted => "person.deleted",
            Event::ClientChanged => "client.changed",
        }
    }

    /// The event a name names.
    pub fn parse(s: &str) -> Option<Event> {
        Event::ALL.iter().copied().find(|e| e.as_str() == s)
    }

    /// The event an audit row is, if any. `detail` is the row's details: an action that
    /// changed nothing (disabling a person already disabled, deleting what did not exist,
    /// adding a member already in the group) is no event.
    pub fn from_audit(kind: &str, detail: &serde_json::Value) -> Option<Event> {
        let flag = |name: &str| detail.get(name).and_then(serde_json::Value::as_bool);
        let kind = AuditKind::parse(kind)?;
        Some(match kind {
            AuditKind::UserRegistered => Event::PersonCreated,
            AuditKind::VerificationSucceeded => Event::PersonSignedIn,
            AuditKind::ProfileUpdated
            | AuditKind::AdminUserAttributeSet
            | AuditKind::AdminUserAttributeUnset
                if flag("existed") != Some(false) =>
            {
                Event::PersonChanged
            }
            AuditKind::AdminGroupMemberAdded if flag("already_member") != Some(true) => {
                Event::PersonChanged
            }
            AuditKind::AdminGroupMemberRemoved if flag("was_member") != Some(false) => {
                Event::PersonChanged
            }
            AuditKind::AdminUserEnabled if flag("was_disabled") == Some(true) => {
                Event::PersonChanged
            }
            AuditKind::AdminUserDisabled if flag("already_disabled") != Some(true) => {
                Event::PersonDisabled
            }
            AuditKind::AdminUserDeleted if flag("existed") == Some(true) => Event::PersonDeleted,
            AuditKind::AdminClientDeleted if flag("existed") == Some(true) => Event::ClientChanged,
            // Every new client is `client_created` (an admin's or a registration's event of
            // its own follows it: not a second event).
            AuditKind::ClientCreated
            | AuditKind::ClientRemoved
            | AuditKind::AdminClientSecretRotated
            | AuditKind::AdminClientUpdated => Event::ClientChanged,
            _ => return None,
        })
    }
}

impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The events one webhook subscribes to: at least one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventSet(BTreeSet<Event>);

/// Why a list of events was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EventSetError {
    #[error("`{0}` is not an event (one of {list}, or `*` for all)", list = names())]
    Unknown(String),
    #[error("subscribe to at least one event (one of {list}, or `*` for all)", list = names())]
    Empty,
}

fn names() -> String {
    Event::ALL
        .iter()
        .map(|e| e.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

impl EventSet {
    /// Parses event names; `*` means every event.
    pub fn parse<S: AsRef<str>>(names: &[S]) -> Result<EventSet, EventSetError> {
        let mut set = BTreeSet::new();
        for n in names {
            let n = n.as_ref().trim();
            if n == "*" {
                set.extend(Event::ALL.iter().copied());
            } else if !n.is_empty() {
                set.insert(Event::parse(n).ok_or_else(|| EventSetError::Unknown(n.into()))?);
            }
        }
        if set.is_empty() {
            return Err(EventSetError::Empty);
        }
        Ok(EventSet(set))
    }

    /// The set as the store keeps it: names separated by spaces. Names the store holds
    /// that this release does not know (written by a newer one) are skipped.
    pub fn from_stored(s: &str) -> EventSet {
        EventSet(s.split_whitespace().filter_map(Event::parse).collect())
    }

    pub fn to_stored(&self) -> String {
        self.names().join(" ")
    }

    pub fn names(&self) -> Vec<&'static str> {
        self.0.iter().map(|e| e.as_str()).collect()
    }

    pub fn contains(&self, e: Event) -> bool {
        self.0.contains(&e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_event_name_parses_back_to_itself() {
        for e in Event::ALL {
            assert_eq!(Event::parse(e.as_str()), Some(*e));
            assert_eq!(serde_json::to_value(e).unwrap(), json!(e.as_str()));
        }
    }

    #[test]
    fn audit_rows_become_the_events_they_describe() {
        let none = json!({});
        assert_eq!(
            Event::from_audit("user_registered", &none),
            Some(Event::PersonCreated)
        );
        assert_eq!(
            Event::from_audit("verification_succeeded", &none),
            Some(Event::PersonSignedIn)
        );
        assert_eq!(
            Event::from_audit("admin_user_disabled", &json!({"already_disabled": false})),
            Some(Event::PersonDisabled)
        );
        assert_eq!(
            Event::from_audit("admin_user_deleted", &json!({"existed": true})),
            Some(Event::PersonDeleted)
        );
        assert_eq!(
            Event::from_audit("admin_client_updated", &json!({"changed": ["name"]})),
            Some(Event::ClientChanged)
        );
        assert_eq!(
            Event::from_audit(
                "admin_group_member_added",
                &json!({"already_member": false})
            ),
            Some(Event::PersonChanged)
        );
    }

    #[test]
    fn actions_that_changed_nothing_and_reads_are_no_events() {
        assert_eq!(
            Event::from_audit("admin_user_disabled", &json!({"already_disabled": true})),
            None
        );
        assert_eq!(
            Event::from_audit("admin_user_deleted", &json!({"existed": false})),
            None
        );
        assert_eq!(
            Event::from_audit("admin_group_member_added", &json!({"already_member": true})),
            None
        );
        assert_eq!(
            Event::from_audit("admin_user_enabled", &json!({"was_disabled": false})),
            None
        );
        assert_eq!(Event::from_audit("admin_user_viewed", &json!({})), None);
        // One new client, one event: its `client_created`, not the admin's or the
        // registration's row that follows.
        assert_eq!(
            Event::from_audit("client_created", &json!({})),
            Some(Event::ClientChanged)
        );
        assert_eq!(Event::from_audit("admin_client_created", &json!({})), None);
        assert_eq!(Event::from_audit("client_registered", &json!({})), None);
        assert_eq!(Event::from_audit("code_sent", &json!({})), None);
        assert_eq!(Event::from_audit("no_such_kind", &json!({})), None);
    }

    #[test]
    fn an_event_set_refuses_unknown_names_and_emptiness_and_star_means_all() {
        assert_eq!(
            EventSet::parse(&["person.created", "person.exploded"]),
            Err(EventSetError::Unknown("person.exploded".into()))
        );
        assert_eq!(EventSet::parse::<&str>(&[]), Err(EventSetError::Empty));
        let all = EventSet::parse(&["*"]).unwrap();
        assert_eq!(all.names().len(), Event::ALL.len());
        let two = EventSet::parse(&["client.changed", "person.created"]).unwrap();
        assert_eq!(two.to_stored(), "person.created client.changed");
        assert_eq!(EventSet::from_stored(&two.to_stored()), two);
        assert_eq!(
            EventSet::from_stored("person.created from.the.future"),
            EventSet::parse(&["person.created"]).unwrap()
        );
    }
}
