//! The demo plugin of the portal: a "Runbook" tab on the entity pages of
//! services and websites — the entity-page extension mechanism end to end.
//! It knows nothing of the catalog plugin's pages: it attaches to the
//! entity page's `contents` input through `backstage-plugin-catalog-react`.

use backstage_frontend::components::{CardProps, card};
use backstage_frontend::{ComponentRequest, FrontendPlugin, PageError};
use backstage_plugin_catalog_react::{
    EntityCondition, entity_content_extension, entity_of, entity_ref_link, external_link,
};
use maud::{Markup, html};

/// The annotation with the URL of a component's runbook.
pub(crate) const RUNBOOK_ANNOTATION: &str = "wayfern.example/runbook-url";

async fn runbook_tab(req: ComponentRequest) -> Result<Markup, PageError> {
    let entity = entity_of(&req)?;
    let routes = req.page.routes();
    let owner = entity
        .spec_field("owner")
        .and_then(|o| o.as_str())
        .unwrap_or_default();
    let lifecycle = entity
        .spec_field("lifecycle")
        .and_then(|l| l.as_str())
        .unwrap_or("unknown");
    let apis: Vec<&str> = entity
        .relations
        .iter()
        .filter(|r| r.relation_type == "providesApi")
        .map(|r| r.target_ref.as_str())
        .collect();
    let body = html! {
        p { "When " strong { (entity.metadata.name) } " misbehaves, page its owner: "
            (entity_ref_link(routes, owner, Some("group"))) "." }
        ol.runbook-steps {
            li { "Check the dashboards linked from the About card." }
            @if apis.is_empty() {
                li { "It provides no API, so no consumer needs to be told." }
            } @else {
                li { "Tell the consumers of "
                    @for (i, api) in apis.iter().enumerate() {
                        @if i > 0 { ", " }
                        (entity_ref_link(routes, api, Some("api")))
                    }
                    "." }
            }
            @if lifecycle == "production" {
                li { "It is in production: open an incident before changing anything." }
            } @else {
                li { "Lifecycle " code { (lifecycle) } ": fix forward, no incident needed." }
            }
        }
        @match entity.annotation(RUNBOOK_ANNOTATION) {
            Some(url) => { p { (external_link(url, "Full runbook")) } }
            None => { p.runbook-missing { "No runbook linked yet: add the annotation " code { (RUNBOOK_ANNOTATION) } "." } }
        }
    };
    Ok(html! { div #runbook { (card(CardProps { title: "Runbook", body, footer_link: None })) } })
}

// ANCHOR: plugin
/// The plugin: one entity tab, `entity-content:runbook/runbook`, at
/// `<entity page>/runbook`, for components of type service or website.
pub(crate) fn plugin() -> FrontendPlugin {
    FrontendPlugin::new("runbook")
        .title("Runbooks")
        .package(env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION"))
        .extension(entity_content_extension(
            "runbook",
            "Runbook",
            "runbook",
            EntityCondition::kind("component")
                .and(EntityCondition::spec_type(["service", "website"])),
            runbook_tab,
        ))
}
// ANCHOR_END: plugin
