//! An uploaded image, checked: not empty, within Clerk's 10 MB limit, one of the four formats.

use thiserror::Error;

use super::ImageKind;
use crate::CoreError;
use crate::clock::Millis;
use crate::ids::ImageId;

/// Clerk's limit on a logo or profile image.
pub const MAX_IMAGE_BYTES: usize = 10 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ImageError {
    #[error("the file is empty")]
    Empty,
    #[error("the file is larger than {limit} bytes")]
    TooLarge { limit: usize },
    #[error("the file is not a PNG, JPEG, GIF or WebP image")]
    Unsupported,
}

impl From<ImageError> for CoreError {
    fn from(e: ImageError) -> Self {
        match e {
            ImageError::TooLarge { limit } => CoreError::ImageTooLarge { limit },
            ImageError::Empty | ImageError::Unsupported => CoreError::ImageInvalid {
                reason: e.to_string(),
            },
        }
    }
}

/// An image as stored; its id never names other bytes (a new upload is a new image), so it can be
/// cached for good.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Image {
    pub id: ImageId,
    pub kind: ImageKind,
    pub bytes: Vec<u8>,
    pub created_at: Millis,
}

impl Image {
    /// The uploaded `bytes` as a new image, or why they are refused.
    pub fn accept(bytes: Vec<u8>, now: Millis) -> Result<Self, ImageError> {
        if bytes.is_empty() {
            return Err(ImageError::Empty);
        }
        if bytes.len() > MAX_IMAGE_BYTES {
            return Err(ImageError::TooLarge {
                limit: MAX_IMAGE_BYTES,
            });
        }
        let kind = ImageKind::sniff(&bytes).ok_or(ImageError::Unsupported)?;
        Ok(Self {
            id: ImageId::new(),
            kind,
            bytes,
            created_at: now,
        })
    }

    pub fn size(&self) -> usize {
        self.bytes.len()
    }

    /// The name Clerk's image object shows: the id with the format's extension.
    pub fn file_name(&self) -> String {
        format!("{}.{}", self.id, self.kind.extension())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\nrest";

    #[test]
    fn accepts_a_small_png() {
        let img = Image::accept(PNG.to_vec(), 7).unwrap();
        assert_eq!(img.kind, ImageKind::Png);
        assert_eq!(img.size(), PNG.len());
        assert!(img.id.as_str().starts_with("img_"));
        assert!(img.file_name().ends_with(".png"));
    }

    #[test]
    fn refuses_empty_oversized_and_unknown_files() {
        assert_eq!(Image::accept(Vec::new(), 0), Err(ImageError::Empty));
        let mut big = PNG.to_vec();
        big.resize(MAX_IMAGE_BYTES + 1, 0);
        assert_eq!(
            Image::accept(big, 0),
            Err(ImageError::TooLarge {
                limit: MAX_IMAGE_BYTES
            })
        );
        let mut exact = PNG.to_vec();
        exact.resize(MAX_IMAGE_BYTES, 0);
        assert!(Image::accept(exact, 0).is_ok());
        assert_eq!(
            Image::accept(b"<svg/>".to_vec(), 0),
            Err(ImageError::Unsupported)
        );
    }
}
