//! Writing a predicate as JSON, and serde support in both directions.

use std::collections::HashSet;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value, json};

use super::{ElementCondition, EntityPredicate, FieldCondition, FieldPredicate, Primitive};

impl EntityPredicate {
    /// The JSON form of this predicate.
    ///
    /// A field expression that names the same path twice (possible only
    /// when built in code) is written as an `$all` of one object per
    /// condition, so no condition is lost to duplicate JSON keys.
    pub fn to_value(&self) -> Value {
        match self {
            EntityPredicate::All(items) => json!({ "$all": items_value(items) }),
            EntityPredicate::Any(items) => json!({ "$any": items_value(items) }),
            EntityPredicate::Not(inner) => json!({ "$not": inner.to_value() }),
            EntityPredicate::Fields(fields) => fields_value(fields),
        }
    }
}

fn items_value(items: &[EntityPredicate]) -> Value {
    Value::Array(items.iter().map(EntityPredicate::to_value).collect())
}

fn fields_value(fields: &[FieldPredicate]) -> Value {
    let mut seen = HashSet::new();
    if fields.iter().all(|f| seen.insert(f.path.as_str())) {
        let map: Map<String, Value> = fields
            .iter()
            .map(|f| (f.path.clone(), f.condition.to_value()))
            .collect();
        return Value::Object(map);
    }
    let items = fields
        .iter()
        .map(|f| {
            let mut map = Map::new();
            map.insert(f.path.clone(), f.condition.to_value());
            Value::Object(map)
        })
        .collect();
    json!({ "$all": Value::Array(items) })
}

impl FieldCondition {
    /// The JSON form of this condition.
    pub fn to_value(&self) -> Value {
        match self {
            FieldCondition::Equals(p) => p.to_value(),
            FieldCondition::Exists(b) => json!({ "$exists": b }),
            FieldCondition::In(values) => json!({ "$in": primitives_value(values) }),
            FieldCondition::HasPrefix(prefix) => json!({ "$hasPrefix": prefix }),
            FieldCondition::Contains(inner) => json!({ "$contains": inner.to_value() }),
        }
    }
}

impl ElementCondition {
    /// The JSON form of this `$contains` operand.
    pub fn to_value(&self) -> Value {
        match self {
            ElementCondition::Equals(p) => p.to_value(),
            ElementCondition::In(values) => json!({ "$in": primitives_value(values) }),
            ElementCondition::HasPrefix(prefix) => json!({ "$hasPrefix": prefix }),
        }
    }
}

impl Primitive {
    /// The JSON form of this value.
    pub fn to_value(&self) -> Value {
        match self {
            Primitive::String(s) => Value::String(s.clone()),
            Primitive::Number(n) => Value::Number(n.clone()),
            Primitive::Bool(b) => Value::Bool(*b),
        }
    }
}

fn primitives_value(values: &[Primitive]) -> Value {
    Value::Array(values.iter().map(Primitive::to_value).collect())
}

impl Serialize for EntityPredicate {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_value().serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for EntityPredicate {
    /// Reads any JSON value, then checks it with
    /// [`EntityPredicate::from_value`], whose message becomes the serde
    /// error.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        EntityPredicate::from_value(&value).map_err(serde::de::Error::custom)
    }
}

impl fmt::Display for EntityPredicate {
    /// The compact JSON form.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.to_value())
    }
}
