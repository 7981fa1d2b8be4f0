//! [`FileReader`]: `file:` reads, only inside the directories of
//! `backend.reading.allowedDirectories`.

use std::path::{Component, Path, PathBuf};

use async_trait::async_trait;
use tokio::io::AsyncReadExt;
use url::Url;

use super::config::DEFAULT_MAX_BYTES;
use super::error::UrlReaderError;
use super::reader::{ReadUrlOptions, ReadUrlResponse, UrlReader};

/// Reads `file:` URLs (and absolute paths, which the service turns into
/// `file:` URLs) inside the allowed directories, and nothing else on disk.
///
/// A read is allowed when the path, with `.` and `..` resolved, lies in one
/// of the directories, and still does once symbolic links are resolved (a
/// link inside an allowed directory that points outside is refused). With
/// no directories, every file read is refused. A path outside the
/// directories is refused before the file system is asked, so a refusal
/// says nothing about whether the file exists.
///
/// The `ETag` of a file is a SHA-256 hash of its content: it changes exactly
/// when the content does, whatever happens to the modification time.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FileReader {
    directories: Vec<PathBuf>,
}

impl FileReader {
    /// A reader of the files below `directories`. Relative directories are
    /// taken against the working directory now.
    pub fn new(directories: impl IntoIterator<Item = PathBuf>) -> Self {
        Self {
            directories: directories
                .into_iter()
                .map(|d| normalize(&std::path::absolute(&d).unwrap_or(d)))
                .collect(),
        }
    }

    /// The directories files may be read from.
    pub fn directories(&self) -> &[PathBuf] {
        &self.directories
    }

    fn listed(&self) -> String {
        self.directories
            .iter()
            .map(|d| format!("'{}'", d.display()))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

#[async_trait]
impl UrlReader for FileReader {
    fn name(&self) -> &str {
        "file"
    }

    fn handles(&self, url: &Url) -> bool {
        url.scheme() == "file"
    }

    async fn read_url(
        &self,
        url: &Url,
        options: &ReadUrlOptions,
    ) -> Result<ReadUrlResponse, UrlReaderError> {
        let path = url.to_file_path().map_err(|()| UrlReaderError::InvalidUrl {
            url: url.to_string(),
            message: "a file: URL needs an absolute path on this machine, as in file:///srv/catalog/catalog-info.yaml".to_owned(),
        })?;
        let path = normalize(&path);
        let refuse = |reason: String| UrlReaderError::NotAllowed {
            url: url.to_string(),
            reason,
        };
        if self.directories.is_empty() {
            return Err(refuse(
                "local files are read through the URL reader only inside the directories of backend.reading.allowedDirectories, and none is configured; add the file's directory there".to_owned(),
            ));
        }
        if !self.directories.iter().any(|d| path.starts_with(d)) {
            return Err(refuse(format!(
                "{} is outside the directories of backend.reading.allowedDirectories ({}); add its directory there to allow it",
                path.display(),
                self.listed()
            )));
        }

        let read_error = |e: std::io::Error| UrlReaderError::Read {
            url: url.to_string(),
            message: e.to_string(),
        };
        let real = match tokio::fs::canonicalize(&path).await {
            Ok(real) => real,
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
                ) =>
            {
                return Err(UrlReaderError::NotFound {
                    url: url.to_string(),
                });
            }
            Err(e) => return Err(read_error(e)),
        };
        let mut inside = false;
        for dir in &self.directories {
            if let Ok(real_dir) = tokio::fs::canonicalize(dir).await
                && real.starts_with(&real_dir)
            {
                inside = true;
                break;
            }
        }
        if !inside {
            return Err(refuse(format!(
                "{} leads through a symbolic link to {}, outside the directories of backend.reading.allowedDirectories ({})",
                path.display(),
                real.display(),
                self.listed()
            )));
        }

        let file = tokio::fs::File::open(&real).await.map_err(read_error)?;
        let metadata = file.metadata().await.map_err(read_error)?;
        if !metadata.is_file() {
            return Err(UrlReaderError::Read {
                url: url.to_string(),
                message: "it is not a regular file".to_owned(),
            });
        }
        let limit = options.max_bytes.unwrap_or(DEFAULT_MAX_BYTES);
        let too_large = || UrlReaderError::TooLarge {
            url: url.to_string(),
            limit,
        };
        if metadata.len() > limit {
            return Err(too_large());
        }
        // The file may grow between the size check and the read: read one
        // byte past the limit at most.
        let mut body = Vec::with_capacity(usize::try_from(metadata.len()).unwrap_or(0));
        file.take(limit.saturating_add(1))
            .read_to_end(&mut body)
            .await
            .map_err(read_error)?;
        if body.len() as u64 > limit {
            return Err(too_large());
        }

        let etag = content_etag(&body);
        let modified = metadata.modified().ok();
        let not_modified = match (&options.etag, options.last_modified, modified) {
            (Some(theirs), _, _) => *theirs == etag,
            (None, Some(since), Some(modified)) => modified <= since,
            _ => false,
        };
        if not_modified {
            return Err(UrlReaderError::NotModified {
                url: url.to_string(),
            });
        }
        let mut response = ReadUrlResponse::new(url.clone(), body).with_etag(etag);
        response.last_modified = modified;
        Ok(response)
    }
}

/// A quoted `ETag` for `content`: its SHA-256 hash.
fn content_etag(content: &[u8]) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, content);
    let hex: String = digest.as_ref().iter().map(|b| format!("{b:02x}")).collect();
    format!("\"sha256-{hex}\"")
}

/// `path` with `.` dropped and `..` applied, without asking the file
/// system (so it works for paths that do not exist).
pub(crate) fn normalize(path: &Path) -> PathBuf {
    let mut normal = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                normal.pop();
            }
            other => normal.push(other.as_os_str()),
        }
    }
    normal
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_resolves_dot_segments_lexically() {
        assert_eq!(normalize(Path::new("/a/./b/../c")), PathBuf::from("/a/c"));
        assert_eq!(normalize(Path::new("/a/../../etc")), PathBuf::from("/etc"));
        assert_eq!(
            normalize(Path::new("/srv/catalog/")),
            PathBuf::from("/srv/catalog")
        );
    }

    #[test]
    fn directories_compare_by_component() {
        let reader = FileReader::new([PathBuf::from("/srv/catalog")]);
        let dir = &reader.directories()[0];
        assert!(Path::new("/srv/catalog/a.yaml").starts_with(dir));
        assert!(!Path::new("/srv/catalog2/a.yaml").starts_with(dir));
    }

    #[test]
    fn etags_follow_content() {
        assert_eq!(content_etag(b"a"), content_etag(b"a"));
        assert_ne!(content_etag(b"a"), content_etag(b"b"));
        assert!(content_etag(b"").starts_with("\"sha256-e3b0c442"));
    }
}
