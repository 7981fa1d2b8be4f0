//! Extension data: typed values that flow from an extension to its parent.

use std::any::Any;
use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;

/// A typed key for one kind of data an extension outputs or an input
/// accepts, e.g. [`core_data::ROUTE_PATH`] (a `String`).
///
/// The id names the data in error messages and must be unique across the
/// app; two refs with one id and different types are a programming error
/// that shows up as missing data.
pub struct ExtensionDataRef<T> {
    id: &'static str,
    optional: bool,
    _type: PhantomData<fn() -> T>,
}

impl<T> ExtensionDataRef<T> {
    /// A data ref with `id`, e.g. `core.routing.path`.
    pub const fn new(id: &'static str) -> Self {
        Self {
            id,
            optional: false,
            _type: PhantomData,
        }
    }

    /// The same ref, marked optional: an output that may be absent, or an
    /// input that does not require it.
    pub const fn optional(self) -> Self {
        Self {
            id: self.id,
            optional: true,
            _type: PhantomData,
        }
    }

    /// The id.
    pub const fn id(&self) -> &'static str {
        self.id
    }

    /// Whether the ref is marked optional.
    pub const fn is_optional(&self) -> bool {
        self.optional
    }

    /// The untyped description used in declarations.
    pub const fn spec(&self) -> DataSpec {
        DataSpec {
            id: self.id,
            optional: self.optional,
        }
    }
}

impl<T> Clone for ExtensionDataRef<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for ExtensionDataRef<T> {}

impl<T> fmt::Debug for ExtensionDataRef<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "ExtensionDataRef({}{})",
            self.id,
            if self.optional { "?" } else { "" }
        )
    }
}

/// A data ref without its type: what an input requires or an output
/// declares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DataSpec {
    /// The data ref id.
    pub id: &'static str,
    /// Whether the data may be absent.
    pub optional: bool,
}

/// The data values an extension produced, keyed by data ref.
#[derive(Clone, Default)]
pub struct ExtensionData {
    values: Vec<(&'static str, Arc<dyn Any + Send + Sync>)>,
}

impl ExtensionData {
    /// No values.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces) the value for `data_ref`.
    pub fn with<T: Send + Sync + 'static>(
        mut self,
        data_ref: ExtensionDataRef<T>,
        value: T,
    ) -> Self {
        self.set(data_ref, value);
        self
    }

    /// Sets the value for `data_ref`.
    pub fn set<T: Send + Sync + 'static>(&mut self, data_ref: ExtensionDataRef<T>, value: T) {
        self.values.retain(|(id, _)| *id != data_ref.id);
        self.values.push((data_ref.id, Arc::new(value)));
    }

    /// The value for `data_ref`, if present (and of the ref's type).
    pub fn get<T: Send + Sync + 'static>(&self, data_ref: ExtensionDataRef<T>) -> Option<&T> {
        self.values
            .iter()
            .find(|(id, _)| *id == data_ref.id)
            .and_then(|(_, v)| v.downcast_ref::<T>())
    }

    /// Whether a value with this data ref id is present.
    pub fn contains(&self, id: &str) -> bool {
        self.values.iter().any(|(i, _)| *i == id)
    }

    /// The ids of the values present.
    pub fn ids(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.values.iter().map(|(id, _)| *id)
    }
}

impl fmt::Debug for ExtensionData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.ids()).finish()
    }
}

/// The data refs of the frontend system itself.
pub mod core_data {
    use super::ExtensionDataRef;
    use crate::plugin_api::{ApiFactory, Component, NavItem, PageContent, RouteRef, Theme};

    /// The path a routable extension is mounted at, e.g. `/tech-radar`.
    pub const ROUTE_PATH: ExtensionDataRef<String> = ExtensionDataRef::new("core.routing.path");
    /// The route ref a routable extension is bound to.
    pub const ROUTE_REF: ExtensionDataRef<RouteRef> = ExtensionDataRef::new("core.routing.ref");
    /// A human-readable title.
    pub const TITLE: ExtensionDataRef<String> = ExtensionDataRef::new("core.title");
    /// What a page renders, and the scripts it needs.
    pub const PAGE: ExtensionDataRef<PageContent> = ExtensionDataRef::new("core.page");
    /// A component another extension places (a card, a tab...).
    pub const COMPONENT: ExtensionDataRef<Component> = ExtensionDataRef::new("core.component");
    /// An entry of the sidebar.
    pub const NAV_ITEM: ExtensionDataRef<NavItem> = ExtensionDataRef::new("core.nav.item");
    /// A utility-API factory.
    pub const API_FACTORY: ExtensionDataRef<ApiFactory> = ExtensionDataRef::new("core.api.factory");
    /// A theme.
    pub const THEME: ExtensionDataRef<Theme> = ExtensionDataRef::new("core.theme");
}
