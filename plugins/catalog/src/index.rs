//! The catalog index (`/catalog`): kind picker, filters, text search,
//! sorting and cursor paging, all in the query string.
//!
//! One page of `GET /entities/by-query` (never the whole catalog) and two
//! `GET /entity-facets` calls per view, concurrently.

use backstage_common::catalog::Entity;
use backstage_frontend::components::{HeaderProps, empty_state, header};
use backstage_frontend::{PageError, PageRequest};
use backstage_plugin_catalog_common::api::{EntityFacet, FullTextFilter, TotalItems};
use backstage_plugin_catalog_common::{
    EntityFacetsParams, EntityFilter, EntityOrder, FilterSet, QueryEntitiesParams,
};
use backstage_plugin_catalog_react::{
    CATALOG_API, CATALOG_IMPORT_ROUTE, CATALOG_INDEX_ROUTE, EntityColumn, EntityTable, TableSort,
    catalog_error, humanize_ref,
};
use maud::{Markup, html};

use crate::query::{one, query_string};

/// Rows per page unless `?limit=` says otherwise.
pub const DEFAULT_PAGE_SIZE: u64 = 25;
/// The most rows a page shows.
pub const MAX_PAGE_SIZE: u64 = 100;

/// The page sizes the index offers.
const PAGE_SIZES: [u64; 4] = [10, DEFAULT_PAGE_SIZE, 50, MAX_PAGE_SIZE];

/// A filter of the index: its query parameter, label and entity field.
struct FilterField {
    param: &'static str,
    label: &'static str,
    field: &'static str,
}

const FILTERS: [FilterField; 5] = [
    FilterField {
        param: "type",
        label: "Type",
        field: "spec.type",
    },
    FilterField {
        param: "owner",
        label: "Owner",
        field: "relations.ownedBy",
    },
    FilterField {
        param: "lifecycle",
        label: "Lifecycle",
        field: "spec.lifecycle",
    },
    FilterField {
        param: "tag",
        label: "Tag",
        field: "metadata.tags",
    },
    FilterField {
        param: "namespace",
        label: "Namespace",
        field: "metadata.namespace",
    },
];

/// What the user asked for, read from the query string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct IndexState {
    /// The kind, lowercased; `None` for all kinds.
    kind: Option<String>,
    /// Values of [`FILTERS`], by param.
    filters: Vec<(&'static str, String)>,
    q: Option<String>,
    sort: EntityColumn,
    desc: bool,
    cursor: Option<String>,
    limit: u64,
}

impl IndexState {
    pub(crate) fn from_query(pairs: &[(String, String)]) -> Self {
        let kind = match one(pairs, "kind") {
            None => Some("component".to_owned()),
            Some("all") => None,
            Some(kind) => Some(kind.to_ascii_lowercase()),
        };
        let filters = FILTERS
            .iter()
            .filter_map(|f| one(pairs, f.param).map(|v| (f.param, v.to_owned())))
            .collect();
        let sort = one(pairs, "sort")
            .and_then(EntityColumn::from_key)
            .filter(|c| c.sort_field().is_some())
            .unwrap_or(EntityColumn::Name);
        Self {
            kind,
            filters,
            q: one(pairs, "q").map(str::to_owned),
            sort,
            desc: one(pairs, "dir") == Some("desc"),
            cursor: one(pairs, "cursor").map(str::to_owned),
            limit: one(pairs, "limit")
                .and_then(|l| l.parse().ok())
                .filter(|l| *l >= 1)
                .map(|l: u64| l.min(MAX_PAGE_SIZE))
                .unwrap_or(DEFAULT_PAGE_SIZE),
        }
    }

    fn filter_value(&self, param: &str) -> Option<&str> {
        self.filters
            .iter()
            .find(|(p, _)| *p == param)
            .map(|(_, v)| v.as_str())
    }

    fn kind_filter(&self) -> Option<EntityFilter> {
        self.kind
            .as_ref()
            .map(|k| EntityFilter::new(FilterSet::new().eq("kind", k.clone())))
    }

    fn columns(&self) -> Vec<EntityColumn> {
        use EntityColumn::*;
        match self.kind.as_deref() {
            None => vec![Name, Kind, Owner, Type, Lifecycle, Description, Tags],
            Some("group") => vec![Name, Type, Description, Tags],
            Some("user") => vec![Name, Description, Tags],
            Some("system") | Some("domain") => vec![Name, Owner, Description, Tags],
            Some("location") => vec![Name, Type, Description],
            Some(_) => vec![Name, System, Owner, Type, Lifecycle, Description, Tags],
        }
    }

    /// The catalog query for this view.
    fn query(&self) -> QueryEntitiesParams {
        let mut fields: Vec<String> = ["apiVersion", "kind", "metadata.name", "metadata.namespace"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        for column in self.columns() {
            fields.extend(column.fields().iter().map(|s| (*s).to_owned()));
        }
        let base = QueryEntitiesParams {
            fields,
            limit: Some(self.limit),
            total_items: Some(TotalItems::Include),
            ..Default::default()
        };
        if let Some(cursor) = &self.cursor {
            // The cursor carries the filter, order and search.
            return base.with_cursor(cursor.clone());
        }
        let mut set = FilterSet::new();
        if let Some(kind) = &self.kind {
            set = set.eq("kind", kind.clone());
        }
        for field in &FILTERS {
            if let Some(value) = self.filter_value(field.param) {
                set = set.eq(field.field, value.to_owned());
            }
        }
        let field = self.sort.sort_field().unwrap_or("metadata.name");
        let mut order = vec![if self.desc {
            EntityOrder::desc(field)
        } else {
            EntityOrder::asc(field)
        }];
        if field != "metadata.name" {
            order.push(EntityOrder::asc("metadata.name"));
        }
        QueryEntitiesParams {
            filter: Some(EntityFilter::new(set)),
            order_fields: order,
            full_text_filter: self.q.as_ref().map(|term| FullTextFilter {
                term: term.clone(),
                fields: Some(vec![
                    "metadata.name".to_owned(),
                    "metadata.title".to_owned(),
                    "metadata.description".to_owned(),
                ]),
            }),
            ..base
        }
    }

    /// The query pairs of this view without the cursor (`sort` and `dir`
    /// only when not the default), so links keep the filters.
    fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = Vec::new();
        pairs.push((
            "kind",
            self.kind.clone().unwrap_or_else(|| "all".to_owned()),
        ));
        for (param, value) in &self.filters {
            pairs.push((param, value.clone()));
        }
        if let Some(q) = &self.q {
            pairs.push(("q", q.clone()));
        }
        if self.sort != EntityColumn::Name || self.desc {
            pairs.push(("sort", self.sort.key().to_owned()));
            pairs.push(("dir", if self.desc { "desc" } else { "asc" }.to_owned()));
        }
        if self.limit != DEFAULT_PAGE_SIZE {
            pairs.push(("limit", self.limit.to_string()));
        }
        pairs
    }

    fn href(&self, extra: &[(&str, &str)]) -> String {
        let pairs = self.pairs();
        let mut all: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        all.extend_from_slice(extra);
        query_string(&all)
    }

    fn sort_href(&self, column: EntityColumn, desc: bool) -> String {
        let sorted = IndexState {
            sort: column,
            desc,
            cursor: None,
            ..self.clone()
        };
        sorted.href(&[])
    }
}

/// "Components", "APIs", "Entities".
fn kind_plural(kind: Option<&str>) -> String {
    match kind {
        None => "Entities".to_owned(),
        Some("api") => "APIs".to_owned(),
        Some(kind) => {
            let mut chars = kind.chars();
            let first: String = chars
                .next()
                .map(|c| c.to_uppercase().collect())
                .unwrap_or_default();
            format!("{first}{}s", chars.as_str())
        }
    }
}

fn facet_label(param: &str, value: &str) -> String {
    if param == "owner"
        && let Ok(r) = backstage_common::catalog::EntityRef::parse(
            value,
            &backstage_common::catalog::RefContext::new(),
        )
    {
        return humanize_ref(&r, Some("group"));
    }
    value.to_owned()
}

fn select(
    name: &str,
    label: &str,
    all_label: &str,
    current: Option<&str>,
    options: &[EntityFacet],
    label_of: &dyn Fn(&str) -> String,
) -> Markup {
    let mut options: Vec<&EntityFacet> = options.iter().collect();
    options.sort_by_key(|o| o.value.to_lowercase());
    let known = current.is_none_or(|c| options.iter().any(|o| o.value.eq_ignore_ascii_case(c)));
    let id = format!("catalog-filter-{name}");
    html! {
        div.catalog-filter {
            label for=(id) { (label) }
            select id=(id) name=(name) data-autosubmit {
                option value="" selected[current.is_none()] { (all_label) }
                @for option in options {
                    @let selected = current.is_some_and(|c| c.eq_ignore_ascii_case(&option.value));
                    option value=(option.value) selected[selected] {
                        (label_of(&option.value)) " (" (option.count) ")"
                    }
                }
                @if !known {
                    @if let Some(current) = current {
                        option value=(current) selected { (label_of(current)) " (0)" }
                    }
                }
            }
        }
    }
}

pub(crate) async fn index_page(req: PageRequest) -> Result<Markup, PageError> {
    let api = req.api(CATALOG_API)?;
    let client = api.for_page(&req);
    let state = IndexState::from_query(req.query_pairs());
    let facets = EntityFacetsParams {
        facets: FILTERS.iter().map(|f| f.field.to_owned()).collect(),
        filter: state.kind_filter(),
    };
    let kinds = EntityFacetsParams {
        facets: vec!["kind".to_owned()],
        filter: None,
    };
    let query = state.query();
    let (page, facets, kinds) = tokio::join!(
        client.query_entities::<Entity>(&query),
        client.get_entity_facets(&facets),
        client.get_entity_facets(&kinds),
    );
    let page = page.map_err(catalog_error)?;
    let facets = facets.map_err(catalog_error)?;
    let kinds = kinds.map_err(catalog_error)?;

    let routes = req.routes();
    let index = routes
        .href(CATALOG_INDEX_ROUTE, &[])
        .unwrap_or_else(|| req.path().to_owned());
    let import = routes.href(CATALOG_IMPORT_ROUTE, &[]);
    let plural = kind_plural(state.kind.as_deref());
    let columns = state.columns();
    let sort_href =
        |column: EntityColumn, desc: bool| format!("{index}{}", state.sort_href(column, desc));
    let table = EntityTable {
        caption: &plural,
        columns: &columns,
        entities: &page.items,
        sort: Some(TableSort {
            current: Some((state.sort, state.desc)),
            href: &sort_href,
        }),
    };
    let mut kind_options = kinds.facets.get("kind").cloned().unwrap_or_default();
    kind_options.sort_by_key(|o| o.value.to_lowercase());
    let empty = Vec::new();
    let filtered = !state.filters.is_empty() || state.q.is_some();
    let label_for = |param: &'static str| move |v: &str| facet_label(param, v);

    Ok(html! {
        (header(&HeaderProps { title: "Catalog", subtitle: Some("Everything your organisation owns and runs"), kind: None }))
        @if let Some(import) = &import {
            p.catalog-actions { a.bs-button href=(import) { "Register existing component" } }
        }
        div.catalog-index {
            form #catalog-filters .catalog-filters method="get" action=(index) role="search" aria-label="Filter the catalog" {
                div.catalog-filter {
                    label for="catalog-filter-kind" { "Kind" }
                    select #catalog-filter-kind name="kind" data-autosubmit {
                        option value="all" selected[state.kind.is_none()] { "All kinds" }
                        @for option in &kind_options {
                            @let value = option.value.to_ascii_lowercase();
                            option value=(value) selected[state.kind.as_deref() == Some(value.as_str())] {
                                (option.value) " (" (option.count) ")"
                            }
                        }
                    }
                }
                div.catalog-filter {
                    label for="catalog-search" { "Search" }
                    input #catalog-search type="search" name="q" value=(state.q.as_deref().unwrap_or("")) placeholder="Name, title or description";
                }
                @for field in &FILTERS {
                    (select(field.param, field.label, "All", state.filter_value(field.param),
                        facets.facets.get(field.field).unwrap_or(&empty), &label_for(field.param)))
                }
                @if state.sort != EntityColumn::Name || state.desc {
                    input type="hidden" name="sort" value=(state.sort.key());
                    input type="hidden" name="dir" value=(if state.desc { "desc" } else { "asc" });
                }
                div.catalog-filter {
                    label for="catalog-page-size" { "Rows per page" }
                    select #catalog-page-size name="limit" data-autosubmit {
                        @for size in PAGE_SIZES {
                            option value=(size) selected[state.limit == size] { (size) }
                        }
                        @if !PAGE_SIZES.contains(&state.limit) {
                            option value=(state.limit) selected { (state.limit) }
                        }
                    }
                }
                div.catalog-filters__buttons {
                    button.bs-button type="submit" { "Apply" }
                    @let kind_only = query_string(&[("kind", state.kind.as_deref().unwrap_or("all"))]);
                    a.bs-link href=(format!("{index}{kind_only}")) { "Clear filters" }
                }
            }
            section.catalog-results aria-live="polite" {
                h2.catalog-results__count #catalog-count data-total=(page.total_items) {
                    (plural) " (" (page.total_items) ")"
                }
                @if page.items.is_empty() {
                    @if filtered {
                        (empty_state(&format!("No {} match", plural.to_lowercase()), "Nothing matches these filters. Try fewer filters or another search."))
                    } @else {
                        (empty_state(&format!("No {} yet", plural.to_lowercase()), "Register a catalog-info.yaml to add entities to the catalog."))
                    }
                } @else {
                    (table.render(routes))
                }
                nav.bs-table__pager aria-label="Pages" {
                    @if let Some(prev) = &page.page_info.prev_cursor {
                        a rel="prev" href=(format!("{index}{}", state.href(&[("cursor", prev)]))) { "Previous" }
                    }
                    @if let Some(next) = &page.page_info.next_cursor {
                        a rel="next" href=(format!("{index}{}", state.href(&[("cursor", next)]))) { "Next" }
                    }
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(query: &[(&str, &str)]) -> Vec<(String, String)> {
        query
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn state_reads_defaults_and_clamps() {
        let s = IndexState::from_query(&[]);
        assert_eq!(s.kind.as_deref(), Some("component"));
        assert_eq!(
            (s.sort, s.desc, s.limit),
            (EntityColumn::Name, false, DEFAULT_PAGE_SIZE)
        );
        let s = IndexState::from_query(&pairs(&[
            ("kind", "all"),
            ("limit", "100000"),
            ("sort", "tags"),
        ]));
        assert_eq!(
            (s.kind, s.limit, s.sort),
            (None, MAX_PAGE_SIZE, EntityColumn::Name)
        );
        let s = IndexState::from_query(&pairs(&[("limit", "zero"), ("kind", "API")]));
        assert_eq!(
            (s.kind.as_deref(), s.limit),
            (Some("api"), DEFAULT_PAGE_SIZE)
        );
    }

    #[test]
    fn links_keep_filters_and_drop_the_cursor_when_sorting() {
        let s = IndexState::from_query(&pairs(&[
            ("kind", "component"),
            ("owner", "group:default/team-a"),
            ("q", "pay"),
            ("cursor", "abc"),
        ]));
        assert_eq!(
            s.sort_href(EntityColumn::Owner, true),
            "?kind=component&owner=group%3Adefault%2Fteam-a&q=pay&sort=owner&dir=desc"
        );
        assert_eq!(
            s.href(&[("cursor", "n")]),
            "?kind=component&owner=group%3Adefault%2Fteam-a&q=pay&cursor=n"
        );
    }

    #[test]
    fn a_cursor_query_sends_only_the_cursor_and_page_shape() {
        let s = IndexState::from_query(&pairs(&[("owner", "x"), ("cursor", "abc")]));
        let q = s.query();
        assert_eq!(q.cursor.as_deref(), Some("abc"));
        assert!(q.filter.is_none() && q.full_text_filter.is_none());
        assert_eq!(q.limit, Some(DEFAULT_PAGE_SIZE));
        let fresh = IndexState::from_query(&pairs(&[("owner", "x"), ("type", "service")])).query();
        assert!(fresh.filter.expect("filter").matches(&serde_json::json!({
            "kind": "Component", "spec": { "type": "Service" },
            "relations": [{ "type": "ownedBy", "targetRef": "x" }]
        })));
    }

    #[test]
    fn plurals() {
        assert_eq!(kind_plural(Some("component")), "Components");
        assert_eq!(kind_plural(Some("api")), "APIs");
        assert_eq!(kind_plural(None), "Entities");
    }
}
