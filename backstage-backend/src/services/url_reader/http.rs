//! [`HttpReader`]: `http(s)://` reads, checked against the allow-list at
//! every redirect, with conditional requests and a streamed size limit.

use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use bytes::{Bytes, BytesMut};
use http::{StatusCode, header};
use url::Url;

use super::allow::AllowList;
use super::config::{DEFAULT_MAX_BYTES, MAX_REDIRECTS};
use super::error::{UrlReaderError, chain};
use super::reader::{ReadUrlOptions, ReadUrlResponse, UrlReader};
use crate::error::BackendError;

/// Reads `http://` and `https://` URLs that `backend.reading.allow` allows.
///
/// Redirects are followed by the reader itself, at most
/// [`MAX_REDIRECTS`](super::MAX_REDIRECTS) of them, and each target must be
/// allowed too (and may not step down from `https` to `http`). A caller's
/// `etag` is sent as `If-None-Match` and `last_modified` as
/// `If-Modified-Since`; `304 Not Modified` is
/// [`UrlReaderError::NotModified`]. Content longer than the limit is refused
/// from its `Content-Length`, or, without one, as soon as the streamed body
/// passes the limit.
#[derive(Clone, Debug)]
pub struct HttpReader {
    client: reqwest::Client,
    allow: AllowList,
    connect_timeout: Duration,
}

impl HttpReader {
    /// A reader allowed what `allow` allows, giving up on connections that
    /// take longer than `connect_timeout`.
    pub fn new(allow: AllowList, connect_timeout: Duration) -> Result<Self, BackendError> {
        // reqwest is built without a default crypto provider (no C crypto):
        // install ring once per process; a second install fails harmlessly.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(connect_timeout)
            .user_agent(concat!("backstage-rs/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| {
                BackendError::other(format!(
                    "cannot build the URL reader's HTTP client: {}",
                    chain(&e)
                ))
            })?;
        Ok(Self {
            client,
            allow,
            connect_timeout,
        })
    }

    /// The allow-list this reader checks.
    pub fn allow_list(&self) -> &AllowList {
        &self.allow
    }

    fn send_error(&self, error: &reqwest::Error, url: &Url) -> UrlReaderError {
        if error.is_timeout() {
            UrlReaderError::Timeout {
                url: url.to_string(),
                timeout: self.connect_timeout,
            }
        } else {
            UrlReaderError::Unreachable {
                url: url.to_string(),
                message: chain(error),
            }
        }
    }
}

#[async_trait]
impl UrlReader for HttpReader {
    fn name(&self) -> &str {
        "http"
    }

    fn handles(&self, url: &Url) -> bool {
        matches!(url.scheme(), "http" | "https")
    }

    async fn read_url(
        &self,
        url: &Url,
        options: &ReadUrlOptions,
    ) -> Result<ReadUrlResponse, UrlReaderError> {
        // The service always passes its limit; alone, the reader keeps the
        // default one.
        let limit = options.max_bytes.unwrap_or(DEFAULT_MAX_BYTES);
        self.allow.check(url)?;
        let mut current = url.clone();
        let mut redirects = 0;
        loop {
            let mut request = self.client.get(current.clone());
            if let Some(etag) = &options.etag {
                request = request.header(header::IF_NONE_MATCH, etag.as_str());
            }
            if let Some(time) = options.last_modified {
                request = request.header(header::IF_MODIFIED_SINCE, http_date(time));
            }
            let response = request
                .send()
                .await
                .map_err(|e| self.send_error(&e, &current))?;
            let status = response.status();
            match status {
                StatusCode::MOVED_PERMANENTLY
                | StatusCode::FOUND
                | StatusCode::SEE_OTHER
                | StatusCode::TEMPORARY_REDIRECT
                | StatusCode::PERMANENT_REDIRECT => {
                    if redirects == MAX_REDIRECTS {
                        return Err(UrlReaderError::TooManyRedirects {
                            url: url.to_string(),
                            max: MAX_REDIRECTS,
                        });
                    }
                    redirects += 1;
                    let next = redirect_target(&response, &current)?;
                    self.check_redirect(&current, &next)?;
                    current = next;
                }
                StatusCode::NOT_MODIFIED => {
                    return Err(UrlReaderError::NotModified {
                        url: current.to_string(),
                    });
                }
                StatusCode::NOT_FOUND | StatusCode::GONE => {
                    return Err(UrlReaderError::NotFound {
                        url: current.to_string(),
                    });
                }
                s if s.is_success() => {
                    let etag = header_text(&response, header::ETAG);
                    let last_modified = header_text(&response, header::LAST_MODIFIED)
                        .and_then(|t| parse_http_date(&t));
                    let body = read_body(response, &current, limit).await?;
                    let mut read = ReadUrlResponse::new(current, body);
                    read.etag = etag;
                    read.last_modified = last_modified;
                    return Ok(read);
                }
                s => {
                    return Err(UrlReaderError::Status {
                        url: current.to_string(),
                        status: s.as_u16(),
                    });
                }
            }
        }
    }
}

impl HttpReader {
    /// A redirect from `from` to `to` is followed only when `to` is allowed
    /// and does not drop TLS.
    fn check_redirect(&self, from: &Url, to: &Url) -> Result<(), UrlReaderError> {
        if from.scheme() == "https" && to.scheme() == "http" {
            return Err(UrlReaderError::NotAllowed {
                url: to.to_string(),
                reason: format!(
                    "{from} redirected to it, from https to plain http; the reader does not follow redirects that drop TLS"
                ),
            });
        }
        self.allow.check(to).map_err(|e| match e {
            UrlReaderError::NotAllowed { url, reason } => UrlReaderError::NotAllowed {
                url,
                reason: format!("{from} redirected to it, and {reason}"),
            },
            other => other,
        })
    }
}

fn header_text(response: &reqwest::Response, name: header::HeaderName) -> Option<String> {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

fn redirect_target(response: &reqwest::Response, from: &Url) -> Result<Url, UrlReaderError> {
    let location =
        header_text(response, header::LOCATION).ok_or_else(|| UrlReaderError::Status {
            url: from.to_string(),
            status: response.status().as_u16(),
        })?;
    from.join(&location)
        .map_err(|e| UrlReaderError::InvalidUrl {
            url: location.clone(),
            message: format!("{from} redirected to it, which is not a URL: {e}"),
        })
}

/// The body, refused once it passes `limit` bytes.
async fn read_body(
    mut response: reqwest::Response,
    url: &Url,
    limit: u64,
) -> Result<Bytes, UrlReaderError> {
    let too_large = || UrlReaderError::TooLarge {
        url: url.to_string(),
        limit,
    };
    let announced = response.content_length();
    if announced.is_some_and(|len| len > limit) {
        return Err(too_large());
    }
    let capacity = announced.unwrap_or(0).min(limit).min(1 << 20);
    let mut body = BytesMut::with_capacity(usize::try_from(capacity).unwrap_or(0));
    while let Some(chunk) = response.chunk().await.map_err(|e| UrlReaderError::Read {
        url: url.to_string(),
        message: chain(&e),
    })? {
        if (body.len() + chunk.len()) as u64 > limit {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// `time` as an HTTP date (`Sun, 06 Nov 1994 08:49:37 GMT`).
pub(crate) fn http_date(time: SystemTime) -> String {
    chrono::DateTime::<chrono::Utc>::from(time)
        .format("%a, %d %b %Y %H:%M:%S GMT")
        .to_string()
}

/// An HTTP date, read.
pub(crate) fn parse_http_date(text: &str) -> Option<SystemTime> {
    chrono::DateTime::parse_from_rfc2822(text.trim())
        .ok()
        .map(SystemTime::from)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn http_dates_round_trip_to_the_second() {
        let time = SystemTime::UNIX_EPOCH + Duration::from_secs(784_111_777);
        assert_eq!(http_date(time), "Sun, 06 Nov 1994 08:49:37 GMT");
        assert_eq!(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), Some(time));
        assert_eq!(parse_http_date("yesterday"), None);
    }
}
