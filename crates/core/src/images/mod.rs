//! Uploaded images (organization logos, user profile images): kept by Usher, in its database,
//! and served by it, so no outside image service is needed.

pub mod kind;
pub mod upload;

pub use kind::ImageKind;
pub use upload::{Image, ImageError, MAX_IMAGE_BYTES};
