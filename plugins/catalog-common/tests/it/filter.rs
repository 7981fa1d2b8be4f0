//! The `filter` query parameter.

use backstage_plugin_catalog_common::{
    EntityFilter, EntityPredicate, FilterCondition, FilterError, FilterMatch, FilterSet,
};
use serde_json::json;

fn cond(key: &str, matcher: FilterMatch) -> FilterCondition {
    FilterCondition {
        key: key.to_owned(),
        matcher,
    }
}

fn values(v: &[&str]) -> FilterMatch {
    FilterMatch::AnyOf(v.iter().map(|s| (*s).to_owned()).collect())
}

#[test]
fn parses_sets_statements_and_forms() {
    let cases: Vec<(Vec<&str>, Vec<Vec<FilterCondition>>)> = vec![
        (
            vec!["kind=user"],
            vec![vec![cond("kind", values(&["user"]))]],
        ),
        (
            vec![
                "kind=user,metadata.namespace=default",
                "kind=group,spec.type",
            ],
            vec![
                vec![
                    cond("kind", values(&["user"])),
                    cond("metadata.namespace", values(&["default"])),
                ],
                vec![
                    cond("kind", values(&["group"])),
                    cond("spec.type", FilterMatch::Exists),
                ],
            ],
        ),
        (
            vec!["spec.type="],
            vec![vec![cond("spec.type", values(&[""]))]],
        ),
        (
            vec!["metadata.tags.java"],
            vec![vec![cond("metadata.tags.java", FilterMatch::Exists)]],
        ),
        (
            vec!["kind=component,kind=api,kind=system"],
            vec![vec![cond("kind", values(&["component", "api", "system"]))]],
        ),
        // Values may hold '=' (only the first one splits) and ':' '/'.
        (
            vec![
                "metadata.annotations.backstage.io/orphan=true,relations.ownedBy=group:default/a=b",
            ],
            vec![vec![
                cond(
                    "metadata.annotations.backstage.io/orphan",
                    values(&["true"]),
                ),
                cond("relations.ownedBy", values(&["group:default/a=b"])),
            ]],
        ),
        // Whitespace and empty statements are ignored.
        (
            vec!["  kind = user ,, , spec.type  ,"],
            vec![vec![
                cond("kind", values(&["user"])),
                cond("spec.type", FilterMatch::Exists),
            ]],
        ),
        // Empty sets are dropped.
        (
            vec!["", "kind=api", " , "],
            vec![vec![cond("kind", values(&["api"]))]],
        ),
        // Exists and values on one key: values win.
        (
            vec!["kind,kind=api"],
            vec![vec![cond("kind", values(&["api"]))]],
        ),
        (
            vec!["kind=api,kind"],
            vec![vec![cond("kind", values(&["api"]))]],
        ),
        (
            vec!["kind,kind"],
            vec![vec![cond("kind", FilterMatch::Exists)]],
        ),
    ];
    for (input, expected) in cases {
        let filter = EntityFilter::parse(&input).unwrap().expect("a filter");
        let sets: Vec<Vec<FilterCondition>> =
            filter.sets.into_iter().map(|s| s.conditions).collect();
        assert_eq!(sets, expected, "{input:?}");
    }
}

#[test]
fn no_filter_when_nothing_is_given() {
    assert_eq!(EntityFilter::parse(Vec::<String>::new()).unwrap(), None);
    assert_eq!(EntityFilter::parse(["", " ", ",,"]).unwrap(), None);
    assert_eq!(FilterSet::parse(" , ").unwrap(), None);
}

#[test]
fn refuses_statements_without_a_key() {
    for (input, statement) in [
        ("=user", "=user"),
        ("kind=user, = x", "= x"),
        ("kind=user,=", "="),
    ] {
        let err = EntityFilter::parse([input]).unwrap_err();
        assert_eq!(
            err,
            FilterError::EmptyKey {
                filter: input.to_owned(),
                statement: statement.to_owned()
            }
        );
        let text = err.to_string();
        assert!(text.contains("has no key"), "{text}");
        assert!(text.contains("key=value, key= or key"), "{text}");
        assert!(text.contains(&format!("{input:?}")), "{text}");
    }
    // The error in the second set is reported even if the first is fine.
    assert!(EntityFilter::parse(["kind=user", "=x"]).is_err());
}

#[test]
fn converts_to_predicates() {
    let cases = [
        (vec!["kind=user"], json!({"kind": "user"})),
        (vec!["spec.type"], json!({"spec.type": {"$exists": true}})),
        (vec!["spec.type="], json!({"spec.type": ""})),
        (vec!["kind=a,kind=b"], json!({"kind": {"$in": ["a", "b"]}})),
        (
            vec!["kind=user,metadata.namespace=default"],
            json!({"$all": [{"kind": "user"}, {"metadata.namespace": "default"}]}),
        ),
        (
            vec!["kind=user", "kind=group,spec.type"],
            json!({"$any": [{"kind": "user"}, {"$all": [{"kind": "group"}, {"spec.type": {"$exists": true}}]}]}),
        ),
    ];
    for (input, expected) in cases {
        let filter = EntityFilter::parse(&input).unwrap().unwrap();
        assert_eq!(filter.to_predicate().to_value(), expected, "{input:?}");
    }
    assert_eq!(
        EntityFilter::default().to_predicate(),
        EntityPredicate::Fields(vec![])
    );
}

#[test]
fn matches_case_insensitively_with_or_and_and() {
    let user = json!({"kind": "User", "metadata": {"name": "jo", "tags": ["Ops"]},
        "relations": [{"type": "memberOf", "targetRef": "group:default/ops"}]});
    let group = json!({"kind": "Group", "metadata": {"name": "ops", "namespace": "teams"}, "spec": {"type": "team"}});
    let cases = [
        (vec!["kind=user"], true, false),
        (vec!["KIND=USER"], true, false),
        (vec!["kind=user", "kind=group"], true, true),
        (vec!["kind=user,kind=group"], true, true),
        (vec!["kind=group,spec.type"], false, true),
        (vec!["kind=user,spec.type"], false, false),
        (vec!["metadata.namespace=default"], true, false),
        (vec!["metadata.tags.ops"], true, false),
        (vec!["metadata.tags=OPS"], true, false),
        (vec!["relations.memberof=group:default/ops"], true, false),
        (vec!["spec.type="], false, false),
    ];
    for (input, user_matches, group_matches) in cases {
        let filter = EntityFilter::parse(&input).unwrap().unwrap();
        assert_eq!(filter.matches(&user), user_matches, "{input:?} user");
        assert_eq!(filter.matches(&group), group_matches, "{input:?} group");
    }
    assert!(EntityFilter::default().matches(&user));
}

#[test]
fn writes_query_values() {
    let filter = EntityFilter::new(
        FilterSet::new()
            .eq("kind", "user")
            .exists("spec.type")
            .eq("kind", "group"),
    )
    .or(FilterSet::new().eq("spec.type", ""));
    assert_eq!(
        filter.to_query_values().unwrap(),
        ["kind=user,kind=group,spec.type", "spec.type="]
    );
    for text in [
        "kind=user,metadata.namespace=default",
        "spec.type",
        "a=,b=x=y",
    ] {
        let parsed = EntityFilter::parse([text]).unwrap().unwrap();
        assert_eq!(parsed.to_query_values().unwrap(), [text]);
    }
}

#[test]
fn refuses_to_write_what_the_syntax_cannot_carry() {
    let cases = [
        (
            FilterSet::new().eq("spec.type", "a,b"),
            "a value contains ','",
        ),
        (
            FilterSet::new().eq("a=b", "x"),
            "the key contains ',' or '='",
        ),
        (
            FilterSet::new().exists("a,b"),
            "the key contains ',' or '='",
        ),
        (FilterSet::new().exists(""), "the key is empty"),
        (FilterSet::new().eq(" kind", "x"), "surrounding whitespace"),
        (FilterSet::new().eq("kind", "x "), "surrounding whitespace"),
    ];
    for (set, reason) in cases {
        let err = EntityFilter::new(set).to_query_values().unwrap_err();
        let text = err.to_string();
        assert!(text.contains(reason), "{text}");
        assert!(text.contains("use a predicate query (POST)"), "{text}");
    }
}
