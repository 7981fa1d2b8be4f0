//! `API`: an interface that components provide or consume.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{BuiltinKind, KindEntity, KindSpec};
use crate::catalog::entity::JsonObject;

/// The `type` of an API that is an MCP server; it has `remotes` instead of a
/// `definition`.
pub const MCP_SERVER_TYPE: &str = "mcp-server";

/// The spec of an `API`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApiSpec {
    /// The type, e.g. `openapi`, `grpc`, `graphql`, `mcp-server`. Required.
    #[serde(rename = "type")]
    #[schemars(length(min = 1))]
    pub api_type: String,
    /// The lifecycle stage. Required.
    #[schemars(length(min = 1))]
    pub lifecycle: String,
    /// The owning group or user (default kind Group). Required.
    #[schemars(length(min = 1))]
    pub owner: String,
    /// The system it belongs to (default kind System).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1))]
    pub system: Option<String>,
    /// The definition (an OpenAPI document, a .proto file, ...). Required
    /// unless the type is `mcp-server`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1))]
    pub definition: Option<String>,
    /// Where an `mcp-server` API is served. Required (at least one) for that
    /// type.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub remotes: Vec<ApiRemote>,
    /// Any other spec keys, kept as they are.
    #[serde(flatten)]
    pub extra: JsonObject,
}

impl ApiSpec {
    /// Whether this API is an MCP server.
    pub fn is_mcp_server(&self) -> bool {
        self.api_type == MCP_SERVER_TYPE
    }
}

/// A place an MCP server is served.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ApiRemote {
    /// The transport, e.g. `streamable-http`.
    #[serde(rename = "type")]
    #[schemars(length(min = 1))]
    pub remote_type: String,
    /// The address.
    #[schemars(length(min = 1))]
    pub url: String,
    /// Any other keys, kept as they are.
    #[serde(flatten)]
    pub extra: JsonObject,
}

impl KindSpec for ApiSpec {
    const KIND: BuiltinKind = BuiltinKind::Api;
}

/// An `API` entity with a typed spec.
pub type ApiEntity = KindEntity<ApiSpec>;
