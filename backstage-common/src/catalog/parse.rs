//! Reading an [`Entity`] out of a JSON value in one pass, collecting every
//! shape problem (foreign root keys, missing or mistyped fields) with its path.

use std::collections::BTreeMap;

use serde_json::Value;

use super::entity::{Entity, EntityRelation, EntityStatus, JsonObject, ROOT_FIELDS};
use super::metadata::{EntityLink, EntityMeta};
use super::validation::{
    EntityValidationError, Rule, ValidationProblem,
    problem::{entity_label, index_path, key_path},
};

type Problems = Vec<ValidationProblem>;

/// Which required fields were missing or mistyped (and already reported),
/// so format rules skip them.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Unreadable {
    pub(crate) api_version: bool,
    pub(crate) kind: bool,
    pub(crate) name: bool,
}

/// Reads an entity, failing on any shape problem.
pub(crate) fn entity_from_value(value: Value) -> Result<Entity, EntityValidationError> {
    let (entity, label, problems, _) = read_entity(value)?;
    if problems.is_empty() {
        Ok(entity)
    } else {
        Err(EntityValidationError {
            entity: label,
            problems,
        })
    }
}

/// Reads an entity and checks every rule, reporting shape and format
/// problems together.
pub(crate) fn validated_entity_from_value(value: Value) -> Result<Entity, EntityValidationError> {
    let (entity, label, mut problems, unreadable) = read_entity(value)?;
    super::validation::check_entity(&entity, unreadable, &mut problems);
    if problems.is_empty() {
        Ok(entity)
    } else {
        Err(EntityValidationError {
            entity: label,
            problems,
        })
    }
}

/// Reads what it can; the entity has empty strings where required fields
/// were unreadable (flagged in [`Unreadable`]).
fn read_entity(
    value: Value,
) -> Result<(Entity, String, Problems, Unreadable), EntityValidationError> {
    let mut root = match value {
        Value::Object(root) => root,
        other => {
            return Err(EntityValidationError {
                entity: entity_label(None, None, None),
                problems: vec![
                    ValidationProblem::wrong_type(
                        "",
                        "an object with apiVersion, kind and metadata",
                        &other,
                    )
                    .with_rule(Rule::NotAnObject),
                ],
            });
        }
    };
    let label = label_of(&root);
    let mut problems = Problems::new();

    for key in root.keys() {
        if !ROOT_FIELDS.contains(&key.as_str()) {
            problems.push(ValidationProblem::new(
                key.clone(),
                Rule::ForeignRootField,
                "is not allowed at the root of an entity; only apiVersion, kind, metadata, \
                 spec, relations and status are (move it under metadata or spec)",
            ));
        }
    }

    let api_version = required_string(
        &mut root,
        "apiVersion",
        "apiVersion",
        "add one such as \"backstage.io/v1alpha1\"",
        &mut problems,
    );
    let kind = required_string(
        &mut root,
        "kind",
        "kind",
        "add one such as \"Component\"",
        &mut problems,
    );
    let metadata = match root.shift_remove("metadata") {
        Some(Value::Object(meta)) => parse_metadata(meta, &mut problems),
        Some(other) => {
            problems.push(ValidationProblem::wrong_type(
                "metadata",
                "an object",
                &other,
            ));
            None
        }
        None => {
            problems.push(ValidationProblem::missing(
                "metadata",
                "add a metadata object with at least a name",
            ));
            None
        }
    };
    let spec = match root.shift_remove("spec") {
        None => None,
        Some(Value::Object(spec)) => Some(spec),
        Some(other) => {
            problems.push(ValidationProblem::wrong_type("spec", "an object", &other));
            None
        }
    };
    let relations = match root.shift_remove("relations") {
        None => Vec::new(),
        Some(Value::Array(items)) => {
            let mut relations = Vec::with_capacity(items.len());
            for (i, item) in items.into_iter().enumerate() {
                match serde_json::from_value::<EntityRelation>(item) {
                    Ok(relation) => relations.push(relation),
                    Err(err) => problems.push(ValidationProblem::new(
                        index_path("relations", i),
                        Rule::Type,
                        format!("is not a relation {{type, targetRef}}: {err}"),
                    )),
                }
            }
            relations
        }
        Some(other) => {
            problems.push(ValidationProblem::wrong_type(
                "relations",
                "an array",
                &other,
            ));
            Vec::new()
        }
    };
    let status = match root.shift_remove("status") {
        None => None,
        Some(value @ Value::Object(_)) => match serde_json::from_value::<EntityStatus>(value) {
            Ok(status) => Some(status),
            Err(err) => {
                problems.push(ValidationProblem::new(
                    "status",
                    Rule::Type,
                    format!("is not a valid status {{items: [{{type, level, message}}]}}: {err}"),
                ));
                None
            }
        },
        Some(other) => {
            problems.push(ValidationProblem::wrong_type("status", "an object", &other));
            None
        }
    };

    let unreadable = Unreadable {
        api_version: api_version.is_none(),
        kind: kind.is_none(),
        name: metadata.as_ref().is_none_or(|m| m.name.is_none()),
    };
    let metadata = metadata.map(|m| m.meta).unwrap_or_default();
    let entity = Entity {
        api_version: api_version.unwrap_or_default(),
        kind: kind.unwrap_or_default(),
        metadata,
        spec,
        relations,
        status,
    };
    Ok((entity, label, problems, unreadable))
}

struct ReadMeta {
    meta: EntityMeta,
    name: Option<()>,
}

fn label_of(root: &JsonObject) -> String {
    let meta = root.get("metadata");
    fn text(v: Option<&Value>) -> Option<&str> {
        v.and_then(Value::as_str)
    }
    entity_label(
        text(root.get("kind")),
        text(meta.and_then(|m| m.get("namespace"))),
        text(meta.and_then(|m| m.get("name"))),
    )
}

fn required_string(
    obj: &mut JsonObject,
    key: &str,
    path: &str,
    hint: &str,
    problems: &mut Problems,
) -> Option<String> {
    match obj.shift_remove(key) {
        Some(Value::String(s)) => Some(s),
        Some(other) => {
            problems.push(ValidationProblem::wrong_type(path, "a string", &other));
            None
        }
        None => {
            problems.push(ValidationProblem::missing(path, hint));
            None
        }
    }
}

fn optional_string(
    obj: &mut JsonObject,
    key: &str,
    path: &str,
    problems: &mut Problems,
) -> Option<String> {
    match obj.shift_remove(key) {
        None => None,
        Some(Value::String(s)) => Some(s),
        Some(other) => {
            problems.push(ValidationProblem::wrong_type(path, "a string", &other));
            None
        }
    }
}

fn string_map(
    obj: &mut JsonObject,
    key: &str,
    path: &str,
    problems: &mut Problems,
) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    match obj.shift_remove(key) {
        None => {}
        Some(Value::Object(map)) => {
            for (k, v) in map {
                match v {
                    Value::String(s) => {
                        out.insert(k, s);
                    }
                    other => problems.push(ValidationProblem::wrong_type(
                        key_path(path, &k),
                        "a string (quote numbers and booleans in YAML)",
                        &other,
                    )),
                }
            }
        }
        Some(other) => problems.push(ValidationProblem::wrong_type(
            path,
            "an object of strings",
            &other,
        )),
    }
    out
}

fn parse_metadata(mut meta: JsonObject, problems: &mut Problems) -> Option<ReadMeta> {
    let name = required_string(
        &mut meta,
        "name",
        "metadata.name",
        "add a name such as \"my-service\"",
        problems,
    );
    let namespace = optional_string(&mut meta, "namespace", "metadata.namespace", problems);
    let uid = optional_string(&mut meta, "uid", "metadata.uid", problems);
    let etag = optional_string(&mut meta, "etag", "metadata.etag", problems);
    let title = optional_string(&mut meta, "title", "metadata.title", problems);
    let description = optional_string(&mut meta, "description", "metadata.description", problems);
    let labels = string_map(&mut meta, "labels", "metadata.labels", problems);
    let annotations = string_map(&mut meta, "annotations", "metadata.annotations", problems);
    let tags = match meta.shift_remove("tags") {
        None => Vec::new(),
        Some(Value::Array(items)) => {
            let mut tags = Vec::with_capacity(items.len());
            for (i, item) in items.into_iter().enumerate() {
                match item {
                    Value::String(s) => tags.push(s),
                    other => problems.push(ValidationProblem::wrong_type(
                        index_path("metadata.tags", i),
                        "a string",
                        &other,
                    )),
                }
            }
            tags
        }
        Some(other) => {
            problems.push(ValidationProblem::wrong_type(
                "metadata.tags",
                "an array of strings",
                &other,
            ));
            Vec::new()
        }
    };
    let links = match meta.shift_remove("links") {
        None => Vec::new(),
        Some(Value::Array(items)) => {
            let mut links = Vec::with_capacity(items.len());
            for (i, item) in items.into_iter().enumerate() {
                let path = index_path("metadata.links", i);
                match item {
                    Value::Object(link) => {
                        if let Some(link) = parse_link(link, &path, problems) {
                            links.push(link);
                        }
                    }
                    other => problems.push(ValidationProblem::wrong_type(
                        path,
                        "an object with a url",
                        &other,
                    )),
                }
            }
            links
        }
        Some(other) => {
            problems.push(ValidationProblem::wrong_type(
                "metadata.links",
                "an array of {url, title} objects",
                &other,
            ));
            Vec::new()
        }
    };
    Some(ReadMeta {
        name: name.as_ref().map(|_| ()),
        meta: EntityMeta {
            name: name.unwrap_or_default(),
            namespace,
            uid,
            etag,
            title,
            description,
            labels,
            annotations,
            tags,
            links,
            extra: meta,
        },
    })
}

fn parse_link(mut link: JsonObject, path: &str, problems: &mut Problems) -> Option<EntityLink> {
    let url = required_string(
        &mut link,
        "url",
        &format!("{path}.url"),
        "every link needs a url",
        problems,
    );
    let title = optional_string(&mut link, "title", &format!("{path}.title"), problems);
    let icon = optional_string(&mut link, "icon", &format!("{path}.icon"), problems);
    let link_type = optional_string(&mut link, "type", &format!("{path}.type"), problems);
    Some(EntityLink {
        url: url?,
        title,
        icon,
        link_type,
        extra: link,
    })
}
