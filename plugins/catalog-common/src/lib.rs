//! The isomorphic part of the software catalog: what the catalog backend,
//! the catalog frontend and any other plugin share about the catalog REST
//! API (`/api/catalog`, Backstage's catalog OpenAPI spec).
//!
//! * [`api`]: request and response bodies, with the spec's JSON shapes;
//! * the query language: [`EntityPredicate`] (the `query` of the `POST`
//!   endpoints, with in-memory [`matches`](EntityPredicate::matches)),
//!   [`EntityFilter`] (the `filter` parameter), [`FieldSelection`]
//!   (`fields`), [`EntityOrder`] (`order`, `orderField`, `orderBy`) and
//!   [`AfterCursor`] (`after`);
//! * [`search`]: the searchable (key, value) entries of an entity, which
//!   filters and predicates match against;
//! * [`CatalogClient`]: a typed async client with one method per endpoint.
//!
//! Nothing here depends on the backend or frontend systems, so a plugin of
//! either side (or a CLI) can use it.
//!
//! ```
//! use backstage_plugin_catalog_common::{EntityFilter, EntityPredicate, FieldSelection};
//! use serde_json::json;
//!
//! // `GET /entities?filter=kind=component,spec.type=service&filter=kind=api&fields=metadata.name`
//! let filter = EntityFilter::parse(["kind=component,spec.type=service", "kind=api"])?
//!     .expect("two filter sets");
//! let fields = FieldSelection::parse(["metadata.name"])?.expect("one path");
//!
//! let entity = json!({
//!     "apiVersion": "backstage.io/v1alpha1",
//!     "kind": "Component",
//!     "metadata": { "name": "checkout" },
//!     "spec": { "type": "Service", "lifecycle": "production", "owner": "team-a" }
//! });
//! assert!(filter.matches(&entity));
//! assert_eq!(fields.apply(&entity), json!({ "metadata": { "name": "checkout" } }));
//!
//! // The same filter as a predicate, for `POST /entities/by-query`.
//! let predicate: EntityPredicate = filter.to_predicate();
//! assert_eq!(
//!     predicate.to_value(),
//!     json!({ "$any": [
//!         { "$all": [{ "kind": "component" }, { "spec.type": "service" }] },
//!         { "kind": "api" }
//!     ] })
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![warn(missing_docs)]

mod after_cursor;
pub mod api;
mod client;
mod fields;
mod filter;
mod order;
mod path;
pub mod predicate;
pub mod search;

pub use after_cursor::{AfterCursor, AfterCursorError};
pub use client::{
    AddLocationOptions, CatalogApiError, CatalogClient, CatalogClientError, EntityFacetsParams,
    GetEntitiesParams, GetEntitiesResponse, QueryEntitiesParams, ValidateEntityResult,
};
pub use fields::{FieldSelection, FieldsError};
pub use filter::{EntityFilter, FilterCondition, FilterError, FilterMatch, FilterSet};
pub use order::{EntityOrder, OrderError, SortOrder, parse_order_field_params, parse_order_params};
pub use path::FieldPathError;
pub use predicate::{
    ElementCondition, EntityPredicate, FieldCondition, FieldPredicate, PredicateError, Primitive,
};
