//! Limits on sending codes (against pumping and mail bombing): per identifier and per
//! client IP, per channel (`[limits.email]`, `[limits.sms]`).

use super::{audit_limit, identifier_key, ip_key, mask_identifier, ClientIp, LimitContext, Pause};
use crate::config::{LimitsConfig, SendLimits};
use crate::limits::{self, Decision, Rule};
use crate::state::AppState;
use crate::store::users::Channel;
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
    state: &AppState,
    channel: Channel,
    identifier: &str,
    ip: &ClientIp,
    client_id: &str,
) -> StoreResult<Option<Pause>> {
    let now = state.now();
    let cfg = &state.config.limits;
    let id_key = identifier_key(state, channel, identifier);
    let masked = mask_identifier(channel, identifier);
    let ctx = LimitContext {
        ip,
        client_id,
        channel,
        masked: &masked,
    };
    if let Decision::Denied { rule, retry_after } = limits::peek(
        &state.store,
        now,
        &format!("fail:{id_key}"),
        &super::guessing::failure_rules(cfg),
    )
    .await?
    {
        audit_limit(state, &ctx, rule, &id_key, retry_after).await;
        return Ok(Some(Pause::IdentifierFailures { retry_after }));
    }
    // A refused send is given back, so the counters say how many codes were really sent
    // (a burst past the hourly limit does not also use up the day).
    let (id_rules, ip_rules) = send_rules(channel, send_limits(cfg, channel));
    let idk = format!("send:{id_key}");
    let ipk = format!("send:{}", ip_key(ip));
    // Both budgets are counted in one statement; a refused send gives both back.
    let groups: [(&str, &[Rule]); 2] = [(&idk, &id_rules), (&ipk, &ip_rules)];
    let decisions = limits::hit_all(&state.store, now, &groups).await?;
    let denied = decisions.iter().enumerate().find_map(|(i, d)| match d {
        Decision::Denied { rule, retry_after } => Some((i, *rule, *retry_after)),
        Decision::Allowed => None,
    });
    if let Some((i, rule, retry_after)) = denied {
        limits::refund_all(&state.store, now, &groups).await?;
        return Ok(Some(if i == 0 {
            audit_limit(state, &ctx, rule, &id_key, retry_after).await;
            Pause::IdentifierSends { retry_after }
        } else {
            audit_limit(state, &ctx, rule, &ipk, retry_after).await;
            Pause::IpSends { retry_after }
        }));
    }
    Ok(None)
}
