//! HTTP: the error format, the root router and its layers, plugin dispatch,
//! the auth-policy layer and metrics.

mod auth_policy;
mod error;
pub(crate) mod metrics;
mod plugin_slots;
mod root;

pub(crate) use auth_policy::{PolicyState, enforce};
pub use error::ApiError;
pub(crate) use plugin_slots::{PluginSlots, SlotState};
pub(crate) use root::{LayerSettings, RootState, root_router};
