//! The first check of any entity: an object with `apiVersion`, `kind` and
//! `metadata.name` strings, so it has a ref that errors can name.

use serde_json::Value;

use backstage_plugin_catalog_node::ProcessorError;

/// The entity's ref (`kind:namespace/name`, as written), or why it has none.
pub(crate) fn entity_ref(entity: &Value) -> Result<String, ProcessorError> {
    let field = |path: &[&str]| {
        path.iter()
            .try_fold(entity, |v, key| v.get(key))
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    };
    let missing = |what: &str| {
        ProcessorError::input(format!(
            "the entity has no {what}; every entity needs apiVersion, kind and metadata.name strings"
        ))
    };
    field(&["apiVersion"]).ok_or_else(|| missing("apiVersion"))?;
    let kind = field(&["kind"]).ok_or_else(|| missing("kind"))?;
    let name = field(&["metadata", "name"]).ok_or_else(|| missing("metadata.name"))?;
    let namespace = field(&["metadata", "namespace"]).unwrap_or("default");
    Ok(format!("{kind}:{namespace}/{name}"))
}
