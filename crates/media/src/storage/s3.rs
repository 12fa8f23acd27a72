//! Media in an S3-compatible bucket, through `object_store` (its S3 client
//! on the workspace's reqwest, rustls on ring). Small objects are one PUT;
//! files above [`MULTIPART_FROM`] go up as a multipart upload read from the
//! file part by part, at most two parts in flight, so memory stays bounded
//! whatever the file size. Reads are ranged GETs streamed through.

use std::path::Path;
use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;
use futures_util::{StreamExt, TryStreamExt};
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::path::Path as ObjectPath;
use object_store::{
    Attribute, Attributes, GetOptions, GetRange, ObjectStore, ObjectStoreExt, PutMultipartOptions,
    PutOptions, PutPayload, WriteMultipart,
};
use tokio::io::AsyncReadExt;

use super::{ByteStream, Storage, StorageError, check_key};

/// Files at least this large are sent as a multipart upload.
pub const MULTIPART_FROM: u64 = 16 << 20;
/// The size of each part (S3 wants at least 5 MiB but the last).
pub const PART_SIZE: usize = 8 << 20;

/// Where the bucket is and how to sign for it.
#[derive(Clone)]
pub struct S3Config {
    /// `https://s3.example.com` (None: AWS, from the region).
    pub endpoint: Option<String>,
    pub bucket: String,
    pub region: String,
    /// None: the client's default credential chain (instance metadata).
    pub access_key_id: Option<String>,
    pub secret_access_key: Option<String>,
    /// `endpoint/bucket/key` URLs (MinIO, Garage, most self-hosted
    /// servers) instead of `bucket.endpoint/key`.
    pub path_style: bool,
}

impl std::fmt::Debug for S3Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Config")
            .field("endpoint", &self.endpoint)
            .field("bucket", &self.bucket)
            .field("region", &self.region)
            .field("access_key_id", &self.access_key_id)
            .field(
                "secret_access_key",
                &self.secret_access_key.as_ref().map(|_| "[redacted]"),
            )
            .field("path_style", &self.path_style)
            .finish()
    }
}

/// A bucket of media objects.
#[derive(Debug, Clone)]
pub struct S3Storage {
    store: Arc<AmazonS3>,
    bucket: String,
}

fn os_err(e: object_store::Error) -> StorageError {
    match e {
        object_store::Error::NotFound { path, .. } => StorageError::NotFound(path),
        other => StorageError::ObjectStore(other),
    }
}

fn typed(content_type: &str) -> Attributes {
    Attributes::from_iter([(Attribute::ContentType, content_type.to_owned())])
}

impl S3Storage {
    pub fn new(config: &S3Config) -> Result<S3Storage, StorageError> {
        // The client is built without a bundled TLS provider: use ring, as
        // the platform client does (a second install is a no-op).
        let _ = rustls::crypto::ring::default_provider().install_default();
        if config.bucket.trim().is_empty() {
            return Err(StorageError::Config("the bucket name is empty".into()));
        }
        let mut builder = AmazonS3Builder::new()
            .with_bucket_name(&config.bucket)
            .with_region(&config.region)
            .with_virtual_hosted_style_request(!config.path_style);
        if let Some(endpoint) = &config.endpoint {
            builder = builder
                .with_endpoint(endpoint.trim_end_matches('/'))
                .with_allow_http(endpoint.starts_with("http://"));
        }
        match (&config.access_key_id, &config.secret_access_key) {
            (Some(id), Some(secret)) => {
                builder = builder
                    .with_access_key_id(id)
                    .with_secret_access_key(secret);
            }
            (None, None) => {}
            _ => {
                return Err(StorageError::Config(
                    "an access key id needs its secret access key, and the other way round".into(),
                ));
            }
        }
        let store = builder
            .build()
            .map_err(|e| StorageError::Config(e.to_string()))?;
        Ok(S3Storage {
            store: Arc::new(store),
            bucket: config.bucket.clone(),
        })
    }

    fn location(key: &str) -> Result<ObjectPath, StorageError> {
        check_key(key)?;
        ObjectPath::parse(key).map_err(|_| StorageError::InvalidKey(key.to_owned()))
    }

    async fn put_multipart(
        &self,
        location: &ObjectPath,
        file: &Path,
        content_type: &str,
    ) -> Result<(), StorageError> {
        let io = |source| StorageError::Io {
            path: file.to_owned(),
            source,
        };
        let mut reader = tokio::fs::File::open(file).await.map_err(io)?;
        let upload = self
            .store
            .put_multipart_opts(
                location,
                PutMultipartOptions {
                    attributes: typed(content_type),
                    ..Default::default()
                },
            )
            .await
            .map_err(os_err)?;
        let mut writer = WriteMultipart::new_with_chunk_size(upload, PART_SIZE);
        let mut buf = vec![0u8; 1 << 20];
        loop {
            let n = match reader.read(&mut buf).await {
                Ok(n) => n,
                Err(e) => {
                    let _ = writer.abort().await;
                    return Err(io(e));
                }
            };
            if n == 0 {
                break;
            }
            if let Err(e) = writer.wait_for_capacity(2).await {
                let _ = writer.abort().await;
                return Err(os_err(e));
            }
            writer.write(&buf[..n]);
        }
        writer.finish().await.map_err(os_err)?;
        Ok(())
    }
}

#[async_trait]
impl Storage for S3Storage {
    async fn put_file(
        &self,
        key: &str,
        file: &Path,
        content_type: &str,
    ) -> Result<(), StorageError> {
        let location = Self::location(key)?;
        let io = |source| StorageError::Io {
            path: file.to_owned(),
            source,
        };
        let len = tokio::fs::metadata(file).await.map_err(io)?.len();
        if len >= MULTIPART_FROM {
            self.put_multipart(&location, file, content_type).await?;
        } else {
            let data = tokio::fs::read(file).await.map_err(io)?;
            self.store
                .put_opts(
                    &location,
                    PutPayload::from(data),
                    PutOptions {
                        attributes: typed(content_type),
                        ..Default::default()
                    },
                )
                .await
                .map_err(os_err)?;
        }
        let _ = tokio::fs::remove_file(file).await;
        Ok(())
    }

    async fn put_bytes(
        &self,
        key: &str,
        data: Bytes,
        content_type: &str,
    ) -> Result<(), StorageError> {
        let location = Self::location(key)?;
        self.store
            .put_opts(
                &location,
                PutPayload::from(data),
                PutOptions {
                    attributes: typed(content_type),
                    ..Default::default()
                },
            )
            .await
            .map_err(os_err)?;
        Ok(())
    }

    async fn read_range(
        &self,
        key: &str,
        offset: u64,
        len: Option<u64>,
    ) -> Result<ByteStream, StorageError> {
        let location = Self::location(key)?;
        if len == Some(0) {
            return Ok(futures_util::stream::empty().boxed());
        }
        let range = match len {
            None if offset == 0 => None,
            None => Some(GetRange::Offset(offset)),
            Some(n) => Some(GetRange::Bounded(offset..offset.saturating_add(n))),
        };
        let result = self
            .store
            .get_opts(
                &location,
                GetOptions {
                    range,
                    ..Default::default()
                },
            )
            .await;
        let result = result.map_err(os_err)?;
        Ok(result.into_stream().map_err(std::io::Error::from).boxed())
    }

    async fn delete(&self, key: &str) -> Result<(), StorageError> {
        let location = Self::location(key)?;
        match self.store.delete(&location).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(os_err(e)),
        }
    }

    async fn exists(&self, key: &str) -> Result<bool, StorageError> {
        let location = Self::location(key)?;
        match self.store.head(&location).await {
            Ok(_) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(os_err(e)),
        }
    }

    fn describe(&self) -> String {
        format!("S3 bucket {}", self.bucket)
    }
}
