//! The config utility API: the frontend-visible config only.

use std::ops::Deref;

use backstage_common::config::Config;

use crate::plugin_api::ApiRef;

/// The app config as a page may see it: only values a schema marks
/// `frontend` are in it, so backend values and secrets cannot reach a page
/// or the browser.
#[derive(Clone, Debug)]
pub struct ConfigApi {
    config: Config,
}

impl ConfigApi {
    /// The frontend view of `config`.
    pub fn new(config: &Config) -> Self {
        Self {
            config: config.frontend_view(),
        }
    }

    /// The frontend-visible config.
    pub fn config(&self) -> &Config {
        &self.config
    }
}

impl Deref for ConfigApi {
    type Target = Config;
    fn deref(&self) -> &Config {
        &self.config
    }
}

/// The config utility API.
pub const CONFIG_API: ApiRef<ConfigApi> = ApiRef::new("core.config");
