//! What a machine may be: Clerk's limits on its name, token lifetime and scope, and the
//! rotation window of its secret key.

use super::model::Machine;
use crate::clock::Millis;
use crate::error::{CoreError, CoreResult};
use crate::ids::MachineId;

const NAME_MAX: usize = 255;
/// Clerk's default lifetime of a machine's tokens: an hour.
pub const DEFAULT_TOKEN_TTL: i64 = 3600;
/// Clerk's bound on `default_token_ttl`: ten years.
pub const TOKEN_TTL_MAX: i64 = 315_360_000;
/// A machine may call at most 150 others.
pub const SCOPES_MAX: usize = 150;
/// A rotated-out secret key stays valid at most 8 hours.
pub const PREVIOUS_TOKEN_TTL_MAX: i64 = 28_800;

#[derive(Debug, Clone, Default)]
pub struct NewMachine {
    pub name: String,
    pub scoped_machines: Vec<String>,
    pub default_token_ttl: Option<i64>,
}

#[derive(Debug, Clone, Default)]
pub struct MachinePatch {
    pub name: Option<String>,
    pub default_token_ttl: Option<i64>,
}

fn name(s: &str) -> CoreResult<String> {
    let n = s.chars().count();
    if n == 0 || n > NAME_MAX || s.trim().is_empty() {
        return Err(CoreError::value(
            "name",
            "must be 1 to 255 characters, not all blank",
        ));
    }
    Ok(s.to_owned())
}

fn token_ttl(ttl: i64) -> CoreResult<i64> {
    if !(1..=TOKEN_TTL_MAX).contains(&ttl) {
        return Err(CoreError::value(
            "default_token_ttl",
            "must be between 1 and 315360000 seconds",
        ));
    }
    Ok(ttl)
}

/// The machine ids of a scope list: each a machine id, each once, at most 150.
pub fn scoped_machines(ids: &[String]) -> CoreResult<Vec<MachineId>> {
    if ids.len() > SCOPES_MAX {
        return Err(CoreError::value(
            "scoped_machines",
            "may hold at most 150 machines",
        ));
    }
    let mut out: Vec<MachineId> = Vec::with_capacity(ids.len());
    for s in ids {
        let id = MachineId::parse(s)
            .map_err(|_| CoreError::value("scoped_machines", "must hold machine ids"))?;
        if !out.contains(&id) {
            out.push(id);
        }
    }
    Ok(out)
}

/// A new machine and the machines it may call (their existence is the caller's read).
pub fn create(input: NewMachine, now: Millis) -> CoreResult<(Machine, Vec<MachineId>)> {
    let scoped = scoped_machines(&input.scoped_machines)?;
    let machine = Machine {
        id: MachineId::new(),
        name: name(&input.name)?,
        default_token_ttl: token_ttl(input.default_token_ttl.unwrap_or(DEFAULT_TOKEN_TTL))?,
        created_at: now,
        updated_at: now,
        version: 0,
    };
    Ok((machine, scoped))
}

/// `machine` with `patch` applied; `None` when nothing changes.
pub fn update(machine: &Machine, patch: MachinePatch, now: Millis) -> CoreResult<Option<Machine>> {
    let mut next = machine.clone();
    if let Some(n) = patch.name {
        next.name = name(&n)?;
    }
    if let Some(t) = patch.default_token_ttl {
        next.default_token_ttl = token_ttl(t)?;
    }
    if next == *machine {
        return Ok(None);
    }
    next.updated_at = now;
    Ok(Some(next))
}

/// A scope from `from` to `to`: a machine cannot scope itself.
pub fn scope(from: &MachineId, to: &str) -> CoreResult<MachineId> {
    let to = MachineId::parse(to)
        .map_err(|_| CoreError::value("to_machine_id", "must be a machine id"))?;
    if &to == from {
        return Err(CoreError::value("to_machine_id", "must be another machine"));
    }
    Ok(to)
}

/// Until when the secret key a rotation replaces stays valid: `previous_token_ttl` seconds from
/// `now` (0: it stops at once).
pub fn previous_key_until(previous_token_ttl: i64, now: Millis) -> CoreResult<Millis> {
    if !(0..=PREVIOUS_TOKEN_TTL_MAX).contains(&previous_token_ttl) {
        return Err(CoreError::value(
            "previous_token_ttl",
            "must be between 0 and 28800 seconds",
        ));
    }
    Ok(now + previous_token_ttl * 1000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn creates_with_clerks_defaults_and_refuses_bad_fields() {
        let (m, scoped) = create(
            NewMachine {
                name: "billing".into(),
                ..NewMachine::default()
            },
            7,
        )
        .unwrap();
        assert_eq!((m.default_token_ttl, m.created_at), (3600, 7));
        assert!(m.id.starts_with("mch_") && scoped.is_empty());
        let bad = |n: NewMachine| create(n, 0).unwrap_err();
        assert!(
            matches!(bad(NewMachine::default()), CoreError::ParamValueInvalid { param, .. } if param == "name")
        );
        let ttl = NewMachine {
            name: "x".into(),
            default_token_ttl: Some(0),
            ..NewMachine::default()
        };
        assert!(
            matches!(bad(ttl), CoreError::ParamValueInvalid { param, .. } if param == "default_token_ttl")
        );
        let scope = NewMachine {
            name: "x".into(),
            scoped_machines: vec!["user_1".into()],
            ..NewMachine::default()
        };
        assert!(
            matches!(bad(scope), CoreError::ParamValueInvalid { param, .. } if param == "scoped_machines")
        );
    }

    #[test]
    fn scopes_are_deduplicated_and_never_the_machine_itself() {
        let a = MachineId::new();
        let b = MachineId::new();
        let ids = vec![b.to_string(), b.to_string()];
        assert_eq!(scoped_machines(&ids).unwrap(), vec![b.clone()]);
        assert!(scope(&a, &a).is_err());
        assert_eq!(scope(&a, &b).unwrap(), b);
    }

    #[test]
    fn rotation_window_is_bounded() {
        assert_eq!(previous_key_until(0, 5).unwrap(), 5);
        assert_eq!(previous_key_until(60, 0).unwrap(), 60_000);
        assert!(previous_key_until(28_801, 0).is_err());
        assert!(previous_key_until(-1, 0).is_err());
    }
}
