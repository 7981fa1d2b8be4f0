//! Parse + validate of a typical component entity: the catalog's hot path.
//!
//! Run with `cargo bench -p backstage-common --bench entity`.
#![allow(clippy::unwrap_used, missing_docs)]

use std::hint::black_box;

use backstage_common::catalog::{Entity, spec_relations};
use criterion::{Criterion, criterion_group, criterion_main};

const TYPICAL_COMPONENT: &str = include_str!("../tests/fixtures/catalog/typical-component.yaml");

fn bench_entity(c: &mut Criterion) {
    let value: serde_json::Value = serde_saphyr::from_str(TYPICAL_COMPONENT).unwrap();
    let json_text = serde_json::to_string(&value).unwrap();

    c.bench_function("component: from_value_validated", |b| {
        b.iter_batched(
            || value.clone(),
            |v| Entity::from_value_validated(black_box(v)).unwrap(),
            criterion::BatchSize::SmallInput,
        )
    });
    c.bench_function("component: JSON text -> validated entity", |b| {
        b.iter(|| {
            let v: serde_json::Value = serde_json::from_str(black_box(&json_text)).unwrap();
            Entity::from_value_validated(v).unwrap()
        })
    });
    let entity = Entity::from_value_validated(value.clone()).unwrap();
    c.bench_function("component: validate_entity", |b| {
        b.iter(|| backstage_common::catalog::validate_entity(black_box(&entity)).unwrap())
    });
    c.bench_function("component: spec_relations", |b| {
        b.iter(|| spec_relations(black_box(&entity)).unwrap())
    });
    c.bench_function("component: YAML text -> validated entity", |b| {
        b.iter(|| {
            let v: serde_json::Value =
                serde_saphyr::from_str(black_box(TYPICAL_COMPONENT)).unwrap();
            Entity::from_value_validated(v).unwrap()
        })
    });
}

criterion_group!(benches, bench_entity);
criterion_main!(benches);
