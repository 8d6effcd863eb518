//! The waitlist and the registered redirect URLs in the storage suite: an address waits once
//! (whatever its case), entries are listed filtered, ordered and paged, updated and deleted
//! under their version; a redirect URL is registered once and removed once.

use std::sync::Arc;

use usher_core::ids::InvitationId;
use usher_core::redirects::new_redirect_url;
use usher_core::store::{Store, StoreError, Write};
use usher_core::users::query::Page;
use usher_core::waitlist::{WaitlistEntry, WaitlistOrder, WaitlistQuery, WaitlistStatus};

use super::organizations::commit;
use super::{NOW, Outcome, create_instance};

fn query(text: Option<&str>, statuses: Vec<WaitlistStatus>, order: &str) -> WaitlistQuery {
    WaitlistQuery {
        query: text.map(str::to_owned),
        statuses,
        order: WaitlistOrder::parse(order).unwrap_or_default(),
        page: Page {
            limit: 10,
            offset: 0,
        },
    }
}

fn emails(list: &[WaitlistEntry]) -> Vec<&str> {
    list.iter().map(|e| e.email_address.as_str()).collect()
}

pub async fn waitlist_entries_are_unique_listed_and_versioned(store: Arc<dyn Store>) -> Outcome {
    let ins = create_instance(&store).await?.id;
    let cy = WaitlistEntry::new("cy@example.com", NOW)?;
    let ann = WaitlistEntry::new("Ann@Example.com", NOW + 1)?;
    let bo = WaitlistEntry::new("bo@other.test", NOW + 2)?;
    commit(
        &store,
        &ins,
        vec![
            Write::InsertWaitlistEntry(cy.clone()),
            Write::InsertWaitlistEntry(ann.clone()),
            Write::InsertWaitlistEntry(bo.clone()),
        ],
    )
    .await?;
    let again = WaitlistEntry::new("ANN@example.com", NOW + 3)?;
    let taken = commit(&store, &ins, vec![Write::InsertWaitlistEntry(again)]).await;
    assert!(
        matches!(taken, Err(StoreError::KeyTaken { .. })),
        "{taken:?}"
    );
    let found = store
        .waitlist_entry_by_email(&ins, "ann@EXAMPLE.com")
        .await?
        .ok_or("ann")?;
    assert_eq!((found.id.as_str(), found.version), (ann.id.as_str(), 1));

    let (all, total) = store
        .list_waitlist_entries(&ins, &query(None, vec![], "-created_at"))
        .await?;
    assert_eq!(total, 3);
    assert_eq!(
        emails(&all),
        ["bo@other.test", "ann@example.com", "cy@example.com"]
    );
    let (by_name, _) = store
        .list_waitlist_entries(&ins, &query(None, vec![], "+email_address"))
        .await?;
    assert_eq!(
        emails(&by_name),
        ["ann@example.com", "bo@other.test", "cy@example.com"]
    );
    let (text, total) = store
        .list_waitlist_entries(&ins, &query(Some("EXAMPLE"), vec![], "created_at"))
        .await?;
    assert_eq!(
        (emails(&text), total),
        (vec!["cy@example.com", "ann@example.com"], 2)
    );
    let (by_id, _) = store
        .list_waitlist_entries(&ins, &query(Some(&bo.id), vec![], "created_at"))
        .await?;
    assert_eq!(emails(&by_id), ["bo@other.test"]);

    let mut invited = found.clone();
    invited.invite(InvitationId::new(), NOW + 10)?;
    commit(
        &store,
        &ins,
        vec![Write::UpdateWaitlistEntry(invited.clone())],
    )
    .await?;
    let stale = commit(&store, &ins, vec![Write::UpdateWaitlistEntry(invited)]).await;
    assert!(stale.is_err(), "the version guards the update");
    let (pending, total) = store
        .list_waitlist_entries(
            &ins,
            &query(None, vec![WaitlistStatus::Pending], "-invited_at"),
        )
        .await?;
    // Neither has been invited: equal keys, whose order (by id) says nothing about time.
    let mut pending = emails(&pending);
    pending.sort();
    assert_eq!(
        (pending, total),
        (vec!["bo@other.test", "cy@example.com"], 2)
    );
    let (by_invited, _) = store
        .list_waitlist_entries(&ins, &query(None, vec![], "-invited_at"))
        .await?;
    assert_eq!(by_invited[0].email_address, "ann@example.com");
    let stored = store
        .get_waitlist_entry(&ins, &ann.id)
        .await?
        .ok_or("ann")?;
    assert_eq!(
        (stored.status, stored.invited_at, stored.version),
        (WaitlistStatus::Invited, Some(NOW + 10), 2)
    );

    let gone = commit(
        &store,
        &ins,
        vec![Write::DeleteWaitlistEntry {
            id: cy.id.clone(),
            version: 1,
        }],
    )
    .await;
    assert!(gone.is_ok(), "{gone:?}");
    assert!(store.get_waitlist_entry(&ins, &cy.id).await?.is_none());
    let twice = commit(
        &store,
        &ins,
        vec![Write::DeleteWaitlistEntry {
            id: cy.id,
            version: 1,
        }],
    )
    .await;
    assert!(twice.is_err());
    Ok(())
}

pub async fn redirect_urls_are_registered_once(store: Arc<dyn Store>) -> Outcome {
    let ins = create_instance(&store).await?.id;
    let app = new_redirect_url("my-app://oauth-callback", NOW)?;
    let web = new_redirect_url("https://partner.example.net/done", NOW + 1)?;
    commit(
        &store,
        &ins,
        vec![
            Write::InsertRedirectUrl(app.clone()),
            Write::InsertRedirectUrl(web.clone()),
        ],
    )
    .await?;
    let again = new_redirect_url("my-app://oauth-callback", NOW + 2)?;
    let taken = commit(&store, &ins, vec![Write::InsertRedirectUrl(again)]).await;
    assert!(
        matches!(taken, Err(StoreError::KeyTaken { .. })),
        "{taken:?}"
    );
    assert_eq!(
        store.redirect_urls(&ins).await?,
        vec![app.clone(), web.clone()]
    );
    commit(
        &store,
        &ins,
        vec![Write::DeleteRedirectUrl { id: app.id.clone() }],
    )
    .await?;
    assert_eq!(store.redirect_urls(&ins).await?, vec![web]);
    let gone = commit(&store, &ins, vec![Write::DeleteRedirectUrl { id: app.id }]).await;
    assert!(gone.is_err());
    Ok(())
}
