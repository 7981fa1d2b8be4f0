//! `System`: components, APIs and resources that form one whole.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{BuiltinKind, KindEntity, KindSpec};
use crate::catalog::entity::JsonObject;

/// The spec of a `System`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SystemSpec {
    /// The owning group or user (default kind Group). Required.
    #[schemars(length(min = 1))]
    pub owner: String,
    /// The domain it belongs to (default kind Domain).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1))]
    pub domain: Option<String>,
    /// The type, e.g. `feature-set`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1))]
    pub system_type: Option<String>,
    /// Any other spec keys, kept as they are.
    #[serde(flatten)]
    pub extra: JsonObject,
}

impl KindSpec for SystemSpec {
    const KIND: BuiltinKind = BuiltinKind::System;
}

/// A `System` entity with a typed spec.
pub type SystemEntity = KindEntity<SystemSpec>;
