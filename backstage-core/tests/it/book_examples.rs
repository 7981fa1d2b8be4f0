//! The configuration files shown in the book's configuration chapter load and
//! mean what the chapter says they mean.

use std::path::PathBuf;

use backstage_core::config::{ConfigLoader, ConfigSchema, Visibility};
use serde_json::json;

fn book_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/book-config")
}

fn auth_schema() -> ConfigSchema {
    ConfigSchema::new(
        "auth",
        json!({
            "type": "object",
            "properties": {
                "session": {"type": "object", "properties": {"secret": {"type": "string", "visibility": "secret"}}},
                "signingKey": {"type": "string", "visibility": "secret"}
            }
        }),
    )
}

#[test]
fn development_defaults() {
    let loaded = ConfigLoader::new()
        .root_dir(book_dir())
        .env_vars([("SESSION_SECRET", "s3ss10n")])
        .schema(auth_schema())
        .load()
        .unwrap();
    let config = loaded.config;
    assert_eq!(
        config.get_string("backend.baseUrl").unwrap(),
        "http://localhost:7007"
    );
    assert_eq!(
        config.get_string("organization.greeting").unwrap(),
        "Hello from ${USER}"
    );
    assert_eq!(
        config.get_string("backend.database.connection").unwrap(),
        ":memory:"
    );
    let locations = config.get_config_array("catalog.locations").unwrap();
    assert_eq!(locations.len(), 2);
    assert_eq!(locations[0].get_string("type").unwrap(), "file");
    assert_eq!(config.get_string("auth.session.secret").unwrap(), "s3ss10n");
    assert_eq!(
        config.get_string("auth.signingKey").unwrap(),
        "-----BEGIN KEY-----\nnot-a-real-key\n-----END KEY-----"
    );
    assert_eq!(config.visibility_of("auth.signingKey"), Visibility::Secret);
    assert!(!format!("{config:?}").contains("s3ss10n"));
}

#[test]
fn production_environment_and_overrides() {
    let loaded = ConfigLoader::new()
        .root_dir(book_dir())
        .env_vars([
            ("BACKSTAGE_ENV", "production"),
            ("POSTGRES_HOST", "db.internal"),
            ("APP_CONFIG_backend_listen_port", "8080"),
        ])
        .load()
        .unwrap();
    let config = loaded.config;
    assert_eq!(
        config.get_string("app.baseUrl").unwrap(),
        "https://portal.acme.example"
    );
    assert_eq!(
        config.get_string("app.title").unwrap(),
        "Acme developer portal"
    );
    assert_eq!(config.get_string("backend.database.client").unwrap(), "pg");
    // The object from production replaced the string from the base file.
    assert_eq!(
        config
            .get_string("backend.database.connection.host")
            .unwrap(),
        "db.internal"
    );
    // POSTGRES_PASSWORD is unset, so the key is absent rather than empty.
    assert!(!config.has("backend.database.connection.password"));
    assert_eq!(config.get_integer("backend.listen.port").unwrap(), 8080);
    // SESSION_SECRET is unset too: `$env` of an unset variable is absent.
    assert!(!config.has("auth.session.secret"));
}
