//! [`ServiceFactory`]: how a service instance is made.

use std::any::{Any, TypeId};
use std::future::Future;
use std::sync::Arc;

use futures_util::future::BoxFuture;

use super::context::ServiceContext;
use super::service_ref::ServiceRef;
use crate::error::BoxError;

/// A type-erased service instance: an `Arc<T>` inside an `Any`.
pub(crate) type AnyService = Arc<dyn Any + Send + Sync>;

type CreateFn =
    dyn Fn(ServiceContext) -> BoxFuture<'static, Result<AnyService, BoxError>> + Send + Sync;

/// Makes instances of one service: once for a root service, once per plugin
/// for a plugin-scoped one.
///
/// The factory receives a [`ServiceContext`] to obtain the services it depends
/// on (and, for plugin-scoped services, the plugin id). State shared by all
/// plugins' instances — a connection manager, say — is captured by the
/// closure.
#[derive(Clone)]
pub struct ServiceFactory {
    pub(crate) id: &'static str,
    pub(crate) type_id: TypeId,
    pub(crate) type_name: &'static str,
    pub(crate) create: Arc<CreateFn>,
}

impl std::fmt::Debug for ServiceFactory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ServiceFactory({}: {})", self.id, self.type_name)
    }
}

impl ServiceFactory {
    /// A factory for `service` that runs `create`.
    pub fn new<T, F, Fut>(service: &ServiceRef<T>, create: F) -> Self
    where
        T: ?Sized + Send + Sync + 'static,
        F: Fn(ServiceContext) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Arc<T>, BoxError>> + Send + 'static,
    {
        let create = Arc::new(create);
        Self {
            id: service.id(),
            type_id: TypeId::of::<Arc<T>>(),
            type_name: std::any::type_name::<T>(),
            create: Arc::new(move |ctx| {
                let fut = create(ctx);
                Box::pin(async move { fut.await.map(|s| Arc::new(s) as AnyService) })
            }),
        }
    }

    /// A factory that hands out one given instance (to every plugin, for a
    /// plugin-scoped service).
    pub fn instance<T>(service: &ServiceRef<T>, instance: Arc<T>) -> Self
    where
        T: ?Sized + Send + Sync + 'static,
    {
        Self::new(service, move |_| {
            let instance = Arc::clone(&instance);
            async move { Ok(instance) }
        })
    }

    /// The id of the service this factory makes.
    pub fn service_id(&self) -> &'static str {
        self.id
    }
}
