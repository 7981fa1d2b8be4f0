//! `${VAR}` substitution and the `$env`, `$file` and `$include` transforms.

use serde_json::json;

use crate::support::AppDir;

#[test]
fn substitution_with_fallback_and_escape() {
    let app = AppDir::new();
    app.write(
        "app-config.yaml",
        concat!(
            "backend:\n",
            "  baseUrl: http://${HOST}:${PORT:-7007}\n",
            "  literal: $${HOST} stays\n",
            "  empty: ${EMPTY:-was empty}\n",
            "  listen:\n    port: ${PORT:-7007}\n",
        ),
    );
    let config = app
        .loader(&[("HOST", "portal.local"), ("EMPTY", "")])
        .load()
        .unwrap()
        .config;
    assert_eq!(
        config.get_string("backend.baseUrl").unwrap(),
        "http://portal.local:7007"
    );
    assert_eq!(
        config.get_string("backend.literal").unwrap(),
        "${HOST} stays"
    );
    assert_eq!(config.get_string("backend.empty").unwrap(), "was empty");
    // A substituted number arrives as a string; the number reader takes it.
    assert_eq!(config.get_number("backend.listen.port").unwrap(), 7007.0);
}

#[test]
fn unset_variable_makes_the_key_absent_so_lower_files_show_through() {
    let app = AppDir::new();
    app.write(
        "app-config.yaml",
        "auth:\n  secret: from-base\n  items: [a, '${UNSET}', c]\n",
    );
    app.write(
        "app-config.local.yaml",
        "auth:\n  secret: ${UNSET}\n  other: ${UNSET} suffix\n",
    );
    let config = app.loader(&[]).load().unwrap().config;
    assert_eq!(config.get_string("auth.secret").unwrap(), "from-base");
    assert!(!config.has("auth.other"));
    assert_eq!(config.get_string_array("auth.items").unwrap(), ["a", "c"]);
}

#[test]
fn env_transform() {
    let app = AppDir::new();
    app.write(
        "app-config.yaml",
        "integrations:\n  github:\n    - host: github.com\n      token:\n        $env: GITHUB_TOKEN\n      missing:\n        $env: NOT_SET\n",
    );
    let config = app
        .loader(&[("GITHUB_TOKEN", "ghp_123")])
        .load()
        .unwrap()
        .config;
    let github = config.get_config_array("integrations.github").unwrap();
    assert_eq!(github[0].get_string("token").unwrap(), "ghp_123");
    assert!(!github[0].has("missing"));
}

#[test]
fn file_transform_reads_relative_to_the_config_file_and_trims() {
    let app = AppDir::new();
    app.write("secrets/ca.pem", "-----BEGIN-----\nabc\n-----END-----\n\n");
    let file = app.write(
        "conf/app-config.yaml",
        "backend:\n  ca:\n    $file: ../secrets/ca.pem\n",
    );
    let config = app.loader(&[]).config_file(file).load().unwrap().config;
    assert_eq!(
        config.get_string("backend.ca").unwrap(),
        "-----BEGIN-----\nabc\n-----END-----"
    );
}

#[test]
fn include_yaml_json_and_sub_keys_with_nested_relative_paths() {
    let app = AppDir::new();
    app.write(
        "app-config.yaml",
        concat!(
            "catalog:\n  $include: catalog/catalog.yaml\n",
            "proxy:\n  $include: proxy.json#endpoints\n",
            "port:\n  $include: proxy.json#ports.1\n",
        ),
    );
    app.write(
        "catalog/catalog.yaml",
        "rules:\n  - allow: [Component]\nlocations:\n  $include: locations.yaml\nowner: ${OWNER:-guests}\n",
    );
    app.write(
        "catalog/locations.yaml",
        "- type: file\n  target: ./all.yaml\n",
    );
    app.write(
        "proxy.json",
        r#"{"endpoints": {"/circleci/api": {"target": "https://circleci.com/api/v1.1"}}, "ports": [1, 2]}"#,
    );
    let config = app.loader(&[]).load().unwrap().config;
    assert_eq!(
        config.get_value("catalog"),
        Some(&json!({
            "rules": [{"allow": ["Component"]}],
            "locations": [{"type": "file", "target": "./all.yaml"}],
            "owner": "guests"
        }))
    );
    assert_eq!(
        config
            .get_string(["proxy", "/circleci/api", "target"])
            .unwrap(),
        "https://circleci.com/api/v1.1"
    );
    assert_eq!(config.get_number("port").unwrap(), 2.0);
}

#[test]
fn include_path_itself_is_substituted() {
    let app = AppDir::new();
    app.write("app-config.yaml", "app:\n  $include: ${APP_FILE}\n");
    app.write("app.yaml", "title: Included\n");
    let config = app
        .loader(&[("APP_FILE", "app.yaml")])
        .load()
        .unwrap()
        .config;
    assert_eq!(config.get_string("app.title").unwrap(), "Included");
}
