//! Tree building, validation (every error) and `app.extensions` overrides.

use backstage_frontend::app::AppError;
use backstage_frontend::{
    App, AttachPoint, Extension, ExtensionData, ExtensionId, ExtensionInput, FrontendPlugin,
    RouteRef, core_data, create_page_extension, create_routable_extension,
};
use maud::html;
use serde_json::json;

use super::support::*;

#[test]
fn builds_the_tree_from_plugins() {
    let app = builder(json!({})).build().unwrap();
    let tree = app.tree().to_string();
    for line in [
        "app\n",
        "  routes: app/routes\n",
        "    routes: page:catalog\n",
        "    routes: page:catalog/entity\n",
        "      cards: entity-card:docs/card\n",
        "    routes: page:docs\n",
        "  nav: app/nav\n",
        "    items: nav-item:catalog\n",
        "  apis: api:core.fetch\n",
        "  themes: theme:app/dark\n",
    ] {
        assert!(tree.contains(line), "missing {line:?} in\n{tree}");
    }
    assert_eq!(
        app.page_paths(),
        ["/catalog/:namespace/:kind/:name", "/catalog", "/docs"]
    );
    let nav: Vec<(&str, &str)> = app
        .nav_items()
        .iter()
        .map(|n| (n.title.as_str(), n.href.as_str()))
        .collect();
    assert_eq!(nav, [("Catalog", "/catalog"), ("Docs", "/docs")]);
    let node = app.tree().node("page:catalog/entity").unwrap();
    assert_eq!(node.plugin_id, "catalog");
    assert!(node.active && node.enabled);
}

#[test]
fn duplicate_extension_ids_name_both_plugins() {
    let page = |plugin: &str| {
        Extension::with_id(ExtensionId::parse("page:shared").unwrap())
            .attach_to(AttachPoint::new("app/nav", "items"))
            .output(&[])
            .namespace(plugin)
    };
    let (err, text) = build_err(
        App::builder()
            .plugin(plugin_with("one", page("shared")))
            .plugin(plugin_with("two", page("shared"))),
    );
    assert!(matches!(err, AppError::DuplicateExtension { .. }));
    assert!(
        text.contains("duplicate extension id 'page:shared'"),
        "{text}"
    );
    assert!(
        text.contains("plugin 'one'") && text.contains("plugin 'two'"),
        "{text}"
    );
}

#[test]
fn duplicate_and_malformed_plugin_ids_are_errors() {
    let (_, text) = build_err(
        App::builder()
            .plugin(FrontendPlugin::new("x"))
            .plugin(FrontendPlugin::new("x")),
    );
    assert!(
        text.starts_with("duplicate frontend plugin id 'x'"),
        "{text}"
    );
    let (_, text) = build_err(App::builder().plugin(FrontendPlugin::new("app")));
    assert!(
        text.starts_with("duplicate frontend plugin id 'app'"),
        "{text}"
    );
    let (_, text) = build_err(App::builder().plugin(FrontendPlugin::new("Bad Id")));
    assert!(
        text.starts_with("invalid frontend plugin id 'Bad Id'"),
        "{text}"
    );
    let (_, text) =
        build_err(App::builder().plugin(plugin_with("p", Extension::new(Some("Page"), None))));
    assert!(text.contains("invalid extension id 'Page:p'"), "{text}");
}

#[test]
fn unknown_parent_is_an_error_naming_both() {
    let ext = nav_link("x", "X", "/x").attach_to(AttachPoint::new("page:nowhere", "cards"));
    let (err, text) = build_err(App::builder().plugin(plugin_with("p", ext)));
    assert!(matches!(err, AppError::UnknownParent { .. }));
    assert!(
        text.contains("extension 'nav-item:p/x' attaches to 'page:nowhere', which does not exist"),
        "{text}"
    );
}

#[test]
fn unknown_input_lists_the_parents_inputs() {
    let ext = nav_link("x", "X", "/x").attach_to(AttachPoint::new("app", "sidebar"));
    let (_, text) = build_err(App::builder().plugin(plugin_with("p", ext)));
    assert!(
        text.contains("attaches to input 'sidebar' of 'app', which has no such input (it has: routes, nav, apis, themes)"),
        "{text}"
    );
}

#[test]
fn cycles_are_errors_that_show_the_loop() {
    let node = |name: &str, parent: &str| {
        Extension::new(Some("box"), Some(name))
            .attach_to(AttachPoint::new(parent, "children"))
            .input(ExtensionInput::new("children", &[]))
    };
    let plugin = FrontendPlugin::new("p")
        .extension(node("a", "box:p/b"))
        .extension(node("b", "box:p/a"));
    let (err, text) = build_err(App::builder().plugin(plugin));
    assert!(matches!(err, AppError::Cycle { .. }));
    assert!(text.contains("box:p/a -> box:p/b -> box:p/a"), "{text}");

    // A cycle made by config is caught too.
    let (_, text) = build_err(builder(json!({"app": {"extensions": [
        {"app/routes": {"attachTo": {"id": "page:catalog/entity", "input": "cards"}}}
    ]}})));
    assert!(
        text.contains("cycle") && text.contains("app/routes -> page:catalog/entity -> app/routes"),
        "{text}"
    );
}

#[test]
fn bad_extension_config_names_the_extension_and_key() {
    let (err, text) = build_err(builder(
        json!({"app": {"extensions": [{"page:catalog": {"config": {"path": 5}}}]}}),
    ));
    assert!(matches!(err, AppError::InvalidConfig { .. }));
    assert!(
        text.contains("invalid config for extension 'page:catalog'"),
        "{text}"
    );
    assert!(text.contains("at 'path'"), "{text}");

    let (_, text) = build_err(builder(
        json!({"app": {"extensions": [{"page:catalog": {"config": {"paht": "/x"}}}]}}),
    ));
    assert!(text.contains("unknown field `paht`"), "{text}");

    let (err, text) = build_err(builder(
        json!({"app": {"extensions": [{"nav-item:catalog": {"config": {"title": "X"}}}]}}),
    ));
    assert!(matches!(err, AppError::UnexpectedConfig { .. }), "{text}");
    assert!(
        text.contains("extension 'nav-item:catalog' takes no config"),
        "{text}"
    );
}

#[test]
fn two_extensions_claiming_one_path_is_an_error() {
    let (err, text) = build_err(builder(
        json!({"app": {"extensions": [{"page:docs": {"config": {"path": "/catalog/"}}}]}}),
    ));
    assert!(matches!(err, AppError::PathConflict { .. }), "{text}");
    assert!(
        text.contains("extensions 'page:catalog' and 'page:docs' both claim path '/catalog/'"),
        "{text}"
    );

    // Parameter names do not make two paths different.
    let (_, text) = build_err(builder(
        json!({"app": {"extensions": [{"page:docs": {"config": {"path": "/catalog/:a/:b/:c"}}}]}}),
    ));
    assert!(
        text.contains("'page:catalog/entity' and 'page:docs' both claim"),
        "{text}"
    );
}

#[test]
fn invalid_and_reserved_paths_are_errors() {
    for (path, reason) in [
        ("/api/docs", "reserved"),
        ("docs", "starts with '/'"),
        ("/a/{id}", "may contain only"),
    ] {
        let (err, text) = build_err(builder(
            json!({"app": {"extensions": [{"page:docs": {"config": {"path": path}}}]}}),
        ));
        assert!(matches!(err, AppError::InvalidPath { .. }), "{text}");
        assert!(
            text.contains("extension 'page:docs' has an invalid path") && text.contains(reason),
            "{text}"
        );
    }
}

#[test]
fn config_moves_a_page_and_links_follow() {
    let app = builder(
        json!({"app": {"extensions": [{"page:catalog": {"config": {"path": "/services"}}}]}}),
    )
    .build()
    .unwrap();
    assert!(app.page_paths().contains(&"/services"));
    assert_eq!(app.nav_items()[0].href, "/services");
    assert_eq!(
        app.routes().href(CATALOG_ROOT, &[]).as_deref(),
        Some("/services")
    );
}

#[test]
fn config_disables_and_enables_with_later_entries_winning() {
    let app = builder(json!({"app": {"extensions": [
        {"page:docs": false},
        {"nav-item:catalog": {"disabled": true}},
    ]}}))
    .build()
    .unwrap();
    assert!(!app.page_paths().contains(&"/docs"));
    assert!(
        app.nav_items().is_empty(),
        "the docs nav item goes with its page, the catalog one was disabled"
    );
    assert!(!app.tree().is_active("page:docs"));
    assert!(app.tree().node("page:docs").is_some_and(|n| !n.enabled));

    let app = builder(json!({"app": {"extensions": [{"page:docs": false}, "page:docs"]}}))
        .build()
        .unwrap();
    assert!(app.page_paths().contains(&"/docs"));

    // Off by default, on through config.
    let extra = || plugin_with("extra", nav_link("home", "Home", "/").disabled_by_default());
    let app = builder(json!({})).plugin(extra()).build().unwrap();
    assert!(!app.nav_items().iter().any(|n| n.title == "Home"));
    let app = builder(json!({"app": {"extensions": [{"nav-item:extra/home": true}]}}))
        .plugin(extra())
        .build()
        .unwrap();
    assert!(app.nav_items().iter().any(|n| n.title == "Home"));
}

#[test]
fn disabling_a_parent_removes_its_children() {
    let app = builder(json!({"app": {"extensions": [{"page:catalog/entity": false}]}}))
        .build()
        .unwrap();
    let card = app.tree().node("entity-card:docs/card").unwrap();
    assert!(card.enabled && !card.active);
}

#[test]
fn config_attach_to_moves_an_extension() {
    let ext = Extension::new(Some("page-slot"), Some("x"))
        .input(ExtensionInput::new("cards", &[core_data::COMPONENT.spec()]))
        .attach_to(AttachPoint::new("app/nav", "items"))
        .disabled_by_default();
    let app = builder(json!({"app": {"extensions": [
        {"entity-card:docs/card": {"attachTo": {"id": "page-slot:p/x", "input": "cards"}}}
    ]}}))
    .plugin(plugin_with("p", ext))
    .build()
    .unwrap();
    let card = app.tree().node("entity-card:docs/card").unwrap();
    assert_eq!(
        card.attach_to.as_ref().unwrap().id.to_string(),
        "page-slot:p/x"
    );
    assert!(!card.active, "its new parent is disabled");
}

#[test]
fn config_entries_are_checked() {
    let (err, text) = build_err(builder(
        json!({"app": {"extensions": [{"page:nope": false}]}}),
    ));
    assert!(matches!(
        err,
        AppError::UnknownExtensionInConfig { index: 0, .. }
    ));
    assert!(
        text.contains("'app.extensions[0]' refers to extension 'page:nope'"),
        "{text}"
    );
    for (entry, message) in [
        (json!(5), "each entry is an extension id"),
        (
            json!({"page:docs": {"disabld": true}}),
            "unknown setting 'disabld'",
        ),
        (
            json!({"page:docs": {"attachTo": {"id": "app"}}}),
            "needs string fields 'id' and 'input'",
        ),
        (
            json!({"page:docs": "yes"}),
            "must be true, false or an object",
        ),
        (json!("Page:docs"), "invalid extension id"),
    ] {
        let (_, text) = build_err(builder(
            json!({"app": {"extensions": ["page:catalog", entry]}}),
        ));
        assert!(
            text.starts_with("invalid config at 'app.extensions[1]'") && text.contains(message),
            "{text}"
        );
    }
    let (_, text) = build_err(builder(
        json!({"app": {"extensions": {"page:docs": false}}}),
    ));
    assert!(
        text.contains("'app.extensions'") && text.contains("is not of type \"array\""),
        "{text}"
    );
}

#[test]
fn singleton_inputs_and_input_data_are_enforced() {
    let (err, text) = build_err(builder(json!({})).plugin(plugin_with(
        "p",
        nav_link("x", "X", "/x").attach_to(AttachPoint::new("app", "nav")),
    )));
    assert!(matches!(err, AppError::SingletonInput { .. }));
    assert!(
        text.contains(
            "input 'nav' of 'app' takes one extension, but 2 are attached: app/nav, nav-item:p/x"
        ),
        "{text}"
    );

    let (err, text) = build_err(builder(
        json!({"app": {"extensions": [{"app/nav": false}]}}),
    ));
    assert!(matches!(err, AppError::MissingSingleton { .. }));
    assert!(
        text.contains("input 'nav' of 'app' requires an extension"),
        "{text}"
    );

    let (err, text) = build_err(builder(json!({})).plugin(plugin_with(
        "p",
        nav_link("x", "X", "/x").attach_to(AttachPoint::new("app/routes", "routes")),
    )));
    assert!(matches!(err, AppError::MissingInputData { .. }));
    assert!(text.contains("'nav-item:p/x' is attached to input 'routes' of 'app/routes', which requires data 'core.routing.path'"), "{text}");
}

#[test]
fn factory_errors_and_missing_outputs_name_the_extension() {
    const R: RouteRef = RouteRef::new("p.r");
    let routable = create_routable_extension! {
        name: "r",
        route_ref: R,
        render: |_req| async { Ok(html! {}) },
    };
    let (err, text) = build_err(App::builder().plugin(plugin_with("p", routable)));
    assert!(matches!(err, AppError::Factory { .. }));
    assert!(
        text.contains("extension 'routable:p/r' failed: extension 'routable:p/r' has no path"),
        "{text}"
    );

    let liar = Extension::new(Some("nav-item"), Some("liar"))
        .attach_to(AttachPoint::new("app/nav", "items"))
        .output(&[core_data::NAV_ITEM.spec()])
        .factory(|_| Ok(ExtensionData::new()));
    let (err, text) = build_err(App::builder().plugin(plugin_with("p", liar)));
    assert!(matches!(err, AppError::MissingOutput { .. }));
    assert!(
        text.contains("'nav-item:p/liar' did not output 'core.nav.item'"),
        "{text}"
    );
}

#[test]
fn pages_load_only_assets_their_plugin_ships() {
    let plugin = FrontendPlugin::new("p").extension(create_page_extension! {
        path: "/p",
        title: "P",
        scripts: ["missing.js"],
        render: |_req| async { Ok(html! {}) },
    });
    let (err, text) = build_err(App::builder().plugin(plugin));
    assert!(matches!(err, AppError::UnknownAsset { .. }));
    assert!(
        text.contains(
            "extension 'page:p' loads asset 'missing.js', which plugin 'p' does not ship"
        ),
        "{text}"
    );
}

#[test]
fn discovered_plugins_join_only_when_asked() {
    fn discoverable() -> FrontendPlugin {
        FrontendPlugin::new("discoverable").extension(nav_link("d", "Discovered", "/d"))
    }
    backstage_frontend::register_plugin!(discoverable());
    let app = App::builder().build().unwrap();
    assert!(app.nav_items().is_empty());
    let app = App::builder().discover_plugins().build().unwrap();
    assert_eq!(app.nav_items()[0].title, "Discovered");
}
