//! The shared components: behaviour and escaping of hostile text.

use backstage_frontend::components::{
    CardProps, Cell, Column, HeaderProps, Tab, Table, TableState, card, empty_state, error_state,
    header, json_data, link, safe_href, tabs,
};
use maud::html;
use serde_json::json;

const HOSTILE: &str = "<img src=x onerror=alert(1)>\"'&";
const ESCAPED: &str = "&lt;img src=x onerror=alert(1)&gt;&quot;'&amp;";

fn table(rows: &[(&str, f64)]) -> Table<'static> {
    Table {
        caption: "Services",
        columns: vec![
            Column::new("name", "Name"),
            Column::new("score", "Score"),
            Column::new("x", "X").unsortable(),
        ],
        rows: rows
            .iter()
            .map(|(name, score)| vec![Cell::text(*name), Cell::number(*score), Cell::text("-")])
            .collect(),
        page_size: 2,
    }
}

fn body_rows(html: &str) -> Vec<String> {
    html.split("<tbody>")
        .nth(1)
        .unwrap_or("")
        .split("</tbody>")
        .next()
        .unwrap_or("")
        .split("<tr><td>")
        .skip(1)
        .map(|row| row.split("</td>").next().unwrap_or("").to_owned())
        .collect()
}

#[test]
fn table_sorts_by_text_and_number_both_ways() {
    let t = table(&[("beta", 10.0), ("Alpha", 2.0), ("gamma", 3.0)]);
    let asc = t.render(&TableState::from_query("sort=name")).into_string();
    assert_eq!(body_rows(&asc), ["Alpha", "beta"]);
    assert!(asc.contains(r#"aria-sort="ascending""#));
    assert!(asc.contains(r#"href="?sort=name&amp;dir=desc""#), "{asc}");
    let desc = t
        .render(&TableState::from_query("sort=score&dir=desc"))
        .into_string();
    assert_eq!(body_rows(&desc), ["beta", "gamma"]);
    let unsorted = t.render(&TableState::default()).into_string();
    assert_eq!(body_rows(&unsorted), ["beta", "Alpha"]);
    // Not sortable: the header is no link, and sorting by it is ignored.
    assert!(!unsorted.contains("sort=x"));
    let ignored = t.render(&TableState::from_query("sort=x")).into_string();
    assert_eq!(body_rows(&ignored), ["beta", "Alpha"]);
}

#[test]
fn table_pages_and_keeps_other_parameters() {
    let t = table(&[("a", 1.0), ("b", 2.0), ("c", 3.0)]);
    let pairs = vec![
        ("tab".to_owned(), "deps".to_owned()),
        ("sort".to_owned(), "name".to_owned()),
        ("page".to_owned(), "2".to_owned()),
    ];
    let page2 = t.render(&TableState::from_pairs(&pairs, "")).into_string();
    assert_eq!(body_rows(&page2), ["c"]);
    assert!(page2.contains("Page 2 of 2"));
    assert!(
        page2.contains(r#"rel="prev" href="?tab=deps&amp;sort=name&amp;dir=asc""#),
        "{page2}"
    );
    assert!(!page2.contains("rel=\"next\""));
    // Malformed or out-of-range pages fall back safely.
    for query in [
        "page=0",
        "page=-1",
        "page=abc",
        "page=99999999999999999999999",
        "page=7",
    ] {
        let html = t.render(&TableState::from_query(query)).into_string();
        assert!(!body_rows(&html).is_empty(), "{query}");
    }
    let empty = table(&[]).render(&TableState::default()).into_string();
    assert!(empty.contains("No rows.") && empty.contains("Page 1 of 1"));
}

#[test]
fn table_escapes_cells_and_parameters() {
    let t = Table {
        caption: HOSTILE,
        columns: vec![Column::new(HOSTILE, HOSTILE)],
        rows: vec![vec![Cell::text(HOSTILE)]],
        page_size: 10,
    };
    let html = t
        .render(&TableState::from_query("q=%22%3E%3Cscript%3E"))
        .into_string();
    assert!(
        !html.contains("<img") && !html.contains("<script"),
        "{html}"
    );
    assert!(html.contains(ESCAPED));
    assert!(html.contains("q=%22%3E%3Cscript%3E"), "{html}");
}

#[test]
fn building_blocks_escape_text() {
    let blocks = [
        header(&HeaderProps {
            title: HOSTILE,
            subtitle: Some(HOSTILE),
            kind: Some(HOSTILE),
        }),
        card(CardProps {
            title: HOSTILE,
            body: html! { (HOSTILE) },
            footer_link: Some((HOSTILE, "/x")),
        }),
        tabs(&[
            Tab {
                label: HOSTILE,
                href: "/a",
                active: true,
            },
            Tab {
                label: "b",
                href: "/b",
                active: false,
            },
        ]),
        empty_state(HOSTILE, HOSTILE),
        error_state(HOSTILE, HOSTILE),
        link("/x", HOSTILE),
    ];
    for block in blocks {
        let html = block.into_string();
        assert!(!html.contains("<img"), "{html}");
        assert!(html.contains(ESCAPED), "{html}");
    }
}

#[test]
fn links_refuse_dangerous_urls() {
    for bad in [
        "javascript:alert(1)",
        " JavaScript:alert(1)",
        "data:text/html,x",
        "//evil.example",
        "/\\evil.example",
        "vbscript:x",
        "/ok\nx",
    ] {
        assert_eq!(safe_href(bad), "#", "{bad:?}");
    }
    for good in [
        "/catalog",
        "#top",
        "?page=2",
        "https://example.com/a",
        "mailto:team@example.com",
    ] {
        assert_eq!(safe_href(good), good);
    }
    assert_eq!(
        link("https://example.com", "x").into_string(),
        r#"<a class="bs-link" href="https://example.com" rel="noopener noreferrer">x</a>"#
    );
    assert_eq!(
        link("/docs", "x").into_string(),
        r#"<a class="bs-link" href="/docs">x</a>"#
    );
    let tabs_html = tabs(&[Tab {
        label: "a",
        href: "/a",
        active: true,
    }])
    .into_string();
    assert!(tabs_html.contains(r#"aria-current="page""#));
}

#[test]
fn embedded_json_cannot_close_its_element() {
    let data =
        json!({"title": "</script><script>alert(1)</script>", "amp": "a&b", "ls": "\u{2028}"});
    let html = json_data("data", &data).unwrap().into_string();
    assert!(
        html.starts_with(r#"<script type="application/json" id="data">"#),
        "{html}"
    );
    assert_eq!(html.matches("</script>").count(), 1, "{html}");
    let inner = html
        .trim_start_matches(r#"<script type="application/json" id="data">"#)
        .trim_end_matches("</script>");
    let back: serde_json::Value = serde_json::from_str(inner).unwrap();
    assert_eq!(back, data, "the data round-trips");
}
