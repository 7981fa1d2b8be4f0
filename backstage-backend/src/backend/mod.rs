//! [`Backend`]: assembling, starting and stopping a backend.

mod builder;
mod running;
mod settings;
mod start;

pub use builder::{Backend, BackendBuilder, BackendFeature};
pub use running::RunningBackend;
