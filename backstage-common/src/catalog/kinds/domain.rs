//! `Domain`: a business area that groups systems.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{BuiltinKind, KindEntity, KindSpec};
use crate::catalog::entity::JsonObject;

/// The spec of a `Domain`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DomainSpec {
    /// The owning group or user (default kind Group). Required.
    #[schemars(length(min = 1))]
    pub owner: String,
    /// The domain it is part of (default kind Domain).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1))]
    pub subdomain_of: Option<String>,
    /// The type, e.g. `product-area`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1))]
    pub domain_type: Option<String>,
    /// Any other spec keys, kept as they are.
    #[serde(flatten)]
    pub extra: JsonObject,
}

impl KindSpec for DomainSpec {
    const KIND: BuiltinKind = BuiltinKind::Domain;
}

/// A `Domain` entity with a typed spec.
pub type DomainEntity = KindEntity<DomainSpec>;
