//! Authentication: service tokens between plugins, static tokens for outside
//! callers, and the default-deny policy every plugin route passes through.

mod authority;
mod credentials;
mod service;

pub use authority::{SERVICE_TOKEN_TTL, TOKEN_AUTHORITY, TokenAuthority};
pub use credentials::{AuthError, Credentials, Principal};
pub use service::{AUTH, AuthService, DefaultAuthService};
