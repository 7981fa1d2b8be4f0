//! The root `Location` entity of each configured location.

use backstage_common::catalog::annotations::{MANAGED_BY_LOCATION, MANAGED_BY_ORIGIN_LOCATION};
use backstage_plugin_catalog_node::LocationSpec;
use serde_json::{Value, json};

use super::hash::hash_text;

/// The `Location` entity that stands for `location` in the catalog, named
/// `generated-<hash of type:target>` as Backstage names it, so the same
/// location always yields the same entity.
pub(crate) fn location_entity(location: &LocationSpec) -> Value {
    let key = location.key();
    let name = format!("generated-{}", &hash_text(&key)[..40]);
    let mut spec = json!({"type": location.location_type, "target": location.target});
    if location.presence == backstage_plugin_catalog_node::Presence::Optional {
        spec["presence"] = json!("optional");
    }
    json!({
        "apiVersion": "backstage.io/v1alpha1",
        "kind": "Location",
        "metadata": {
            "name": name,
            "namespace": "default",
            "annotations": {
                MANAGED_BY_LOCATION: key,
                MANAGED_BY_ORIGIN_LOCATION: key,
            }
        },
        "spec": spec
    })
}

/// The (lowercased) ref of [`location_entity`]`(location)`.
pub(crate) fn root_ref(location: &LocationSpec) -> String {
    let entity = location_entity(location);
    let name = entity["metadata"]["name"].as_str().unwrap_or_default();
    format!("location:default/{name}")
}
