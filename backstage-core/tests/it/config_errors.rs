//! Bad input: each a clear error naming the file and key, never a panic.

use backstage_core::config::{ConfigLoadError, ConfigLoader};

use crate::support::AppDir;

fn load_err(app: &AppDir, env: &[(&str, &str)]) -> String {
    app.loader(env).load().unwrap_err().to_string()
}

#[test]
fn missing_default_file() {
    let app = AppDir::new();
    let err = app.loader(&[]).load().unwrap_err();
    assert!(matches!(err, ConfigLoadError::NoConfigFile { .. }));
    assert!(err.to_string().contains("no app-config.yaml in"), "{err}");
    assert!(err.to_string().contains("--config"), "{err}");
}

#[test]
fn missing_explicit_file_names_it() {
    let app = AppDir::new();
    let err = app
        .loader(&[])
        .config_file(app.path().join("nope.yaml"))
        .load()
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("cannot read config file"), "{err}");
    assert!(err.contains("nope.yaml"), "{err}");
}

#[test]
fn config_flag_without_value() {
    let err = ConfigLoader::new().args(["app", "--config"]).unwrap_err();
    assert!(matches!(err, ConfigLoadError::MissingArgValue));
    let err = ConfigLoader::new()
        .args(["app", "--config", "--other"])
        .unwrap_err();
    assert!(err.to_string().contains("--config needs a file name"));
    assert!(ConfigLoader::new().args(["app", "--config="]).is_err());
}

#[test]
fn invalid_yaml_reports_file_line_and_column() {
    let app = AppDir::new();
    app.write(
        "app-config.yaml",
        "app:\n  title: ok\n  list: [a, b\nbackend: {}\n",
    );
    let err = app.loader(&[]).load().unwrap_err();
    let ConfigLoadError::Parse {
        path,
        line,
        column,
        message,
    } = &err
    else {
        panic!("expected a parse error, got {err}");
    };
    assert!(path.ends_with("app-config.yaml"));
    assert!(*line >= 3, "line {line}");
    assert!(*column >= 1);
    assert!(!message.is_empty());
    let text = err.to_string();
    assert!(
        text.contains(&format!("app-config.yaml:{line}:{column}: ")),
        "{text}"
    );
}

#[test]
fn duplicate_keys_are_refused() {
    let app = AppDir::new();
    app.write("app-config.yaml", "app:\n  title: one\n  title: two\n");
    let err = app.loader(&[]).load().unwrap_err();
    assert!(
        matches!(err, ConfigLoadError::Parse { line: 3, .. }),
        "{err}"
    );
    assert!(
        err.to_string().to_lowercase().contains("duplicate"),
        "{err}"
    );
}

#[test]
fn yaml_merge_keys_and_yaml11_booleans_are_not_special() {
    let app = AppDir::new();
    app.write("app-config.yaml", "base: &b { x: 1 }\nderived:\n  <<: *b\n");
    assert!(
        app.loader(&[]).load().is_err(),
        "merge keys must be refused"
    );
    let app = AppDir::new();
    app.write("app-config.yaml", "flag: yes\nreal: true\n");
    let config = app.loader(&[]).load().unwrap().config;
    assert_eq!(config.get_string("flag").unwrap(), "yes");
    assert!(config.get_bool("real").unwrap());
}

#[test]
fn top_level_must_be_a_mapping() {
    let app = AppDir::new();
    app.write("app-config.yaml", "- a\n- b\n");
    let err = load_err(&app, &[]);
    assert!(err.contains("the top level must be a mapping"), "{err}");
    assert!(err.contains("found a list"), "{err}");
}

#[test]
fn include_cycle() {
    let app = AppDir::new();
    app.write("app-config.yaml", "a:\n  $include: one.yaml\n");
    app.write("one.yaml", "b:\n  $include: two.yaml\n");
    app.write("two.yaml", "c:\n  $include: one.yaml\n");
    let err = app.loader(&[]).load().unwrap_err();
    assert!(matches!(err, ConfigLoadError::IncludeCycle { .. }), "{err}");
    let text = err.to_string();
    assert!(text.starts_with("$include cycle at 'a.b.c'"), "{text}");
    assert!(
        text.contains("one.yaml -> ") && text.contains("two.yaml -> "),
        "{text}"
    );
}

#[test]
fn include_of_a_missing_sub_key() {
    let app = AppDir::new();
    app.write(
        "app-config.yaml",
        "proxy:\n  $include: extra.yaml#proxy.endpoints\n",
    );
    app.write("extra.yaml", "proxy:\n  other: {}\n");
    let err = load_err(&app, &[]);
    assert!(err.contains("at 'proxy'"), "{err}");
    assert!(err.contains("has no value at 'proxy.endpoints'"), "{err}");
}

#[test]
fn include_of_a_missing_file_names_file_and_key() {
    let app = AppDir::new();
    app.write(
        "app-config.yaml",
        "catalog:\n  locations:\n    $include: gone.yaml\n",
    );
    let err = load_err(&app, &[]);
    assert!(err.contains("gone.yaml"), "{err}");
    assert!(err.contains("included at 'catalog.locations'"), "{err}");
}

#[test]
fn include_of_an_unsupported_type() {
    let app = AppDir::new();
    app.write("app-config.yaml", "x:\n  $include: notes.txt\n");
    app.write("notes.txt", "hello");
    let err = load_err(&app, &[]);
    assert!(
        err.contains("only .yaml, .yml and .json files can be included"),
        "{err}"
    );
}

#[test]
fn invalid_included_file_reports_its_own_location() {
    let app = AppDir::new();
    app.write("app-config.yaml", "x:\n  $include: bad.json\n");
    app.write("bad.json", "{\n  \"a\": 1,\n}\n");
    let err = app.loader(&[]).load().unwrap_err();
    assert!(
        matches!(err, ConfigLoadError::Parse { line: 3, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("bad.json:3:"), "{err}");
}

#[test]
fn transform_with_sibling_keys() {
    let app = AppDir::new();
    app.write(
        "app-config.yaml",
        "auth:\n  token:\n    $env: TOKEN\n    fallback: x\n",
    );
    let err = load_err(&app, &[("TOKEN", "t")]);
    assert!(
        err.contains("at 'auth.token': $env must be the only key of its object"),
        "{err}"
    );
    assert!(err.contains("fallback"), "{err}");
}

#[test]
fn transform_with_a_non_string_argument() {
    let app = AppDir::new();
    app.write("app-config.yaml", "x:\n  $file: [a]\n");
    let err = load_err(&app, &[]);
    assert!(
        err.contains("at 'x': the value of $file must be a string"),
        "{err}"
    );
}

#[test]
fn malformed_substitution() {
    let app = AppDir::new();
    app.write("app-config.yaml", "backend:\n  baseUrl: http://${HOST\n");
    let err = load_err(&app, &[("HOST", "h")]);
    assert!(
        err.contains("app-config.yaml: at 'backend.baseUrl': unclosed '${'"),
        "{err}"
    );
    let app = AppDir::new();
    app.write("app-config.yaml", "backend:\n  items: ['${NOT VALID}']\n");
    let err = load_err(&app, &[]);
    assert!(err.contains("at 'backend.items[0]'"), "{err}");
    assert!(err.contains("is not an environment variable name"), "{err}");
}

#[test]
fn bad_env_override() {
    let app = AppDir::new();
    app.write("app-config.yaml", "app: {}\n");
    let err = load_err(&app, &[("APP_CONFIG_app_title", "null")]);
    assert!(
        err.starts_with("environment variable APP_CONFIG_app_title: null is not allowed"),
        "{err}"
    );
}

#[test]
fn reader_errors_name_the_full_key() {
    let app = AppDir::new();
    app.write("app-config.yaml", "backend:\n  listen:\n    port: seven\n");
    let config = app.loader(&[]).load().unwrap().config;
    let backend = config.get_config("backend").unwrap();
    let err = backend.get_number("listen.port").unwrap_err().to_string();
    assert_eq!(
        err,
        "invalid type in config at 'backend.listen.port': got string, wanted number"
    );
    let err = backend.get_string("listen.host").unwrap_err().to_string();
    assert!(
        err.starts_with("missing required config value at 'backend.listen.host'"),
        "{err}"
    );
}
