//! Placeholders: `$text`, `$json` and `$yaml` in a spec.
//!
//! A spec value may be an object with exactly one key `$text`, `$json` or
//! `$yaml` whose value is a string (a path or address). The catalog replaces
//! it with the content it points to — as text, or parsed as JSON or YAML —
//! before storing the entity. The model only recognises placeholders, so that
//! validation accepts them where a string, array or object is expected.
//!
//! ```
//! use backstage_common::catalog::{Placeholder, PlaceholderKind};
//! use serde_json::json;
//!
//! let value = json!({ "$text": "./openapi.yaml" });
//! let placeholder = Placeholder::from_value(&value).unwrap();
//! assert_eq!(placeholder.kind, PlaceholderKind::Text);
//! assert_eq!(placeholder.target, "./openapi.yaml");
//!
//! assert!(Placeholder::from_value(&json!({ "$text": "a", "other": 1 })).is_none());
//! assert!(Placeholder::from_value(&json!({ "$ref": "#/x" })).is_none());
//! ```

use serde_json::Value;

/// How the content a placeholder points to is inserted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PlaceholderKind {
    /// `$text`: the content as a string.
    Text,
    /// `$json`: the content parsed as JSON.
    Json,
    /// `$yaml`: the content parsed as YAML.
    Yaml,
}

impl PlaceholderKind {
    /// The key, e.g. `$text`.
    pub fn key(self) -> &'static str {
        match self {
            PlaceholderKind::Text => "$text",
            PlaceholderKind::Json => "$json",
            PlaceholderKind::Yaml => "$yaml",
        }
    }

    /// The kind for a key such as `$json`.
    pub fn from_key(key: &str) -> Option<Self> {
        match key {
            "$text" => Some(PlaceholderKind::Text),
            "$json" => Some(PlaceholderKind::Json),
            "$yaml" => Some(PlaceholderKind::Yaml),
            _ => None,
        }
    }
}

/// A recognised placeholder, borrowing its target from the value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placeholder<'a> {
    /// `$text`, `$json` or `$yaml`.
    pub kind: PlaceholderKind,
    /// The path or address the content comes from, relative to the file the
    /// entity was read from.
    pub target: &'a str,
}

impl<'a> Placeholder<'a> {
    /// The placeholder `value` is, if it is one: an object with exactly one
    /// key, `$text`, `$json` or `$yaml`, whose value is a string.
    pub fn from_value(value: &'a Value) -> Option<Self> {
        let object = value.as_object()?;
        if object.len() != 1 {
            return None;
        }
        let (key, target) = object.iter().next()?;
        Some(Self {
            kind: PlaceholderKind::from_key(key)?,
            target: target.as_str()?,
        })
    }
}

/// Whether `value` is a placeholder (see [`Placeholder::from_value`]).
pub fn is_placeholder(value: &Value) -> bool {
    Placeholder::from_value(value).is_some()
}
