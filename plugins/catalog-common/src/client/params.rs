//! Options of the `GET` endpoints, written as query parameters, and the
//! shapes some client methods return.

use crate::api::OnConflict;
use crate::api::{FullTextFilter, TotalItems, ValidationErrorItem};
use crate::fields::FieldSelection;
use crate::filter::EntityFilter;
use crate::order::EntityOrder;

use super::error::CatalogClientError;
use super::query::QueryString;

/// Options of `GET /entities`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GetEntitiesParams {
    /// Which entities (`filter`, one parameter per set).
    pub filter: Option<EntityFilter>,
    /// Dot paths to keep in each entity (`fields`, one comma list).
    pub fields: Vec<String>,
    /// Sort keys (`order=asc:<field>`, repeated).
    pub order: Vec<EntityOrder>,
    /// How many entities to skip.
    pub offset: Option<u64>,
    /// The page size; with `offset`, `limit` or `after` the catalog pages
    /// and links the next page.
    pub limit: Option<u64>,
    /// The cursor from a previous page's [`GetEntitiesResponse::next_after`].
    pub after: Option<String>,
}

impl GetEntitiesParams {
    pub(crate) fn query(&self) -> Result<QueryString, CatalogClientError> {
        let mut query = QueryString::default();
        push_filter(&mut query, self.filter.as_ref())?;
        push_fields(&mut query, &self.fields)?;
        for order in &self.order {
            query.push("order", &order.to_order_param());
        }
        query.push_opt("offset", self.offset);
        query.push_opt("limit", self.limit);
        query.push_opt("after", self.after.as_ref());
        Ok(query)
    }
}

/// What `GET /entities` returned.
#[derive(Debug, Clone, PartialEq)]
pub struct GetEntitiesResponse<E> {
    /// The entities.
    pub items: Vec<E>,
    /// The `after` cursor of the next page, from the `Link` header (paged
    /// requests only).
    pub next_after: Option<String>,
}

/// Options of `GET /entities/by-query`. With a `cursor`, the catalog
/// ignores `filter`, `order_fields` and `full_text_filter`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct QueryEntitiesParams {
    /// Which entities (`filter`, one parameter per set).
    pub filter: Option<EntityFilter>,
    /// Dot paths to keep in each entity (`fields`, one comma list).
    pub fields: Vec<String>,
    /// The page size.
    pub limit: Option<u64>,
    /// How many matching entities to skip.
    pub offset: Option<u64>,
    /// Sort keys (`orderField=<field>,<asc|desc>`, repeated; Backstage
    /// applies the first).
    pub order_fields: Vec<EntityOrder>,
    /// The cursor of the page to fetch.
    pub cursor: Option<String>,
    /// A substring search (`fullTextFilterTerm`, `fullTextFilterFields`).
    pub full_text_filter: Option<FullTextFilter>,
    /// Whether to count all matches (`totalItems`).
    pub total_items: Option<TotalItems>,
}

impl QueryEntitiesParams {
    /// The options for the page behind `cursor`, keeping this request's
    /// `limit`, `fields` and `total_items`.
    pub fn with_cursor(&self, cursor: impl Into<String>) -> Self {
        QueryEntitiesParams {
            cursor: Some(cursor.into()),
            limit: self.limit,
            fields: self.fields.clone(),
            total_items: self.total_items,
            ..Default::default()
        }
    }

    pub(crate) fn query(&self) -> Result<QueryString, CatalogClientError> {
        let mut query = QueryString::default();
        push_filter(&mut query, self.filter.as_ref())?;
        push_fields(&mut query, &self.fields)?;
        query.push_opt("limit", self.limit);
        query.push_opt("offset", self.offset);
        for order in &self.order_fields {
            query.push("orderField", &order.to_order_field_param());
        }
        query.push_opt("cursor", self.cursor.as_ref());
        if let Some(full_text) = &self.full_text_filter {
            query.push("fullTextFilterTerm", &full_text.term);
            if let Some(fields) = &full_text.fields {
                push_fields_as(&mut query, "fullTextFilterFields", fields)?;
            }
        }
        query.push_opt("totalItems", self.total_items.map(TotalItems::as_str));
        Ok(query)
    }
}

/// Options of `GET /entity-facets`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EntityFacetsParams {
    /// The dot paths to count values of (`facet`, repeated; at least one).
    pub facets: Vec<String>,
    /// Which entities to count (`filter`, one parameter per set).
    pub filter: Option<EntityFilter>,
}

impl EntityFacetsParams {
    pub(crate) fn query(&self) -> Result<QueryString, CatalogClientError> {
        if self.facets.is_empty() {
            return Err(CatalogClientError::InvalidRequest(
                "entity facets need at least one facet, e.g. kind".to_owned(),
            ));
        }
        let mut query = QueryString::default();
        for facet in &self.facets {
            query.push("facet", facet);
        }
        push_filter(&mut query, self.filter.as_ref())?;
        Ok(query)
    }
}

/// Options of `POST /locations`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AddLocationOptions {
    /// Read the location and return what it would add, storing nothing
    /// (`dryRun=true`).
    pub dry_run: bool,
    /// What to do when it is registered already (`onConflict`).
    pub on_conflict: Option<OnConflict>,
}

impl AddLocationOptions {
    pub(crate) fn query(&self) -> QueryString {
        let mut query = QueryString::default();
        if self.dry_run {
            query.push("dryRun", "true");
        }
        query.push_opt("onConflict", self.on_conflict.map(OnConflict::as_str));
        query
    }
}

/// The outcome of `POST /validate-entity`.
#[derive(Debug, Clone, PartialEq)]
pub enum ValidateEntityResult {
    /// The entity is valid.
    Valid,
    /// The entity is invalid, for these reasons.
    Invalid(Vec<ValidationErrorItem>),
}

impl ValidateEntityResult {
    /// Whether the entity is valid.
    pub fn is_valid(&self) -> bool {
        matches!(self, ValidateEntityResult::Valid)
    }
}

fn push_filter(
    query: &mut QueryString,
    filter: Option<&EntityFilter>,
) -> Result<(), CatalogClientError> {
    if let Some(filter) = filter {
        for value in filter.to_query_values()? {
            query.push("filter", &value);
        }
    }
    Ok(())
}

fn push_fields(query: &mut QueryString, fields: &[String]) -> Result<(), CatalogClientError> {
    push_fields_as(query, "fields", fields)
}

fn push_fields_as(
    query: &mut QueryString,
    key: &str,
    fields: &[String],
) -> Result<(), CatalogClientError> {
    if let Some(selection) = FieldSelection::from_paths(fields.iter().cloned())? {
        query.push(key, &selection.to_query_value());
    }
    Ok(())
}
