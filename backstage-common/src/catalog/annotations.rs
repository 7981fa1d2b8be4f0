//! Well-known annotation keys.
//!
//! ```
//! use backstage_common::catalog::annotations;
//!
//! assert_eq!(annotations::MANAGED_BY_LOCATION, "backstage.io/managed-by-location");
//! ```

/// The location ref (`url:...`, `file:...`) of the file the entity was read
/// from. The catalog sets it on every entity it reads from a location.
pub const MANAGED_BY_LOCATION: &str = "backstage.io/managed-by-location";

/// The location ref of the location that was registered (the root of the
/// chain of locations that led to this entity).
pub const MANAGED_BY_ORIGIN_LOCATION: &str = "backstage.io/managed-by-origin-location";

/// `url:<dir>/` of the source tree the entity belongs to.
pub const SOURCE_LOCATION: &str = "backstage.io/source-location";

/// An address where the entity's descriptor file can be viewed.
pub const VIEW_URL: &str = "backstage.io/view-url";

/// An address where the entity's descriptor file can be edited.
pub const EDIT_URL: &str = "backstage.io/edit-url";

/// `"true"` when nothing references the entity any more (set by the catalog).
pub const ORPHAN: &str = "backstage.io/orphan";

/// Where the entity's TechDocs sources are (`dir:.` or `url:...`).
pub const TECHDOCS_REF: &str = "backstage.io/techdocs-ref";

/// The address of the Kubernetes API server for the entity.
pub const KUBERNETES_API_SERVER: &str = "kubernetes.io/api-server";

/// The certificate authority of that Kubernetes API server.
pub const KUBERNETES_API_SERVER_CA: &str = "kubernetes.io/api-server-certificate-authority";

/// The auth provider to use for that Kubernetes API server.
pub const KUBERNETES_AUTH_PROVIDER: &str = "kubernetes.io/auth-provider";

/// What the catalog puts in place of a `view-url` or `edit-url` that uses
/// the `javascript:` scheme.
pub const REJECTED_URL_REPLACEMENT: &str =
    "https://backstage.io/annotation-rejected-for-security-reasons";
