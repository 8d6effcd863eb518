//! `usher instance branding`: validated like the Backend API, and picked up by a running server.

use std::path::Path;
use std::process::Output;
use std::time::{Duration, Instant};

use crate::common::{http_get, instance_dir, serve_with, usher_in};

fn branding(dir: &Path, args: &[&str]) -> Output {
    usher_in(dir)
        .args(["instance", "branding", "--data-dir"])
        .arg(dir)
        .args(args)
        .output()
        .unwrap()
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&out.stderr)))
}

#[test]
fn branding_is_set_validated_and_shown() {
    let dir = instance_dir();
    let d = dir.path();
    let shown = branding(d, &["--json"]);
    assert!(shown.status.success());
    assert_eq!(json(&shown)["application_name"], "Usher");

    let set = branding(
        d,
        &[
            "--name",
            "Acme",
            "--logo-url",
            "https://cdn.acme.test/logo.png",
            "--primary-color",
            "#AA3300",
            "--json",
        ],
    );
    assert!(
        set.status.success(),
        "{}",
        String::from_utf8_lossy(&set.stderr)
    );
    let b = json(&set);
    assert_eq!(b["application_name"], "Acme");
    assert_eq!(b["logo_image_url"], "https://cdn.acme.test/logo.png");
    assert_eq!(b["primary_color"], "#aa3300");

    // Bad input: the Backend API's error, and nothing changes.
    for (args, code) in [
        (&["--primary-color", "red"][..], "form_param_format_invalid"),
        (
            &["--logo-url", "javascript:alert(1)"][..],
            "form_param_format_invalid",
        ),
        (&["--name", &"n".repeat(51)][..], "form_param_value_invalid"),
    ] {
        let out = branding(d, args);
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(code), "{args:?}: {err}");
    }
    let bad = branding(d, &["--primary-color", "#12", "--json"]);
    assert!(!bad.status.success());
    let body = json(&bad);
    assert_eq!(body["errors"][0]["code"], "form_param_format_invalid");
    assert_eq!(body["errors"][0]["meta"]["param_name"], "primary_color");

    // An empty value puts the default back; the text form names every field.
    let out = branding(d, &["--logo-url", ""]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Application name: Acme"), "{text}");
    assert!(text.contains("Logo URL:         (none)"), "{text}");
    assert!(text.contains("Primary colour:   #aa3300"), "{text}");
}

#[test]
fn a_running_server_picks_the_change_up() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (server, banner) = serve_with(d, &["--key-refresh-secs", "1"]);
    let frontend = banner
        .lines()
        .find_map(|l| l.trim().strip_prefix("Frontend API:"))
        .unwrap()
        .trim()
        .to_owned();
    let out = branding(d, &["--name", "Live Name"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (_, body) = http_get(&format!("{frontend}/sign-in"));
        if body.contains("<strong>Live Name</strong>") {
            break;
        }
        assert!(Instant::now() < deadline, "not picked up: {body}");
        std::thread::sleep(Duration::from_millis(200));
    }
    drop(server);
}
