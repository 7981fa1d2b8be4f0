//! Visibility from schemas: frontend view, secrets masked in Debug and errors.

use backstage_core::config::{ConfigLoadError, ConfigSchema, ConfigSection, Visibility};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::json;

use crate::support::AppDir;

/// App settings, some for the browser.
#[derive(Debug, Deserialize, JsonSchema, ConfigSection)]
#[serde(rename_all = "camelCase")]
#[config_section(path = "app")]
#[allow(dead_code)]
struct AppConfig {
    #[schemars(extend("visibility" = "frontend"))]
    title: String,
    #[schemars(extend("visibility" = "frontend"))]
    base_url: Option<String>,
    #[schemars(extend("deepVisibility" = "frontend"))]
    support: Option<serde_json::Value>,
    internal_note: Option<String>,
}

/// Auth settings with secrets.
#[derive(Debug, Deserialize, JsonSchema, ConfigSection)]
#[serde(rename_all = "camelCase")]
#[config_section(path = "auth")]
#[allow(dead_code)]
struct AuthConfig {
    #[schemars(extend("visibility" = "frontend"))]
    environment: Option<String>,
    #[schemars(extend("deepVisibility" = "secret"))]
    providers: Option<serde_json::Value>,
    #[schemars(extend("visibility" = "secret"))]
    session_secret: Option<u32>,
    keys: Option<Vec<Key>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[allow(dead_code)]
struct Key {
    #[schemars(extend("visibility" = "secret"))]
    secret: String,
    #[schemars(extend("visibility" = "frontend"))]
    id: String,
}

const CONFIG: &str = r#"
app:
  title: Acme portal
  baseUrl: http://localhost:7007
  internalNote: do not ship
  support:
    url: https://help.acme
    items:
      - title: Chat
        links: [{ url: "https://chat" }]
auth:
  environment: development
  providers:
    github:
      development: { clientId: abc, clientSecret: hunter2 }
  keys:
    - { id: k1, secret: s3cr3t-key }
backend:
  baseUrl: http://localhost:7007
"#;

fn load() -> backstage_core::config::Config {
    let app = AppDir::new();
    app.write("app-config.yaml", CONFIG);
    app.loader(&[])
        .schema(AppConfig::schema())
        .schema(AuthConfig::schema())
        .load()
        .unwrap()
        .config
}

#[test]
fn frontend_view_keeps_only_frontend_values_including_deep_subtrees() {
    let config = load();
    assert_eq!(
        config.frontend_view().as_value(),
        &json!({
            "app": {
                "title": "Acme portal",
                "baseUrl": "http://localhost:7007",
                "support": {
                    "url": "https://help.acme",
                    "items": [{"title": "Chat", "links": [{"url": "https://chat"}]}]
                }
            },
            "auth": {"environment": "development", "keys": [{"id": "k1"}]}
        })
    );
    assert_eq!(
        config.visibility_of("app.support.items"),
        Visibility::Frontend
    );
    assert_eq!(
        config.visibility_of("app.internalNote"),
        Visibility::Backend
    );
    assert_eq!(
        config.visibility_of("auth.providers.github.development.clientId"),
        Visibility::Secret
    );
    assert_eq!(
        config.visibility_of(
            backstage_core::config::ConfigPath::parse_dotted("auth.keys")
                .index(0)
                .key("secret")
        ),
        Visibility::Secret
    );
}

#[test]
fn secrets_never_appear_in_debug_output() {
    let config = load();
    let debug = format!("{config:?}");
    for secret in ["hunter2", "abc", "s3cr3t-key"] {
        assert!(!debug.contains(secret), "{secret} leaked: {debug}");
    }
    assert!(debug.contains("<secret>"));
    assert!(
        debug.contains("Acme portal"),
        "non-secret values stay readable"
    );
    let sub = config.get_config("auth.providers").unwrap();
    assert!(!format!("{sub:?}").contains("hunter2"));
}

#[test]
fn secrets_never_appear_in_schema_errors() {
    let app = AppDir::new();
    app.write(
        "app-config.yaml",
        "auth:\n  sessionSecret: \"hunter2-value\"\n",
    );
    let err = app
        .loader(&[])
        .schema(AuthConfig::schema())
        .load()
        .unwrap_err();
    assert!(matches!(err, ConfigLoadError::Schema(_)));
    let text = err.to_string();
    assert!(text.contains("auth.sessionSecret"), "{text}");
    assert!(!text.contains("hunter2-value"), "{text}");
}

#[test]
fn secrets_never_appear_in_reader_errors() {
    let app = AppDir::new();
    app.write(
        "app-config.yaml",
        "auth:\n  sessionSecret: \"hunter2-value\"\n",
    );
    // Validation is skipped here (no schema for the value type) but the
    // visibility is declared, so readers must still mask.
    let schema =
        json!({"type": "object", "properties": {"sessionSecret": {"visibility": "secret"}}});
    let config = app
        .loader(&[])
        .schema(ConfigSchema::new("auth", schema))
        .load()
        .unwrap()
        .config;
    let err = config
        .get_duration("auth.sessionSecret")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("auth.sessionSecret") && !err.contains("hunter2"),
        "{err}"
    );
    let err = config
        .get::<u32>("auth.sessionSecret")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("auth.sessionSecret") && !err.contains("hunter2"),
        "{err}"
    );
    let err = config
        .get_number("auth.sessionSecret")
        .unwrap_err()
        .to_string();
    assert!(!err.contains("hunter2"), "{err}");
}
