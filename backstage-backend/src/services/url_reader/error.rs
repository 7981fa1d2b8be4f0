//! [`UrlReaderError`]: every way a read can fail, each saying what to fix.

use std::time::Duration;

/// A URL could not be read.
///
/// Each message names the URL and, where config decides the outcome, the
/// config key to change. [`NotModified`](Self::NotModified) is not a failure
/// but an answer: the caller's copy (its `etag`) is still current.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum UrlReaderError {
    /// The target is neither an absolute URL nor an absolute file path.
    #[error("{url:?} is not a URL the URL reader can read: {message}")]
    InvalidUrl {
        /// The target as given.
        url: String,
        /// What is wrong with it.
        message: String,
    },
    /// No reader handles the URL's scheme (or host).
    #[error(
        "no URL reader handles {url}; the built-in readers read http(s):// and file: URLs, others need a reader of their own (UrlReaders::with_reader)"
    )]
    Unsupported {
        /// The URL.
        url: String,
    },
    /// The allow-list (`backend.reading.allow`) or the directory list
    /// (`backend.reading.allowedDirectories`) refuses the target.
    #[error("reading {url} is not allowed: {reason}")]
    NotAllowed {
        /// The refused URL (for a redirect: the redirect's target).
        url: String,
        /// Why, naming the config key that would allow it.
        reason: String,
    },
    /// The target does not exist (HTTP 404 or 410, or no such file).
    #[error("{url} was not found")]
    NotFound {
        /// The URL.
        url: String,
    },
    /// The target has not changed since the caller's copy: the `etag` (or
    /// `last_modified`) the caller passed is still current.
    #[error("{url} has not changed since it was last read")]
    NotModified {
        /// The URL.
        url: String,
    },
    /// The target is larger than the limit.
    #[error(
        "{url} is larger than the limit of {limit} bytes; raise backend.reading.maxBytes (or the read's own limit) or read a smaller file"
    )]
    TooLarge {
        /// The URL.
        url: String,
        /// The limit, in bytes.
        limit: u64,
    },
    /// The read did not finish in time.
    #[error(
        "reading {url} took longer than {} ms; the server is slow or not answering (the limit is backend.reading.timeout)",
        timeout.as_millis()
    )]
    Timeout {
        /// The URL.
        url: String,
        /// The limit.
        timeout: Duration,
    },
    /// The server redirected more often than the reader follows.
    #[error("{url} redirected more than {max} times; read the final URL instead")]
    TooManyRedirects {
        /// The URL first asked for.
        url: String,
        /// How many redirects are followed.
        max: usize,
    },
    /// The server could not be reached (DNS, refused connection, TLS...).
    #[error("cannot reach {url}: {message}")]
    Unreachable {
        /// The URL.
        url: String,
        /// What happened.
        message: String,
    },
    /// The server answered with a status other than success, redirect, 304
    /// or 404.
    #[error("{url} answered HTTP {status}")]
    Status {
        /// The URL.
        url: String,
        /// The HTTP status code.
        status: u16,
    },
    /// The body or file could not be read to its end.
    #[error("cannot read {url}: {message}")]
    Read {
        /// The URL.
        url: String,
        /// What happened.
        message: String,
    },
    /// The content is not UTF-8 text (from [`ReadUrlResponse::text`](super::ReadUrlResponse::text)).
    #[error("{url} is not UTF-8 text")]
    NotText {
        /// The URL.
        url: String,
    },
}

impl UrlReaderError {
    /// Whether this is [`NotModified`](Self::NotModified): the caller may
    /// keep what it has.
    pub fn is_not_modified(&self) -> bool {
        matches!(self, Self::NotModified { .. })
    }

    /// Whether this is [`NotFound`](Self::NotFound).
    pub fn is_not_found(&self) -> bool {
        matches!(self, Self::NotFound { .. })
    }

    /// Whether this is [`NotAllowed`](Self::NotAllowed).
    pub fn is_not_allowed(&self) -> bool {
        matches!(self, Self::NotAllowed { .. })
    }
}

/// The messages of `error` and its sources, joined: reqwest's top-level
/// message alone ("error sending request") hides the cause.
pub(crate) fn chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        source = cause.source();
    }
    message
}
