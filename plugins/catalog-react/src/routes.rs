//! Route refs of the catalog's pages and links to entities built through
//! them, so a link follows the catalog wherever config moves it.

use backstage_common::catalog::{Entity, EntityRef, RefContext};
use backstage_frontend::RouteRef;
use backstage_frontend::app::RouteResolver;
use maud::{Markup, html};

/// The catalog index (`/catalog` by default).
pub const CATALOG_INDEX_ROUTE: RouteRef = RouteRef::new("catalog.catalogIndex");

/// An entity's page (`/catalog/:namespace/:kind/:name` by default). Build
/// links with [`entity_href`] rather than by hand: it lowercases the kind
/// and namespace as Backstage does.
pub const ENTITY_ROUTE: RouteRef =
    RouteRef::new("catalog.catalogEntity").with_params(&["namespace", "kind", "name"]);

/// The "register existing component" page (`/catalog-import`).
pub const CATALOG_IMPORT_ROUTE: RouteRef = RouteRef::new("catalog.importPage");

/// The link to an entity's page, or `None` when no page is bound to
/// [`ENTITY_ROUTE`] (the catalog plugin is not installed or its entity page
/// is disabled).
///
/// ```
/// use backstage_common::catalog::{EntityRef, RefContext};
/// use backstage_frontend::{App, FrontendPlugin, create_page_extension};
/// use backstage_plugin_catalog_react::{ENTITY_ROUTE, entity_href};
/// use maud::html;
///
/// let catalog = FrontendPlugin::new("catalog").route("catalogEntity", ENTITY_ROUTE).extension(create_page_extension! {
///     path: "/services/:namespace/:kind/:name", title: "Entity", route_ref: ENTITY_ROUTE,
///     render: |_req| async { Ok(html! {}) },
/// });
/// let app = App::builder().plugin(catalog).build()?;
/// let web = EntityRef::parse("Component:Default/web", &RefContext::new())?;
/// assert_eq!(entity_href(app.routes(), &web).as_deref(), Some("/services/default/component/web"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn entity_href(routes: &RouteResolver, entity: &EntityRef) -> Option<String> {
    let kind = entity.kind().to_ascii_lowercase();
    let namespace = entity.namespace().to_ascii_lowercase();
    routes.href(
        ENTITY_ROUTE,
        &[
            ("namespace", namespace.as_str()),
            ("kind", kind.as_str()),
            ("name", entity.name()),
        ],
    )
}

/// How an entity ref is shown: `name` for the default namespace and a kind
/// that goes without saying (`default_kind`), `namespace/name` in another
/// namespace, `kind:namespace/name` when the kind differs.
pub fn humanize_ref(entity: &EntityRef, default_kind: Option<&str>) -> String {
    let same_kind = default_kind.is_some_and(|k| entity.is_kind(k));
    let namespace = if entity.namespace().eq_ignore_ascii_case("default") {
        None
    } else {
        Some(entity.namespace())
    };
    match (same_kind, namespace) {
        (true, None) => entity.name().to_owned(),
        (true, Some(ns)) => format!("{ns}/{}", entity.name()),
        (false, None) => format!("{}:{}", entity.kind().to_ascii_lowercase(), entity.name()),
        (false, Some(ns)) => format!(
            "{}:{ns}/{}",
            entity.kind().to_ascii_lowercase(),
            entity.name()
        ),
    }
}

/// A link to the entity behind `reference` (a ref string as entities write
/// them, e.g. `group:platform-team` or `platform-team` with `default_kind`
/// `group`), shown humanized. Plain text when the ref does not parse or no
/// entity page is installed. Every part is escaped.
pub fn entity_ref_link(
    routes: &RouteResolver,
    reference: &str,
    default_kind: Option<&str>,
) -> Markup {
    let mut ctx = RefContext::new();
    if let Some(kind) = default_kind {
        ctx = ctx.with_default_kind(kind);
    }
    match EntityRef::parse(reference, &ctx) {
        Ok(entity) => entity_link(routes, &entity, default_kind, None),
        Err(_) => html! { span.bs-entity-ref { (reference) } },
    }
}

/// A link to `entity`'s page with `title` (or the humanized ref) as text.
pub fn entity_link(
    routes: &RouteResolver,
    entity: &EntityRef,
    default_kind: Option<&str>,
    title: Option<&str>,
) -> Markup {
    let text = match title {
        Some(t) if !t.is_empty() => t.to_owned(),
        _ => humanize_ref(entity, default_kind),
    };
    let canonical = entity.to_string();
    match entity_href(routes, entity) {
        Some(href) => html! {
            a.bs-link.bs-entity-ref href=(href) title=(canonical) data-entity-ref=(canonical) { (text) }
        },
        None => html! { span.bs-entity-ref title=(canonical) { (text) } },
    }
}

/// A link to `entity`'s own page, with its title (or name) as text.
pub fn entity_page_link(routes: &RouteResolver, entity: &Entity) -> Markup {
    let reference = entity.entity_ref();
    let title = entity
        .metadata
        .title
        .as_deref()
        .unwrap_or(&entity.metadata.name);
    entity_link(routes, &reference, Some(&entity.kind), Some(title))
}

/// `url` if it is an absolute `http:` or `https:` URL without control
/// characters or spaces — the only links the catalog makes from entity data
/// (links, annotations) — else `None`.
pub fn http_url(url: &str) -> Option<&str> {
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    let http = lower.starts_with("https://") || lower.starts_with("http://");
    let clean = !url
        .chars()
        .any(|c| c.is_control() || c.is_whitespace() || c == '\\');
    let has_host = url
        .split_once("://")
        .is_some_and(|(_, rest)| !rest.is_empty() && !rest.starts_with('/'));
    (http && clean && has_host).then_some(url)
}

/// An external link for entity data: a live link for an http(s) URL (with
/// `rel="noopener noreferrer"`), plain text for anything else.
pub fn external_link(url: &str, text: &str) -> Markup {
    match http_url(url) {
        Some(href) => html! {
            a.bs-link href=(href) rel="noopener noreferrer" target="_blank" { (text) }
        },
        None => {
            html! { span.bs-link--refused title="This link is not an http(s) URL and is not shown as a link" { (text) } }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_http_urls_become_links() {
        for good in ["https://example.com/x?a=1", "http://h:8080/"] {
            assert_eq!(http_url(good), Some(good));
        }
        for bad in [
            "javascript:alert(1)",
            " https://example.com",
            "JaVaScRiPt:alert(1)",
            "data:text/html,<script>",
            "https:///path",
            "https://ex ample.com",
            "https://example.com/\n",
            "//example.com",
            "/relative",
            "mailto:a@b.c",
        ] {
            assert_eq!(http_url(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn refs_are_humanized() {
        let ctx = RefContext::new();
        let r = |s| EntityRef::parse(s, &ctx).expect("ref");
        assert_eq!(humanize_ref(&r("group:default/a"), Some("Group")), "a");
        assert_eq!(humanize_ref(&r("group:ops/a"), Some("group")), "ops/a");
        assert_eq!(humanize_ref(&r("User:default/b"), Some("group")), "user:b");
        assert_eq!(humanize_ref(&r("user:x/b"), None), "user:x/b");
    }
}
