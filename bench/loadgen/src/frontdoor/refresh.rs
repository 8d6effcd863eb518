//! `refresh`: token refreshes at a steady rate (open loop), quiet or beside a storm, from one
//! address per browser or a fresh address per request.

use super::*;

/// CPU and scheduling of the server, this process and the machine over a measured window.
pub(super) struct Readings {
    server_cpu: f64,
    own_cpu: f64,
    machine_busy: Option<f64>,
    machine_steal: Option<f64>,
    threads: std::collections::BTreeMap<String, procfs::ThreadGroup>,
    at: Instant,
}

impl Readings {
    pub(super) fn take(server_pid: u32) -> Result<Self> {
        Ok(Self {
            server_cpu: procfs::cpu_seconds(&server_pid.to_string())
                .with_context(|| format!("the server (pid {server_pid}) is gone"))?,
            own_cpu: procfs::cpu_seconds("self")?,
            machine_busy: procfs::machine_busy_seconds().ok(),
            machine_steal: procfs::machine_steal_seconds().ok(),
            threads: procfs::thread_groups(server_pid).unwrap_or_default(),
            at: Instant::now(),
        })
    }

    /// The window's figures as JSON: CPU % of one core, and per kind of server thread its CPU %
    /// and the run-queue wait (runnable, no CPU) per second of window.
    pub(super) fn window(&self, after: &Self) -> Value {
        let secs = after.at.duration_since(self.at).as_secs_f64().max(1e-9);
        let pct = |v: f64| 100.0 * v / secs;
        let server = after.server_cpu - self.server_cpu;
        let own = after.own_cpu - self.own_cpu;
        let threads: serde_json::Map<String, Value> =
            procfs::thread_groups_delta(&self.threads, &after.threads)
                .into_iter()
                .map(|(kind, g)| {
                    (
                        kind,
                        json!({
                            "threads": g.threads,
                            "cpu_pct": pct(g.cpu_secs),
                            "runqueue_wait_ms_per_sec": 1000.0 * g.wait_secs / secs,
                            "runqueue_wait_ms_per_slice": if g.slices > 0 { 1000.0 * g.wait_secs / g.slices as f64 } else { 0.0 },
                            "slices": g.slices,
                        }),
                    )
                })
                .collect();
        json!({
            "window_secs": secs,
            "server_cpu_pct": pct(server),
            "own_cpu_pct": pct(own),
            "machine_busy_pct": self.machine_busy.zip(after.machine_busy).map(|(a, b)| pct(b - a)),
            "steal_pct": self.machine_steal.zip(after.machine_steal).map(|(a, b)| pct(b - a)),
            "other_cpu_pct": self.machine_busy.zip(after.machine_busy).map(|(a, b)| pct(((b - a) - server - own).max(0.0))),
            "server_threads": threads,
        })
    }
}

pub(super) fn latency_json(samples: &mut [u32]) -> Value {
    match stats::latency(samples) {
        Some(l) => json!({
            "p50": l.p50_ms, "p90": l.p90_ms, "p99": l.p99_ms, "max": l.max_ms, "mean": l.mean_ms,
            "samples": samples.len(),
        }),
        None => json!(null),
    }
}

#[derive(Default)]
struct RefreshTally {
    ok: u64,
    errors: Errors,
    /// Scheduled send → response read, µs (the open-loop latency: a late send counts).
    from_schedule_us: Vec<u32>,
    /// Actual send → response read, µs.
    service_us: Vec<u32>,
    /// Sends that left more than 5 ms after their scheduled time.
    late_sends: u64,
    /// Scheduled send and response read of every success, in the order of `from_schedule_us`.
    spans: Vec<(Instant, Instant)>,
}

/// `refresh`: every browser of `--sessions` refreshes its session token every `--period-ms`,
/// on its own keep-alive connection, at fixed times whatever the answers (open loop); the
/// browsers' schedules are spread evenly over the period. Latency is measured from the scheduled
/// time, so a slow answer that delays the next send counts against the next one too. Requests
/// scheduled in the measured window count.
///
/// With `--fresh-addresses` every refresh comes from a new address (`X-Forwarded-For`), as
/// browsers arriving from many places do; `--fill N` first sends N cheap writes, each from its
/// own address, so the server's per-address counters hold what such traffic leaves behind
/// (500 new addresses a second, each counted for 20 s, is 10,000). Either way the figure of
/// merit is refreshes per second of the server's CPU.
pub async fn refresh(mut flags: Flags) -> Result<()> {
    let (frontend_url, frontend) = addr_flag(&mut flags, "frontend")?;
    let api = match flags.opt_str("api")? {
        Some(url) => Some(http::loopback_addr(&url)?),
        None => None,
    };
    let server_pid: u32 = flags.get("server-pid", 0)?;
    let sessions_path = PathBuf::from(flags.str("sessions")?);
    let out = PathBuf::from(flags.str("out")?);
    let label = flags.opt_str("label")?.unwrap_or_else(|| "refresh".into());
    let round: u64 = flags.get("round", 0)?;
    let period_ms: u64 = flags.get("period-ms", 500)?;
    let warmup: f64 = flags.get("warmup", 1.0)?;
    let duration: f64 = flags.get("duration", 5.0)?;
    let fresh_addresses = flags.get("fresh-addresses", false)?;
    let first_address: u64 = flags.get("first-address", 0)?;
    let fill: u64 = flags.get("fill", 0)?;
    let origin = origin_flag(&mut flags)?;
    flags.finish()?;
    if fill > 1_000_000 {
        bail!("--fill must be at most 1000000");
    }
    if !(10..=10_000).contains(&period_ms) {
        bail!("--period-ms must be 10..=10000");
    }
    if !(0.0..=30.0).contains(&warmup) || !(0.5..=120.0).contains(&duration) {
        bail!("--warmup must be 0..=30 s and --duration 0.5..=120 s");
    }
    let v = read_json(&sessions_path)?;
    let browsers: Vec<(Browser, String)> = v
        .get("browsers")
        .and_then(Value::as_array)
        .context("the sessions file has no browsers")?
        .iter()
        .map(|b| {
            let address: Ipv4Addr = b.get("address")?.as_str()?.parse().ok()?;
            let mut browser = Browser::new(&origin, address);
            browser.cookie = Some(b.get("cookie")?.as_str()?.to_owned());
            Some((browser, b.get("session_id")?.as_str()?.to_owned()))
        })
        .collect::<Option<_>>()
        .context("a browser of the sessions file lacks its address, cookie or session")?;
    if browsers.is_empty() {
        bail!("no browsers to refresh");
    }
    let n = browsers.len();
    let next_address = Arc::new(AtomicU64::new(first_address));
    if fill > 0 {
        fill_counters(frontend, &origin, &next_address, fill).await?;
    }
    let period = Duration::from_millis(period_ms);
    // Connections are opened before the clock starts.
    let start = Instant::now() + Duration::from_millis(200);
    let measure_from = start + Duration::from_secs_f64(warmup);
    let until = measure_from + Duration::from_secs_f64(duration);
    let mut tasks = Vec::with_capacity(n);
    for (i, (mut browser, sid)) in browsers.into_iter().enumerate() {
        let path = token_path(&sid);
        let offset = period.mul_f64(i as f64 / n as f64);
        let next_address = next_address.clone();
        tasks.push(tokio::spawn(async move {
            let mut client = Client::new(frontend, None)?;
            let mut t = RefreshTally::default();
            let mut k: u32 = 0;
            loop {
                let scheduled = start + offset + period * k;
                k += 1;
                if scheduled >= until {
                    break;
                }
                tokio::time::sleep_until(scheduled).await;
                if fresh_addresses {
                    browser.address = many_addr(next_address.fetch_add(1, Ordering::Relaxed));
                }
                let sent = Instant::now();
                if sent.duration_since(scheduled) > Duration::from_millis(5)
                    && scheduled >= measure_from
                {
                    t.late_sends += 1;
                }
                let result = browser.post(&mut client, &path, None).await;
                let done = Instant::now();
                if scheduled < measure_from {
                    continue;
                }
                match result {
                    Ok(res) if res.status == 200 && fixture::jwt_of(&res.body).is_some() => {
                        t.ok += 1;
                        let us = |d: Duration| u32::try_from(d.as_micros()).unwrap_or(u32::MAX);
                        t.from_schedule_us.push(us(done.duration_since(scheduled)));
                        t.spans.push((scheduled, done));
                        t.service_us.push(us(done.duration_since(sent)));
                    }
                    Ok(res) if res.status == 200 => {
                        t.errors.bad_body += 1;
                        t.errors.note(|| {
                            format!("POST {path} -> 200 without a jwt: {}", snippet(&res.body))
                        });
                    }
                    Ok(res) => {
                        *t.errors.status.entry(res.status.as_u16()).or_default() += 1;
                        t.errors.note(|| {
                            format!("POST {path} -> {} {}", res.status, snippet(&res.body))
                        });
                    }
                    Err(e) => {
                        if format!("{e:#}").contains("no response within") {
                            t.errors.timeout += 1;
                        } else {
                            t.errors.transport += 1;
                        }
                        t.errors.note(|| format!("POST {path}: {e:#}"));
                    }
                }
            }
            anyhow::Ok(t)
        }));
    }
    // The server's own view of the same requests: its latency histogram of the route, read
    // before and after the window (it leaves out the network, the accept queue and the client).
    const ROUTE: &str = "/v1/client/sessions/{session_id}/tokens";
    let mut metrics = api.map(|a| Client::new(a, None)).transpose()?;
    let watch = steal::Watch::start();
    tokio::time::sleep_until(measure_from).await;
    let hist0 = match &mut metrics {
        Some(m) => route_histogram(m, ROUTE).await.ok(),
        None => None,
    };
    let before = Readings::take(server_pid)?;
    tokio::time::sleep_until(until).await;
    let after = Readings::take(server_pid)?;
    // Requests scheduled in the window finish within a few ms of its end, save the slowest.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let hist1 = match &mut metrics {
        Some(m) => route_histogram(m, ROUTE).await.ok(),
        None => None,
    };
    // How many per-address counters the server held as the window ended.
    let rate_limit_counters = match &mut metrics {
        Some(m) => metric(m, "usher_rate_limit_local_counters").await.ok(),
        None => None,
    };
    let server_side = hist0.zip(hist1).map(|(a, b)| {
        json!({
            "p50_ms_at_most": bucket_percentile(&a, &b, 50.0),
            "p99_ms_at_most": bucket_percentile(&a, &b, 99.0),
            "note": "bucket bounds of usher_http_request_duration_seconds over the window (plus 100 ms)",
        })
    });
    let mut all = RefreshTally::default();
    for task in tasks {
        let t = task.await.context("a refresh task failed")??;
        all.ok += t.ok;
        all.errors.merge(&t.errors);
        all.from_schedule_us.extend(t.from_schedule_us);
        all.service_us.extend(t.service_us);
        all.late_sends += t.late_sends;
        all.spans.extend(t.spans);
    }
    // The same latencies without the requests a hypervisor stall overlapped.
    let stalls = watch.map(steal::Watch::finish);
    let steal_json = stalls.as_ref().map(|spans| {
        let (from, to) = (measure_from.into_std(), until.into_std());
        let mut kept: Vec<u32> = all
            .from_schedule_us
            .iter()
            .zip(&all.spans)
            .filter(|(_, (s, d))| !steal::overlaps(spans, s.into_std(), d.into_std()))
            .map(|(us, _)| *us)
            .collect();
        let excluded = all.from_schedule_us.len() - kept.len();
        json!({
            "stalls": spans.iter().filter(|s| s.to >= from && s.from <= to).count(),
            "stalled_ms": steal::covered(spans, from, to).as_secs_f64() * 1000.0,
            "excluded": excluded,
            "latency_ms": latency_json(&mut kept),
        })
    });
    let latency = latency_json(&mut all.from_schedule_us);
    let service = latency_json(&mut all.service_us);
    // Sorted by latency_json; kept so rounds can be pooled.
    let samples = std::mem::take(&mut all.from_schedule_us);
    let scheduled_per_sec = n as f64 * 1000.0 / period_ms as f64;
    let server_cpu_secs = after.server_cpu - before.server_cpu;
    let per_cpu_sec = (server_cpu_secs > 0.0).then(|| all.ok as f64 / server_cpu_secs);
    let json = json!({
        "kind": "refresh",
        "label": label,
        "round": round,
        "frontend": frontend_url,
        "endpoint": "POST /v1/client/sessions/{sid}/tokens",
        "config": { "browsers": n, "period_ms": period_ms, "warmup_secs": warmup, "duration_secs": duration,
                    "scheduled_per_sec": scheduled_per_sec, "fresh_addresses": fresh_addresses,
                    "fill": fill },
        "addresses_used": next_address.load(Ordering::Relaxed) - first_address,
        "server_cpu_secs": server_cpu_secs,
        "refreshes_per_server_cpu_sec": per_cpu_sec,
        "server_rate_limit_counters": rate_limit_counters,
        "ok": all.ok,
        "errors": all.errors.to_json(),
        "late_sends": all.late_sends,
        "latency_ms": latency,
        "service_latency_ms": service,
        "server_side_latency": server_side,
        "without_steal": steal_json,
        "usage": before.window(&after),
        "latencies_us": samples,
    });
    write_json(&out, &json)?;
    println!(
        "{label} round {round}: {} refreshes ({:.0}/s scheduled, {} per server CPU-second), p50 {} ms, p99 {} ms, errors {}",
        all.ok,
        scheduled_per_sec,
        per_cpu_sec.map_or_else(|| "-".into(), |v| format!("{v:.0}")),
        fmt_ms(json.pointer("/latency_ms/p50")),
        fmt_ms(json.pointer("/latency_ms/p99")),
        all.errors.summary()
    );
    Ok(())
}

/// Sends `count` writes as fast as the server takes them, each from the next fresh address:
/// a token refresh of an unknown session without a cookie, which the server counts against
/// the address and then refuses without signing anything.
async fn fill_counters(
    frontend: SocketAddr,
    origin: &HeaderValue,
    next_address: &Arc<AtomicU64>,
    count: u64,
) -> Result<()> {
    let start = std::time::Instant::now();
    let end = next_address.load(Ordering::Relaxed) + count;
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let next_address = next_address.clone();
        let origin = origin.clone();
        tasks.push(tokio::spawn(async move {
            let mut client = Client::new(frontend, None)?;
            let path = token_path("sess_fill");
            loop {
                let n = next_address.fetch_add(1, Ordering::Relaxed);
                if n >= end {
                    break;
                }
                let mut browser = Browser::new(&origin, many_addr(n));
                let res = browser.post(&mut client, &path, None).await?;
                if res.status.is_server_error() || res.status == 429 {
                    bail!("filling the counters: POST {path} -> {}", res.status);
                }
            }
            anyhow::Ok(())
        }));
    }
    for t in tasks {
        t.await.context("a fill task failed")??;
    }
    // The tasks each overshoot by one.
    next_address.store(end, Ordering::Relaxed);
    eprintln!(
        "filled the server's rate-limit table with {count} addresses in {:.1} s",
        start.elapsed().as_secs_f64()
    );
    Ok(())
}
