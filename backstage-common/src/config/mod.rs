//! Configuration values: an immutable tree with typed, path-aware readers.
//!
//! A [`Config`] is what a plugin receives: the merged, validated configuration
//! of the app (loading it from `app-config.yaml` files is the job of
//! `backstage-core`). Readers take keys relative to the config they are
//! called on and report errors with the full key, the expected and the actual
//! type. Values carry a [`Visibility`]: [`Config::frontend_view`] keeps only
//! what the browser may see, and secret values never appear in `Debug`
//! output or error messages.

mod duration;
mod error;
mod key;
mod path;
mod reader;
mod visibility;

pub use duration::{DurationError, HumanDuration};
pub use error::ConfigError;
pub use key::ConfigKey;
pub use path::{ConfigPath, PathSegment};
pub use reader::{Config, SECRET_MASK};
pub use visibility::{UnknownVisibility, Visibility, VisibilityMap};
