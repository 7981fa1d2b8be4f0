//! One validation problem, the rule it broke, and the error that gathers all
//! problems of one entity.

use std::fmt;

/// The rule a problem broke. Stable kebab-case ids via [`Rule::as_str`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Rule {
    /// The entity is not a JSON/YAML object.
    NotAnObject,
    /// A root key other than apiVersion, kind, metadata, spec, relations, status.
    ForeignRootField,
    /// A relation or link object has a key it may not have.
    ForeignField,
    /// A required field is missing.
    Required,
    /// A field has the wrong JSON type (e.g. a number where a string belongs).
    Type,
    /// A string that must not be empty is empty.
    NonEmpty,
    /// `apiVersion` format, or an apiVersion a built-in kind does not accept.
    ApiVersion,
    /// `kind` format, or a built-in kind spelled with the wrong case.
    Kind,
    /// `metadata.name` format.
    EntityName,
    /// `metadata.namespace` format.
    Namespace,
    /// Format of a key in `metadata.labels`.
    LabelKey,
    /// Format of a value in `metadata.labels`.
    LabelValue,
    /// Format of a key in `metadata.annotations`.
    AnnotationKey,
    /// Format of an entry of `metadata.tags`.
    Tag,
    /// A relation type is not a single word.
    RelationType,
    /// A value is not one of the allowed choices (e.g. Location `presence`).
    OneOf,
    /// An array has fewer items than required (e.g. API `remotes`).
    MinItems,
    /// A string is longer than allowed.
    MaxLength,
    /// A spec field that names another entity cannot be read as an entity ref.
    EntityRef,
}

impl Rule {
    /// The stable id of the rule, e.g. `entity-name`.
    pub fn as_str(self) -> &'static str {
        match self {
            Rule::NotAnObject => "not-an-object",
            Rule::ForeignRootField => "foreign-root-field",
            Rule::ForeignField => "foreign-field",
            Rule::Required => "required",
            Rule::Type => "type",
            Rule::NonEmpty => "non-empty",
            Rule::ApiVersion => "api-version",
            Rule::Kind => "kind",
            Rule::EntityName => "entity-name",
            Rule::Namespace => "namespace",
            Rule::LabelKey => "label-key",
            Rule::LabelValue => "label-value",
            Rule::AnnotationKey => "annotation-key",
            Rule::Tag => "tag",
            Rule::RelationType => "relation-type",
            Rule::OneOf => "one-of",
            Rule::MinItems => "min-items",
            Rule::MaxLength => "max-length",
            Rule::EntityRef => "entity-ref",
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One thing wrong with an entity: where, which rule, and what to do.
///
/// Displays as `<path> <message>`, e.g.
/// `metadata.name "Bad Name!" is not valid: expected ...`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationProblem {
    /// Field path in the entity, e.g. `metadata.tags[1]`,
    /// `metadata.labels["example.com/team"]`, `spec.owner`. Empty for the
    /// entity as a whole.
    pub path: String,
    /// The rule that was broken.
    pub rule: Rule,
    /// What is wrong and what is expected, without the path.
    pub message: String,
}

impl ValidationProblem {
    /// A problem with a free-form message.
    pub fn new(path: impl Into<String>, rule: Rule, message: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            rule,
            message: message.into(),
        }
    }

    /// `<path> "<value>" is not valid: <expected>`.
    pub(crate) fn invalid(
        path: impl Into<String>,
        rule: Rule,
        value: &str,
        expected: &str,
    ) -> Self {
        let mut message = format!("{value:?} is not valid: {expected}");
        if value.len() > super::rules::MAX_NAME_LENGTH && rule != Rule::ApiVersion {
            message.push_str(&format!(" (it has {} characters)", value.chars().count()));
        }
        Self::new(path, rule, message)
    }

    /// `<path> is required but missing`.
    pub(crate) fn missing(path: impl Into<String>, hint: &str) -> Self {
        Self::new(
            path,
            Rule::Required,
            format!("is required but missing; {hint}"),
        )
    }

    /// `<path> must be <expected>, but is <found>`.
    pub(crate) fn wrong_type(
        path: impl Into<String>,
        expected: &str,
        found: &serde_json::Value,
    ) -> Self {
        Self::new(
            path,
            Rule::Type,
            format!("must be {expected}, but is {}", describe(found)),
        )
    }

    /// The same problem under another rule.
    pub(crate) fn with_rule(mut self, rule: Rule) -> Self {
        self.rule = rule;
        self
    }

    /// `<path> must not be empty`.
    pub(crate) fn empty(path: impl Into<String>) -> Self {
        Self::new(path, Rule::NonEmpty, "must not be an empty string")
    }
}

impl fmt::Display for ValidationProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{} {}", self.path, self.message)
        }
    }
}

/// A short description of a JSON value's type, for messages.
pub(crate) fn describe(value: &serde_json::Value) -> String {
    use serde_json::Value;
    match value {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => format!("the boolean {b}"),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) => format!("the string {s:?}"),
        Value::Array(_) => "an array".to_owned(),
        Value::Object(_) => "an object".to_owned(),
    }
}

/// Everything wrong with one entity, reported together.
///
/// Displays one line per problem, each prefixed with the entity it concerns:
///
/// ```text
/// component:default/bad name: metadata.name "bad name" is not valid: expected ...
/// component:default/bad name: spec.owner is required but missing; ...
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.render())]
pub struct EntityValidationError {
    /// The entity as `kind:namespace/name` (lowercased), as far as it could
    /// be read; missing parts show as `<no kind>` / `<no name>`.
    pub entity: String,
    /// The problems, at least one, in the order the fields were checked.
    pub problems: Vec<ValidationProblem>,
}

impl EntityValidationError {
    fn render(&self) -> String {
        let mut out = String::new();
        for (i, problem) in self.problems.iter().enumerate() {
            if i > 0 {
                out.push('\n');
            }
            out.push_str(&self.entity);
            out.push_str(": ");
            out.push_str(&problem.to_string());
        }
        out
    }

    /// Whether any problem concerns `path` exactly.
    pub fn has_problem_at(&self, path: &str) -> bool {
        self.problems.iter().any(|p| p.path == path)
    }

    /// Whether any problem broke `rule`.
    pub fn has_rule(&self, rule: Rule) -> bool {
        self.problems.iter().any(|p| p.rule == rule)
    }
}

/// The display name of an entity in error messages: `kind:namespace/name`,
/// lowercased.
pub(crate) fn entity_label(
    kind: Option<&str>,
    namespace: Option<&str>,
    name: Option<&str>,
) -> String {
    format!(
        "{}:{}/{}",
        kind.map_or_else(|| "<no kind>".to_owned(), str::to_lowercase),
        namespace.map_or_else(|| "default".to_owned(), str::to_lowercase),
        name.map_or_else(|| "<no name>".to_owned(), str::to_lowercase),
    )
}

/// Appends `["key"]` to a path (map keys may contain dots and slashes).
pub(crate) fn key_path(base: &str, key: &str) -> String {
    format!("{base}[{key:?}]")
}

/// Appends `[index]` to a path.
pub(crate) fn index_path(base: &str, index: usize) -> String {
    format!("{base}[{index}]")
}
