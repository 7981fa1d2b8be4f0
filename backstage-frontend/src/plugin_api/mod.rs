//! The plugin API: what plugin authors use — extensions and their ids,
//! data refs, route refs, utility-API refs, pages, components and plugins.

mod apis;
mod data;
mod extension;
mod id;
mod macros;
mod page;
mod plugin;
mod routing;
#[doc(hidden)]
pub mod __macro_support {
    pub use super::support::*;
}
mod support;

pub use apis::{ApiFactory, ApiHolder, ApiRef, MissingApi};
pub use data::{DataSpec, ExtensionData, ExtensionDataRef, core_data};
pub use extension::{
    AttachPoint, Extension, ExtensionConfigSchema, ExtensionContext, ExtensionInput, InputItem,
};
pub use id::ExtensionId;
pub use page::{
    BoxFuture, Component, ComponentRequest, NavItem, NavTarget, PageContent, PageError,
    PageRequest, Theme, UserIdentity,
};
pub use plugin::{Asset, FrontendPlugin};
pub use routing::{ExternalRouteRef, RouteRef};
