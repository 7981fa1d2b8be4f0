//! The discovery utility API: where is plugin X's backend?

use backstage_common::config::Config;
use serde::Deserialize;

use crate::plugin_api::ApiRef;

/// Finds the base URL of a plugin's backend API.
pub trait DiscoveryApi: Send + Sync {
    /// The base URL of `plugin_id`'s backend API, e.g.
    /// `http://localhost:7007/api/catalog`, without a trailing slash.
    fn base_url(&self, plugin_id: &str) -> Result<String, DiscoveryError>;
}

/// The discovery utility API.
pub const DISCOVERY_API: ApiRef<dyn DiscoveryApi> = ApiRef::new("core.discovery");

/// A plugin's backend could not be located.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DiscoveryError {
    /// Neither `backend.baseUrl` nor a `discovery.endpoints` entry covers the plugin.
    #[error(
        "cannot locate the backend of plugin '{0}': set backend.baseUrl, or list the plugin under discovery.endpoints"
    )]
    NotConfigured(String),
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Target {
    Single(String),
    Split { internal: String },
}

#[derive(Debug, Deserialize)]
struct Endpoint {
    target: Target,
    plugins: Vec<String>,
}

/// Discovery from config, as in Backstage: `backend.baseUrl` +
/// `/api/<pluginId>`, unless a `discovery.endpoints` entry lists the
/// plugin:
///
/// ```yaml
/// discovery:
///   endpoints:
///     - target: http://catalog.internal:7007/api/{{pluginId}}
///       plugins: [catalog]
///     - target: { internal: http://search:7007/api/search, external: https://portal.example.com/api/search }
///       plugins: [search]
/// ```
///
/// The app renders pages on the server, so the `internal` target is used.
///
/// ```
/// use backstage_common::config::Config;
/// use backstage_frontend::apis::{ConfigDiscovery, DiscoveryApi};
/// let config = Config::from_value(serde_json::json!({
///     "backend": { "baseUrl": "http://localhost:7007/" },
///     "discovery": { "endpoints": [ { "target": "http://other:8080/api/{{pluginId}}", "plugins": ["lighthouse"] } ] }
/// }));
/// let discovery = ConfigDiscovery::from_config(&config)?;
/// assert_eq!(discovery.base_url("catalog")?, "http://localhost:7007/api/catalog");
/// assert_eq!(discovery.base_url("lighthouse")?, "http://other:8080/api/lighthouse");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct ConfigDiscovery {
    base_url: Option<String>,
    endpoints: Vec<(Vec<String>, String)>,
}

impl ConfigDiscovery {
    /// Reads `backend.baseUrl` and `discovery.endpoints`.
    pub fn from_config(config: &Config) -> Result<Self, backstage_common::config::ConfigError> {
        let base_url = config
            .get_optional_string("backend.baseUrl")?
            .map(|s| s.trim_end_matches('/').to_owned());
        let endpoints: Vec<Endpoint> = config
            .get_optional("discovery.endpoints")?
            .unwrap_or_default();
        Ok(Self {
            base_url,
            endpoints: endpoints
                .into_iter()
                .map(|e| {
                    let target = match e.target {
                        Target::Single(t) | Target::Split { internal: t } => t,
                    };
                    (e.plugins, target)
                })
                .collect(),
        })
    }
}

impl DiscoveryApi for ConfigDiscovery {
    fn base_url(&self, plugin_id: &str) -> Result<String, DiscoveryError> {
        if let Some((_, target)) = self
            .endpoints
            .iter()
            .find(|(plugins, _)| plugins.iter().any(|p| p == plugin_id))
        {
            let url = target
                .replace("{{pluginId}}", plugin_id)
                .replace("{{ pluginId }}", plugin_id);
            return Ok(url.trim_end_matches('/').to_owned());
        }
        match &self.base_url {
            Some(base) => Ok(format!("{base}/api/{plugin_id}")),
            None => Err(DiscoveryError::NotConfigured(plugin_id.to_owned())),
        }
    }
}
