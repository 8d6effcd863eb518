//! The instance's registered redirect URLs (`/v1/redirect_urls`), and the check every redirect
//! parameter goes through (`core::redirects`): a path or an allowed origin passes without a
//! read; anything else is compared with the registered URLs.

use usher_core::redirects::{self, RedirectUrl, Target};
use usher_core::store::Write;
use usher_core::{CoreError, CoreResult};

use super::Change;
use crate::app::context::RequestContext;
use crate::state::AppState;

const RESOURCE: &str = "redirect url";

/// Every registered URL, oldest first.
pub async fn list(state: &AppState) -> CoreResult<Vec<RedirectUrl>> {
    Ok(state.store.redirect_urls(&state.instance.id).await?)
}

pub async fn get(state: &AppState, id: &str) -> CoreResult<RedirectUrl> {
    list(state)
        .await?
        .into_iter()
        .find(|r| r.id == id)
        .ok_or(CoreError::NotFound { resource: RESOURCE })
}

/// Registers `url`; one registered already is 400 `duplicate_record`.
pub async fn create(state: &AppState, ctx: &RequestContext, url: &str) -> CoreResult<RedirectUrl> {
    let r = redirects::new_redirect_url(url, state.now())?;
    if list(state).await?.iter().any(|x| x.url == r.url) {
        return Err(CoreError::KeyTaken { what: "url" });
    }
    let mut change = Change::new(state, ctx);
    change.write(Write::InsertRedirectUrl(r.clone()));
    change.commit("redirect_url.create", Some(&r.id)).await?;
    Ok(r)
}

pub async fn delete(state: &AppState, ctx: &RequestContext, id: &str) -> CoreResult<()> {
    let r = get(state, id).await?;
    let mut change = Change::new(state, ctx);
    change.write(Write::DeleteRedirectUrl { id: r.id.clone() });
    change.commit("redirect_url.delete", Some(&r.id)).await
}

/// `raw` (the value of `param`) where the browser may be sent: a path on the instance (when
/// `allow_path`), a URL on an allowed origin, or a registered redirect URL; else 422
/// `form_param_format_invalid` on `param`.
pub async fn check(
    state: &AppState,
    raw: &str,
    param: &str,
    allow_path: bool,
) -> CoreResult<String> {
    let target = Target::parse(raw, allow_path).ok_or_else(|| redirects::refusal(param))?;
    if target.on_allowed_origin(|o| crate::fapi::origins::is_allowed(state, o))
        || target.registered(&list(state).await?)
    {
        Ok(target.into_string())
    } else {
        Err(redirects::refusal(param))
    }
}

/// `check` for an optional parameter.
pub async fn check_opt(
    state: &AppState,
    raw: Option<String>,
    param: &str,
    allow_path: bool,
) -> CoreResult<Option<String>> {
    match raw.filter(|r| !r.is_empty()) {
        Some(r) => Ok(Some(check(state, &r, param, allow_path).await?)),
        None => Ok(None),
    }
}

/// [`check_link`] on each of `links` (each a `redirect_url`), in place.
pub async fn check_links<'a>(
    state: &AppState,
    links: impl Iterator<Item = &'a mut Option<String>>,
) -> CoreResult<()> {
    for link in links {
        *link = check_link(state, link.take(), "redirect_url").await?;
    }
    Ok(())
}

/// A link an email carries (an invitation's `redirect_url`): the Backend API's caller holds the
/// secret key, so any http(s) URL on any origin is its to choose, but only in a shape that
/// cannot run or mislead (no `javascript:`, no `//host`, no credentials, no backslash), and a
/// custom scheme only when registered.
pub async fn check_link(
    state: &AppState,
    raw: Option<String>,
    param: &str,
) -> CoreResult<Option<String>> {
    let Some(raw) = raw.filter(|r| !r.is_empty()) else {
        return Ok(None);
    };
    let target = Target::parse(&raw, false).ok_or_else(|| redirects::refusal(param))?;
    if target.on_allowed_origin(|_| true) || target.registered(&list(state).await?) {
        Ok(Some(target.into_string()))
    } else {
        Err(redirects::refusal(param))
    }
}
