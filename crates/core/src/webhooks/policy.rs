//! Where webhooks may go. URLs are checked when an endpoint is saved, and every address a host
//! name resolves to is checked again just before connecting (the connection then goes to that
//! checked address only, so a DNS answer cannot change between the check and the connect).
//!
//! Production instances refuse loopback, private and link-local destinations (an SSRF guard: a
//! secret-key holder must not be able to make Usher POST into the network it runs in) unless the
//! operator allows private networks. Development instances allow loopback, so a receiver on the
//! developer's machine works out of the box. Unspecified, multicast, broadcast and reserved
//! addresses are refused everywhere.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use url::{Host, Url};

use crate::error::{CoreError, CoreResult};
use crate::instance::Environment;

pub const MAX_URL_LEN: usize = 2048;

/// What a destination address is, for the SSRF guard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddressClass {
    Public,
    Loopback,
    /// RFC 1918, unique-local (fc00::/7), carrier-grade NAT (100.64/10), benchmarking (198.18/15).
    Private,
    /// 169.254/16 (cloud metadata services live here) and fe80::/10.
    LinkLocal,
    /// Unspecified, multicast, broadcast, documentation and reserved ranges: never a receiver.
    Forbidden,
}

pub fn classify(ip: IpAddr) -> AddressClass {
    match ip {
        IpAddr::V4(v4) => classify_v4(v4),
        IpAddr::V6(v6) => classify_v6(v6),
    }
}

fn classify_v4(ip: Ipv4Addr) -> AddressClass {
    let [a, b, c, _] = ip.octets();
    if ip.is_loopback() {
        AddressClass::Loopback
    } else if ip.is_private()
        || (a == 100 && (64..128).contains(&b))
        || (a == 198 && (b & 0xfe) == 18)
    {
        AddressClass::Private
    } else if ip.is_link_local() {
        AddressClass::LinkLocal
    } else if a == 0
        || ip.is_multicast()
        || ip.is_broadcast()
        || a >= 240
        || (a == 192 && b == 0 && c == 0)
        || (a == 192 && b == 0 && c == 2)
        || (a == 198 && b == 51 && c == 100)
        || (a == 203 && b == 0 && c == 113)
    {
        AddressClass::Forbidden
    } else {
        AddressClass::Public
    }
}

fn classify_v6(ip: Ipv6Addr) -> AddressClass {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return classify_v4(v4);
    }
    let seg = ip.segments();
    // NAT64 (64:ff9b::/96) and 6to4 (2002::/16) carry an IPv4 address that decides.
    if seg[0] == 0x64 && seg[1] == 0xff9b && seg[2..6] == [0, 0, 0, 0] {
        return classify_v4(Ipv4Addr::new(
            (seg[6] >> 8) as u8,
            seg[6] as u8,
            (seg[7] >> 8) as u8,
            seg[7] as u8,
        ));
    }
    if seg[0] == 0x2002 {
        return classify_v4(Ipv4Addr::new(
            (seg[1] >> 8) as u8,
            seg[1] as u8,
            (seg[2] >> 8) as u8,
            seg[2] as u8,
        ));
    }
    if ip.is_loopback() {
        AddressClass::Loopback
    } else if ip.is_unspecified() || ip.is_multicast() || seg[0] == 0x2001 && seg[1] == 0xdb8 {
        AddressClass::Forbidden
    } else if (seg[0] & 0xfe00) == 0xfc00 || (seg[0] & 0xffc0) == 0xfec0 {
        AddressClass::Private
    } else if (seg[0] & 0xffc0) == 0xfe80 {
        AddressClass::LinkLocal
    } else if seg[0] == 0 {
        // The rest of ::/8 (IPv4-compatible and reserved addresses).
        AddressClass::Forbidden
    } else {
        AddressClass::Public
    }
}

/// What a refusal tells the operator: the setting that lifts it (on `usher serve` and on the
/// `usher webhooks` commands that check URLs).
pub const ALLOW_HINT: &str = "(unless the operator allows private networks with \
     --webhook-allow-private-networks / USHER_WEBHOOK_ALLOW_PRIVATE_NETWORKS)";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DestinationPolicy {
    pub allow_loopback: bool,
    /// Private and link-local ranges (and loopback).
    pub allow_private: bool,
    /// Production refuses plain `http://` unless private networks are allowed (internal
    /// receivers often have no public certificate).
    pub require_https: bool,
}

impl DestinationPolicy {
    pub fn for_instance(env: Environment, allow_private_networks: bool) -> Self {
        match env {
            Environment::Development => Self {
                allow_loopback: true,
                allow_private: allow_private_networks,
                require_https: false,
            },
            Environment::Production => Self {
                allow_loopback: allow_private_networks,
                allow_private: allow_private_networks,
                require_https: !allow_private_networks,
            },
        }
    }

    /// Whether a connection to `ip` is allowed; the error says why not.
    pub fn check_ip(&self, ip: IpAddr) -> Result<(), String> {
        match classify(ip) {
            AddressClass::Public => Ok(()),
            AddressClass::Loopback if self.allow_loopback || self.allow_private => Ok(()),
            AddressClass::Private | AddressClass::LinkLocal if self.allow_private => Ok(()),
            AddressClass::Forbidden => Err(format!("{ip} is not a routable unicast address")),
            class => Err(format!(
                "{ip} is a {} address, which this instance does not deliver to {ALLOW_HINT}",
                match class {
                    AddressClass::Loopback => "loopback",
                    AddressClass::LinkLocal => "link-local",
                    _ => "private",
                }
            )),
        }
    }

    /// Checks an endpoint URL: `http(s)` with a host, no credentials, no fragment, at most 2 KiB;
    /// IP literals and `localhost` names must be allowed destinations. Returns the parsed URL.
    pub fn check_url(&self, raw: &str) -> CoreResult<Url> {
        let bad = |reason: &str| CoreError::value("url", reason);
        if raw.len() > MAX_URL_LEN {
            return Err(bad("must be at most 2048 characters"));
        }
        let url = Url::parse(raw.trim())
            .map_err(|_| CoreError::format("url", "must be an absolute http or https URL"))?;
        match url.scheme() {
            "https" => {}
            "http" if !self.require_https => {}
            "http" => {
                return Err(bad(&format!(
                    "must use https on a production instance {ALLOW_HINT}"
                )));
            }
            _ => {
                return Err(CoreError::format(
                    "url",
                    "must be an absolute http or https URL",
                ));
            }
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(bad("must not contain credentials"));
        }
        if url.fragment().is_some() {
            return Err(bad("must not contain a fragment"));
        }
        match url.host() {
            None => return Err(bad("must have a host")),
            Some(Host::Ipv4(ip)) => self.check_ip(IpAddr::V4(ip)).map_err(|e| bad(&e))?,
            Some(Host::Ipv6(ip)) => self.check_ip(IpAddr::V6(ip)).map_err(|e| bad(&e))?,
            Some(Host::Domain(name)) => {
                let name = name.trim_end_matches('.').to_ascii_lowercase();
                if (name == "localhost" || name.ends_with(".localhost"))
                    && !(self.allow_loopback || self.allow_private)
                {
                    return Err(bad(&format!(
                        "names a loopback host, which this instance does not deliver to {ALLOW_HINT}"
                    )));
                }
            }
        }
        Ok(url)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn classifies_addresses() {
        use AddressClass::*;
        for (a, c) in [
            ("8.8.8.8", Public),
            ("2606:4700::1111", Public),
            ("127.0.0.1", Loopback),
            ("127.9.9.9", Loopback),
            ("::1", Loopback),
            ("::ffff:127.0.0.1", Loopback),
            ("10.1.2.3", Private),
            ("172.16.0.1", Private),
            ("172.31.255.255", Private),
            ("172.32.0.1", Public),
            ("192.168.1.1", Private),
            ("100.64.0.1", Private),
            ("198.18.0.1", Private),
            ("fd00::1", Private),
            ("::ffff:10.0.0.1", Private),
            ("64:ff9b::a00:1", Private),
            ("2002:7f00:1::", Loopback),
            ("169.254.169.254", LinkLocal),
            ("fe80::1", LinkLocal),
            ("0.0.0.0", Forbidden),
            ("::", Forbidden),
            ("224.0.0.1", Forbidden),
            ("255.255.255.255", Forbidden),
            ("240.0.0.1", Forbidden),
            ("192.0.2.1", Forbidden),
            ("2001:db8::1", Forbidden),
            ("ff02::1", Forbidden),
        ] {
            assert_eq!(classify(ip(a)), c, "{a}");
        }
    }

    #[test]
    fn production_refuses_internal_destinations_unless_allowed() {
        let prod = DestinationPolicy::for_instance(Environment::Production, false);
        for a in [
            "127.0.0.1",
            "10.0.0.1",
            "169.254.169.254",
            "::1",
            "fd00::1",
            "0.0.0.0",
        ] {
            assert!(prod.check_ip(ip(a)).is_err(), "{a}");
        }
        assert!(prod.check_ip(ip("93.184.216.34")).is_ok());
        let open = DestinationPolicy::for_instance(Environment::Production, true);
        for a in ["127.0.0.1", "10.0.0.1", "169.254.169.254"] {
            assert!(open.check_ip(ip(a)).is_ok(), "{a}");
        }
        assert!(open.check_ip(ip("0.0.0.0")).is_err());
    }

    #[test]
    fn development_allows_loopback_only() {
        let dev = DestinationPolicy::for_instance(Environment::Development, false);
        assert!(dev.check_ip(ip("127.0.0.1")).is_ok());
        assert!(dev.check_ip(ip("::1")).is_ok());
        assert!(dev.check_ip(ip("192.168.0.10")).is_err());
        assert!(dev.check_ip(ip("169.254.169.254")).is_err());
        assert!(dev.check_url("http://localhost:3000/hook").is_ok());
        assert!(dev.check_url("http://127.0.0.1:3000/hook").is_ok());
        assert!(dev.check_url("http://10.0.0.1/hook").is_err());
    }

    #[test]
    fn checks_url_syntax() {
        let prod = DestinationPolicy::for_instance(Environment::Production, false);
        assert!(
            prod.check_url("https://hooks.example.com/clerk?x=1")
                .is_ok()
        );
        for bad in [
            "hooks.example.com/clerk",
            "ftp://hooks.example.com/",
            "http://hooks.example.com/",
            "https://user:pw@hooks.example.com/",
            "https://hooks.example.com/#frag",
            "https://127.0.0.1/",
            "https://[::1]:8443/",
            "https://localhost/",
            "https://api.localhost./",
            "https://169.254.169.254/latest/meta-data",
            "https://0x7f.1/",
            "https://2130706433/",
        ] {
            assert!(prod.check_url(bad).is_err(), "{bad}");
        }
        let long = format!("https://example.com/{}", "a".repeat(MAX_URL_LEN));
        assert!(prod.check_url(&long).is_err());
    }
}
