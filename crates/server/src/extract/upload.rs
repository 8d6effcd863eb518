//! An image upload's body: `multipart/form-data` with the image in `file` (what clerk-js,
//! `@clerk/backend` and the Python SDK send), or the image itself base64-encoded in an
//! `application/octet-stream` body (clerk-js when given a string). The body is bounded by the
//! image limit plus room for the form's framing; past it, 413.

use std::collections::HashMap;

use axum::extract::{FromRequest, Request};
use axum::http::header::CONTENT_TYPE;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use usher_core::CoreError;
use usher_core::images::MAX_IMAGE_BYTES;

use super::multipart;
use crate::error::ApiError;

/// Room for the multipart framing and the text fields beside the file.
const FRAMING_BYTES: usize = 64 * 1024;

#[derive(Debug)]
pub struct ImageUpload {
    /// The `file` part's bytes (checked later, by the core); none when the body has none.
    pub file: Option<Vec<u8>>,
    /// The text parts, by name (the last of a repeated name).
    pub fields: HashMap<String, String>,
}

impl ImageUpload {
    /// The file, or `form_param_missing` for `file`.
    pub fn require_file(&mut self) -> Result<Vec<u8>, ApiError> {
        self.file.take().ok_or_else(|| {
            CoreError::ParamMissing {
                param: "file".into(),
            }
            .into()
        })
    }
}

impl<S: Send + Sync> FromRequest<S> for ImageUpload {
    type Rejection = ApiError;

    async fn from_request(req: Request, _: &S) -> Result<Self, ApiError> {
        let content_type = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        // Base64 is 4/3 of the bytes it encodes.
        let limit = MAX_IMAGE_BYTES / 3 * 4 + FRAMING_BYTES;
        let bytes = axum::body::to_bytes(req.into_body(), limit)
            .await
            .map_err(|_| CoreError::ImageTooLarge {
                limit: MAX_IMAGE_BYTES,
            })?;
        if let Some(boundary) = multipart::boundary(&content_type) {
            return Self::from_parts(multipart::parse(&boundary, &bytes)?);
        }
        if content_type
            .split(';')
            .next()
            .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/octet-stream"))
        {
            return Ok(Self {
                file: Some(decode_base64(&bytes)?),
                fields: HashMap::new(),
            });
        }
        Err(ApiError::body_invalid(
            "An image upload is multipart/form-data with the image in `file`.",
        ))
    }
}

impl ImageUpload {
    fn from_parts(parts: Vec<multipart::Part>) -> Result<Self, ApiError> {
        let mut upload = Self {
            file: None,
            fields: HashMap::new(),
        };
        for part in parts {
            if part.name == "file" {
                upload.file = Some(part.data);
            } else {
                let text = String::from_utf8(part.data)
                    .ok()
                    .filter(|t| !t.chars().any(char::is_control))
                    .ok_or_else(|| CoreError::ParamFormatInvalid {
                        param: part.name.clone(),
                        reason: "must be text".into(),
                    })?;
                upload.fields.insert(part.name, text);
            }
        }
        Ok(upload)
    }
}

/// A base64 body, bare or as a `data:` URL; whitespace (line breaks) ignored.
pub fn decode_base64(body: &[u8]) -> Result<Vec<u8>, ApiError> {
    let text = std::str::from_utf8(body).map_err(|_| invalid_base64())?;
    let text = match text.strip_prefix("data:") {
        Some(url) => url
            .split_once(',')
            .map(|(_, data)| data)
            .ok_or_else(invalid_base64)?,
        None => text,
    };
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    STANDARD.decode(compact).map_err(|_| invalid_base64())
}

fn invalid_base64() -> ApiError {
    CoreError::ImageInvalid {
        reason: "the body is not a base64-encoded image".into(),
    }
    .into()
}
