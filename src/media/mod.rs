//! Uploaded images: checked by content, decoded under limits, re-encoded, and kept in a
//! media store (a local directory or an S3-compatible bucket, both through `object_store`).
//!
//! Only bytes we encoded ourselves are ever stored or served, so EXIF/GPS data, appended
//! scripts and polyglot payloads of an upload are gone. See [`image`] for the limits.

pub mod image;
pub mod store;

pub use image::{Encoded, ImageLimits, Thumbnailer};
pub use store::MediaStore;
