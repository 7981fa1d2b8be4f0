//! Procedural macros of the backstage-rs framework.
//!
//! Do not depend on this crate directly: the framework crates re-export its
//! macros (`backstage_core::config::ConfigSection`,
//! `backstage_backend::{backend_plugin, backend_module}`), and the generated
//! code refers to them.

mod backend_feature;
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

/// Turns an async init function into a function returning a
/// `backstage_backend::BackendPlugin`.
///
/// ```ignore
/// /// Keeps a list of things to do.
/// #[backend_plugin(id = "todo")]
/// pub async fn todo_plugin(ctx: PluginContext) -> Result<(), BackendError> {
///     ctx.logger().info("starting");
///     Ok(())
/// }
/// // expands to (roughly):
/// /// Keeps a list of things to do.
/// pub fn todo_plugin() -> backstage_backend::BackendPlugin {
///     async fn __backstage_init_todo_plugin(ctx: PluginContext) -> Result<(), BackendError> { ... }
///     backstage_backend::BackendPlugin::builder("todo")
///         .package(env!("CARGO_PKG_NAME"))
///         .description("Keeps a list of things to do.")
///         .init(__backstage_init_todo_plugin)
/// }
/// ```
///
/// Arguments: `id = "..."` (required, `[a-z][a-z0-9-]*`) and
/// `crate = "path"` when `backstage_backend` is reached under another name.
/// Use `BackendPlugin::builder` directly for plugins that offer extension
/// points or declare config schemas.
#[proc_macro_attribute]
pub fn backend_plugin(attr: TokenStream, item: TokenStream) -> TokenStream {
    backend_feature::expand(backend_feature::Kind::Plugin, attr.into(), item.into())
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// Turns an async init function into a function returning a
/// `backstage_backend::BackendModule`.
///
/// ```ignore
/// #[backend_module(plugin = "todo", id = "reminders", consumes = [TODO_SOURCES])]
/// pub async fn reminders(ctx: ModuleContext) -> Result<(), BackendError> {
///     ctx.extension_point(&TODO_SOURCES)?.add("reminders");
///     Ok(())
/// }
/// ```
///
/// Arguments: `plugin = "..."` and `id = "..."` (required), `consumes =
/// [REF, ...]` (extension points provided by other modules of the plugin,
/// for ordering), `crate = "path"`.
#[proc_macro_attribute]
pub fn backend_module(attr: TokenStream, item: TokenStream) -> TokenStream {
    backend_feature::expand(backend_feature::Kind::Module, attr.into(), item.into())
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}
