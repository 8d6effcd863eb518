//! `storm` (wrong passwords from spoofed addresses) and `sign-in` (password sign-ins as fast as
//! the server completes them): timed runs of sign-in attempts.

use super::*;

/// The flags of a timed run of sign-in attempts against the front door (`storm`, `sign-ins`).
struct TimedRun {
    frontend: SocketAddr,
    /// The Backend API listener, for `/metrics`.
    api: SocketAddr,
    users_path: PathBuf,
    out: PathBuf,
    round: u64,
    connections: usize,
    warmup: f64,
    duration: f64,
    first_address: u64,
    seed: u64,
    origin: HeaderValue,
}

impl TimedRun {
    fn read(flags: &mut Flags) -> Result<Self> {
        Ok(Self {
            frontend: addr_flag(flags, "frontend")?.1,
            api: addr_flag(flags, "api")?.1,
            users_path: PathBuf::from(flags.str("users")?),
            out: PathBuf::from(flags.str("out")?),
            round: flags.get("round", 0)?,
            connections: flags.get("connections", 16)?,
            warmup: flags.get("warmup", 1.0)?,
            duration: flags.get("duration", 5.0)?,
            first_address: flags.get("first-address", 0)?,
            seed: flags.get("seed", 42)?,
            origin: origin_flag(flags)?,
        })
    }
}

pub(super) fn fmt_ms(v: Option<&Value>) -> String {
    v.and_then(Value::as_f64)
        .map_or_else(|| "-".into(), |v| format!("{v:.2}"))
}

/// What the attacker's attempts came to.
#[derive(Default, Clone)]
struct AttackTally {
    /// Attempts started (a sign-in created or refused, then the wrong password).
    attempts: u64,
    /// HTTP requests sent.
    requests: u64,
    /// `422 form_password_incorrect`: the password was hashed and found wrong.
    hashed: u64,
    /// `429` on creating the sign-in (the per-address write limit) …
    throttled_create: u64,
    /// … or on the password (the failed-attempt limits, before any hash).
    throttled_attempt: u64,
    /// `403 user_locked`: the account is locked after too many failures (no hash either).
    locked: u64,
    other: Errors,
}

impl AttackTally {
    fn merge(&mut self, o: &Self) {
        self.attempts += o.attempts;
        self.requests += o.requests;
        self.hashed += o.hashed;
        self.throttled_create += o.throttled_create;
        self.throttled_attempt += o.throttled_attempt;
        self.locked += o.locked;
        self.other.merge(&o.other);
    }
}

fn refused(t: &mut AttackTally, status: u16, body: &str, what: &str) {
    *t.other.status.entry(status).or_default() += 1;
    t.other.note(|| format!("{what} -> {status} {body}"));
}

/// `storm`: the attacker. `--connections` keep-alive connections, each as fast as the server
/// answers, all sending from one spoofed address (`X-Forwarded-For`) until together they have
/// made `--per-address` attempts from it, then from a fresh one. An attempt creates a sign-in
/// for a random victim and sends a wrong password, with the client cookie the server gave that
/// connection for that address. Once an address has failed 30 times the server refuses it
/// before hashing (and past 100 writes in 10 s, before reading anything), so with the default
/// 200 attempts per address most attempts end in `429` while each fresh address keeps the
/// hashers busy. Counts outcomes completing in the measured window, and reads the server's hash
/// counter and hash queue (`/metrics` on `--api`) through it.
pub async fn storm(mut flags: Flags) -> Result<()> {
    let TimedRun {
        frontend,
        api,
        users_path,
        out,
        round,
        connections,
        warmup,
        duration,
        first_address,
        seed,
        origin,
    } = TimedRun::read(&mut flags)?;
    let per_address: u64 = flags.get("per-address", 200)?;
    let tail: f64 = flags.get("tail", 0.5)?;
    flags.finish()?;
    if !(1..=512).contains(&connections) || !(1..=100_000).contains(&per_address) {
        bail!("--connections must be 1..=512 and --per-address 1..=100000");
    }
    if !(0.0..=30.0).contains(&warmup)
        || !(0.5..=120.0).contains(&duration)
        || !(0.0..=10.0).contains(&tail)
    {
        bail!("--warmup must be 0..=30 s, --duration 0.5..=120 s and --tail 0..=10 s");
    }
    let victims = Arc::new(Users::from_json(&read_json(&users_path)?)?.victims);
    if victims.is_empty() {
        bail!("no victims to attack");
    }
    let start = Instant::now() + Duration::from_millis(200);
    let measure_from = start + Duration::from_secs_f64(warmup);
    let until = measure_from + Duration::from_secs_f64(duration);
    let stop = until + Duration::from_secs_f64(tail);
    // Attempt `n` of the storm (counted over all connections) comes from address
    // `first_address + n / per_address`: every connection uses the current address until it
    // has sent its share, then all move on to a fresh one.
    let next_attempt = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::with_capacity(connections);
    for c in 0..connections {
        let victims = victims.clone();
        let next_attempt = next_attempt.clone();
        let origin = origin.clone();
        tasks.push(tokio::spawn(async move {
            let mut rng = task_rng(seed, c);
            let mut client = Client::new(frontend, None)?;
            let mut t = AttackTally::default();
            // The client cookie the server gave this connection for the current address.
            let mut browser = Browser::new(&origin, attacker_addr(first_address));
            let mut wrong = 0u64;
            tokio::time::sleep_until(start).await;
            while Instant::now() < stop {
                let n = next_attempt.fetch_add(1, Ordering::Relaxed);
                let address = attacker_addr(first_address + n / per_address);
                if address != browser.address {
                    browser = Browser::new(&origin, address);
                }
                let victim = &victims[rng.random_range(0..victims.len())];
                let mut attempt = AttackTally {
                    attempts: 1,
                    requests: 1,
                    ..AttackTally::default()
                };
                match create_sign_in(&mut client, &mut browser, victim).await {
                    Ok(Step::Ok(id)) => {
                        wrong += 1;
                        attempt.requests += 1;
                        let password = format!("wrong-{seed}-{c}-{wrong}");
                        match attempt_password(&mut client, &mut browser, &id, &password).await {
                            Ok(Step::Refused(422, body))
                                if body.contains("form_password_incorrect") =>
                            {
                                attempt.hashed += 1
                            }
                            Ok(Step::Refused(429, _)) => attempt.throttled_attempt += 1,
                            Ok(Step::Refused(403, body)) if body.contains("user_locked") => {
                                attempt.locked += 1
                            }
                            Ok(Step::Refused(status, body)) => {
                                refused(&mut attempt, status, &body, "attempt")
                            }
                            Ok(Step::Ok(_) | Step::BadBody(_)) => {
                                attempt.other.bad_body += 1;
                                attempt
                                    .other
                                    .note(|| "a wrong password was not refused".into());
                            }
                            Err(e) => {
                                attempt.other.transport += 1;
                                attempt.other.note(|| format!("attempt: {e:#}"));
                            }
                        }
                    }
                    Ok(Step::Refused(429, _)) => attempt.throttled_create += 1,
                    Ok(Step::Refused(status, body)) => {
                        refused(&mut attempt, status, &body, "create sign-in")
                    }
                    Ok(Step::BadBody(what)) => {
                        attempt.other.bad_body += 1;
                        attempt.other.note(|| what);
                    }
                    Err(e) => {
                        attempt.other.transport += 1;
                        attempt.other.note(|| format!("create sign-in: {e:#}"));
                        tokio::time::sleep(Duration::from_millis(10)).await;
                    }
                }
                let done = Instant::now();
                if done >= measure_from && done < until {
                    t.merge(&attempt);
                }
            }
            anyhow::Ok(t)
        }));
    }

    // The server's hash counter at both ends of the window, and its queue every 250 ms.
    let mut metrics = Client::new(api, None)?;
    tokio::time::sleep_until(measure_from).await;
    let own0 = procfs::cpu_seconds("self")?;
    let jobs0 = metric(&mut metrics, HASH_JOBS).await?;
    let window_start = Instant::now();
    let mut tick = tokio::time::interval(Duration::from_millis(250));
    tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let (mut samples, mut busy_samples, mut depth_sum) = (0u64, 0u64, 0.0);
    while Instant::now() + Duration::from_millis(250) < until {
        tick.tick().await;
        if let Ok(depth) = metric(&mut metrics, HASH_QUEUE).await {
            samples += 1;
            depth_sum += depth;
            if depth >= 1.0 {
                busy_samples += 1;
            }
        }
    }
    tokio::time::sleep_until(until).await;
    let jobs1 = metric(&mut metrics, HASH_JOBS).await?;
    let own1 = procfs::cpu_seconds("self")?;
    let window = window_start.elapsed().as_secs_f64();
    let mut all = AttackTally::default();
    for task in tasks {
        all.merge(&task.await.context("an attacker task failed")??);
    }
    let addresses_used = next_attempt.load(Ordering::Relaxed).div_ceil(per_address);
    let throttled = all.throttled_create + all.throttled_attempt;
    let json = json!({
        "kind": "storm",
        "round": round,
        "config": { "connections": connections, "per_address": per_address, "victims": victims.len(),
                    "warmup_secs": warmup, "duration_secs": duration, "first_address": first_address, "seed": seed },
        "attempts": all.attempts,
        "attempts_per_sec": all.attempts as f64 / duration,
        "requests": all.requests,
        "requests_per_sec": all.requests as f64 / duration,
        "hashed": all.hashed,
        "throttled": throttled,
        "throttled_create": all.throttled_create,
        "throttled_attempt": all.throttled_attempt,
        "locked": all.locked,
        "other": all.other.to_json(),
        "addresses_used": addresses_used,
        "server": {
            "hash_jobs": jobs1 - jobs0,
            "hashes_per_sec": (jobs1 - jobs0) / window,
            "queue_samples": samples,
            "queue_nonempty_pct": if samples > 0 { 100.0 * busy_samples as f64 / samples as f64 } else { 0.0 },
            "queue_mean_depth": if samples > 0 { depth_sum / samples as f64 } else { 0.0 },
        },
        "own_cpu_pct": 100.0 * (own1 - own0) / window,
    });
    write_json(&out, &json)?;
    println!(
        "storm round {round}: {:.0} attempts/s ({:.0} requests/s) from {addresses_used} addresses: {} hashed, {} throttled (429), {} locked, {} other; server hashed {:.1}/s",
        all.attempts as f64 / duration,
        all.requests as f64 / duration,
        all.hashed,
        throttled,
        all.locked,
        all.other.total(),
        (jobs1 - jobs0) / window
    );
    Ok(())
}

/// `sign-in`: password sign-ins through the Frontend API as fast as they complete, closed loop
/// over `--connections` keep-alive connections. Each is a new browser at a new address: create
/// the sign-in for a random user (no cookie yet), then the right password with the cookie the
/// server set; only `complete` with a session counts. Also reads the server's hash counter, so
/// hashes per sign-in can be checked.
pub async fn sign_ins(mut flags: Flags) -> Result<()> {
    let TimedRun {
        frontend,
        api,
        users_path,
        out,
        round,
        connections,
        warmup,
        duration,
        first_address,
        seed,
        origin,
    } = TimedRun::read(&mut flags)?;
    let server_pid: u32 = flags.get("server-pid", 0)?;
    flags.finish()?;
    if !(1..=512).contains(&connections) {
        bail!("--connections must be 1..=512");
    }
    if !(0.0..=30.0).contains(&warmup) || !(0.5..=120.0).contains(&duration) {
        bail!("--warmup must be 0..=30 s and --duration 0.5..=120 s");
    }
    let users = Arc::new(Users::from_json(&read_json(&users_path)?)?.sign_in_users);
    if users.is_empty() {
        bail!("no sign-in users");
    }
    let start = Instant::now() + Duration::from_millis(200);
    let measure_from = start + Duration::from_secs_f64(warmup);
    let until = measure_from + Duration::from_secs_f64(duration);
    let next_address = Arc::new(AtomicU64::new(first_address));
    let mut tasks = Vec::with_capacity(connections);
    for c in 0..connections {
        let users = users.clone();
        let next_address = next_address.clone();
        let origin = origin.clone();
        tasks.push(tokio::spawn(async move {
            let mut rng = task_rng(seed, c);
            let mut client = Client::new(frontend, None)?;
            let (mut ok, mut errors, mut lat) = (0u64, Errors::default(), Vec::<u32>::new());
            tokio::time::sleep_until(start).await;
            while Instant::now() < until {
                let email = &users[rng.random_range(0..users.len())];
                let mut browser = Browser::new(
                    &origin,
                    sign_in_addr(next_address.fetch_add(1, Ordering::Relaxed)),
                );
                let sent = Instant::now();
                let outcome: Result<Step> = async {
                    match create_sign_in(&mut client, &mut browser, email).await? {
                        Step::Ok(id) => {
                            attempt_password(&mut client, &mut browser, &id, PASSWORD).await
                        }
                        other => Ok(other),
                    }
                }
                .await;
                let done = Instant::now();
                if done < measure_from || done >= until {
                    continue;
                }
                match outcome {
                    Ok(Step::Ok(_)) if browser.cookie.is_some() => {
                        ok += 1;
                        lat.push(
                            u32::try_from(done.duration_since(sent).as_micros())
                                .unwrap_or(u32::MAX),
                        );
                    }
                    Ok(Step::Ok(_)) => {
                        errors.bad_body += 1;
                        errors.note(|| "sign-in completed without a __client cookie".into());
                    }
                    Ok(Step::Refused(status, body)) => {
                        *errors.status.entry(status).or_default() += 1;
                        errors.note(|| format!("sign-in of {email} -> {status} {body}"));
                    }
                    Ok(Step::BadBody(what)) => {
                        errors.bad_body += 1;
                        errors.note(|| what);
                    }
                    Err(e) => {
                        errors.transport += 1;
                        errors.note(|| format!("sign-in of {email}: {e:#}"));
                        tokio::time::sleep(Duration::from_millis(10)).await;
                    }
                }
            }
            anyhow::Ok((ok, errors, lat))
        }));
    }
    let mut metrics = Client::new(api, None)?;
    tokio::time::sleep_until(measure_from).await;
    let jobs0 = metric(&mut metrics, HASH_JOBS).await?;
    let before = Readings::take(server_pid)?;
    tokio::time::sleep_until(until).await;
    let after = Readings::take(server_pid)?;
    let jobs1 = metric(&mut metrics, HASH_JOBS).await?;
    let (mut ok, mut errors, mut lat) = (0u64, Errors::default(), Vec::new());
    for task in tasks {
        let (o, e, l) = task.await.context("a sign-in task failed")??;
        ok += o;
        errors.merge(&e);
        lat.extend(l);
    }
    let rate = ok as f64 / duration;
    let json = json!({
        "kind": "sign-in",
        "round": round,
        "endpoint": "POST /v1/client/sign_ins + POST /v1/client/sign_ins/{id}/attempt_first_factor",
        "config": { "connections": connections, "users": users.len(), "warmup_secs": warmup,
                    "duration_secs": duration, "seed": seed },
        "ok": ok,
        "sign_ins_per_sec": rate,
        "errors": errors.to_json(),
        "latency_ms": latency_json(&mut lat),
        "latencies_us": lat,
        "server_hash_jobs": jobs1 - jobs0,
        "hashes_per_sign_in": if ok > 0 { (jobs1 - jobs0) / ok as f64 } else { 0.0 },
        "usage": before.window(&after),
    });
    write_json(&out, &json)?;
    println!(
        "sign-in round {round}: {rate:.1} sign-ins/s over {connections} connections, {:.2} hashes per sign-in, p50 {} ms, p99 {} ms, errors {}",
        json["hashes_per_sign_in"].as_f64().unwrap_or(0.0),
        fmt_ms(json.pointer("/latency_ms/p50")),
        fmt_ms(json.pointer("/latency_ms/p99")),
        errors.summary()
    );
    Ok(())
}
