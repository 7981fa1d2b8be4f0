//! The lifecycle service: startup and shutdown hooks, run in order, each with
//! a timeout.

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::future::BoxFuture;

use crate::error::BoxError;
use crate::service::{ServiceFactory, ServiceRef};
use crate::sync::lock;

type Hook = Box<dyn FnOnce() -> BoxFuture<'static, Result<(), BoxError>> + Send>;

/// Startup and shutdown hooks of a plugin (or of the whole backend, for the
/// root lifecycle).
///
/// Startup hooks run after the plugin's init (root: after every plugin
/// started); shutdown hooks run when the backend stops, after the HTTP server
/// stopped accepting requests. Hooks run one after the other, in the order
/// they were added; each gets the lifecycle's timeout (default 10 s); a
/// failing or slow hook is logged and the next one runs. A startup hook added
/// after startup (from a service created late, say) runs at once.
#[derive(Default)]
pub struct Lifecycle {
    startup: Mutex<Startup>,
    shutdown: Mutex<Vec<(String, Hook)>>,
}

#[derive(Default)]
struct Startup {
    hooks: Vec<(String, Hook)>,
    done: bool,
}

impl std::fmt::Debug for Lifecycle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lifecycle").finish_non_exhaustive()
    }
}

fn boxed<F, Fut>(hook: F) -> Hook
where
    F: FnOnce() -> Fut + Send + 'static,
    Fut: Future<Output = Result<(), BoxError>> + Send + 'static,
{
    Box::new(move || Box::pin(hook()))
}

impl Lifecycle {
    /// Adds a hook that runs once the plugin (or backend) has started.
    pub fn add_startup_hook<F, Fut>(&self, name: impl Into<String>, hook: F)
    where
        F: FnOnce() -> Fut + Send + 'static,
        Fut: Future<Output = Result<(), BoxError>> + Send + 'static,
    {
        let mut startup = lock(&self.startup);
        if !startup.done {
            startup.hooks.push((name.into(), boxed(hook)));
            return;
        }
        drop(startup);
        let name = name.into();
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                runtime.spawn(async move {
                    if let Err(e) = hook().await {
                        tracing::error!("startup hook '{name}' (added after startup) failed: {e}");
                    }
                });
            }
            Err(_) => tracing::error!(
                "startup hook '{name}' was added after startup outside the async runtime and cannot run"
            ),
        }
    }

    /// Adds a hook that runs when the backend shuts down.
    pub fn add_shutdown_hook<F, Fut>(&self, name: impl Into<String>, hook: F)
    where
        F: FnOnce() -> Fut + Send + 'static,
        Fut: Future<Output = Result<(), BoxError>> + Send + 'static,
    {
        lock(&self.shutdown).push((name.into(), boxed(hook)));
    }

    pub(crate) async fn run_startup(&self, owner: &str, timeout: Duration) -> Result<(), String> {
        let hooks = {
            let mut startup = lock(&self.startup);
            startup.done = true;
            std::mem::take(&mut startup.hooks)
        };
        for (name, hook) in hooks {
            run_hook(owner, "startup", &name, hook, timeout).await?;
        }
        Ok(())
    }

    pub(crate) async fn run_shutdown(&self, owner: &str, timeout: Duration) {
        let hooks = std::mem::take(&mut *lock(&self.shutdown));
        for (name, hook) in hooks {
            if let Err(message) = run_hook(owner, "shutdown", &name, hook, timeout).await {
                tracing::error!("{message}");
            }
        }
    }
}

async fn run_hook(
    owner: &str,
    kind: &str,
    name: &str,
    hook: Hook,
    timeout: Duration,
) -> Result<(), String> {
    match tokio::time::timeout(timeout, hook()).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(format!("{kind} hook '{name}' of {owner} failed: {e}")),
        Err(_) => Err(format!(
            "{kind} hook '{name}' of {owner} did not finish within {timeout:?} (backend.lifecycle.hookTimeout)"
        )),
    }
}

/// The backend's lifecycle (`core.rootLifecycle`).
pub const ROOT_LIFECYCLE: ServiceRef<Lifecycle> = ServiceRef::root("core.rootLifecycle")
    .with_default(|| {
        ServiceFactory::new(&ROOT_LIFECYCLE, |_| async {
            Ok(Arc::new(Lifecycle::default()))
        })
    });

/// A plugin's lifecycle (`core.lifecycle`).
pub const LIFECYCLE: ServiceRef<Lifecycle> =
    ServiceRef::plugin("core.lifecycle").with_default(|| {
        ServiceFactory::new(&LIFECYCLE, |_| async { Ok(Arc::new(Lifecycle::default())) })
    });
