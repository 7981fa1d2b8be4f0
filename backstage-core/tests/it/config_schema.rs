//! Schemas: all violations at once with their keys, typed sections, unknown
//! keys allowed.

use backstage_core::config::{ConfigLoadError, ConfigSchema, ConfigSection};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::json;

use crate::support::AppDir;

/// The database section as a plugin would declare it.
#[derive(Debug, Deserialize, JsonSchema, ConfigSection)]
#[serde(rename_all = "camelCase")]
#[config_section(path = "backend.database", required)]
#[allow(dead_code)]
struct DatabaseConfig {
    client: Client,
    connection: Option<String>,
    #[serde(default)]
    ensure_exists: bool,
}

#[derive(Debug, Deserialize, JsonSchema, PartialEq)]
#[serde(rename_all = "lowercase")]
enum Client {
    Sqlite,
    Pg,
    Mysql,
}

#[derive(Debug, Deserialize, JsonSchema, ConfigSection)]
#[serde(rename_all = "camelCase")]
#[config_section(path = "catalog")]
#[allow(dead_code)]
struct CatalogConfig {
    #[serde(default)]
    locations: Vec<Location>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[allow(dead_code)]
struct Location {
    r#type: String,
    target: String,
}

fn violations(err: ConfigLoadError) -> Vec<(String, String)> {
    match err {
        ConfigLoadError::Schema(v) => {
            v.0.into_iter()
                .map(|v| (v.key.to_string(), v.message))
                .collect()
        }
        other => panic!("expected schema violations, got {other}"),
    }
}

#[test]
fn all_violations_are_reported_together_with_their_keys() {
    let app = AppDir::new();
    app.write(
        "app-config.yaml",
        concat!(
            "backend:\n  database:\n    client: oracle\n    connection: 5\n    ensureExists: maybe\n",
            "catalog:\n  locations:\n    - type: url\n      target: https://x\n    - type: file\n",
        ),
    );
    let err = app
        .loader(&[])
        .schema(DatabaseConfig::schema().owner("database"))
        .schema(CatalogConfig::schema().owner("catalog"))
        .load()
        .unwrap_err();
    let text = err.to_string();
    assert!(
        text.starts_with("configuration does not match the schema (4 problems):"),
        "{text}"
    );
    assert!(text.contains("(schema of 'catalog')"), "{text}");
    let found = violations(err);
    let keys: Vec<&str> = found.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        keys,
        [
            "backend.database.client",
            "backend.database.connection",
            "backend.database.ensureExists",
            "catalog.locations[1].target"
        ],
        "{found:?}"
    );
    assert_eq!(found[3].1, "is required but not set");
}

#[test]
fn required_section_absent() {
    let app = AppDir::new();
    app.write("app-config.yaml", "app: {}\n");
    let err = app
        .loader(&[])
        .schema(DatabaseConfig::schema())
        .load()
        .unwrap_err();
    assert_eq!(
        violations(err),
        [(
            "backend.database".to_owned(),
            "is required but not set".to_owned()
        )]
    );
    // An optional section may be absent.
    app.loader(&[])
        .schema(CatalogConfig::schema())
        .load()
        .unwrap();
}

#[test]
fn unset_variable_makes_a_required_key_a_violation() {
    let app = AppDir::new();
    app.write(
        "app-config.yaml",
        "backend:\n  database:\n    client: ${DB_CLIENT}\n",
    );
    let err = app
        .loader(&[])
        .schema(DatabaseConfig::schema())
        .load()
        .unwrap_err();
    assert_eq!(
        violations(err),
        [(
            "backend.database.client".to_owned(),
            "is required but not set".to_owned()
        )]
    );
}

#[test]
fn unknown_keys_are_allowed() {
    let app = AppDir::new();
    app.write(
        "app-config.yaml",
        "backend:\n  database:\n    client: pg\n    somethingNew: 1\nnotInstalledPlugin:\n  anything: [1, 2]\n",
    );
    let loaded = app
        .loader(&[])
        .schema(DatabaseConfig::schema())
        .load()
        .unwrap();
    let db = DatabaseConfig::from_config(&loaded.config).unwrap();
    assert_eq!(db.client, Client::Pg);
    assert!(!db.ensure_exists);
    assert!(loaded.config.has("notInstalledPlugin.anything"));
}

#[test]
fn typed_section_deserialization_errors_name_the_field() {
    let config = backstage_core::config::Config::from_value(json!({
        "catalog": {"locations": [{"type": "url", "target": 3}]}
    }));
    let err = CatalogConfig::from_config(&config).unwrap_err().to_string();
    assert!(
        err.starts_with("invalid config value at 'catalog.locations[0].target'"),
        "{err}"
    );
}

#[test]
fn hand_written_schemas_and_deprecation_warnings() {
    let app = AppDir::new();
    app.write(
        "app-config.yaml",
        "app:\n  title: Portal\n  oldSetting: 1\n",
    );
    let schema = json!({
        "type": "object",
        "properties": {
            "title": {"type": "string", "minLength": 1},
            "oldSetting": {"type": "number", "deprecated": "use app.newSetting"}
        }
    });
    let loaded = app
        .loader(&[])
        .schema(ConfigSchema::new("app", schema))
        .load()
        .unwrap();
    assert_eq!(
        loaded.warnings,
        ["config key 'app.oldSetting' is deprecated: use app.newSetting"]
    );
}

#[test]
fn an_invalid_schema_is_reported_with_its_owner() {
    let app = AppDir::new();
    app.write("app-config.yaml", "app: {}\n");
    let err = app
        .loader(&[])
        .schema(ConfigSchema::new("app", json!({"type": 12})).owner("broken-plugin"))
        .load()
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with(
            "the config schema for 'app' declared by 'broken-plugin' is not a valid JSON schema"
        ),
        "{err}"
    );
}
