//! A "todo" plugin with a module, as a third party would write them.

use std::sync::{Arc, Mutex};

use backstage_backend::axum::routing::get;
use backstage_backend::axum::{Json, Router};
use backstage_backend::backstage_core::config::ConfigSection;
use backstage_backend::prelude::*;
use backstage_backend::{backend_module, backend_plugin};
use schemars::JsonSchema;
use serde::Deserialize;

/// Where modules add todo items.
#[derive(Default)]
pub struct TodoSources(Mutex<Vec<String>>);

impl TodoSources {
    /// Adds an item.
    pub fn add(&self, item: impl Into<String>) {
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push(item.into());
    }
}

/// The extension point of the todo plugin.
pub const TODO_SOURCES: ExtensionPointRef<TodoSources> = ExtensionPointRef::new("todo.sources");

/// `todo` in app-config.yaml.
#[derive(Debug, Deserialize, JsonSchema, ConfigSection)]
#[config_section(path = "todo", crate = "backstage_backend::backstage_core")]
pub struct TodoConfig {
    /// Items every list starts with.
    #[serde(default)]
    pub initial: Vec<String>,
}

/// The todo plugin, built with the builder because it offers an extension
/// point.
pub fn todo_plugin() -> BackendPlugin {
    let sources = Arc::new(TodoSources::default());
    BackendPlugin::builder("todo")
        .package(env!("CARGO_PKG_NAME"))
        .extension_point(&TODO_SOURCES, sources.clone())
        .config_schema(TodoConfig::schema())
        .init(move |ctx| async move {
            let mut items = TodoConfig::from_config(ctx.config())?.initial;
            items.extend(sources.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner).drain(..));
            ctx.http_router()
                .use_router(Router::new().route("/items", get(move || async move { Json(items) })));
            Ok::<_, BackendError>(())
        })
}

/// Adds the reminders to every todo list.
#[backend_module(plugin = "todo", id = "reminders")]
pub async fn reminders(ctx: ModuleContext) -> Result<(), BackendError> {
    ctx.extension_point(&TODO_SOURCES)?.add("water the plants");
    Ok(())
}

/// Answers `GET /api/ping/` with "pong", open to anyone.
#[backend_plugin(id = "ping")]
pub async fn ping(ctx: PluginContext) -> Result<(), BackendError> {
    ctx.http_router().use_router(Router::new().route("/", get(|| async { "pong" })));
    ctx.http_router().add_auth_policy("/", Access::Unauthenticated);
    Ok(())
}
