//! The health state behind `/.backstage/health/v1/readiness`.

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};

use crate::service::{ServiceFactory, ServiceRef};

const STARTING: u8 = 0;
const READY: u8 = 1;
const STOPPING: u8 = 2;

/// Whether the backend is starting, serving, or shutting down.
#[derive(Debug, Default)]
pub struct Health {
    state: AtomicU8,
}

/// The answer of a health check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HealthStatus {
    /// Whether the check passes.
    pub ok: bool,
    /// Why not, when it does not.
    pub message: Option<&'static str>,
}

impl Health {
    pub(crate) fn set_ready(&self) {
        let _ = self
            .state
            .compare_exchange(STARTING, READY, Ordering::SeqCst, Ordering::SeqCst);
    }

    pub(crate) fn set_stopping(&self) {
        self.state.store(STOPPING, Ordering::SeqCst);
    }

    /// Readiness: passes once every plugin has started, until shutdown begins.
    pub fn readiness(&self) -> HealthStatus {
        match self.state.load(Ordering::SeqCst) {
            READY => HealthStatus {
                ok: true,
                message: None,
            },
            STARTING => HealthStatus {
                ok: false,
                message: Some("Backend has not started yet"),
            },
            _ => HealthStatus {
                ok: false,
                message: Some("Backend is shutting down"),
            },
        }
    }

    /// Liveness: passes while the process serves requests.
    pub fn liveness(&self) -> HealthStatus {
        HealthStatus {
            ok: true,
            message: None,
        }
    }
}

/// The root health state (`core.rootHealth`).
pub const ROOT_HEALTH: ServiceRef<Health> =
    ServiceRef::root("core.rootHealth").with_default(|| {
        ServiceFactory::new(&ROOT_HEALTH, |_| async { Ok(Arc::new(Health::default())) })
    });
