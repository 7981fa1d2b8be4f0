//! Request and response bodies of the catalog REST API, with the JSON
//! shapes of Backstage's catalog OpenAPI spec (camelCase keys; optional
//! fields left out when absent).
//!
//! Where the spec says `Entity`, the types use
//! [`backstage_common::catalog::Entity`]. Its serde form keeps every value
//! of a catalog entity, but writes keys in a canonical order and leaves out
//! empty `relations`, `tags`, `labels`, `annotations` and `links`; the
//! list responses are generic over the item type so that a caller who
//! needs the JSON exactly as sent (or asked for a `fields` projection,
//! which is not a whole entity) can use [`serde_json::Value`] instead.

mod analyze;
mod entities;
mod errors;
mod facets;
mod locations;
mod validate;

pub use analyze::{
    AnalyzeFieldState, AnalyzeLocationEntityField, AnalyzeLocationExistingEntity,
    AnalyzeLocationGenerateEntity, AnalyzeLocationRequest, AnalyzeLocationResponse,
};
pub use entities::{
    EntitiesBatchResponse, EntitiesByRefsRequest, EntitiesQueryResponse, EntityAncestryItem,
    EntityAncestryResponse, FullTextFilter, PageInfo, QueryEntitiesRequest, RefreshRequest,
    TotalItems,
};
pub use errors::{
    ErrorRequest, ErrorResponse, ErrorResponseStatus, SerializedError, status_for_error_name,
};
pub use facets::{EntityFacet, EntityFacetsRequest, EntityFacetsResponse};
pub use locations::{
    CreateLocationResponse, Location, LocationEnvelope, LocationInput, LocationsPageInfo,
    LocationsQueryRequest, LocationsQueryResponse, OnConflict,
};
pub use validate::{ValidateEntityErrorResponse, ValidateEntityRequest, ValidationErrorItem};
