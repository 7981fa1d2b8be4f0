//! Properties of merging config sources.

use backstage_core::config::{ConfigLayer, merge};
use proptest::prelude::*;
use serde_json::{Map, Value};

/// Random config trees with few distinct keys, so that merges overlap and
/// objects meet scalars at the same key.
fn tree() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i32>().prop_map(Value::from),
        "[a-c]{0,2}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 32, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(Value::Array),
            prop::collection::btree_map("[a-d]", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

fn layer(v: &Value) -> ConfigLayer {
    ConfigLayer::from(v.clone())
}

proptest! {
    #[test]
    fn merging_layers_is_associative(a in tree(), b in tree(), c in tree()) {
        let left = layer(&a).merge(layer(&b)).merge(layer(&c));
        let right = layer(&a).merge(layer(&b).merge(layer(&c)));
        prop_assert_eq!(&left, &right);
        // And the grouping gives the same tree as reading the sources in turn.
        prop_assert_eq!(right.into_value(), merge(merge(a, b), c));
    }

    #[test]
    fn an_empty_object_is_neutral_for_objects(a in tree()) {
        let empty = Value::Object(Map::new());
        if a.is_object() {
            prop_assert_eq!(merge(a.clone(), empty.clone()), a.clone());
            prop_assert_eq!(merge(empty, a.clone()), a);
        }
    }
}

#[test]
fn a_scalar_between_two_objects_wipes_the_lower_one() {
    let a = serde_json::json!({"x": {"a": 1}});
    let b = serde_json::json!({"x": 5});
    let c = serde_json::json!({"x": {"b": 2}});
    let grouped = layer(&a).merge(layer(&b).merge(layer(&c))).into_value();
    assert_eq!(grouped, serde_json::json!({"x": {"b": 2}}));
}
