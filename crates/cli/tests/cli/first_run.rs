//! What `usher serve` tells the operator: the first run's next steps (ready-to-paste `.env`
//! lines that match `usher keys`, hosted page URLs that answer, where the codes are), and a
//! warning when `--environment` disagrees with the stored instance.

use crate::common::{database_url, http_get, keys_json, serve_with};

/// The value of the banner line `NAME=value`.
fn env_line<'a>(banner: &'a str, name: &str) -> &'a str {
    banner
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{name}=")))
        .unwrap_or_else(|| panic!("no {name}= line in\n{banner}"))
}

/// What the banner tells other commands to find the instance in `dir` by (a database URL's
/// credentials shown as `***`).
fn finding_flags(dir: &std::path::Path) -> String {
    if usher_store::testing::postgres_selected() {
        let url = database_url(dir);
        let (scheme, rest) = url.split_once("://").unwrap();
        let host = rest.split_once('@').map_or(rest, |(_, h)| h);
        format!("--database-url '{scheme}://***@{host}'")
    } else {
        format!("--data-dir '{}'", dir.display())
    }
}

#[test]
fn the_first_run_prints_next_steps_that_work() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (server, banner) = serve_with(d, &[]);
    let keys = keys_json(d);
    assert_eq!(env_line(&banner, "CLERK_SECRET_KEY"), keys["secret_key"]);
    assert_eq!(
        env_line(&banner, "CLERK_PUBLISHABLE_KEY"),
        keys["publishable_key"]
    );
    assert_eq!(env_line(&banner, "CLERK_API_URL"), keys["api_url"]);
    // One line, as .env files hold it: `\n` inside double quotes.
    let jwt_key = env_line(&banner, "CLERK_JWT_KEY");
    let pem = jwt_key
        .strip_prefix('"')
        .and_then(|k| k.strip_suffix('"'))
        .unwrap()
        .replace("\\n", "\n");
    assert_eq!(
        pem.trim_end(),
        keys["jwt_public_key_pem"].as_str().unwrap().trim_end()
    );
    assert!(
        banner.contains(&format!("`usher emails {}`", finding_flags(d))),
        "{banner}"
    );
    assert!(
        banner.contains("  Environment:      development\n"),
        "{banner}"
    );
    // The hosted page URLs it prints answer, and so does the landing page.
    let frontend = keys["frontend_api_url"].as_str().unwrap();
    assert!(banner.contains(&format!("{frontend}/sign-up")), "{banner}");
    let (status, body) = http_get(&format!("{frontend}/sign-up"));
    assert_eq!(status, 200);
    assert!(body.contains("<h1>Create your account</h1>"));
    let (status, body) = http_get(&format!("{frontend}/"));
    assert_eq!(status, 200);
    assert!(body.contains("href=\"/sign-in\""), "{body}");
    drop(server);

    // Later runs: no secret, no next steps, the hosted pages still named.
    let (server, banner) = serve_with(d, &[]);
    assert!(!banner.contains("CLERK_SECRET_KEY="), "{banner}");
    assert!(!banner.contains("Next steps"), "{banner}");
    assert!(banner.contains("/sign-in"), "{banner}");
    drop(server);
}

#[test]
fn an_environment_the_instance_does_not_have_is_warned_about() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    drop(serve_with(d, &[]));
    let (server, banner) = serve_with(d, &["--environment", "production"]);
    assert!(
        banner.contains("Warning: --environment production ignored: this instance is development"),
        "{banner}"
    );
    assert!(
        banner.contains("  Environment:      development\n"),
        "{banner}"
    );
    drop(server);
    let log = std::fs::read_to_string(d.join("serve.log")).unwrap();
    assert!(
        log.lines()
            .any(|l| l.contains("effective settings") && l.contains("environment=\"development\"")),
        "{log}"
    );
    assert!(log.contains("does not match the stored instance"), "{log}");
    // Asking for what it is, or for nothing, is quiet.
    for args in [&["--environment", "development"][..], &[][..]] {
        let (server, banner) = serve_with(d, args);
        assert!(!banner.contains("Warning"), "{banner}");
        drop(server);
    }
}
