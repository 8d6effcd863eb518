//! The users' search (`UserFilter::query`) through the trigram index (SQLite's FTS5 table,
//! PostgreSQL's `pg_trgm` GIN index): the same users as a scan of the search text finds, in the
//! same order, with a count that agrees, for names, parts of addresses, one and two characters,
//! `%`, `_`, `\` and quotes, non-ASCII text, and after users change or go.

use std::sync::Arc;

use usher_core::ids::{InstanceId, UserId};
use usher_core::store::{Changeset, Store, Write};
use usher_core::users::User;
use usher_core::users::query::{Page, UserFilter, UserOrder};

use super::{NOW, Outcome, another_instance, create_instance, user};

/// `(email, first name, last name)` of each user the cases store.
const PEOPLE: &[(&str, &str, &str)] = &[
    ("ada@example.com", "Ada", "Lovelace"),
    ("ada.byron@example.org", "Augusta Ada", "King"),
    ("grace@navy.example", "Grace", "Hopper"),
    ("zoe@example.com", "Zoë", "Ångström"),
    ("sofia@example.gr", "ΣΟΦΊΑ", "Παπαδοπούλου"),
    ("jurgen@example.de", "Jürgen", "Straße"),
    ("percent@example.com", "100%_sure", "back\\slash"),
    ("under_score@example.com", "Quote\"d", "O'Brien"),
    ("kim@example.kr", "김", "민준"),
];

/// Every query the cases ask, with what a scan of the search text answers.
const QUERIES: &[&str] = &[
    "ada",
    "ADA",
    "augusta ada",
    "a ad",
    "lovelace",
    "ovela",
    "ada lovelace",
    "@example.",
    "example.com",
    ".org",
    "navy",
    "a",
    "e",
    "zo",
    "ë",
    "zoë",
    "ÅNGSTRÖM",
    "ngstr",
    "σοφ",
    "σοφία",
    "ΠΑΠΑ",
    "jür",
    "straße",
    "STRASSE",
    "%",
    "_",
    "\\",
    "0%_",
    "%_s",
    "_sure",
    "k\\s",
    "\\sl",
    "a%c",
    "___",
    "\"",
    "e\"d",
    "quote\"d",
    "o'b",
    "'",
    "김",
    "민준",
    "김민",
    "user_",
    "zzz",
];

async fn store_people(store: &Arc<dyn Store>, ins: &InstanceId) -> Result<Vec<User>, String> {
    let mut users = Vec::new();
    for (i, (email, first, last)) in PEOPLE.iter().enumerate() {
        let mut u = user(email, first, NOW + i as i64);
        u.last_name = Some((*last).to_owned());
        let mut cs = Changeset::default();
        cs.push(Write::InsertUser(u.clone()));
        store.commit(ins, cs).await.map_err(|e| e.to_string())?;
        users.push(u);
    }
    Ok(users)
}

fn query(q: &str) -> UserFilter {
    UserFilter {
        query: Some(q.to_owned()),
        ..UserFilter::default()
    }
}

/// The ids a scan finds for `q` among `users`, newest first (the default order).
fn scanned(users: &[User], q: &str) -> Vec<UserId> {
    let needle = q.to_lowercase();
    let mut found: Vec<&User> = users
        .iter()
        .filter(|u| u.search_text().contains(&needle))
        .collect();
    found.sort_by(|a, b| (b.created_at, &b.id).cmp(&(a.created_at, &a.id)));
    found.into_iter().map(|u| u.id.clone()).collect()
}

/// Each query's list (whole, and in pages of two) and count, against the scan.
async fn agree(store: &Arc<dyn Store>, ins: &InstanceId, users: &[User], when: &str) -> Outcome {
    for q in QUERIES {
        let want = scanned(users, q);
        let f = query(q);
        let all = Page {
            limit: 500,
            offset: 0,
        };
        let got: Vec<UserId> = store
            .list_users(ins, &f, UserOrder::default(), &all)
            .await?
            .into_iter()
            .map(|u| u.id)
            .collect();
        assert_eq!(got, want, "{when}: the users {q:?} finds");
        let count = store.count_users(ins, &f).await?;
        assert_eq!(count, want.len() as i64, "{when}: the count of {q:?}");
        let mut paged = Vec::new();
        for offset in (0..want.len().max(1)).step_by(2) {
            let page = Page {
                limit: 2,
                offset: offset as i64,
            };
            let ids = store
                .list_users(ins, &f, UserOrder::default(), &page)
                .await?;
            paged.extend(ids.into_iter().map(|u| u.id));
        }
        assert_eq!(paged, want, "{when}: {q:?} in pages of two");
    }
    Ok(())
}

/// Names, parts of addresses, short queries, LIKE's wildcards and its escape, quotes and
/// non-ASCII text: what the index finds is what a scan finds, and the count agrees.
pub async fn the_user_search_finds_what_a_scan_finds(store: Arc<dyn Store>) -> Outcome {
    let ins = &create_instance(&store).await?.id;
    let users = store_people(&store, ins).await?;
    assert!(
        !scanned(&users, "ada").is_empty() && !scanned(&users, "%_s").is_empty(),
        "the fixture has matches to find"
    );
    agree(&store, ins, &users, "stored").await?;
    // Part of an id, as the dashboard's search box may be given it.
    let id = users[2].id.as_str();
    let part = &id[5..14];
    let got = store
        .list_users(ins, &query(part), UserOrder::default(), &Page::default())
        .await?;
    assert_eq!(
        got.iter().map(|u| &u.id).collect::<Vec<_>>(),
        [&users[2].id],
        "part of an id"
    );
    // No search text holds a NUL: a query with one finds nobody (not the users whose text
    // ends with what comes before it), and is no error.
    for q in ["navy.example\0zz", "\0", "ada\0"] {
        assert_eq!(store.count_users(ins, &query(q)).await?, 0, "{q:?}");
        let page = store
            .list_users(ins, &query(q), UserOrder::default(), &Page::default())
            .await?;
        assert!(page.is_empty(), "{q:?}");
    }
    Ok(())
}

/// The index follows the users: a changed name is found by its new text and no longer by its
/// old one, a deleted user is found no more, and another instance's users are never found.
pub async fn the_user_search_follows_updates_and_deletes(store: Arc<dyn Store>) -> Outcome {
    let ins = &create_instance(&store).await?.id;
    let mut users = store_people(&store, ins).await?;

    let mut ada = store.get_user(ins, &users[0].id).await?.ok_or("ada")?;
    ada.first_name = Some("Ærwyn".into());
    ada.last_name = Some("Quux%".into());
    ada.email_addresses[0].email_address = "aerwyn@example.net".into();
    let mut cs = Changeset::default();
    cs.push(Write::UpdateUser(ada.clone()));
    store.commit(ins, cs).await?;
    users[0] = ada;
    assert_eq!(store.count_users(ins, &query("lovelace")).await?, 0);
    assert_eq!(store.count_users(ins, &query("ærwyn")).await?, 1);
    assert_eq!(store.count_users(ins, &query("QUUX%")).await?, 1);
    agree(&store, ins, &users, "after an update").await?;

    // An update that leaves the search text as it was (a metadata change) keeps it found.
    let mut same = store.get_user(ins, &users[2].id).await?.ok_or("grace")?;
    same.public_metadata
        .insert("team".into(), serde_json::json!("navy"));
    let mut cs = Changeset::default();
    cs.push(Write::UpdateUser(same.clone()));
    store.commit(ins, cs).await?;
    assert_eq!(store.count_users(ins, &query("hopper")).await?, 1);

    let gone = users.remove(3);
    let version = store.get_user(ins, &gone.id).await?.ok_or("zoë")?.version;
    let mut cs = Changeset::default();
    cs.push(Write::DeleteUser {
        id: gone.id.clone(),
        version,
    });
    store.commit(ins, cs).await?;
    assert_eq!(store.count_users(ins, &query("ångström")).await?, 0);
    agree(&store, ins, &users, "after a delete").await?;

    // A namesake in another instance of the same database is not this instance's.
    if let Some(other) = another_instance(&store).await? {
        let namesake = user("grace@other.example", "Grace", NOW);
        let mut cs = Changeset::default();
        cs.push(Write::InsertUser(namesake));
        store.commit(&other.id, cs).await?;
        assert_eq!(store.count_users(&other.id, &query("grace")).await?, 1);
        agree(&store, ins, &users, "beside another instance").await?;
    }
    Ok(())
}

/// A count with a bound stops past it: the exact number up to the bound, `cap + 1` above it,
/// for a query, for no query, and with the trigram route and the scan alike.
pub async fn a_bounded_user_count_stops_past_its_bound(store: Arc<dyn Store>) -> Outcome {
    let ins = &create_instance(&store).await?.id;
    let users = store_people(&store, ins).await?;
    for q in ["example", "ada", "a", "zzz"] {
        let exact = scanned(&users, q).len() as i64;
        for cap in [0, 1, 2, exact - 1, exact, exact + 5] {
            let cap = cap.max(0);
            let counted = store.count_users_up_to(ins, &query(q), cap).await?;
            assert_eq!(counted, exact.min(cap + 1), "{q:?} up to {cap}");
        }
    }
    let all = UserFilter::default();
    assert_eq!(store.count_users_up_to(ins, &all, 3).await?, 4);
    assert_eq!(
        store.count_users_up_to(ins, &all, 100).await?,
        PEOPLE.len() as i64
    );
    Ok(())
}
