//! Clerk's browser SDK served under /npm, from the configured folder only.

use super::*;

/// A raw HTTP/1.1 request, so that `..` segments reach the server as written.
async fn raw_get(addr: std::net::SocketAddr, path: &str) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(
        format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes(),
    )
    .await
    .unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).await.unwrap();
    let text = String::from_utf8_lossy(&out).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, text)
}

#[tokio::test]
async fn clerk_js_is_served_from_the_configured_folder_only() {
    // Without --clerk-js-dir: a Clerk-shaped 404.
    let env = spawn(Kind::Production).await;
    let mut b = env.browser_at(None);
    b.get("/npm/@clerk/clerk-js@6/dist/clerk.browser.js")
        .await
        .err(404, "resource_not_found");
    b.get("/__clerk/npm/@clerk/ui@1/dist/ui.browser.js")
        .await
        .err(404, "resource_not_found");

    let dir = tempfile::tempdir().unwrap();
    let js = "window.__usher_test_clerk = 'clerk-js';";
    let dist = dir.path().join("@clerk/clerk-js/dist");
    std::fs::create_dir_all(dist.join("chunks")).unwrap();
    std::fs::write(dist.join("clerk.browser.js"), js).unwrap();
    std::fs::write(dist.join("chunks/a-1.js"), "chunk").unwrap();
    std::fs::write(
        dir.path().join("@clerk/clerk-js/package.json"),
        "{\"name\":\"PACKAGE-JSON-SECRET\"}",
    )
    .unwrap();
    std::fs::write(dir.path().join("secret.txt"), "TOP-SECRET-FILE").unwrap();
    let folder = dir.path().to_path_buf();
    let env = spawn_tweaked(Kind::Production, move |cfg| {
        cfg.frontend.clerk_js_dir = Some(folder);
    })
    .await;
    let mut b = env.browser_at(None);
    for version in [
        "6",
        "6.40.0",
        "5.128.0",
        "latest",
        "6.0.0-snapshot.v20261120",
    ] {
        for prefix in ["", "/__clerk"] {
            let r = b
                .get(&format!(
                    "{prefix}/npm/@clerk/clerk-js@{version}/dist/clerk.browser.js"
                ))
                .await;
            assert_eq!(r.status, 200, "{version}: {}", r.raw);
            assert_eq!(r.raw, js);
            let ct = r.header("content-type").unwrap();
            assert!(
                ct.starts_with("application/javascript") || ct.starts_with("text/javascript"),
                "{ct}"
            );
        }
    }
    let r = b
        .get("/npm/@clerk/clerk-js@6.40.0/dist/chunks/a-1.js")
        .await;
    assert_eq!((r.status, r.raw.as_str()), (200, "chunk"));
    // Missing files and other packages: 404.
    b.get("/npm/@clerk/clerk-js@6/dist/missing.js")
        .await
        .err(404, "resource_not_found");
    b.get("/npm/@clerk/ui@1/dist/ui.browser.js")
        .await
        .err(404, "resource_not_found");
    b.get("/npm/@clerk/other@1/dist/clerk.browser.js")
        .await
        .err(404, "resource_not_found");
    b.get("/npm/lodash@4/dist/clerk.browser.js")
        .await
        .err(404, "resource_not_found");

    // Escapes, sent byte for byte.
    let addr = env.app.running.frontend_addr;
    for path in [
        "/npm/@clerk/clerk-js@6/dist/../package.json",
        "/npm/@clerk/clerk-js@6/dist/../../../secret.txt",
        "/npm/@clerk/clerk-js@6/dist/chunks/../../package.json",
        "/npm/@clerk/clerk-js@6/dist/..%2Fpackage.json",
        "/npm/@clerk/clerk-js@6/dist/%2e%2e/package.json",
        "/npm/@clerk/clerk-js@6/dist/%2e%2e%2f%2e%2e%2f%2e%2e%2fsecret.txt",
        "/npm/@clerk/clerk-js@6/dist/%5c..%5c..%5csecret.txt",
        "/npm/@clerk/clerk-js@6/package.json",
        "/npm/@clerk/../../secret.txt",
        "/npm/@clerk/clerk-js@6/dist//etc/passwd",
        "/npm/@clerk/clerk-js@6/dist/%2Fetc%2Fpasswd",
        "/__clerk/npm/@clerk/clerk-js@6/dist/../package.json",
        "/npm/../secret.txt",
    ] {
        let (status, text) = raw_get(addr, path).await;
        assert!((400..500).contains(&status), "{path}: {status}\n{text}");
        assert!(!text.contains("PACKAGE-JSON-SECRET"), "{path}");
        assert!(!text.contains("TOP-SECRET-FILE"), "{path}");
        assert!(!text.contains("root:"), "{path}");
        assert!(text.contains("clerk_trace_id"), "{path}: {text}");
    }
}
