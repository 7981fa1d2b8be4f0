//! [`RunningBackend`]: a started backend, and how it stops.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::http::PluginSlots;
use crate::services::{Health, Lifecycle};

/// A started backend.
pub struct RunningBackend {
    pub(crate) address: SocketAddr,
    pub(crate) health: Arc<Health>,
    pub(crate) slots: Arc<PluginSlots>,
    pub(crate) shutdown: watch::Sender<bool>,
    pub(crate) server: JoinHandle<std::io::Result<()>>,
    pub(crate) plugin_lifecycles: Vec<(String, Arc<Lifecycle>)>,
    pub(crate) root_lifecycle: Arc<Lifecycle>,
    pub(crate) shutdown_timeout: Duration,
    pub(crate) hook_timeout: Duration,
}

impl std::fmt::Debug for RunningBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunningBackend")
            .field("address", &self.address)
            .finish_non_exhaustive()
    }
}

impl RunningBackend {
    /// The address the server is bound to (with the real port when
    /// `backend.listen.port` was 0).
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// `http://<address>`, with `127.0.0.1` for an unspecified host.
    pub fn url(&self) -> String {
        if self.address.ip().is_unspecified() {
            format!("http://127.0.0.1:{}", self.address.port())
        } else {
            format!("http://{}", self.address)
        }
    }

    /// Waits for SIGINT (Ctrl-C) or SIGTERM.
    pub async fn wait_for_shutdown_signal(&self) {
        let ctrl_c = tokio::signal::ctrl_c();
        #[cfg(unix)]
        {
            let mut term =
                match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                    Ok(term) => term,
                    Err(e) => {
                        tracing::warn!("cannot listen for SIGTERM ({e}); stopping on Ctrl-C only");
                        let _ = ctrl_c.await;
                        return;
                    }
                };
            tokio::select! {
                _ = ctrl_c => {}
                _ = term.recv() => {}
            }
        }
        #[cfg(not(unix))]
        {
            let _ = ctrl_c.await;
        }
    }

    /// Shuts down gracefully: readiness turns 503, new plugin requests are
    /// refused, in-flight requests finish (up to
    /// `backend.lifecycle.shutdownTimeout`), then the plugins' and the root's
    /// shutdown hooks run.
    pub async fn stop(self) {
        tracing::info!("backend shutting down");
        self.health.set_stopping();
        self.slots.stop_all();
        let _ = self.shutdown.send(true);
        let mut server = self.server;
        match tokio::time::timeout(self.shutdown_timeout, &mut server).await {
            Ok(Ok(Ok(()))) => {}
            Ok(Ok(Err(e))) => tracing::error!("HTTP server error during shutdown: {e}"),
            Ok(Err(e)) => tracing::error!("HTTP server task failed: {e}"),
            Err(_) => {
                tracing::warn!(
                    "in-flight requests did not finish within {:?} (backend.lifecycle.shutdownTimeout); closing them",
                    self.shutdown_timeout
                );
                server.abort();
            }
        }
        for (plugin, lifecycle) in &self.plugin_lifecycles {
            lifecycle
                .run_shutdown(&format!("plugin '{plugin}'"), self.hook_timeout)
                .await;
        }
        self.root_lifecycle
            .run_shutdown("the backend", self.hook_timeout)
            .await;
        tracing::info!("backend stopped");
    }
}
