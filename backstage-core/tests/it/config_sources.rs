//! Which files are read, in which order, and how they merge.

use serde_json::json;

use crate::support::AppDir;

#[test]
fn default_files_in_order_base_env_local() {
    let app = AppDir::new();
    app.write(
        "app-config.yaml",
        "app:\n  title: base\n  baseUrl: http://base\nbackend:\n  listen: { port: 7007 }\n",
    );
    app.write("app-config.production.yaml", "app:\n  title: production\n");
    app.write(
        "app-config.staging.yaml",
        "app:\n  title: staging\n  baseUrl: http://staging\n",
    );
    app.write(
        "app-config.local.yaml",
        "backend:\n  listen: { port: 7008 }\n",
    );
    app.write("app-config.other.yaml", "app:\n  title: never read\n");

    let loaded = app
        .loader(&[("BACKSTAGE_ENV", "production,staging")])
        .load()
        .unwrap();
    let names: Vec<_> = loaded
        .files
        .iter()
        .map(|f| f.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        [
            "app-config.yaml",
            "app-config.production.yaml",
            "app-config.staging.yaml",
            "app-config.local.yaml"
        ]
    );
    let config = loaded.config;
    // staging comes after production, so it wins
    assert_eq!(config.get_string("app.title").unwrap(), "staging");
    assert_eq!(config.get_string("app.baseUrl").unwrap(), "http://staging");
    assert_eq!(config.get_number("backend.listen.port").unwrap(), 7008.0);
}

#[test]
fn without_backstage_env_only_base_and_local() {
    let app = AppDir::new();
    app.write("app-config.yaml", "app:\n  title: base\n");
    app.write("app-config.production.yaml", "app:\n  title: production\n");
    let loaded = app.loader(&[]).load().unwrap();
    assert_eq!(loaded.files.len(), 1);
    assert_eq!(loaded.config.get_string("app.title").unwrap(), "base");
}

#[test]
fn missing_env_file_is_skipped() {
    let app = AppDir::new();
    app.write("app-config.yaml", "app:\n  title: base\n");
    let loaded = app.loader(&[("BACKSTAGE_ENV", "nope")]).load().unwrap();
    assert_eq!(loaded.config.get_string("app.title").unwrap(), "base");
}

#[test]
fn explicit_config_files_replace_the_defaults_and_apply_in_order() {
    let app = AppDir::new();
    app.write(
        "app-config.yaml",
        "app:\n  title: default\n  only: default\n",
    );
    app.write("app-config.local.yaml", "app:\n  title: local\n");
    // --config paths are taken as given (relative ones from the current
    // directory), so the test passes absolute paths.
    let a = app.write("a.yaml", "app:\n  title: a\n  fromA: yes-a\n");
    let b = app.write("conf/b.yaml", "app:\n  title: b\n");
    let a_arg = a.to_string_lossy().into_owned();
    let b_arg = format!("--config={}", b.display());

    let loaded = app
        .loader(&[("BACKSTAGE_ENV", "production")])
        .args([
            "backend",
            "--config",
            a_arg.as_str(),
            b_arg.as_str(),
            "--verbose",
        ])
        .unwrap()
        .load()
        .unwrap();
    assert_eq!(loaded.files.len(), 2);
    let config = loaded.config;
    assert_eq!(config.get_string("app.title").unwrap(), "b");
    assert_eq!(config.get_string("app.fromA").unwrap(), "yes-a");
    assert!(
        !config.has("app.only"),
        "app-config.yaml must not be read with --config"
    );
}

#[test]
fn deep_merge_objects_replace_arrays_and_scalars() {
    let app = AppDir::new();
    app.write(
        "app-config.yaml",
        "backend:\n  cors:\n    origin: [a, b]\n    methods: [GET]\n  database:\n    client: pg\n    connection: { host: db, port: 5432 }\n",
    );
    app.write(
        "app-config.local.yaml",
        "backend:\n  cors:\n    origin: [c]\n  database:\n    connection: { port: 5433 }\n",
    );
    let config = app.loader(&[]).load().unwrap().config;
    assert_eq!(
        config.as_value(),
        &json!({
            "backend": {
                "cors": {"origin": ["c"], "methods": ["GET"]},
                "database": {"client": "pg", "connection": {"host": "db", "port": 5433}}
            }
        })
    );
}

#[test]
fn null_in_a_later_file_unsets_a_value() {
    let app = AppDir::new();
    app.write(
        "app-config.yaml",
        "app:\n  title: base\n  support: { url: x }\n",
    );
    app.write("app-config.local.yaml", "app:\n  support: null\n");
    let config = app.loader(&[]).load().unwrap().config;
    assert!(!config.has("app.support"));
    assert_eq!(
        config
            .get_optional_config("app.support")
            .unwrap()
            .map(|c| c.path().to_string()),
        None
    );
}

#[test]
fn env_overrides_win_over_files() {
    let app = AppDir::new();
    app.write(
        "app-config.yaml",
        "backend:\n  baseUrl: http://localhost:7007\n  listen:\n    port: 7007\n  https: false\n",
    );
    let config = app
        .loader(&[
            ("APP_CONFIG_backend_listen_port", "8080"),
            ("APP_CONFIG_backend_https", "true"),
            ("APP_CONFIG_backend_baseUrl", "https://portal.example.com"),
            ("APP_CONFIG_app_support_items", r#"[{"title": "Chat"}]"#),
        ])
        .load()
        .unwrap()
        .config;
    assert_eq!(config.get_value("backend.listen.port"), Some(&json!(8080)));
    assert!(config.get_bool("backend.https").unwrap());
    assert_eq!(
        config.get_string("backend.baseUrl").unwrap(),
        "https://portal.example.com"
    );
    let items = config.get_config_array("app.support.items").unwrap();
    assert_eq!(items[0].get_string("title").unwrap(), "Chat");
    assert_eq!(items[0].path().to_string(), "app.support.items[0]");
}

#[test]
fn empty_config_file_is_an_empty_mapping() {
    let app = AppDir::new();
    app.write("app-config.yaml", "# nothing yet\n");
    let config = app.loader(&[]).load().unwrap().config;
    assert!(config.keys().is_empty());
}
