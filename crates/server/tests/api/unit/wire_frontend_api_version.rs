//! Unit tests of `wire/frontend/api_version.rs`.

use usher_server::wire::frontend::api_version::*;

#[test]
fn versions_parse_as_dates_and_order_by_date() {
    let v5 = ApiVersion::requested(Some("2025-11-10"));
    let v6 = ApiVersion::requested(Some("2026-08-20"));
    assert_eq!(v5.to_string(), "2025-11-10");
    assert!(v5 < v6);
    assert!(!v5.knows_client_trust_status());
    assert!(v6.knows_client_trust_status());
    assert!(ApiVersion::requested(Some("2026-05-12")).knows_client_trust_status());
    for bad in [
        "",
        "v1",
        "2026-5-12",
        "2026-13-01",
        "2026-00-10",
        "2026-05-32",
        "+026-05-12",
        "2026-05-1x",
        "2026/05/12",
    ] {
        assert_eq!(ApiVersion::parse(bad), None, "{bad}");
        assert_eq!(
            ApiVersion::requested(Some(bad)),
            ApiVersion::LEGACY,
            "{bad}"
        );
    }
    assert_eq!(ApiVersion::requested(None), ApiVersion::LEGACY);
    assert!(!ApiVersion::LEGACY.knows_client_trust_status());
}
