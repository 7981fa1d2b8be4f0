//! Dot paths into an entity (`metadata.name`, `spec.type`), as used by
//! `fields`, `order`, `orderField` and `facet`.

use thiserror::Error;

/// Why a dot path was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum FieldPathError {
    /// The path is empty or only whitespace.
    #[error("the field path is empty; name a field such as metadata.name")]
    Empty,
    /// A part between two dots is empty (`metadata..name`, `.name`, `name.`).
    #[error(
        "the field path {0:?} has an empty part; separate field names with single dots, e.g. metadata.name"
    )]
    EmptyPart(String),
    /// One item of a JSON list of paths holds a comma.
    #[error(
        "the field path {0:?} contains a comma; give one path per list item (commas separate paths only in query parameters)"
    )]
    Comma(String),
    /// The path uses array indexing (`metadata.tags[0]`).
    #[error(
        "the field path {0:?} indexes an array; array indexing is not supported, select the whole field (e.g. metadata.tags)"
    )]
    ArrayIndex(String),
}

/// Checks that `path` is a usable dot path: not empty, no empty parts, no
/// `[..]` indexing. Surrounding whitespace must already be trimmed.
pub(crate) fn validate_field_path(path: &str) -> Result<(), FieldPathError> {
    if path.is_empty() {
        return Err(FieldPathError::Empty);
    }
    if path.contains(['[', ']']) {
        return Err(FieldPathError::ArrayIndex(path.to_owned()));
    }
    if path.split('.').any(str::is_empty) {
        return Err(FieldPathError::EmptyPart(path.to_owned()));
    }
    Ok(())
}
