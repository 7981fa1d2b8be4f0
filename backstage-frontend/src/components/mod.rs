//! Shared building blocks: functions of typed props to HTML.
//!
//! Every component is a plain function returning [`maud::Markup`]. maud
//! escapes every string it interpolates, so text from users, config or a
//! backend can never become markup; the few places that emit raw output
//! ([`json_data`], [`link`]'s URL check) are written to stay safe for any
//! input.

mod basic;
mod table;

pub use basic::{
    CardProps, HeaderProps, Tab, card, empty_state, error_state, header, json_data, link,
    safe_href, tabs,
};
pub use table::{Cell, Column, SortDirection, Table, TableState};
