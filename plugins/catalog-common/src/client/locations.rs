//! Location endpoints.

use backstage_common::catalog::EntityRef;
use reqwest::Method;

use super::params::AddLocationOptions;
use super::{Call, CatalogClient, CatalogClientError};
use crate::api::{
    AnalyzeLocationRequest, AnalyzeLocationResponse, CreateLocationResponse, Location,
    LocationEnvelope, LocationInput, LocationsQueryRequest, LocationsQueryResponse,
};

impl CatalogClient {
    /// `GET /locations`: every registered location (unwrapped from the
    /// `{data: ...}` items).
    pub async fn get_locations(&self) -> Result<Vec<Location>, CatalogClientError> {
        let items: Vec<LocationEnvelope> = self.fetch(Call::get(&["locations"])).await?;
        Ok(items.into_iter().map(|item| item.data).collect())
    }

    /// `GET /locations/{id}`; `None` when there is no such location.
    pub async fn get_location_by_id(
        &self,
        id: &str,
    ) -> Result<Option<Location>, CatalogClientError> {
        self.fetch_optional(Call::get(&["locations", id])).await
    }

    /// `POST /locations`: registers a location (or, with `dry_run`, reads
    /// it and stores nothing).
    pub async fn add_location(
        &self,
        location: &LocationInput,
        options: AddLocationOptions,
    ) -> Result<CreateLocationResponse, CatalogClientError> {
        self.fetch(
            Call::new(Method::POST, &["locations"])
                .query(options.query())
                .json(location)?,
        )
        .await
    }

    /// `PUT /locations/{id}`: changes a location's type and target.
    pub async fn update_location(
        &self,
        id: &str,
        location: &LocationInput,
    ) -> Result<Location, CatalogClientError> {
        self.fetch(Call::new(Method::PUT, &["locations", id]).json(location)?)
            .await
    }

    /// `DELETE /locations/{id}`: unregisters a location (and removes the
    /// entities only it provided).
    pub async fn delete_location(&self, id: &str) -> Result<(), CatalogClientError> {
        self.execute(Call::new(Method::DELETE, &["locations", id]))
            .await
    }

    /// `GET /locations/by-entity/{kind}/{namespace}/{name}`: the location
    /// an entity came from; `None` when unknown.
    pub async fn get_location_by_entity(
        &self,
        entity_ref: &EntityRef,
    ) -> Result<Option<Location>, CatalogClientError> {
        self.fetch_optional(Call::get(&[
            "locations",
            "by-entity",
            entity_ref.kind(),
            entity_ref.namespace(),
            entity_ref.name(),
        ]))
        .await
    }

    /// `POST /locations/by-query`: one page of locations.
    pub async fn query_locations(
        &self,
        request: &LocationsQueryRequest,
    ) -> Result<LocationsQueryResponse, CatalogClientError> {
        self.fetch(Call::new(Method::POST, &["locations", "by-query"]).json(request)?)
            .await
    }

    /// `POST /analyze-location`: what a location holds and what could be
    /// generated for it.
    pub async fn analyze_location(
        &self,
        request: &AnalyzeLocationRequest,
    ) -> Result<AnalyzeLocationResponse, CatalogClientError> {
        self.fetch(Call::new(Method::POST, &["analyze-location"]).json(request)?)
            .await
    }
}
