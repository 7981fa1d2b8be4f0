//! Rules of the envelope and of `metadata`, common to all kinds.

use super::problem::{Rule, ValidationProblem, index_path, key_path};
use super::rules;
use crate::catalog::entity::Entity;
use crate::catalog::kinds::BuiltinKind;
use crate::catalog::parse::Unreadable;

pub(super) fn check(
    entity: &Entity,
    unreadable: Unreadable,
    problems: &mut Vec<ValidationProblem>,
) {
    if !unreadable.api_version {
        check_api_version(entity, unreadable, problems);
    }
    if !unreadable.kind {
        check_kind(&entity.kind, problems);
    }
    let meta = &entity.metadata;
    if !unreadable.name && !rules::is_valid_entity_name(&meta.name) {
        problems.push(ValidationProblem::invalid(
            "metadata.name",
            Rule::EntityName,
            &meta.name,
            rules::NAME_EXPECTED,
        ));
    }
    if let Some(namespace) = &meta.namespace
        && !rules::is_valid_namespace(namespace)
    {
        problems.push(ValidationProblem::invalid(
            "metadata.namespace",
            Rule::Namespace,
            namespace,
            rules::NAMESPACE_EXPECTED,
        ));
    }
    for (field, value) in [
        ("metadata.uid", &meta.uid),
        ("metadata.etag", &meta.etag),
        ("metadata.title", &meta.title),
    ] {
        if value.as_deref() == Some("") {
            problems.push(ValidationProblem::empty(field));
        }
    }
    for (key, value) in &meta.labels {
        if !rules::is_valid_label_key(key) {
            problems.push(ValidationProblem::new(
                "metadata.labels",
                Rule::LabelKey,
                format!("key {key:?} is not valid: {}", rules::KEY_EXPECTED),
            ));
        }
        if !rules::is_valid_label_value(value) {
            problems.push(ValidationProblem::invalid(
                key_path("metadata.labels", key),
                Rule::LabelValue,
                value,
                rules::LABEL_VALUE_EXPECTED,
            ));
        }
    }
    for key in meta.annotations.keys() {
        if !rules::is_valid_annotation_key(key) {
            problems.push(ValidationProblem::new(
                "metadata.annotations",
                Rule::AnnotationKey,
                format!("key {key:?} is not valid: {}", rules::KEY_EXPECTED),
            ));
        }
    }
    for (i, tag) in meta.tags.iter().enumerate() {
        if !rules::is_valid_tag(tag) {
            problems.push(ValidationProblem::invalid(
                index_path("metadata.tags", i),
                Rule::Tag,
                tag,
                rules::TAG_EXPECTED,
            ));
        }
    }
    for (i, link) in meta.links.iter().enumerate() {
        let link_ok = !link.url.is_empty()
            && [&link.title, &link.icon, &link.link_type]
                .iter()
                .all(|v| v.as_deref() != Some(""));
        if link_ok {
            continue;
        }
        let path = index_path("metadata.links", i);
        if link.url.is_empty() {
            problems.push(ValidationProblem::empty(format!("{path}.url")));
        }
        for (field, value) in [
            ("title", &link.title),
            ("icon", &link.icon),
            ("type", &link.link_type),
        ] {
            if value.as_deref() == Some("") {
                problems.push(ValidationProblem::empty(format!("{path}.{field}")));
            }
        }
    }
    for (i, relation) in entity.relations.iter().enumerate() {
        let word = !relation.relation_type.is_empty()
            && relation
                .relation_type
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_');
        if word && !relation.target_ref.is_empty() {
            continue;
        }
        let path = index_path("relations", i);
        if !word {
            problems.push(ValidationProblem::invalid(
                format!("{path}.type"),
                Rule::RelationType,
                &relation.relation_type,
                "expected a single word of letters, digits and \"_\", such as \"ownedBy\"",
            ));
        }
        if relation.target_ref.is_empty() {
            problems.push(ValidationProblem::empty(format!("{path}.targetRef")));
        }
    }
}

fn check_api_version(
    entity: &Entity,
    unreadable: Unreadable,
    problems: &mut Vec<ValidationProblem>,
) {
    let api_version = &entity.api_version;
    if !rules::is_valid_api_version(api_version) {
        problems.push(ValidationProblem::invalid(
            "apiVersion",
            Rule::ApiVersion,
            api_version,
            rules::API_VERSION_EXPECTED,
        ));
        return;
    }
    if unreadable.kind {
        return;
    }
    if let Some(kind) = BuiltinKind::from_kind(&entity.kind) {
        let accepted = kind.api_versions();
        if !accepted.contains(&api_version.as_str()) {
            problems.push(ValidationProblem::invalid(
                "apiVersion",
                Rule::ApiVersion,
                api_version,
                &format!(
                    "{} entities use apiVersion {}",
                    kind.as_str(),
                    accepted
                        .iter()
                        .map(|v| format!("{v:?}"))
                        .collect::<Vec<_>>()
                        .join(" or ")
                ),
            ));
        }
    }
}

fn check_kind(kind: &str, problems: &mut Vec<ValidationProblem>) {
    if !rules::is_valid_kind(kind) {
        problems.push(ValidationProblem::invalid(
            "kind",
            Rule::Kind,
            kind,
            rules::KIND_EXPECTED,
        ));
    } else if BuiltinKind::from_kind(kind).is_none()
        && let Some(builtin) = BuiltinKind::from_kind_ignore_case(kind)
    {
        problems.push(ValidationProblem::invalid(
            "kind",
            Rule::Kind,
            kind,
            &format!(
                "built-in kinds are case-sensitive; write {:?}",
                builtin.as_str()
            ),
        ));
    }
}
