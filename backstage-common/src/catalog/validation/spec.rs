//! Spec rules of the built-in kinds: required fields and field types.
//!
//! Placeholders (`$text`, `$json`, `$yaml`) are accepted wherever a string,
//! array or object is expected; the catalog resolves them later.

use serde_json::Value;

use super::problem::{Rule, ValidationProblem, index_path};
use crate::catalog::entity::{Entity, JsonObject};
use crate::catalog::kinds::{BuiltinKind, MCP_SERVER_TYPE};
use crate::catalog::placeholder::is_placeholder;

/// The expected shape of a spec field.
#[derive(Clone, Copy)]
enum Shape {
    /// A non-empty string.
    Text,
    /// A non-empty string of at most this many characters.
    TextMax(usize),
    /// An array of non-empty strings.
    TextArray,
    /// `{displayName?, email?, picture?}` of non-empty strings.
    Profile,
    /// A non-empty array of `{type, url}` objects (MCP server remotes).
    Remotes,
    /// `required` or `optional`.
    Presence,
}

#[derive(Clone, Copy)]
struct Field {
    name: &'static str,
    shape: Shape,
    required: bool,
}

const fn req(name: &'static str, shape: Shape) -> Field {
    Field {
        name,
        shape,
        required: true,
    }
}

const fn opt(name: &'static str, shape: Shape) -> Field {
    Field {
        name,
        shape,
        required: false,
    }
}

use Shape::{Presence, Profile, Remotes, Text, TextArray, TextMax};

const COMPONENT: &[Field] = &[
    req("type", Text),
    req("lifecycle", Text),
    req("owner", Text),
    opt("system", Text),
    opt("subcomponentOf", Text),
    opt("providesApis", TextArray),
    opt("consumesApis", TextArray),
    opt("dependsOn", TextArray),
    opt("dependencyOf", TextArray),
];
const API: &[Field] = &[
    req("type", Text),
    req("lifecycle", Text),
    req("owner", Text),
    opt("system", Text),
];
const API_DEFINITION: &[Field] = &[req("definition", Text)];
const API_MCP_SERVER: &[Field] = &[req("remotes", Remotes)];
const RESOURCE: &[Field] = &[
    req("type", Text),
    req("owner", Text),
    opt("system", Text),
    opt("dependsOn", TextArray),
    opt("dependencyOf", TextArray),
];
const SYSTEM: &[Field] = &[req("owner", Text), opt("domain", Text), opt("type", Text)];
const DOMAIN: &[Field] = &[
    req("owner", Text),
    opt("subdomainOf", Text),
    opt("type", Text),
];
const GROUP: &[Field] = &[
    req("type", Text),
    opt("profile", Profile),
    opt("parent", Text),
    req("children", TextArray),
    opt("members", TextArray),
];
const USER: &[Field] = &[opt("profile", Profile), req("memberOf", TextArray)];
const LOCATION: &[Field] = &[
    opt("type", Text),
    opt("target", Text),
    opt("targets", TextArray),
    opt("presence", Presence),
];
const AI_RESOURCE: &[Field] = &[
    req("type", Text),
    req("lifecycle", Text),
    req("owner", Text),
    opt("system", Text),
];
const AI_RULE: &[Field] = &[
    req("category", Text),
    req("rationale", Text),
    opt("disciplines", TextArray),
];
const AI_PLUGIN: &[Field] = &[req("skills", TextArray), opt("version", Text)];
const AI_MARKETPLACE: &[Field] = &[req("plugins", TextArray), opt("version", Text)];
const AI_SKILL: &[Field] = &[
    opt("disciplines", TextArray),
    opt("categories", TextArray),
    opt("agents", TextArray),
    opt("dependsOn", TextArray),
    opt("allowedTools", Text),
    opt("license", Text),
    opt("compatibility", TextMax(500)),
];

/// The field tables that apply to a spec of `kind` (the second depends on
/// the spec's `type` for API and AiResource).
fn tables(kind: BuiltinKind, spec: &JsonObject) -> [&'static [Field]; 2] {
    let spec_type = spec.get("type").and_then(Value::as_str);
    match kind {
        BuiltinKind::Component => [COMPONENT, &[]],
        BuiltinKind::Api if spec_type == Some(MCP_SERVER_TYPE) => [API, API_MCP_SERVER],
        BuiltinKind::Api => [API, API_DEFINITION],
        BuiltinKind::Resource => [RESOURCE, &[]],
        BuiltinKind::System => [SYSTEM, &[]],
        BuiltinKind::Domain => [DOMAIN, &[]],
        BuiltinKind::Group => [GROUP, &[]],
        BuiltinKind::User => [USER, &[]],
        BuiltinKind::Location => [LOCATION, &[]],
        BuiltinKind::AiResource => match spec_type {
            Some("rule") => [AI_RESOURCE, AI_RULE],
            Some("plugin") => [AI_RESOURCE, AI_PLUGIN],
            Some("marketplace") => [AI_RESOURCE, AI_MARKETPLACE],
            Some("skill") => [AI_RESOURCE, AI_SKILL],
            _ => [AI_RESOURCE, &[]],
        },
    }
}

pub(super) fn check(entity: &Entity, problems: &mut Vec<ValidationProblem>) {
    let Some(kind) = BuiltinKind::from_kind(&entity.kind) else {
        return;
    };
    if !kind.api_versions().contains(&entity.api_version.as_str()) {
        // Already reported as an apiVersion problem; the spec rules of
        // another version are unknown.
        return;
    }
    let Some(spec) = &entity.spec else {
        problems.push(ValidationProblem::missing(
            "spec",
            &format!("{} entities need a spec object", kind.as_str()),
        ));
        return;
    };
    for table in tables(kind, spec) {
        for field in table {
            // Paths are built only for problems: valid entities allocate nothing here.
            match spec.get(field.name) {
                None if field.required => problems.push(ValidationProblem::missing(
                    format!("spec.{}", field.name),
                    &required_hint(kind, spec, field),
                )),
                None => {}
                Some(value) if shape_ok(value, field.shape) => {}
                Some(value) => {
                    check_shape(
                        value,
                        field.shape,
                        &format!("spec.{}", field.name),
                        problems,
                    );
                }
            }
        }
    }
}

fn required_hint(kind: BuiltinKind, spec: &JsonObject, field: &Field) -> String {
    let kind_name = kind.as_str();
    match (kind, field.name) {
        (BuiltinKind::Api, "definition") => {
            "API entities need a definition (or type \"mcp-server\" with remotes)".to_owned()
        }
        (BuiltinKind::Api, "remotes") => {
            "APIs of type \"mcp-server\" need remotes: [{type, url}]".to_owned()
        }
        (_, "children" | "memberOf") => {
            format!("{kind_name} entities need it, as a list that may be empty ([])")
        }
        (BuiltinKind::AiResource, name) if !AI_RESOURCE.iter().any(|f| f.name == name) => {
            let spec_type = spec.get("type").and_then(Value::as_str).unwrap_or_default();
            format!("AiResource entities of type {spec_type:?} need it")
        }
        _ => format!("{kind_name} entities need it"),
    }
}

/// Whether `value` fits `shape`; the allocation-free fast path of
/// [`check_shape`], which must agree with it.
fn shape_ok(value: &Value, shape: Shape) -> bool {
    if is_placeholder(value) {
        return true;
    }
    let text_ok = |v: &Value, max: Option<usize>| match v {
        Value::String(s) => !s.is_empty() && max.is_none_or(|m| s.chars().count() <= m),
        _ => false,
    };
    match shape {
        Text => text_ok(value, None),
        TextMax(max) => text_ok(value, Some(max)),
        TextArray => value.as_array().is_some_and(|items| {
            items
                .iter()
                .all(|item| is_placeholder(item) || text_ok(item, None))
        }),
        Profile => value.as_object().is_some_and(|profile| {
            ["displayName", "email", "picture"]
                .iter()
                .all(|key| profile.get(*key).is_none_or(|v| shape_ok(v, Text)))
        }),
        Remotes => value.as_array().is_some_and(|items| {
            !items.is_empty()
                && items.iter().all(|item| {
                    is_placeholder(item)
                        || item.as_object().is_some_and(|remote| {
                            ["type", "url"]
                                .iter()
                                .all(|key| remote.get(*key).is_some_and(|v| shape_ok(v, Text)))
                        })
                })
        }),
        Presence => matches!(value.as_str(), Some("required" | "optional")),
    }
}

fn check_shape(value: &Value, shape: Shape, path: &str, problems: &mut Vec<ValidationProblem>) {
    if is_placeholder(value) {
        return;
    }
    match shape {
        Text => check_text(value, path, None, problems),
        TextMax(max) => check_text(value, path, Some(max), problems),
        TextArray => match value {
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    if !is_placeholder(item) {
                        check_text(item, &index_path(path, i), None, problems);
                    }
                }
            }
            other => problems.push(ValidationProblem::wrong_type(
                path,
                "an array of strings",
                other,
            )),
        },
        Profile => match value {
            Value::Object(profile) => {
                for key in ["displayName", "email", "picture"] {
                    if let Some(v) = profile.get(key) {
                        check_shape(v, Text, &format!("{path}.{key}"), problems);
                    }
                }
            }
            other => problems.push(ValidationProblem::wrong_type(
                path,
                "an object {displayName, email, picture}",
                other,
            )),
        },
        Remotes => match value {
            Value::Array(items) if items.is_empty() => problems.push(ValidationProblem::new(
                path,
                Rule::MinItems,
                "must list at least one remote {type, url}",
            )),
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    let item_path = index_path(path, i);
                    match item {
                        _ if is_placeholder(item) => {}
                        Value::Object(remote) => {
                            for key in ["type", "url"] {
                                let field_path = format!("{item_path}.{key}");
                                match remote.get(key) {
                                    Some(v) => check_shape(v, Text, &field_path, problems),
                                    None => problems.push(ValidationProblem::missing(
                                        field_path,
                                        "every remote needs a type and a url",
                                    )),
                                }
                            }
                        }
                        other => problems.push(ValidationProblem::wrong_type(
                            item_path,
                            "an object {type, url}",
                            other,
                        )),
                    }
                }
            }
            other => problems.push(ValidationProblem::wrong_type(
                path,
                "an array of {type, url} objects",
                other,
            )),
        },
        Presence => match value {
            Value::String(s) if s == "required" || s == "optional" => {}
            Value::String(s) => problems.push(ValidationProblem::invalid(
                path,
                Rule::OneOf,
                s,
                "expected \"required\" or \"optional\"",
            )),
            other => problems.push(ValidationProblem::wrong_type(
                path,
                "the string \"required\" or \"optional\"",
                other,
            )),
        },
    }
}

fn check_text(
    value: &Value,
    path: &str,
    max: Option<usize>,
    problems: &mut Vec<ValidationProblem>,
) {
    match value {
        Value::String(s) if s.is_empty() => problems.push(ValidationProblem::empty(path)),
        Value::String(s) => {
            if let Some(max) = max {
                let len = s.chars().count();
                if len > max {
                    problems.push(ValidationProblem::new(
                        path,
                        Rule::MaxLength,
                        format!("is {len} characters long; at most {max} are allowed"),
                    ));
                }
            }
        }
        other => problems.push(ValidationProblem::wrong_type(path, "a string", other)),
    }
}
