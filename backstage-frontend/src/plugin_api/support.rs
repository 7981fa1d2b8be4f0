//! What the `create_*_extension!` macros call. Public for the macros only;
//! not a stable API.

use std::future::Future;
use std::sync::Arc;

use maud::Markup;
use schemars::JsonSchema;
use serde::Deserialize;

use super::apis::ApiFactory;
use super::data::{ExtensionData, core_data};
use super::extension::{
    AttachPoint, Extension, ExtensionConfigSchema, ExtensionContext, ExtensionInput,
};
use super::id::ExtensionId;
use super::page::{
    Component, ComponentRequest, NavItem, NavTarget, PageContent, PageError, PageRequest,
};
use super::routing::RouteRef;

/// The config every page and routable extension takes.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct PathConfig {
    /// Where to mount it, e.g. `/services` (overrides the default path).
    path: Option<String>,
}

/// A page's sidebar entry.
#[derive(Debug)]
pub struct NavSpec {
    /// The label.
    pub title: &'static str,
    /// The icon name.
    pub icon: Option<&'static str>,
}

/// The arguments of `create_page_extension!`.
#[derive(Debug)]
pub struct PageSpec {
    /// The name part of the id.
    pub name: Option<&'static str>,
    /// The default path.
    pub path: &'static str,
    /// The title.
    pub title: &'static str,
    /// The route ref it is bound to.
    pub route_ref: Option<RouteRef>,
    /// The sidebar entry.
    pub nav: Option<NavSpec>,
    /// Inputs for components.
    pub inputs: &'static [&'static str],
    /// Script assets.
    pub scripts: &'static [&'static str],
    /// Stylesheet assets.
    pub stylesheets: &'static [&'static str],
}

/// The arguments of `create_routable_extension!`.
#[derive(Debug)]
pub struct RoutableSpec {
    /// The name part of the id.
    pub name: Option<&'static str>,
    /// The route ref it is bound to.
    pub route_ref: RouteRef,
    /// The default path.
    pub path: Option<&'static str>,
    /// Where it attaches, if not `app/routes`.
    pub attach_to: Option<(&'static str, &'static str)>,
}

/// The arguments of `create_component_extension!`.
#[derive(Debug)]
pub struct ComponentSpec {
    /// The kind part of the id (default `component`).
    pub kind: Option<&'static str>,
    /// The name part of the id.
    pub name: &'static str,
    /// Parent id and input.
    pub attach_to: (&'static str, &'static str),
    /// Off by default.
    pub disabled: bool,
}

fn mount_path(ctx: &ExtensionContext<'_>, default: Option<&str>) -> Result<String, String> {
    let config: PathConfig = ctx.config()?;
    config.path.or_else(|| default.map(str::to_owned)).ok_or_else(|| {
        format!(
            "extension '{}' has no path: set one with app.extensions: [{{ '{}': {{ config: {{ path: /some-path }} }} }}]",
            ctx.id(),
            ctx.id()
        )
    })
}

fn page_content<F, Fut>(ctx: &ExtensionContext<'_>, inputs: &[&str], render: F) -> PageContent
where
    F: Fn(PageRequest) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Markup, PageError>> + Send + 'static,
{
    let mut content = PageContent::new(render);
    for input in inputs {
        let components = ctx
            .input(input)
            .iter()
            .filter_map(|item| item.get(core_data::COMPONENT).cloned())
            .collect();
        content = content.with_components(input, components);
    }
    content
}

/// Builds a page extension (see `create_page_extension!`).
pub fn page_extension<F, Fut>(spec: PageSpec, render: F) -> Extension
where
    F: Fn(PageRequest) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Markup, PageError>> + Send + 'static,
{
    let PageSpec {
        name,
        path,
        title,
        route_ref,
        nav,
        inputs,
        scripts,
        stylesheets,
    } = spec;
    let mut outputs = vec![
        core_data::ROUTE_PATH.spec(),
        core_data::TITLE.spec(),
        core_data::PAGE.spec(),
    ];
    if route_ref.is_some() {
        outputs.push(core_data::ROUTE_REF.spec());
    }
    let mut ext = Extension::new(Some("page"), name)
        .attach_to(AttachPoint::new("app/routes", "routes"))
        .config_schema(ExtensionConfigSchema::of::<PathConfig>())
        .output(&outputs);
    for input in inputs {
        ext = ext.input(ExtensionInput::new(input, &[core_data::COMPONENT.spec()]));
    }
    let render = Arc::new(render);
    ext = ext.factory(move |ctx| {
        let render = render.clone();
        let mut content = page_content(ctx, inputs, move |req| render(req));
        for script in scripts {
            content = content.with_script(*script);
        }
        for sheet in stylesheets {
            content = content.with_stylesheet(*sheet);
        }
        let mut data = ExtensionData::new()
            .with(core_data::ROUTE_PATH, mount_path(ctx, Some(path))?)
            .with(core_data::TITLE, title.to_owned())
            .with(core_data::PAGE, content);
        if let Some(route) = route_ref {
            data.set(core_data::ROUTE_REF, route);
        }
        Ok(data)
    });
    if let Some(nav) = nav {
        let nav_ext = Extension::new(Some("nav-item"), name)
            .attach_to(AttachPoint::new("app/nav", "items"))
            .output(&[core_data::NAV_ITEM.spec()])
            .factory(move |ctx| {
                let page = ExtensionId::from_parts(Some("page"), ctx.id().namespace(), name);
                Ok(ExtensionData::new().with(
                    core_data::NAV_ITEM,
                    NavItem {
                        title: nav.title.to_owned(),
                        icon: nav.icon.map(str::to_owned),
                        target: NavTarget::Page(page),
                    },
                ))
            });
        ext = ext.with_companion(nav_ext);
    }
    ext
}

/// Builds a routable extension (see `create_routable_extension!`).
pub fn routable_extension<F, Fut>(spec: RoutableSpec, render: F) -> Extension
where
    F: Fn(PageRequest) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Markup, PageError>> + Send + 'static,
{
    let RoutableSpec {
        name,
        route_ref,
        path,
        attach_to,
    } = spec;
    let (parent, input) = attach_to.unwrap_or(("app/routes", "routes"));
    let render = Arc::new(render);
    Extension::new(Some("routable"), name)
        .attach_to(AttachPoint::new(parent, input))
        .config_schema(ExtensionConfigSchema::of::<PathConfig>())
        .output(&[
            core_data::ROUTE_PATH.spec(),
            core_data::ROUTE_REF.spec(),
            core_data::PAGE.spec(),
        ])
        .factory(move |ctx| {
            Ok(ExtensionData::new()
                .with(core_data::ROUTE_PATH, mount_path(ctx, path)?)
                .with(core_data::ROUTE_REF, route_ref)
                .with(core_data::PAGE, {
                    let render = render.clone();
                    PageContent::new(move |req| render(req))
                }))
        })
}

/// Builds a component extension (see `create_component_extension!`).
pub fn component_extension<F, Fut>(spec: ComponentSpec, render: F) -> Extension
where
    F: Fn(ComponentRequest) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Markup, PageError>> + Send + 'static,
{
    let render = Arc::new(render);
    let ext = Extension::new(Some(spec.kind.unwrap_or("component")), Some(spec.name))
        .attach_to(AttachPoint::new(spec.attach_to.0, spec.attach_to.1))
        .output(&[core_data::COMPONENT.spec()])
        .factory(move |ctx| {
            Ok(ExtensionData::new().with(
                core_data::COMPONENT,
                Component::new(ctx.id().clone(), {
                    let render = render.clone();
                    move |req| render(req)
                }),
            ))
        });
    if spec.disabled {
        ext.disabled_by_default()
    } else {
        ext
    }
}

/// Builds an API extension (see `create_api_extension!`).
pub fn api_extension(factory: ApiFactory) -> Extension {
    let id = ExtensionId::from_parts(Some("api"), Some(factory.api_id()), None);
    Extension::with_id(id)
        .attach_to(AttachPoint::new("app", "apis"))
        .output(&[core_data::API_FACTORY.spec()])
        .factory(move |_| Ok(ExtensionData::new().with(core_data::API_FACTORY, factory.clone())))
}
