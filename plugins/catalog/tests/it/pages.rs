//! The catalog pages over plain HTTP against a stub catalog: every state
//! of the index and the entity page.

use backstage_frontend::FrontendPlugin;
use backstage_plugin_catalog_react::{
    EntityCondition, entity_card_extension, entity_content_extension, entity_of,
};
use maud::html;
use serde_json::{Value, json};

use super::support::*;

fn company(components: usize) -> Vec<Value> {
    let mut entities: Vec<Value> = (0..components)
        .map(|i| {
            let owner = if i % 3 == 0 { "team-a" } else { "team-b" };
            let kind = if i % 2 == 0 { "service" } else { "website" };
            component(&format!("svc-{i:03}"), owner, kind)
        })
        .collect();
    entities.push(json!({
        "apiVersion": "backstage.io/v1alpha1", "kind": "Group",
        "metadata": { "name": "team-a", "description": "Team A" },
        "spec": { "type": "team", "children": [] },
        "relations": [
            { "type": "hasMember", "targetRef": "user:default/ada" },
            { "type": "ownerOf", "targetRef": "component:default/svc-000" }
        ]
    }));
    entities.push(json!({
        "apiVersion": "backstage.io/v1alpha1", "kind": "API",
        "metadata": { "name": "orders-api" },
        "spec": { "type": "openapi", "lifecycle": "production", "owner": "team-a",
                  "definition": "openapi: 3.0.0\ninfo:\n  title: <script>window.pwned=1</script>\n" },
        "relations": [{ "type": "apiProvidedBy", "targetRef": "component:default/svc-000" }]
    }));
    entities
}

fn hostile() -> Value {
    json!({
        "apiVersion": "backstage.io/v1alpha1", "kind": "Component",
        "metadata": {
            "name": "xss-canary", "title": "<img src=x onerror=alert(1)>",
            "description": "plain <script>alert(1)</script> text",
            "tags": ["<b>t</b>"],
            "annotations": {
                "backstage.io/view-url": "javascript:alert(2)",
                "backstage.io/edit-url": "https://example.com/edit?a=1&b=\"2\"",
                "backstage.io/managed-by-location": "url:javascript:alert(3)"
            },
            "links": [
                { "url": "javascript:alert(4)", "title": "<b onmouseover=alert(5)>hover</b>" },
                { "url": "https://example.com/docs", "title": "Docs" }
            ]
        },
        "spec": { "type": "website", "lifecycle": "experimental", "owner": "<script>x</script>" },
        "status": { "items": [{
            "type": "backstage.io/catalog-processing", "level": "error",
            "message": "Processing failed: <script>bad</script>",
            "error": { "name": "InputError", "message": "spec.owner is <not> a ref" }
        }] }
    })
}

#[tokio::test]
async fn index_shows_a_page_of_components_with_counts_and_pages_forward_and_back() {
    let stub = Stub::with(company(30));
    let base = serve(stub.clone()).await;
    let router = app(&base, json!({}), vec![]).router();

    let (status, page) = get(&router, "/catalog").await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Components (30)"), "count");
    assert_eq!(rows(&page), 25);
    // Facet counts in the pickers: 10 of 30 components are team-a's.
    assert!(page.contains(">team-a (10)<"), "owner facet");
    assert!(
        page.contains(">Component (30)<") && page.contains(">API (1)<"),
        "kind facet"
    );
    // The name links to the entity page, the owner to the group's page.
    assert!(page.contains("href=\"/catalog/default/component/svc-000\""));
    assert!(page.contains("href=\"/catalog/default/group/team-a\""));
    assert!(rel_link(&page, "prev").is_none());

    let next = rel_link(&page, "next").expect("a next link");
    let (status, second) = get(&router, &next).await;
    assert_eq!(status, 200);
    assert_eq!(rows(&second), 5);
    assert!(second.contains("svc-029") && !second.contains("svc-000<"));
    assert!(rel_link(&second, "next").is_none());
    let prev = rel_link(&second, "prev").expect("a previous link");
    let (_, first_again) = get(&router, &prev).await;
    assert!(first_again.contains("svc-000"));

    // Every call carried the app's credential, and no call asked for more
    // than one page.
    let requests = stub.requests();
    assert!(
        requests
            .iter()
            .all(|(_, auth)| auth.as_deref() == Some("Bearer test-token"))
    );
    assert!(
        requests
            .iter()
            .filter(|(p, _)| p.starts_with("/entities/by-query"))
            .all(|(p, _)| p.contains("limit=25"))
    );
}

#[tokio::test]
async fn filters_search_and_sort_come_from_the_query_string_and_stay_in_the_form() {
    let base = serve(Stub::with(company(30))).await;
    let router = app(&base, json!({}), vec![]).router();
    let (status, page) = get(
        &router,
        "/catalog?kind=component&owner=group%3Adefault%2Fteam-a&type=service&q=svc-01&sort=name&dir=desc",
    )
    .await;
    assert_eq!(status, 200);
    // team-a has i % 3 == 0, services have even i: svc-012 and svc-018 of svc-01x.
    assert!(
        page.contains("Components (2)"),
        "{}",
        &page[page.find("catalog-count").unwrap_or(0)..][..200]
    );
    let first = page.find("svc-018").expect("svc-018");
    let second = page.find("svc-012").expect("svc-012");
    assert!(first < second, "sorted descending");
    assert!(
        page.contains("value=\"group:default/team-a\" selected"),
        "owner stays selected"
    );
    assert!(page.contains("value=\"svc-01\""), "search stays in the box");
    assert!(page.contains("aria-sort=\"descending\""));
}

#[tokio::test]
async fn empty_and_unmatched_views_say_so() {
    let base = serve(Stub::with(vec![])).await;
    let router = app(&base, json!({}), vec![]).router();
    let (status, page) = get(&router, "/catalog").await;
    assert_eq!(status, 200);
    assert!(page.contains("No components yet"));
    assert_eq!(rows(&page), 0);

    let base = serve(Stub::with(company(3))).await;
    let router = app(&base, json!({}), vec![]).router();
    let (_, page) = get(&router, "/catalog?q=nothing-like-this").await;
    assert!(page.contains("No components match"));
}

#[tokio::test]
async fn many_rows_are_capped_at_one_hundred() {
    let base = serve(Stub::with(company(150))).await;
    let router = app(&base, json!({}), vec![]).router();
    let (_, page) = get(&router, "/catalog?limit=100000").await;
    assert_eq!(rows(&page), 100);
    assert!(page.contains("Components (150)"));
}

#[tokio::test]
async fn a_catalog_that_is_down_slow_or_failing_is_an_error_state_not_a_blank_page() {
    // Down: nothing listens.
    let router = app(&closed_port().await, json!({}), vec![]).router();
    for path in ["/catalog", "/catalog/default/component/web"] {
        let (status, page) = get(&router, path).await;
        assert_eq!(status, 503, "{path}");
        assert!(page.contains("could not be reached"), "{path}: {page}");
        assert!(page.contains("bs-sidebar"), "shown in the shell");
    }

    // Slow: answers after 5 s, the API gives up after 200 ms.
    let stub = Stub {
        delay: Some(std::time::Duration::from_secs(5)),
        ..Stub::with(company(3))
    };
    let base = serve(stub).await;
    let slow = json!({ "extensions": [{ "api:plugin.catalog.service": { "config": { "timeoutMs": 200 } } }] });
    let router = app(&base, slow, vec![]).router();
    let (status, page) = get(&router, "/catalog").await;
    assert_eq!(status, 503);
    assert!(page.contains("did not answer in time"), "{page}");

    // Failing: 500 from the catalog.
    let stub = Stub {
        fail_with: Some(500),
        ..Stub::with(company(3))
    };
    let router = app(&serve(stub).await, json!({}), vec![]).router();
    let (status, page) = get(&router, "/catalog").await;
    assert_eq!(status, 503);
    assert!(page.contains("having trouble"));
    assert!(
        !page.contains("stub failure"),
        "the catalog's own message is not shown"
    );
}

#[tokio::test]
async fn a_request_the_catalog_cannot_take_is_a_400_that_says_why() {
    let base = serve(Stub::with(company(3))).await;
    let router = app(&base, json!({}), vec![]).router();
    // A stale or forged cursor: the catalog's 400 is passed on.
    let (status, page) = get(&router, "/catalog?cursor=not-a-cursor").await;
    assert_eq!(status, 400);
    assert!(page.contains("Malformed cursor"), "{page}");
    // A filter value the filter syntax cannot express never reaches it.
    let (status, page) = get(&router, "/catalog?owner=a%2Cb").await;
    assert_eq!(status, 400, "{page}");
    assert!(page.contains("bs-sidebar"), "in the shell");
}

#[tokio::test]
async fn an_unknown_entity_is_the_404_page() {
    let base = serve(Stub::with(company(2))).await;
    let router = app(&base, json!({}), vec![]).router();
    let (status, page) = get(&router, "/catalog/default/component/nope").await;
    assert_eq!(status, 404);
    assert!(
        page.contains("404") && page.contains("no component called &#39;nope&#39;")
            || page.contains("no component called 'nope'"),
        "{page}"
    );
    let (status, _) = get(&router, "/catalog/default/component/svc-000/no-such-tab").await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn the_entity_page_shows_about_relations_and_links() {
    let base = serve(Stub::with(company(3))).await;
    let router = app(&base, json!({}), vec![]).router();
    let (status, page) = get(&router, "/catalog/default/component/svc-000").await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("id=\"catalog-about\""));
    assert!(page.contains("The svc-000 component"));
    assert!(
        page.contains("href=\"/catalog/default/group/team-a\""),
        "owner link"
    );
    assert!(
        page.contains("href=\"/catalog/default/system/shop\""),
        "system link"
    );
    assert!(page.contains("data-relation=\"ownedBy\""));
    // Tags link to the index filtered by the tag.
    assert!(page.contains("href=\"/catalog?kind=component&amp;tag=rust\""));

    // A group: members and owned entities.
    let (status, group) = get(&router, "/catalog/default/group/team-a").await;
    assert_eq!(status, 200);
    assert!(
        group.contains("id=\"catalog-members\"")
            && group.contains("href=\"/catalog/default/user/ada\"")
    );
    assert!(group.contains("id=\"catalog-owned\"") && group.contains("svc-000"));
    assert!(
        !group.contains("id=\"catalog-relations\""),
        "groups get members, not the relations card"
    );

    // An API: its definition, as text.
    let (_, api) = get(&router, "/catalog/default/api/orders-api").await;
    assert!(
        api.contains("href=\"/catalog/default/api/orders-api/definition\""),
        "definition tab"
    );
    let (status, definition) = get(&router, "/catalog/default/api/orders-api/definition").await;
    assert_eq!(status, 200);
    assert!(definition.contains("&lt;script&gt;window.pwned=1&lt;/script&gt;"));
    assert!(!definition.contains("<script>window.pwned"));
}

#[tokio::test]
async fn hostile_entity_data_is_escaped_and_only_http_links_are_live() {
    let base = serve(Stub::with(vec![hostile()])).await;
    let router = app(&base, json!({}), vec![]).router();
    for path in ["/catalog", "/catalog/default/component/xss-canary"] {
        let (status, page) = get(&router, path).await;
        assert_eq!(status, 200, "{path}");
        let body = &page[page.find("<main").unwrap()..];
        assert!(
            !body.contains("<script>"),
            "{path}: a script element from entity data"
        );
        assert!(
            !body.contains("<img"),
            "{path}: an img element from entity data"
        );
        assert!(
            !body.contains("<b>") && !body.contains("<b "),
            "{path}: markup from entity data"
        );
        assert!(
            !page.to_lowercase().contains("href=\"javascript:"),
            "{path}: a javascript: link"
        );
    }
    let (_, page) = get(&router, "/catalog/default/component/xss-canary").await;
    assert!(page.contains("plain &lt;script&gt;alert(1)&lt;/script&gt; text"));
    assert!(
        page.contains("href=\"https://example.com/docs\""),
        "the http link stays live"
    );
    assert!(
        page.contains("href=\"https://example.com/edit?a=1&amp;b=&quot;2&quot;\""),
        "edit link, escaped"
    );
    assert!(
        !page.contains(">View source<"),
        "no view link from a javascript: annotation"
    );
    assert!(page.contains("This entity has processing errors"));
    assert!(page.contains("Processing failed: &lt;script&gt;bad&lt;/script&gt;"));
    assert!(page.contains("spec.owner is &lt;not&gt; a ref"));
}

fn tab_plugin() -> FrontendPlugin {
    FrontendPlugin::new("demo")
        .extension(entity_content_extension(
            "ci",
            "CI builds",
            "ci",
            EntityCondition::kind("component").and(EntityCondition::spec_type(["service"])),
            |req| async move {
                let entity = entity_of(&req)?;
                Ok(html! { p #demo-tab { "Builds of " (entity.metadata.name) } })
            },
        ))
        .extension(entity_card_extension(
            "note",
            EntityCondition::kind("group"),
            |_req| async move { Ok(html! { p #demo-card { "A note for groups" } }) },
        ))
}

#[tokio::test]
async fn tabs_and_cards_of_other_plugins_show_only_where_their_condition_holds() {
    let base = serve(Stub::with(company(3))).await;
    let router = app(&base, json!({}), vec![tab_plugin()]).router();
    // svc-000 is a service: the tab is there and renders below the page.
    let (_, service) = get(&router, "/catalog/default/component/svc-000").await;
    assert!(service.contains("href=\"/catalog/default/component/svc-000/ci\""));
    assert!(!service.contains("demo-card"));
    let (status, tab) = get(&router, "/catalog/default/component/svc-000/ci").await;
    assert_eq!(status, 200);
    assert!(tab.contains("Builds of svc-000") && tab.contains("aria-current=\"page\">CI builds<"));
    // svc-001 is a website: no tab, and its URL is a 404.
    let (_, website) = get(&router, "/catalog/default/component/svc-001").await;
    assert!(!website.contains("/svc-001/ci\""));
    let (status, _) = get(&router, "/catalog/default/component/svc-001/ci").await;
    assert_eq!(status, 404);
    // The group gets the card.
    let (_, group) = get(&router, "/catalog/default/group/team-a").await;
    assert!(group.contains("id=\"demo-card\""));

    // Config moves the tab and narrows the card away.
    let config = json!({ "extensions": [
        { "entity-content:demo/ci": { "config": { "path": "builds", "title": "Builds" } } },
        { "entity-card:demo/note": { "config": { "filter": { "kind": ["api"] } } } }
    ] });
    let router = app(&base, config, vec![tab_plugin()]).router();
    let (status, tab) = get(&router, "/catalog/default/component/svc-000/builds").await;
    assert_eq!(status, 200);
    assert!(tab.contains(">Builds<"));
    let (_, group) = get(&router, "/catalog/default/group/team-a").await;
    assert!(!group.contains("id=\"demo-card\""));
}

#[tokio::test]
async fn config_moves_the_pages_and_links_follow() {
    let base = serve(Stub::with(company(3))).await;
    let config = json!({ "extensions": [
        { "page:catalog": { "config": { "path": "/services" } } },
        { "page:catalog/entity": { "config": { "path": "/services/:namespace/:kind/:name/*" } } }
    ] });
    let router = app(&base, config, vec![]).router();
    let (status, page) = get(&router, "/services").await;
    assert_eq!(status, 200);
    assert!(page.contains("href=\"/services/default/component/svc-000\""));
    assert!(page.contains("action=\"/services\""));
    let (status, _) = get(&router, "/services/default/component/svc-000").await;
    assert_eq!(status, 200);
    let (status, _) = get(&router, "/catalog").await;
    assert_eq!(status, 404);
}

#[test]
fn an_entity_page_path_without_its_parameters_is_refused_at_startup() {
    let config = backstage_common::config::Config::from_value(json!({
        "backend": { "baseUrl": "http://localhost:1" },
        "app": { "extensions": [ { "page:catalog/entity": { "config": { "path": "/e/:name/*" } } } ] }
    }));
    let err = backstage_frontend::App::builder()
        .config(config)
        .plugin(backstage_plugin_catalog::plugin())
        .build()
        .unwrap_err();
    assert!(err.to_string().contains(":namespace"), "{err}");
}
