//! The services of one backend: factories and the instances made from them.

use std::any::TypeId;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::OnceCell;

use super::context::ServiceContext;
use super::factory::{AnyService, ServiceFactory};
use super::service_ref::{ServiceRef, ServiceScope};
use crate::error::BackendError;
use crate::sync::lock;

type InstanceKey = (Option<Arc<str>>, &'static str);

/// Factories by service id, and the instances made so far.
pub(crate) struct ServiceRegistry {
    factories: HashMap<&'static str, ServiceFactory>,
    defaults: Mutex<HashMap<&'static str, ServiceFactory>>,
    instances: Mutex<HashMap<InstanceKey, Arc<OnceCell<AnyService>>>>,
    types: Mutex<HashMap<&'static str, (TypeId, &'static str)>>,
}

impl ServiceRegistry {
    /// A registry with the integrator's factories. Two factories for one id
    /// are refused.
    pub(crate) fn new(factories: Vec<ServiceFactory>) -> Result<Self, BackendError> {
        let mut by_id: HashMap<&'static str, ServiceFactory> = HashMap::new();
        for factory in factories {
            if let Some(existing) = by_id.get(factory.id) {
                return Err(if existing.type_id == factory.type_id {
                    BackendError::DuplicateService {
                        id: factory.id.to_owned(),
                        first: existing.type_name,
                        second: factory.type_name,
                    }
                } else {
                    BackendError::TypeMismatch {
                        id: factory.id.to_owned(),
                        first: existing.type_name,
                        second: factory.type_name,
                    }
                });
            }
            by_id.insert(factory.id, factory);
        }
        Ok(Self {
            factories: by_id,
            defaults: Mutex::new(HashMap::new()),
            instances: Mutex::new(HashMap::new()),
            types: Mutex::new(HashMap::new()),
        })
    }

    fn factory_for<T: ?Sized>(
        &self,
        service: &ServiceRef<T>,
        needed_by: &str,
    ) -> Result<ServiceFactory, BackendError> {
        if let Some(f) = self.factories.get(service.id()) {
            return Ok(f.clone());
        }
        let mut defaults = lock(&self.defaults);
        if let Some(f) = defaults.get(service.id()) {
            return Ok(f.clone());
        }
        let factory = service
            .default_factory()
            .ok_or_else(|| BackendError::MissingService {
                id: service.id().to_owned(),
                needed_by: needed_by.to_owned(),
            })?;
        defaults.insert(service.id(), factory.clone());
        Ok(factory)
    }

    fn check_type(
        &self,
        id: &'static str,
        type_id: TypeId,
        type_name: &'static str,
    ) -> Result<(), BackendError> {
        let mut types = lock(&self.types);
        match types.get(id) {
            Some((seen, seen_name)) if *seen != type_id => Err(BackendError::TypeMismatch {
                id: id.to_owned(),
                first: seen_name,
                second: type_name,
            }),
            Some(_) => Ok(()),
            None => {
                types.insert(id, (type_id, type_name));
                Ok(())
            }
        }
    }

    /// The instance of `service` for the context's plugin (or the root),
    /// created on first use.
    pub(crate) async fn get<T>(
        self: &Arc<Self>,
        ctx: &ServiceContext,
        service: &ServiceRef<T>,
    ) -> Result<Arc<T>, BackendError>
    where
        T: ?Sized + Send + Sync + 'static,
    {
        let id = service.id();
        let type_name = std::any::type_name::<T>();
        self.check_type(id, TypeId::of::<Arc<T>>(), type_name)?;
        let factory = self.factory_for(service, &ctx.describe())?;
        if factory.type_id != TypeId::of::<Arc<T>>() {
            return Err(BackendError::TypeMismatch {
                id: id.to_owned(),
                first: factory.type_name,
                second: type_name,
            });
        }
        let plugin = match service.scope() {
            ServiceScope::Root => None,
            ServiceScope::Plugin => match ctx.plugin.clone() {
                Some(p) => Some(p),
                None => {
                    return Err(BackendError::ScopeViolation {
                        root: ctx
                            .chain
                            .last()
                            .copied()
                            .unwrap_or("the backend")
                            .to_owned(),
                        plugin_scoped: id.to_owned(),
                    });
                }
            },
        };
        if ctx.chain.contains(&id) {
            let mut chain: Vec<&str> = ctx.chain.to_vec();
            chain.push(id);
            return Err(BackendError::CircularDependency(chain.join(" -> ")));
        }
        let cell = {
            let mut instances = lock(&self.instances);
            Arc::clone(instances.entry((plugin.clone(), id)).or_default())
        };
        let child = ctx.child(id, plugin.clone());
        let target = plugin
            .as_ref()
            .map_or_else(|| "the root".to_owned(), |p| format!("plugin '{p}'"));
        let any = cell
            .get_or_try_init(|| async {
                (factory.create)(child)
                    .await
                    .map_err(|source| BackendError::ServiceFailed {
                        id: id.to_owned(),
                        target,
                        source,
                    })
            })
            .await?;
        any.downcast_ref::<Arc<T>>()
            .cloned()
            .ok_or_else(|| BackendError::TypeMismatch {
                id: id.to_owned(),
                first: factory.type_name,
                second: type_name,
            })
    }
}
