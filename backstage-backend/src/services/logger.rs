//! The logger service: `tracing`, with `plugin=<id>` on every event of a
//! plugin.

use std::sync::Arc;

use tracing::Span;

use crate::service::{ServiceFactory, ServiceRef};

/// A structured logger. A plugin's logger carries `plugin=<id>`; events
/// emitted through it, and through `tracing` macros inside
/// [`Logger::in_scope`], carry that field.
#[derive(Clone, Debug)]
pub struct Logger {
    span: Span,
}

impl Logger {
    /// The backend's own logger.
    pub fn root() -> Self {
        Self {
            span: tracing::info_span!("backstage"),
        }
    }

    /// The logger of one plugin.
    pub fn for_plugin(plugin_id: &str) -> Self {
        Self {
            span: tracing::info_span!("plugin", plugin = %plugin_id),
        }
    }

    /// A logger whose events also carry `module=<id>`.
    pub fn for_module(&self, module_id: &str) -> Self {
        Self {
            span: self
                .span
                .in_scope(|| tracing::info_span!("module", module = %module_id)),
        }
    }

    /// The span events are recorded in; use it with
    /// `tracing::Instrument::instrument` for tasks the plugin spawns.
    pub fn span(&self) -> &Span {
        &self.span
    }

    /// Runs `f` inside this logger's span.
    pub fn in_scope<R>(&self, f: impl FnOnce() -> R) -> R {
        self.span.in_scope(f)
    }

    /// Logs at error level.
    pub fn error(&self, message: &str) {
        self.span.in_scope(|| tracing::error!("{message}"));
    }

    /// Logs at warn level.
    pub fn warn(&self, message: &str) {
        self.span.in_scope(|| tracing::warn!("{message}"));
    }

    /// Logs at info level.
    pub fn info(&self, message: &str) {
        self.span.in_scope(|| tracing::info!("{message}"));
    }

    /// Logs at debug level.
    pub fn debug(&self, message: &str) {
        self.span.in_scope(|| tracing::debug!("{message}"));
    }
}

/// The root logger (`core.rootLogger`).
pub const ROOT_LOGGER: ServiceRef<Logger> = ServiceRef::root("core.rootLogger")
    .with_default(|| ServiceFactory::new(&ROOT_LOGGER, |_| async { Ok(Arc::new(Logger::root())) }));

/// A plugin's logger (`core.logger`).
pub const LOGGER: ServiceRef<Logger> = ServiceRef::plugin("core.logger").with_default(|| {
    ServiceFactory::new(&LOGGER, |ctx| async move {
        Ok(Arc::new(Logger::for_plugin(
            ctx.plugin_id().unwrap_or("unknown"),
        )))
    })
});

/// Installs a global `tracing` subscriber from `backend.logger` config:
/// `format: json | pretty` (default pretty) and `level` (default `info`,
/// or the `LOG_LEVEL` environment variable). Does nothing if the process
/// already has a subscriber.
pub(crate) fn init_tracing(format_json: bool, level: &str) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_new(level).unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    let _ = if format_json {
        builder
            .json()
            .with_current_span(true)
            .with_span_list(true)
            .try_init()
    } else {
        builder.try_init()
    };
}
