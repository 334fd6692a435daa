//! Limits on sending codes (against pumping and mail bombing): per identifier and per
//! client IP, per channel (`[limits.email]`, `[limits.sms]`).

use super::{audit_limit, identifier_key, ip_key, ClientIp, Guard, LimitContext, Pause};
use crate::channel::Channel;
use crate::config::{LimitsConfig, SendLimits};
use crate::limits::{self, Decision, Rule};
use crate::store::StoreResult;

/// The send limits of a channel.
pub fn send_limits(cfg: &LimitsConfig, channel: Channel) -> &SendLimits {
    match channel {
        Channel::Email => &cfg.email,
        Channel::Sms => &cfg.sms,
    }
}

fn send_rules(channel: Channel, s: &SendLimits) -> ([Rule; 2], [Rule; 2]) {
    let names = match channel {
        Channel::Email => [
            "email_sends_identifier_hour",
            "email_sends_identifier_day",
            "email_sends_ip_hour",
            "email_sends_ip_day",
        ],
        Channel::Sms => [
            "sms_sends_identifier_hour",
            "sms_sends_identifier_day",
            "sms_sends_ip_hour",
            "sms_sends_ip_day",
        ],
    };
    (
        [
            Rule::new(names[0], s.per_identifier_per_hour, 3600),
            Rule::new(names[1], s.per_identifier_per_day, 86_400),
        ],
        [
            Rule::new(names[2], s.per_ip_per_hour, 3600),
            Rule::new(names[3], s.per_ip_per_day, 86_400),
        ],
    )
}

/// Counts one code about to be sent to `identifier` on `channel` from `ip`, or says why it
/// must not be. Called before the account is looked up, so it answers the same for known
/// and unknown identifiers.
pub async fn check_send(
    g: &Guard<'_>,
    channel: Channel,
    identifier: &str,
    ip: &ClientIp,
    client_id: &str,
) -> StoreResult<Option<Pause>> {
    let (now, cfg) = (g.now, g.limits);
    let id_key = identifier_key(g, channel, identifier);
    let masked = channel.mask(identifier);
    let ctx = LimitContext {
        ip,
        client_id,
        channel,
        masked: &masked,
    };
    if let Decision::Denied { rule, retry_after } = limits::peek(
        g.store,
        now,
        &format!("fail:{id_key}"),
        &super::guessing::failure_rules(cfg),
    )
    .await?
    {
        audit_limit(g, &ctx, rule, &id_key, retry_after).await;
        return Ok(Some(Pause::IdentifierFailures { retry_after }));
    }
    // A refused send is given back, so the counters say how many codes were really sent
    // (a burst past the hourly limit does not also use up the day).
    let (id_rules, ip_rules) = send_rules(channel, send_limits(cfg, channel));
    let idk = format!("send:{id_key}");
    let ipk = format!("send:{}", ip_key(ip));
    // Both budgets are counted in one statement; a refused send gives both back.
    let groups: [(&str, &[Rule]); 2] = [(&idk, &id_rules), (&ipk, &ip_rules)];
    let decisions = limits::hit_all(g.store, now, &groups).await?;
    let denied = decisions.iter().enumerate().find_map(|(i, d)| match d {
        Decision::Denied { rule, retry_after } => Some((i, *rule, *retry_after)),
        Decision::Allowed => None,
    });
    if let Some((i, rule, retry_after)) = denied {
        limits::refund_all(g.store, now, &groups).await?;
        return Ok(Some(if i == 0 {
            audit_limit(g, &ctx, rule, &id_key, retry_after).await;
            Pause::IdentifierSends { retry_after }
        } else {
            audit_limit(g, &ctx, rule, &ipk, retry_after).await;
            Pause::IpSends { retry_after }
        }));
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::{Clock, ShiftedClock};
    use crate::crypto::ServerSecrets;
    use crate::store::testing::temp_sqlite;

    fn secrets() -> ServerSecrets {
        ServerSecrets::from_secret(&secrecy::SecretString::from(
            "a-test-secret-that-is-long-enough-0123456789".to_string(),
        ))
    }

    fn limits(per_identifier_per_hour: i64, per_ip_per_hour: i64) -> LimitsConfig {
        LimitsConfig {
            email: SendLimits {
                per_identifier_per_hour,
                per_identifier_per_day: 100,
                per_ip_per_hour,
                per_ip_per_day: 100,
            },
            ..LimitsConfig::default()
        }
    }

    fn ip(s: &str) -> ClientIp {
        ClientIp(s.parse().expect("an IP address"))
    }

    async fn send(g: &Guard<'_>, to: &str, from: &ClientIp) -> Option<Pause> {
        check_send(g, Channel::Email, to, from, "client-1")
            .await
            .expect("the store answers")
    }

    #[tokio::test]
    async fn sends_past_the_identifiers_hourly_limit_pause_until_the_hour_has_passed() {
        let (store, _dir) = temp_sqlite().await;
        let (secrets, limits) = (secrets(), limits(2, 100));
        let clock = ShiftedClock::new();
        let guard = |now| Guard {
            store: &store,
            secrets: &secrets,
            limits: &limits,
            now,
        };
        let me = ip("192.0.2.7");
        assert_eq!(
            send(&guard(clock.now()), "ana@example.com", &me).await,
            None
        );
        assert_eq!(
            send(&guard(clock.now()), "ana@example.com", &me).await,
            None
        );
        let third = send(&guard(clock.now()), "ana@example.com", &me).await;
        assert!(
            matches!(third, Some(Pause::IdentifierSends { retry_after }) if retry_after > 0),
            "{third:?}"
        );
        // Another address from the same IP is not paused by Ana's limit.
        assert_eq!(send(&guard(clock.now()), "bo@example.com", &me).await, None);
        clock.advance(3600);
        assert_eq!(
            send(&guard(clock.now()), "ana@example.com", &me).await,
            None
        );
        let audited = store
            .audit_events(0, Some("limit_hit"), 10)
            .await
            .expect("the trail reads");
        assert_eq!(
            audited.len(),
            1,
            "one limit_hit event per rule, key and hour"
        );
        assert!(
            audited[0].detail.contains("a***@example.com") && !audited[0].detail.contains("ana@"),
            "{:?}",
            audited[0].detail
        );
    }

    #[tokio::test]
    async fn a_send_refused_by_the_ip_budget_is_given_back_to_the_identifier() {
        let (store, _dir) = temp_sqlite().await;
        let (secrets, limits) = (secrets(), limits(2, 1));
        let clock = ShiftedClock::new();
        let g = Guard {
            store: &store,
            secrets: &secrets,
            limits: &limits,
            now: clock.now(),
        };
        let (a, b) = (ip("192.0.2.7"), ip("198.51.100.9"));
        assert_eq!(send(&g, "cy@example.com", &a).await, None);
        let refused = send(&g, "cy@example.com", &a).await;
        assert!(
            matches!(refused, Some(Pause::IpSends { .. })),
            "{refused:?}"
        );
        // The refused send did not count against Cy: from another address, the second of
        // Cy's two sends an hour still goes.
        assert_eq!(send(&g, "cy@example.com", &b).await, None);
        let third = send(&g, "cy@example.com", &b).await;
        assert!(
            matches!(third, Some(Pause::IdentifierSends { .. })),
            "{third:?}"
        );
    }
}
