//! `Location`: a pointer to more descriptor files.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{BuiltinKind, KindEntity, KindSpec};
use crate::catalog::entity::JsonObject;

/// The spec of a `Location`. Every field is optional.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct LocationSpec {
    /// The location type of the targets (`url`, `file`, ...); defaults to
    /// that of the file the Location was read from.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1))]
    pub location_type: Option<String>,
    /// One target, relative to this file or absolute.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1))]
    pub target: Option<String>,
    /// More targets.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub targets: Vec<String>,
    /// Whether a missing target is an error (`required`, the default) or not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub presence: Option<LocationPresence>,
    /// Any other spec keys, kept as they are.
    #[serde(flatten)]
    pub extra: JsonObject,
}

impl LocationSpec {
    /// `target` followed by `targets`.
    pub fn all_targets(&self) -> impl Iterator<Item = &str> {
        self.target
            .iter()
            .chain(self.targets.iter())
            .map(String::as_str)
    }
}

/// Whether the targets of a Location must exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum LocationPresence {
    /// A missing target is an error.
    #[default]
    Required,
    /// A missing target is skipped.
    Optional,
}

impl KindSpec for LocationSpec {
    const KIND: BuiltinKind = BuiltinKind::Location;
}

/// A `Location` entity with a typed spec.
pub type LocationEntity = KindEntity<LocationSpec>;
