//! The entity page (`/catalog/:namespace/:kind/:name`): header, tabs, the
//! overview's cards, and the tabs other plugins contribute — each shown
//! only for the entities its condition accepts.

use std::sync::Arc;

use backstage_common::catalog::{Entity, EntityRef, StatusLevel};
use backstage_frontend::components::{Tab, error_state, tabs};
use backstage_frontend::{
    AttachPoint, Component, ComponentRequest, Extension, ExtensionConfigSchema, ExtensionData,
    ExtensionInput, PageContent, PageError, PageRequest, core_data,
};
use backstage_plugin_catalog_react::{
    CATALOG_API, ENTITY_CARDS_INPUT, ENTITY_CONDITION, ENTITY_CONTENT_PATH, ENTITY_CONTENTS_INPUT,
    ENTITY_ROUTE, EntityCondition, catalog_error, entity_href,
};
use maud::{Markup, html};
use schemars::JsonSchema;
use serde::Deserialize;

/// The entity page's default path; `*` is the tab below it.
pub const ENTITY_PATH: &str = "/catalog/:namespace/:kind/:name/*";

/// A tab as the page keeps it.
struct TabEntry {
    title: String,
    path: String,
    condition: EntityCondition,
    component: Component,
}

/// A card as the page keeps it.
struct CardEntry {
    condition: EntityCondition,
    component: Component,
}

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct EntityPageConfig {
    /// Where to mount the page; must end in `/*` and have the parameters
    /// `:namespace`, `:kind` and `:name`.
    path: Option<String>,
}

/// The entity page extension, `page:catalog/entity`.
pub(crate) fn entity_page_extension() -> Extension {
    Extension::new(Some("page"), Some("entity"))
        .attach_to(AttachPoint::new("app/routes", "routes"))
        .config_schema(ExtensionConfigSchema::of::<EntityPageConfig>())
        .input(ExtensionInput::new(
            ENTITY_CONTENTS_INPUT,
            &[
                core_data::COMPONENT.spec(),
                core_data::TITLE.spec(),
                ENTITY_CONTENT_PATH.spec(),
                ENTITY_CONDITION.optional().spec(),
            ],
        ))
        .input(ExtensionInput::new(
            ENTITY_CARDS_INPUT,
            &[
                core_data::COMPONENT.spec(),
                ENTITY_CONDITION.optional().spec(),
            ],
        ))
        .output(&[
            core_data::ROUTE_PATH.spec(),
            core_data::ROUTE_REF.spec(),
            core_data::TITLE.spec(),
            core_data::PAGE.spec(),
        ])
        .factory(|ctx| {
            let config: EntityPageConfig = ctx.config()?;
            let path = config.path.unwrap_or_else(|| ENTITY_PATH.to_owned());
            for needed in [":namespace", ":kind", ":name"] {
                if !path.split('/').any(|s| s == needed) {
                    return Err(format!("the entity page path {path:?} needs the parameter {needed}"));
                }
            }
            if !path.ends_with("/*") {
                return Err(format!("the entity page path {path:?} must end in /* (its tabs live below it)"));
            }
            let mut tab_entries: Vec<TabEntry> = Vec::new();
            for item in ctx.input(ENTITY_CONTENTS_INPUT) {
                let (Some(component), Some(title), Some(tab_path)) = (
                    item.get(core_data::COMPONENT),
                    item.get(core_data::TITLE),
                    item.get(ENTITY_CONTENT_PATH),
                ) else {
                    continue;
                };
                if let Some(first) = tab_entries.iter().find(|t| &t.path == tab_path) {
                    return Err(format!(
                        "entity tabs '{}' and '{}' both use the path '{tab_path}'; move one with app.extensions config path",
                        first.component.id(),
                        item.node
                    ));
                }
                tab_entries.push(TabEntry {
                    title: title.clone(),
                    path: tab_path.clone(),
                    condition: item
                        .get(ENTITY_CONDITION)
                        .cloned()
                        .unwrap_or(EntityCondition::Always),
                    component: component.clone(),
                });
            }
            let card_entries: Vec<CardEntry> = ctx
                .input(ENTITY_CARDS_INPUT)
                .iter()
                .filter_map(|item| {
                    Some(CardEntry {
                        condition: item
                            .get(ENTITY_CONDITION)
                            .cloned()
                            .unwrap_or(EntityCondition::Always),
                        component: item.get(core_data::COMPONENT)?.clone(),
                    })
                })
                .collect();
            let parts = Arc::new((tab_entries, card_entries));
            let content = PageContent::new(move |req| {
                let parts = parts.clone();
                async move { entity_page(req, &parts.0, &parts.1).await }
            })
            .with_stylesheet("catalog.css");
            Ok(ExtensionData::new()
                .with(core_data::ROUTE_PATH, path)
                .with(core_data::ROUTE_REF, ENTITY_ROUTE)
                .with(core_data::TITLE, "Entity".to_owned())
                .with(core_data::PAGE, content))
        })
}

async fn render_one(component: &Component, req: &PageRequest, props: &serde_json::Value) -> Markup {
    let request = ComponentRequest {
        page: req.clone(),
        props: props.clone(),
    };
    match component.render(request).await {
        Ok(markup) => markup,
        Err(err) => {
            tracing::error!(extension = %component.id(), error = %err.internal_detail(), "entity page part failed to render");
            error_state(
                "This part of the page could not be shown",
                err.public_message().unwrap_or("Please try again later."),
            )
        }
    }
}

fn processing_errors(entity: &Entity) -> Markup {
    let items: Vec<_> = entity
        .status
        .as_ref()
        .and_then(|s| s.items.as_ref())
        .map(|items| {
            items
                .iter()
                .filter(|i| i.level == StatusLevel::Error)
                .collect()
        })
        .unwrap_or_default();
    html! {
        @if !items.is_empty() {
            section.bs-error.catalog-processing-errors role="alert" {
                h2 { "This entity has processing errors" }
                ul {
                    @for item in items {
                        li {
                            (item.message)
                            @if let Some(error) = &item.error {
                                @let name = error.get("name").and_then(|v| v.as_str()).unwrap_or("Error");
                                @let message = error.get("message").and_then(|v| v.as_str()).unwrap_or("");
                                @if !message.is_empty() && message != item.message {
                                    br; code { (name) ": " (message) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

async fn entity_page(
    req: PageRequest,
    all_tabs: &[TabEntry],
    all_cards: &[CardEntry],
) -> Result<Markup, PageError> {
    let (namespace, kind, name) = (
        req.param("namespace").unwrap_or_default(),
        req.param("kind").unwrap_or_default(),
        req.param("name").unwrap_or_default(),
    );
    let not_found = || {
        PageError::NotFound(format!(
            "There is no {kind} called '{name}' in namespace '{namespace}' in the catalog."
        ))
    };
    let reference = EntityRef::new(kind, namespace, name).map_err(|_| not_found())?;
    let api = req.api(CATALOG_API)?;
    let entity = api
        .for_page(&req)
        .get_entity_by_ref(&reference)
        .await
        .map_err(catalog_error)?
        .ok_or_else(not_found)?;

    let base = entity_href(req.routes(), &entity.entity_ref()).unwrap_or_else(|| {
        let rest = req.param("*").unwrap_or("");
        req.path()
            .strip_suffix(&format!("/{rest}"))
            .unwrap_or(req.path())
            .to_owned()
    });
    let sub = req.param("*").unwrap_or("");
    let visible: Vec<&TabEntry> = all_tabs
        .iter()
        .filter(|t| t.condition.matches(&entity))
        .collect();
    let active = if sub.is_empty() {
        None
    } else {
        Some(
            visible
                .iter()
                .find(|t| t.path == sub)
                .ok_or_else(|| PageError::NotFound(format!("This entity has no tab '{sub}'.")))?,
        )
    };
    let tab_links: Vec<(String, String, bool)> =
        std::iter::once(("Overview".to_owned(), base.clone(), active.is_none()))
            .chain(visible.iter().map(|t| {
                (
                    t.title.clone(),
                    format!("{base}/{}", t.path),
                    active.is_some_and(|a| a.path == t.path),
                )
            }))
            .collect();
    let tab_list: Vec<Tab<'_>> = tab_links
        .iter()
        .map(|(label, href, active)| Tab {
            label,
            href,
            active: *active,
        })
        .collect();

    let props = entity.to_value();
    let body = match active {
        Some(tab) => render_one(&tab.component, &req, &props).await,
        None => {
            let cards = all_cards.iter().filter(|c| c.condition.matches(&entity));
            let rendered = futures_util::future::join_all(
                cards.map(|c| render_one(&c.component, &req, &props)),
            )
            .await;
            html! {
                (processing_errors(&entity))
                div.catalog-cards { @for card in rendered { (card) } }
            }
        }
    };
    let title = entity
        .metadata
        .title
        .as_deref()
        .unwrap_or(&entity.metadata.name);
    let kind_label = match entity.spec_field("type").and_then(|t| t.as_str()) {
        Some(t) => format!("{} — {t}", entity.kind),
        None => entity.kind.clone(),
    };
    Ok(html! {
        header.bs-page-header.catalog-entity-header data-entity-ref=(entity.entity_ref().to_string()) {
            p.bs-page-header__kind { (kind_label) }
            h1 { (title) }
            @if let Some(description) = &entity.metadata.description {
                p.bs-page-header__subtitle { (description) }
            }
        }
        (tabs(&tab_list))
        div.catalog-entity-body { (body) }
    })
}
