//! The core utility APIs every app has: [`CONFIG_API`], [`DISCOVERY_API`]
//! and [`FETCH_API`]. An app can replace any of them with
//! [`AppBuilder::api`](crate::app::AppBuilder::api).

mod config;
mod discovery;
mod fetch;

pub use config::{CONFIG_API, ConfigApi};
pub use discovery::{ConfigDiscovery, DISCOVERY_API, DiscoveryApi, DiscoveryError};
pub use fetch::{
    CredentialProvider, CredentialRequest, FETCH_API, FetchApi, FetchError, StaticTokenCredentials,
};
