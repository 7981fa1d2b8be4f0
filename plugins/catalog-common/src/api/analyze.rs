//! `POST /analyze-location`.

use backstage_common::catalog::{Entity, JsonObject};
use serde::{Deserialize, Serialize};

use super::locations::LocationInput;

/// `POST /analyze-location` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AnalyzeLocationRequest {
    /// The location to look at.
    pub location: LocationInput,
    /// The catalog file name to look for, if not the default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub catalog_file_name: Option<String>,
}

/// `POST /analyze-location` response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AnalyzeLocationResponse {
    /// Catalog files found at the location.
    pub existing_entity_files: Vec<AnalyzeLocationExistingEntity>,
    /// Entities the analysis suggests creating.
    pub generate_entities: Vec<AnalyzeLocationGenerateEntity>,
}

/// An entity read from a catalog file found at the location.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AnalyzeLocationExistingEntity {
    /// The file it came from.
    pub location: LocationInput,
    /// Whether that file is registered already.
    pub is_registered: bool,
    /// The entity.
    pub entity: Entity,
}

/// A suggested entity, possibly incomplete.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnalyzeLocationGenerateEntity {
    /// The (partial) entity.
    pub entity: JsonObject,
    /// How each field was decided.
    pub fields: Vec<AnalyzeLocationEntityField>,
}

/// How the analysis decided one field of a suggested entity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnalyzeLocationEntityField {
    /// The dot path, e.g. `spec.owner`.
    pub field: String,
    /// The outcome.
    pub state: AnalyzeFieldState,
    /// The suggested value, or `null`.
    pub value: Option<String>,
    /// An explanation for the user.
    pub description: String,
}

/// The outcome of analysing one field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum AnalyzeFieldState {
    /// A value was found.
    AnalysisSuggestedValue,
    /// The analysis suggests leaving it empty.
    AnalysisSuggestedNoValue,
    /// The user must decide.
    NeedsUserInput,
}
