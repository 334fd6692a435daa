//! What stands between a typed phone number and a paid text message.
//!
//! SMS costs money per message, and fraudsters exploit sign-in forms to send texts to
//! number ranges they share revenue with ("SMS pumping", toll fraud). Before every SMS
//! send, in this order:
//!
//! 1. the number's country must be on the allow-list (`sms_country`);
//! 2. a resend inside the transaction's cooldown is left to the cooldown (nothing counted);
//! 3. the deployment's daily budget must not be spent (`sms_daily_budget`, peeked);
//! 4. the client IP (IPv6: its /64) may not have asked too often (`sms_per_ip_hour`,
//!    `sms_per_ip_day`);
//! 5. the number may not have had too many codes (`sms_per_number_15m`,
//!    `sms_per_number_day`);
//! 6. the budget is counted (`sms_daily_budget`).
//!
//! Every counter lives in the database ([`crate::limits`]), so every replica shares it.
//! The checks run whether or not the number has an account, so a limit never tells an
//! attacker which numbers are registered. A denial writes an `sms_denied` audit event with
//! the rule and the masked number, and the person gets a calm page that says what to do.

use std::net::IpAddr;

use axum::http::StatusCode;

use crate::audit::AuditEvent;
use crate::delivery::sms::mask_phone;
use crate::i18n::Msg;
use crate::limits::{self, Decision, Rule};
use crate::state::AppState;
use crate::store::login::LoginTx;
use crate::store::StoreError;

use super::identifier::Identifier;
use super::phone::phone_region;

pub const RULE_COUNTRY: &str = "sms_country";
pub const RULE_PER_NUMBER_15M: &str = "sms_per_number_15m";
pub const RULE_PER_NUMBER_DAY: &str = "sms_per_number_day";
pub const RULE_PER_IP_HOUR: &str = "sms_per_ip_hour";
pub const RULE_PER_IP_DAY: &str = "sms_per_ip_day";
pub const RULE_BUDGET: &str = "sms_daily_budget";

const DAY: i64 = 86_400;

/// A refused send: which rule, and when trying again can help.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmsDenial {
    pub rule: &'static str,
    pub retry_after: Option<i64>,
}

impl SmsDenial {
    /// What the person reads.
    pub fn message(&self) -> Msg {
        let wait = Msg::wait(self.retry_after.unwrap_or(60));
        match self.rule {
            RULE_COUNTRY => Msg::new("sms-denied-country"),
            RULE_BUDGET => Msg::new("sms-denied-budget"),
            RULE_PER_IP_HOUR | RULE_PER_IP_DAY => Msg::new("sms-denied-network").arg("wait", wait),
            _ => Msg::new("sms-denied-number").arg("wait", wait),
        }
    }

    pub fn status(&self) -> StatusCode {
        match self.rule {
            RULE_COUNTRY => StatusCode::FORBIDDEN,
            RULE_BUDGET => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::TOO_MANY_REQUESTS,
        }
    }
}

fn rules(state: &AppState) -> ([Rule; 2], [Rule; 2], [Rule; 1]) {
    let l = &state.config.sms.limits;
    (
        [
            Rule::new(RULE_PER_IP_HOUR, l.per_ip_hour, 3_600),
            Rule::new(RULE_PER_IP_DAY, l.per_ip_day, DAY),
        ],
        [
            Rule::new(RULE_PER_NUMBER_15M, l.per_number_15m, 900),
            Rule::new(RULE_PER_NUMBER_DAY, l.per_number_day, DAY),
        ],
        [Rule::new(RULE_BUDGET, l.daily_budget, DAY)],
    )
}

/// Counter keys hold a keyed hash, not the number or address itself.
fn counter_key(state: &AppState, kind: &str, value: &str) -> String {
    let h = state
        .secrets
        .keyed_hash("sms_rate_key", &[kind.as_bytes(), value.as_bytes()]);
    let hex: String = h.iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!("sms:{kind}:{hex}")
}

/// IPv4 addresses count one by one; IPv6 addresses by their /64 (one subscriber's range).
fn ip_bucket(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
    }
}

const BUDGET_KEY: &str = "sms:budget";

/// [`admit`] for a phone number; an email address passes untouched.
pub async fn check(
    state: &AppState,
    tx: &LoginTx,
    id: &Identifier,
    ip: Option<IpAddr>,
) -> Result<Option<SmsDenial>, StoreError> {
    match id {
        Identifier::Phone(number) => admit(state, tx, number, ip).await,
        Identifier::Email(_) => Ok(None),
    }
}

/// Decides whether a code may be texted to `number` (E.164) for this sign-in, counting
/// the send under every limit when it may. `Ok(None)` means go ahead.
pub async fn admit(
    state: &AppState,
    tx: &LoginTx,
    number: &str,
    ip: Option<IpAddr>,
) -> Result<Option<SmsDenial>, StoreError> {
    // A resend inside the cooldown sends nothing (send_code answers it): count nothing.
    let cutoff = state.now() - state.config.login.resend_cooldown_seconds;
    let resend =
        tx.identifier.as_deref() == Some(number) && tx.code_sent_at.is_some_and(|t| t > cutoff);
    admit_number(state, Some(&tx.client_id), number, ip, resend).await
}

/// [`admit`] for a text that is not a sign-in's (a person adding a number to their
/// account): `client_id` for the audit trail, `within_cooldown` when nothing will be sent.
pub async fn admit_number(
    state: &AppState,
    client_id: Option<&str>,
    number: &str,
    ip: Option<IpAddr>,
    within_cooldown: bool,
) -> Result<Option<SmsDenial>, StoreError> {
    let now = state.now();
    let region = phone_region(number);
    if !state.config.sms.allowed().allows(region) {
        let d = SmsDenial {
            rule: RULE_COUNTRY,
            retry_after: None,
        };
        record(state, client_id, number, ip, region, &d).await;
        return Ok(Some(d));
    }
    if within_cooldown {
        return Ok(None);
    }
    let (ip_rules, number_rules, budget) = rules(state);
    let denied = |decision: Decision| match decision {
        Decision::Allowed => None,
        Decision::Denied { rule, retry_after } => Some(SmsDenial {
            rule,
            retry_after: Some(retry_after),
        }),
    };
    let mut denial = denied(limits::peek(&state.store, now, BUDGET_KEY, &budget).await?);
    if denial.is_none() {
        if let Some(ip) = ip {
            let key = counter_key(state, "ip", &ip_bucket(ip));
            denial = denied(limits::hit(&state.store, now, &key, &ip_rules).await?);
        }
    }
    if denial.is_none() {
        let key = counter_key(state, "number", number);
        denial = denied(limits::hit(&state.store, now, &key, &number_rules).await?);
    }
    if denial.is_none() {
        denial = denied(limits::hit(&state.store, now, BUDGET_KEY, &budget).await?);
    }
    if let Some(d) = &denial {
        record(state, client_id, number, ip, region, d).await;
    }
    Ok(denial)
}

async fn record(
    state: &AppState,
    client_id: Option<&str>,
    number: &str,
    ip: Option<IpAddr>,
    region: Option<phonenumber::country::Id>,
    d: &SmsDenial,
) {
    let masked = mask_phone(number);
    let country = region.map(|r| r.as_ref().to_owned());
    tracing::info!(
        rule = d.rule,
        to = %masked,
        country = country.as_deref(),
        retry_after = d.retry_after,
        "SMS send denied"
    );
    let ip_text = ip.map(|i| i.to_string());
    let event = AuditEvent::SmsDenied {
        rule: d.rule,
        to: &masked,
        country: country.as_deref(),
        retry_after: d.retry_after,
    }
    .row(None, client_id, ip_text.as_deref());
    if let Err(e) = state.store.audit(state.now(), event).await {
        tracing::warn!(error = %e, "could not write audit event");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_addresses_share_a_bucket_per_64() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::9".parse().unwrap();
        let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(ip_bucket(a), ip_bucket(b));
        assert_ne!(ip_bucket(a), ip_bucket(c));
        assert_eq!(ip_bucket("192.0.2.7".parse().unwrap()), "192.0.2.7");
    }

    fn en(m: &Msg) -> String {
        let i18n = crate::i18n::I18n::builtin("Sesame");
        i18n.tr(i18n.default_locale()).msg(m)
    }

    #[test]
    fn waits_read_naturally() {
        assert_eq!(en(&Msg::wait(5)), "a minute");
        assert_eq!(en(&Msg::wait(600)), "10 minutes");
        assert_eq!(en(&Msg::wait(7_200)), "2 hours");
    }

    #[test]
    fn each_rule_has_a_calm_message_and_fitting_status() {
        let d = |rule| SmsDenial {
            rule,
            retry_after: Some(600),
        };
        assert!(en(&d(RULE_COUNTRY).message()).starts_with("SMS is not available for this country"));
        assert_eq!(d(RULE_COUNTRY).status(), StatusCode::FORBIDDEN);
        assert!(en(&d(RULE_BUDGET).message()).contains("paused for today"));
        assert_eq!(d(RULE_BUDGET).status(), StatusCode::SERVICE_UNAVAILABLE);
        assert!(en(&d(RULE_PER_NUMBER_15M).message()).contains("10 minutes"));
        assert!(en(&d(RULE_PER_IP_DAY).message()).contains("your network"));
        assert_eq!(d(RULE_PER_IP_DAY).status(), StatusCode::TOO_MANY_REQUESTS);
    }
}
