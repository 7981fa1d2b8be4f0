//! Backend features: plugins, modules, and the contexts their inits receive.

mod context;
mod module;
mod plugin;

pub(crate) use context::{CoreServices, ExtensionPointTable};
pub use context::{ModuleContext, PluginContext};
pub use module::{BackendModule, BackendModuleBuilder};
pub use plugin::{BackendPlugin, BackendPluginBuilder};
