//! Times and lengths of time as an operator types them: RFC 3339 times
//! (`2026-12-07T08:00:00Z`) and durations (`90s`, `15m`, `24h`, `7d`).

use anyhow::{Context, bail};

/// Epoch milliseconds of an RFC 3339 time.
pub fn parse_time(text: &str) -> anyhow::Result<i64> {
    let t = time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
        .with_context(|| format!("{text:?} is not an RFC 3339 time (2026-12-07T08:00:00Z)"))?;
    i64::try_from(t.unix_timestamp_nanos() / 1_000_000).context("time out of range")
}

/// Milliseconds of a duration: a whole number and a unit, `s`, `m`, `h` or `d`.
pub fn parse_duration(text: &str) -> anyhow::Result<i64> {
    let text = text.trim();
    let unit_at = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(unit_at);
    let per_unit: i64 = match unit {
        "s" => 1_000,
        "m" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        _ => bail!("{text:?} is not a duration: a whole number and s, m, h or d (24h)"),
    };
    let n: i64 = number.parse().with_context(|| {
        format!("{text:?} is not a duration: a whole number and s, m, h or d (24h)")
    })?;
    n.checked_mul(per_unit)
        .with_context(|| format!("{text:?} is too long"))
}

/// A point in time: an RFC 3339 time, or a duration from `now`.
pub fn parse_until(text: &str, now: i64) -> anyhow::Result<i64> {
    if let Ok(d) = parse_duration(text) {
        return now.checked_add(d).context("time out of range");
    }
    parse_time(text).map_err(|_| {
        anyhow::anyhow!(
            "{text:?} is neither an RFC 3339 time (2026-12-07T08:00:00Z) nor a duration (24h)"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_and_times() {
        assert_eq!(parse_duration("24h").unwrap(), 86_400_000);
        assert_eq!(parse_duration("90s").unwrap(), 90_000);
        assert_eq!(parse_duration("0m").unwrap(), 0);
        assert_eq!(parse_duration("7d").unwrap(), 604_800_000);
        for bad in [
            "",
            "h",
            "24",
            "1.5h",
            "-1h",
            "24 h",
            "99999999999999999999d",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
        assert_eq!(
            parse_time("2023-11-14T22:13:20.123Z").unwrap(),
            1_700_000_000_123
        );
        assert_eq!(parse_until("1m", 1_000).unwrap(), 61_000);
        assert_eq!(
            parse_until("2023-11-14T22:13:20Z", 0).unwrap(),
            1_700_000_000_000
        );
        assert!(parse_until("tomorrow", 0).is_err());
    }
}
