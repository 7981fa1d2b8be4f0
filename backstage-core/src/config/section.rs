//! [`ConfigSection`]: a typed config struct that knows where it lives.

use backstage_common::config::{Config, ConfigError};
use schemars::JsonSchema;
use serde::de::DeserializeOwned;

use super::schema::ConfigSchema;

/// A typed section of the configuration, usually derived:
///
/// ```
/// use backstage_core::config::{Config, ConfigSection};
/// use schemars::JsonSchema;
/// use serde::Deserialize;
///
/// /// Settings of the lighthouse plugin.
/// #[derive(Debug, Deserialize, JsonSchema, ConfigSection)]
/// #[serde(rename_all = "camelCase")]
/// #[config_section(path = "lighthouse", required)]
/// struct LighthouseConfig {
///     /// Where the lighthouse-audit-service listens.
///     base_url: String,
/// }
///
/// let config = Config::from_value(serde_json::json!({
///     "lighthouse": { "baseUrl": "http://localhost:3003" }
/// }));
/// let section = LighthouseConfig::from_config(&config)?;
/// assert_eq!(section.base_url, "http://localhost:3003");
/// assert!(LighthouseConfig::schema().is_required());
/// # Ok::<(), backstage_core::config::ConfigError>(())
/// ```
pub trait ConfigSection: DeserializeOwned + JsonSchema {
    /// The dotted config path of the section, e.g. `catalog`.
    const PATH: &'static str;
    /// Whether the section must be present.
    const REQUIRED: bool = false;

    /// The schema to declare for validation at startup.
    fn schema() -> ConfigSchema {
        let schema = ConfigSchema::of::<Self>(Self::PATH);
        if Self::REQUIRED {
            schema.required()
        } else {
            schema
        }
    }

    /// Reads the section from the app's config. An absent optional section
    /// reads as if it were empty (so a struct of optional fields works).
    fn from_config(config: &Config) -> Result<Self, ConfigError> {
        config.get(Self::PATH)
    }
}
