//! Who may see a configuration value: the browser, the backend only, or nobody
//! but the code that reads it.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use super::path::ConfigPath;

/// The visibility of a configuration value, as declared by a config schema
/// with the `visibility` keyword (one value) or `deepVisibility` (a subtree).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Visibility {
    /// Sent to the browser with the app's frontend config.
    Frontend,
    /// Readable by backend code only. The default for every value.
    Backend,
    /// Backend-only and never printed: masked in `Debug` output, logs and
    /// error messages.
    Secret,
}

impl Visibility {
    /// The keyword value used in schemas: `frontend`, `backend` or `secret`.
    pub fn as_str(self) -> &'static str {
        match self {
            Visibility::Frontend => "frontend",
            Visibility::Backend => "backend",
            Visibility::Secret => "secret",
        }
    }
}

impl fmt::Display for Visibility {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error for a visibility keyword that is none of the three values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown visibility {0:?}: use \"frontend\", \"backend\" or \"secret\"")]
pub struct UnknownVisibility(pub String);

impl FromStr for Visibility {
    type Err = UnknownVisibility;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "frontend" => Ok(Visibility::Frontend),
            "backend" => Ok(Visibility::Backend),
            "secret" => Ok(Visibility::Secret),
            other => Err(UnknownVisibility(other.to_owned())),
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Marks {
    own: Option<Visibility>,
    deep: Option<Visibility>,
}

/// The visibility declared for paths of one configuration tree.
///
/// A mark applies either to one value ([`VisibilityMap::mark`]) or to a value
/// and everything below it ([`VisibilityMap::mark_deep`]). The effective
/// visibility of a path is:
///
/// 1. `secret` if the path or any ancestor is marked secret (secret always wins,
///    so a value can never be both frontend and secret);
/// 2. otherwise the path's own mark;
/// 3. otherwise the deep mark of the nearest marked ancestor;
/// 4. otherwise `backend`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VisibilityMap {
    marks: BTreeMap<ConfigPath, Marks>,
}

impl VisibilityMap {
    /// A map with no marks: everything is backend-only.
    pub fn new() -> Self {
        Self::default()
    }

    /// Marks the value at `path`. A stricter existing mark is kept (secret beats
    /// backend beats frontend).
    pub fn mark(&mut self, path: ConfigPath, visibility: Visibility) {
        let marks = self.marks.entry(path).or_default();
        marks.own = Some(stricter(marks.own, visibility));
    }

    /// Marks the value at `path` and everything below it.
    pub fn mark_deep(&mut self, path: ConfigPath, visibility: Visibility) {
        let marks = self.marks.entry(path).or_default();
        marks.deep = Some(stricter(marks.deep, visibility));
    }

    /// Whether no path is marked.
    pub fn is_empty(&self) -> bool {
        self.marks.is_empty()
    }

    /// Adds every mark of `other` to this map.
    pub fn extend(&mut self, other: &VisibilityMap) {
        for (path, marks) in &other.marks {
            if let Some(own) = marks.own {
                self.mark(path.clone(), own);
            }
            if let Some(deep) = marks.deep {
                self.mark_deep(path.clone(), deep);
            }
        }
    }

    /// The effective visibility of the value at `path` (see the type's docs).
    pub fn visibility_of(&self, path: &ConfigPath) -> Visibility {
        let mut inherited = None;
        for len in 0..=path.len() {
            let Some(marks) = self.marks.get(&path.prefix(len)) else {
                continue;
            };
            let is_self = len == path.len();
            if marks.deep == Some(Visibility::Secret)
                || (is_self && marks.own == Some(Visibility::Secret))
            {
                return Visibility::Secret;
            }
            if let Some(deep) = marks.deep {
                inherited = Some(deep);
            }
            if is_self && let Some(own) = marks.own {
                return own;
            }
        }
        inherited.unwrap_or(Visibility::Backend)
    }

    /// Whether the value at `path` is secret.
    pub fn is_secret(&self, path: &ConfigPath) -> bool {
        self.visibility_of(path) == Visibility::Secret
    }

    /// Whether some value at or below `path` is marked secret.
    pub fn has_secret_within(&self, path: &ConfigPath) -> bool {
        self.is_secret(path)
            || self
                .marks
                .range(path.clone()..)
                .take_while(|(p, _)| p.starts_with(path))
                .any(|(_, m)| {
                    m.own == Some(Visibility::Secret) || m.deep == Some(Visibility::Secret)
                })
    }
}

fn stricter(current: Option<Visibility>, new: Visibility) -> Visibility {
    match current {
        Some(existing) if existing > new => existing,
        _ => new,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> ConfigPath {
        ConfigPath::parse_dotted(s)
    }

    #[test]
    fn default_is_backend() {
        assert_eq!(
            VisibilityMap::new().visibility_of(&p("a.b")),
            Visibility::Backend
        );
    }

    #[test]
    fn own_mark_applies_to_the_value_only() {
        let mut map = VisibilityMap::new();
        map.mark(p("app"), Visibility::Frontend);
        assert_eq!(map.visibility_of(&p("app")), Visibility::Frontend);
        assert_eq!(map.visibility_of(&p("app.title")), Visibility::Backend);
    }

    #[test]
    fn deep_marks_are_inherited_and_nearest_wins() {
        let mut map = VisibilityMap::new();
        map.mark_deep(p("app"), Visibility::Frontend);
        map.mark_deep(p("app.internal"), Visibility::Backend);
        assert_eq!(map.visibility_of(&p("app.title")), Visibility::Frontend);
        assert_eq!(map.visibility_of(&p("app.internal.x")), Visibility::Backend);
    }

    #[test]
    fn secret_wins_over_everything() {
        let mut map = VisibilityMap::new();
        map.mark_deep(p("auth"), Visibility::Secret);
        map.mark(p("auth.clientId"), Visibility::Frontend);
        assert_eq!(map.visibility_of(&p("auth.clientId")), Visibility::Secret);
        map.mark(p("x"), Visibility::Frontend);
        map.mark(p("x"), Visibility::Secret);
        assert!(map.is_secret(&p("x")));
        assert!(map.has_secret_within(&p("auth")));
        assert!(!map.has_secret_within(&p("app")));
    }
}
