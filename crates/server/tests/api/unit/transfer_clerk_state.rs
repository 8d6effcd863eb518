//! Unit tests of `transfer/clerk_state.rs`.
#![allow(clippy::unwrap_used)]

use usher_server::transfer::clerk_state::*;

#[test]
fn a_state_round_trips_and_refuses_another_source() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.json");
    let (fresh, resumed) = ImportState::load_or_fresh(&path, "http://a", 1).unwrap();
    assert!(!resumed);
    let mut s = fresh;
    s.phase = Phase::Users;
    s.offset = 500;
    s.counts.users.created = 500;
    s.save(&path).unwrap();
    let (back, resumed) = ImportState::load_or_fresh(&path, "http://a", 2).unwrap();
    assert!(resumed);
    assert_eq!(back, s);
    assert!(ImportState::load_or_fresh(&path, "http://b", 2).is_err());
    s.phase = Phase::Done;
    s.save(&path).unwrap();
    let (again, resumed) = ImportState::load_or_fresh(&path, "http://b", 3).unwrap();
    assert!(!resumed);
    assert_eq!(again.phase, Phase::Settings);
}
