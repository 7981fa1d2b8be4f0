//! Tests of the catalog entity model.
