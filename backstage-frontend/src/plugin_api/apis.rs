//! Utility APIs: typed services a page uses, looked up by [`ApiRef`].

use std::any::Any;
use std::collections::HashMap;
use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;

/// A typed reference to a utility API, e.g. the catalog client or
/// [`FETCH_API`](crate::apis::FETCH_API). `T` is usually a trait object
/// (`dyn CatalogApi`), so an app can swap the implementation.
///
/// ```
/// use backstage_frontend::ApiRef;
/// trait Greeter: Send + Sync { fn greet(&self) -> String; }
/// const GREETER_API: ApiRef<dyn Greeter> = ApiRef::new("plugin.greeter");
/// assert_eq!(GREETER_API.id(), "plugin.greeter");
/// ```
pub struct ApiRef<T: ?Sized> {
    id: &'static str,
    _type: PhantomData<fn() -> Arc<T>>,
}

impl<T: ?Sized> ApiRef<T> {
    /// An API ref with a unique id, conventionally `<pluginId>.<name>` or
    /// `core.<name>`.
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

impl<T: ?Sized> Clone for ApiRef<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T: ?Sized> Copy for ApiRef<T> {}

impl<T: ?Sized> fmt::Debug for ApiRef<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ApiRef({})", self.id)
    }
}

type CreateFn =
    dyn Fn(&ApiHolder) -> Result<Box<dyn Any + Send + Sync>, String> + Send + Sync + 'static;

/// How to build one utility API from the APIs it depends on.
#[derive(Clone)]
pub struct ApiFactory {
    api_id: &'static str,
    deps: Vec<&'static str>,
    create: Arc<CreateFn>,
}

impl ApiFactory {
    /// A factory for `api` that may read the APIs listed in `deps` (and only
    /// those) from the holder it is given.
    pub fn new<T, F>(api: ApiRef<T>, deps: &[&'static str], create: F) -> Self
    where
        T: ?Sized + Send + Sync + 'static,
        F: Fn(&ApiHolder) -> Result<Arc<T>, String> + Send + Sync + 'static,
    {
        Self {
            api_id: api.id(),
            deps: deps.to_vec(),
            create: Arc::new(move |apis| {
                create(apis).map(|api| Box::new(api) as Box<dyn Any + Send + Sync>)
            }),
        }
    }

    /// A factory that hands out an existing instance.
    pub fn instance<T: ?Sized + Send + Sync + 'static>(api: ApiRef<T>, value: Arc<T>) -> Self {
        Self::new(api, &[], move |_| Ok(value.clone()))
    }

    /// The id of the API it builds.
    pub fn api_id(&self) -> &'static str {
        self.api_id
    }

    /// The ids of the APIs it needs.
    pub fn deps(&self) -> &[&'static str] {
        &self.deps
    }

    pub(crate) fn create(&self, apis: &ApiHolder) -> Result<Box<dyn Any + Send + Sync>, String> {
        (self.create)(apis)
    }
}

impl fmt::Debug for ApiFactory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiFactory")
            .field("api", &self.api_id)
            .field("deps", &self.deps)
            .finish()
    }
}

/// The utility APIs of an app, by id.
#[derive(Default)]
pub struct ApiHolder {
    apis: HashMap<&'static str, Box<dyn Any + Send + Sync>>,
}

impl ApiHolder {
    /// An empty holder.
    pub fn new() -> Self {
        Self::default()
    }

    pub(crate) fn insert(&mut self, id: &'static str, api: Box<dyn Any + Send + Sync>) {
        self.apis.insert(id, api);
    }

    /// The API behind `api`, if the app has it.
    pub fn get<T: ?Sized + Send + Sync + 'static>(&self, api: ApiRef<T>) -> Option<Arc<T>> {
        self.apis
            .get(api.id())
            .and_then(|b| b.downcast_ref::<Arc<T>>())
            .cloned()
    }

    /// The API behind `api`, or an error that names it.
    pub fn require<T: ?Sized + Send + Sync + 'static>(
        &self,
        api: ApiRef<T>,
    ) -> Result<Arc<T>, MissingApi> {
        self.get(api).ok_or(MissingApi(api.id()))
    }

    /// The ids of the APIs present, sorted.
    pub fn ids(&self) -> Vec<&'static str> {
        let mut ids: Vec<_> = self.apis.keys().copied().collect();
        ids.sort_unstable();
        ids
    }
}

impl fmt::Debug for ApiHolder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.ids()).finish()
    }
}

/// A utility API was requested that the app does not have.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "utility API '{0}' is not available; add the plugin that provides it, or an API extension for it, to the app"
)]
pub struct MissingApi(pub &'static str);
