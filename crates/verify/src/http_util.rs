//! Small helpers for the few outbound HTTP calls (JWKS, machine-token verification, handshake).

pub(crate) fn user_agent() -> &'static str {
    concat!("usher-verify/", env!("CARGO_PKG_VERSION"))
}

/// Reads a response body, refusing bodies larger than `max` bytes.
pub(crate) async fn read_limited(
    mut resp: reqwest::Response,
    max: usize,
) -> Result<Vec<u8>, String> {
    if resp.content_length().is_some_and(|n| n > max as u64) {
        return Err(format!("response body larger than {max} bytes"));
    }
    let mut body = Vec::new();
    while let Some(chunk) = resp
        .chunk()
        .await
        .map_err(|e| format!("reading the response: {}", e.without_url()))?
    {
        if body.len() + chunk.len() > max {
            return Err(format!("response body larger than {max} bytes"));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// `base` without trailing slashes, then `path` (which starts with `/`).
pub(crate) fn join(base: &str, path: &str) -> String {
    format!("{}{}", base.trim_end_matches('/'), path)
}
