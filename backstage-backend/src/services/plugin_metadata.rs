//! The plugin metadata service: which plugin a service instance belongs to.

use std::sync::Arc;

use crate::service::{ServiceFactory, ServiceRef};

/// Identity of the plugin a plugin-scoped service was made for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PluginMetadata {
    id: String,
}

impl PluginMetadata {
    /// The plugin id.
    pub fn id(&self) -> &str {
        &self.id
    }
}

/// The plugin's metadata (`core.pluginMetadata`).
pub const PLUGIN_METADATA: ServiceRef<PluginMetadata> = ServiceRef::plugin("core.pluginMetadata")
    .with_default(|| {
        ServiceFactory::new(&PLUGIN_METADATA, |ctx| async move {
            Ok(Arc::new(PluginMetadata {
                id: ctx.plugin_id().unwrap_or_default().to_owned(),
            }))
        })
    });
