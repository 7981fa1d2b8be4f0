//! Entity endpoints: `/entities/by-query`, `/entities/by-refs`,
//! `.../ancestry`, `/refresh`.

use backstage_common::catalog::Entity;
use serde::{Deserialize, Serialize};

use crate::order::EntityOrder;
use crate::predicate::EntityPredicate;

/// `GET`/`POST /entities/by-query` response: a page of entities.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EntitiesQueryResponse<E = Entity> {
    /// The entities of this page.
    pub items: Vec<E>,
    /// How many entities match in all (0 when the request asked for
    /// `totalItems=exclude`; read as 0 when left out).
    #[serde(default)]
    pub total_items: u64,
    /// Cursors to the neighbouring pages.
    pub page_info: PageInfo,
}

/// `pageInfo` of a cursor-paged response.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PageInfo {
    /// The cursor of the next page, if there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
    /// The cursor of the previous page, if there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prev_cursor: Option<String>,
}

/// `POST /entities/by-query` body. With a `cursor`, the catalog ignores
/// `query`, `orderBy` and `fullTextFilter` (the cursor carries them).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueryEntitiesRequest {
    /// Which entities.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<EntityPredicate>,
    /// The cursor of the page to fetch (from a previous `pageInfo`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    /// The page size.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u64>,
    /// How many matching entities to skip.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset: Option<u64>,
    /// Sort keys (Backstage applies only the first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_by: Option<Vec<EntityOrder>>,
    /// A case-insensitive substring search.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub full_text_filter: Option<FullTextFilter>,
    /// Dot paths to keep in each entity (see [`FieldSelection`](crate::FieldSelection)).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fields: Option<Vec<String>>,
    /// Whether to count all matches.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_items: Option<TotalItems>,
}

impl QueryEntitiesRequest {
    /// The request for the page behind `cursor`, keeping this request's
    /// `limit` and `fields`.
    pub fn with_cursor(&self, cursor: impl Into<String>) -> Self {
        QueryEntitiesRequest {
            cursor: Some(cursor.into()),
            limit: self.limit,
            fields: self.fields.clone(),
            ..Default::default()
        }
    }
}

/// `fullTextFilter`: a term searched (case-insensitively, as a substring)
/// in some fields.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct FullTextFilter {
    /// The text to look for.
    #[serde(default)]
    pub term: String,
    /// The dot paths to look in; the catalog picks defaults when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fields: Option<Vec<String>>,
}

/// `totalItems`: whether the catalog counts all matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TotalItems {
    /// Count them (the default).
    #[default]
    Include,
    /// Skip the count (cheaper on big catalogs).
    Exclude,
}

impl TotalItems {
    /// `include` or `exclude`.
    pub fn as_str(self) -> &'static str {
        match self {
            TotalItems::Include => "include",
            TotalItems::Exclude => "exclude",
        }
    }
}

/// `POST /entities/by-refs` body.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EntitiesByRefsRequest {
    /// The refs to fetch, e.g. `component:default/web`.
    pub entity_refs: Vec<String>,
    /// Dot paths to keep in each entity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fields: Option<Vec<String>>,
    /// Only entities matching this predicate are returned (others are
    /// `null`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<EntityPredicate>,
}

/// `POST /entities/by-refs` response: one item per requested ref, in
/// request order; `null` where no entity matched.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EntitiesBatchResponse<E = Entity> {
    /// The entities, or `None` for refs without one.
    pub items: Vec<Option<E>>,
}

/// `GET /entities/by-name/{kind}/{namespace}/{name}/ancestry` response.
///
/// Refs are written as Backstage's `stringifyEntityRef` writes them:
/// `kind:namespace/name` with the kind and namespace lowercased and the
/// name as the entity spells it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EntityAncestryResponse {
    /// The ref of the entity asked about.
    pub root_entity_ref: String,
    /// The entity itself (first) and its ancestors: the entities whose
    /// processing emitted it — `Location` entities — transitively, up to
    /// the roots that came from config or a provider. Each appears once,
    /// with its own parents' refs.
    pub items: Vec<EntityAncestryItem>,
}

/// One entity of an ancestry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EntityAncestryItem {
    /// The entity.
    pub entity: Entity,
    /// The refs of the entities whose processing emitted it; empty for a
    /// root.
    pub parent_entity_refs: Vec<String>,
}

/// `POST /refresh` body.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RefreshRequest {
    /// The entity to reprocess now, e.g. `component:default/web`.
    pub entity_ref: String,
    /// A token for reading the entity's source, if it needs one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_token: Option<String>,
}
