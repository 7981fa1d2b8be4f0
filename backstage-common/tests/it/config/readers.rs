//! Typed readers: values, types, optional variants, sub-configs, segments.

use backstage_common::config::{Config, ConfigError, ConfigPath, HumanDuration};
use serde_json::json;

fn config() -> Config {
    Config::from_value(json!({
        "app": {
            "title": "Portal",
            "empty": "",
            "port": 7007,
            "portText": "7008",
            "ratio": 0.5,
            "enabled": true,
            "enabledText": "false",
            "nothing": null,
            "tags": ["a", "b"],
            "mixed": ["a", 1],
            "timeout": "2 minutes",
            "refresh": {"hours": 1, "minutes": 30},
            "iso": "PT45S",
            "support": {"items": [{"title": "Chat"}, {"title": "Mail"}], "bad": [1]}
        },
        "proxy": {"endpoints": {"/circleci/api": {"target": "https://circleci.com"}, "a.b": {"target": "dots"}}}
    }))
}

#[test]
fn strings_numbers_booleans() {
    let c = config();
    assert_eq!(c.get_string("app.title").unwrap(), "Portal");
    assert_eq!(c.get_number("app.port").unwrap(), 7007.0);
    assert_eq!(c.get_number("app.portText").unwrap(), 7008.0);
    assert_eq!(c.get_integer("app.portText").unwrap(), 7008);
    assert_eq!(c.get_number("app.ratio").unwrap(), 0.5);
    assert!(c.get_integer("app.ratio").is_err());
    assert!(c.get_bool("app.enabled").unwrap());
    assert!(!c.get_bool("app.enabledText").unwrap());
}

#[test]
fn wrong_types_name_key_expected_and_actual() {
    let c = config();
    let cases: [(ConfigError, &str); 5] = [
        (
            c.get_string("app.port").unwrap_err(),
            "invalid type in config at 'app.port': got number, wanted string",
        ),
        (
            c.get_number("app.title").unwrap_err(),
            "invalid type in config at 'app.title': got string, wanted number",
        ),
        (
            c.get_bool("app.tags").unwrap_err(),
            "invalid type in config at 'app.tags': got array, wanted boolean",
        ),
        (
            c.get_config("app.title").unwrap_err(),
            "invalid type in config at 'app.title': got string, wanted object",
        ),
        (
            c.get_string("app.empty").unwrap_err(),
            "invalid type in config at 'app.empty': got empty string, wanted non-empty string",
        ),
    ];
    for (err, text) in cases {
        assert_eq!(err.to_string(), text);
    }
    let err = c.get_string_array("app.mixed").unwrap_err();
    assert_eq!(err.key().to_string(), "app.mixed[1]");
    let err = c.get_config_array("app.support.bad").unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid type in config at 'app.support.bad[0]': got number, wanted object"
    );
}

#[test]
fn optional_variants_and_null() {
    let c = config();
    assert_eq!(c.get_optional_string("app.missing").unwrap(), None);
    assert_eq!(c.get_optional_string("app.nothing").unwrap(), None);
    assert_eq!(c.get_optional_number("app.missing.deeper").unwrap(), None);
    assert_eq!(c.get_optional_bool("app.enabled").unwrap(), Some(true));
    assert!(c.get_optional_config("app.missing").unwrap().is_none());
    assert!(
        c.get_optional_config_array("app.missing")
            .unwrap()
            .is_none()
    );
    assert!(
        c.get_optional_string_array("app.missing")
            .unwrap()
            .is_none()
    );
    assert!(
        c.get_optional_number("app.title").is_err(),
        "present but wrong type is an error"
    );
    assert!(matches!(
        c.get_string("app.nothing"),
        Err(ConfigError::Missing { .. })
    ));
}

#[test]
fn has_and_keys() {
    let c = config();
    assert!(c.has("app.title"));
    assert!(!c.has("app.nothing"));
    assert!(!c.has("app.title.deeper"));
    let app = c.get_config("app").unwrap();
    assert_eq!(app.keys()[..3], ["title", "empty", "port"]);
    assert!(!app.keys().contains(&"nothing"));
    assert!(app.get_config("support").unwrap().keys().contains(&"items"));
}

#[test]
fn sub_configs_report_full_keys() {
    let c = config();
    let support = c.get_config("app").unwrap().get_config("support").unwrap();
    assert_eq!(support.path().to_string(), "app.support");
    let items = support.get_config_array("items").unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[1].get_string("title").unwrap(), "Mail");
    let err = items[1].get_string("url").unwrap_err();
    assert_eq!(err.key().to_string(), "app.support.items[1].url");
}

#[test]
fn segments_address_keys_with_dots_and_slashes() {
    let c = config();
    assert_eq!(
        c.get_string(["proxy", "endpoints", "/circleci/api", "target"])
            .unwrap(),
        "https://circleci.com"
    );
    assert_eq!(
        c.get_string(["proxy", "endpoints", "a.b", "target"])
            .unwrap(),
        "dots"
    );
    // A dotted string splits on '.', so it does not find the key "a.b".
    assert!(!c.has("proxy.endpoints.a.b.target"));
    let endpoints = c.get_config("proxy.endpoints").unwrap();
    assert_eq!(endpoints.keys(), ["/circleci/api", "a.b"]);
    let err = endpoints.get_number(["a.b", "target"]).unwrap_err();
    assert_eq!(err.key().to_string(), "proxy.endpoints[\"a.b\"].target");
    let path = ConfigPath::from_keys(["proxy", "endpoints"]);
    assert!(c.has(&path));
}

#[test]
fn durations_in_all_forms() {
    let c = config();
    assert_eq!(
        c.get_duration("app.timeout")
            .unwrap()
            .to_std()
            .unwrap()
            .as_secs(),
        120
    );
    assert_eq!(
        c.get_duration("app.refresh").unwrap(),
        HumanDuration {
            hours: 1,
            minutes: 30,
            ..Default::default()
        }
    );
    assert_eq!(c.get_duration("app.iso").unwrap().seconds, 45);
    assert!(c.get_optional_duration("app.missing").unwrap().is_none());
    let err = c.get_duration("app.title").unwrap_err().to_string();
    assert!(
        err.starts_with("invalid config value at 'app.title': \"Portal\" is not a duration"),
        "{err}"
    );
}

#[test]
fn typed_deserialization() {
    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct Item {
        title: String,
    }
    let c = config();
    let items: Vec<Item> = c.get("app.support.items").unwrap();
    assert_eq!(
        items[0],
        Item {
            title: "Chat".into()
        }
    );
    assert_eq!(c.get_optional::<Vec<Item>>("app.missing").unwrap(), None);
    let err = c.get::<Vec<Item>>("app.support.bad").unwrap_err();
    assert_eq!(err.key().to_string(), "app.support.bad[0]");
    let err = c.get::<Item>("app.nowhere").unwrap_err();
    assert!(matches!(err, ConfigError::Missing { .. }), "{err}");
}
