//! The [`UrlReaderService`] a plugin uses, and [`UrlReaders`], the default
//! one: a list of readers tried in order, with the limits of
//! `backend.reading`.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use backstage_common::config::Config;
use url::Url;

use super::config::ReadingSettings;
use super::error::UrlReaderError;
use super::file::FileReader;
use super::http::HttpReader;
use super::reader::{ReadUrlOptions, ReadUrlResponse, UrlReader};
use crate::error::BackendError;

/// Reads the content of URLs on a plugin's behalf (`core.urlReader`).
///
/// What may be read is the integrator's decision, in config: http(s) hosts
/// and paths in `backend.reading.allow`, local directories in
/// `backend.reading.allowedDirectories`. Everything else is refused with
/// [`UrlReaderError::NotAllowed`].
#[async_trait]
pub trait UrlReaderService: Send + Sync + std::fmt::Debug {
    /// Reads `url`: an `http(s)://` or `file:` URL, or an absolute file path.
    ///
    /// Fails with [`UrlReaderError::NotModified`] when `options.etag` (or
    /// `options.last_modified`) shows the caller's copy is current.
    async fn read_url(
        &self,
        url: &str,
        options: &ReadUrlOptions,
    ) -> Result<ReadUrlResponse, UrlReaderError>;
}

/// The default [`UrlReaderService`]: readers asked in order, the first that
/// [`handles`](UrlReader::handles) a URL reads it.
///
/// [`from_config`](Self::from_config) has the built-in readers — files
/// ([`FileReader`]), then HTTP ([`HttpReader`], last). Readers added with
/// [`with_reader`](Self::with_reader), such as an SCM integration's, are
/// asked first, in the order they were added. Every read is bounded by
/// `backend.reading.timeout` and `backend.reading.maxBytes`, whichever
/// reader serves it.
#[derive(Clone, Debug)]
pub struct UrlReaders {
    readers: Vec<Arc<dyn UrlReader>>,
    /// How many of `readers` were added with `with_reader` (they come first).
    added: usize,
    max_bytes: u64,
    timeout: Duration,
}

impl UrlReaders {
    /// The built-in readers, configured by `backend.reading`.
    pub fn from_config(config: &Config) -> Result<Self, BackendError> {
        Self::from_settings(ReadingSettings::from_config(config)?)
    }

    /// The built-in readers with these settings.
    pub fn from_settings(settings: ReadingSettings) -> Result<Self, BackendError> {
        let http = HttpReader::new(settings.allow, settings.timeout)?;
        let file = FileReader::new(settings.allowed_directories);
        Ok(Self {
            readers: vec![Arc::new(file), Arc::new(http)],
            added: 0,
            max_bytes: settings.max_bytes,
            timeout: settings.timeout,
        })
    }

    /// Only these readers (no built-in ones), with these limits.
    pub fn new(readers: Vec<Arc<dyn UrlReader>>, max_bytes: u64, timeout: Duration) -> Self {
        Self {
            added: readers.len(),
            readers,
            max_bytes,
            timeout,
        }
    }

    /// These readers with `reader` asked before the built-in ones (and after
    /// readers added earlier).
    pub fn with_reader(mut self, reader: Arc<dyn UrlReader>) -> Self {
        self.readers.insert(self.added, reader);
        self.added += 1;
        self
    }

    /// The readers' names, in the order they are asked.
    pub fn reader_names(&self) -> Vec<&str> {
        self.readers.iter().map(|r| r.name()).collect()
    }

    /// `backend.reading.maxBytes`.
    pub fn max_bytes(&self) -> u64 {
        self.max_bytes
    }

    /// `backend.reading.timeout`.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }
}

/// `target` as a URL: absolute URLs as they are, absolute paths as `file:`
/// URLs.
pub(crate) fn parse_target(target: &str) -> Result<Url, UrlReaderError> {
    let invalid = |message: String| UrlReaderError::InvalidUrl {
        url: target.to_owned(),
        message,
    };
    let path = Path::new(target);
    if path.is_absolute() {
        return Url::from_file_path(path)
            .map_err(|()| invalid("the path cannot be written as a file: URL".to_owned()));
    }
    Url::parse(target).map_err(|e| {
        invalid(format!(
            "{e}; write an absolute URL (https://host/path, file:///path) or an absolute path"
        ))
    })
}

#[async_trait]
impl UrlReaderService for UrlReaders {
    async fn read_url(
        &self,
        url: &str,
        options: &ReadUrlOptions,
    ) -> Result<ReadUrlResponse, UrlReaderError> {
        let url = parse_target(url)?;
        let reader = self
            .readers
            .iter()
            .find(|r| r.handles(&url))
            .ok_or_else(|| UrlReaderError::Unsupported {
                url: url.to_string(),
            })?;
        let mut options = options.clone();
        options.max_bytes = Some(options.limit(self.max_bytes));
        tracing::debug!(reader = reader.name(), %url, "reading a URL");
        match tokio::time::timeout(self.timeout, reader.read_url(&url, &options)).await {
            Ok(result) => result,
            Err(_elapsed) => Err(UrlReaderError::Timeout {
                url: url.to_string(),
                timeout: self.timeout,
            }),
        }
    }
}
