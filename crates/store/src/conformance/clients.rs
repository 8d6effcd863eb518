//! The client part of the storage suite: browser clients found by their token hash, versioned
//! updates carrying sign-in state, sessions by client, identifier look-ups, handshake nonces.

use std::sync::Arc;

use usher_core::clients::sign_ins::SignIn;
use usher_core::clients::{Client, ClientToken};
use usher_core::instance::InstanceSettings;
use usher_core::sessions::lifecycle::new_session;
use usher_core::store::{Changeset, Store, StoreError, Write};
use usher_core::users::create::{NewUser, validate};
use usher_core::users::identifiers::IdentifierKind;

use super::check;

const T0: i64 = 1_800_000_000_000;

pub async fn run(store: &Arc<dyn Store>, ins: &str) -> Result<(), String> {
    let e = |e: StoreError| e.to_string();
    let settings = InstanceSettings::default();
    let user = validate(
        NewUser {
            email_addresses: vec!["Client.Owner@Example.com".into()],
            username: Some("owner".into()),
            skip_password_requirement: true,
            ..Default::default()
        },
        &settings,
    )
    .map_err(|e| e.to_string())?
    .into_user(None, &settings, T0);
    let token = ClientToken::generate();
    let mut client = Client::new(Some(&token), T0);
    let instance = store
        .load_instance()
        .await
        .map_err(e)?
        .ok_or("no instance")?;
    let session = new_session(&instance, &client.id, &user, None, T0);
    let mut cs = Changeset::default();
    cs.push(Write::InsertUser(user.clone()))
        .push(Write::InsertClient(client.clone()))
        .push(Write::InsertSession(session.clone()));
    store.commit(ins, cs).await.map_err(e)?;

    let found = store
        .client_by_token(ins, &token.hash())
        .await
        .map_err(e)?
        .ok_or("client by token hash")?;
    check(found.id == client.id, "a client is found by its token hash")?;
    check(
        store
            .client_by_token(ins, &ClientToken::generate().hash())
            .await
            .map_err(e)?
            .is_none(),
        "an unknown token finds nothing",
    )?;

    client.version = found.version;
    client.sign_in = Some(SignIn::start(Some("owner".into()), Some(&user), T0));
    client.last_active_session_id = Some(session.id.clone());
    let mut cs = Changeset::default();
    cs.push(Write::UpdateClient(client.clone()));
    store.commit(ins, cs.clone()).await.map_err(e)?;
    check(
        store.commit(ins, cs).await == Err(StoreError::Stale),
        "a client update from a stale version is refused",
    )?;
    let back = store
        .get_client(ins, &client.id)
        .await
        .map_err(e)?
        .ok_or("client by id")?;
    check(
        back.sign_in == client.sign_in
            && back.last_active_session_id.as_deref() == Some(session.id.as_str())
            && back.version == client.version + 1,
        "the sign-in attempt and active session survive a round trip",
    )?;

    let sessions = store.sessions_of_client(ins, &client.id).await.map_err(e)?;
    check(
        sessions.len() == 1 && sessions[0].id == session.id,
        "sessions are listed by client",
    )?;
    for (kind, value) in [
        (IdentifierKind::Email, "client.owner@example.COM"),
        (IdentifierKind::Username, "OWNER"),
    ] {
        check(
            store
                .user_id_by_identifier(ins, kind, value)
                .await
                .map_err(e)?
                .as_deref()
                == Some(user.id.as_str()),
            "identifiers are looked up in their normalised form",
        )?;
        check(
            store
                .user_by_identifier(ins, kind, value)
                .await
                .map_err(e)?
                .is_some_and(|u| u.id == user.id),
            "a user is read by identifier, in its normalised form",
        )?;
    }
    check(
        store
            .user_by_identifier(ins, IdentifierKind::Username, "nobody")
            .await
            .map_err(e)?
            .is_none(),
        "an unknown identifier reads no user",
    )?;
    check(
        store
            .user_id_by_identifier(ins, IdentifierKind::Email, "nobody@example.com")
            .await
            .map_err(e)?
            .is_none(),
        "an unknown identifier finds nobody",
    )?;

    store
        .put_handshake_nonce(ins, "nonce-hash", "[\"a=b\"]", T0 + 60_000)
        .await
        .map_err(e)?;
    check(
        store
            .handshake_payload(ins, "nonce-hash", T0)
            .await
            .map_err(e)?
            .as_deref()
            == Some("[\"a=b\"]"),
        "a handshake payload is found by its nonce",
    )?;
    check(
        store
            .handshake_payload(ins, "nonce-hash", T0 + 60_000)
            .await
            .map_err(e)?
            .is_none(),
        "an expired handshake nonce finds nothing",
    )?;
    Ok(())
}
