//! How `usher audit` shows the checklist: a table (number, title, status; then why, the fix and
//! the evidence under each), or `--json`: `{profile, items: [{id, title, status, reason, fix,
//! evidence}], summary: {pass, fail, not_applicable, unknown}, findings}` (the template lint's
//! findings, as before).

use serde_json::{Value, json};

use super::items::{Check, Status, title};
use crate::output::outln;

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    pub pass: usize,
    pub fail: usize,
    pub not_applicable: usize,
    pub unknown: usize,
}

pub fn summary(items: &[Check]) -> Summary {
    let mut s = Summary::default();
    for c in items {
        match c.status {
            Status::Pass => s.pass += 1,
            Status::Fail => s.fail += 1,
            Status::NotApplicable => s.not_applicable += 1,
            Status::Unknown => s.unknown += 1,
        }
    }
    s
}

pub fn to_json(profile: &str, items: &[Check], findings: Vec<Value>) -> Value {
    let s = summary(items);
    let rows: Vec<Value> = items
        .iter()
        .map(|c| {
            json!({
                "id": c.id,
                "title": title(c.id),
                "status": c.status.as_str(),
                "reason": c.reason,
                "fix": c.fix,
                "evidence": c.evidence,
            })
        })
        .collect();
    json!({
        "profile": profile,
        "items": rows,
        "summary": {
            "pass": s.pass,
            "fail": s.fail,
            "not_applicable": s.not_applicable,
            "unknown": s.unknown,
        },
        "findings": findings,
    })
}

/// At most this many evidence lines are printed per item (all of them are in `--json`).
const EVIDENCE_SHOWN: usize = 8;

pub fn print_table(profile: &str, items: &[Check]) -> anyhow::Result<()> {
    let width = items.iter().map(|c| title(c.id).len()).max().unwrap_or(0);
    outln!("{:>2}  {:width$}  STATUS", "#", "ITEM")?;
    for c in items {
        outln!("{:>2}  {:width$}  {}", c.id, title(c.id), c.status.as_str())?;
        outln!("      why: {}", c.reason)?;
        if !c.fix.is_empty() {
            outln!("      fix: {}", c.fix)?;
        }
        for e in c.evidence.iter().take(EVIDENCE_SHOWN) {
            outln!("      at:  {e}")?;
        }
        if c.evidence.len() > EVIDENCE_SHOWN {
            outln!(
                "      … and {} more (--json lists them all)",
                c.evidence.len() - EVIDENCE_SHOWN
            )?;
        }
    }
    let s = summary(items);
    outln!(
        "{} pass, {} fail, {} not applicable, {} unknown (profile {profile})",
        s.pass,
        s.fail,
        s.not_applicable,
        s.unknown
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_has_every_field_and_the_counts() {
        let items = [
            Check::new(1, Status::Pass, "r", ""),
            Check::new(2, Status::Fail, "r2", "f2").with_evidence(vec!["a:1".into()]),
            Check::new(3, Status::Unknown, "r3", "f3"),
        ];
        let v = to_json("saas", &items, vec![]);
        assert_eq!(
            v["summary"],
            json!({"pass": 1, "fail": 1, "not_applicable": 0, "unknown": 1})
        );
        assert_eq!(v["items"][1]["evidence"], json!(["a:1"]));
        assert_eq!(v["items"][1]["title"], "No test keys in production");
        assert_eq!(v["items"][2]["status"], "unknown");
    }
}
