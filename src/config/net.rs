//! IP networks in the configuration (`limits.trusted_proxies`), parsed here so the layers
//! above get networks, not strings.

use std::net::IpAddr;

use ipnet::IpNet;
use serde::{Deserialize, Serialize};

/// An IP address or CIDR range (`10.0.0.0/8`, `2001:db8::/32`, `127.0.0.1`); a bare
/// address is a range of one. IPv4-mapped IPv6 addresses match as their IPv4 address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpRange(IpNet);

impl IpRange {
    pub fn parse(s: &str) -> Result<IpRange, String> {
        let s = s.trim();
        let (addr, prefix) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s, None),
        };
        let addr: IpAddr = addr
            .parse()
            .map_err(|_| "is not an IP address or CIDR range".to_string())?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) => p.parse::<u8>().map_err(|_| prefix_error(max))?,
        };
        IpNet::new(addr, prefix)
            .map(IpRange)
            .map_err(|_| prefix_error(max))
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        self.0.contains(&canonical(ip))
    }
}

/// The proxies whose `X-Forwarded-For` is believed (`limits.trusted_proxies`), parsed when
/// the configuration is read; an entry that does not parse stops start-up with its reason.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Vec<String>", into = "Vec<String>")]
pub struct TrustedProxies(pub Vec<IpRange>);

impl TryFrom<Vec<String>> for TrustedProxies {
    type Error = String;
    fn try_from(v: Vec<String>) -> Result<Self, Self::Error> {
        v.iter()
            .map(|p| IpRange::parse(p).map_err(|e| format!("limits.trusted_proxies: `{p}` {e}")))
            .collect::<Result<_, _>>()
            .map(TrustedProxies)
    }
}

impl From<TrustedProxies> for Vec<String> {
    fn from(t: TrustedProxies) -> Vec<String> {
        t.0.iter().map(|r| r.0.to_string()).collect()
    }
}

fn prefix_error(max: u8) -> String {
    format!("has a prefix length outside 0..={max}")
}

/// IPv4-mapped IPv6 addresses (`::ffff:1.2.3.4`) are the IPv4 address.
pub fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6
            .to_ipv4_mapped()
            .map(IpAddr::V4)
            .unwrap_or(IpAddr::V6(v6)),
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_match_their_members_only() {
        let r = IpRange::parse("10.0.0.0/8").unwrap();
        assert!(r.contains("10.200.1.1".parse().unwrap()));
        assert!(r.contains("::ffff:10.0.0.1".parse().unwrap()));
        assert!(!r.contains("11.0.0.1".parse().unwrap()));
        let one = IpRange::parse("::1").unwrap();
        assert!(one.contains("::1".parse().unwrap()));
        assert!(!one.contains("::2".parse().unwrap()));
        let host_bits = IpRange::parse("192.168.1.77/24").unwrap();
        assert!(host_bits.contains("192.168.1.3".parse().unwrap()));
    }

    #[test]
    fn bad_ranges_are_refused_with_the_reason() {
        assert_eq!(
            IpRange::parse("10.0.0.0/33").unwrap_err(),
            "has a prefix length outside 0..=32"
        );
        assert_eq!(
            IpRange::parse("::/x").unwrap_err(),
            "has a prefix length outside 0..=128"
        );
        assert!(IpRange::parse("example.com").is_err());
    }
}
