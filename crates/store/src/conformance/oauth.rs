//! Social sign-in: providers unique by name, states taken once, external accounts unique per
//! (provider, provider user id) and deleted with their user.

use std::sync::Arc;

use usher_core::oauth::flow::{AuthRequest, Intent};
use usher_core::oauth::{OAuthProvider, Preset, ProviderTokens};
use usher_core::store::{Store, StoreError, Write};

use super::{NOW, Outcome, create_instance, delete_stored_user, one, user};

fn provider(id: &str, name: &str, at: i64) -> OAuthProvider {
    OAuthProvider {
        id: id.into(),
        provider: name.into(),
        preset: Preset::Custom,
        name: "Acme".into(),
        discovery_url: Some("https://idp.example/.well-known/openid-configuration".into()),
        client_id: "cid".into(),
        client_secret_sealed: "sealed".into(),
        scopes: "openid email".into(),
        enabled: true,
        created_at: at,
        updated_at: at,
    }
}

fn tokens(id: &str, user_id: &str, subject: &str) -> ProviderTokens {
    ProviderTokens {
        external_account_id: id.into(),
        user_id: user_id.into(),
        provider: "custom_acme".into(),
        provider_user_id: subject.into(),
        access_token_sealed: Some("sealed-at".into()),
        refresh_token_sealed: None,
        expires_at: None,
        scopes: "openid".into(),
        created_at: NOW,
        updated_at: NOW,
    }
}

pub async fn oauth_providers_are_unique_by_name(store: Arc<dyn Store>) -> Outcome {
    let ins = &create_instance(&store).await?.id;
    let acme = provider("oap_1", "custom_acme", NOW);
    store
        .commit(ins, one(Write::PutOAuthProvider(acme.clone())))
        .await?;
    store
        .commit(
            ins,
            one(Write::PutOAuthProvider(provider(
                "oap_2",
                "google",
                NOW + 1,
            ))),
        )
        .await?;
    assert_eq!(
        store
            .commit(
                ins,
                one(Write::PutOAuthProvider(provider(
                    "oap_3",
                    "google",
                    NOW + 2
                )))
            )
            .await,
        Err(StoreError::KeyTaken {
            what: "oauth provider"
        })
    );
    let mut changed = acme.clone();
    changed.enabled = false;
    store
        .commit(ins, one(Write::PutOAuthProvider(changed.clone())))
        .await?;
    let all = store.oauth_providers(ins).await?;
    let names: Vec<_> = all.iter().map(|p| p.provider.as_str()).collect();
    assert_eq!(names, ["custom_acme", "google"]);
    assert_eq!(
        store.oauth_provider(ins, "custom_acme").await?,
        Some(changed)
    );
    store
        .commit(ins, one(Write::DeleteOAuthProvider { id: "oap_1".into() }))
        .await?;
    assert_eq!(store.oauth_provider(ins, "custom_acme").await?, None);
    assert_eq!(store.oauth_providers(ins).await?.len(), 1);
    Ok(())
}

pub async fn oauth_states_are_taken_once_and_pruned(store: Arc<dyn Store>) -> Outcome {
    let ins = &create_instance(&store).await?.id;
    let start = |at| {
        AuthRequest::start(
            "client_1",
            "custom_acme",
            Intent::SignIn {
                sign_in_id: "sia_1".into(),
            },
            "http://localhost/cb".into(),
            None,
            at,
        )
    };
    let (a, b) = (start(NOW), start(NOW + 1));
    store.insert_oauth_state(ins, &a.pending).await?;
    store.insert_oauth_state(ins, &b.pending).await?;
    let digest = a.pending.state_digest.clone();
    assert_eq!(
        store.take_oauth_state(ins, &digest).await?,
        Some(a.pending.clone())
    );
    assert_eq!(store.take_oauth_state(ins, &digest).await?, None);
    // Both expire after the lifetime; pruning removes only those.
    assert_eq!(store.prune_oauth_states(ins, NOW).await?, 0);
    assert_eq!(
        store.prune_oauth_states(ins, b.pending.expires_at).await?,
        1
    );
    assert_eq!(
        store.take_oauth_state(ins, &b.pending.state_digest).await?,
        None
    );
    Ok(())
}

pub async fn external_accounts_are_unique_and_go_with_their_user(store: Arc<dyn Store>) -> Outcome {
    let ins = &create_instance(&store).await?.id;
    let u = user("ext@example.com", "Ext", NOW);
    store.commit(ins, one(Write::InsertUser(u.clone()))).await?;
    let uid = u.id.to_string();
    store
        .commit(
            ins,
            one(Write::PutExternalAccount(tokens("eac_1", &uid, "sub-1"))),
        )
        .await?;
    assert_eq!(
        store
            .commit(
                ins,
                one(Write::PutExternalAccount(tokens("eac_2", &uid, "sub-1")))
            )
            .await,
        Err(StoreError::KeyTaken {
            what: "external account"
        })
    );
    let mut refreshed = tokens("eac_1", &uid, "sub-1");
    refreshed.access_token_sealed = Some("sealed-at-2".into());
    store
        .commit(ins, one(Write::PutExternalAccount(refreshed.clone())))
        .await?;
    store
        .commit(
            ins,
            one(Write::PutExternalAccount(tokens("eac_3", &uid, "sub-3"))),
        )
        .await?;
    let found = store
        .external_account_by_subject(ins, "custom_acme", "sub-1")
        .await?;
    assert_eq!(found, Some(refreshed));
    assert_eq!(
        store
            .external_account_by_subject(ins, "google", "sub-1")
            .await?,
        None
    );
    assert_eq!(store.external_accounts_of(ins, &u.id).await?.len(), 2);
    store
        .commit(
            ins,
            one(Write::DeleteExternalAccount { id: "eac_3".into() }),
        )
        .await?;
    assert_eq!(store.external_accounts_of(ins, &u.id).await?.len(), 1);
    delete_stored_user(&store, ins, &u.id).await?;
    assert!(store.external_accounts_of(ins, &u.id).await?.is_empty());
    assert_eq!(
        store
            .external_account_by_subject(ins, "custom_acme", "sub-1")
            .await?,
        None
    );
    Ok(())
}
