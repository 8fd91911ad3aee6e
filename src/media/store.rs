//! The media store: where re-encoded uploads live, behind `object_store`'s trait.
//!
//! Two backends: a local directory (`$CONFAB_DATA_DIR/media`, the default) and any
//! S3-compatible store (`CONFAB_MEDIA_URL=s3://bucket/prefix` with
//! `CONFAB_MEDIA_S3_ENDPOINT`, `_REGION`, `_ACCESS_KEY_ID`, `_SECRET_ACCESS_KEY`; credentials
//! come only from the configuration, never from instance metadata). Objects are named by
//! the server (`<uuid>.<ext>`), so a name from a request is only ever looked up, after
//! [`valid_name`] has checked its shape.

use std::sync::Arc;

use bytes::Bytes;
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};

use crate::config::Config;
use crate::error::{Error, Result};

/// A place to keep uploaded media. Cheap to clone.
#[derive(Clone, Debug)]
pub struct MediaStore {
    store: Arc<dyn ObjectStore>,
    prefix: Path,
    kind: &'static str,
}

impl MediaStore {
    /// The store the configuration names.
    pub fn from_config(config: &Config) -> Result<MediaStore> {
        match config.media_url.as_deref() {
            None => MediaStore::local(&config.data_dir.join("media")),
            Some(url) => MediaStore::s3(config, url),
        }
    }

    /// A local directory (created when missing).
    pub fn local(dir: &std::path::Path) -> Result<MediaStore> {
        std::fs::create_dir_all(dir)
            .map_err(|e| Error::internal(format!("cannot create {}: {e}", dir.display())))?;
        let store = LocalFileSystem::new_with_prefix(dir)
            .map_err(|e| Error::internal(format!("media directory {}: {e}", dir.display())))?;
        Ok(MediaStore {
            store: Arc::new(store),
            prefix: Path::default(),
            kind: "local",
        })
    }

    fn s3(config: &Config, url: &str) -> Result<MediaStore> {
        let rest = url
            .strip_prefix("s3://")
            .ok_or_else(|| Error::internal("CONFAB_MEDIA_URL must be s3://bucket/prefix"))?;
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        let mut builder = AmazonS3Builder::new()
            .with_bucket_name(bucket)
            .with_region(config.media_s3_region.as_deref().unwrap_or("us-east-1"))
            .with_virtual_hosted_style_request(false);
        if let Some(endpoint) = &config.media_s3_endpoint {
            builder = builder
                .with_endpoint(endpoint.trim_end_matches('/'))
                .with_allow_http(endpoint.starts_with("http://"));
        }
        if let (Some(id), Some(secret)) = (
            &config.media_s3_access_key_id,
            &config.media_s3_secret_access_key,
        ) {
            builder = builder
                .with_access_key_id(id)
                .with_secret_access_key(secret.expose());
        }
        // Keys only from the configuration: no instance-metadata lookups.
        let store = builder
            .with_metadata_endpoint("http://127.0.0.1:9")
            .build()
            .map_err(|e| Error::internal(format!("CONFAB_MEDIA_URL: {e}")))?;
        Ok(MediaStore {
            store: Arc::new(store),
            prefix: Path::from(prefix.trim_matches('/')),
            kind: "s3",
        })
    }

    /// `local` or `s3`.
    pub fn kind(&self) -> &'static str {
        self.kind
    }

    fn path(&self, name: &str) -> Path {
        self.prefix.clone().join(name)
    }

    /// Stores `bytes` as `name`.
    pub async fn put(&self, name: &str, bytes: Vec<u8>) -> Result<()> {
        self.store
            .put(&self.path(name), PutPayload::from(bytes))
            .await
            .map(|_| ())
            .map_err(|e| Error::internal(format!("media store put: {e}")))
    }

    /// The bytes of `name`, or `None` when there is no such object.
    pub async fn get(&self, name: &str) -> Result<Option<Bytes>> {
        match self.store.get(&self.path(name)).await {
            Ok(found) => found
                .bytes()
                .await
                .map(Some)
                .map_err(|e| Error::internal(format!("media store read: {e}"))),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(Error::internal(format!("media store get: {e}"))),
        }
    }

    /// Removes `name`; a missing object is not an error.
    pub async fn delete(&self, name: &str) -> Result<()> {
        match self.store.delete(&self.path(name)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(Error::internal(format!("media store delete: {e}"))),
        }
    }

    /// Removes `name`, logging (not failing) when the store refuses: used after the
    /// database no longer points at it.
    pub async fn forget(&self, name: &str) {
        if let Err(err) = self.delete(name).await {
            tracing::warn!(error = %err, name, "could not remove a media object");
        }
    }

    /// Every object name in the store (tests and maintenance).
    pub async fn names(&self) -> Result<Vec<String>> {
        use futures::TryStreamExt as _;
        let prefix = (!self.prefix.as_ref().is_empty()).then_some(&self.prefix);
        let metas: Vec<object_store::ObjectMeta> = self
            .store
            .list(prefix)
            .try_collect()
            .await
            .map_err(|e| Error::internal(format!("media store list: {e}")))?;
        Ok(metas
            .into_iter()
            .filter_map(|m| m.location.filename().map(str::to_owned))
            .collect())
    }
}

/// Whether `name` has the shape of a name we give out: a UUID and `.jpg` or `.png`.
pub fn valid_name(name: &str) -> bool {
    let Some((stem, ext)) = name.rsplit_once('.') else {
        return false;
    };
    matches!(ext, "jpg" | "png")
        && stem.len() == 32
        && stem
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
}

/// A new object name for an image with `extension`.
pub fn new_name(extension: &str) -> String {
    format!("{}.{extension}", uuid::Uuid::new_v4().simple())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_names_we_give_out_are_valid() {
        assert!(valid_name(&new_name("jpg")));
        assert!(valid_name(&new_name("png")));
        for bad in [
            "../etc/passwd",
            "x.jpg",
            "0123456789abcdef0123456789abcdef.svg",
            "0123456789ABCDEF0123456789abcdef.jpg",
            "0123456789abcdef0123456789abcde/.jpg",
        ] {
            assert!(!valid_name(bad), "{bad}");
        }
    }
}
