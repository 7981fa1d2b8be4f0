//! Where entities come from.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Whether a missing location target is an error.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Presence {
    /// A missing target is an error on the location (the default).
    #[default]
    Required,
    /// A missing target is silently skipped.
    Optional,
}

/// A location: a type (`file`, `url`, ...) and a target in that type's
/// terms (a path, a URL).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct LocationSpec {
    /// The location type, e.g. `file` or `url`.
    #[serde(rename = "type")]
    pub location_type: String,
    /// The target, e.g. `./catalog-info.yaml` resolved to an absolute path.
    pub target: String,
    /// Whether the target must exist.
    #[serde(default)]
    pub presence: Presence,
}

impl LocationSpec {
    /// A required location.
    pub fn new(location_type: impl Into<String>, target: impl Into<String>) -> Self {
        Self {
            location_type: location_type.into(),
            target: target.into(),
            presence: Presence::Required,
        }
    }

    /// The location's key, `type:target`, as written in the
    /// `backstage.io/managed-by-location` annotation.
    pub fn key(&self) -> String {
        format!("{}:{}", self.location_type, self.target)
    }
}

impl fmt::Display for LocationSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.location_type, self.target)
    }
}
