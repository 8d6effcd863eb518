//! M2M tokens: minted by a machine with its secret key (opaque `mt_` tokens, kept as digests,
//! or RS256 JWTs signed with the instance's signing key and kept nowhere), listed per machine,
//! revoked, and verified. A machine's key reaches only its own tokens, and verifies only the
//! tokens that name it in their scopes; the instance's secret key reaches every token but
//! mints none.

use usher_core::api_keys::secrets::same_digest;
use usher_core::ids::{M2mTokenId, MachineId};
use usher_core::machines::tokens::{self, M2mTokenFormat, NewM2mToken};
use usher_core::machines::{M2mToken, M2mTokenQuery, Machine};
use usher_core::store::Write;
use usher_core::users::query::Page;
use usher_core::{CoreError, CoreResult};

use super::{Change, with_retry};
use crate::app::context::RequestContext;
use crate::extract::machine_auth::M2mCaller;
use crate::state::AppState;

fn not_found() -> CoreError {
    CoreError::NotFound {
        resource: "m2m token",
    }
}

/// A new token of `machine` and its text (the opaque secret or the JWT), shown this once. Its
/// scopes are the machines `machine` may call now.
pub async fn create(
    state: &AppState,
    ctx: &RequestContext,
    machine: &Machine,
    input: NewM2mToken,
) -> CoreResult<(M2mToken, String)> {
    let scopes = super::machines::scoped(state, &machine.id)
        .await?
        .into_iter()
        .map(|m| m.id.into_string())
        .collect();
    let format = input.format;
    let token = tokens::create(machine, scopes, input, state.now())?;
    if format == M2mTokenFormat::Jwt {
        let claims = tokens::jwt_claims(&token, &state.instance.issuer());
        let jwt = state
            .keys()
            .active
            .sign_m2m_jwt(claims.to_string().as_bytes())?;
        Change::new(state, ctx)
            .commit("m2m_token.create", Some(&token.id))
            .await?;
        return Ok((token, jwt));
    }
    let secret = tokens::new_secret();
    let digest = state.api_key_keys().await?.digest(&secret);
    let mut change = Change::new(state, ctx);
    change.write(Write::InsertM2mToken {
        token: token.clone(),
        digest,
    });
    change.commit("m2m_token.create", Some(&token.id)).await?;
    Ok((
        M2mToken {
            version: 1,
            ..token
        },
        secret,
    ))
}

pub struct ListQuery {
    pub subject: MachineId,
    pub revoked: bool,
    pub expired: bool,
    pub page: Page,
}

/// A machine's tokens: any machine's for the instance, only its own for a machine.
pub async fn list(
    state: &AppState,
    caller: &M2mCaller,
    q: ListQuery,
) -> CoreResult<(Vec<M2mToken>, i64)> {
    if let M2mCaller::Machine(m) = caller
        && m.id != q.subject
    {
        return Err(CoreError::NotAllowed {
            reason: "a machine's secret key lists only that machine's tokens",
        });
    }
    super::machines::get(state, &q.subject).await?;
    let query = M2mTokenQuery {
        subject: q.subject,
        revoked: q.revoked,
        expired: q.expired,
        now: state.now(),
        page: q.page,
    };
    Ok(state
        .store
        .list_m2m_tokens(&state.instance.id, &query)
        .await?)
}

/// Revokes a token: any for the instance, its own for a machine (another's is not found).
pub async fn revoke(
    state: &AppState,
    ctx: &RequestContext,
    caller: &M2mCaller,
    id: &M2mTokenId,
    reason: Option<String>,
) -> CoreResult<M2mToken> {
    with_retry(|| async {
        let token = state
            .store
            .get_m2m_token(&state.instance.id, id)
            .await?
            .filter(|t| match caller {
                M2mCaller::Instance => true,
                M2mCaller::Machine(m) => m.id == t.subject,
            })
            .ok_or_else(not_found)?;
        let Some(next) = tokens::revoke(&token, reason.clone(), state.now())? else {
            return Ok(token);
        };
        let mut change = Change::new(state, ctx);
        change.write(Write::UpdateM2mToken(next.clone()));
        change.commit("m2m_token.revoke", Some(id)).await?;
        Ok(M2mToken {
            version: next.version + 1,
            ..next
        })
    })
    .await
}

/// The usable opaque token `secret` is; unknown, revoked, expired, or (for a machine's key) not
/// scoped to the calling machine, all answer `NotFound` alike.
pub async fn verify(state: &AppState, caller: &M2mCaller, secret: &str) -> CoreResult<M2mToken> {
    let digest = state.api_key_keys().await?.digest(secret);
    let found = state
        .store
        .m2m_token_by_digest(&state.instance.id, &digest)
        .await?
        .filter(|(_, stored)| same_digest(&digest, stored));
    let token = tokens::accept(found, &digest, state.now()).ok_or_else(not_found)?;
    match caller {
        M2mCaller::Machine(m) if !token.scopes.iter().any(|s| s == m.id.as_str()) => {
            Err(not_found())
        }
        _ => Ok(token),
    }
}
