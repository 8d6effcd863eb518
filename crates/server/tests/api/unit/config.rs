//! Unit tests of `config.rs`.

use usher_core::instance::InstanceSettings;
use usher_server::config::*;

#[test]
fn forcing_organization_selection_needs_organizations() {
    let mut settings = InstanceSettings::default();
    let asked = PolicyOverrides {
        force_organization_selection: Some(true),
        ..Default::default()
    };
    asked.apply(&mut settings);
    assert!(asked.check(&settings).is_err());
    // Stored from an earlier run: warned about, and ignored.
    let stored = PolicyOverrides::default();
    assert!(matches!(stored.check(&settings), Ok(Some(_))));
    let with_orgs = PolicyOverrides {
        organizations_enabled: Some(true),
        force_organization_selection: Some(true),
        ..Default::default()
    };
    with_orgs.apply(&mut settings);
    assert_eq!(with_orgs.check(&settings), Ok(None));
}
