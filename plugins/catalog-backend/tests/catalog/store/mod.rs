//! The catalog store over every configured database.

mod fixtures;
mod read_cache;
mod support;

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{Context, ensure};
use backstage_plugin_catalog_backend::store::{
    CatalogStore, EntityQuery, FullTextQuery, PagePosition, SortPosition, WriteKind,
};
use backstage_plugin_catalog_common::search::search_entries;
use backstage_plugin_catalog_common::{EntityOrder, EntityPredicate, FieldCondition, Primitive};
use serde_json::{Value, json};

use fixtures::{company, entity_ref};
use support::on_every_database;

async fn fill(store: &CatalogStore) -> anyhow::Result<Vec<Value>> {
    let entities = company();
    let results = store.write_entities(&entities).await?;
    ensure!(results.iter().all(|r| r.kind == WriteKind::Created));
    // What the store holds (with uid and etag), for in-memory matching.
    let refs: Vec<String> = entities.iter().map(entity_ref).collect();
    let stored = store.entities_by_refs(&refs).await?;
    stored
        .into_iter()
        .map(|e| {
            Ok(serde_json::from_str(
                &e.context("a written entity is missing")?.json,
            )?)
        })
        .collect()
}

async fn refs_matching(
    store: &CatalogStore,
    predicate: &EntityPredicate,
) -> anyhow::Result<BTreeSet<String>> {
    let page = store
        .query_entities(&EntityQuery::filtered(predicate.clone()))
        .await?;
    let refs: BTreeSet<String> = page.items.iter().map(|i| i.entity_ref.clone()).collect();
    ensure!(
        page.total_items == Some(refs.len() as u64),
        "total {:?} for {} items",
        page.total_items,
        refs.len()
    );
    Ok(refs)
}

fn expected(entities: &[Value], predicate: &EntityPredicate) -> BTreeSet<String> {
    entities
        .iter()
        .filter(|e| predicate.matches(e))
        .map(entity_ref)
        .collect()
}

fn pred(value: Value) -> EntityPredicate {
    serde_json::from_value(value).expect("a valid predicate")
}

/// Hand-written predicates covering each operator and rule.
fn handwritten() -> Vec<EntityPredicate> {
    let long_key = format!("metadata.annotations.quillfeather.io/{}", "x".repeat(190));
    [
        json!({"kind": "component"}),
        json!({"KIND": "Component"}),
        json!({"kind": "Group", "spec.type": "team"}),
        json!({"spec.type": {"$in": ["service", "WEBSITE"]}}),
        json!({"spec.type": {"$in": []}}),
        json!({"metadata.tags": "java"}),
        json!({"metadata.tags.java": true}),
        json!({"metadata.tags.java": "TRUE"}),
        json!({"metadata.tags.kafka": {"$exists": true}}),
        json!({"metadata.tags": {"$contains": "grpc"}}),
        json!({"metadata.tags": {"$contains": {"$in": ["rust", "go"]}}}),
        json!({"metadata.tags": {"$contains": {"$hasPrefix": "ja"}}}),
        json!({"relations.ownedBy": "group:default/team-falcon"}),
        json!({"relations.ownedby": {"$contains": "GROUP:OPS/TEAM-HERON"}}),
        json!({"relations.memberOf": {"$exists": true}}),
        json!({"relations": {"$exists": false}}),
        json!({"metadata.namespace": "default"}),
        json!({"metadata.namespace": {"$in": ["ops", "retail"]}}),
        json!({"metadata.name": {"$hasPrefix": "SVC-1"}}),
        json!({"metadata.name": {"$hasPrefix": ""}}),
        json!({"metadata.description": {"$exists": true}}),
        json!({"metadata.description": "routes, stops and etas"}),
        json!({"metadata.description": {"$hasPrefix": "routes parcels"}}),
        json!({"metadata.annotations.backstage.io/managed-by-location": {"$hasPrefix": "url:https://git.quillfeather.example/"}}),
        json!({"metadata.annotations.backstage.io/techdocs-ref": {"$exists": true}}),
        json!({long_key.clone(): {"$exists": true}}),
        json!({long_key: {"$exists": false}}),
        json!({"metadata.annotations.quillfeather.io/tier": "gold"}),
        json!({"metadata.labels.engine": "postgres"}),
        json!({"metadata.links.url": {"$hasPrefix": "https://grafana"}}),
        json!({"spec.replicas": 3}),
        json!({"spec.replicas": "3"}),
        json!({"spec.critical": true}),
        json!({"spec.sla": 99.9}),
        json!({"spec.retired": {"$exists": true}}),
        json!({"spec.retired": "null"}),
        json!({"spec.profile.email": {"$hasPrefix": "user1@"}}),
        json!({"spec.memberof": "ops/team-heron"}),
        json!({"spec.memberOf.team-falcon": true}),
        json!({"status.items.level": "error"}),
        json!({"status": {"$exists": true}}),
        json!({"no.such.key": {"$exists": false}}),
        json!({"no.such.key": "x"}),
        json!({}),
        json!({"$all": []}),
        json!({"$any": []}),
        json!({"$not": {"$all": []}}),
        json!({"$not": {"kind": "component"}}),
        json!({"$all": [{"kind": "component"}, {"$not": {"metadata.tags": "java"}}]}),
        json!({"$any": [{"kind": "api"}, {"spec.type": "website"}, {"metadata.namespace": "ops"}]}),
        json!({"$all": [{"spec.lifecycle": "production"}, {"$any": [{"relations.partOf": "system:default/dispatch"}, {"metadata.tags": "typescript"}]}]}),
        json!({"$not": {"$any": [{"kind": "user"}, {"kind": "group"}]}}),
        json!({"metadata.title": {"$exists": true}, "spec.type": {"$in": ["service", "library"]}}),
        json!({"metadata.name": "parcel-tracker"}),
        json!({"metadata.name": "Parcel-Tracker"}),
        json!({"metadata.uid": {"$exists": true}}),
        json!({"metadata.etag": {"$hasPrefix": "0"}}),
    ]
    .into_iter()
    .map(pred)
    .collect()
}

/// A small deterministic generator (xorshift), for property-style checks.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next() % items.len() as u64) as usize]
    }
}

/// Random predicates over the keys and values the entities really have
/// (plus some that nothing has), nested up to `depth`.
fn random_predicate(rng: &mut Rng, pairs: &[(String, String)], depth: u32) -> EntityPredicate {
    let choice = if depth == 0 { 3 } else { rng.next() % 6 };
    match choice {
        0 => EntityPredicate::All(
            (0..rng.next() % 3 + 1)
                .map(|_| random_predicate(rng, pairs, depth - 1))
                .collect(),
        ),
        1 => EntityPredicate::Any(
            (0..rng.next() % 3 + 1)
                .map(|_| random_predicate(rng, pairs, depth - 1))
                .collect(),
        ),
        2 => EntityPredicate::not(random_predicate(rng, pairs, depth - 1)),
        _ => {
            let (key, value) = rng.pick(pairs).clone();
            let key = if rng.next().is_multiple_of(4) {
                key.to_uppercase()
            } else {
                key
            };
            let value = if rng.next().is_multiple_of(3) {
                value.to_uppercase()
            } else {
                value
            };
            let condition = match rng.next() % 6 {
                0 => FieldCondition::Exists(rng.next().is_multiple_of(2)),
                1 => {
                    let (_, other) = rng.pick(pairs).clone();
                    FieldCondition::In(vec![Primitive::from(value), Primitive::from(other)])
                }
                2 => {
                    let cut = value.chars().count() / 2;
                    FieldCondition::HasPrefix(value.chars().take(cut).collect())
                }
                _ => FieldCondition::Equals(Primitive::from(value)),
            };
            EntityPredicate::field(key, condition)
        }
    }
}

#[tokio::test]
async fn sql_filters_agree_with_in_memory_matching() {
    on_every_database("agree", async |store, _server| {
        let entities = fill(&store).await?;
        let mut checked = 0;
        for predicate in handwritten() {
            let want = expected(&entities, &predicate);
            let got = refs_matching(&store, &predicate).await?;
            ensure!(
                got == want,
                "{}: got {got:?}, want {want:?}",
                predicate.to_value()
            );
            checked += 1;
        }
        let mut pairs: Vec<(String, String)> = entities
            .iter()
            .flat_map(search_entries)
            .filter_map(|e| Some((e.key, e.value?)))
            .collect();
        pairs.sort();
        pairs.dedup();
        pairs.push(("spec.type".to_owned(), "nothing-has-this".to_owned()));
        pairs.push(("no.key".to_owned(), "x".to_owned()));
        let mut rng = Rng(0x5eed_1234_abcd_9876);
        let mut nonempty = 0;
        for _ in 0..250 {
            let predicate = random_predicate(&mut rng, &pairs, 3);
            let want = expected(&entities, &predicate);
            let got = refs_matching(&store, &predicate).await?;
            ensure!(
                got == want,
                "{}: got {got:?}, want {want:?}",
                predicate.to_value()
            );
            if !want.is_empty() && want.len() < entities.len() {
                nonempty += 1;
            }
            checked += 1;
        }
        ensure!(nonempty > 50, "too few selective predicates: {nonempty}");
        println!("{checked} predicates agree");
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn uid_and_etag_and_unchanged_writes() {
    on_every_database("etag", async |store, _server| {
        let entity = json!({
            "apiVersion": "backstage.io/v1alpha1", "kind": "Component",
            "metadata": {"name": "Ledger", "tags": ["Go"]},
            "spec": {"type": "service", "owner": "team-falcon"}
        });
        let first = store.write_entity(&entity).await?;
        ensure!(first.kind == WriteKind::Created);
        ensure!(first.entity_ref == "component:default/ledger");
        ensure!(first.uid.len() == 36 && first.etag.len() == 64);
        let stored = store
            .entity_by_ref("Component:Default/LEDGER")
            .await?
            .context("by ref")?;
        let json: Value = serde_json::from_str(&stored.json)?;
        ensure!(json["metadata"]["uid"] == first.uid.as_str());
        ensure!(json["metadata"]["etag"] == first.etag.as_str());
        ensure!(json["metadata"]["name"] == "Ledger", "original case kept");

        // Same content (even with the stored uid/etag, other key order): no write.
        let again = store.write_entity(&json).await?;
        ensure!(again.kind == WriteKind::Unchanged);
        ensure!(again.uid == first.uid && again.etag == first.etag);
        let reordered = json!({
            "spec": {"owner": "team-falcon", "type": "service"},
            "metadata": {"tags": ["Go"], "name": "Ledger"},
            "kind": "Component", "apiVersion": "backstage.io/v1alpha1"
        });
        ensure!(store.write_entity(&reordered).await?.kind == WriteKind::Unchanged);

        // Changed content: same uid, new etag, index follows.
        let mut changed = entity.clone();
        changed["spec"]["type"] = json!("library");
        let updated = store.write_entity(&changed).await?;
        ensure!(updated.kind == WriteKind::Updated);
        ensure!(updated.uid == first.uid && updated.etag != first.etag);
        ensure!(
            refs_matching(&store, &EntityPredicate::eq("spec.type", "service"))
                .await?
                .is_empty()
        );
        ensure!(
            refs_matching(&store, &EntityPredicate::eq("spec.type", "library"))
                .await?
                .len()
                == 1
        );
        let by_uid = store.entity_by_uid(&first.uid).await?.context("by uid")?;
        ensure!(by_uid.etag == updated.etag);

        // A new entity keeps the uid it carries; a taken uid is a conflict.
        let carried = json!({"kind": "API", "metadata": {"name": "a", "uid": "fixed-uid-1"}});
        ensure!(store.write_entity(&carried).await?.uid == "fixed-uid-1");
        let clash = json!({"kind": "API", "metadata": {"name": "b", "uid": "fixed-uid-1"}});
        let err = store.write_entity(&clash).await.expect_err("uid clash");
        ensure!(err.to_string().contains("fixed-uid-1"), "{err}");
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn deletes_remove_entities_and_their_postings() {
    on_every_database("delete", async |store, _server| {
        let empty = store.index_stats().await?;
        let entities = fill(&store).await?;
        let full = store.index_stats().await?;
        let expected_postings: usize = entities.iter().map(|e| search_entries(e).len()).sum();
        ensure!(
            full.postings == expected_postings as u64,
            "{full:?} vs {expected_postings}"
        );
        ensure!(full.entities == entities.len() as u64);
        for (i, entity) in entities.iter().enumerate() {
            let deleted = if i % 2 == 0 {
                store
                    .delete_by_ref(&entity_ref(entity).to_uppercase())
                    .await?
            } else {
                let uid = entity["metadata"]["uid"].as_str().context("uid")?;
                store.delete_by_uid(uid).await?
            };
            ensure!(deleted);
        }
        ensure!(!store.delete_by_ref("component:default/none").await?);
        let after = store.index_stats().await?;
        ensure!(
            after.postings == empty.postings && after.entities == 0,
            "{after:?}"
        );
        ensure!(refs_matching(&store, &pred(json!({}))).await?.is_empty());
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn facets_are_counted_by_original_value() {
    on_every_database("facets", async |store, _server| {
        let entities = fill(&store).await?;
        let components = EntityPredicate::eq("kind", "component");
        let facets = store
            .facets(
                &[
                    "spec.type".to_owned(),
                    "metadata.tags".to_owned(),
                    "Kind".to_owned(),
                    "nothing".to_owned(),
                ],
                Some(&components),
            )
            .await?;
        ensure!(facets.len() == 4 && facets[3].1.is_empty());
        let mut types: BTreeMap<String, u64> = BTreeMap::new();
        let mut tags: BTreeMap<String, u64> = BTreeMap::new();
        for e in entities.iter().filter(|e| components.matches(e)) {
            *types
                .entry(e["spec"]["type"].as_str().unwrap_or_default().to_owned())
                .or_default() += 1;
            let mut seen = BTreeSet::new();
            for tag in e["metadata"]["tags"].as_array().into_iter().flatten() {
                let tag = tag.as_str().unwrap_or_default();
                if seen.insert(tag.to_lowercase()) {
                    *tags.entry(tag.to_owned()).or_default() += 1;
                }
            }
        }
        let got = |i: usize| -> BTreeMap<String, u64> {
            facets[i]
                .1
                .iter()
                .map(|f| (f.value.clone(), f.count))
                .collect()
        };
        ensure!(got(0) == types, "{:?} vs {types:?}", got(0));
        ensure!(types.contains_key("Service") && types.contains_key("service"));
        ensure!(got(1) == tags, "{:?} vs {tags:?}", got(1));
        ensure!(facets[2].0 == "Kind");
        let kinds = got(2);
        ensure!(
            kinds.get("Component").copied().unwrap_or(0)
                + kinds.get("component").copied().unwrap_or(0)
                == types.values().sum::<u64>()
        );
        // Most common first.
        ensure!(facets[0].1.windows(2).all(|w| w[0].count >= w[1].count));
        // Without a filter: every entity with a kind.
        let all = store.facets(&["kind".to_owned()], None).await?;
        ensure!(all[0].1.iter().map(|f| f.count).sum::<u64>() == entities.len() as u64);
        Ok(())
    })
    .await;
}

/// The order the store promises: the smallest lowercased value of the
/// field, entities without one last, then refs.
fn expected_order(
    entities: &[Value],
    filter: &EntityPredicate,
    order: &EntityOrder,
) -> Vec<String> {
    let key = order.field.to_lowercase();
    let mut rows: Vec<(Option<String>, String)> = entities
        .iter()
        .filter(|e| filter.matches(e))
        .map(|e| {
            let value = search_entries(e)
                .into_iter()
                .filter(|s| s.key == key)
                .filter_map(|s| s.value)
                .min();
            (value, entity_ref(e))
        })
        .collect();
    let desc = order.order == backstage_plugin_catalog_common::SortOrder::Desc;
    rows.sort_by(|a, b| {
        let missing = a.0.is_none().cmp(&b.0.is_none());
        let by_value = if desc { b.0.cmp(&a.0) } else { a.0.cmp(&b.0) };
        let by_ref = if desc { b.1.cmp(&a.1) } else { a.1.cmp(&b.1) };
        missing.then(by_value).then(by_ref)
    });
    rows.into_iter().map(|r| r.1).collect()
}

#[tokio::test]
async fn ordering_and_paging_forwards_and_backwards() {
    on_every_database("paging", async |store, _server| {
        let entities = fill(&store).await?;
        let filters = [
            pred(json!({})),
            pred(json!({"kind": {"$in": ["component", "user"]}})),
        ];
        let orders = [
            None,
            Some(EntityOrder::asc("metadata.name")),
            Some(EntityOrder::desc("metadata.name")),
            Some(EntityOrder::asc("spec.lifecycle")),
            Some(EntityOrder::desc("spec.type")),
            Some(EntityOrder::asc("metadata.tags")),
            Some(EntityOrder::desc("no.such.field")),
        ];
        for filter in &filters {
            for order in &orders {
                let want = expected_order(
                    &entities,
                    filter,
                    order
                        .as_ref()
                        .unwrap_or(&EntityOrder::asc("entity.ref.only")),
                );
                let base = EntityQuery {
                    filter: Some(filter.clone()),
                    order: order.clone(),
                    limit: Some(7),
                    ..EntityQuery::default()
                };
                // Everything at once.
                let all = store
                    .query_entities(&EntityQuery {
                        limit: None,
                        ..base.clone()
                    })
                    .await?;
                let refs: Vec<String> = all.items.iter().map(|i| i.entity_ref.clone()).collect();
                ensure!(refs == want, "{order:?}: {refs:?} vs {want:?}");
                // Forwards by cursor.
                let mut seen = Vec::new();
                let mut page = store.query_entities(&base).await?;
                ensure!(!page.has_prev);
                loop {
                    seen.extend(page.items.iter().map(|i| i.entity_ref.clone()));
                    if !page.has_next {
                        break;
                    }
                    let last = page.items.last().context("a page with a next has items")?;
                    page = store
                        .query_entities(&EntityQuery {
                            position: PagePosition::After(last.position()),
                            ..base.clone()
                        })
                        .await?;
                    ensure!(page.has_prev);
                }
                ensure!(seen == want, "forwards {order:?}: {seen:?} vs {want:?}");
                // Backwards by cursor from the end.
                let mut back: Vec<String> = page
                    .items
                    .iter()
                    .rev()
                    .map(|i| i.entity_ref.clone())
                    .collect();
                while page.has_prev {
                    let first = page.items.first().context("a page with a prev has items")?;
                    page = store
                        .query_entities(&EntityQuery {
                            position: PagePosition::Before(first.position()),
                            ..base.clone()
                        })
                        .await?;
                    ensure!(page.has_next);
                    back.extend(page.items.iter().rev().map(|i| i.entity_ref.clone()));
                }
                back.reverse();
                ensure!(back == want, "backwards {order:?}: {back:?} vs {want:?}");
                // Offsets.
                let third = store
                    .query_entities(&EntityQuery {
                        position: PagePosition::Offset(14),
                        ..base.clone()
                    })
                    .await?;
                let refs: Vec<String> = third.items.iter().map(|i| i.entity_ref.clone()).collect();
                let slice: Vec<String> = want.iter().skip(14).take(7).cloned().collect();
                ensure!(refs == slice && third.has_prev);
            }
        }
        // A position from a row that has since gone still pages on.
        let after_gone = store
            .query_entities(&EntityQuery {
                order: Some(EntityOrder::asc("metadata.name")),
                position: PagePosition::After(SortPosition {
                    sort_value: Some("svc-05x".to_owned()),
                    entity_ref: "component:default/svc-05x".to_owned(),
                }),
                limit: Some(1),
                ..EntityQuery::default()
            })
            .await?;
        ensure!(after_gone.items[0].entity_ref == "component:default/svc-06");
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn full_text_filter_is_a_case_insensitive_substring() {
    on_every_database("fulltext", async |store, _server| {
        let entities = fill(&store).await?;
        for (term, fields) in [
            ("FALCON", vec!["metadata.name", "spec.owner"]),
            ("svc-1", vec!["metadata.name"]),
            ("50%", vec!["metadata.name"]),
            ("a_b", vec!["metadata.name"]),
            ("Route", vec!["metadata.title", "metadata.description"]),
        ] {
            let query = EntityQuery {
                filter: Some(EntityPredicate::eq("metadata.namespace", "default")),
                full_text: Some(FullTextQuery {
                    term: term.to_owned(),
                    fields: fields.iter().map(|f| (*f).to_owned()).collect(),
                }),
                count_total: true,
                ..EntityQuery::default()
            };
            let page = store.query_entities(&query).await?;
            let got: BTreeSet<String> = page.items.iter().map(|i| i.entity_ref.clone()).collect();
            let term = term.to_lowercase();
            let want: BTreeSet<String> = entities
                .iter()
                .filter(|e| EntityPredicate::eq("metadata.namespace", "default").matches(e))
                .filter(|e| {
                    search_entries(e).iter().any(|s| {
                        fields.contains(&s.key.as_str())
                            && s.value.as_deref().is_some_and(|v| v.contains(&term))
                    })
                })
                .map(entity_ref)
                .collect();
            ensure!(got == want, "{term}: {got:?} vs {want:?}");
            ensure!(page.total_items == Some(want.len() as u64));
        }
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn lookups_by_refs_keep_request_order() {
    on_every_database("lookup", async |store, _server| {
        fill(&store).await?;
        let refs = [
            "api:default/route-api".to_owned(),
            "component:default/missing".to_owned(),
            "GROUP:OPS/TEAM-HERON".to_owned(),
            "api:default/route-api".to_owned(),
        ];
        let found = store.entities_by_refs(&refs).await?;
        ensure!(found.len() == 4 && found[1].is_none());
        ensure!(found[0].as_ref().map(|e| e.entity_ref.as_str()) == Some("api:default/route-api"));
        ensure!(found[2].as_ref().map(|e| e.entity_ref.as_str()) == Some("group:ops/team-heron"));
        ensure!(found[3] == found[0]);
        ensure!(store.entity_by_uid("no-such-uid").await?.is_none());
        ensure!(store.entity_count().await? == company().len() as u64);
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn bad_input_is_an_input_error_and_stores_nothing() {
    on_every_database("badinput", async |store, _server| {
        for bad in [
            json!("not an object"),
            json!({"metadata": {"name": "x"}}),
            json!({"kind": "Component"}),
            json!({"kind": "Component", "metadata": {"name": ""}}),
            json!({"kind": "Component", "metadata": {"name": "x", "namespace": 7}}),
            json!({"kind": "Component", "metadata": {"name": "x", "uid": 12}}),
        ] {
            let err = store.write_entity(&bad).await.expect_err("refused");
            ensure!(err.is_input_error(), "{bad}: {err}");
        }
        // A batch with one bad entity stores none of them.
        let batch = [
            json!({"kind": "Component", "metadata": {"name": "fine"}}),
            json!({"kind": "Component"}),
        ];
        ensure!(store.write_entities(&batch).await.is_err());
        let twice = [batch[0].clone(), batch[0].clone()];
        ensure!(
            store
                .write_entities(&twice)
                .await
                .expect_err("dup")
                .is_input_error()
        );
        ensure!(store.entity_count().await? == 0);
        for limit in [0, 10_001] {
            let err = store
                .query_entities(&EntityQuery {
                    limit: Some(limit),
                    ..EntityQuery::default()
                })
                .await
                .expect_err("bad limit");
            ensure!(
                err.is_input_error() && err.to_string().contains("limit"),
                "{err}"
            );
        }
        Ok(())
    })
    .await;
}

/// Dictionary ids are kept across writes, but only those of committed
/// rows: a write that fails part-way leaves none behind, and the texts it
/// had added get ids of their own when written again.
#[tokio::test]
async fn a_write_that_fails_part_way_leaves_no_dictionary_ids_behind() {
    on_every_database("dictrollback", async |store, _server| {
        let component = |name: String, owner: &str| {
            json!({"kind": "Component", "metadata": {"name": name}, "spec": {"owner": owner}})
        };
        let mut holder = component("holder".to_owned(), "Platform");
        holder["metadata"]["uid"] = json!("taken-uid");
        store.write_entity(&holder).await?;
        // The store writes 200 entities per step: the first step adds the
        // owner "Team-Foo", the second finds that (still uncommitted) row
        // while looking up "team-foo", and the third fails on a taken uid.
        let mut batch: Vec<Value> = (0..200)
            .map(|i| component(format!("first-{i}"), "Team-Foo"))
            .collect();
        batch.extend((0..200).map(|i| component(format!("second-{i}"), "team-foo")));
        let mut thief = component("thief".to_owned(), "Platform");
        thief["metadata"]["uid"] = json!("taken-uid");
        batch.push(thief);
        let err = store.write_entities(&batch).await.expect_err("a taken uid");
        ensure!(err.to_string().contains("taken-uid"), "{err}");
        ensure!(store.entity_count().await? == 1);

        // New texts take the ids the failed write had used.
        store
            .write_entity(&component("other".to_owned(), "Somebody-Else"))
            .await?;
        store
            .write_entity(&component("owned".to_owned(), "Team-Foo"))
            .await?;
        let owners = store.facets(&["spec.owner".to_owned()], None).await?;
        let owners: BTreeMap<String, u64> = owners[0]
            .1
            .iter()
            .map(|f| (f.value.clone(), f.count))
            .collect();
        let expected: BTreeMap<String, u64> = [("Platform", 1), ("Somebody-Else", 1), ("Team-Foo", 1)]
            .into_iter()
            .map(|(v, n)| (v.to_owned(), n))
            .collect();
        ensure!(owners == expected, "{owners:?}");
        let owned = refs_matching(&store, &EntityPredicate::eq("spec.owner", "team-foo")).await?;
        ensure!(
            owned.len() == 1 && owned.contains("component:default/owned"),
            "{owned:?}"
        );
        Ok(())
    })
    .await;
}
