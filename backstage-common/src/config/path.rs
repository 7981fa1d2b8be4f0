//! Paths that address a value inside a configuration tree.

use std::fmt;

/// One step of a [`ConfigPath`]: an object key or an array index.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PathSegment {
    /// A key of an object. Keys may contain any character, `.` and `/` included.
    Key(String),
    /// A position in an array.
    Index(usize),
}

/// The location of a value in the configuration tree, e.g. `backend.listen.port`
/// or `catalog.locations[2].target`.
///
/// Paths are displayed the way a user writes them in `app-config.yaml`: keys
/// joined with `.`, array positions as `[n]`, and keys that contain a `.`
/// quoted (`proxy.endpoints["/api.v2"]`).
#[derive(Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ConfigPath(Vec<PathSegment>);

impl ConfigPath {
    /// The path of the root of the tree.
    pub fn root() -> Self {
        Self(Vec::new())
    }

    /// A path from a list of keys, each taken literally.
    ///
    /// ```
    /// # use backstage_common::config::ConfigPath;
    /// let path = ConfigPath::from_keys(["proxy", "endpoints", "/circleci/api"]);
    /// assert_eq!(path.to_string(), "proxy.endpoints./circleci/api");
    /// ```
    pub fn from_keys<I, S>(keys: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self(
            keys.into_iter()
                .map(|k| PathSegment::Key(k.into()))
                .collect(),
        )
    }

    /// Parses a dotted path such as `backend.listen.port`; an empty string is
    /// the root. Use [`ConfigPath::from_keys`] for keys that contain a `.`.
    pub fn parse_dotted(dotted: &str) -> Self {
        if dotted.is_empty() {
            return Self::root();
        }
        Self::from_keys(dotted.split('.'))
    }

    /// The segments of this path, from the root down.
    pub fn segments(&self) -> &[PathSegment] {
        &self.0
    }

    /// Whether this is the root path.
    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }

    /// This path extended by an object key.
    pub fn key(&self, key: impl Into<String>) -> Self {
        let mut next = self.clone();
        next.0.push(PathSegment::Key(key.into()));
        next
    }

    /// This path extended by an array index.
    pub fn index(&self, index: usize) -> Self {
        let mut next = self.clone();
        next.0.push(PathSegment::Index(index));
        next
    }

    /// This path followed by all segments of `other`.
    pub fn join(&self, other: &ConfigPath) -> Self {
        let mut next = self.clone();
        next.0.extend(other.0.iter().cloned());
        next
    }

    /// Appends one segment in place.
    pub fn push(&mut self, segment: PathSegment) {
        self.0.push(segment);
    }

    /// Removes the last segment, returning it.
    pub fn pop(&mut self) -> Option<PathSegment> {
        self.0.pop()
    }

    /// Whether `self` equals `other` or lies below it.
    pub fn starts_with(&self, other: &ConfigPath) -> bool {
        self.0.starts_with(&other.0)
    }

    /// Number of segments.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the path has no segments (the root).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The path made of the first `len` segments.
    pub fn prefix(&self, len: usize) -> ConfigPath {
        ConfigPath(self.0[..len.min(self.0.len())].to_vec())
    }
}

impl From<Vec<PathSegment>> for ConfigPath {
    fn from(segments: Vec<PathSegment>) -> Self {
        Self(segments)
    }
}

impl fmt::Display for ConfigPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("<root>");
        }
        for (i, segment) in self.0.iter().enumerate() {
            match segment {
                PathSegment::Index(index) => write!(f, "[{index}]")?,
                PathSegment::Key(key) if key.contains('.') || key.is_empty() => {
                    write!(f, "[{key:?}]")?
                }
                PathSegment::Key(key) => {
                    if i > 0 {
                        f.write_str(".")?;
                    }
                    f.write_str(key)?;
                }
            }
        }
        Ok(())
    }
}

impl fmt::Debug for ConfigPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ConfigPath({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_keys_indices_and_dotted_keys() {
        let path = ConfigPath::parse_dotted("catalog.locations")
            .index(2)
            .key("target");
        assert_eq!(path.to_string(), "catalog.locations[2].target");
        let dotted = ConfigPath::from_keys(["proxy", "endpoints", "/api.v2"]);
        assert_eq!(dotted.to_string(), "proxy.endpoints[\"/api.v2\"]");
        assert_eq!(ConfigPath::root().to_string(), "<root>");
    }

    #[test]
    fn prefix_relation() {
        let a = ConfigPath::parse_dotted("a.b");
        assert!(ConfigPath::parse_dotted("a.b.c").starts_with(&a));
        assert!(!ConfigPath::parse_dotted("a.bc").starts_with(&a));
    }
}
