//! The `after` cursor.

use backstage_plugin_catalog_common::AfterCursor;

#[test]
fn round_trips_and_matches_the_wire_form() {
    let cursor = AfterCursor {
        limit: Some(20),
        offset: Some(40),
    };
    let text = cursor.encode();
    // base64 of {"limit":20,"offset":40}
    assert_eq!(text, "eyJsaW1pdCI6MjAsIm9mZnNldCI6NDB9");
    assert_eq!(AfterCursor::decode(&text).unwrap(), cursor);
    assert_eq!(AfterCursor::decode("e30=").unwrap(), AfterCursor::default());
}

#[test]
fn refuses_what_it_did_not_hand_out() {
    for (text, words) in [
        ("", "empty"),
        ("!!!", "not base64"),
        ("bm90IGpzb24=", "not a JSON object"),
        ("eyJsaW1pdCI6Ii0xIn0=", "not a JSON object"),
    ] {
        let err = AfterCursor::decode(text).unwrap_err().to_string();
        assert!(err.contains(words), "{text}: {err}");
        assert!(err.contains("Link header"), "{err}");
    }
}
