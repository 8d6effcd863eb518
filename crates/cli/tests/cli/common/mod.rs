//! What the CLI tests share: the `usher` binary without the caller's `USHER_*` environment, and
//! an instance created by starting `usher serve` once. With `USHER_TEST_BACKEND=postgres` each
//! data directory's instance lives in a fresh database on the test PostgreSQL server instead of
//! the directory's SQLite file.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The binary under test, with no `USHER_*` variable inherited from whoever runs the tests.
pub fn usher() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_usher"));
    for (k, _) in std::env::vars() {
        if k.starts_with("USHER_") {
            c.env_remove(k);
        }
    }
    c
}

/// The database of the instance whose data directory is `dir`: its SQLite file, or on a
/// PostgreSQL run a database made for `dir` the first time it is asked for.
pub fn database_url(dir: &Path) -> String {
    static DATABASES: Mutex<BTreeMap<PathBuf, String>> = Mutex::new(BTreeMap::new());
    if !usher_store::testing::postgres_selected() {
        return format!("sqlite://{}", dir.join("usher.sqlite").display());
    }
    let mut made = DATABASES.lock().unwrap_or_else(|e| e.into_inner());
    made.entry(dir.to_path_buf())
        .or_insert_with(|| {
            runtime()
                .block_on(usher_store::testing::fresh_postgres_database())
                .unwrap()
                .expect("USHER_TEST_POSTGRES_URL names the PostgreSQL server")
        })
        .clone()
}

/// The server configuration of the instance in `dir`, on its database.
pub fn server_config(dir: &Path) -> usher_server::config::ServerConfig {
    let mut cfg = usher_server::config::ServerConfig::with_data_dir(dir.to_path_buf());
    cfg.database_url = Some(database_url(dir));
    cfg
}

/// `cmd` pointed at `dir`'s database when that is not the directory's SQLite file.
pub fn on_backend<'a>(cmd: &'a mut Command, dir: &Path) -> &'a mut Command {
    if usher_store::testing::postgres_selected() {
        cmd.env("USHER_DATABASE_URL", database_url(dir));
    }
    cmd
}

/// The binary under test on the database of the instance in `dir`.
pub fn usher_in(dir: &Path) -> Command {
    let mut c = usher();
    on_backend(&mut c, dir);
    c
}

/// `usher serve` on free ports with its data in `dir` and its stdout piped (for the banner).
pub fn serve_command(dir: &Path) -> Command {
    let mut c = usher();
    on_backend(&mut c, dir);
    c.args([
        "serve",
        "--api-addr",
        "127.0.0.1:0",
        "--frontend-addr",
        "127.0.0.1:0",
    ])
    .env("USHER_DATA_DIR", dir)
    .stdout(Stdio::piped());
    c
}

/// Creates the instance in `dir` by starting `usher serve` once, then stops it.
pub fn create_instance(dir: &Path) {
    let mut cmd = serve_command(dir);
    cmd.stderr(Stdio::null());
    drop(start(cmd));
}

/// A fresh directory holding a created instance (its database and keys), removed when dropped.
pub fn instance_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    create_instance(dir.path());
    dir
}

/// A running `usher serve`, stopped when dropped.
pub struct Server(pub std::process::Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `cmd` (from `serve_command`) and returns it with its banner: the stdout lines up to
/// `Listening:`.
pub fn start(mut cmd: Command) -> (Server, String) {
    let mut child = Server(cmd.spawn().unwrap());
    let mut banner = String::new();
    let mut lines = BufReader::new(child.0.stdout.take().unwrap()).lines();
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        let Some(Ok(line)) = lines.next() else { break };
        banner.push_str(&line);
        banner.push('\n');
        if line.starts_with("Listening:") {
            break;
        }
    }
    (child, banner)
}

/// Starts `usher serve` on free ports in `dir` with `args`, and returns it with its banner; its
/// log goes to `dir/serve.log`.
pub fn serve_with(dir: &Path, args: &[&str]) -> (Server, String) {
    let log = std::fs::File::create(dir.join("serve.log")).unwrap();
    let mut cmd = serve_command(dir);
    cmd.args(args).stderr(log);
    start(cmd)
}

/// Asserts that `s` is an RFC 3339 time; `context` is shown if not.
#[track_caller]
pub fn assert_rfc3339(s: &str, context: &str) {
    assert!(
        time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).is_ok(),
        "{s} in {context}"
    );
}

/// A plain HTTP/1.1 GET of `http://host:port/path`: the status and the body.
pub fn http_get(url: &str) -> (u16, String) {
    http_request("GET", url, None, None)
}

/// `usher <command> <args…> --data-dir <dir>`.
pub fn run_in(dir: &Path, command: &str, args: &[&str]) -> Output {
    let mut c = usher();
    on_backend(&mut c, dir)
        .arg(command)
        .args(args)
        .arg("--data-dir")
        .arg(dir)
        .output()
        .unwrap()
}

/// The same, which must succeed: its stdout.
#[track_caller]
pub fn ok_in(dir: &Path, command: &str, args: &[&str]) -> String {
    let out = run_in(dir, command, args);
    assert!(
        out.status.success(),
        "usher {command} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The same, which must fail: its stderr.
#[track_caller]
pub fn fails_in(dir: &Path, command: &str, args: &[&str]) -> String {
    let out = run_in(dir, command, args);
    assert!(!out.status.success(), "usher {command} {args:?} succeeded");
    String::from_utf8(out.stderr).unwrap()
}

/// `usher keys --json`.
pub fn keys_json(dir: &Path) -> serde_json::Value {
    let mut c = usher();
    let out = on_backend(&mut c, dir)
        .args(["keys", "--json", "--data-dir"])
        .arg(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// A runtime for writing to the instance's database as the server would, with it stopped.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// The instance's SQLite database in `dir`, for what only SQLite has (backups, the file).
pub fn sqlite_url(dir: &Path) -> String {
    format!("sqlite://{}", dir.join("usher.sqlite").display())
}

/// A plain HTTP/1.1 request to `url` with an optional bearer token and JSON body: the status
/// and the body.
pub fn http(method: &str, url: &str, bearer: Option<&str>, json: Option<&str>) -> (u16, String) {
    http_request(method, url, bearer, json.map(|j| ("application/json", j)))
}

/// A plain HTTP/1.1 request to `http://host:port/path`, with an optional bearer token and an
/// optional body (its content type, then itself), on a connection it closes: the status and the
/// body of the answer.
pub fn http_request(
    method: &str,
    url: &str,
    bearer: Option<&str>,
    body: Option<(&str, &str)>,
) -> (u16, String) {
    use std::io::{Read, Write};
    let rest = url.strip_prefix("http://").unwrap();
    let (host, path) = rest
        .split_once('/')
        .map_or((rest, "/".to_owned()), |(h, p)| (h, format!("/{p}")));
    let mut s = std::net::TcpStream::connect(host).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n");
    if let Some(b) = bearer {
        head.push_str(&format!("Authorization: Bearer {b}\r\n"));
    }
    if let Some((content_type, body)) = body {
        head.push_str(&format!(
            "Content-Type: {content_type}\r\nContent-Length: {}\r\n",
            body.len()
        ));
    }
    write!(s, "{head}\r\n{}", body.map_or("", |(_, b)| b)).unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let raw = String::from_utf8_lossy(&raw).into_owned();
    let status = raw[9..12].parse().unwrap();
    let body = raw.split_once("\r\n\r\n").map_or("", |(_, b)| b).to_owned();
    (status, body)
}

/// The audit log, newest first: (actor, action, target).
/// The database of the instance in `dir`, opened directly, and the instance's id.
pub async fn stored(
    dir: &Path,
) -> (
    std::sync::Arc<dyn usher_core::store::Store>,
    usher_core::ids::InstanceId,
) {
    let store = usher_store::open(&database_url(dir)).await.unwrap();
    let ins = store.load_instance().await.unwrap().unwrap().id;
    (store, ins)
}

pub fn audit_log(dir: &Path) -> Vec<(String, String, Option<String>)> {
    runtime().block_on(async {
        let (store, ins) = stored(dir).await;
        store
            .audit_log(&ins, 1000)
            .await
            .unwrap()
            .into_iter()
            .map(|a| (a.actor, a.action, a.target_id))
            .collect()
    })
}

/// The server's state on `dir`'s instance, opened as the CLI opens it (the server stopped), and
/// a system request context: for making records the way the Backend API's use cases make them.
/// A user without a password (`new` says what else it has), made as the Backend API makes one.
pub async fn passwordless_user(
    state: &usher_server::state::AppState,
    ctx: &usher_server::app::context::RequestContext,
    new: usher_core::users::create::NewUser,
) -> usher_core::users::User {
    let new = usher_core::users::create::NewUser {
        skip_password_requirement: true,
        ..new
    };
    usher_server::app::users::create(state, ctx, new)
        .await
        .unwrap()
}

pub async fn offline_state(
    dir: &Path,
) -> (
    usher_server::state::AppState,
    usher_server::app::context::RequestContext,
) {
    let cfg = server_config(dir);
    let clock: std::sync::Arc<dyn usher_core::clock::Clock> =
        std::sync::Arc::new(usher_core::clock::SystemClock);
    let state = usher_server::offline::open(&cfg, clock).await.unwrap();
    (
        state,
        usher_server::app::context::RequestContext::system("test"),
    )
}

/// The types of the events recorded so far that start with `prefix`, in order, and the CLI's
/// audit actions, newest first.
pub fn recorded(dir: &Path, prefix: &str) -> (Vec<String>, Vec<String>) {
    runtime().block_on(async {
        let (store, ins) = stored(dir).await;
        let events = store
            .events_after(&ins, 0, 1000)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.event_type)
            .filter(|t| t.starts_with(prefix))
            .collect();
        let audit = store
            .audit_log(&ins, 1000)
            .await
            .unwrap()
            .into_iter()
            .filter(|a| a.actor == "cli")
            .map(|a| a.action)
            .collect();
        (events, audit)
    })
}

/// A command's output read as JSON.
pub fn json(out: &str) -> serde_json::Value {
    serde_json::from_str(out).unwrap_or_else(|e| panic!("{e}: {out}"))
}
