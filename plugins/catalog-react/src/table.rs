//! Tables of entities: one row per entity, names linking to entity pages,
//! owners and systems linking to theirs.

use backstage_common::catalog::Entity;
use backstage_frontend::app::RouteResolver;
use maud::{Markup, html};

use crate::routes::{entity_page_link, entity_ref_link};

/// A column of an [`EntityTable`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntityColumn {
    /// The title (or name), linking to the entity's page.
    Name,
    /// The kind.
    Kind,
    /// `metadata.namespace`.
    Namespace,
    /// `spec.owner`, linking to the owner.
    Owner,
    /// `spec.system`, linking to the system.
    System,
    /// `spec.type`.
    Type,
    /// `spec.lifecycle`.
    Lifecycle,
    /// `metadata.description`.
    Description,
    /// `metadata.tags`.
    Tags,
}

impl EntityColumn {
    /// The key used in `?sort=`.
    pub fn key(self) -> &'static str {
        match self {
            Self::Name => "name",
            Self::Kind => "kind",
            Self::Namespace => "namespace",
            Self::Owner => "owner",
            Self::System => "system",
            Self::Type => "type",
            Self::Lifecycle => "lifecycle",
            Self::Description => "description",
            Self::Tags => "tags",
        }
    }

    /// The column header.
    pub fn title(self) -> &'static str {
        match self {
            Self::Name => "Name",
            Self::Kind => "Kind",
            Self::Namespace => "Namespace",
            Self::Owner => "Owner",
            Self::System => "System",
            Self::Type => "Type",
            Self::Lifecycle => "Lifecycle",
            Self::Description => "Description",
            Self::Tags => "Tags",
        }
    }

    /// The entity field the catalog sorts by for this column, if it sorts.
    pub fn sort_field(self) -> Option<&'static str> {
        match self {
            Self::Name => Some("metadata.name"),
            Self::Kind => Some("kind"),
            Self::Namespace => Some("metadata.namespace"),
            Self::Owner => Some("spec.owner"),
            Self::System => Some("spec.system"),
            Self::Type => Some("spec.type"),
            Self::Lifecycle => Some("spec.lifecycle"),
            Self::Description | Self::Tags => None,
        }
    }

    /// The column with this `?sort=` key.
    pub fn from_key(key: &str) -> Option<Self> {
        ALL_COLUMNS.iter().copied().find(|c| c.key() == key)
    }

    /// The entity fields the column shows (for a `fields` projection).
    pub fn fields(self) -> &'static [&'static str] {
        match self {
            Self::Name => &["metadata.name", "metadata.title"],
            Self::Kind => &["kind"],
            Self::Namespace => &["metadata.namespace"],
            Self::Owner => &["spec.owner"],
            Self::System => &["spec.system"],
            Self::Type => &["spec.type"],
            Self::Lifecycle => &["spec.lifecycle"],
            Self::Description => &["metadata.description"],
            Self::Tags => &["metadata.tags"],
        }
    }

    fn cell(self, routes: &RouteResolver, entity: &Entity) -> Markup {
        let spec = |key: &str| {
            entity
                .spec_field(key)
                .and_then(|v| v.as_str())
                .unwrap_or("")
                .to_owned()
        };
        match self {
            Self::Name => entity_page_link(routes, entity),
            Self::Kind => html! { (entity.kind) },
            Self::Namespace => html! { (entity.namespace()) },
            Self::Owner => {
                let owner = spec("owner");
                html! { @if !owner.is_empty() { (entity_ref_link(routes, &owner, Some("group"))) } }
            }
            Self::System => {
                let system = spec("system");
                html! { @if !system.is_empty() { (entity_ref_link(routes, &system, Some("system"))) } }
            }
            Self::Type => html! { (spec("type")) },
            Self::Lifecycle => html! { (spec("lifecycle")) },
            Self::Description => {
                html! { (entity.metadata.description.as_deref().unwrap_or("")) }
            }
            Self::Tags => html! {
                @for tag in &entity.metadata.tags { span.bs-chip { (tag) } " " }
            },
        }
    }
}

/// Every column, in the usual order.
pub const ALL_COLUMNS: [EntityColumn; 9] = [
    EntityColumn::Name,
    EntityColumn::Kind,
    EntityColumn::Namespace,
    EntityColumn::System,
    EntityColumn::Owner,
    EntityColumn::Type,
    EntityColumn::Lifecycle,
    EntityColumn::Description,
    EntityColumn::Tags,
];

/// The sort state of an [`EntityTable`] and how to link to another sort.
pub struct TableSort<'a> {
    /// The current sort column and whether it is descending.
    pub current: Option<(EntityColumn, bool)>,
    /// The link that sorts by `column`, descending or not.
    pub href: &'a dyn Fn(EntityColumn, bool) -> String,
}

/// A table of entities. The rows are given (already a page, already
/// sorted by the catalog); with `sort`, headers of sortable columns link
/// to the other sort.
///
/// ```
/// use backstage_common::catalog::Entity;
/// use backstage_frontend::app::RouteResolver;
/// use backstage_plugin_catalog_react::{EntityColumn, EntityTable};
///
/// let web = Entity::from_value(serde_json::json!({
///     "apiVersion": "backstage.io/v1alpha1", "kind": "Component",
///     "metadata": { "name": "web", "description": "<b>shop</b>" },
///     "spec": { "type": "website", "lifecycle": "production", "owner": "team-a" }
/// }))?;
/// let entities = [web];
/// let table = EntityTable {
///     caption: "Components",
///     columns: &[EntityColumn::Name, EntityColumn::Owner, EntityColumn::Description],
///     entities: &entities,
///     sort: None,
/// };
/// let html = table.render(&RouteResolver::default()).into_string();
/// assert!(html.contains("&lt;b&gt;shop&lt;/b&gt;"));  // escaped
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct EntityTable<'a> {
    /// The caption (also the accessible name).
    pub caption: &'a str,
    /// The columns.
    pub columns: &'a [EntityColumn],
    /// The rows.
    pub entities: &'a [Entity],
    /// Sorting links, if the table sorts.
    pub sort: Option<TableSort<'a>>,
}

impl EntityTable<'_> {
    /// Renders the table (an empty table says so).
    pub fn render(&self, routes: &RouteResolver) -> Markup {
        html! {
            div.bs-table {
                table.bs-entity-table {
                    caption { (self.caption) }
                    thead { tr {
                        @for &column in self.columns {
                            @let current = self.sort.as_ref().and_then(|s| s.current).filter(|(c, _)| *c == column).map(|(_, desc)| desc);
                            @let aria = match current { Some(false) => "ascending", Some(true) => "descending", None => "none" };
                            th scope="col" aria-sort=(aria) data-column=(column.key()) {
                                @match (&self.sort, column.sort_field()) {
                                    (Some(sort), Some(_)) => {
                                        a href=((sort.href)(column, current == Some(false))) { (column.title()) }
                                    }
                                    _ => { (column.title()) }
                                }
                            }
                        }
                    } }
                    tbody {
                        @for entity in self.entities {
                            tr data-entity-ref=(entity.entity_ref().to_string()) {
                                @for &column in self.columns { td { (column.cell(routes, entity)) } }
                            }
                        }
                    }
                }
                @if self.entities.is_empty() {
                    p.bs-table__empty { "No entities." }
                }
            }
        }
    }
}
