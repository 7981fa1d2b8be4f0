//! `GET`/`POST /entity-facets`.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use crate::predicate::EntityPredicate;

/// `POST /entity-facets` body.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct EntityFacetsRequest {
    /// The dot paths to count values of, e.g. `kind`, `spec.type`.
    pub facets: Vec<String>,
    /// Only entities matching this predicate are counted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<EntityPredicate>,
}

/// The facets response: for each requested facet, its distinct values
/// and how many entities have each. Facets keep the request's order.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct EntityFacetsResponse {
    /// Facet name → values with counts.
    pub facets: IndexMap<String, Vec<EntityFacet>>,
}

/// One value of a facet and its count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntityFacet {
    /// The value (original casing).
    pub value: String,
    /// How many matching entities have it.
    pub count: u64,
}
