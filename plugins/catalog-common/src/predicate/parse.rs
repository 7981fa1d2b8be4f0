//! Reading a predicate from JSON, with errors that name the offending part.

use serde_json::{Map, Value};
use thiserror::Error;

use super::{ElementCondition, EntityPredicate, FieldCondition, FieldPredicate, Primitive};

/// A predicate that could not be read. The message names where (e.g.
/// `query.$all[1]["spec.type"]`) and what to write instead; a catalog
/// backend answers it as a 400 `InputError`.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("invalid query at {location}: {message}")]
pub struct PredicateError {
    /// Where in the query, e.g. `query.$any[0]["metadata.tags"].$in`.
    pub location: String,
    /// What is wrong and how to fix it.
    pub message: String,
}

const LOGICAL: [&str; 3] = ["$all", "$any", "$not"];

impl EntityPredicate {
    /// Reads a predicate from its JSON form (see the
    /// [module documentation](super)).
    pub fn from_value(value: &Value) -> Result<Self, PredicateError> {
        predicate(value, "query")
    }
}

fn error(location: &str, message: impl Into<String>) -> PredicateError {
    PredicateError {
        location: location.to_owned(),
        message: message.into(),
    }
}

fn predicate(value: &Value, at: &str) -> Result<EntityPredicate, PredicateError> {
    let Value::Object(map) = value else {
        return Err(error(
            at,
            format!(
                "a predicate must be a JSON object such as {{\"kind\": \"component\"}} or {{\"$all\": [...]}}, got {}",
                describe(value)
            ),
        ));
    };
    if let Some(op) = LOGICAL.iter().find(|op| map.contains_key(**op)) {
        return logical(op, map, at);
    }
    let mut fields = Vec::with_capacity(map.len());
    for (path, condition) in map {
        let field_at = format!("{at}[{path:?}]");
        if path.starts_with('$') {
            return Err(error(
                &field_at,
                format!(
                    "unknown operator {path}; a predicate uses $all, $any or $not, or a field path such as \"spec.type\""
                ),
            ));
        }
        if path.trim().is_empty() {
            return Err(error(
                &field_at,
                "the field path is empty; name a field such as \"metadata.name\"",
            ));
        }
        fields.push(FieldPredicate {
            path: path.clone(),
            condition: field_condition(condition, &field_at)?,
        });
    }
    Ok(EntityPredicate::Fields(fields))
}

fn logical(
    op: &str,
    map: &Map<String, Value>,
    at: &str,
) -> Result<EntityPredicate, PredicateError> {
    if map.len() != 1 {
        let others: Vec<&str> = map
            .keys()
            .map(String::as_str)
            .filter(|k| *k != op)
            .collect();
        return Err(error(
            at,
            format!(
                "{op} must be the only key of its object, but it is next to {}; wrap the conditions in $all to combine them",
                others.join(", ")
            ),
        ));
    }
    let op_at = format!("{at}.{op}");
    let operand = map.get(op).unwrap_or(&Value::Null);
    if op == "$not" {
        return Ok(EntityPredicate::Not(Box::new(predicate(operand, &op_at)?)));
    }
    let Value::Array(items) = operand else {
        return Err(error(
            &op_at,
            format!(
                "{op} takes an array of predicates, got {}",
                describe(operand)
            ),
        ));
    };
    let items = items
        .iter()
        .enumerate()
        .map(|(i, item)| predicate(item, &format!("{op_at}[{i}]")))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(if op == "$all" {
        EntityPredicate::All(items)
    } else {
        EntityPredicate::Any(items)
    })
}

fn field_condition(value: &Value, at: &str) -> Result<FieldCondition, PredicateError> {
    let Value::Object(map) = value else {
        return match primitive(value) {
            Some(p) => Ok(FieldCondition::Equals(p)),
            None => Err(error(
                at,
                format!(
                    "expected a string, number or boolean, or an object with $exists, $in, $hasPrefix or $contains; got {}{}",
                    describe(value),
                    if value.is_array() {
                        " (to match any of several values write {\"$in\": [...]})"
                    } else {
                        ""
                    }
                ),
            )),
        };
    };
    let (op, operand) = single_operator(map, at)?;
    let op_at = format!("{at}.{op}");
    match op {
        "$exists" => match operand {
            Value::Bool(b) => Ok(FieldCondition::Exists(*b)),
            other => Err(error(
                &op_at,
                format!("$exists takes true or false, got {}", describe(other)),
            )),
        },
        "$in" => Ok(FieldCondition::In(primitives(operand, &op_at)?)),
        "$hasPrefix" => Ok(FieldCondition::HasPrefix(prefix(operand, &op_at)?)),
        "$contains" => Ok(FieldCondition::Contains(element_condition(
            operand, &op_at,
        )?)),
        other => Err(error(
            at,
            format!(
                "unknown operator {other}; a field condition is a value or one of $exists, $in, $hasPrefix, $contains"
            ),
        )),
    }
}

fn element_condition(value: &Value, at: &str) -> Result<ElementCondition, PredicateError> {
    let Value::Object(map) = value else {
        return primitive(value).map(ElementCondition::Equals).ok_or_else(|| {
            error(
                at,
                format!(
                    "$contains takes a string, number or boolean, {{\"$in\": [...]}} or {{\"$hasPrefix\": \"...\"}}; got {}",
                    describe(value)
                ),
            )
        });
    };
    let (op, operand) = single_operator(map, at)?;
    let op_at = format!("{at}.{op}");
    match op {
        "$in" => Ok(ElementCondition::In(primitives(operand, &op_at)?)),
        "$hasPrefix" => Ok(ElementCondition::HasPrefix(prefix(operand, &op_at)?)),
        other => Err(error(
            at,
            format!(
                "$contains takes a value, $in or $hasPrefix, not {other}; objects inside arrays are matched through their flattened paths instead (e.g. {{\"metadata.links.type\": \"runbook\"}})"
            ),
        )),
    }
}

/// The single `$operator` key of a condition object.
fn single_operator<'a>(
    map: &'a Map<String, Value>,
    at: &str,
) -> Result<(&'a str, &'a Value), PredicateError> {
    let mut entries = map.iter();
    match (entries.next(), entries.next()) {
        (Some((op, operand)), None) if op.starts_with('$') => Ok((op.as_str(), operand)),
        (None, _) => Err(error(
            at,
            "the condition object is empty; write a value or one operator such as {\"$exists\": true}",
        )),
        (Some(_), None) => Err(error(
            at,
            format!(
                "an object here must hold one operator ($exists, $in, $hasPrefix, $contains), got {}; to match nested fields use a dot path such as \"spec.owner\"",
                describe(&Value::Object(map.clone()))
            ),
        )),
        (Some(_), Some(_)) => Err(error(
            at,
            format!(
                "a condition holds exactly one operator, got {}; combine conditions on one field with $all",
                map.keys().cloned().collect::<Vec<_>>().join(", ")
            ),
        )),
    }
}

fn primitives(value: &Value, at: &str) -> Result<Vec<Primitive>, PredicateError> {
    let Value::Array(items) = value else {
        return Err(error(
            at,
            format!(
                "$in takes an array of strings, numbers or booleans, got {}",
                describe(value)
            ),
        ));
    };
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            primitive(item).ok_or_else(|| {
                error(
                    &format!("{at}[{i}]"),
                    format!(
                        "$in values must be strings, numbers or booleans, got {}",
                        describe(item)
                    ),
                )
            })
        })
        .collect()
}

fn prefix(value: &Value, at: &str) -> Result<String, PredicateError> {
    value.as_str().map(str::to_owned).ok_or_else(|| {
        error(
            at,
            format!("$hasPrefix takes a string, got {}", describe(value)),
        )
    })
}

fn primitive(value: &Value) -> Option<Primitive> {
    match value {
        Value::String(s) => Some(Primitive::String(s.clone())),
        Value::Number(n) => Some(Primitive::Number(n.clone())),
        Value::Bool(b) => Some(Primitive::Bool(*b)),
        _ => None,
    }
}

/// A short description of a JSON value for messages: its type and, when
/// short, the value itself.
fn describe(value: &Value) -> String {
    let kind = match value {
        Value::Null => return "null".to_owned(),
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    };
    let text = value.to_string();
    if text.chars().count() <= 60 {
        format!("{kind} {text}")
    } else {
        kind.to_owned()
    }
}
