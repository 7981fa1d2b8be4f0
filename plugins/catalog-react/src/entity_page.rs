//! The entity page's inputs: tabs ("content") and overview cards that other
//! plugins attach, each with a condition saying which entities it is for.

use std::future::Future;
use std::sync::Arc;

use backstage_common::catalog::Entity;
use backstage_frontend::{
    AttachPoint, Component, ComponentRequest, Extension, ExtensionConfigSchema, ExtensionData,
    ExtensionDataRef, PageError, core_data,
};
use maud::Markup;
use schemars::JsonSchema;
use serde::Deserialize;

/// The id of the catalog's entity page, whose inputs are
/// [`ENTITY_CONTENTS_INPUT`] and [`ENTITY_CARDS_INPUT`].
pub const ENTITY_PAGE_ID: &str = "page:catalog/entity";
/// The entity page's input for tabs.
pub const ENTITY_CONTENTS_INPUT: &str = "contents";
/// The entity page's input for overview cards.
pub const ENTITY_CARDS_INPUT: &str = "cards";

/// Which entities a tab or card applies to (extension data
/// `catalog.entity-filter`).
pub const ENTITY_CONDITION: ExtensionDataRef<EntityCondition> =
    ExtensionDataRef::new("catalog.entity-filter");
/// The URL segment of a tab below the entity page, e.g. `ci`
/// (extension data `catalog.entity-content-path`).
pub const ENTITY_CONTENT_PATH: ExtensionDataRef<String> =
    ExtensionDataRef::new("catalog.entity-content-path");

/// A condition on an entity. Kinds, types and annotation keys compare
/// case-insensitively (types and kinds as Backstage compares them).
///
/// ```
/// use backstage_common::catalog::Entity;
/// use backstage_plugin_catalog_react::EntityCondition;
///
/// let service = Entity::from_value(serde_json::json!({
///     "apiVersion": "backstage.io/v1alpha1", "kind": "Component",
///     "metadata": { "name": "web", "annotations": { "github.com/project-slug": "acme/web" } },
///     "spec": { "type": "service", "lifecycle": "production", "owner": "team-a" }
/// }))?;
/// let ci = EntityCondition::kind("component")
///     .and(EntityCondition::spec_type(["service", "website"]))
///     .and(EntityCondition::has_annotation("github.com/project-slug"));
/// assert!(ci.matches(&service));
/// assert!(!EntityCondition::kind("api").matches(&service));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub enum EntityCondition {
    /// Every entity.
    Always,
    /// The kind is one of these.
    Kind(Vec<String>),
    /// `spec.type` is one of these.
    SpecType(Vec<String>),
    /// `metadata.annotations` has this key (with a non-empty value).
    HasAnnotation(String),
    /// Every condition holds.
    All(Vec<EntityCondition>),
    /// At least one condition holds.
    Any(Vec<EntityCondition>),
    /// The condition does not hold.
    Not(Box<EntityCondition>),
}

impl EntityCondition {
    /// The kind is `kind`.
    pub fn kind(kind: &str) -> Self {
        Self::Kind(vec![kind.to_owned()])
    }

    /// The kind is one of `kinds`.
    pub fn kinds<'a>(kinds: impl IntoIterator<Item = &'a str>) -> Self {
        Self::Kind(kinds.into_iter().map(str::to_owned).collect())
    }

    /// `spec.type` is one of `types`.
    pub fn spec_type<'a>(types: impl IntoIterator<Item = &'a str>) -> Self {
        Self::SpecType(types.into_iter().map(str::to_owned).collect())
    }

    /// The annotation `key` is present.
    pub fn has_annotation(key: &str) -> Self {
        Self::HasAnnotation(key.to_owned())
    }

    /// This and `other`.
    pub fn and(self, other: Self) -> Self {
        match self {
            Self::All(mut all) => {
                all.push(other);
                Self::All(all)
            }
            Self::Always => other,
            first => Self::All(vec![first, other]),
        }
    }

    /// This or `other`.
    pub fn or(self, other: Self) -> Self {
        match self {
            Self::Any(mut any) => {
                any.push(other);
                Self::Any(any)
            }
            first => Self::Any(vec![first, other]),
        }
    }

    /// Whether `entity` satisfies the condition.
    pub fn matches(&self, entity: &Entity) -> bool {
        match self {
            Self::Always => true,
            Self::Kind(kinds) => kinds.iter().any(|k| k.eq_ignore_ascii_case(&entity.kind)),
            Self::SpecType(types) => entity
                .spec_field("type")
                .and_then(|t| t.as_str())
                .is_some_and(|t| types.iter().any(|x| x.eq_ignore_ascii_case(t))),
            Self::HasAnnotation(key) => entity.annotation(key).is_some_and(|v| !v.is_empty()),
            Self::All(all) => all.iter().all(|c| c.matches(entity)),
            Self::Any(any) => any.iter().any(|c| c.matches(entity)),
            Self::Not(c) => !c.matches(entity),
        }
    }
}

/// The entity a tab or card is rendered for: its host passes the entity as
/// the component's props.
pub fn entity_of(req: &ComponentRequest) -> Result<Entity, PageError> {
    Entity::from_value(req.props.clone()).map_err(PageError::internal)
}

/// Config every entity tab takes in `app.extensions`.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct EntityContentConfig {
    /// The tab's label (overrides the default title).
    title: Option<String>,
    /// The tab's URL segment below the entity page (overrides the default).
    path: Option<String>,
    /// Which entities the tab is shown for (overrides the default).
    filter: Option<EntityCondition>,
}

/// Config every entity card takes in `app.extensions`.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct EntityCardConfig {
    /// Which entities the card is shown for (overrides the default).
    filter: Option<EntityCondition>,
}

fn check_segment(path: &str) -> Result<(), String> {
    let ok = !path.is_empty()
        && path
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '~'))
        && path != "."
        && path != "..";
    if ok {
        Ok(())
    } else {
        Err(format!(
            "entity tab path {path:?} must be one URL segment of letters, digits, '-', '_', '.' or '~'"
        ))
    }
}

/// A tab of the entity page: id `entity-content:<pluginId>/<name>`,
/// attached to input `contents` of [`ENTITY_PAGE_ID`]. The tab is shown
/// for entities `condition` accepts, at `<entity page>/<path>`, labelled
/// `title`; `render` gets the entity as props (see [`entity_of`]).
///
/// `app.extensions` may override `title`, `path` and `filter` (an
/// [`EntityCondition`] in JSON, e.g. `{ kind: [component] }`).
///
/// ```
/// use backstage_frontend::FrontendPlugin;
/// use backstage_plugin_catalog_react::{EntityCondition, entity_content_extension, entity_of};
/// use maud::html;
///
/// let tab = entity_content_extension("ci", "CI", "ci", EntityCondition::kind("component"), |req| async move {
///     let entity = entity_of(&req)?;
///     Ok(html! { p { "Builds of " (entity.metadata.name) } })
/// });
/// let plugin = FrontendPlugin::new("ci").extension(tab);
/// assert_eq!(plugin.extensions()[0].id().to_string(), "entity-content:ci/ci");
/// ```
pub fn entity_content_extension<F, Fut>(
    name: &str,
    title: &str,
    path: &str,
    condition: EntityCondition,
    render: F,
) -> Extension
where
    F: Fn(ComponentRequest) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Markup, PageError>> + Send + 'static,
{
    let render = Arc::new(render);
    let (title, path) = (title.to_owned(), path.to_owned());
    Extension::new(Some("entity-content"), Some(name))
        .attach_to(AttachPoint::new(ENTITY_PAGE_ID, ENTITY_CONTENTS_INPUT))
        .config_schema(ExtensionConfigSchema::of::<EntityContentConfig>())
        .output(&[
            core_data::COMPONENT.spec(),
            core_data::TITLE.spec(),
            ENTITY_CONTENT_PATH.spec(),
            ENTITY_CONDITION.spec(),
        ])
        .factory(move |ctx| {
            let config: EntityContentConfig = ctx.config()?;
            let path = config.path.unwrap_or_else(|| path.clone());
            check_segment(&path)?;
            let render = render.clone();
            Ok(ExtensionData::new()
                .with(
                    core_data::COMPONENT,
                    Component::new(ctx.id().clone(), move |req| render(req)),
                )
                .with(
                    core_data::TITLE,
                    config.title.unwrap_or_else(|| title.clone()),
                )
                .with(ENTITY_CONTENT_PATH, path)
                .with(
                    ENTITY_CONDITION,
                    config.filter.unwrap_or_else(|| condition.clone()),
                ))
        })
}

/// A card of the entity page's overview: id `entity-card:<pluginId>/<name>`,
/// attached to input `cards` of [`ENTITY_PAGE_ID`], shown for entities
/// `condition` accepts. `app.extensions` may override `filter`.
///
/// ```
/// use backstage_plugin_catalog_react::{EntityCondition, entity_card_extension, entity_of};
/// use maud::html;
///
/// let card = entity_card_extension("on-call", EntityCondition::kind("component"), |req| async move {
///     let entity = entity_of(&req)?;
///     Ok(html! { section { h2 { "On call" } p { "Ask " (entity.metadata.name) "'s owner." } } })
/// });
/// assert_eq!(card.id().to_string(), "entity-card:on-call");
/// ```
pub fn entity_card_extension<F, Fut>(name: &str, condition: EntityCondition, render: F) -> Extension
where
    F: Fn(ComponentRequest) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Markup, PageError>> + Send + 'static,
{
    let render = Arc::new(render);
    Extension::new(Some("entity-card"), Some(name))
        .attach_to(AttachPoint::new(ENTITY_PAGE_ID, ENTITY_CARDS_INPUT))
        .config_schema(ExtensionConfigSchema::of::<EntityCardConfig>())
        .output(&[core_data::COMPONENT.spec(), ENTITY_CONDITION.spec()])
        .factory(move |ctx| {
            let config: EntityCardConfig = ctx.config()?;
            let render = render.clone();
            Ok(ExtensionData::new()
                .with(
                    core_data::COMPONENT,
                    Component::new(ctx.id().clone(), move |req| render(req)),
                )
                .with(
                    ENTITY_CONDITION,
                    config.filter.unwrap_or_else(|| condition.clone()),
                ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entity(kind: &str, spec_type: Option<&str>) -> Entity {
        let mut spec = serde_json::json!({ "owner": "a", "lifecycle": "x" });
        if let Some(t) = spec_type {
            spec["type"] = t.into();
        }
        Entity::from_value(serde_json::json!({
            "apiVersion": "backstage.io/v1alpha1", "kind": kind,
            "metadata": { "name": "n", "annotations": { "a/b": "v", "empty/c": "" } },
            "spec": spec
        }))
        .expect("entity")
    }

    #[test]
    fn conditions_compare_kinds_and_types_without_case() {
        let web = entity("Component", Some("Website"));
        assert!(EntityCondition::kind("component").matches(&web));
        assert!(EntityCondition::spec_type(["website"]).matches(&web));
        assert!(!EntityCondition::spec_type(["service"]).matches(&web));
        assert!(!EntityCondition::spec_type(["service"]).matches(&entity("Group", None)));
        assert!(EntityCondition::has_annotation("a/b").matches(&web));
        assert!(!EntityCondition::has_annotation("empty/c").matches(&web));
        assert!(!EntityCondition::has_annotation("x/y").matches(&web));
        let either = EntityCondition::kind("api").or(EntityCondition::kind("group"));
        assert!(either.matches(&entity("Group", None)) && !either.matches(&web));
        assert!(EntityCondition::Not(Box::new(either)).matches(&web));
        assert_eq!(
            EntityCondition::Always.and(EntityCondition::kind("a")),
            EntityCondition::kind("a")
        );
    }

    #[test]
    fn conditions_read_from_config_json() {
        let c: EntityCondition = serde_json::from_value(serde_json::json!({
            "all": [{ "kind": ["component"] }, { "not": { "hasAnnotation": "a/b" } }]
        }))
        .expect("condition");
        assert!(!c.matches(&entity("Component", None)));
        assert!(
            serde_json::from_value::<EntityCondition>(serde_json::json!({ "kinds": ["x"] }))
                .is_err()
        );
    }

    #[test]
    fn tab_paths_are_one_segment() {
        assert!(check_segment("ci-cd").is_ok());
        for bad in ["", "a/b", "..", "a b", "<x>"] {
            assert!(check_segment(bad).is_err(), "{bad:?}");
        }
    }
}
