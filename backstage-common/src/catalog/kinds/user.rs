//! `User`: a person.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{BuiltinKind, KindEntity, KindSpec};
use crate::catalog::entity::JsonObject;

/// The spec of a `User`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct UserSpec {
    /// Display name, email and picture.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<UserProfile>,
    /// Groups the user belongs to (default kind Group). Required, may be
    /// empty.
    pub member_of: Vec<String>,
    /// Any other spec keys, kept as they are.
    #[serde(flatten)]
    pub extra: JsonObject,
}

/// How a user presents themselves. Same shape as a group's profile.
pub type UserProfile = super::GroupProfile;

impl KindSpec for UserSpec {
    const KIND: BuiltinKind = BuiltinKind::User;
}

/// A `User` entity with a typed spec.
pub type UserEntity = KindEntity<UserSpec>;
