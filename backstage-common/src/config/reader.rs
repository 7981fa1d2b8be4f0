//! [`Config`]: the immutable configuration tree and its typed readers.

use std::fmt;
use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::duration::HumanDuration;
use super::error::ConfigError;
use super::key::ConfigKey;
use super::path::{ConfigPath, PathSegment};
use super::visibility::{Visibility, VisibilityMap};

/// The text shown instead of a secret value.
pub const SECRET_MASK: &str = "<secret>";

struct Root {
    value: Value,
    visibility: VisibilityMap,
}

/// An immutable configuration tree, or a view of one of its sub-trees.
///
/// Cloning is cheap (the tree is shared). Readers take a key relative to this
/// config — a dotted string or explicit segments (see [`ConfigKey`]) — and
/// their errors name the full key from the root of the tree.
///
/// `null` values count as absent: `has` is false for them and optional readers
/// return `None`.
///
/// ```
/// use backstage_common::config::Config;
/// use serde_json::json;
///
/// let config = Config::from_value(json!({
///     "backend": { "baseUrl": "http://localhost:7007", "listen": { "port": 7007 } },
///     "proxy": { "endpoints": { "/circleci/api": { "target": "https://circleci.com/api/v1.1" } } }
/// }));
/// assert_eq!(config.get_string("backend.baseUrl")?, "http://localhost:7007");
/// assert_eq!(config.get_number("backend.listen.port")?, 7007.0);
/// // Keys that contain '.' or '/' are addressed by segments.
/// let target = config.get_string(["proxy", "endpoints", "/circleci/api", "target"])?;
/// assert_eq!(target, "https://circleci.com/api/v1.1");
///
/// let err = config.get_bool("backend.listen.port").unwrap_err();
/// assert_eq!(
///     err.to_string(),
///     "invalid type in config at 'backend.listen.port': got number, wanted boolean"
/// );
/// # Ok::<(), backstage_common::config::ConfigError>(())
/// ```
#[derive(Clone)]
pub struct Config {
    root: Arc<Root>,
    prefix: ConfigPath,
}

impl Default for Config {
    fn default() -> Self {
        Self::empty()
    }
}

impl Config {
    /// An empty configuration (an empty object).
    pub fn empty() -> Self {
        Self::from_value(Value::Object(Map::new()))
    }

    /// A configuration holding `value`, with every value backend-visible.
    pub fn from_value(value: Value) -> Self {
        Self::with_visibility(value, VisibilityMap::new())
    }

    /// A configuration holding `value` with the given visibility marks.
    pub fn with_visibility(value: Value, visibility: VisibilityMap) -> Self {
        Self {
            root: Arc::new(Root { value, visibility }),
            prefix: ConfigPath::root(),
        }
    }

    /// Where this config sits in the whole tree (the root path for the
    /// top-level config).
    pub fn path(&self) -> &ConfigPath {
        &self.prefix
    }

    /// The visibility marks of the whole tree.
    pub fn visibility(&self) -> &VisibilityMap {
        &self.root.visibility
    }

    fn full_path(&self, key: &(impl ConfigKey + ?Sized)) -> ConfigPath {
        let mut path = self.prefix.clone();
        key.append_to(&mut path);
        path
    }

    fn lookup(&self, path: &ConfigPath) -> Option<&Value> {
        let mut node = &self.root.value;
        for segment in path.segments() {
            node = match (segment, node) {
                (PathSegment::Key(key), Value::Object(map)) => map.get(key)?,
                (PathSegment::Index(i), Value::Array(items)) => items.get(*i)?,
                _ => return None,
            };
        }
        match node {
            Value::Null => None,
            other => Some(other),
        }
    }

    /// The raw JSON value of this config (the sub-tree it views).
    pub fn as_value(&self) -> &Value {
        static NULL: Value = Value::Null;
        self.lookup(&self.prefix).unwrap_or(&NULL)
    }

    /// The raw JSON value at `key`, if present and not `null`.
    pub fn get_value(&self, key: impl ConfigKey) -> Option<&Value> {
        self.lookup(&self.full_path(&key))
    }

    /// Whether a non-null value exists at `key`.
    pub fn has(&self, key: impl ConfigKey) -> bool {
        self.get_value(key).is_some()
    }

    /// The keys of this config if it is an object (in the order they were
    /// written), otherwise none.
    pub fn keys(&self) -> Vec<&str> {
        match self.as_value() {
            Value::Object(map) => map
                .iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, _)| k.as_str())
                .collect(),
            _ => Vec::new(),
        }
    }

    /// The effective visibility of the value at `key`.
    pub fn visibility_of(&self, key: impl ConfigKey) -> Visibility {
        self.root.visibility.visibility_of(&self.full_path(&key))
    }

    fn required<'a, T>(
        &'a self,
        key: &impl ConfigKey,
        read: impl FnOnce(&'a Self, &ConfigPath) -> Result<Option<T>, ConfigError>,
    ) -> Result<T, ConfigError> {
        let path = self.full_path(key);
        read(self, &path)?.ok_or(ConfigError::Missing { key: path })
    }

    fn typed<'a, T>(
        &'a self,
        path: &ConfigPath,
        expected: &'static str,
        convert: impl FnOnce(&'a Value) -> Option<T>,
    ) -> Result<Option<T>, ConfigError> {
        let Some(value) = self.lookup(path) else {
            return Ok(None);
        };
        match convert(value) {
            Some(v) => Ok(Some(v)),
            None => Err(ConfigError::WrongType {
                key: path.clone(),
                expected,
                actual: type_name(value),
            }),
        }
    }

    /// A non-empty string.
    pub fn get_string(&self, key: impl ConfigKey) -> Result<&str, ConfigError> {
        self.required(&key, |c, p| c.string_at(p))
    }

    /// A non-empty string, or `None` when absent. An empty string is an error
    /// (as in Backstage): remove the key instead.
    pub fn get_optional_string(&self, key: impl ConfigKey) -> Result<Option<&str>, ConfigError> {
        self.string_at(&self.full_path(&key))
    }

    fn string_at(&self, path: &ConfigPath) -> Result<Option<&str>, ConfigError> {
        if let Some(Value::String(s)) = self.lookup(path)
            && s.is_empty()
        {
            return Err(ConfigError::WrongType {
                key: path.clone(),
                expected: "non-empty string",
                actual: "empty string",
            });
        }
        self.typed(path, "string", |v| v.as_str())
    }

    /// A number. A string holding a number (as `${PORT}` substitution
    /// produces) is accepted.
    pub fn get_number(&self, key: impl ConfigKey) -> Result<f64, ConfigError> {
        self.required(&key, |c, p| c.number_at(p))
    }

    /// A number, or `None` when absent.
    pub fn get_optional_number(&self, key: impl ConfigKey) -> Result<Option<f64>, ConfigError> {
        self.number_at(&self.full_path(&key))
    }

    fn number_at(&self, path: &ConfigPath) -> Result<Option<f64>, ConfigError> {
        self.typed(path, "number", |v| match v {
            Value::Number(n) => n.as_f64(),
            Value::String(s) => s.trim().parse::<f64>().ok().filter(|f| f.is_finite()),
            _ => None,
        })
    }

    /// An integer. A string holding an integer is accepted.
    pub fn get_integer(&self, key: impl ConfigKey) -> Result<i64, ConfigError> {
        self.required(&key, |c, p| c.integer_at(p))
    }

    /// An integer, or `None` when absent.
    pub fn get_optional_integer(&self, key: impl ConfigKey) -> Result<Option<i64>, ConfigError> {
        self.integer_at(&self.full_path(&key))
    }

    fn integer_at(&self, path: &ConfigPath) -> Result<Option<i64>, ConfigError> {
        self.typed(path, "integer", |v| match v {
            Value::Number(n) => n.as_i64(),
            Value::String(s) => s.trim().parse::<i64>().ok(),
            _ => None,
        })
    }

    /// A boolean. The strings `"true"` and `"false"` are accepted.
    pub fn get_bool(&self, key: impl ConfigKey) -> Result<bool, ConfigError> {
        self.required(&key, |c, p| c.bool_at(p))
    }

    /// A boolean, or `None` when absent.
    pub fn get_optional_bool(&self, key: impl ConfigKey) -> Result<Option<bool>, ConfigError> {
        self.bool_at(&self.full_path(&key))
    }

    fn bool_at(&self, path: &ConfigPath) -> Result<Option<bool>, ConfigError> {
        self.typed(path, "boolean", |v| match v {
            Value::Bool(b) => Some(*b),
            Value::String(s) if s == "true" => Some(true),
            Value::String(s) if s == "false" => Some(false),
            _ => None,
        })
    }

    /// An array of non-empty strings.
    pub fn get_string_array(&self, key: impl ConfigKey) -> Result<Vec<&str>, ConfigError> {
        self.required(&key, |c, p| c.string_array_at(p))
    }

    /// An array of non-empty strings, or `None` when absent.
    pub fn get_optional_string_array(
        &self,
        key: impl ConfigKey,
    ) -> Result<Option<Vec<&str>>, ConfigError> {
        self.string_array_at(&self.full_path(&key))
    }

    fn string_array_at(&self, path: &ConfigPath) -> Result<Option<Vec<&str>>, ConfigError> {
        let Some(items) = self.typed(path, "array", |v| v.as_array())? else {
            return Ok(None);
        };
        (0..items.len())
            .map(|i| {
                let item = path.index(i);
                self.string_at(&item)?
                    .ok_or(ConfigError::Missing { key: item })
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some)
    }

    /// The sub-config at `key`, which must be an object.
    pub fn get_config(&self, key: impl ConfigKey) -> Result<Config, ConfigError> {
        self.required(&key, |c, p| c.config_at(p))
    }

    /// The sub-config at `key`, or `None` when absent.
    pub fn get_optional_config(&self, key: impl ConfigKey) -> Result<Option<Config>, ConfigError> {
        self.config_at(&self.full_path(&key))
    }

    fn config_at(&self, path: &ConfigPath) -> Result<Option<Config>, ConfigError> {
        Ok(self
            .typed(path, "object", |v| v.as_object().map(|_| ()))?
            .map(|()| self.view(path.clone())))
    }

    fn view(&self, prefix: ConfigPath) -> Config {
        Config {
            root: Arc::clone(&self.root),
            prefix,
        }
    }

    /// The array of objects at `key`, each as a sub-config.
    pub fn get_config_array(&self, key: impl ConfigKey) -> Result<Vec<Config>, ConfigError> {
        self.required(&key, |c, p| c.config_array_at(p))
    }

    /// The array of objects at `key`, or `None` when absent.
    pub fn get_optional_config_array(
        &self,
        key: impl ConfigKey,
    ) -> Result<Option<Vec<Config>>, ConfigError> {
        self.config_array_at(&self.full_path(&key))
    }

    fn config_array_at(&self, path: &ConfigPath) -> Result<Option<Vec<Config>>, ConfigError> {
        let Some(len) = self.typed(path, "array", |v| v.as_array().map(Vec::len))? else {
            return Ok(None);
        };
        (0..len)
            .map(|i| {
                let item = path.index(i);
                self.config_at(&item)?
                    .ok_or(ConfigError::Missing { key: item })
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some)
    }

    /// A duration in any of Backstage's forms (see [`HumanDuration`]).
    pub fn get_duration(&self, key: impl ConfigKey) -> Result<HumanDuration, ConfigError> {
        self.required(&key, |c, p| c.duration_at(p))
    }

    /// A duration, or `None` when absent.
    pub fn get_optional_duration(
        &self,
        key: impl ConfigKey,
    ) -> Result<Option<HumanDuration>, ConfigError> {
        self.duration_at(&self.full_path(&key))
    }

    fn duration_at(&self, path: &ConfigPath) -> Result<Option<HumanDuration>, ConfigError> {
        let Some(value) = self.lookup(path) else {
            return Ok(None);
        };
        HumanDuration::from_value(value).map(Some).map_err(|e| {
            let message = if self.root.visibility.is_secret(path) {
                format!("the value is not a valid duration (value hidden: it is {SECRET_MASK})")
            } else {
                e.to_string()
            };
            ConfigError::Invalid {
                key: path.clone(),
                message,
            }
        })
    }

    /// Deserializes the value at `key` into `T`; `None` when absent.
    ///
    /// Errors name the full key of the offending field and never echo a
    /// secret value.
    pub fn get_optional<T: DeserializeOwned>(
        &self,
        key: impl ConfigKey,
    ) -> Result<Option<T>, ConfigError> {
        let path = self.full_path(&key);
        let Some(value) = self.lookup(&path) else {
            return Ok(None);
        };
        self.deserialize_at(&path, value).map(Some)
    }

    /// Deserializes the value at `key` into `T`.
    ///
    /// ```
    /// use backstage_common::config::Config;
    /// use serde::Deserialize;
    /// use serde_json::json;
    ///
    /// #[derive(Debug, Deserialize)]
    /// #[serde(rename_all = "camelCase")]
    /// struct Listen { port: u16, host: Option<String> }
    ///
    /// let config = Config::from_value(json!({ "backend": { "listen": { "port": "x" } } }));
    /// let err = config.get::<Listen>("backend.listen").unwrap_err();
    /// assert!(err.to_string().starts_with("invalid config value at 'backend.listen.port'"));
    /// ```
    pub fn get<T: DeserializeOwned>(&self, key: impl ConfigKey) -> Result<T, ConfigError> {
        let path = self.full_path(&key);
        match self.lookup(&path) {
            Some(value) => self.deserialize_at(&path, value),
            // Absent: let the type decide (a struct of optional fields is fine).
            None => self
                .deserialize_at(&path, &Value::Object(Map::new()))
                .map_err(|e| match e {
                    ConfigError::Invalid { .. } => ConfigError::Missing { key: path.clone() },
                    other => other,
                }),
        }
    }

    /// Deserializes this whole config into `T`.
    pub fn deserialize<T: DeserializeOwned>(&self) -> Result<T, ConfigError> {
        self.get("")
    }

    fn deserialize_at<T: DeserializeOwned>(
        &self,
        path: &ConfigPath,
        value: &Value,
    ) -> Result<T, ConfigError> {
        serde_path_to_error::deserialize(value).map_err(|err| {
            let mut key = path.clone();
            for segment in err.path().iter() {
                match segment {
                    serde_path_to_error::Segment::Seq { index } => {
                        key.push(PathSegment::Index(*index))
                    }
                    serde_path_to_error::Segment::Map { key: k }
                    | serde_path_to_error::Segment::Enum { variant: k } => {
                        key.push(PathSegment::Key(k.clone()))
                    }
                    serde_path_to_error::Segment::Unknown => {}
                }
            }
            let message = if self.root.visibility.has_secret_within(&key)
                || self.root.visibility.has_secret_within(path)
            {
                format!(
                    "the value does not have the expected form (value hidden: it is {SECRET_MASK})"
                )
            } else {
                err.inner().to_string()
            };
            ConfigError::Invalid { key, message }
        })
    }

    /// A copy of this config holding only the values marked `frontend`.
    ///
    /// This is what may be sent to a browser: backend and secret values are
    /// dropped. An object or array is kept when something inside it is
    /// visible, or when it is itself marked `frontend`.
    pub fn frontend_view(&self) -> Config {
        let value = filter_visible(
            &self.root.value,
            &mut ConfigPath::root(),
            &self.root.visibility,
        )
        .unwrap_or_else(|| Value::Object(Map::new()));
        let view = Config::with_visibility(value, self.root.visibility.clone());
        view.view(self.prefix.clone())
    }

    /// The tree with every secret value replaced by `"<secret>"`, for
    /// printing.
    pub fn to_redacted_value(&self) -> Value {
        redact(
            self.as_value(),
            &mut self.prefix.clone(),
            &self.root.visibility,
        )
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("path", &self.prefix.to_string())
            .field("value", &self.to_redacted_value())
            .finish()
    }
}

/// The JSON type of a value, as named in error messages.
pub(crate) fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn filter_visible(value: &Value, path: &mut ConfigPath, map: &VisibilityMap) -> Option<Value> {
    let visibility = map.visibility_of(path);
    if visibility == Visibility::Secret {
        return None;
    }
    let itself = visibility == Visibility::Frontend;
    match value {
        Value::Object(items) => {
            let mut kept = Map::new();
            for (key, child) in items {
                path.push(PathSegment::Key(key.clone()));
                if let Some(v) = filter_visible(child, path, map) {
                    kept.insert(key.clone(), v);
                }
                path.pop();
            }
            (itself || !kept.is_empty()).then_some(Value::Object(kept))
        }
        Value::Array(items) => {
            let mut kept = Vec::new();
            for (i, child) in items.iter().enumerate() {
                path.push(PathSegment::Index(i));
                if let Some(v) = filter_visible(child, path, map) {
                    kept.push(v);
                }
                path.pop();
            }
            (itself || !kept.is_empty()).then_some(Value::Array(kept))
        }
        leaf => itself.then(|| leaf.clone()),
    }
}

fn redact(value: &Value, path: &mut ConfigPath, map: &VisibilityMap) -> Value {
    if map.is_secret(path) {
        return Value::String(SECRET_MASK.to_owned());
    }
    match value {
        Value::Object(items) => Value::Object(
            items
                .iter()
                .map(|(key, child)| {
                    path.push(PathSegment::Key(key.clone()));
                    let v = redact(child, path, map);
                    path.pop();
                    (key.clone(), v)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, child)| {
                    path.push(PathSegment::Index(i));
                    let v = redact(child, path, map);
                    path.pop();
                    v
                })
                .collect(),
        ),
        leaf => leaf.clone(),
    }
}
