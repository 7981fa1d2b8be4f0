//! Config schemas that features declare, and validation against them.

use backstage_common::config::{ConfigKey, ConfigPath, PathSegment, SECRET_MASK, VisibilityMap};
use schemars::JsonSchema;
use serde_json::Value;

use super::error::{ConfigLoadError, SchemaViolation, SchemaViolations};
use super::schema_keywords::collect_keywords;

/// A JSON schema for the config value at one path, declared by a feature.
///
/// Usually derived from a type with [`schemars`]; the custom keywords
/// `visibility` (`frontend` | `backend` | `secret`), `deepVisibility`
/// (`frontend` | `secret`, for a whole subtree) and `deprecated` (a message)
/// are read from it as in Backstage:
///
/// ```
/// use backstage_core::config::ConfigSchema;
/// use schemars::JsonSchema;
/// use serde::Deserialize;
///
/// /// Configuration of the example plugin.
/// #[derive(Deserialize, JsonSchema)]
/// #[serde(rename_all = "camelCase")]
/// struct ExampleConfig {
///     /// Shown in the page header; the browser needs it.
///     #[schemars(extend("visibility" = "frontend"))]
///     title: String,
///     /// Token for the upstream API.
///     #[schemars(extend("visibility" = "secret"))]
///     api_token: Option<String>,
/// }
///
/// let schema = ConfigSchema::of::<ExampleConfig>("example").required();
/// assert_eq!(schema.path().to_string(), "example");
/// ```
///
/// The section is optional unless [`ConfigSchema::required`] is called: an
/// absent section is not validated, a present one must match the schema.
#[derive(Clone, Debug)]
pub struct ConfigSchema {
    path: ConfigPath,
    schema: Value,
    required: bool,
    owner: Option<String>,
}

impl ConfigSchema {
    /// A schema (any JSON schema document) for the value at `path`.
    pub fn new(path: impl ConfigKey, schema: impl Into<Value>) -> Self {
        let mut full = ConfigPath::root();
        path.append_to(&mut full);
        Self {
            path: full,
            schema: schema.into(),
            required: false,
            owner: None,
        }
    }

    /// The schema of `T` (via schemars) for the value at `path`.
    pub fn of<T: JsonSchema>(path: impl ConfigKey) -> Self {
        Self::new(path, schemars::schema_for!(T).to_value())
    }

    /// Makes the section mandatory: an absent value is a violation.
    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }

    /// Names the feature that declared this schema, for error messages.
    pub fn owner(mut self, owner: impl Into<String>) -> Self {
        self.owner = Some(owner.into());
        self
    }

    /// Where the schema applies.
    pub fn path(&self) -> &ConfigPath {
        &self.path
    }

    /// The JSON schema document.
    pub fn schema(&self) -> &Value {
        &self.schema
    }

    /// Whether the section must be present.
    pub fn is_required(&self) -> bool {
        self.required
    }

    /// The declaring feature, if named.
    pub fn owner_name(&self) -> Option<&str> {
        self.owner.as_deref()
    }
}

/// What validation learned from the schemas besides violations.
#[derive(Debug, Default)]
pub struct SchemaOutcome {
    /// Visibility marks for the validated tree.
    pub visibility: VisibilityMap,
    /// Deprecation warnings for keys that are set.
    pub warnings: Vec<String>,
}

/// All schemas of an app: validates a merged config tree against each.
#[derive(Clone, Debug, Default)]
pub struct ConfigSchemaSet {
    schemas: Vec<ConfigSchema>,
}

impl ConfigSchemaSet {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a schema.
    pub fn add(&mut self, schema: ConfigSchema) -> &mut Self {
        self.schemas.push(schema);
        self
    }

    /// The schemas, in the order they were added.
    pub fn schemas(&self) -> &[ConfigSchema] {
        &self.schemas
    }

    /// Validates `root` against every schema, reporting every violation of
    /// every schema at once. Keys that no schema declares are allowed.
    pub fn validate(&self, root: &Value) -> Result<SchemaOutcome, ConfigLoadError> {
        let mut outcome = SchemaOutcome::default();
        let mut violations = Vec::new();
        // Visibility first, so violation messages can hide secrets.
        for schema in &self.schemas {
            if let Some(value) = lookup(root, &schema.path) {
                collect_keywords(&schema.schema, value, &schema.path, &mut outcome);
            }
        }
        for schema in &self.schemas {
            let validator =
                jsonschema::validator_for(&for_compiler(&schema.schema)).map_err(|e| {
                    ConfigLoadError::InvalidSchema {
                        key: schema.path.clone(),
                        owner: schema.owner.clone(),
                        message: e.to_string(),
                    }
                })?;
            let Some(value) = lookup(root, &schema.path) else {
                if schema.required {
                    violations.push(SchemaViolation {
                        key: schema.path.clone(),
                        message: "is required but not set".to_owned(),
                        owner: schema.owner.clone(),
                    });
                }
                continue;
            };
            for error in validator.iter_errors(value) {
                let mut key = schema.path.clone();
                for segment in error.instance_path().iter() {
                    key.push(match segment {
                        jsonschema::paths::LocationSegment::Property(p) => {
                            PathSegment::Key(p.into_owned())
                        }
                        jsonschema::paths::LocationSegment::Index(i) => PathSegment::Index(i),
                    });
                }
                let message = match error.kind() {
                    jsonschema::error::ValidationErrorKind::Required { property } => {
                        if let Value::String(name) = property {
                            key.push(PathSegment::Key(name.clone()));
                        }
                        "is required but not set".to_owned()
                    }
                    _ if outcome.visibility.has_secret_within(&key) => {
                        error.masked_with(SECRET_MASK).to_string()
                    }
                    _ => error.to_string(),
                };
                violations.push(SchemaViolation {
                    key,
                    message,
                    owner: schema.owner.clone(),
                });
            }
        }
        if violations.is_empty() {
            Ok(outcome)
        } else {
            Err(ConfigLoadError::Schema(SchemaViolations(violations)))
        }
    }
}

fn lookup<'v>(root: &'v Value, path: &ConfigPath) -> Option<&'v Value> {
    let mut node = root;
    for segment in path.segments() {
        node = match (segment, node) {
            (PathSegment::Key(k), Value::Object(map)) => map.get(k)?,
            (PathSegment::Index(i), Value::Array(items)) => items.get(*i)?,
            _ => return None,
        };
    }
    (!node.is_null()).then_some(node)
}

/// The schema as the validator sees it: Backstage's `deprecated: "<message>"`
/// becomes the standard boolean `deprecated: true` (the message is read by
/// the keyword walk instead).
fn for_compiler(schema: &Value) -> Value {
    match schema {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let v = match (k.as_str(), v) {
                        ("deprecated", Value::String(_)) => Value::Bool(true),
                        _ => for_compiler(v),
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(for_compiler).collect()),
        other => other.clone(),
    }
}
