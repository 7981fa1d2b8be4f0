//! Route refs: links between plugins without hard-coded paths.

use std::fmt;

/// A reference to a page (or other routable extension) of a plugin.
///
/// A plugin declares its route refs in [`FrontendPlugin::route`](crate::FrontendPlugin::route)
/// and binds a page to one; other code builds links with
/// [`RouteResolver::href`](crate::app::RouteResolver::href), so the path can
/// change in config (`/catalog` → `/services`) without breaking links.
///
/// ```
/// use backstage_frontend::RouteRef;
/// const ENTITY: RouteRef = RouteRef::new("catalog.entity").with_params(&["namespace", "kind", "name"]);
/// assert_eq!(ENTITY.params(), ["namespace", "kind", "name"]);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct RouteRef {
    id: &'static str,
    params: &'static [&'static str],
}

impl RouteRef {
    /// A route ref with a unique id, conventionally `<pluginId>.<name>`.
    pub const fn new(id: &'static str) -> Self {
        Self { id, params: &[] }
    }

    /// The same ref with path parameters the bound path must provide.
    pub const fn with_params(self, params: &'static [&'static str]) -> Self {
        Self {
            id: self.id,
            params,
        }
    }

    /// The id.
    pub const fn id(&self) -> &'static str {
        self.id
    }

    /// The parameter names.
    pub const fn params(&self) -> &'static [&'static str] {
        self.params
    }
}

impl fmt::Debug for RouteRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RouteRef({})", self.id)
    }
}

/// A link target a plugin needs but does not own — "the page where an
/// entity's docs live" — bound by the app to another plugin's [`RouteRef`]
/// in code or with `app.routes.bindings` in config.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ExternalRouteRef {
    id: &'static str,
    params: &'static [&'static str],
    optional: bool,
    default_target: Option<&'static str>,
}

impl ExternalRouteRef {
    /// An external route ref with a unique id, conventionally
    /// `<pluginId>.<name>`.
    pub const fn new(id: &'static str) -> Self {
        Self {
            id,
            params: &[],
            optional: false,
            default_target: None,
        }
    }

    /// The same ref with path parameters.
    pub const fn with_params(self, params: &'static [&'static str]) -> Self {
        Self { params, ..self }
    }

    /// Marks the ref optional: the app starts without a binding, and links
    /// to it are simply not shown. A required ref without a binding is a
    /// startup error.
    pub const fn optional(self) -> Self {
        Self {
            optional: true,
            ..self
        }
    }

    /// The route to use when the app binds none, as `<pluginId>.<routeName>`;
    /// it applies only when that plugin is installed.
    pub const fn default_target(self, target: &'static str) -> Self {
        Self {
            default_target: Some(target),
            ..self
        }
    }

    /// The id.
    pub const fn id(&self) -> &'static str {
        self.id
    }

    /// The parameter names.
    pub const fn params(&self) -> &'static [&'static str] {
        self.params
    }

    /// Whether the app may leave it unbound.
    pub const fn is_optional(&self) -> bool {
        self.optional
    }

    /// The default target, `<pluginId>.<routeName>`.
    pub const fn default_target_name(&self) -> Option<&'static str> {
        self.default_target
    }
}

impl fmt::Debug for ExternalRouteRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ExternalRouteRef({})", self.id)
    }
}
