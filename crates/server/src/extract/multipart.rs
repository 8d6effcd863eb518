//! `multipart/form-data` bodies (RFC 7578), read whole: an image upload is the only use, its
//! body is bounded before parsing, and a few parts are all it ever has. Written here rather than
//! taken from a crate because it is this small and only this is needed.

use crate::error::ApiError;

/// More parts than an upload form has is not an upload.
pub const MAX_PARTS: usize = 16;
/// A part's headers are a line or three; more is not a browser's or an SDK's.
const MAX_HEADER_BYTES: usize = 8 * 1024;

#[derive(Debug, PartialEq, Eq)]
pub struct Part {
    pub name: String,
    /// Present for a file part (the browser always gives one, maybe empty).
    pub file_name: Option<String>,
    pub data: Vec<u8>,
}

/// The boundary a `multipart/form-data` content type names, or none for any other type.
pub fn boundary(content_type: &str) -> Option<String> {
    let mut params = content_type.split(';');
    let kind = params.next()?.trim();
    if !kind.eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    params.find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| v.trim().trim_matches('"').to_owned())
            .filter(|b| !b.is_empty() && b.len() <= 70)
    })
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    haystack
        .get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|i| i + from)
}

fn malformed() -> ApiError {
    ApiError::body_invalid("The request body is not valid multipart/form-data.")
}

/// The parts of `body`, in order.
pub fn parse(boundary: &str, body: &[u8]) -> Result<Vec<Part>, ApiError> {
    let delimiter = format!("--{boundary}");
    let delimiter = delimiter.as_bytes();
    let next_delimiter = [b"\r\n", delimiter].concat();
    // The first delimiter may open the body or follow a preamble.
    let mut cursor = if body.starts_with(delimiter) {
        delimiter.len()
    } else {
        find(body, &next_delimiter, 0).ok_or_else(malformed)? + next_delimiter.len()
    };
    let mut parts = Vec::new();
    loop {
        let rest = body.get(cursor..).ok_or_else(malformed)?;
        if rest.starts_with(b"--") {
            return Ok(parts);
        }
        if !rest.starts_with(b"\r\n") {
            return Err(malformed());
        }
        let headers_start = cursor + 2;
        let headers_end = find(body, b"\r\n\r\n", headers_start)
            .filter(|end| end - headers_start <= MAX_HEADER_BYTES)
            .ok_or_else(malformed)?;
        let data_start = headers_end + 4;
        let data_end = find(body, &next_delimiter, data_start).ok_or_else(malformed)?;
        let headers =
            std::str::from_utf8(&body[headers_start..headers_end]).map_err(|_| malformed())?;
        let (name, file_name) = disposition(headers).ok_or_else(malformed)?;
        if parts.len() == MAX_PARTS {
            return Err(ApiError::body_invalid(
                "The request body has too many parts.",
            ));
        }
        parts.push(Part {
            name,
            file_name,
            data: body[data_start..data_end].to_vec(),
        });
        cursor = data_end + next_delimiter.len();
    }
}

/// The `name` and `filename` of a part's `Content-Disposition: form-data` header.
fn disposition(headers: &str) -> Option<(String, Option<String>)> {
    let value = headers.split("\r\n").find_map(|line| {
        let (k, v) = line.split_once(':')?;
        k.trim()
            .eq_ignore_ascii_case("content-disposition")
            .then_some(v)
    })?;
    let mut params = value.split(';');
    if !params.next()?.trim().eq_ignore_ascii_case("form-data") {
        return None;
    }
    let mut name = None;
    let mut file_name = None;
    for p in params {
        let Some((k, v)) = p.split_once('=') else {
            continue;
        };
        let v = v.trim().trim_matches('"').to_owned();
        match k.trim().to_ascii_lowercase().as_str() {
            "name" => name = Some(v),
            "filename" => file_name = Some(v),
            _ => {}
        }
    }
    Some((name?, file_name))
}
