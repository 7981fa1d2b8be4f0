//! The project's own descriptor files, read from YAML.

use backstage_common::catalog::{Entity, annotations};

use super::{accepted, fixture, yaml_documents};

#[test]
fn typical_component_reads_with_everything_kept() {
    let doc = yaml_documents(&fixture("typical-component.yaml")).remove(0);
    let entity = accepted(doc.clone());
    assert_eq!(
        entity.entity_ref().to_string(),
        "component:default/ticket-checkout"
    );
    assert_eq!(entity.annotation(annotations::TECHDOCS_REF), Some("dir:."));
    assert_eq!(
        entity.metadata.links[0].link_type.as_deref(),
        Some("dashboard")
    );
    assert_eq!(entity.metadata.extra["x-release-train"], "friday");
    assert_eq!(entity.spec_field("deploymentRegion").unwrap(), "eu-west-1");
    assert_eq!(entity.to_value(), doc);
}

#[test]
fn yaml_deserializes_straight_into_an_entity() {
    let entity: Entity = serde_saphyr::from_str(&fixture("typical-component.yaml")).unwrap();
    assert_eq!(entity.metadata.name, "ticket-checkout");
    let bad =
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: x}\nowner: me\n";
    let err = serde_saphyr::from_str::<Entity>(bad).unwrap_err();
    assert!(
        err.to_string().contains("owner is not allowed at the root"),
        "{err}"
    );
}

#[test]
fn yaml_one_point_two_booleans_stay_strings_where_backstage_reads_strings() {
    // `on` and `yes` are plain strings in YAML 1.2, so this label is valid.
    let text = "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: x\n  labels:\n    paging: yes\nspec: {type: service, lifecycle: production, owner: o}\n";
    let entity = accepted(yaml_documents(text).remove(0));
    assert_eq!(entity.metadata.labels["paging"], "yes");
}
