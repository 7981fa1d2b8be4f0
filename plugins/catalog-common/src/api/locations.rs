//! Location endpoints: `/locations`, `/locations/{id}`,
//! `/locations/by-query`, `/locations/by-entity/...`.

use backstage_common::catalog::Entity;
use serde::{Deserialize, Serialize};

use crate::predicate::EntityPredicate;

/// A registered location.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Location {
    /// Its id (a UUID).
    pub id: String,
    /// How to read it, e.g. `url` or `file`.
    #[serde(rename = "type")]
    pub location_type: String,
    /// Where it is, e.g. `https://github.com/org/repo/blob/main/catalog-info.yaml`.
    pub target: String,
    /// The ref of its `kind: Location` entity, e.g.
    /// `location:default/generated-<sha1>`. Older catalogs leave it out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity_ref: Option<String>,
}

/// A location's type and target: the body of `POST /locations` and `PUT
/// /locations/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct LocationInput {
    /// How to read it, e.g. `url`.
    #[serde(rename = "type")]
    pub location_type: String,
    /// Where it is.
    pub target: String,
}

impl LocationInput {
    /// A location of `location_type` at `target`.
    pub fn new(location_type: impl Into<String>, target: impl Into<String>) -> Self {
        LocationInput {
            location_type: location_type.into(),
            target: target.into(),
        }
    }

    /// A `url` location.
    pub fn url(target: impl Into<String>) -> Self {
        Self::new("url", target)
    }
}

/// An item of `GET /locations`: the location wrapped in `data`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocationEnvelope {
    /// The location.
    pub data: Location,
}

/// `POST /locations` response (201).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreateLocationResponse {
    /// The location (with a new id, or the existing one).
    pub location: Location,
    /// The entities read from it (all of them for a dry run).
    pub entities: Vec<Entity>,
    /// Whether the location was registered already (dry run only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exists: Option<bool>,
}

/// `onConflict` of `POST /locations`: what to do when the location is
/// registered already.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OnConflict {
    /// Answer 409 Conflict (the default).
    #[default]
    Reject,
    /// Refresh the existing location and answer 201.
    Refresh,
}

impl OnConflict {
    /// `reject` or `refresh`.
    pub fn as_str(self) -> &'static str {
        match self {
            OnConflict::Reject => "reject",
            OnConflict::Refresh => "refresh",
        }
    }
}

/// `POST /locations/by-query` body.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct LocationsQueryRequest {
    /// The cursor of the page to fetch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    /// The page size.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u64>,
    /// Which locations: a predicate over the location's fields (`type`,
    /// `target`), in the same language as entity queries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<EntityPredicate>,
}

/// `POST /locations/by-query` response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LocationsQueryResponse {
    /// The locations of this page.
    pub items: Vec<Location>,
    /// How many locations match in all.
    pub total_items: u64,
    /// The cursor of the next page.
    pub page_info: LocationsPageInfo,
}

/// `pageInfo` of [`LocationsQueryResponse`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LocationsPageInfo {
    /// The cursor of the next page, if there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}
