//! Entity references: `[kind:][namespace/]name`.
//!
//! A ref names an entity by kind, namespace and name. Written by people it
//! may leave out the kind and namespace, which the reader fills in from a
//! [`RefContext`]. Its canonical string is `kind:namespace/name`, all
//! lowercased; comparison, hashing and ordering ignore case, while the
//! original casing stays readable.
//!
//! ```
//! use backstage_common::catalog::{EntityRef, RefContext};
//!
//! let ctx = RefContext::new().with_default_kind("Group").with_default_namespace("ops");
//! let owner = EntityRef::parse("Team-A", &ctx)?;
//! assert_eq!(owner.to_string(), "group:ops/team-a");
//! assert_eq!(owner.name(), "Team-A");
//! assert_eq!(owner, EntityRef::parse("group:OPS/team-a", &RefContext::new())?);
//!
//! let err = EntityRef::parse("component:", &RefContext::new()).unwrap_err();
//! assert!(err.to_string().contains("empty name"));
//! # Ok::<(), backstage_common::catalog::EntityRefError>(())
//! ```

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::metadata::DEFAULT_NAMESPACE;

const FORM: &str = "expected the form [<kind>:][<namespace>/]<name>";

/// Why a string or parts could not be read as an entity ref.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EntityRefError {
    /// The input is the empty string.
    #[error("entity ref is empty; {FORM}")]
    Empty,
    /// Nothing before the `:`.
    #[error("entity ref {input:?} has an empty kind before \":\"; {FORM}")]
    EmptyKind {
        /// The input.
        input: String,
    },
    /// Nothing between `:` and `/` (or before `/`).
    #[error("entity ref {input:?} has an empty namespace before \"/\"; {FORM}")]
    EmptyNamespace {
        /// The input.
        input: String,
    },
    /// Nothing after the last separator.
    #[error("entity ref {input:?} has an empty name; {FORM}")]
    EmptyName {
        /// The input.
        input: String,
    },
    /// No kind in the ref and no default kind in the context.
    #[error(
        "entity ref {input:?} names no kind and none is implied here; write it with a kind, \
         such as \"component:{input}\""
    )]
    MissingKind {
        /// The input.
        input: String,
    },
    /// A part contains a character that would make the ref ambiguous.
    #[error("entity ref {part} {value:?} is not valid: {reason}")]
    InvalidPart {
        /// `kind`, `namespace` or `name`.
        part: &'static str,
        /// The offending value.
        value: String,
        /// Why it is not valid.
        reason: &'static str,
    },
}

/// Defaults for the parts a ref may leave out.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RefContext<'a> {
    default_kind: Option<&'a str>,
    default_namespace: Option<&'a str>,
}

impl<'a> RefContext<'a> {
    /// No default kind (a ref must name one); namespace `default`.
    pub const fn new() -> Self {
        Self {
            default_kind: None,
            default_namespace: None,
        }
    }

    /// The kind to use when the ref names none.
    pub const fn with_default_kind(mut self, kind: &'a str) -> Self {
        self.default_kind = Some(kind);
        self
    }

    /// The namespace to use when the ref names none (instead of `default`).
    pub const fn with_default_namespace(mut self, namespace: &'a str) -> Self {
        self.default_namespace = Some(namespace);
        self
    }

    /// The default kind, if any.
    pub const fn default_kind(&self) -> Option<&'a str> {
        self.default_kind
    }

    /// The default namespace (`default` unless set).
    pub fn default_namespace(&self) -> &'a str {
        self.default_namespace.unwrap_or(DEFAULT_NAMESPACE)
    }
}

/// A reference to an entity: kind, namespace and name.
///
/// `Display` gives the canonical lowercased `kind:namespace/name`.
/// `Eq`, `Hash` and `Ord` ignore case. Serialized as the canonical string;
/// deserialized from a full string ref or a `{kind, namespace, name}` object
/// (namespace optional).
#[derive(Debug, Clone)]
pub struct EntityRef {
    kind: String,
    namespace: String,
    name: String,
}

fn check_parts(kind: &str, namespace: &str, name: &str) -> Result<(), EntityRefError> {
    let invalid = |part, value: &str, reason| EntityRefError::InvalidPart {
        part,
        value: value.to_owned(),
        reason,
    };
    if kind.is_empty() {
        return Err(invalid("kind", kind, "it must not be empty"));
    }
    if kind.contains([':', '/']) {
        return Err(invalid("kind", kind, "it must not contain \":\" or \"/\""));
    }
    if namespace.is_empty() {
        return Err(invalid("namespace", namespace, "it must not be empty"));
    }
    if namespace.contains('/') {
        return Err(invalid("namespace", namespace, "it must not contain \"/\""));
    }
    if name.is_empty() {
        return Err(invalid("name", name, "it must not be empty"));
    }
    Ok(())
}

impl EntityRef {
    /// A ref from its parts. Refused when a part is empty, the kind contains
    /// `:` or `/`, or the namespace contains `/` (the string form would not
    /// read back). Character rules of entity names are not applied here;
    /// see [`validation::rules`](super::validation::rules).
    pub fn new(
        kind: impl Into<String>,
        namespace: impl Into<String>,
        name: impl Into<String>,
    ) -> Result<Self, EntityRefError> {
        let (kind, namespace, name) = (kind.into(), namespace.into(), name.into());
        check_parts(&kind, &namespace, &name)?;
        Ok(Self {
            kind,
            namespace,
            name,
        })
    }

    pub(crate) fn new_unchecked(kind: &str, namespace: &str, name: &str) -> Self {
        Self {
            kind: kind.to_owned(),
            namespace: namespace.to_owned(),
            name: name.to_owned(),
        }
    }

    /// Parses `[kind:][namespace/]name`, filling missing parts from `ctx`.
    ///
    /// The first `:` ends the kind unless a `/` comes before it; the first `/`
    /// after the kind ends the namespace; the rest is the name (which may
    /// itself contain `:` and `/`). Nothing is trimmed.
    pub fn parse(input: &str, ctx: &RefContext<'_>) -> Result<Self, EntityRefError> {
        if input.is_empty() {
            return Err(EntityRefError::Empty);
        }
        let colon = input.find(':');
        let slash = input.find('/');
        let colon = match (colon, slash) {
            (Some(c), Some(s)) if s < c => None,
            (c, _) => c,
        };
        let (kind, rest) = match colon {
            Some(c) => (Some(&input[..c]), &input[c + 1..]),
            None => (None, input),
        };
        let (namespace, name) = match rest.split_once('/') {
            Some((ns, name)) => (Some(ns), name),
            None => (None, rest),
        };
        let err = |f: fn(String) -> EntityRefError| f(input.to_owned());
        if kind == Some("") {
            return Err(err(|input| EntityRefError::EmptyKind { input }));
        }
        if namespace == Some("") {
            return Err(err(|input| EntityRefError::EmptyNamespace { input }));
        }
        if name.is_empty() {
            return Err(err(|input| EntityRefError::EmptyName { input }));
        }
        let Some(kind) = kind.or(ctx.default_kind) else {
            return Err(err(|input| EntityRefError::MissingKind { input }));
        };
        let namespace = namespace.unwrap_or(ctx.default_namespace());
        check_parts(kind, namespace, name)?;
        Ok(Self::new_unchecked(kind, namespace, name))
    }

    /// The kind, as written.
    pub fn kind(&self) -> &str {
        &self.kind
    }

    /// The namespace, as written (or the default that filled it).
    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    /// The name, as written.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether the kind is `kind`, ignoring case.
    pub fn is_kind(&self, kind: &str) -> bool {
        eq_ignore_case(&self.kind, kind)
    }

    /// The canonical string `kind:namespace/name`, lowercased (same as
    /// `to_string()`).
    pub fn to_canonical_string(&self) -> String {
        self.to_string()
    }

    /// The compound form `{kind, namespace, name}`, original casing kept.
    pub fn to_compound(&self) -> CompoundEntityRef {
        CompoundEntityRef {
            kind: self.kind.clone(),
            namespace: self.namespace.clone(),
            name: self.name.clone(),
        }
    }
}

fn lower(s: &str) -> impl Iterator<Item = char> + '_ {
    s.chars().flat_map(char::to_lowercase)
}

fn eq_ignore_case(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        a.eq_ignore_ascii_case(b)
    } else {
        lower(a).eq(lower(b))
    }
}

impl fmt::Display for EntityRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use fmt::Write;
        for c in lower(&self.kind) {
            f.write_char(c)?;
        }
        f.write_char(':')?;
        for c in lower(&self.namespace) {
            f.write_char(c)?;
        }
        f.write_char('/')?;
        for c in lower(&self.name) {
            f.write_char(c)?;
        }
        Ok(())
    }
}

impl PartialEq for EntityRef {
    fn eq(&self, other: &Self) -> bool {
        eq_ignore_case(&self.name, &other.name)
            && eq_ignore_case(&self.namespace, &other.namespace)
            && eq_ignore_case(&self.kind, &other.kind)
    }
}

impl Eq for EntityRef {}

impl Hash for EntityRef {
    fn hash<H: Hasher>(&self, state: &mut H) {
        for part in [&self.kind, &self.namespace, &self.name] {
            for c in lower(part) {
                c.hash(state);
            }
            0xffu8.hash(state);
        }
    }
}

impl Ord for EntityRef {
    fn cmp(&self, other: &Self) -> Ordering {
        lower(&self.kind)
            .cmp(lower(&other.kind))
            .then_with(|| lower(&self.namespace).cmp(lower(&other.namespace)))
            .then_with(|| lower(&self.name).cmp(lower(&other.name)))
    }
}

impl PartialOrd for EntityRef {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl FromStr for EntityRef {
    type Err = EntityRefError;

    /// Parses with no default kind and namespace `default`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s, &RefContext::new())
    }
}

impl Serialize for EntityRef {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for EntityRef {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Repr {
            Text(String),
            Compound {
                kind: String,
                namespace: Option<String>,
                name: String,
            },
        }
        match Repr::deserialize(deserializer)? {
            Repr::Text(s) => s.parse().map_err(serde::de::Error::custom),
            Repr::Compound {
                kind,
                namespace,
                name,
            } => EntityRef::new(
                kind,
                namespace.unwrap_or_else(|| DEFAULT_NAMESPACE.to_owned()),
                name,
            )
            .map_err(serde::de::Error::custom),
        }
    }
}

impl JsonSchema for EntityRef {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "EntityRef".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "minLength": 1,
            "description": "An entity ref, [<kind>:][<namespace>/]<name>"
        })
    }
}

/// The object form of a ref, `{kind, namespace, name}`, as in the
/// deprecated `relations[].target`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CompoundEntityRef {
    /// The kind.
    pub kind: String,
    /// The namespace.
    pub namespace: String,
    /// The name.
    pub name: String,
}

impl TryFrom<CompoundEntityRef> for EntityRef {
    type Error = EntityRefError;

    fn try_from(value: CompoundEntityRef) -> Result<Self, Self::Error> {
        EntityRef::new(value.kind, value.namespace, value.name)
    }
}

impl From<&EntityRef> for CompoundEntityRef {
    fn from(value: &EntityRef) -> Self {
        value.to_compound()
    }
}
