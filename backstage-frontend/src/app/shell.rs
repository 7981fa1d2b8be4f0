//! The app shell: the document around every page — sidebar, top bar,
//! theme, and the not-found and error pages.

use maud::{DOCTYPE, Markup, html};

use super::App;

/// A resolved sidebar entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResolvedNavItem {
    /// The label.
    pub title: String,
    /// The icon name.
    pub icon: Option<String>,
    /// The link.
    pub href: String,
}

/// What a page adds to the shell.
pub(crate) struct ShellPage<'a> {
    pub(crate) title: &'a str,
    pub(crate) path: &'a str,
    pub(crate) body: Markup,
    pub(crate) scripts: Vec<&'a str>,
    pub(crate) stylesheets: Vec<&'a str>,
}

fn is_current(app: &App, href: &str, path: &str) -> bool {
    if href == "/" {
        return path == "/";
    }
    app.nav_patterns
        .get(href)
        .map(|p| p.is_prefix_of(path))
        .unwrap_or_else(|| path == href || path.starts_with(&format!("{href}/")))
}

pub(crate) fn render(app: &App, page: ShellPage<'_>) -> Markup {
    let full_title = if page.title.is_empty() || page.title == app.title {
        app.title.clone()
    } else {
        format!("{} | {}", page.title, app.title)
    };
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (full_title) }
                // No favicon request (and no 404 page rendered for one).
                link rel="icon" href="data:,";
                link rel="stylesheet" href=(app.theme_css_url);
                link rel="stylesheet" href=(app.shell_css_url);
                @for sheet in &page.stylesheets { link rel="stylesheet" href=(sheet); }
                script src=(app.shell_js_url) {}
                @for script in &page.scripts { script src=(script) defer {} }
            }
            body {
                a.bs-skip href="#content" { "Skip to content" }
                div.bs-shell {
                    nav.bs-sidebar aria-label="Main" {
                        a.bs-sidebar__title href="/" { (app.title) }
                        ul.bs-sidebar__items {
                            @for item in &app.nav {
                                li {
                                    @let icon = item.icon.as_deref().unwrap_or("");
                                    @let href = crate::components::safe_href(&item.href);
                                    @if is_current(app, &item.href, page.path) {
                                        a.bs-nav-item.bs-nav-item--active href=(href) data-icon=(icon) aria-current="page" { (item.title) }
                                    } @else {
                                        a.bs-nav-item href=(href) data-icon=(icon) { (item.title) }
                                    }
                                }
                            }
                        }
                    }
                    div.bs-main {
                        header.bs-topbar {
                            span.bs-topbar__title { (page.title) }
                            button #theme-toggle .bs-theme-toggle type="button" aria-label="Switch between light and dark theme" { "Theme" }
                        }
                        main #content { (page.body) }
                    }
                }
            }
        }
    }
}

pub(crate) fn not_found(app: &App, path: &str, message: Option<&str>) -> Markup {
    render(
        app,
        ShellPage {
            title: "Page not found",
            path,
            body: html! {
                div.bs-not-found {
                    h1 { "404 — page not found" }
                    p { (message.unwrap_or("There is no page at this address.")) }
                    p { a.bs-link href="/" { "Go to the home page" } }
                }
            },
            scripts: Vec::new(),
            stylesheets: Vec::new(),
        },
    )
}

pub(crate) fn error_page(
    app: &App,
    path: &str,
    heading: &str,
    message: &str,
    reference: Option<&str>,
) -> Markup {
    render(
        app,
        ShellPage {
            title: heading,
            path,
            body: html! {
                div.bs-error role="alert" {
                    h1 { (heading) }
                    p { (message) }
                    @if let Some(reference) = reference {
                        p.bs-error__reference { "Reference: " code { (reference) } }
                    }
                }
            },
            scripts: Vec::new(),
            stylesheets: Vec::new(),
        },
    )
}
