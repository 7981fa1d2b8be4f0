//! Extension points: how modules contribute to their plugin.

use std::any::{Any, TypeId};
use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;

/// A typed, named reference to an extension point, e.g. `catalog.processing`.
///
/// A plugin (or a module) registers an implementation of `T`; the plugin's
/// other modules obtain it in their init and add to it; the plugin reads
/// what was added in its own init, which runs after all its modules.
///
/// ```
/// use backstage_backend::ExtensionPointRef;
/// use std::sync::Mutex;
///
/// /// Where modules add greetings.
/// #[derive(Default)]
/// pub struct Greetings(pub Mutex<Vec<String>>);
///
/// pub const GREETINGS: ExtensionPointRef<Greetings> = ExtensionPointRef::new("greeter.greetings");
/// ```
pub struct ExtensionPointRef<T: ?Sized> {
    id: &'static str,
    _type: PhantomData<fn() -> Box<T>>,
}

impl<T: ?Sized> ExtensionPointRef<T> {
    /// A ref with the given id; by convention `<pluginId>.<name>`.
    pub const fn new(id: &'static str) -> Self {
        Self {
            id,
            _type: PhantomData,
        }
    }

    /// The id.
    pub const fn id(&self) -> &'static str {
        self.id
    }
}

impl<T: ?Sized> Clone for ExtensionPointRef<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: ?Sized> Copy for ExtensionPointRef<T> {}

impl<T: ?Sized> fmt::Debug for ExtensionPointRef<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ExtensionPointRef({})", self.id)
    }
}

/// An implementation registered for an extension point.
#[derive(Clone)]
pub(crate) struct RegisteredExtensionPoint {
    pub(crate) id: &'static str,
    pub(crate) type_id: TypeId,
    pub(crate) type_name: &'static str,
    pub(crate) value: Arc<dyn Any + Send + Sync>,
}

impl RegisteredExtensionPoint {
    pub(crate) fn new<T: ?Sized + Send + Sync + 'static>(
        point: &ExtensionPointRef<T>,
        value: Arc<T>,
    ) -> Self {
        Self {
            id: point.id(),
            type_id: TypeId::of::<Arc<T>>(),
            type_name: std::any::type_name::<T>(),
            value: Arc::new(value),
        }
    }
}
