//! The organization-domain part of the storage suite: domains unique per organization, verified
//! by one organization at most, their affiliation verification kept, deleted with their
//! organization.

use std::sync::Arc;

use usher_core::organizations::Organization;
use usher_core::organizations::domains::{self, DomainQuery, NewDomain, OrganizationDomain};
use usher_core::store::{Store, StoreError, Write};
use usher_core::users::query::Page;

use super::organizations::{Error, commit, org, two_organizations_with};
use super::{NOW, Outcome, create_instance};

pub(super) fn domain(
    o: &Organization,
    name: &str,
    verified: bool,
    at: i64,
) -> Result<OrganizationDomain, Error> {
    Ok(domains::validate_new(
        o,
        NewDomain {
            name: Some(name.into()),
            enrollment_mode: Some("manual_invitation".into()),
            verified: Some(verified),
        },
        at,
    )?)
}

/// The code an affiliation verification is waiting for (its hash), its attempts and its outcome
/// survive a round trip, and the verified domain answers the verified filter.
pub async fn a_domain_keeps_its_affiliation_verification(store: Arc<dyn Store>) -> Outcome {
    use usher_core::instance::Environment;
    use usher_core::organizations::affiliation;

    let ins = create_instance(&store).await?.id;
    let acme = org("Acme", "acme", 0, NOW)?;
    let mut d = domain(&acme, "acme.test", false, NOW)?;
    let code = affiliation::prepare(&mut d, "jo@acme.test", Environment::Production, NOW)?
        .ok_or("a production code is sent")?;
    commit(
        &store,
        &ins,
        vec![
            Write::InsertOrganization(acme.clone()),
            Write::InsertOrganizationDomain(d.clone()),
        ],
    )
    .await?;
    let mut stored = store
        .get_organization_domain(&ins, &acme.id, &d.id)
        .await?
        .ok_or("stored")?;
    assert_eq!(stored.affiliation, d.affiliation);
    assert!(!stored.verified);

    let wrong = if code == "000000" { "111111" } else { "000000" };
    assert!(affiliation::attempt(&mut stored, wrong, NOW + 1).is_err());
    commit(
        &store,
        &ins,
        vec![Write::UpdateOrganizationDomain(stored.clone())],
    )
    .await?;
    let mut stored = store
        .get_organization_domain(&ins, &acme.id, &d.id)
        .await?
        .ok_or("stored")?;
    let attempts = stored.affiliation.as_ref().map(|a| a.verification.attempts);
    assert_eq!(attempts, Some(1));

    affiliation::attempt(&mut stored, &code, NOW + 2)?;
    commit(
        &store,
        &ins,
        vec![Write::UpdateOrganizationDomain(stored.clone())],
    )
    .await?;
    let verified = DomainQuery {
        verified: Some(true),
        ..Default::default()
    };
    let (list, total) = store.list_organization_domains(&ins, &verified).await?;
    assert_eq!(total, 1);
    assert_eq!(list[0].affiliation, stored.affiliation);
    assert!(list[0].verified && list[0].version == 3);
    Ok(())
}

pub async fn domains_are_unique_listed_and_deleted_with_their_organization(
    store: Arc<dyn Store>,
) -> Outcome {
    let ins = create_instance(&store).await?.id;
    let (acme, globex, [a, b, _]) = two_organizations_with(
        &store,
        &ins,
        |acme, globex| {
            Ok([
                domain(acme, "acme.test", true, NOW)?,
                domain(acme, "acme.example", false, NOW + 1)?,
                domain(globex, "globex.test", true, NOW + 2)?,
            ])
        },
        Write::InsertOrganizationDomain,
    )
    .await?;
    let stored = store.get_organization_domain(&ins, &acme.id, &a.id).await?;
    assert_eq!(
        stored.map(|d| (d.name, d.version)),
        Some(("acme.test".into(), 1))
    );
    assert!(
        store
            .get_organization_domain(&ins, &globex.id, &a.id)
            .await?
            .is_none()
    );

    // Listed twice by one organization, or verified by a second one: refused.
    let twice = domain(&acme, "acme.test", false, NOW)?;
    let taken = commit(&store, &ins, vec![Write::InsertOrganizationDomain(twice)]).await;
    assert_eq!(taken, Err(StoreError::DomainTaken));
    let claimed = domain(&globex, "acme.test", true, NOW)?;
    let taken = commit(&store, &ins, vec![Write::InsertOrganizationDomain(claimed)]).await;
    assert_eq!(taken, Err(StoreError::DomainTaken));
    // An unverified listing elsewhere is allowed, but cannot then be verified.
    let unverified = domain(&globex, "acme.test", false, NOW + 3)?;
    commit(
        &store,
        &ins,
        vec![Write::InsertOrganizationDomain(unverified.clone())],
    )
    .await?;
    let mut verify = unverified.clone();
    verify.version = 1;
    verify.verified = true;
    let taken = commit(&store, &ins, vec![Write::UpdateOrganizationDomain(verify)]).await;
    assert_eq!(taken, Err(StoreError::DomainTaken));

    let list = |q: DomainQuery| {
        let store = store.clone();
        let ins = ins.clone();
        async move {
            let (items, total) = store.list_organization_domains(&ins, &q).await?;
            Ok::<_, StoreError>((items.into_iter().map(|d| d.name).collect::<Vec<_>>(), total))
        }
    };
    let all = list(DomainQuery::default()).await?;
    assert_eq!(all.1, 4);
    assert_eq!(
        all.0,
        ["acme.test", "globex.test", "acme.example", "acme.test"]
    );
    let of_acme = DomainQuery {
        organization_id: Some(acme.id.clone()),
        ..Default::default()
    };
    assert_eq!(
        list(of_acme.clone()).await?,
        (vec!["acme.example".into(), "acme.test".into()], 2)
    );
    let verified = DomainQuery {
        verified: Some(true),
        ..of_acme.clone()
    };
    assert_eq!(list(verified).await?, (vec!["acme.test".into()], 1));
    let searched = DomainQuery {
        query: Some("EXAMPLE".into()),
        ..Default::default()
    };
    assert_eq!(list(searched).await?, (vec!["acme.example".into()], 1));
    let paged = DomainQuery {
        page: Page {
            limit: 1,
            offset: 1,
        },
        ..Default::default()
    };
    assert_eq!(list(paged).await?, (vec!["globex.test".into()], 4));

    let mut updated = store
        .get_organization_domain(&ins, &acme.id, &b.id)
        .await?
        .ok_or("b")?;
    updated.verified = true;
    commit(
        &store,
        &ins,
        vec![Write::UpdateOrganizationDomain(updated.clone())],
    )
    .await?;
    let stale = commit(&store, &ins, vec![Write::UpdateOrganizationDomain(updated)]).await;
    assert_eq!(stale, Err(StoreError::Stale));
    let stale = commit(
        &store,
        &ins,
        vec![Write::DeleteOrganizationDomain {
            id: b.id.clone(),
            version: 1,
        }],
    )
    .await;
    assert_eq!(stale, Err(StoreError::Stale));
    commit(
        &store,
        &ins,
        vec![Write::DeleteOrganizationDomain {
            id: b.id.clone(),
            version: 2,
        }],
    )
    .await?;
    assert!(
        store
            .get_organization_domain(&ins, &acme.id, &b.id)
            .await?
            .is_none()
    );

    // An organization deleted since it was read takes no new domain, and takes its domains along.
    commit(
        &store,
        &ins,
        vec![Write::DeleteOrganization {
            id: acme.id.clone(),
            version: 1,
        }],
    )
    .await?;
    assert_eq!(list(of_acme).await?.1, 0);
    let orphan = domain(&acme, "late.test", true, NOW)?;
    let stale = commit(&store, &ins, vec![Write::InsertOrganizationDomain(orphan)]).await;
    assert_eq!(stale, Err(StoreError::Stale));
    assert_eq!(list(DomainQuery::default()).await?.1, 2);
    Ok(())
}
