//! The radar page: data embedded in the page, drawn by `radar.js`.

use std::sync::Arc;

use backstage_frontend::components::{HeaderProps, header, json_data};
use backstage_frontend::{
    AttachPoint, Extension, ExtensionConfigSchema, ExtensionData, ExtensionId, NavItem, NavTarget,
    PageContent, PageError, core_data,
};
use maud::{Markup, html};
use schemars::JsonSchema;
use serde::Deserialize;

use crate::ROOT_ROUTE;
use crate::data::TechRadarConfig;

/// The page extension's own config (as for any page: where it lives).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct PageConfig {
    /// Where to mount the page (default `/tech-radar`).
    path: Option<String>,
}

/// `page:tech-radar`, built by hand rather than with
/// `create_page_extension!` because its factory loads and checks the radar
/// data once, when the app is built, instead of on every request.
pub(crate) fn page_extension() -> Extension {
    Extension::new(Some("page"), None)
        .attach_to(AttachPoint::new("app/routes", "routes"))
        .config_schema(ExtensionConfigSchema::of::<PageConfig>())
        .output(&[
            core_data::ROUTE_PATH.spec(),
            core_data::TITLE.spec(),
            core_data::PAGE.spec(),
            core_data::ROUTE_REF.spec(),
        ])
        .factory(|ctx| {
            let page: PageConfig = ctx.config()?;
            let config: TechRadarConfig = ctx
                .frontend_config()
                .get("techRadar")
                .map_err(|e| e.to_string())?;
            let data = config.load()?;
            let title = config
                .title
                .clone()
                .unwrap_or_else(|| "Tech Radar".to_owned());
            let embedded = json_data("tech-radar-data", &data).map_err(|e| e.to_string())?;
            let body = Arc::new(render(&title, embedded));
            let content = PageContent::new(move |_req| {
                let body = body.clone();
                async move { Ok::<Markup, PageError>((*body).clone()) }
            })
            .with_script("radar.js")
            .with_stylesheet("radar.css");
            Ok(ExtensionData::new()
                .with(
                    core_data::ROUTE_PATH,
                    page.path.unwrap_or_else(|| "/tech-radar".to_owned()),
                )
                .with(core_data::TITLE, title)
                .with(core_data::PAGE, content)
                .with(core_data::ROUTE_REF, ROOT_ROUTE))
        })
        .with_companion(
            Extension::new(Some("nav-item"), None)
                .attach_to(AttachPoint::new("app/nav", "items"))
                .output(&[core_data::NAV_ITEM.spec()])
                .factory(|ctx| {
                    Ok(ExtensionData::new().with(
                        core_data::NAV_ITEM,
                        NavItem {
                            title: "Tech Radar".to_owned(),
                            icon: Some("radar".to_owned()),
                            target: NavTarget::Page(ExtensionId::from_parts(
                                Some("page"),
                                ctx.id().namespace(),
                                None,
                            )),
                        },
                    ))
                }),
        )
}

/// The page body: containers the script fills, and the data it reads.
/// Without scripts, the page says so.
fn render(title: &str, embedded: Markup) -> Markup {
    html! {
        (header(&HeaderProps { title, subtitle: Some("Pick the recommended technologies for your projects"), kind: None }))
        div.tech-radar #tech-radar {
            svg #tech-radar-svg .tech-radar__svg viewBox="-310 -310 620 620" role="img" aria-label=(title) {}
            aside #tech-radar-details .tech-radar__details aria-live="polite" {
                p.tech-radar__hint { "Point at an entry to see its details." }
            }
            div #tech-radar-legend .tech-radar__legend {}
        }
        noscript { p { "The radar is drawn by a script; enable JavaScript to see it." } }
        (embedded)
    }
}
