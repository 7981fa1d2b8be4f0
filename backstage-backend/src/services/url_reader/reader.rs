//! The [`UrlReader`] trait one reader implements, and the options and
//! response of a read.

use std::time::SystemTime;

use async_trait::async_trait;
use bytes::Bytes;
use url::Url;

use super::error::UrlReaderError;

/// Options of one read.
///
/// ```
/// use backstage_backend::services::url_reader::ReadUrlOptions;
///
/// let options = ReadUrlOptions::new().etag("\"abc\"").max_bytes(64 * 1024);
/// assert_eq!(options.etag.as_deref(), Some("\"abc\""));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReadUrlOptions {
    /// The `ETag` of the copy the caller has, from an earlier
    /// [`ReadUrlResponse::etag`]. When the target still has it, the read
    /// fails with [`UrlReaderError::NotModified`] instead of transferring
    /// the content again.
    pub etag: Option<String>,
    /// When the caller's copy was last modified. Without an `etag`, a target
    /// not modified since then answers [`UrlReaderError::NotModified`] (HTTP
    /// `If-Modified-Since`; a file's modification time).
    pub last_modified: Option<SystemTime>,
    /// A limit for this read, in bytes, below the service's
    /// (`backend.reading.maxBytes`); the lower of the two applies.
    pub max_bytes: Option<u64>,
}

impl ReadUrlOptions {
    /// No conditions, the service's limit.
    pub fn new() -> Self {
        Self::default()
    }

    /// Read only if the target's `ETag` is no longer `etag`.
    pub fn etag(mut self, etag: impl Into<String>) -> Self {
        self.etag = Some(etag.into());
        self
    }

    /// Read only if the target was modified after `time`.
    pub fn last_modified(mut self, time: SystemTime) -> Self {
        self.last_modified = Some(time);
        self
    }

    /// Refuse content larger than `max_bytes` (never more than the
    /// service's limit).
    pub fn max_bytes(mut self, max_bytes: u64) -> Self {
        self.max_bytes = Some(max_bytes);
        self
    }

    /// The limit that applies: this read's, capped by `service_limit`.
    pub fn limit(&self, service_limit: u64) -> u64 {
        self.max_bytes
            .map_or(service_limit, |m| m.min(service_limit))
    }
}

/// What a read returns: the content and what identifies its version.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReadUrlResponse {
    /// Where the content was read from: for HTTP, the URL after redirects.
    pub url: Url,
    /// The content.
    pub body: Bytes,
    /// The version tag to pass as [`ReadUrlOptions::etag`] next time: the
    /// server's `ETag`, or for a file a hash of its content.
    pub etag: Option<String>,
    /// When the content was last modified, when known (the server's
    /// `Last-Modified`, a file's modification time).
    pub last_modified: Option<SystemTime>,
}

impl ReadUrlResponse {
    /// A response with `body` read from `url`, without version information.
    pub fn new(url: Url, body: impl Into<Bytes>) -> Self {
        Self {
            url,
            body: body.into(),
            etag: None,
            last_modified: None,
        }
    }

    /// This response with an `ETag`.
    pub fn with_etag(mut self, etag: impl Into<String>) -> Self {
        self.etag = Some(etag.into());
        self
    }

    /// This response with a modification time.
    pub fn with_last_modified(mut self, time: SystemTime) -> Self {
        self.last_modified = Some(time);
        self
    }

    /// The content as UTF-8 text.
    pub fn text(&self) -> Result<&str, UrlReaderError> {
        std::str::from_utf8(&self.body).map_err(|_| UrlReaderError::NotText {
            url: self.url.to_string(),
        })
    }
}

/// One way of reading URLs: the built-in [`HttpReader`](super::HttpReader)
/// and [`FileReader`](super::FileReader), or a reader for an SCM
/// integration (a GitHub or GitLab reader that turns a web URL into an API
/// call with a token).
///
/// [`UrlReaders`](super::UrlReaders) asks each reader in turn whether it
/// [`handles`](Self::handles) a URL and lets the first that does read it; a
/// reader added with [`UrlReaders::with_reader`](super::UrlReaders::with_reader)
/// is asked before the built-in ones. The service applies the timeout
/// (`backend.reading.timeout`) around [`read_url`](Self::read_url) and
/// passes the size limit in [`ReadUrlOptions::max_bytes`]; a reader must
/// refuse larger content with [`UrlReaderError::TooLarge`] without
/// buffering it. A reader decides for itself which hosts it may contact:
/// the built-in HTTP reader asks `backend.reading.allow`, an integration
/// reader answers only for the hosts of its integration.
#[async_trait]
pub trait UrlReader: Send + Sync + std::fmt::Debug {
    /// A short name for logs and messages, e.g. `http` or `github`.
    fn name(&self) -> &str;

    /// Whether this reader reads `url`.
    fn handles(&self, url: &Url) -> bool;

    /// Reads `url`.
    async fn read_url(
        &self,
        url: &Url,
        options: &ReadUrlOptions,
    ) -> Result<ReadUrlResponse, UrlReaderError>;
}
