//! Procedural macros of the backstage-rs framework.
//!
//! Do not depend on this crate directly: the framework crates re-export its
//! macros (`backstage_core::ConfigSection`, and later the backend and frontend
//! macros), and the generated code refers to them.

mod config_section;

use proc_macro::TokenStream;

/// Derives `backstage_core::config::ConfigSection` for a config struct: the
/// struct then knows the config path it is read from, declares its schema
/// with [`schemars`](https://docs.rs/schemars), and reads itself from a
/// `Config`.
///
/// ```ignore
/// #[derive(serde::Deserialize, schemars::JsonSchema, ConfigSection)]
/// #[config_section(path = "lighthouse", required)]
/// struct LighthouseConfig { base_url: String }
/// ```
///
/// Attributes inside `#[config_section(...)]`:
/// * `path = "a.b"` (required): the dotted config path;
/// * `required`: the section must be present;
/// * `crate = "path::to::backstage_core"`: where the core crate is, when it is
///   reached through a re-export.
#[proc_macro_derive(ConfigSection, attributes(config_section))]
pub fn derive_config_section(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    config_section::expand(input)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}
