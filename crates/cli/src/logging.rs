use tracing_subscriber::EnvFilter;

use crate::LogFormat;

/// Structured logs to stderr; `RUST_LOG` (or `USHER_LOG`) picks the level, default `info`.
pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_env("USHER_LOG")
        .or_else(|_| EnvFilter::try_from_default_env())
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(ansi)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Pretty => builder.compact().try_init(),
    };
}
