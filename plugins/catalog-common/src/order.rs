//! Ordering: `order=asc:metadata.name` (`GET /entities`, repeatable),
//! `orderField=metadata.name,desc` (`GET /entities/by-query`) and the
//! `orderBy: [{field, order}]` body field (`POST /entities/by-query`).
//!
//! ```
//! use backstage_plugin_catalog_common::{EntityOrder, SortOrder};
//!
//! let order = EntityOrder::parse_order_param("desc:metadata.name")?;
//! assert_eq!(order, EntityOrder::desc("metadata.name"));
//! assert_eq!(EntityOrder::parse_order_field_param("spec.owner")?.order, SortOrder::Asc);
//! assert_eq!(order.to_order_field_param(), "metadata.name,desc");
//! # Ok::<(), backstage_plugin_catalog_common::OrderError>(())
//! ```

use std::fmt;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::path::{FieldPathError, validate_field_path};

/// Ascending or descending.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SortOrder {
    /// Ascending (`asc`), the default.
    #[default]
    Asc,
    /// Descending (`desc`).
    Desc,
}

impl SortOrder {
    /// `asc` or `desc`.
    pub fn as_str(self) -> &'static str {
        match self {
            SortOrder::Asc => "asc",
            SortOrder::Desc => "desc",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        match text {
            "asc" => Some(SortOrder::Asc),
            "desc" => Some(SortOrder::Desc),
            _ => None,
        }
    }
}

impl fmt::Display for SortOrder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One sort key: a dot path and a direction. Serializes as
/// `{"field": "metadata.name", "order": "asc"}` (the `orderBy` items).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct EntityOrder {
    /// The dot path to sort by, e.g. `metadata.name`.
    pub field: String,
    /// The direction.
    pub order: SortOrder,
}

/// An `order` or `orderField` value that was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum OrderError {
    /// `order` not on the form `<asc|desc>:<field>`.
    #[error("invalid order parameter {0:?}: expected <asc|desc>:<field>, e.g. asc:metadata.name")]
    OrderSyntax(String),
    /// `orderField` not on the form `<field>[,<asc|desc>]`.
    #[error(
        "invalid orderField parameter {0:?}: expected <field>,<asc|desc> or <field>, e.g. metadata.name,desc"
    )]
    OrderFieldSyntax(String),
    /// The field is not a usable dot path.
    #[error("invalid order field in {value:?}: {source}")]
    Field {
        /// The whole parameter value.
        value: String,
        /// What is wrong with the field.
        source: FieldPathError,
    },
}

impl EntityOrder {
    /// Ascending by `field`.
    pub fn asc(field: impl Into<String>) -> Self {
        EntityOrder {
            field: field.into(),
            order: SortOrder::Asc,
        }
    }

    /// Descending by `field`.
    pub fn desc(field: impl Into<String>) -> Self {
        EntityOrder {
            field: field.into(),
            order: SortOrder::Desc,
        }
    }

    /// Parses an `order` value of `GET /entities`: `asc:<field>` or
    /// `desc:<field>` (lowercase).
    pub fn parse_order_param(value: &str) -> Result<Self, OrderError> {
        let (order, field) = value
            .split_once(':')
            .and_then(|(order, field)| Some((SortOrder::parse(order)?, field)))
            .ok_or_else(|| OrderError::OrderSyntax(value.to_owned()))?;
        Self::checked(value, field, order)
    }

    /// Parses an `orderField` value of `GET /entities/by-query`:
    /// `<field>,asc`, `<field>,desc` or `<field>` (ascending).
    pub fn parse_order_field_param(value: &str) -> Result<Self, OrderError> {
        let (field, order) = match value.split_once(',') {
            None => (value, SortOrder::Asc),
            Some((field, order)) => (
                field,
                SortOrder::parse(order.trim())
                    .ok_or_else(|| OrderError::OrderFieldSyntax(value.to_owned()))?,
            ),
        };
        Self::checked(value, field.trim(), order)
    }

    fn checked(value: &str, field: &str, order: SortOrder) -> Result<Self, OrderError> {
        validate_field_path(field).map_err(|source| OrderError::Field {
            value: value.to_owned(),
            source,
        })?;
        Ok(EntityOrder {
            field: field.to_owned(),
            order,
        })
    }

    /// This key as an `order` value: `asc:metadata.name`.
    pub fn to_order_param(&self) -> String {
        format!("{}:{}", self.order, self.field)
    }

    /// This key as an `orderField` value: `metadata.name,asc`.
    pub fn to_order_field_param(&self) -> String {
        format!("{},{}", self.field, self.order)
    }
}

/// Parses every `order` value of `GET /entities`, in order.
pub fn parse_order_params<I, S>(values: I) -> Result<Vec<EntityOrder>, OrderError>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    values
        .into_iter()
        .map(|v| EntityOrder::parse_order_param(v.as_ref()))
        .collect()
}

/// Parses every `orderField` value of `GET /entities/by-query`, in order.
/// (Backstage's catalog applies only the first.)
pub fn parse_order_field_params<I, S>(values: I) -> Result<Vec<EntityOrder>, OrderError>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    values
        .into_iter()
        .map(|v| EntityOrder::parse_order_field_param(v.as_ref()))
        .collect()
}
