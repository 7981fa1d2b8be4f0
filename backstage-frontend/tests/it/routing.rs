//! Route refs, external route bindings and links.

use backstage_frontend::app::AppError;
use backstage_frontend::{App, ExternalRouteRef, FrontendPlugin};
use serde_json::json;

use super::support::*;

#[test]
fn links_follow_route_refs_and_encode_params() {
    let app = builder(json!({})).build().unwrap();
    let href = app.routes().href(
        CATALOG_ENTITY,
        &[
            ("namespace", "default"),
            ("kind", "component"),
            ("name", "<x y>"),
        ],
    );
    assert_eq!(
        href.as_deref(),
        Some("/catalog/default/component/%3Cx%20y%3E")
    );
    assert_eq!(
        app.routes()
            .href(CATALOG_ENTITY, &[("namespace", "default")]),
        None
    );
    assert_eq!(
        app.routes()
            .href(backstage_frontend::RouteRef::new("nobody.home"), &[]),
        None
    );
}

#[test]
fn external_routes_bind_from_config() {
    let app = builder(json!({"app": {"routes": {"bindings": {"catalog.viewDocs": "docs.root"}}}}))
        .build()
        .unwrap();
    assert_eq!(
        app.routes().href_external(VIEW_DOCS, &[]).as_deref(),
        Some("/docs")
    );
    assert_eq!(app.routes().binding(VIEW_DOCS), Some(DOCS_ROOT));

    // Unbound optional route: no link, no error.
    let app = builder(json!({})).build().unwrap();
    assert_eq!(app.routes().href_external(VIEW_DOCS, &[]), None);
}

#[test]
fn code_bindings_apply_and_config_wins() {
    let app = builder(json!({}))
        .bind_route(VIEW_DOCS, CATALOG_ROOT)
        .build()
        .unwrap();
    assert_eq!(
        app.routes().href_external(VIEW_DOCS, &[]).as_deref(),
        Some("/catalog")
    );
    let app = builder(json!({"app": {"routes": {"bindings": {"catalog.viewDocs": "docs.root"}}}}))
        .bind_route(VIEW_DOCS, CATALOG_ROOT)
        .build()
        .unwrap();
    assert_eq!(
        app.routes().href_external(VIEW_DOCS, &[]).as_deref(),
        Some("/docs")
    );
    let app = builder(json!({"app": {"routes": {"bindings": {"catalog.viewDocs": false}}}}))
        .bind_route(VIEW_DOCS, CATALOG_ROOT)
        .build()
        .unwrap();
    assert_eq!(app.routes().href_external(VIEW_DOCS, &[]), None);
}

#[test]
fn binding_follows_a_moved_page_and_drops_a_disabled_one() {
    let bindings = json!({"catalog.viewDocs": "docs.root"});
    let app = builder(json!({"app": {
        "routes": {"bindings": bindings},
        "extensions": [{"page:docs": {"config": {"path": "/handbook"}}}]
    }}))
    .build()
    .unwrap();
    assert_eq!(
        app.routes().href_external(VIEW_DOCS, &[]).as_deref(),
        Some("/handbook")
    );
    let app = builder(
        json!({"app": {"routes": {"bindings": bindings}, "extensions": [{"page:docs": false}]}}),
    )
    .build()
    .unwrap();
    assert_eq!(app.routes().href_external(VIEW_DOCS, &[]), None);
}

#[test]
fn required_external_routes_must_be_bound_unless_a_default_applies() {
    const NEEDS: ExternalRouteRef = ExternalRouteRef::new("needy.target");
    let needy = || FrontendPlugin::new("needy").external_route("target", NEEDS);
    let (err, text) = build_err(builder(json!({})).plugin(needy()));
    assert!(matches!(err, AppError::UnboundExternalRoute { .. }));
    assert!(
        text.contains("external route 'target' of plugin 'needy' is not bound"),
        "{text}"
    );
    assert!(
        text.contains("'needy.target': '<pluginId>.<routeName>'"),
        "{text}"
    );

    const WITH_DEFAULT: ExternalRouteRef =
        ExternalRouteRef::new("needy2.target").default_target("docs.root");
    let app = builder(json!({}))
        .plugin(FrontendPlugin::new("needy2").external_route("target", WITH_DEFAULT))
        .build()
        .unwrap();
    assert_eq!(
        app.routes().href_external(WITH_DEFAULT, &[]).as_deref(),
        Some("/docs")
    );
}

#[test]
fn bad_bindings_say_what_is_wrong() {
    for (key, target, message) in [
        (
            "nobody.x",
            json!("docs.root"),
            "no installed plugin has id 'nobody'",
        ),
        (
            "catalog.nope",
            json!("docs.root"),
            "plugin 'catalog' has no external route 'nope'",
        ),
        (
            "catalog.viewDocs",
            json!("docs.nope"),
            "plugin 'docs' has no route 'nope' (it has: root)",
        ),
        (
            "catalog.viewDocs",
            json!("docs"),
            "must be '<pluginId>.<routeName>'",
        ),
        ("catalog", json!("docs.root"), "the key must be"),
    ] {
        let (err, text) = build_err(builder(
            json!({"app": {"routes": {"bindings": {key: target}}}}),
        ));
        assert!(
            matches!(err, AppError::InvalidBinding { .. } | AppError::Config(_)),
            "{text}"
        );
        assert!(text.contains(message), "{key}: {text}");
    }
}

#[test]
fn a_binding_of_the_wrong_type_fails_config_validation() {
    let (err, text) = build_err(builder(
        json!({"app": {"routes": {"bindings": {"catalog.viewDocs": 3}}}}),
    ));
    assert!(matches!(err, AppError::Config(_)), "{text}");
    assert!(
        text.contains("app.routes.bindings") && text.contains("catalog.viewDocs"),
        "{text}"
    );
}

#[test]
fn app_config_schemas_mark_what_the_browser_may_see() {
    let schemas = App::config_schemas(&[]);
    assert!(schemas.iter().any(|s| s.path().to_string() == "app"));
}
