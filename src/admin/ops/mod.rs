//! Administrative operations as plain functions, shared by the admin HTTP API and the CLI
//! so both do exactly the same thing: the same validation, the same effects and the same
//! audit event, which names who acted ([`Actor`]: an admin API token, or the CLI).
//!
//! Every function takes a [`Ctx`] and returns a serialisable view (the API's JSON body
//! and the CLI's `--json` output are the same document) or an [`AdminError`].

pub mod admins;
pub mod attributes;
pub mod audit;
mod client_checks;
pub mod clients;
pub mod groups;
pub mod keys;
pub mod overview;
pub mod review;
pub mod users;
pub mod webhooks;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::audit::AuditEvent;
use crate::config::Config;
use crate::crypto::{CryptoError, ServerSecrets};
use crate::store::{Store, StoreError};
use crate::tokens::KeyError;

/// Who performed an administrative action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    /// An admin API token (its id and name; never the token), and the client address the
    /// request came from (as the limits see it: `limits.trusted_proxies` apply).
    Token {
        id: String,
        name: String,
        ip: Option<String>,
    },
    /// The `sesame` command line, run by this operating-system user.
    Cli { os_user: Option<String> },
    /// A console admin signed in in a browser (their user id), and the client address.
    Console { user_id: String, ip: Option<String> },
}

impl Actor {
    /// The CLI, as the current operating-system user.
    pub fn cli() -> Actor {
        Actor::Cli {
            os_user: std::env::var("USER")
                .or_else(|_| std::env::var("LOGNAME"))
                .ok()
                .filter(|u| !u.is_empty())
                .or_else(os_user_of_this_process),
        }
    }

    /// The address an action came from, for the audit event's `ip`.
    pub fn ip(&self) -> Option<&str> {
        match self {
            Actor::Token { ip, .. } | Actor::Console { ip, .. } => ip.as_deref(),
            Actor::Cli { .. } => None,
        }
    }

    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Actor::Token { id, name, .. } => {
                serde_json::json!({ "type": "admin_token", "id": id, "name": name })
            }
            Actor::Cli { os_user } => serde_json::json!({ "type": "cli", "os_user": os_user }),
            Actor::Console { user_id, .. } => {
                serde_json::json!({ "type": "console", "user_id": user_id })
            }
        }
    }
}

/// The user this process runs as, when `USER` and `LOGNAME` are not set (as in many
/// containers): the name `/etc/passwd` gives the real uid, else `uid <n>`.
fn os_user_of_this_process() -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let uid = status
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))?
        .split_whitespace()
        .next()?
        .to_owned();
    let named = std::fs::read_to_string("/etc/passwd").ok().and_then(|p| {
        p.lines().find_map(|l| {
            let mut f = l.split(':');
            let name = f.next()?;
            (f.nth(1)? == uid).then(|| name.to_owned())
        })
    });
    Some(named.unwrap_or_else(|| format!("uid {uid}")))
}

/// What every operation needs.
pub struct Ctx<'a> {
    pub store: &'a Store,
    pub secrets: &'a ServerSecrets,
    pub config: &'a Config,
    pub now: i64,
    pub actor: Actor,
}

impl Ctx<'_> {
    /// Writes the audit event of an admin action: `detail` plus `actor`.
    pub async fn audit(
        &self,
        event: AuditEvent<'_>,
        user_id: Option<&str>,
        client_id: Option<&str>,
    ) -> Result<(), AdminError> {
        let mut row = event.row(user_id, client_id, self.actor.ip());
        if let Some(map) = row.detail.as_object_mut() {
            map.insert("actor".into(), self.actor.to_json());
        }
        self.store.audit(self.now, row).await?;
        Ok(())
    }
}

/// Why an operation was refused or failed. The API answers each with an RFC 9457 problem;
/// the CLI prints its message.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    #[error("no {what} with id {id}")]
    NotFound { what: &'static str, id: String },
    #[error("{field}: {message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    #[error("{0}")]
    Conflict(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Crypto(#[from] CryptoError),
    #[error(transparent)]
    Keys(#[from] KeyError),
}

impl AdminError {
    pub fn invalid(field: &'static str, message: impl Into<String>) -> AdminError {
        AdminError::Invalid {
            field,
            message: message.into(),
        }
    }

    pub fn not_found(what: &'static str, id: impl Into<String>) -> AdminError {
        AdminError::NotFound {
            what,
            id: id.into(),
        }
    }
}

impl From<crate::clients::ClientError> for AdminError {
    fn from(e: crate::clients::ClientError) -> Self {
        match e {
            crate::clients::ClientError::Invalid(m) => AdminError::invalid("client", m),
            crate::clients::ClientError::InvalidRedirectUri(m) => {
                AdminError::invalid("redirect_uris", m)
            }
            crate::clients::ClientError::Store(e) => e.into(),
            crate::clients::ClientError::Crypto(e) => e.into(),
        }
    }
}

impl From<crate::outbox::logout::NoticeError> for AdminError {
    fn from(e: crate::outbox::logout::NoticeError) -> Self {
        match e {
            crate::outbox::logout::NoticeError::Store(e) => e.into(),
            crate::outbox::logout::NoticeError::Crypto(e) => e.into(),
        }
    }
}

pub const DEFAULT_LIMIT: i64 = 50;
pub const MAX_LIMIT: i64 = 200;

/// Pagination parameters: `limit` (1–200, default 50) and the opaque `cursor` of the
/// previous page's `next_cursor`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// How many items to return (1–200, default 50).
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

impl PageParams {
    pub fn limit(&self) -> Result<i64, AdminError> {
        match self.limit {
            None => Ok(DEFAULT_LIMIT),
            Some(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
            Some(_) => Err(AdminError::invalid(
                "limit",
                format!("must be between 1 and {MAX_LIMIT}"),
            )),
        }
    }

    pub fn cursor<T: DeserializeOwned>(&self) -> Result<Option<T>, AdminError> {
        self.cursor.as_deref().map(decode_cursor).transpose()
    }
}

/// One page of a list. `next_cursor` is absent on the last page.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; null on the last page.
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// Builds a page from up to `limit + 1` fetched rows: the extra row only says that
    /// there is a next page, whose cursor is made from the last row kept.
    pub fn from_rows<R, C: Serialize>(
        mut rows: Vec<R>,
        limit: i64,
        key: impl Fn(&R) -> C,
        view: impl Fn(R) -> T,
    ) -> Page<T> {
        let more = rows.len() as i64 > limit;
        rows.truncate(limit.max(0) as usize);
        let next_cursor = if more {
            rows.last().map(|r| encode_cursor(&key(r)))
        } else {
            None
        };
        Page {
            items: rows.into_iter().map(view).collect(),
            next_cursor,
        }
    }

    pub fn all(items: Vec<T>) -> Page<T> {
        Page {
            items,
            next_cursor: None,
        }
    }
}

pub fn encode_cursor<C: Serialize>(key: &C) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(key).unwrap_or_default())
}

pub fn decode_cursor<T: DeserializeOwned>(s: &str) -> Result<T, AdminError> {
    let bad = || AdminError::invalid("cursor", "is not a cursor this API returned");
    if s.len() > 512 {
        return Err(bad());
    }
    let bytes = URL_SAFE_NO_PAD.decode(s).map_err(|_| bad())?;
    serde_json::from_slice(&bytes).map_err(|_| bad())
}

/// Checks a human-given name: 1 to 100 printable characters after trimming.
pub fn valid_name(field: &'static str, name: &str) -> Result<String, AdminError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(AdminError::invalid(
            field,
            "must be 1 to 100 printable characters",
        ));
    }
    Ok(name.to_string())
}

/// Parses a time given by an admin: Unix seconds, an RFC 3339 date-time, or a date
/// (`2027-01-31`, meaning the start of that day, UTC).
pub fn parse_time(field: &'static str, s: &str) -> Result<i64, AdminError> {
    let s = s.trim();
    if let Ok(n) = s.parse::<i64>() {
        return Ok(n);
    }
    if let Ok(t) = time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339) {
        return Ok(t.unix_timestamp());
    }
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    if let Ok(d) = time::Date::parse(s, &fmt) {
        return Ok(d.midnight().assume_utc().unix_timestamp());
    }
    Err(AdminError::invalid(
        field,
        format!("`{s}` is not a date (2027-01-31), an RFC 3339 time or Unix seconds"),
    ))
}

/// Formats Unix seconds as RFC 3339 (UTC), for people.
pub fn format_time(t: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(t)
        .ok()
        .and_then(|d| {
            d.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| t.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        let c = encode_cursor(&(42_i64, "abc"));
        let back: (i64, String) = decode_cursor(&c).unwrap();
        assert_eq!(back, (42, "abc".to_string()));
        assert!(decode_cursor::<(i64, String)>("not!base64").is_err());
        assert!(decode_cursor::<(i64, String)>(&encode_cursor(&"x")).is_err());
    }

    #[test]
    fn pages_say_whether_there_is_more() {
        let p: Page<i64> = Page::from_rows(vec![1, 2, 3], 2, |r| *r, |r| r);
        assert_eq!(p.items, vec![1, 2]);
        assert_eq!(
            decode_cursor::<i64>(p.next_cursor.as_deref().unwrap()).unwrap(),
            2
        );
        let p: Page<i64> = Page::from_rows(vec![1, 2], 2, |r| *r, |r| r);
        assert!(p.next_cursor.is_none());
    }

    #[test]
    fn times_parse_in_three_forms() {
        assert_eq!(parse_time("t", "2027-01-31").unwrap(), 1_801_353_600);
        assert_eq!(
            parse_time("t", "2027-01-31T00:00:00Z").unwrap(),
            1_801_353_600
        );
        assert_eq!(parse_time("t", "1801353600").unwrap(), 1_801_353_600);
        assert!(parse_time("t", "31/01/2027").is_err());
        assert_eq!(format_time(1_801_353_600), "2027-01-31T00:00:00Z");
    }
}
