//! Services: typed refs with a scope, factories, and lazy instances.
//!
//! A plugin never constructs the services it uses: it asks for them by
//! [`ServiceRef`], and the backend makes one instance per process (root scope)
//! or per plugin (plugin scope) with the factory the integrator installed or,
//! failing that, the ref's default factory. Refs are identified by a string
//! id as well as their Rust type, so that two copies of a library linked into
//! one binary are detected instead of silently splitting a service.

mod context;
mod factory;
mod registry;
mod service_ref;

pub use context::ServiceContext;
pub use factory::ServiceFactory;
pub(crate) use registry::ServiceRegistry;
pub use service_ref::{ServiceRef, ServiceScope};
