//! The catalog's own entity-page cards and tabs, built with the same
//! extension functions other plugins use.

use backstage_common::catalog::Entity;
use backstage_frontend::components::{CardProps, card};
use backstage_frontend::{ComponentRequest, Extension, PageError};
use backstage_plugin_catalog_common::api::TotalItems;
use backstage_plugin_catalog_common::{EntityFilter, EntityOrder, FilterSet, QueryEntitiesParams};
use backstage_plugin_catalog_react::{
    CATALOG_API, CATALOG_INDEX_ROUTE, EntityColumn, EntityCondition, EntityTable, catalog_error,
    entity_card_extension, entity_content_extension, entity_of, entity_ref_link, external_link,
    http_url,
};
use maud::{Markup, html};

use crate::query::query_string;

/// How many owned entities the "Owned entities" card lists.
const OWNED_LIMIT: u64 = 20;

/// Relation types, the label the relations card shows for each, and the
/// kind their targets usually have.
const RELATIONS: [(&str, &str, &str); 14] = [
    ("ownedBy", "Owner", "group"),
    ("ownerOf", "Owns", "component"),
    ("partOf", "Part of", "system"),
    ("hasPart", "Has parts", "component"),
    ("providesApi", "Provides APIs", "api"),
    ("consumesApi", "Consumes APIs", "api"),
    ("apiProvidedBy", "Provided by", "component"),
    ("apiConsumedBy", "Consumed by", "component"),
    ("dependsOn", "Depends on", "component"),
    ("dependencyOf", "Dependency of", "component"),
    ("parentOf", "Child groups", "group"),
    ("childOf", "Parent group", "group"),
    ("hasMember", "Members", "user"),
    ("memberOf", "Member of", "group"),
];

fn spec_str<'a>(entity: &'a Entity, key: &str) -> Option<&'a str> {
    entity
        .spec_field(key)
        .and_then(|v| v.as_str())
        .filter(|s| !s.is_empty())
}

fn relation_targets<'a>(
    entity: &'a Entity,
    relation: &'a str,
) -> impl Iterator<Item = &'a str> + 'a {
    entity
        .relations
        .iter()
        .filter(move |r| r.relation_type.eq_ignore_ascii_case(relation))
        .map(|r| r.target_ref.as_str())
}

fn sorted<'a>(items: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut items: Vec<&str> = items.collect();
    items.sort_unstable();
    items
}

/// The URL behind `url:<target>` of a location annotation, if it is http(s).
fn location_url(annotation: Option<&str>) -> Option<&str> {
    annotation
        .and_then(|v| v.strip_prefix("url:"))
        .and_then(http_url)
}

async fn about(req: ComponentRequest) -> Result<Markup, PageError> {
    let entity = entity_of(&req)?;
    let routes = req.page.routes();
    let view = entity
        .annotation("backstage.io/view-url")
        .and_then(http_url)
        .or_else(|| location_url(entity.annotation("backstage.io/managed-by-location")));
    let edit = entity
        .annotation("backstage.io/edit-url")
        .and_then(http_url);
    let source = entity
        .annotation("backstage.io/managed-by-location")
        .filter(|_| view.is_none());
    let index = routes.href(CATALOG_INDEX_ROUTE, &[]);
    let field = |label: &str, value: Markup| html! { div.catalog-about__field { dt { (label) } dd { (value) } } };
    let body = html! {
        p.catalog-about__description {
            (entity.metadata.description.as_deref().unwrap_or("No description."))
        }
        dl.catalog-about__fields {
            @if let Some(owner) = spec_str(&entity, "owner") {
                (field("Owner", entity_ref_link(routes, owner, Some("group"))))
            }
            @if let Some(system) = spec_str(&entity, "system") {
                (field("System", entity_ref_link(routes, system, Some("system"))))
            }
            @if let Some(domain) = spec_str(&entity, "domain") {
                (field("Domain", entity_ref_link(routes, domain, Some("domain"))))
            }
            @if let Some(t) = spec_str(&entity, "type") { (field("Type", html! { (t) })) }
            @if let Some(l) = spec_str(&entity, "lifecycle") { (field("Lifecycle", html! { (l) })) }
            @if let Some(profile) = entity.spec_field("profile").and_then(|p| p.as_object()) {
                @if let Some(name) = profile.get("displayName").and_then(|v| v.as_str()) {
                    (field("Name", html! { (name) }))
                }
                @if let Some(email) = profile.get("email").and_then(|v| v.as_str()) {
                    (field("Email", html! { (email) }))
                }
            }
            @if !entity.metadata.tags.is_empty() {
                (field("Tags", html! {
                    @for tag in &entity.metadata.tags {
                        @match &index {
                            Some(index) => {
                                @let kind = entity.kind.to_ascii_lowercase();
                                a.bs-chip href=(format!("{index}{}", query_string(&[("kind", &kind), ("tag", tag)]))) { (tag) }
                            }
                            None => { span.bs-chip { (tag) } }
                        }
                        " "
                    }
                }))
            }
            @if let Some(source) = source {
                (field("Source", html! { code { (source) } }))
            }
        }
        @if !entity.metadata.links.is_empty() {
            h3 { "Links" }
            ul.catalog-about__links {
                @for link in &entity.metadata.links {
                    li { (external_link(&link.url, link.title.as_deref().unwrap_or(&link.url))) }
                }
            }
        }
        @if view.is_some() || edit.is_some() {
            p.catalog-about__source {
                @if let Some(view) = view { (external_link(view, "View source")) " " }
                @if let Some(edit) = edit { (external_link(edit, "Edit source")) }
            }
        }
    };
    Ok(
        html! { div.catalog-card #catalog-about { (card(CardProps { title: "About", body, footer_link: None })) } },
    )
}

fn relation_list(req: &ComponentRequest, entity: &Entity, types: &[(&str, &str, &str)]) -> Markup {
    let routes = req.page.routes();
    html! {
        dl.catalog-relations {
            @for (relation, label, kind) in types {
                @let targets = sorted(relation_targets(entity, relation));
                @if !targets.is_empty() {
                    div.catalog-relations__group data-relation=(relation) {
                        dt { (label) }
                        dd { ul { @for target in targets { li { (entity_ref_link(routes, target, Some(kind))) } } } }
                    }
                }
            }
        }
    }
}

async fn relations(req: ComponentRequest) -> Result<Markup, PageError> {
    let entity = entity_of(&req)?;
    let body = if entity.relations.is_empty() {
        html! { p { "This entity has no relations." } }
    } else {
        relation_list(&req, &entity, &RELATIONS)
    };
    Ok(
        html! { div.catalog-card #catalog-relations { (card(CardProps { title: "Relations", body, footer_link: None })) } },
    )
}

async fn members(req: ComponentRequest) -> Result<Markup, PageError> {
    let entity = entity_of(&req)?;
    let body = html! {
        @if relation_targets(&entity, "hasMember").next().is_none()
            && relation_targets(&entity, "parentOf").next().is_none()
            && relation_targets(&entity, "childOf").next().is_none() {
            p { "This group has no members." }
        } @else {
            (relation_list(&req, &entity, &[
                ("hasMember", "Members", "user"),
                ("childOf", "Parent group", "group"),
                ("parentOf", "Child groups", "group"),
            ]))
        }
    };
    Ok(
        html! { div.catalog-card #catalog-members { (card(CardProps { title: "Members", body, footer_link: None })) } },
    )
}

async fn user_groups(req: ComponentRequest) -> Result<Markup, PageError> {
    let entity = entity_of(&req)?;
    let body = html! {
        @if relation_targets(&entity, "memberOf").next().is_none() {
            p { "This user is in no group." }
        } @else {
            (relation_list(&req, &entity, &[("memberOf", "Member of", "group")]))
        }
    };
    Ok(
        html! { div.catalog-card #catalog-groups { (card(CardProps { title: "Groups", body, footer_link: None })) } },
    )
}

async fn owned(req: ComponentRequest) -> Result<Markup, PageError> {
    let entity = entity_of(&req)?;
    let owner = entity.entity_ref().to_string();
    let api = req.page.api(CATALOG_API)?;
    let page = api
        .for_page(&req.page)
        .query_entities::<Entity>(&QueryEntitiesParams {
            filter: Some(EntityFilter::new(
                FilterSet::new().eq("relations.ownedBy", owner.clone()),
            )),
            fields: [
                "apiVersion",
                "kind",
                "metadata.name",
                "metadata.namespace",
                "metadata.title",
                "spec.type",
                "spec.lifecycle",
            ]
            .iter()
            .map(|s| (*s).to_owned())
            .collect(),
            limit: Some(OWNED_LIMIT),
            order_fields: vec![EntityOrder::asc("kind"), EntityOrder::asc("metadata.name")],
            total_items: Some(TotalItems::Include),
            ..Default::default()
        })
        .await
        .map_err(catalog_error)?;
    let routes = req.page.routes();
    let more = routes.href(CATALOG_INDEX_ROUTE, &[]).map(|index| {
        format!(
            "{index}{}",
            query_string(&[("kind", "all"), ("owner", &owner)])
        )
    });
    let body = html! {
        @if page.items.is_empty() {
            p { "Owns nothing in the catalog." }
        } @else {
            (EntityTable {
                caption: "Owned entities",
                columns: &[EntityColumn::Name, EntityColumn::Kind, EntityColumn::Type, EntityColumn::Lifecycle],
                entities: &page.items,
                sort: None,
            }.render(routes))
            @if page.total_items > page.items.len() as u64 {
                p { (page.items.len()) " of " (page.total_items) " shown." }
            }
        }
    };
    let label = format!("All {} owned entities", page.total_items);
    let footer = more
        .as_deref()
        .filter(|_| page.total_items > 0)
        .map(|href| (label.as_str(), href));
    Ok(
        html! { div.catalog-card #catalog-owned { (card(CardProps { title: "Owned entities", body, footer_link: footer })) } },
    )
}

async fn api_definition(req: ComponentRequest) -> Result<Markup, PageError> {
    let entity = entity_of(&req)?;
    let definition = spec_str(&entity, "definition");
    let api_type = spec_str(&entity, "type").unwrap_or("unknown");
    let routes = req.page.routes();
    let providers: Vec<&str> = relation_targets(&entity, "apiProvidedBy").collect();
    Ok(html! {
        section.catalog-api-definition {
            h2 { "Definition" }
            p { "Format: " code { (api_type) } }
            @if !providers.is_empty() {
                p { "Provided by "
                    @for (i, p) in providers.iter().enumerate() {
                        @if i > 0 { ", " }
                        (entity_ref_link(routes, p, Some("component")))
                    }
                }
            }
            @match definition {
                Some(text) => { pre.catalog-api-definition__text #catalog-api-definition { code { (text) } } }
                None => { p { "This API has no definition." } }
            }
        }
    })
}

/// The catalog's own cards and tabs.
pub(crate) fn extensions() -> Vec<Extension> {
    let people = EntityCondition::kinds(["group", "user"]);
    vec![
        entity_card_extension("about", EntityCondition::Always, about),
        entity_card_extension(
            "relations",
            EntityCondition::Not(Box::new(people.clone())),
            relations,
        ),
        entity_card_extension("members", EntityCondition::kind("group"), members),
        entity_card_extension("groups", EntityCondition::kind("user"), user_groups),
        entity_card_extension("owned", people, owned),
        entity_content_extension(
            "definition",
            "Definition",
            "definition",
            EntityCondition::kind("api"),
            api_definition,
        ),
    ]
}
