//! The discovery service: where each plugin's API is.

use std::net::SocketAddr;

use backstage_common::config::Config;

use crate::error::BackendError;
use crate::service::ServiceRef;

/// Finds the base URL of any plugin's API, for calls between plugins
/// (internal) and for links handed to browsers (external).
pub trait DiscoveryService: Send + Sync {
    /// The URL this backend uses to call `plugin_id`, e.g.
    /// `http://localhost:7007/api/catalog`.
    fn base_url(&self, plugin_id: &str) -> String;
    /// The URL a browser uses for `plugin_id`, from `backend.baseUrl`.
    fn external_base_url(&self, plugin_id: &str) -> String;
}

#[derive(Clone, Debug)]
struct EndpointOverride {
    plugins: Vec<String>,
    internal: String,
    external: String,
}

/// The default discovery: this backend for every plugin, unless
/// `discovery.endpoints` moves some plugins elsewhere:
///
/// ```yaml
/// discovery:
///   endpoints:
///     - target: http://catalog.internal:7007/api/{{pluginId}}
///       plugins: [catalog]
///     - target:
///         internal: http://search.internal/api/{{pluginId}}
///         external: https://search.example.com/api/{{pluginId}}
///       plugins: [search]
/// ```
#[derive(Clone, Debug)]
pub struct HostDiscovery {
    internal: String,
    external: String,
    overrides: Vec<EndpointOverride>,
}

impl HostDiscovery {
    /// Discovery for a backend listening on `bound`, reading `backend.baseUrl`
    /// and `discovery.endpoints` from `config`.
    pub fn from_config(config: &Config, bound: SocketAddr) -> Result<Self, BackendError> {
        let host = if bound.ip().is_unspecified() {
            "localhost".to_owned()
        } else if bound.is_ipv6() {
            format!("[{}]", bound.ip())
        } else {
            bound.ip().to_string()
        };
        let internal = format!("http://{host}:{}/api", bound.port());
        let external = match config.get_optional_string("backend.baseUrl")? {
            Some(base) => format!("{}/api", base.trim_end_matches('/')),
            None => internal.clone(),
        };
        let mut overrides = Vec::new();
        for endpoint in config
            .get_optional_config_array("discovery.endpoints")?
            .unwrap_or_default()
        {
            let plugins = endpoint
                .get_string_array("plugins")?
                .into_iter()
                .map(str::to_owned)
                .collect();
            let (internal, external) = match endpoint.get_optional_string("target") {
                Ok(Some(target)) => (target.to_owned(), target.to_owned()),
                _ => {
                    let target = endpoint.get_config("target")?;
                    (
                        target.get_string("internal")?.to_owned(),
                        target.get_string("external")?.to_owned(),
                    )
                }
            };
            overrides.push(EndpointOverride {
                plugins,
                internal,
                external,
            });
        }
        Ok(Self {
            internal,
            external,
            overrides,
        })
    }

    fn find(&self, plugin_id: &str) -> Option<&EndpointOverride> {
        self.overrides
            .iter()
            .find(|o| o.plugins.iter().any(|p| p == plugin_id))
    }
}

fn fill(template: &str, plugin_id: &str) -> String {
    template
        .replace("{{pluginId}}", plugin_id)
        .replace("{{ pluginId }}", plugin_id)
}

impl DiscoveryService for HostDiscovery {
    fn base_url(&self, plugin_id: &str) -> String {
        match self.find(plugin_id) {
            Some(o) => fill(&o.internal, plugin_id),
            None => format!("{}/{plugin_id}", self.internal),
        }
    }

    fn external_base_url(&self, plugin_id: &str) -> String {
        match self.find(plugin_id) {
            Some(o) => fill(&o.external, plugin_id),
            None => format!("{}/{plugin_id}", self.external),
        }
    }
}

/// Discovery (`core.discovery`); the backend installs [`HostDiscovery`] unless
/// the integrator provides another.
pub const DISCOVERY: ServiceRef<dyn DiscoveryService> = ServiceRef::root("core.discovery");
