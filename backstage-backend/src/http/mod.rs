//! HTTP: the error format, the root router and its layers, plugin dispatch,
//! the auth-policy layer and metrics.

mod auth_policy;
mod body_limit;
mod catch_panic;
mod compression;
mod cors;
mod error;
mod error_bodies;
pub(crate) mod metrics;
mod plugin_slots;
mod request_log;
mod request_metrics;
mod request_timeout;
mod root;

pub(crate) use auth_policy::{AuthPolicyLayer, PolicyState};
pub use error::ApiError;
pub(crate) use plugin_slots::{PluginApi, PluginSlots, SlotState};
pub(crate) use request_metrics::RequestMetricsLayer;
pub(crate) use root::{LayerSettings, RootState, root_service};
