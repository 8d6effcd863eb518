//! Unit tests of `fapi/npm.rs`.

use usher_server::fapi::npm::*;

#[test]
fn paths_stay_inside_dist() {
    assert_eq!(
        resolve("@clerk/clerk-js@6/dist/clerk.browser.js"),
        Some(("clerk-js", "dist/clerk.browser.js".into()))
    );
    assert_eq!(
        resolve("@clerk/ui@1.36.0/dist/chunks/x-1.js"),
        Some(("ui", "dist/chunks/x-1.js".into()))
    );
    for bad in [
        "@clerk/clerk-js@6/dist/../package.json",
        "@clerk/clerk-js@6/package.json",
        "@clerk/other@1/dist/a.js",
        "@clerk/clerk-js@6/dist/",
        "@clerk/clerk-js@6/dist/a%2f..",
        "lodash@4/dist/a.js",
    ] {
        assert_eq!(resolve(bad), None, "{bad}");
    }
}
