//! A table with sorting and paging, driven by the query string so it works
//! without scripts.

use std::cmp::Ordering;

use maud::{Markup, html};

use crate::app::routes::{encode_query, parse_query as parse_query_pairs};

/// A column of a [`Table`].
#[derive(Clone, Debug)]
pub struct Column {
    /// The key used in `?sort=`.
    pub key: String,
    /// The header text.
    pub title: String,
    /// Whether the user can sort by it.
    pub sortable: bool,
}

impl Column {
    /// A sortable column.
    pub fn new(key: impl Into<String>, title: impl Into<String>) -> Self {
        Self {
            key: key.into(),
            title: title.into(),
            sortable: true,
        }
    }

    /// The same column, not sortable.
    pub fn unsortable(mut self) -> Self {
        self.sortable = false;
        self
    }
}

/// A cell: what to show, and what to sort by.
#[derive(Clone, Debug)]
pub struct Cell {
    /// The content.
    pub content: Markup,
    /// The sort key: numbers sort before text, numbers numerically, text
    /// case-insensitively.
    pub sort_key: SortKey,
}

/// What a cell sorts by.
#[derive(Clone, Debug, PartialEq)]
pub enum SortKey {
    /// A number.
    Number(f64),
    /// Text.
    Text(String),
}

impl Cell {
    /// A text cell (shown escaped, sorted as text).
    pub fn text(text: impl Into<String>) -> Self {
        let text = text.into();
        Self {
            content: html! { (text) },
            sort_key: SortKey::Text(text.to_lowercase()),
        }
    }

    /// A number cell.
    pub fn number(n: f64) -> Self {
        Self {
            content: html! { (n) },
            sort_key: SortKey::Number(n),
        }
    }

    /// Any markup, sorted by `sort_text`.
    pub fn markup(content: Markup, sort_text: impl Into<String>) -> Self {
        Self {
            content,
            sort_key: SortKey::Text(sort_text.into().to_lowercase()),
        }
    }
}

fn compare(a: &SortKey, b: &SortKey) -> Ordering {
    match (a, b) {
        (SortKey::Number(x), SortKey::Number(y)) => x.total_cmp(y),
        (SortKey::Number(_), SortKey::Text(_)) => Ordering::Less,
        (SortKey::Text(_), SortKey::Number(_)) => Ordering::Greater,
        (SortKey::Text(x), SortKey::Text(y)) => x.cmp(y),
    }
}

/// Sort direction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SortDirection {
    /// Smallest first.
    Ascending,
    /// Largest first.
    Descending,
}

/// The sort and page a user asked for, read from the query string
/// (`sort`, `dir`, `page`; with a prefix when a page has several tables).
/// Anything malformed falls back to the default.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct TableState {
    /// The column key and direction.
    pub sort: Option<(String, SortDirection)>,
    /// The 1-based page.
    pub page: usize,
    prefix: String,
    other_params: Vec<(String, String)>,
}

impl TableState {
    /// Reads the state from a query string (without the `?`).
    pub fn from_query(query: &str) -> Self {
        Self::from_pairs(&parse_query_pairs(query), "")
    }

    /// Reads the state from decoded pairs, for a table whose parameters
    /// carry `prefix` (e.g. `deps-` gives `deps-sort`); other parameters
    /// are kept in the links the table makes.
    pub fn from_pairs(pairs: &[(String, String)], prefix: &str) -> Self {
        let get = |name: &str| {
            let key = format!("{prefix}{name}");
            pairs
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, v)| v.as_str())
        };
        let dir = match get("dir") {
            Some("desc") => SortDirection::Descending,
            _ => SortDirection::Ascending,
        };
        let own = |k: &str| {
            ["sort", "dir", "page"]
                .iter()
                .any(|n| k == format!("{prefix}{n}"))
        };
        Self {
            sort: get("sort")
                .filter(|s| !s.is_empty())
                .map(|s| (s.to_owned(), dir)),
            page: get("page")
                .and_then(|p| p.parse().ok())
                .filter(|p| *p >= 1)
                .unwrap_or(1),
            prefix: prefix.to_owned(),
            other_params: pairs.iter().filter(|(k, _)| !own(k)).cloned().collect(),
        }
    }

    fn href(&self, sort: Option<&(String, SortDirection)>, page: usize) -> String {
        let mut pairs = self.other_params.clone();
        if let Some((key, dir)) = sort {
            pairs.push((format!("{}sort", self.prefix), key.clone()));
            let dir = match dir {
                SortDirection::Ascending => "asc",
                SortDirection::Descending => "desc",
            };
            pairs.push((format!("{}dir", self.prefix), dir.to_owned()));
        }
        if page > 1 {
            pairs.push((format!("{}page", self.prefix), page.to_string()));
        }
        format!("?{}", encode_query(&pairs))
    }
}

/// A table with sorting (by clicking a column header) and paging.
///
/// ```
/// use backstage_frontend::components::{Cell, Column, Table, TableState};
/// let table = Table {
///     caption: "Services",
///     columns: vec![Column::new("name", "Name"), Column::new("owner", "Owner")],
///     rows: vec![
///         vec![Cell::text("web"), Cell::text("team-a")],
///         vec![Cell::text("api"), Cell::text("<team-b>")],
///     ],
///     page_size: 1,
/// };
/// let html = table.render(&TableState::from_query("sort=name&page=1")).into_string();
/// assert!(html.contains("api") && !html.contains("web"));  // sorted, first page only
/// assert!(html.contains("Page 1 of 2"));
/// ```
#[derive(Clone, Debug)]
pub struct Table<'a> {
    /// The caption (also the accessible name).
    pub caption: &'a str,
    /// The columns.
    pub columns: Vec<Column>,
    /// The rows: one cell per column.
    pub rows: Vec<Vec<Cell>>,
    /// Rows per page (at least 1).
    pub page_size: usize,
}

impl Table<'_> {
    /// Renders the page of rows `state` asks for, sorted as it asks.
    pub fn render(&self, state: &TableState) -> Markup {
        let page_size = self.page_size.max(1);
        let sort_col = state.sort.as_ref().and_then(|(key, dir)| {
            self.columns
                .iter()
                .position(|c| c.sortable && &c.key == key)
                .map(|i| (i, *dir))
        });
        let mut order: Vec<usize> = (0..self.rows.len()).collect();
        if let Some((col, dir)) = sort_col {
            order.sort_by(|&a, &b| {
                let ord = match (self.rows[a].get(col), self.rows[b].get(col)) {
                    (Some(x), Some(y)) => compare(&x.sort_key, &y.sort_key),
                    (x, y) => x.is_some().cmp(&y.is_some()),
                };
                if dir == SortDirection::Descending {
                    ord.reverse()
                } else {
                    ord
                }
            });
        }
        let pages = self.rows.len().div_ceil(page_size).max(1);
        let page = state.page.clamp(1, pages);
        let visible = order.iter().skip((page - 1) * page_size).take(page_size);
        html! {
            div.bs-table {
                table {
                    caption { (self.caption) }
                    thead { tr {
                        @for (i, column) in self.columns.iter().enumerate() {
                            @let current = sort_col.filter(|(c, _)| *c == i).map(|(_, d)| d);
                            @let aria = match current {
                                Some(SortDirection::Ascending) => "ascending",
                                Some(SortDirection::Descending) => "descending",
                                None => "none",
                            };
                            th scope="col" aria-sort=(aria) {
                                @if column.sortable {
                                    @let next = match current {
                                        Some(SortDirection::Ascending) => SortDirection::Descending,
                                        _ => SortDirection::Ascending,
                                    };
                                    a href=(state.href(Some(&(column.key.clone(), next)), 1)) { (column.title) }
                                } @else {
                                    (column.title)
                                }
                            }
                        }
                    } }
                    tbody {
                        @for &row in visible {
                            tr { @for cell in &self.rows[row] { td { (cell.content) } } }
                        }
                    }
                }
                @if self.rows.is_empty() {
                    p.bs-table__empty { "No rows." }
                }
                nav.bs-table__pager aria-label="Pages" {
                    @if page > 1 {
                        a rel="prev" href=(state.href(state.sort.as_ref(), page - 1)) { "Previous" }
                    }
                    span { "Page " (page) " of " (pages) }
                    @if page < pages {
                        a rel="next" href=(state.href(state.sort.as_ref(), page + 1)) { "Next" }
                    }
                }
            }
        }
    }
}
