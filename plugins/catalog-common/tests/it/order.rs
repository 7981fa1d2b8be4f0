//! `order`, `orderField` and `orderBy`.

use backstage_plugin_catalog_common::{
    EntityOrder, FieldPathError, OrderError, SortOrder, parse_order_field_params,
    parse_order_params,
};
use serde_json::json;

#[test]
fn parses_order_params() {
    let cases = [
        ("asc:metadata.name", EntityOrder::asc("metadata.name")),
        ("desc:spec.owner", EntityOrder::desc("spec.owner")),
        (
            "asc:metadata.annotations.backstage.io/x",
            EntityOrder::asc("metadata.annotations.backstage.io/x"),
        ),
    ];
    for (input, expected) in cases {
        let parsed = EntityOrder::parse_order_param(input).unwrap();
        assert_eq!(parsed, expected);
        assert_eq!(parsed.to_order_param(), input);
    }
    assert_eq!(
        parse_order_params(["asc:kind", "desc:metadata.name"]).unwrap(),
        [EntityOrder::asc("kind"), EntityOrder::desc("metadata.name")]
    );
}

#[test]
fn refuses_bad_order_params() {
    for input in ["metadata.name", "ASC:metadata.name", "up:kind", ":kind", ""] {
        let err = EntityOrder::parse_order_param(input).unwrap_err();
        assert_eq!(err, OrderError::OrderSyntax(input.to_owned()));
        assert!(
            err.to_string().contains("expected <asc|desc>:<field>"),
            "{err}"
        );
    }
    let err = EntityOrder::parse_order_param("asc:").unwrap_err();
    assert_eq!(
        err,
        OrderError::Field {
            value: "asc:".into(),
            source: FieldPathError::Empty
        }
    );
    assert!(EntityOrder::parse_order_param("desc:a..b").is_err());
    assert!(parse_order_params(["asc:kind", "sideways:kind"]).is_err());
}

#[test]
fn parses_order_field_params() {
    let cases = [
        ("metadata.name,asc", EntityOrder::asc("metadata.name")),
        ("metadata.name,desc", EntityOrder::desc("metadata.name")),
        ("metadata.name", EntityOrder::asc("metadata.name")),
        (" spec.owner , desc", EntityOrder::desc("spec.owner")),
    ];
    for (input, expected) in cases {
        assert_eq!(
            EntityOrder::parse_order_field_param(input).unwrap(),
            expected,
            "{input}"
        );
    }
    assert_eq!(
        EntityOrder::desc("kind").to_order_field_param(),
        "kind,desc"
    );
    assert_eq!(
        parse_order_field_params(["kind,desc", "metadata.name"]).unwrap(),
        [EntityOrder::desc("kind"), EntityOrder::asc("metadata.name")]
    );
}

#[test]
fn refuses_bad_order_field_params() {
    for input in [
        "metadata.name,up",
        "metadata.name,DESC",
        "kind,asc,x",
        "kind,",
    ] {
        let err = EntityOrder::parse_order_field_param(input).unwrap_err();
        assert_eq!(
            err,
            OrderError::OrderFieldSyntax(input.to_owned()),
            "{input}"
        );
        assert!(
            err.to_string().contains("expected <field>,<asc|desc>"),
            "{err}"
        );
    }
    for input in [",asc", "", "a[0],desc"] {
        let err = EntityOrder::parse_order_field_param(input).unwrap_err();
        assert!(matches!(err, OrderError::Field { .. }), "{input}: {err}");
        assert!(err.to_string().contains("invalid order field"), "{err}");
    }
}

#[test]
fn order_by_items_serialize_as_the_spec() {
    let items = vec![EntityOrder::asc("metadata.name"), EntityOrder::desc("kind")];
    assert_eq!(
        serde_json::to_value(&items).unwrap(),
        json!([{"field": "metadata.name", "order": "asc"}, {"field": "kind", "order": "desc"}])
    );
    let back: Vec<EntityOrder> =
        serde_json::from_value(json!([{"field": "kind", "order": "desc"}])).unwrap();
    assert_eq!(back, [EntityOrder::desc("kind")]);
    assert!(
        serde_json::from_value::<EntityOrder>(json!({"field": "kind", "order": "DESC"})).is_err()
    );
    assert_eq!(SortOrder::default(), SortOrder::Asc);
    assert_eq!(SortOrder::Desc.to_string(), "desc");
}
