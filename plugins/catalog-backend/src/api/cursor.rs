//! The opaque cursor of `/entities/by-query`: base64 of a small JSON
//! document holding the query it pages through and where the page starts.

use backstage_plugin_catalog_common::{EntityOrder, EntityPredicate};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

use crate::store::{FullTextQuery, PagePosition, SortPosition};

/// A cursor that cannot be read.
#[derive(Debug, thiserror::Error)]
#[error("invalid cursor: {0}; use a nextCursor or prevCursor exactly as a response gave it")]
pub(crate) struct CursorError(String);

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Position {
    #[serde(rename = "v", default, skip_serializing_if = "Option::is_none")]
    sort_value: Option<String>,
    #[serde(rename = "r")]
    entity_ref: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct FullText {
    term: String,
    fields: Vec<String>,
}

/// What a cursor carries.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct Cursor {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    query: Option<EntityPredicate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    order: Option<EntityOrder>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    full_text: Option<FullText>,
    total: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    after: Option<Position>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    before: Option<Position>,
}

impl Cursor {
    /// A cursor for `query` starting at `position` (after or before).
    pub(crate) fn new(
        query: Option<EntityPredicate>,
        order: Option<EntityOrder>,
        full_text: Option<&FullTextQuery>,
        total: bool,
        position: &PagePosition,
    ) -> Self {
        let at = |p: &SortPosition| Position {
            sort_value: p.sort_value.clone(),
            entity_ref: p.entity_ref.clone(),
        };
        Self {
            query,
            order,
            full_text: full_text.map(|f| FullText {
                term: f.term.clone(),
                fields: f.fields.clone(),
            }),
            total,
            after: match position {
                PagePosition::After(p) => Some(at(p)),
                _ => None,
            },
            before: match position {
                PagePosition::Before(p) => Some(at(p)),
                _ => None,
            },
        }
    }

    /// The text form.
    pub(crate) fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(self).unwrap_or_default())
    }

    /// Reads the text form.
    pub(crate) fn decode(text: &str) -> Result<Self, CursorError> {
        let bytes = URL_SAFE_NO_PAD
            .decode(text.trim_end_matches('='))
            .map_err(|e| CursorError(format!("not base64 ({e})")))?;
        serde_json::from_slice(&bytes).map_err(|e| CursorError(format!("unreadable ({e})")))
    }

    /// The query's filter.
    pub(crate) fn query(&self) -> Option<&EntityPredicate> {
        self.query.as_ref()
    }

    /// The query's order.
    pub(crate) fn order(&self) -> Option<&EntityOrder> {
        self.order.as_ref()
    }

    /// The query's full-text filter.
    pub(crate) fn full_text(&self) -> Option<FullTextQuery> {
        self.full_text.as_ref().map(|f| FullTextQuery {
            term: f.term.clone(),
            fields: f.fields.clone(),
        })
    }

    /// Whether totals are counted.
    pub(crate) fn total(&self) -> bool {
        self.total
    }

    /// Where the page starts.
    pub(crate) fn position(&self) -> PagePosition {
        let at = |p: &Position| SortPosition {
            sort_value: p.sort_value.clone(),
            entity_ref: p.entity_ref.clone(),
        };
        match (&self.after, &self.before) {
            (Some(p), _) => PagePosition::After(at(p)),
            (None, Some(p)) => PagePosition::Before(at(p)),
            (None, None) => PagePosition::Offset(0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_bad_ones_are_refused() {
        let position = PagePosition::After(SortPosition {
            sort_value: Some("payments".to_owned()),
            entity_ref: "component:default/payments".to_owned(),
        });
        let cursor = Cursor::new(
            Some(EntityPredicate::eq("kind", "component")),
            None,
            None,
            true,
            &position,
        );
        let again = Cursor::decode(&cursor.encode()).unwrap();
        assert_eq!(again, cursor);
        assert_eq!(again.position(), position);
        assert!(Cursor::decode("%%%").is_err());
        assert!(Cursor::decode(&URL_SAFE_NO_PAD.encode(b"[1]")).is_err());
    }
}
