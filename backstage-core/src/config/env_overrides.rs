//! `APP_CONFIG_*` environment variables: the highest-priority config source.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::error::ConfigLoadError;

/// The prefix of override variables.
pub const ENV_PREFIX: &str = "APP_CONFIG_";

/// Builds the override tree from the environment.
///
/// `APP_CONFIG_backend_listen_port=8080` sets `backend.listen.port` to the
/// number 8080: the name after the prefix is split on `_` (case is kept),
/// and the value is parsed as JSON when it parses (`8080`, `true`,
/// `"quoted"`, `{"a":1}`), otherwise kept as a string. Empty values are
/// ignored; `null` is refused, and so are two variables where one sets a value
/// and the other a key below it.
pub(crate) fn env_overrides(env: &BTreeMap<String, String>) -> Result<Value, ConfigLoadError> {
    let mut root = Map::new();
    // The BTreeMap gives a stable order, so conflicts are reported the same
    // way on every run.
    for (name, raw) in env {
        let Some(key) = name.strip_prefix(ENV_PREFIX) else {
            continue;
        };
        if raw.is_empty() {
            continue;
        }
        let error = |message: String| ConfigLoadError::EnvOverride {
            var: name.clone(),
            message,
        };
        let parts: Vec<&str> = key.split('_').collect();
        if let Some(bad) = parts.iter().find(|p| !is_valid_part(p)) {
            return Err(error(format!(
                "{bad:?} is not a valid config key part; write APP_CONFIG_ followed by keys separated by '_', e.g. APP_CONFIG_backend_baseUrl"
            )));
        }
        let value = match serde_json::from_str::<Value>(raw) {
            Ok(Value::Null) => {
                return Err(error(
                    "null is not allowed; unset the variable instead".to_owned(),
                ));
            }
            Ok(value) => value,
            Err(_) => Value::String(raw.clone()),
        };
        insert(&mut root, &parts, value).map_err(|conflict| {
            error(format!(
                "conflicts with another APP_CONFIG_ variable at '{conflict}': one sets a value there and the other a key below it"
            ))
        })?;
    }
    Ok(Value::Object(root))
}

fn insert(map: &mut Map<String, Value>, parts: &[&str], value: Value) -> Result<(), String> {
    let (last, parents) = parts.split_last().ok_or_else(String::new)?;
    let mut node = map;
    for (depth, part) in parents.iter().enumerate() {
        let entry = node
            .entry((*part).to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
        node = match entry {
            Value::Object(child) => child,
            _ => return Err(parts[..=depth].join(".")),
        };
    }
    if node.contains_key(*last) {
        return Err(parts.join("."));
    }
    node.insert((*last).to_owned(), value);
    Ok(())
}

fn is_valid_part(part: &str) -> bool {
    let mut chars = part.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic())
        && !part.ends_with(['-', ':'])
        && !part.contains("--")
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '-' || c == ':')
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn env(vars: &[(&str, &str)]) -> BTreeMap<String, String> {
        vars.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn parses_values_as_json_when_possible() {
        let tree = env_overrides(&env(&[
            ("APP_CONFIG_backend_listen_port", "8080"),
            ("APP_CONFIG_backend_https", "true"),
            ("APP_CONFIG_app_title", "My portal"),
            ("APP_CONFIG_app_quoted", "\"42\""),
            ("APP_CONFIG_app_list", "[1, 2]"),
            ("APP_CONFIG_app_empty", ""),
            ("PATH", "/usr/bin"),
        ]))
        .unwrap();
        assert_eq!(
            tree,
            json!({
                "backend": {"listen": {"port": 8080}, "https": true},
                "app": {"title": "My portal", "quoted": "42", "list": [1, 2]}
            })
        );
    }

    #[test]
    fn keeps_case() {
        let tree = env_overrides(&env(&[("APP_CONFIG_backend_baseUrl", "http://x")])).unwrap();
        assert_eq!(tree, json!({"backend": {"baseUrl": "http://x"}}));
    }

    #[test]
    fn refuses_null_bad_names_and_conflicts() {
        let err = env_overrides(&env(&[("APP_CONFIG_a", "null")])).unwrap_err();
        assert!(
            err.to_string()
                .contains("APP_CONFIG_a: null is not allowed"),
            "{err}"
        );
        let err = env_overrides(&env(&[("APP_CONFIG_a__b", "1")])).unwrap_err();
        assert!(
            err.to_string()
                .contains("\"\" is not a valid config key part"),
            "{err}"
        );
        let err = env_overrides(&env(&[("APP_CONFIG_1a", "1")])).unwrap_err();
        assert!(err.to_string().contains("\"1a\""), "{err}");
        let err =
            env_overrides(&env(&[("APP_CONFIG_a", "1"), ("APP_CONFIG_a_b", "2")])).unwrap_err();
        assert!(
            err.to_string().contains("APP_CONFIG_a_b: conflicts"),
            "{err}"
        );
        assert!(err.to_string().contains("at 'a'"), "{err}");
    }
}
