//! Errors: API error bodies, other bodies, transport, bad base URLs.

use backstage_common::catalog::Entity;
use backstage_plugin_catalog_common::{CatalogClient, CatalogClientError, GetEntitiesParams};
use serde_json::{Value, json};

use super::{MockCatalog, Reply, error_body};

#[tokio::test]
async fn backstage_error_bodies_become_typed_errors() {
    let server = MockCatalog::start(vec![
        Reply::json(
            400,
            error_body("InputError", "Invalid filter, '=x' is not a valid statement", 400, "GET", "/entities?filter==x"),
        ),
        Reply::json(401, error_body("AuthenticationError", "Missing credentials", 401, "GET", "/entities")),
        Reply::json(500, json!({"error": {"name": "Error", "message": "boom", "stack": "..."}, "response": {"statusCode": 500}})),
    ])
    .await;
    let client = server.client();

    let err = client
        .get_entities::<Value>(&GetEntitiesParams::default())
        .await
        .unwrap_err();
    let api = err.api_error().expect("api error");
    assert_eq!(api.status, 400);
    assert_eq!(api.name, "InputError");
    assert_eq!(api.message, "Invalid filter, '=x' is not a valid statement");
    assert_eq!(api.method, "GET");
    assert_eq!(api.url, format!("{}/entities", server.base_url));
    assert_eq!(
        api.body.as_ref().unwrap().request.as_ref().unwrap().url,
        "/entities?filter==x"
    );
    assert_eq!(err.status(), Some(400));
    assert_eq!(
        err.to_string(),
        format!(
            "the catalog answered GET {}/entities with 400 InputError: Invalid filter, '=x' is not a valid statement",
            server.base_url
        )
    );

    let err = client
        .get_entities::<Value>(&GetEntitiesParams::default())
        .await
        .unwrap_err();
    assert_eq!(err.api_error().unwrap().name, "AuthenticationError");

    let err = client
        .get_entities::<Value>(&GetEntitiesParams::default())
        .await
        .unwrap_err();
    let api = err.api_error().unwrap();
    assert_eq!(
        (api.status, api.name.as_str(), api.message.as_str()),
        (500, "Error", "boom")
    );
}

#[tokio::test]
async fn other_error_bodies_are_described() {
    let server = MockCatalog::start(vec![
        Reply::text(502, "upstream connect error"),
        Reply::empty(503),
        Reply::text(404, "<html>not here</html>"),
    ])
    .await;
    let client = server.client();
    let err = client
        .get_entities::<Value>(&GetEntitiesParams::default())
        .await
        .unwrap_err();
    let api = err.api_error().unwrap();
    assert_eq!(api.name, "Error");
    assert_eq!(
        api.message,
        "request failed with status 502 Bad Gateway: upstream connect error"
    );
    assert!(api.body.is_none());
    let err = client
        .get_entities::<Value>(&GetEntitiesParams::default())
        .await
        .unwrap_err();
    assert_eq!(
        err.api_error().unwrap().message,
        "request failed with status 503 Service Unavailable"
    );
    // A 404 on a list endpoint is an error, not "none".
    let err = client
        .get_entities::<Value>(&GetEntitiesParams::default())
        .await
        .unwrap_err();
    assert!(err.api_error().unwrap().is_not_found());
}

#[tokio::test]
async fn bodies_that_do_not_fit_are_decode_errors() {
    let server = MockCatalog::start(vec![
        Reply::text(200, "not json"),
        Reply::json(200, json!([{"metadata": {"name": "no kind"}}])),
    ])
    .await;
    let client = server.client();
    let err = client
        .get_entities::<Value>(&GetEntitiesParams::default())
        .await
        .unwrap_err();
    assert!(
        matches!(err, CatalogClientError::Decode { status: 200, .. }),
        "{err}"
    );
    assert!(
        err.to_string()
            .starts_with("cannot read the catalog's 200 answer to GET"),
        "{err}"
    );
    // A projection read as whole entities does not fit; Value does.
    let err = client
        .get_entities::<Entity>(&GetEntitiesParams::default())
        .await
        .unwrap_err();
    assert!(matches!(err, CatalogClientError::Decode { .. }), "{err}");
}

#[tokio::test]
async fn unreachable_catalogs_are_transport_errors() {
    // Bind and drop a listener to find a port nobody listens on.
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let client = CatalogClient::new(&format!("http://127.0.0.1:{port}/api/catalog")).unwrap();
    let err = client.get_entity_by_uid("x").await.unwrap_err();
    assert!(matches!(err, CatalogClientError::Transport { .. }), "{err}");
    assert!(
        err.to_string().starts_with(&format!(
            "GET http://127.0.0.1:{port}/api/catalog/entities/by-uid/x failed"
        )),
        "{err}"
    );
}

#[test]
fn base_urls() {
    let client = CatalogClient::new("http://localhost:7007/api/catalog/").unwrap();
    assert_eq!(
        client.base_url().as_str(),
        "http://localhost:7007/api/catalog"
    );
    let client = CatalogClient::new("https://backstage.example.com/api/catalog").unwrap();
    assert_eq!(client.base_url().scheme(), "https");
    for (url, words) in [
        ("localhost:7007/api/catalog", "scheme must be http or https"),
        ("/api/catalog", "relative URL without a base"),
        ("ftp://host/api/catalog", "scheme must be http or https"),
        ("http://host/api/catalog?x=1", "must not have a query"),
        (
            "http://host/api/catalog#top",
            "must not have a query or fragment",
        ),
    ] {
        let err = CatalogClient::new(url).unwrap_err();
        let text = err.to_string();
        assert!(
            text.starts_with(&format!("invalid catalog base URL {url:?}")),
            "{text}"
        );
        assert!(text.contains(words), "{text}");
    }
}

#[tokio::test]
async fn tokens() {
    let server = MockCatalog::start(vec![Reply::empty(204), Reply::empty(204)]).await;
    let client = server.client().with_token("t1");
    client.delete_location("a").await.unwrap();
    client
        .clone()
        .without_token()
        .delete_location("b")
        .await
        .unwrap();
    let requests = server.requests();
    assert_eq!(requests[0].authorization.as_deref(), Some("Bearer t1"));
    assert_eq!(requests[1].authorization, None);
}
