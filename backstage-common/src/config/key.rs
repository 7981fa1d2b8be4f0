//! The ways a caller names a key: dotted strings or explicit segments.

use super::path::{ConfigPath, PathSegment};

/// Something that names a value below a [`Config`](super::Config).
///
/// * a dotted string — `"backend.listen.port"` (the empty string names the
///   config itself);
/// * explicit segments — `["proxy", "endpoints", "/circleci/api"]` — for real
///   keys that contain `.` or `/`;
/// * a [`ConfigPath`].
pub trait ConfigKey {
    /// Appends the segments this key names to `path`.
    fn append_to(&self, path: &mut ConfigPath);
}

impl ConfigKey for str {
    fn append_to(&self, path: &mut ConfigPath) {
        if self.is_empty() {
            return;
        }
        for part in self.split('.') {
            path.push(PathSegment::Key(part.to_owned()));
        }
    }
}

impl ConfigKey for String {
    fn append_to(&self, path: &mut ConfigPath) {
        self.as_str().append_to(path);
    }
}

impl<T: ConfigKey + ?Sized> ConfigKey for &T {
    fn append_to(&self, path: &mut ConfigPath) {
        (**self).append_to(path);
    }
}

impl ConfigKey for [&str] {
    fn append_to(&self, path: &mut ConfigPath) {
        for part in self {
            path.push(PathSegment::Key((*part).to_owned()));
        }
    }
}

impl<const N: usize> ConfigKey for [&str; N] {
    fn append_to(&self, path: &mut ConfigPath) {
        self.as_slice().append_to(path);
    }
}

impl ConfigKey for [String] {
    fn append_to(&self, path: &mut ConfigPath) {
        for part in self {
            path.push(PathSegment::Key(part.clone()));
        }
    }
}

impl ConfigKey for Vec<String> {
    fn append_to(&self, path: &mut ConfigPath) {
        self.as_slice().append_to(path);
    }
}

impl ConfigKey for ConfigPath {
    fn append_to(&self, path: &mut ConfigPath) {
        for segment in self.segments() {
            path.push(segment.clone());
        }
    }
}
