//! Property: the frontend view of any tree holds only frontend values, and
//! Debug output of any tree holds no secret.

use backstage_common::config::{
    Config, ConfigPath, PathSegment, SECRET_MASK, Visibility, VisibilityMap,
};
use proptest::prelude::*;
use serde_json::{Map, Value};

fn tree() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        any::<bool>().prop_map(Value::Bool),
        any::<i16>().prop_map(Value::from),
        // Values are unique-ish tokens so a leak can be searched for.
        "v[a-z0-9]{6}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 40, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(Value::Array),
            prop::collection::btree_map("[a-d]", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// Every path of a tree, containers included.
fn paths(value: &Value, at: &mut ConfigPath, out: &mut Vec<ConfigPath>) {
    out.push(at.clone());
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                at.push(PathSegment::Key(k.clone()));
                paths(v, at, out);
                at.pop();
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                at.push(PathSegment::Index(i));
                paths(v, at, out);
                at.pop();
            }
        }
        _ => {}
    }
}

/// Leaves of a tree with their paths.
fn leaves(value: &Value, at: &mut ConfigPath, out: &mut Vec<(ConfigPath, Value)>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                at.push(PathSegment::Key(k.clone()));
                leaves(v, at, out);
                at.pop();
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                at.push(PathSegment::Index(i));
                leaves(v, at, out);
                at.pop();
            }
        }
        leaf => out.push((at.clone(), leaf.clone())),
    }
}

/// A tree with random marks on random paths of it.
fn marked_tree() -> impl Strategy<Value = (Value, VisibilityMap)> {
    tree().prop_flat_map(|value| {
        let mut all = Vec::new();
        paths(&value, &mut ConfigPath::root(), &mut all);
        let n = all.len();
        let mark = (0..n, 0..3u8, any::<bool>());
        (Just(value), Just(all), prop::collection::vec(mark, 0..6)).prop_map(
            |(value, all, marks)| {
                let mut map = VisibilityMap::new();
                for (i, vis, deep) in marks {
                    let vis = [
                        Visibility::Frontend,
                        Visibility::Backend,
                        Visibility::Secret,
                    ][vis as usize];
                    if deep {
                        map.mark_deep(all[i].clone(), vis);
                    } else {
                        map.mark(all[i].clone(), vis);
                    }
                }
                (value, map)
            },
        )
    })
}

// Positions in arrays shift when items are dropped from the view, so a leaf
// of the view is traced back to its source by its (random, token-like) value.
proptest! {
    #[test]
    fn frontend_view_never_holds_backend_or_secret_values((value, map) in marked_tree()) {
        let config = Config::with_visibility(value.clone(), map.clone());
        let mut original = Vec::new();
        leaves(&value, &mut ConfigPath::root(), &mut original);
        let view = config.frontend_view();
        let view_text = serde_json::to_string(view.as_value()).unwrap();
        for (path, leaf) in &original {
            let visibility = map.visibility_of(path);
            if visibility != Visibility::Frontend && let Value::String(s) = leaf {
                prop_assert!(!view_text.contains(s.as_str()), "{} ({}) leaked into {}", path, visibility, view_text);
            }
        }
        // Every leaf in the view, where no array shifted, is frontend-visible.
        let mut shown = Vec::new();
        leaves(view.as_value(), &mut ConfigPath::root(), &mut shown);
        for (path, leaf) in &shown {
            if let Value::String(s) = leaf {
                let from_frontend = original
                    .iter()
                    .filter(|(_, v)| v == leaf)
                    .any(|(p, _)| map.visibility_of(p) == Visibility::Frontend);
                prop_assert!(from_frontend, "{} = {} is not frontend-visible", path, s);
            }
        }
    }

    #[test]
    fn debug_output_never_holds_secret_values((value, map) in marked_tree()) {
        let config = Config::with_visibility(value.clone(), map.clone());
        let debug = format!("{config:?}");
        let mut all = Vec::new();
        leaves(&value, &mut ConfigPath::root(), &mut all);
        for (path, leaf) in all {
            if map.is_secret(&path) {
                if let Value::String(s) = leaf {
                    prop_assert!(!debug.contains(s.as_str()), "secret at {} leaked: {}", path, debug);
                }
                prop_assert!(debug.contains(SECRET_MASK));
            }
        }
    }
}
