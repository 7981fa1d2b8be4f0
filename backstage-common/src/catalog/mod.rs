//! The catalog entity model (work in progress).
