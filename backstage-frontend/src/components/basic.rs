//! Cards, tabs, links, headers, empty and error states, embedded data.

use maud::{Markup, PreEscaped, html};
use serde::Serialize;

/// The props of [`header`].
#[derive(Clone, Debug, Default)]
pub struct HeaderProps<'a> {
    /// The main title.
    pub title: &'a str,
    /// A line under it.
    pub subtitle: Option<&'a str>,
    /// A small label above it (e.g. the entity kind).
    pub kind: Option<&'a str>,
}

/// A page header.
pub fn header(props: &HeaderProps<'_>) -> Markup {
    html! {
        header.bs-page-header {
            @if let Some(kind) = props.kind { p.bs-page-header__kind { (kind) } }
            h1 { (props.title) }
            @if let Some(subtitle) = props.subtitle { p.bs-page-header__subtitle { (subtitle) } }
        }
    }
}

/// The props of [`card`].
#[derive(Clone, Debug)]
pub struct CardProps<'a> {
    /// The card's title.
    pub title: &'a str,
    /// Its content.
    pub body: Markup,
    /// An optional link at the bottom: (label, href).
    pub footer_link: Option<(&'a str, &'a str)>,
}

/// A card.
pub fn card(props: CardProps<'_>) -> Markup {
    html! {
        section.bs-card {
            h2.bs-card__title { (props.title) }
            div.bs-card__body { (props.body) }
            @if let Some((label, href)) = props.footer_link {
                footer.bs-card__footer { (link(href, label)) }
            }
        }
    }
}

/// One tab of [`tabs`].
#[derive(Clone, Debug)]
pub struct Tab<'a> {
    /// The label.
    pub label: &'a str,
    /// Where it leads (tabs are links: each tab is its own URL).
    pub href: &'a str,
    /// Whether it is the current tab.
    pub active: bool,
}

/// A row of tabs; each tab is a link, and the current one is marked with
/// `aria-current="page"`.
pub fn tabs(tabs: &[Tab<'_>]) -> Markup {
    html! {
        nav.bs-tabs aria-label="Tabs" {
            ul {
                @for tab in tabs {
                    li {
                        @if tab.active {
                            a.bs-tab.bs-tab--active href=(safe_href(tab.href)) aria-current="page" { (tab.label) }
                        } @else {
                            a.bs-tab href=(safe_href(tab.href)) { (tab.label) }
                        }
                    }
                }
            }
        }
    }
}

/// `href` if it is safe to put in a link: a path on this site, a fragment,
/// or an `http(s):` / `mailto:` URL. Anything else (`javascript:`,
/// `data:`, ...) becomes `#`.
pub fn safe_href(href: &str) -> &str {
    let trimmed = href.trim_start();
    let lower: String = trimmed
        .chars()
        .take(8)
        .collect::<String>()
        .to_ascii_lowercase();
    let relative =
        (trimmed.starts_with('/') && !trimmed.starts_with("//") && !trimmed.starts_with("/\\"))
            || trimmed.starts_with('#')
            || trimmed.starts_with('?');
    let allowed_scheme = lower.starts_with("https://")
        || lower.starts_with("http://")
        || lower.starts_with("mailto:");
    if (relative || allowed_scheme) && !trimmed.chars().any(char::is_control) {
        trimmed
    } else {
        "#"
    }
}

/// A link. External links (`http(s)://`) open with
/// `rel="noopener noreferrer"`; unsafe URLs become `#` (see [`safe_href`]).
pub fn link(href: &str, text: &str) -> Markup {
    let href = safe_href(href);
    let external = href
        .get(..4)
        .is_some_and(|s| s.eq_ignore_ascii_case("http"));
    html! {
        @if external {
            a.bs-link href=(href) rel="noopener noreferrer" { (text) }
        } @else {
            a.bs-link href=(href) { (text) }
        }
    }
}

/// What to show when there is nothing to show.
pub fn empty_state(title: &str, description: &str) -> Markup {
    html! {
        div.bs-empty role="status" {
            h2 { (title) }
            p { (description) }
        }
    }
}

/// What to show when something failed. Pass only text meant for users,
/// never an internal error message.
pub fn error_state(title: &str, description: &str) -> Markup {
    html! {
        div.bs-error role="alert" {
            h2 { (title) }
            p { (description) }
        }
    }
}

/// Embeds `value` as JSON for a page script to read, in
/// `<script type="application/json" id="...">`. Not executed, so allowed
/// by the Content-Security-Policy; `<`, `>`, `&` and the line separators
/// are escaped so no string in the data can close the element.
pub fn json_data<T: Serialize + ?Sized>(id: &str, value: &T) -> Result<Markup, serde_json::Error> {
    let json = serde_json::to_string(value)?;
    let mut safe = String::with_capacity(json.len());
    for c in json.chars() {
        match c {
            '<' => safe.push_str("\\u003c"),
            '>' => safe.push_str("\\u003e"),
            '&' => safe.push_str("\\u0026"),
            '\u{2028}' => safe.push_str("\\u2028"),
            '\u{2029}' => safe.push_str("\\u2029"),
            c => safe.push(c),
        }
    }
    Ok(html! { script type="application/json" id=(id) { (PreEscaped(safe)) } })
}
