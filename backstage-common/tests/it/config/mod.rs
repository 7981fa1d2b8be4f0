//! Tests of the configuration reader.

mod frontend_view_properties;
mod readers;
