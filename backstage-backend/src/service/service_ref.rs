//! [`ServiceRef`]: a typed, named handle for a service.

use std::fmt;
use std::marker::PhantomData;

use super::factory::ServiceFactory;

/// How many instances of a service a backend has.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ServiceScope {
    /// One per backend process, shared by all plugins (config, root logger...).
    Root,
    /// One per plugin, created lazily when the plugin first asks for it
    /// (database, cache, logger...).
    Plugin,
}

/// A reference to a service of type `T`, by id.
///
/// The id (e.g. `core.database`) names the service across crates; the type
/// parameter is what a plugin receives (`Arc<T>`, usually `T = dyn Trait`).
/// A ref may carry a default factory, used when the app installs none.
///
/// ```
/// use backstage_backend::service::{ServiceFactory, ServiceRef};
/// use std::sync::Arc;
///
/// /// Greets people.
/// pub trait Greeter: Send + Sync {
///     fn greet(&self, name: &str) -> String;
/// }
///
/// struct English;
/// impl Greeter for English {
///     fn greet(&self, name: &str) -> String { format!("Hello, {name}!") }
/// }
///
/// pub const GREETER: ServiceRef<dyn Greeter> = ServiceRef::plugin("example.greeter")
///     .with_default(|| ServiceFactory::new(&GREETER, |_ctx| async { Ok(Arc::new(English) as Arc<dyn Greeter>) }));
/// ```
pub struct ServiceRef<T: ?Sized> {
    id: &'static str,
    scope: ServiceScope,
    default_factory: Option<fn() -> ServiceFactory>,
    _type: PhantomData<fn() -> Box<T>>,
}

impl<T: ?Sized> ServiceRef<T> {
    /// A root-scoped service ref.
    pub const fn root(id: &'static str) -> Self {
        Self {
            id,
            scope: ServiceScope::Root,
            default_factory: None,
            _type: PhantomData,
        }
    }

    /// A plugin-scoped service ref.
    pub const fn plugin(id: &'static str) -> Self {
        Self {
            id,
            scope: ServiceScope::Plugin,
            default_factory: None,
            _type: PhantomData,
        }
    }

    /// This ref with a default factory.
    pub const fn with_default(mut self, factory: fn() -> ServiceFactory) -> Self {
        self.default_factory = Some(factory);
        self
    }

    /// The id.
    pub const fn id(&self) -> &'static str {
        self.id
    }

    /// The scope.
    pub const fn scope(&self) -> ServiceScope {
        self.scope
    }

    /// The default factory, if any.
    pub fn default_factory(&self) -> Option<ServiceFactory> {
        self.default_factory.map(|f| f())
    }
}

impl<T: ?Sized> Clone for ServiceRef<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: ?Sized> Copy for ServiceRef<T> {}

impl<T: ?Sized> fmt::Debug for ServiceRef<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ServiceRef({}, {:?})", self.id, self.scope)
    }
}
