//! `usher import --from-clerk`: the flags, the progress line, Ctrl-C, and the closing
//! reconciliation (see `usher_server::transfer::clerk_live`).

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use usher_core::clock::SystemClock;
use usher_server::transfer::clerk_live::{self, Options, Outcome, Progress};
use usher_server::transfer::clerk_source::ClerkSource;
use usher_server::transfer::clerk_state::Phase;

use crate::CommonArgs;

#[derive(clap::Args)]
pub struct ClerkArgs {
    /// Read a Clerk instance through its Backend API (users, organizations, memberships,
    /// pending invitations, custom roles).
    #[arg(long, requires_all = ["api_url", "secret_key"])]
    from_clerk: bool,
    /// The source's Backend API, e.g. https://api.clerk.com.
    #[arg(long)]
    api_url: Option<String>,
    /// The source's secret key (`sk_live_…`); better given as CLERK_SECRET_KEY.
    #[arg(long, env = "CLERK_SECRET_KEY", hide_env_values = true)]
    secret_key: Option<String>,
    /// Clerk's CSV user export, for the password digests the API does not give out.
    #[arg(long, value_name = "CLERK_CSV")]
    passwords: Option<PathBuf>,
    /// Where the import records how far it got [default: <data-dir>/import-clerk.state.json].
    #[arg(long, value_name = "FILE")]
    state: Option<PathBuf>,
    /// Records per page read and per transaction written (1 to 500).
    #[arg(long, default_value_t = 500)]
    batch: i64,
}

pub fn run(common: CommonArgs, args: ClerkArgs) -> anyhow::Result<()> {
    if !args.from_clerk {
        bail!("give the file to import, or --from-clerk");
    }
    let (Some(api_url), Some(secret_key)) = (args.api_url, args.secret_key) else {
        bail!("--from-clerk needs --api-url and --secret-key (or CLERK_SECRET_KEY)");
    };
    let cfg = crate::offline::existing_instance(common)?;
    let state_path = args
        .state
        .unwrap_or_else(|| cfg.data_dir.join("import-clerk.state.json"));
    let source = ClerkSource::new(&api_url, &secret_key)?;
    let stop = Arc::new(AtomicBool::new(false));
    let options = Options {
        state_path: state_path.clone(),
        batch: args.batch,
        passwords: args.passwords,
        stop: stop.clone(),
        actor: "cli".into(),
    };
    crate::offline::runtime()?.block_on(async move {
        let store = usher_store::open(&cfg.database_url())
            .await
            .context("opening the database")?;
        let on_signal = stop.clone();
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                on_signal.store(true, Ordering::SeqCst);
                eprintln!("\nstopping after the page being written (Ctrl-C again to stop now)");
            }
            // A second Ctrl-C (a retry waiting on the source, say): the transaction in flight
            // is rolled back and the state file still names the last page committed.
            if tokio::signal::ctrl_c().await.is_ok() {
                std::process::exit(130);
            }
        });
        let mut bar = Bar::new();
        let outcome =
            clerk_live::run(&store, &source, &options, &SystemClock, &mut |p| bar.show(p)).await;
        bar.finish();
        match outcome? {
            Outcome::Stopped { phase, offset } => bail!(
                "interrupted during {} after {offset} records; the state is in {}: run the same command again to go on",
                phase.as_str(),
                state_path.display()
            ),
            Outcome::Finished {
                counts,
                tallies,
                resumed,
            } => {
                if resumed {
                    eprintln!("(continued from {})", state_path.display());
                }
                for phase in Phase::ALL {
                    if phase == Phase::Passwords && options.passwords.is_none() {
                        continue;
                    }
                    eprintln!("{:<14} {}", phase.as_str(), counts.get(phase));
                }
                if counts.second_factors_dropped > 0 {
                    eprintln!(
                        "warning: {} users had a TOTP app or backup codes at the source; those cannot be read through the API, so they enrol again",
                        counts.second_factors_dropped
                    );
                }
                if counts.passwords_without_user > 0 {
                    eprintln!(
                        "warning: {} rows of the password export name users the source did not list",
                        counts.passwords_without_user
                    );
                }
                eprintln!("reconciliation (source / usher):");
                let mut mismatched = Vec::new();
                for t in &tallies {
                    let ok = t.source == t.usher;
                    eprintln!(
                        "  {:<20} {:>8} {:>8}  {}",
                        t.kind,
                        t.source,
                        t.usher,
                        if ok { "ok" } else { "MISMATCH" }
                    );
                    if !ok {
                        mismatched.push(t.kind);
                    }
                }
                if !mismatched.is_empty() {
                    bail!(
                        "the counts differ for {}: records created at the source during the import, or present here before it; run the import again and compare",
                        mismatched.join(", ")
                    );
                }
                println!(
                    "imported from {}: {} users, {} organizations, {} memberships, {} pending invitations",
                    source.base_url(),
                    tally(&tallies, "users"),
                    tally(&tallies, "organizations"),
                    tally(&tallies, "memberships"),
                    tally(&tallies, "pending invitations"),
                );
                Ok(())
            }
        }
    })
}

fn tally(tallies: &[clerk_live::Tally], kind: &str) -> i64 {
    tallies
        .iter()
        .find(|t| t.kind == kind)
        .map_or(0, |t| t.usher)
}

/// The progress line: redrawn in place on a terminal, a line every few seconds (and at each
/// phase's end) otherwise.
struct Bar {
    tty: bool,
    phase: Option<Phase>,
    phase_start: Instant,
    last_line: Instant,
    drawn: bool,
    /// The phase's last line was written (a page past the end adds nothing).
    ended: bool,
}

const WIDTH: usize = 30;

impl Bar {
    fn new() -> Self {
        Self {
            tty: std::io::stderr().is_terminal(),
            phase: None,
            phase_start: Instant::now(),
            last_line: Instant::now(),
            drawn: false,
            ended: false,
        }
    }

    fn show(&mut self, p: &Progress) {
        if self.phase != Some(p.phase) {
            self.finish();
            self.phase = Some(p.phase);
            self.phase_start = Instant::now();
            self.ended = false;
        }
        if self.ended || p.total == Some(0) {
            return;
        }
        let secs = self.phase_start.elapsed().as_secs_f64().max(0.001);
        #[allow(clippy::cast_precision_loss)]
        let rate = p.done as f64 / secs;
        let done_phase = p.total.is_some_and(|t| p.done >= t);
        let line = match p.total {
            Some(total) if total > 0 => {
                let filled =
                    usize::try_from((p.done.min(total) * WIDTH as i64) / total).unwrap_or(0);
                format!(
                    "{:<14} [{}{}] {}/{} {:.0}/s ({})",
                    p.phase.as_str(),
                    "#".repeat(filled),
                    ".".repeat(WIDTH - filled.min(WIDTH)),
                    p.done,
                    total,
                    rate,
                    p.counts
                )
            }
            _ => format!(
                "{:<14} {} {:.0}/s ({})",
                p.phase.as_str(),
                p.done,
                rate,
                p.counts
            ),
        };
        let mut err = std::io::stderr().lock();
        if self.tty {
            let _ = write!(err, "\r\x1b[2K{line}");
            let _ = err.flush();
            self.drawn = true;
        } else if done_phase || self.last_line.elapsed() >= Duration::from_secs(2) {
            let _ = writeln!(err, "{line}");
            self.last_line = Instant::now();
        }
        self.ended = done_phase;
    }

    fn finish(&mut self) {
        if self.tty && self.drawn {
            eprintln!();
            self.drawn = false;
        }
    }
}
