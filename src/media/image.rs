//! Image uploads → thumbnails. The format is recognised from the bytes (never the name or
//! the client's content type); only PNG, JPEG, WebP and GIF are taken. Decoding runs on the
//! blocking pool under limits: at most [`ImageLimits::max_pixels`] pixels (checked from the
//! header, before any pixel is decoded), a cap on the decoder's allocations, and at most
//! [`ImageLimits::concurrent`] decodes at once with a bounded queue behind them (a full
//! queue is 503 `server_busy`). The picture is turned upright from its EXIF orientation,
//! shrunk to fit [`ImageLimits::max_width`] × [`ImageLimits::max_height`] and encoded anew:
//! JPEG when opaque, PNG when it has transparency. Nothing of the upload's own bytes
//! (metadata, trailing data) survives.

use std::io::Cursor;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::imageops::FilterType;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};
use tokio::sync::Semaphore;

use crate::error::{Error, Problem, Result};

/// How uploads are bounded.
#[derive(Clone, Debug)]
pub struct ImageLimits {
    /// Largest upload in bytes.
    pub max_bytes: usize,
    /// Most pixels (width × height) an upload may declare.
    pub max_pixels: u64,
    /// Most bytes the decoder may allocate.
    pub max_alloc: u64,
    /// Decodes running at once.
    pub concurrent: usize,
    /// Uploads waiting for a decode slot before further ones are refused.
    pub max_waiting: usize,
    /// The thumbnail's bounding box.
    pub max_width: u32,
    pub max_height: u32,
}

impl Default for ImageLimits {
    fn default() -> Self {
        ImageLimits {
            max_bytes: 5 * 1024 * 1024,
            max_pixels: 40_000_000,
            max_alloc: 256 * 1024 * 1024,
            concurrent: 2,
            max_waiting: 16,
            max_width: 640,
            max_height: 1280,
        }
    }
}

/// A re-encoded image.
#[derive(Clone, Debug)]
pub struct Encoded {
    pub bytes: Vec<u8>,
    /// `image/jpeg` or `image/png`.
    pub content_type: &'static str,
    /// `jpg` or `png`.
    pub extension: &'static str,
    pub width: u32,
    pub height: u32,
}

/// Makes thumbnails, a bounded number at a time.
#[derive(Clone, Debug)]
pub struct Thumbnailer {
    limits: ImageLimits,
    permits: Arc<Semaphore>,
    waiting: Arc<AtomicUsize>,
}

impl Thumbnailer {
    pub fn new(limits: ImageLimits) -> Thumbnailer {
        Thumbnailer {
            permits: Arc::new(Semaphore::new(limits.concurrent.max(1))),
            waiting: Arc::new(AtomicUsize::new(0)),
            limits,
        }
    }

    pub fn limits(&self) -> &ImageLimits {
        &self.limits
    }

    /// Checks, decodes and re-encodes `bytes`; problems are 400s on `field`.
    pub async fn thumbnail(&self, field: &'static str, bytes: Vec<u8>) -> Result<Encoded> {
        // Cheap checks first, before waiting for a slot.
        let format =
            recognise(&bytes, self.limits.max_bytes).map_err(|p| Error::field(field, p))?;
        let queued = self.waiting.fetch_add(1, Ordering::SeqCst);
        let permit = if queued >= self.limits.max_waiting {
            None
        } else {
            self.permits.clone().acquire_owned().await.ok()
        };
        self.waiting.fetch_sub(1, Ordering::SeqCst);
        let Some(permit) = permit else {
            return Err(Error::Busy);
        };
        let limits = self.limits.clone();
        let done = tokio::task::spawn_blocking(move || {
            let _permit = permit;
            reencode(&bytes, format, &limits)
        })
        .await
        .map_err(|e| Error::internal(format!("thumbnail task: {e}")))?;
        done.map_err(|p| Error::field(field, p))
    }
}

/// The format of an upload, from its bytes; `None` for anything but the four we take.
pub fn recognise(bytes: &[u8], max_bytes: usize) -> std::result::Result<ImageFormat, Problem> {
    if bytes.is_empty() {
        return Err(Problem::required());
    }
    if bytes.len() > max_bytes {
        return Err(too_large(max_bytes));
    }
    match image::guess_format(bytes) {
        Ok(
            format @ (ImageFormat::Png | ImageFormat::Jpeg | ImageFormat::WebP | ImageFormat::Gif),
        ) => Ok(format),
        _ => Err(Problem::new(
            "unsupported_type",
            "must be a PNG, JPEG, WebP or GIF image",
        )),
    }
}

/// `too_large`: over the upload size limit.
pub fn too_large(max_bytes: usize) -> Problem {
    Problem::new(
        "too_large",
        format!("must be at most {} MiB", max_bytes / (1024 * 1024)),
    )
}

fn invalid() -> Problem {
    Problem::new(
        "invalid_image",
        "is not a readable image (damaged or truncated)",
    )
}

/// Decodes under the limits and encodes the thumbnail (blocking).
fn reencode(
    bytes: &[u8],
    format: ImageFormat,
    limits: &ImageLimits,
) -> std::result::Result<Encoded, Problem> {
    // The JPEG decoder fills a cut-off scan with grey instead of failing: a JPEG must end
    // its last scan with an end-of-image marker (data after it is fine, and dropped).
    if format == ImageFormat::Jpeg && !jpeg_complete(bytes) {
        return Err(invalid());
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut decode_limits = Limits::default();
    decode_limits.max_alloc = Some(limits.max_alloc);
    reader.limits(decode_limits);
    let mut decoder = reader.into_decoder().map_err(|_| invalid())?;
    let (width, height) = decoder.dimensions();
    if width == 0 || height == 0 {
        return Err(invalid());
    }
    if u64::from(width) * u64::from(height) > limits.max_pixels {
        return Err(Problem::new(
            "too_many_pixels",
            format!(
                "must be at most {} megapixels",
                limits.max_pixels / 1_000_000
            ),
        ));
    }
    let orientation = decoder.orientation().ok();
    let mut picture = DynamicImage::from_decoder(decoder).map_err(|err| match err {
        image::ImageError::Limits(_) => Problem::new(
            "too_many_pixels",
            "needs more memory to decode than an upload may use",
        ),
        _ => invalid(),
    })?;
    if let Some(orientation) = orientation {
        picture.apply_orientation(orientation);
    }
    if picture.width() > limits.max_width || picture.height() > limits.max_height {
        picture = picture.resize(limits.max_width, limits.max_height, FilterType::Triangle);
    }
    let mut out = Vec::new();
    let transparent = picture.color().has_alpha() && has_transparency(&picture);
    let (content_type, extension) = if transparent {
        picture
            .to_rgba8()
            .write_with_encoder(PngEncoder::new(&mut out))
            .map_err(|_| invalid())?;
        ("image/png", "png")
    } else {
        picture
            .to_rgb8()
            .write_with_encoder(JpegEncoder::new_with_quality(&mut out, 85))
            .map_err(|_| invalid())?;
        ("image/jpeg", "jpg")
    };
    Ok(Encoded {
        bytes: out,
        content_type,
        extension,
        width: picture.width(),
        height: picture.height(),
    })
}

/// Whether an end-of-image marker (`FF D9`) follows the last start-of-scan (`FF DA`).
/// Inside a scan a data byte `FF` is always followed by `00` or a restart marker, so the
/// pair cannot occur in the compressed data itself.
fn jpeg_complete(bytes: &[u8]) -> bool {
    let last_scan = bytes.windows(2).rposition(|w| w == [0xFF, 0xDA]);
    match last_scan {
        Some(at) => bytes[at..].windows(2).any(|w| w == [0xFF, 0xD9]),
        None => false,
    }
}

/// Whether any pixel is not fully opaque.
fn has_transparency(picture: &DynamicImage) -> bool {
    picture.to_rgba8().pixels().any(|p| p.0[3] < u8::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let img = image::RgbImage::from_pixel(width, height, image::Rgb([200, 30, 30]));
        let mut out = Vec::new();
        img.write_with_encoder(PngEncoder::new(&mut out))
            .expect("encode");
        out
    }

    #[test]
    fn formats_are_recognised_by_content_not_name() {
        assert_eq!(recognise(&png(2, 2), 1 << 20), Ok(ImageFormat::Png));
        let html = b"<?php echo 1; ?><html><script>alert(1)</script>";
        assert_eq!(
            recognise(html, 1 << 20).map_err(|p| p.code),
            Err("unsupported_type")
        );
        let svg = b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>";
        assert_eq!(
            recognise(svg, 1 << 20).map_err(|p| p.code),
            Err("unsupported_type")
        );
        assert_eq!(recognise(&[], 10).map_err(|p| p.code), Err("required"));
        assert_eq!(
            recognise(&[0; 11], 10).map_err(|p| p.code),
            Err("too_large")
        );
    }

    #[test]
    fn large_pictures_shrink_and_opaque_ones_become_jpeg() {
        let out = reencode(&png(1280, 640), ImageFormat::Png, &ImageLimits::default())
            .expect("thumbnail");
        assert_eq!((out.width, out.height), (640, 320));
        assert_eq!(out.content_type, "image/jpeg");
        assert_eq!(
            image::guess_format(&out.bytes).expect("format"),
            ImageFormat::Jpeg
        );
    }

    #[test]
    fn a_cut_off_jpeg_is_refused() {
        let img = image::RgbImage::from_pixel(64, 64, image::Rgb([1, 2, 3]));
        let mut out = Vec::new();
        img.write_with_encoder(JpegEncoder::new(&mut out))
            .expect("encode");
        assert!(jpeg_complete(&out));
        let mut trailing = out.clone();
        trailing.extend_from_slice(b"<script>");
        assert!(jpeg_complete(&trailing));
        out.truncate(out.len() - 10);
        assert!(!jpeg_complete(&out));
        let err = reencode(&out, ImageFormat::Jpeg, &ImageLimits::default()).expect_err("cut");
        assert_eq!(err.code, "invalid_image");
    }

    #[test]
    fn too_many_pixels_are_refused_from_the_header() {
        let limits = ImageLimits {
            max_pixels: 100,
            ..ImageLimits::default()
        };
        let err = reencode(&png(20, 20), ImageFormat::Png, &limits).expect_err("refused");
        assert_eq!(err.code, "too_many_pixels");
    }
}
