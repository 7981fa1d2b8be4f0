//! The demo plugin: a greeting from config, one open route and one that
//! needs a credential.

use axum::routing::get;
use axum::{Extension, Json, Router};
use backstage_backend::backstage_core::config::ConfigSection;
use backstage_backend::prelude::*;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::json;

/// `greeter` in app-config.yaml.
#[derive(Debug, Deserialize, JsonSchema, ConfigSection)]
#[config_section(path = "greeter", crate = "backstage_backend::backstage_core")]
pub(crate) struct GreeterConfig {
    /// What `GET /api/greeter/greeting` answers.
    #[schemars(extend("visibility" = "frontend"))]
    pub(crate) greeting: String,
}

/// The greeter plugin: `GET /api/greeter/greeting` is open to anyone,
/// `GET /api/greeter/whoami` tells an authenticated caller who they are.
pub(crate) fn greeter_plugin() -> BackendPlugin {
    BackendPlugin::builder("greeter")
        .package(env!("CARGO_PKG_NAME"))
        .description("Greets visitors; the example of a backend plugin")
        .config_schema(GreeterConfig::schema())
        .init(|ctx| async move {
            let config = GreeterConfig::from_config(ctx.config())?;
            let greeting = config.greeting;
            ctx.http_router().use_router(
                Router::new()
                    .route(
                        "/greeting",
                        get(move || async move { Json(json!({ "greeting": greeting })) }),
                    )
                    .route(
                        "/whoami",
                        get(
                            |Extension(credentials): Extension<Credentials>| async move {
                                Json(json!({ "subject": credentials.service_subject() }))
                            },
                        ),
                    ),
            );
            ctx.http_router()
                .add_auth_policy("/greeting", Access::Unauthenticated);
            ctx.logger().info("greeter ready");
            Ok::<_, BackendError>(())
        })
}
