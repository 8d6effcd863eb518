//! The client part of the storage suite: browser clients found by their token hash, versioned
//! updates carrying sign-in state, sessions by client, identifier look-ups, handshake nonces.

use std::sync::Arc;

use usher_core::clients::sign_ins::SignIn;
use usher_core::clients::{Client, ClientToken};
use usher_core::ids::InstanceId;
use usher_core::instance::InstanceSettings;
use usher_core::sessions::Session;
use usher_core::sessions::lifecycle::new_session;
use usher_core::store::{Changeset, Store, StoreError, Write};
use usher_core::users::User;
use usher_core::users::create::{NewUser, validate};
use usher_core::users::identifiers::IdentifierKind;

use super::{Fixture, Outcome, create_instance};

const T0: i64 = 1_800_000_000_000;

/// A user signed in on a browser client: the instance id, the user, the client's token, the
/// client and its session.
struct Owner {
    ins: InstanceId,
    user: User,
    token: ClientToken,
    client: Client,
    session: Session,
}

async fn owner(store: &Arc<dyn Store>) -> Fixture<Owner> {
    let instance = create_instance(store).await?;
    let settings = InstanceSettings::default();
    let user = validate(
        NewUser {
            email_addresses: vec!["Client.Owner@Example.com".into()],
            username: Some("owner".into()),
            skip_password_requirement: true,
            ..Default::default()
        },
        &settings,
    )?
    .into_user(None, &settings, T0);
    let token = ClientToken::generate();
    let client = Client::new(Some(&token), T0);
    let session = new_session(&instance, &client.id, &user, None, T0);
    let mut cs = Changeset::default();
    cs.push(Write::InsertUser(user.clone()))
        .push(Write::InsertClient(client.clone()))
        .push(Write::InsertSession(session.clone()));
    store.commit(&instance.id, cs).await?;
    Ok(Owner {
        ins: instance.id,
        user,
        token,
        client,
        session,
    })
}

pub async fn a_client_is_found_by_its_token_hash(store: Arc<dyn Store>) -> Outcome {
    let Owner {
        ins, token, client, ..
    } = owner(&store).await?;
    let found = store
        .client_by_token(&ins, &token.hash())
        .await?
        .ok_or("client by token hash")?;
    assert_eq!(found.id, client.id, "a client is found by its token hash");
    assert_eq!(
        store
            .client_by_token(&ins, &ClientToken::generate().hash())
            .await?
            .map(|c| c.id),
        None,
        "an unknown token finds nothing",
    );
    Ok(())
}

pub async fn client_updates_are_versioned(store: Arc<dyn Store>) -> Outcome {
    let Owner {
        ins,
        user,
        token,
        mut client,
        session,
    } = owner(&store).await?;
    let ins = &ins;
    let found = store
        .client_by_token(ins, &token.hash())
        .await?
        .ok_or("client by token hash")?;
    client.version = found.version;
    client.sign_in = Some(SignIn::start(Some("owner".into()), Some(&user), T0));
    client.last_active_session_id = Some(session.id.clone());
    let mut cs = Changeset::default();
    cs.push(Write::UpdateClient(client.clone()));
    store.commit(ins, cs.clone()).await?;
    assert_eq!(
        store.commit(ins, cs).await,
        Err(StoreError::Stale),
        "a client update from a stale version is refused",
    );
    let back = store
        .get_client(ins, &client.id)
        .await?
        .ok_or("client by id")?;
    assert_eq!(
        back.sign_in, client.sign_in,
        "the sign-in attempt survives a round trip"
    );
    assert_eq!(
        (back.last_active_session_id.as_deref(), back.version),
        (Some(session.id.as_str()), client.version + 1),
        "the active session survives a round trip, a version further",
    );
    Ok(())
}

pub async fn sessions_are_listed_by_client(store: Arc<dyn Store>) -> Outcome {
    let Owner {
        ins,
        client,
        session,
        ..
    } = owner(&store).await?;
    let sessions = store.sessions_of_client(&ins, &client.id).await?;
    assert_eq!(
        sessions.iter().map(|s| &s.id).collect::<Vec<_>>(),
        [&session.id],
        "sessions are listed by client",
    );
    Ok(())
}

pub async fn identifiers_are_looked_up_normalised(store: Arc<dyn Store>) -> Outcome {
    let Owner { ins, user, .. } = owner(&store).await?;
    let ins = &ins;
    for (kind, value) in [
        (IdentifierKind::Email, "client.owner@example.COM"),
        (IdentifierKind::Username, "OWNER"),
    ] {
        assert_eq!(
            store
                .user_id_by_identifier(ins, kind, value)
                .await?
                .as_deref(),
            Some(user.id.as_str()),
            "identifiers are looked up in their normalised form",
        );
        assert_eq!(
            store
                .user_by_identifier(ins, kind, value)
                .await?
                .map(|u| u.id),
            Some(user.id.clone()),
            "a user is read by identifier, in its normalised form",
        );
    }
    assert_eq!(
        store
            .user_by_identifier(ins, IdentifierKind::Username, "nobody")
            .await?,
        None,
        "an unknown identifier reads no user",
    );
    assert_eq!(
        store
            .user_id_by_identifier(ins, IdentifierKind::Email, "nobody@example.com")
            .await?,
        None,
        "an unknown identifier finds nobody",
    );
    Ok(())
}

pub async fn handshake_nonces_expire(store: Arc<dyn Store>) -> Outcome {
    let ins = create_instance(&store).await?.id;
    let ins = &ins;
    store
        .put_handshake_nonce(ins, "nonce-hash", "[\"a=b\"]", T0 + 60_000)
        .await?;
    assert_eq!(
        store
            .handshake_payload(ins, "nonce-hash", T0)
            .await?
            .as_deref(),
        Some("[\"a=b\"]"),
        "a handshake payload is found by its nonce",
    );
    assert_eq!(
        store
            .handshake_payload(ins, "nonce-hash", T0 + 60_000)
            .await?,
        None,
        "an expired handshake nonce finds nothing",
    );
    Ok(())
}
