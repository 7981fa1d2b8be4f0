//! "Register existing component" (`/catalog-import`): enter the URL of a
//! `catalog-info.yaml`, review what a dry run of `POST /locations` would
//! add, then import it. Plain HTML forms posted to the page itself.

use backstage_common::catalog::Entity;
use backstage_frontend::components::{HeaderProps, empty_state, header};
use backstage_frontend::{
    AttachPoint, Extension, ExtensionConfigSchema, ExtensionData, PageContent, PageError,
    PageRequest, core_data,
};
use backstage_plugin_catalog_common::api::{CreateLocationResponse, LocationInput};
use backstage_plugin_catalog_common::{AddLocationOptions, CatalogClientError};
use backstage_plugin_catalog_react::{
    CATALOG_API, CATALOG_IMPORT_ROUTE, entity_page_link, http_url,
};
use maud::{Markup, html};
use schemars::JsonSchema;
use serde::Deserialize;

/// The longest URL the form takes.
const MAX_URL_LENGTH: usize = 2048;

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct ImportConfig {
    /// Where to mount the page (default `/catalog-import`).
    path: Option<String>,
}

/// What the user sees after a step.
enum Outcome {
    /// The empty form.
    Start,
    /// The form with an error about the input or the catalog's answer.
    Error(String),
    /// What a dry run found, waiting for "Import".
    Preview(CreateLocationResponse),
    /// What was registered.
    Done(CreateLocationResponse),
}

/// What went wrong, in words for the user: the catalog's own message for
/// a refused location (it is about the URL they gave), a fixed text for
/// anything else.
fn explain(err: &CatalogClientError) -> String {
    match err {
        CatalogClientError::Transport { source, .. } if source.is_timeout() => {
            "The catalog did not answer in time. Please try again in a moment.".to_owned()
        }
        CatalogClientError::Transport { .. } => {
            "The catalog could not be reached. Please try again in a moment.".to_owned()
        }
        CatalogClientError::Api(api) if api.is_conflict() => {
            "This location is registered already.".to_owned()
        }
        CatalogClientError::Api(api) if (400..500).contains(&api.status) => {
            format!("The catalog refused this location: {}", api.message)
        }
        _ => "The catalog could not register this location. Please try again later.".to_owned(),
    }
}

fn check_url(url: &str) -> Result<&str, String> {
    if url.is_empty() {
        return Err("Enter the URL of a catalog-info.yaml file.".to_owned());
    }
    if url.len() > MAX_URL_LENGTH {
        return Err(format!(
            "The URL is longer than {MAX_URL_LENGTH} characters."
        ));
    }
    http_url(url).ok_or_else(|| "The URL must start with https:// or http://.".to_owned())
}

async fn step(req: &PageRequest) -> Result<(Outcome, String), PageError> {
    if !req.is_form_post() {
        return Ok((Outcome::Start, String::new()));
    }
    let url = req.form("url").unwrap_or("").trim().to_owned();
    let target = match check_url(&url) {
        Ok(target) => target.to_owned(),
        Err(message) => return Ok((Outcome::Error(message), url)),
    };
    let dry_run = req.form("action") != Some("import");
    let api = req.api(CATALOG_API)?;
    let answer = api
        .for_page(req)
        .add_location(
            &LocationInput::url(target),
            AddLocationOptions {
                dry_run,
                ..Default::default()
            },
        )
        .await;
    let outcome = match answer {
        Ok(found) if dry_run => Outcome::Preview(found),
        Ok(done) => Outcome::Done(done),
        Err(err) => {
            tracing::warn!(error = %err, "catalog import failed");
            Outcome::Error(explain(&err))
        }
    };
    Ok((outcome, url))
}

fn entity_list(req: &PageRequest, entities: &[Entity]) -> Markup {
    html! {
        ul.catalog-import__entities {
            @for entity in entities {
                li { (entity.kind) " " (entity_page_link(req.routes(), entity)) }
            }
        }
    }
}

async fn import_page(req: PageRequest) -> Result<Markup, PageError> {
    let (outcome, url) = step(&req).await?;
    let action = req
        .href(CATALOG_IMPORT_ROUTE, &[])
        .unwrap_or_else(|| req.path().to_owned());
    let url_form = |error: Option<&str>| {
        html! {
            form #catalog-import-form method="post" action=(action) {
                label for="catalog-import-url" { "URL of a catalog-info.yaml" }
                input #catalog-import-url type="url" name="url" required value=(url)
                    placeholder="https://github.com/org/repo/blob/main/catalog-info.yaml"
                    aria-invalid=[error.map(|_| "true")] aria-describedby=[error.map(|_| "catalog-import-error")];
                @if let Some(error) = error {
                    p #catalog-import-error .catalog-import__error role="alert" { (error) }
                }
                input type="hidden" name="action" value="analyze";
                button.bs-button type="submit" { "Analyze" }
            }
        }
    };
    let body = match &outcome {
        Outcome::Start => url_form(None),
        Outcome::Error(message) => url_form(Some(message)),
        Outcome::Preview(found) => html! {
            section #catalog-import-preview {
                h2 { "Review" }
                @if found.exists == Some(true) {
                    p { "This location is registered already; importing it again refreshes it." }
                }
                @if found.entities.is_empty() {
                    (empty_state("Nothing to import", "The file holds no entities."))
                } @else {
                    p { "These " (found.entities.len()) " entities will be added to the catalog:" }
                    (entity_list(&req, &found.entities))
                    form method="post" action=(action) {
                        input type="hidden" name="url" value=(url);
                        input type="hidden" name="action" value="import";
                        button.bs-button type="submit" { "Import" }
                        " "
                        a.bs-link href=(action) { "Start over" }
                    }
                }
            }
        },
        Outcome::Done(done) => html! {
            section #catalog-import-done role="status" {
                h2 { "Imported" }
                p { "The location " code { (done.location.target) } " is registered. The catalog will add these entities shortly:" }
                (entity_list(&req, &done.entities))
                p { a.bs-link href=(action) { "Register another" } }
            }
        },
    };
    Ok(html! {
        (header(&HeaderProps { title: "Register an existing component", subtitle: Some("Add the entities of a catalog-info.yaml to the catalog"), kind: None }))
        div.catalog-import { (body) }
    })
}

/// The import page, `page:catalog/import` at `/catalog-import`.
pub(crate) fn import_page_extension() -> Extension {
    Extension::new(Some("page"), Some("import"))
        .attach_to(AttachPoint::new("app/routes", "routes"))
        .config_schema(ExtensionConfigSchema::of::<ImportConfig>())
        .output(&[
            core_data::ROUTE_PATH.spec(),
            core_data::ROUTE_REF.spec(),
            core_data::TITLE.spec(),
            core_data::PAGE.spec(),
        ])
        .factory(|ctx| {
            let config: ImportConfig = ctx.config()?;
            Ok(ExtensionData::new()
                .with(
                    core_data::ROUTE_PATH,
                    config.path.unwrap_or_else(|| "/catalog-import".to_owned()),
                )
                .with(core_data::ROUTE_REF, CATALOG_IMPORT_ROUTE)
                .with(
                    core_data::TITLE,
                    "Register an existing component".to_owned(),
                )
                .with(
                    core_data::PAGE,
                    PageContent::new(import_page)
                        .accept_form_posts()
                        .with_stylesheet("catalog.css"),
                ))
        })
}
