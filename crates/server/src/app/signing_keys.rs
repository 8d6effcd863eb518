//! Signing-key rotation and retirement, committed like any other change: the key write, its
//! `usher.security.signing_key.*` event (key ids only, never key material) and the audit entry
//! in one transaction. Running servers pick the new key up at their next key refresh.

use usher_core::events::DomainEvent;
use usher_core::ids::{new_id, prefix};
use usher_core::signing_keys::{SigningKey, SigningKeyRecord};
use usher_core::store::Write;
use usher_core::{CoreError, CoreResult};

use super::{Change, with_retry};
use crate::app::context::RequestContext;
use crate::state::AppState;

pub async fn list(state: &AppState) -> CoreResult<Vec<SigningKeyRecord>> {
    Ok(state.store.signing_keys(&state.instance.id).await?)
}

/// Makes a new RSA key the signing key; the previous one stays published. Returns the new kid.
pub async fn rotate(state: &AppState, ctx: &RequestContext) -> CoreResult<String> {
    let kid = new_id(prefix::SIGNING_KEY);
    let (_, record) = SigningKey::generate(&kid, &state.instance.id, state.now())?;
    let previous_kid = list(state)
        .await?
        .into_iter()
        .find(|k| k.active)
        .map(|k| k.kid);
    let mut change = Change::new(state, ctx);
    change
        .write(Write::RotateSigningKey(record.clone()))
        .event(DomainEvent::SigningKeyRotated {
            kid: kid.clone(),
            previous_kid,
            created_at: record.created_at,
        });
    change.commit("signing_key.rotate", Some(&kid)).await?;
    Ok(kid)
}

/// The leaked-key procedure: a new signing key, and every earlier key retired in the same
/// transaction (gone from JWKS), so every session token already issued stops verifying at once.
/// Sessions stay: clients mint a new token with their session cookie. Returns the new kid and the
/// kids retired.
pub async fn rotate_emergency(
    state: &AppState,
    ctx: &RequestContext,
) -> CoreResult<(String, Vec<String>)> {
    let kid = new_id(prefix::SIGNING_KEY);
    let (_, record) = SigningKey::generate(&kid, &state.instance.id, state.now())?;
    let retired = with_retry(|| async {
        let earlier = list(state).await?;
        let previous_kid = earlier.iter().find(|k| k.active).map(|k| k.kid.clone());
        let mut change = Change::new(state, ctx);
        change.write(Write::RotateSigningKey(record.clone())).event(
            DomainEvent::SigningKeyRotated {
                kid: kid.clone(),
                previous_kid,
                created_at: record.created_at,
            },
        );
        for k in &earlier {
            change
                .write(Write::RetireSigningKey { kid: k.kid.clone() })
                .event(DomainEvent::SigningKeyRetired { kid: k.kid.clone() });
        }
        change
            .commit("signing_key.emergency_rotate", Some(&kid))
            .await?;
        Ok(earlier.into_iter().map(|k| k.kid).collect::<Vec<_>>())
    })
    .await?;
    Ok((kid, retired))
}

/// Removes an inactive key from JWKS: the tokens it signed stop verifying.
pub async fn retire(state: &AppState, ctx: &RequestContext, kid: &str) -> CoreResult<()> {
    with_retry(|| async {
        let keys = list(state).await?;
        match keys.iter().find(|k| k.kid == kid) {
            None => Err(CoreError::NotFound {
                resource: "signing key",
            }),
            Some(k) if k.active => Err(CoreError::value(
                "kid",
                "is the active signing key, which cannot be retired: rotate first",
            )),
            Some(_) => {
                let mut change = Change::new(state, ctx);
                change
                    .write(Write::RetireSigningKey {
                        kid: kid.to_owned(),
                    })
                    .event(DomainEvent::SigningKeyRetired {
                        kid: kid.to_owned(),
                    });
                change.commit("signing_key.retire", Some(kid)).await
            }
        }
    })
    .await
}
