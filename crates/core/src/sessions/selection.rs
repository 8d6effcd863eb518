//! Which sessions an emergency revoke ends: exactly one selector (every live session, a user's,
//! those started before a time, or those started from an address in a CIDR block).

use std::net::IpAddr;

use super::model::Session;
use crate::clock::Millis;
use crate::error::{CoreError, CoreResult};
use crate::ids::UserId;

/// An IPv4 or IPv6 block: an address and how many leading bits of it count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    network: IpAddr,
    prefix: u8,
}

impl Cidr {
    /// `10.0.0.0/8`, `2001:db8::/32`, or a single address (`192.0.2.7` is `/32`, an IPv6
    /// address `/128`). Host bits set below the prefix are ignored, as routers do.
    pub fn parse(text: &str) -> CoreResult<Self> {
        let invalid = || CoreError::value("ip", "must be an IPv4 or IPv6 address or CIDR block");
        let (addr, prefix) = match text.trim().split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (text.trim(), None),
        };
        let network: IpAddr = addr.parse().map_err(|_| invalid())?;
        let max = if network.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => p
                .parse::<u8>()
                .ok()
                .filter(|&n| n <= max)
                .ok_or_else(invalid)?,
            Some(_) => return Err(invalid()),
        };
        Ok(Self { network, prefix })
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        // An IPv4 client seen through an IPv6 socket (`::ffff:192.0.2.7`) is the IPv4 address.
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        };
        match (self.network, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                prefix_eq(&net.octets(), &ip.octets(), self.prefix)
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                prefix_eq(&net.octets(), &ip.octets(), self.prefix)
            }
            _ => false,
        }
    }
}

impl std::fmt::Display for Cidr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.network, self.prefix)
    }
}

fn prefix_eq(a: &[u8], b: &[u8], bits: u8) -> bool {
    let whole = usize::from(bits / 8);
    let rest = bits % 8;
    if a.get(..whole) != b.get(..whole) {
        return false;
    }
    if rest == 0 {
        return true;
    }
    let mask = 0xffu8 << (8 - rest);
    match (a.get(whole), b.get(whole)) {
        (Some(x), Some(y)) => x & mask == y & mask,
        _ => false,
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionSelector {
    /// Every live session of the instance.
    All,
    /// Every live session of one user.
    User(UserId),
    /// Live sessions created strictly before this time.
    CreatedBefore(Millis),
    /// Live sessions whose recorded client address is in this block (a session with no
    /// recorded address matches no block).
    Ip(Cidr),
}

impl SessionSelector {
    /// Whether `session` is one the selector names (liveness is checked apart).
    pub fn matches(&self, session: &Session) -> bool {
        match self {
            Self::All => true,
            Self::User(id) => &session.user_id == id,
            Self::CreatedBefore(t) => session.created_at < *t,
            Self::Ip(block) => session
                .ip_address
                .as_deref()
                .and_then(|a| a.parse::<IpAddr>().ok())
                .is_some_and(|ip| block.contains(ip)),
        }
    }

    /// The selector as the audit log names it: `all`, `user:user_…`, `created_before:<ms>`,
    /// `ip:10.0.0.0/8`.
    pub fn describe(&self) -> String {
        match self {
            Self::All => "all".to_owned(),
            Self::User(id) => format!("user:{id}"),
            Self::CreatedBefore(t) => format!("created_before:{t}"),
            Self::Ip(block) => format!("ip:{block}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn ipv4_blocks_contain_exactly_their_addresses() {
        let block = Cidr::parse("10.1.0.0/16").unwrap();
        assert!(block.contains(ip("10.1.255.3")));
        assert!(!block.contains(ip("10.2.0.1")));
        assert!(block.contains(ip("::ffff:10.1.2.3")));
        assert!(!block.contains(ip("2001:db8::1")));
        let odd = Cidr::parse("192.0.2.64/27").unwrap();
        assert!(odd.contains(ip("192.0.2.95")));
        assert!(!odd.contains(ip("192.0.2.96")));
        assert!(!odd.contains(ip("192.0.2.63")));
        let single = Cidr::parse("203.0.113.9").unwrap();
        assert!(single.contains(ip("203.0.113.9")));
        assert!(!single.contains(ip("203.0.113.10")));
        assert!(Cidr::parse("0.0.0.0/0").unwrap().contains(ip("8.8.8.8")));
    }

    #[test]
    fn ipv6_blocks_contain_exactly_their_addresses() {
        let block = Cidr::parse("2001:db8:abcd::/48").unwrap();
        assert!(block.contains(ip("2001:db8:abcd:12::1")));
        assert!(!block.contains(ip("2001:db8:abce::1")));
        assert!(!block.contains(ip("10.0.0.1")));
        assert_eq!(block.to_string(), "2001:db8:abcd::/48");
    }

    #[test]
    fn malformed_blocks_are_refused() {
        for bad in [
            "",
            "10.0.0.0/33",
            "10.0.0/8",
            "::/129",
            "10.0.0.0/",
            "10.0.0.0/-1",
            "x/8",
            "10.0.0.0/+8",
        ] {
            assert!(Cidr::parse(bad).is_err(), "{bad}");
        }
    }
}
