//! `fd-users` and `fd-sessions`: the benchmark's users (digests made here, imported) and their
//! signed-in browsers.

use super::*;

/// The users of the benchmark, by role, and their password.
pub struct Users {
    pub refreshers: Vec<String>,
    pub sign_in_users: Vec<String>,
    pub victims: Vec<String>,
}

impl Users {
    pub(super) fn from_json(v: &Value) -> Result<Self> {
        let list = |name: &str| crate::fixture::string_list(v, "users", name);
        Ok(Self {
            refreshers: list("refreshers")?,
            sign_in_users: list("sign_in_users")?,
            victims: list("victims")?,
        })
    }
}

/// `fd-users`: creates the refreshers, the sign-in users (both with `bypass_client_trust`) and
/// the attacker's victims through the Backend API, each with an imported Argon2id digest of the
/// server's own parameters, and writes their emails to `--out`.
pub async fn users(mut flags: Flags) -> Result<()> {
    let (_, api) = addr_flag(&mut flags, "api")?;
    let server_pid: u32 = flags.get("server-pid", 0)?;
    let out = PathBuf::from(flags.str("out")?);
    let refreshers: usize = flags.get("refreshers", 100)?;
    let sign_in_users: usize = flags.get("sign-in-users", 200)?;
    let victims: usize = flags.get("victims", 1000)?;
    let concurrency: usize = flags.get("concurrency", 8)?;
    flags.finish()?;
    if !(1..=5000).contains(&refreshers)
        || !(1..=5000).contains(&sign_in_users)
        || !(1..=20_000).contains(&victims)
        || !(1..=64).contains(&concurrency)
    {
        bail!(
            "--refreshers and --sign-in-users must be 1..=5000, --victims 1..=20000, --concurrency 1..=64"
        );
    }
    let secret_key = secret_key()?;
    let mut health = Client::new(api, None)?;
    fixture::wait_healthy(&mut health, server_pid).await?;
    let digest = hashrate::digest_of(PASSWORD)?.0;
    let start = std::time::Instant::now();
    let mut made = serde_json::Map::new();
    for (role, prefix, count, bypass) in [
        ("refreshers", "fd-refresh", refreshers, true),
        ("sign_in_users", "fd-signin", sign_in_users, true),
        // The attacker's targets are ordinary users: Client Trust is theirs to have.
        ("victims", "fd-victim", victims, false),
    ] {
        let digest = digest.clone();
        let emails: Vec<String> = (0..count)
            .map(|i| format!("{prefix}-{i:05}@example.com"))
            .collect();
        let bodies = emails.clone();
        create_many(
            &[api],
            &secret_key,
            count,
            concurrency,
            "a created user",
            move |i| {
                (
                    "/v1/users",
                    json!({
                        "email_address": [bodies[i]],
                        "password_digest": digest,
                        "password_hasher": "argon2id",
                        "bypass_client_trust": bypass,
                    }),
                )
            },
        )
        .await
        .with_context(|| format!("creating the {role}"))?;
        made.insert(role.into(), json!(emails));
    }
    eprintln!(
        "created {refreshers} refreshers, {sign_in_users} sign-in users and {victims} victims in {:.1} s",
        start.elapsed().as_secs_f64()
    );
    write_json(&out, &Value::Object(made))
}

/// `fd-sessions`: signs every refresher in through the Frontend API, each from its own browser
/// and address, checks one of the tokens the Frontend API mints, and writes the browsers'
/// cookies and sessions to `--out`.
pub async fn sessions(mut flags: Flags) -> Result<()> {
    let (_, frontend) = addr_flag(&mut flags, "frontend")?;
    let server_pid: u32 = flags.get("server-pid", 0)?;
    let users_path = PathBuf::from(flags.str("users")?);
    let out = PathBuf::from(flags.str("out")?);
    let concurrency: usize = flags.get("concurrency", 8)?;
    let origin = origin_flag(&mut flags)?;
    flags.finish()?;
    let users = Users::from_json(&read_json(&users_path)?)?;
    let mut health = Client::new(frontend, None)?;
    fixture::wait_healthy(&mut health, server_pid).await?;
    let start = std::time::Instant::now();
    let emails = Arc::new(users.refreshers);
    let count = emails.len();
    let concurrency = concurrency.clamp(1, count.max(1));
    let mut tasks = Vec::new();
    for k in 0..concurrency {
        let emails = emails.clone();
        let origin = origin.clone();
        tasks.push(tokio::spawn(async move {
            let mut client = Client::new(frontend, None)?;
            let mut done = Vec::new();
            for i in (k..count).step_by(concurrency) {
                let address = refresher_addr(i as u64);
                let s = sign_in(&mut client, &origin, address, &emails[i]).await?;
                done.push((i, address, s));
            }
            anyhow::Ok(done)
        }));
    }
    let mut browsers = vec![Value::Null; count];
    let mut first = None;
    for t in tasks {
        for (i, address, s) in t.await.context("a sign-in task failed")?? {
            if i == 0 {
                first = Some((s.cookie.clone(), s.session_id.clone()));
            }
            browsers[i] = json!({
                "email": emails[i],
                "address": address.to_string(),
                "cookie": s.cookie,
                "session_id": s.session_id,
            });
        }
    }
    eprintln!(
        "signed {count} refreshers in through the Frontend API in {:.1} s",
        start.elapsed().as_secs_f64()
    );
    // One refresh, checked like every minted token of the other benchmarks.
    let (cookie, sid) = first.context("no refresher")?;
    let mut client = Client::new(frontend, None)?;
    let mut browser = Browser::new(&origin, refresher_addr(0));
    browser.cookie = Some(cookie);
    let res = browser.post(&mut client, &token_path(&sid), None).await?;
    if res.status != 200 {
        bail!(
            "POST {} -> {} {}",
            token_path(&sid),
            res.status,
            snippet(&res.body)
        );
    }
    let jwt =
        fixture::jwt_of(&res.body).with_context(|| format!("no jwt in {}", snippet(&res.body)))?;
    let check = fixture::verify_token(&mut client, &jwt, &sid).await?;
    eprintln!("token check: {} (kid {})", check.verdict, check.kid);
    write_json(
        &out,
        &json!({ "browsers": browsers, "token_check": check.verdict }),
    )
}
