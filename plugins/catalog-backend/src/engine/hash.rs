//! Content hashes that decide whether anything changed.

use ring::digest::{SHA256, digest};
use serde_json::Value;

/// The SHA-256 of `value`'s JSON text, in hex.
pub(crate) fn hash_json(value: &Value) -> String {
    hash_text(&value.to_string())
}

/// The SHA-256 of `text`, in hex.
pub(crate) fn hash_text(text: &str) -> String {
    digest(&SHA256, text.as_bytes())
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
