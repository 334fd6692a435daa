//! The per-IP rate limit of the authorization endpoint, counted in memory on each replica
//! (a GCRA limiter from the `governor` crate, one cell per client IP, IPv6 per /64), not in
//! the database: it defends against floods, and a database row per request would be the
//! very cost it is there to stop. With N replicas behind a load balancer a client gets up
//! to N times the rate.

use std::net::{IpAddr, Ipv6Addr};
use std::num::NonZeroU32;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::config::AuthorizeConfig;

/// The per-IP limit of authorization requests on this replica.
pub struct AuthorizeLimiter {
    limiter: Option<DefaultKeyedRateLimiter<IpAddr>>,
}

impl AuthorizeLimiter {
    /// `burst_per_ip` requests at once, then `per_ip_per_minute`; a rate of 0 is no limit.
    pub fn new(cfg: &AuthorizeConfig) -> AuthorizeLimiter {
        let limiter = NonZeroU32::new(cfg.per_ip_per_minute).map(|rate| {
            let burst = NonZeroU32::new(cfg.burst_per_ip).unwrap_or(NonZeroU32::MIN);
            RateLimiter::keyed(Quota::per_minute(rate).allow_burst(burst))
        });
        AuthorizeLimiter { limiter }
    }

    /// Counts one request from `ip`; past the limit, how long to wait (at least 1 second).
    pub fn check(&self, ip: IpAddr) -> Result<(), Duration> {
        let Some(limiter) = &self.limiter else {
            return Ok(());
        };
        limiter.check_key(&limit_key(ip)).map_err(|not_until| {
            not_until
                .wait_time_from(DefaultClock::default().now())
                .max(Duration::from_secs(1))
        })
    }

    /// Forgets the addresses whose budget is full again (called by the purge loop), so the
    /// table holds only recent clients.
    pub fn forget_idle(&self) {
        if let Some(l) = &self.limiter {
            l.retain_recent();
            l.shrink_to_fit();
        }
    }
}

/// The key an address is counted under: IPv4 as is, IPv6 by its /64 (one subscriber).
fn limit_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(burst: u32, per_minute: u32) -> AuthorizeConfig {
        AuthorizeConfig {
            burst_per_ip: burst,
            per_ip_per_minute: per_minute,
            ..AuthorizeConfig::default()
        }
    }

    #[test]
    fn the_burst_passes_then_the_address_waits_and_others_are_not_affected() {
        let l = AuthorizeLimiter::new(&cfg(3, 60));
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "192.0.2.2".parse().unwrap();
        for _ in 0..3 {
            assert!(l.check(a).is_ok());
        }
        let wait = l.check(a).unwrap_err();
        assert!(
            wait >= Duration::from_secs(1) && wait <= Duration::from_secs(2),
            "{wait:?}"
        );
        assert!(l.check(b).is_ok());
    }

    #[test]
    fn ipv6_addresses_of_one_slash_64_share_a_budget() {
        let l = AuthorizeLimiter::new(&cfg(1, 1));
        assert!(l.check("2001:db8:1:2::1".parse().unwrap()).is_ok());
        assert!(l.check("2001:db8:1:2:ffff::9".parse().unwrap()).is_err());
        assert!(l.check("2001:db8:1:3::1".parse().unwrap()).is_ok());
        assert!(l.check("::ffff:192.0.2.7".parse().unwrap()).is_ok());
        assert!(l.check("192.0.2.7".parse().unwrap()).is_err());
    }

    #[test]
    fn a_rate_of_zero_is_no_limit() {
        let l = AuthorizeLimiter::new(&cfg(0, 0));
        for _ in 0..1000 {
            assert!(l.check("192.0.2.1".parse().unwrap()).is_ok());
        }
    }
}
