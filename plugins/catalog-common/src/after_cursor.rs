//! The `after` cursor of paged `GET /entities`: base64 of the JSON
//! `{"limit": n, "offset": m}`, handed out in the response's
//! `Link: <...?after=...>; rel="next"` header.
//!
//! ```
//! use backstage_plugin_catalog_common::AfterCursor;
//!
//! let cursor = AfterCursor { limit: Some(20), offset: Some(40) };
//! let text = cursor.encode();
//! assert_eq!(AfterCursor::decode(&text)?, cursor);
//! # Ok::<(), backstage_plugin_catalog_common::AfterCursorError>(())
//! ```

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// The position an `after` cursor points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AfterCursor {
    /// The page size.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u64>,
    /// How many entities come before the page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset: Option<u64>,
}

/// An `after` value that is not a cursor this catalog handed out.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error(
    "malformed after cursor: {0}; pass the after value from the previous response's Link header unchanged"
)]
pub struct AfterCursorError(String);

impl AfterCursor {
    /// The cursor as text (standard base64 of its JSON).
    pub fn encode(&self) -> String {
        // Serializing two optional integers cannot fail.
        let json = serde_json::to_vec(self).unwrap_or_default();
        STANDARD.encode(json)
    }

    /// Reads a cursor; an empty or undecodable value is an error.
    pub fn decode(text: &str) -> Result<Self, AfterCursorError> {
        if text.is_empty() {
            return Err(AfterCursorError("the cursor is empty".to_owned()));
        }
        let bytes = STANDARD
            .decode(text.trim())
            .map_err(|e| AfterCursorError(format!("not base64 ({e})")))?;
        serde_json::from_slice(&bytes).map_err(|e| {
            AfterCursorError(format!(
                "not a JSON object with integer limit and offset ({e})"
            ))
        })
    }
}
