//! Entity endpoints.

use backstage_common::catalog::{Entity, EntityRef};
use reqwest::Method;
use reqwest::header::LINK;
use serde::de::DeserializeOwned;

use super::params::{
    EntityFacetsParams, GetEntitiesParams, GetEntitiesResponse, QueryEntitiesParams,
    ValidateEntityResult,
};
use super::query::{QueryString, next_after};
use super::{Call, CatalogClient, CatalogClientError};
use crate::api::{
    EntitiesBatchResponse, EntitiesByRefsRequest, EntitiesQueryResponse, EntityAncestryResponse,
    EntityFacetsRequest, EntityFacetsResponse, QueryEntitiesRequest, RefreshRequest,
    ValidateEntityErrorResponse, ValidateEntityRequest,
};
use crate::filter::EntityFilter;

/// How many pages [`CatalogClient::query_all_entities`] follows at most
/// before it suspects a cursor loop.
const MAX_PAGES: usize = 100_000;

impl CatalogClient {
    /// `GET /entities`: all matching entities, or one page of them when
    /// `offset`, `limit` or `after` is set.
    ///
    /// `E` is [`Entity`] for whole entities, or [`serde_json::Value`] for
    /// projections (`fields`) and the JSON exactly as sent.
    pub async fn get_entities<E: DeserializeOwned>(
        &self,
        params: &GetEntitiesParams,
    ) -> Result<GetEntitiesResponse<E>, CatalogClientError> {
        let answer = self
            .send_ok(Call::get(&["entities"]).query(params.query()?))
            .await?;
        let next_after = answer
            .headers
            .get_all(LINK)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .find_map(next_after);
        Ok(GetEntitiesResponse {
            items: answer.json()?,
            next_after,
        })
    }

    /// `GET /entities/by-name/{kind}/{namespace}/{name}`; `None` when there
    /// is no such entity.
    pub async fn get_entity_by_ref(
        &self,
        entity_ref: &EntityRef,
    ) -> Result<Option<Entity>, CatalogClientError> {
        self.fetch_optional(Call::get(&[
            "entities",
            "by-name",
            entity_ref.kind(),
            entity_ref.namespace(),
            entity_ref.name(),
        ]))
        .await
    }

    /// `GET /entities/by-uid/{uid}`; `None` when there is no such entity.
    pub async fn get_entity_by_uid(&self, uid: &str) -> Result<Option<Entity>, CatalogClientError> {
        self.fetch_optional(Call::get(&["entities", "by-uid", uid]))
            .await
    }

    /// `DELETE /entities/by-uid/{uid}`. The entity comes back at its next
    /// refresh if a location still emits it.
    pub async fn delete_entity_by_uid(&self, uid: &str) -> Result<(), CatalogClientError> {
        self.execute(Call::new(Method::DELETE, &["entities", "by-uid", uid]))
            .await
    }

    /// `POST /entities/by-refs`: one item per ref, in order, `None` where no
    /// entity matched; `filter` is sent as query parameters.
    pub async fn get_entities_by_refs<E: DeserializeOwned>(
        &self,
        request: &EntitiesByRefsRequest,
        filter: Option<&EntityFilter>,
    ) -> Result<EntitiesBatchResponse<E>, CatalogClientError> {
        let mut query = QueryString::default();
        if let Some(filter) = filter {
            for value in filter.to_query_values()? {
                query.push("filter", &value);
            }
        }
        self.fetch(
            Call::new(Method::POST, &["entities", "by-refs"])
                .query(query)
                .json(request)?,
        )
        .await
    }

    /// `GET /entities/by-query`: one page; follow
    /// `page_info.next_cursor` with [`QueryEntitiesParams::with_cursor`].
    pub async fn query_entities<E: DeserializeOwned>(
        &self,
        params: &QueryEntitiesParams,
    ) -> Result<EntitiesQueryResponse<E>, CatalogClientError> {
        self.fetch(Call::get(&["entities", "by-query"]).query(params.query()?))
            .await
    }

    /// `POST /entities/by-query`: one page of the entities matching a
    /// predicate; follow `page_info.next_cursor` with
    /// [`QueryEntitiesRequest::with_cursor`].
    pub async fn query_entities_by_predicate<E: DeserializeOwned>(
        &self,
        request: &QueryEntitiesRequest,
    ) -> Result<EntitiesQueryResponse<E>, CatalogClientError> {
        self.fetch(Call::new(Method::POST, &["entities", "by-query"]).json(request)?)
            .await
    }

    /// Every entity matching `request`, following `nextCursor` through all
    /// pages of `POST /entities/by-query`.
    pub async fn query_all_entities<E: DeserializeOwned>(
        &self,
        request: &QueryEntitiesRequest,
    ) -> Result<Vec<E>, CatalogClientError> {
        let mut items = Vec::new();
        let mut page: EntitiesQueryResponse<E> = self.query_entities_by_predicate(request).await?;
        for _ in 0..MAX_PAGES {
            items.append(&mut page.items);
            let Some(cursor) = page.page_info.next_cursor.take() else {
                return Ok(items);
            };
            page = self
                .query_entities_by_predicate(&request.with_cursor(cursor))
                .await?;
        }
        Err(CatalogClientError::TooManyPages { pages: MAX_PAGES })
    }

    /// `GET /entities/by-name/{kind}/{namespace}/{name}/ancestry`: the
    /// entity and every entity whose processing emitted it (the `Location`
    /// entities it was read through), up to the roots, each with the refs
    /// of its own parents. The entity comes first.
    ///
    /// Unlike the plain lookups, an unknown entity is an error, as in
    /// Backstage's client: [`CatalogClientError::Api`] whose
    /// [`is_not_found`](super::CatalogApiError::is_not_found) is true.
    pub async fn get_entity_ancestry(
        &self,
        entity_ref: &EntityRef,
    ) -> Result<EntityAncestryResponse, CatalogClientError> {
        self.fetch(Call::get(&[
            "entities",
            "by-name",
            entity_ref.kind(),
            entity_ref.namespace(),
            entity_ref.name(),
            "ancestry",
        ]))
        .await
    }

    /// `GET /entity-facets`.
    pub async fn get_entity_facets(
        &self,
        params: &EntityFacetsParams,
    ) -> Result<EntityFacetsResponse, CatalogClientError> {
        self.fetch(Call::get(&["entity-facets"]).query(params.query()?))
            .await
    }

    /// `POST /entity-facets`: facets of the entities matching a predicate.
    pub async fn query_entity_facets(
        &self,
        request: &EntityFacetsRequest,
    ) -> Result<EntityFacetsResponse, CatalogClientError> {
        self.fetch(Call::new(Method::POST, &["entity-facets"]).json(request)?)
            .await
    }

    /// `POST /refresh`: reprocess an entity (and the locations it came
    /// from) now.
    pub async fn refresh_entity(&self, request: &RefreshRequest) -> Result<(), CatalogClientError> {
        self.execute(Call::new(Method::POST, &["refresh"]).json(request)?)
            .await
    }

    /// `POST /validate-entity`: [`ValidateEntityResult::Invalid`] with the
    /// problems for a 400 that lists `errors`; other error statuses are
    /// errors.
    pub async fn validate_entity(
        &self,
        request: &ValidateEntityRequest,
    ) -> Result<ValidateEntityResult, CatalogClientError> {
        let answer = self
            .send(Call::new(Method::POST, &["validate-entity"]).json(request)?)
            .await?;
        if answer.status.is_success() {
            return Ok(ValidateEntityResult::Valid);
        }
        if answer.status == reqwest::StatusCode::BAD_REQUEST
            && let Ok(body) = serde_json::from_slice::<ValidateEntityErrorResponse>(&answer.body)
        {
            return Ok(ValidateEntityResult::Invalid(body.errors));
        }
        Err(answer.api_error())
    }
}
