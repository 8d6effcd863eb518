//! The address a request came from. Behind configured reverse proxies the client is the
//! right-most `X-Forwarded-For` entry that is not itself a trusted proxy; from anyone else the
//! header is ignored, so a client cannot choose the address it is rate limited under.

use std::net::{IpAddr, SocketAddr};

use axum::extract::ConnectInfo;
use axum::http::request::Parts;

pub fn resolve(parts: &Parts, trusted: &[IpAddr]) -> Option<IpAddr> {
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())?;
    if !trusted.contains(&peer) {
        return Some(peer);
    }
    let forwarded: Vec<IpAddr> = parts
        .headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    Some(
        forwarded
            .into_iter()
            .rev()
            .find(|ip| !trusted.contains(ip))
            .unwrap_or(peer),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::Request;

    fn parts(peer: &str, xff: Option<&str>) -> Parts {
        let mut b = Request::builder().uri("/");
        if let Some(x) = xff {
            b = b.header("x-forwarded-for", x);
        }
        let (mut p, ()) = b.body(()).unwrap().into_parts();
        p.extensions.insert(ConnectInfo(
            format!("{peer}:1234").parse::<SocketAddr>().unwrap(),
        ));
        p
    }

    #[test]
    fn forwarded_for_only_from_trusted_proxies() {
        let proxy: IpAddr = "127.0.0.1".parse().unwrap();
        let ip = |s: &str| Some(s.parse::<IpAddr>().unwrap());
        assert_eq!(
            resolve(&parts("10.0.0.9", Some("1.2.3.4")), &[proxy]),
            ip("10.0.0.9")
        );
        assert_eq!(
            resolve(&parts("127.0.0.1", Some("1.2.3.4")), &[proxy]),
            ip("1.2.3.4")
        );
        assert_eq!(
            resolve(
                &parts("127.0.0.1", Some("6.6.6.6, 1.2.3.4, 127.0.0.1")),
                &[proxy]
            ),
            ip("1.2.3.4")
        );
        assert_eq!(
            resolve(&parts("127.0.0.1", None), &[proxy]),
            ip("127.0.0.1")
        );
        assert_eq!(
            resolve(&parts("127.0.0.1", Some("1.2.3.4")), &[]),
            ip("127.0.0.1")
        );
    }
}
