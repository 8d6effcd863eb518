//! Unit tests of `fapi/client_ip.rs`.
use axum::extract::ConnectInfo;
use axum::http::request::Parts;
use std::net::{IpAddr, SocketAddr};

use axum::http::Request;
use usher_server::fapi::client_ip::*;

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
