//! What pages and components are: async functions from a request to HTML.

use std::collections::BTreeMap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use maud::Markup;

use super::apis::{ApiHolder, ApiRef};
use super::id::ExtensionId;
use super::routing::RouteRef;
use crate::app::RouteResolver;

/// A boxed, `Send` future, as page and component functions return.
pub type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

type RenderFn = dyn Fn(PageRequest) -> BoxFuture<Result<Markup, PageError>> + Send + Sync;
type ComponentFn = dyn Fn(ComponentRequest) -> BoxFuture<Result<Markup, PageError>> + Send + Sync;

/// The content of a page: its render function, the components other
/// extensions attached to its inputs, and the plugin assets it loads.
#[derive(Clone)]
pub struct PageContent {
    render: Arc<RenderFn>,
    components: Arc<BTreeMap<String, Vec<Component>>>,
    scripts: Vec<String>,
    stylesheets: Vec<String>,
    form_posts: bool,
}

impl PageContent {
    /// Content rendered by `render`, an `async fn(PageRequest) -> Result<Markup, PageError>`.
    pub fn new<F, Fut>(render: F) -> Self
    where
        F: Fn(PageRequest) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Markup, PageError>> + Send + 'static,
    {
        Self {
            render: Arc::new(move |req| Box::pin(render(req))),
            components: Arc::default(),
            scripts: Vec::new(),
            stylesheets: Vec::new(),
            form_posts: false,
        }
    }

    /// Lets the page receive `POST`s of plain HTML forms
    /// (`application/x-www-form-urlencoded`, at most
    /// [`MAX_FORM_BYTES`](crate::app::MAX_FORM_BYTES)) from pages of the
    /// same site; read them with [`PageRequest::form`]. Posts from other
    /// sites are refused with 403 (the `Origin` and `Sec-Fetch-Site`
    /// headers are checked), so a page may act on them. Other pages answer
    /// `POST` with 405.
    pub fn accept_form_posts(mut self) -> Self {
        self.form_posts = true;
        self
    }

    /// Whether the page receives form posts.
    pub fn accepts_form_posts(&self) -> bool {
        self.form_posts
    }

    /// Adds the components attached to one input of the page's extension.
    pub fn with_components(mut self, input: &str, components: Vec<Component>) -> Self {
        Arc::make_mut(&mut self.components).insert(input.to_owned(), components);
        self
    }

    /// Loads a script asset of the page's plugin (by its logical name, e.g.
    /// `radar.js`) on this page.
    pub fn with_script(mut self, asset: impl Into<String>) -> Self {
        self.scripts.push(asset.into());
        self
    }

    /// Loads a stylesheet asset of the page's plugin on this page.
    pub fn with_stylesheet(mut self, asset: impl Into<String>) -> Self {
        self.stylesheets.push(asset.into());
        self
    }

    /// The script assets, by logical name.
    pub fn scripts(&self) -> &[String] {
        &self.scripts
    }

    /// The stylesheet assets, by logical name.
    pub fn stylesheets(&self) -> &[String] {
        &self.stylesheets
    }

    pub(crate) fn components(&self) -> Arc<BTreeMap<String, Vec<Component>>> {
        self.components.clone()
    }

    pub(crate) fn render(&self, request: PageRequest) -> BoxFuture<Result<Markup, PageError>> {
        (self.render)(request)
    }
}

impl fmt::Debug for PageContent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PageContent")
            .field("components", &self.components.keys().collect::<Vec<_>>())
            .field("scripts", &self.scripts)
            .finish_non_exhaustive()
    }
}

/// The signed-in user, once sign-in exists. Pages receive `None` for now;
/// the fetch API already takes it into account.
#[derive(Clone)]
pub struct UserIdentity {
    /// The user's entity ref, e.g. `user:default/jane`.
    pub user_entity_ref: String,
    /// The user's backend token, sent instead of the app's credential.
    pub token: Option<String>,
}

impl fmt::Debug for UserIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UserIdentity")
            .field("user_entity_ref", &self.user_entity_ref)
            .field("token", &self.token.as_ref().map(|_| "<secret>"))
            .finish()
    }
}

/// Everything a page function gets: the request, the app's utility APIs,
/// its route resolver and the components attached to the page.
///
/// Cloning is cheap. Fetch data concurrently before rendering, e.g. with
/// `tokio::join!` or [`futures_util::future::try_join_all`].
#[derive(Clone)]
pub struct PageRequest {
    pub(crate) path: String,
    pub(crate) params: BTreeMap<String, String>,
    pub(crate) query: Vec<(String, String)>,
    pub(crate) plugin_id: Arc<str>,
    pub(crate) apis: Arc<ApiHolder>,
    pub(crate) routes: Arc<RouteResolver>,
    pub(crate) components: Arc<BTreeMap<String, Vec<Component>>>,
    pub(crate) identity: Option<UserIdentity>,
    pub(crate) form: Option<Vec<(String, String)>>,
}

impl PageRequest {
    /// The request path, e.g. `/catalog/default/component/web`.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// A path parameter of the page's route, percent-decoded.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params.get(name).map(String::as_str)
    }

    /// The first value of a query parameter, percent-decoded.
    pub fn query(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// All query parameters in order.
    pub fn query_pairs(&self) -> &[(String, String)] {
        &self.query
    }

    /// Whether the request is a form post (see
    /// [`PageContent::accept_form_posts`]).
    pub fn is_form_post(&self) -> bool {
        self.form.is_some()
    }

    /// The first value of a field of the posted form, percent-decoded;
    /// `None` for a `GET`.
    pub fn form(&self, name: &str) -> Option<&str> {
        self.form
            .as_ref()?
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every field of the posted form, in order (empty for a `GET`).
    pub fn form_pairs(&self) -> &[(String, String)] {
        self.form.as_deref().unwrap_or(&[])
    }

    /// The id of the plugin that owns the page.
    pub fn plugin_id(&self) -> &str {
        &self.plugin_id
    }

    /// The app's utility APIs.
    pub fn apis(&self) -> &ApiHolder {
        &self.apis
    }

    /// One utility API; a missing one is an internal error of the page.
    pub fn api<T: ?Sized + Send + Sync + 'static>(
        &self,
        api: ApiRef<T>,
    ) -> Result<Arc<T>, PageError> {
        self.apis.require(api).map_err(PageError::internal)
    }

    /// Builds links to other pages through route refs.
    pub fn routes(&self) -> &RouteResolver {
        &self.routes
    }

    /// Shortcut for `routes().href(route, params)`.
    pub fn href(&self, route: RouteRef, params: &[(&str, &str)]) -> Option<String> {
        self.routes.href(route, params)
    }

    /// The signed-in user (always `None` until sign-in exists).
    pub fn identity(&self) -> Option<&UserIdentity> {
        self.identity.as_ref()
    }

    /// The components other extensions attached to `input` of this page.
    pub fn components(&self, input: &str) -> &[Component] {
        self.components.get(input).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Renders every component attached to `input`, concurrently, with the
    /// same `props`. A component that fails is logged and shown as an error
    /// state that says nothing about the cause; the page still renders.
    pub async fn render_components(&self, input: &str, props: serde_json::Value) -> Vec<Markup> {
        let futures = self.components(input).iter().map(|component| {
            let request = ComponentRequest {
                page: self.clone(),
                props: props.clone(),
            };
            let id = component.id.clone();
            let fut = component.render(request);
            async move {
                match fut.await {
                    Ok(markup) => markup,
                    Err(err) => {
                        tracing::error!(extension = %id, error = %err.internal_detail(), "component failed to render");
                        crate::components::error_state(
                            "This part of the page could not be shown",
                            err.public_message().unwrap_or("Please try again later."),
                        )
                    }
                }
            }
        });
        futures_util::future::join_all(futures).await
    }
}

impl fmt::Debug for PageRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PageRequest")
            .field("path", &self.path)
            .field("params", &self.params)
            .field("plugin_id", &self.plugin_id)
            .finish_non_exhaustive()
    }
}

/// What a component gets: the page's request and the props its host passes.
#[derive(Clone, Debug)]
pub struct ComponentRequest {
    /// The page the component is placed on.
    pub page: PageRequest,
    /// Props from the host page, e.g. the entity of an entity page.
    pub props: serde_json::Value,
}

/// A component another plugin places on its page (an entity card, a tab...).
#[derive(Clone)]
pub struct Component {
    pub(crate) id: ExtensionId,
    render: Arc<ComponentFn>,
}

impl Component {
    /// A component rendered by `render`, an
    /// `async fn(ComponentRequest) -> Result<Markup, PageError>`.
    pub fn new<F, Fut>(id: ExtensionId, render: F) -> Self
    where
        F: Fn(ComponentRequest) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Markup, PageError>> + Send + 'static,
    {
        Self {
            id,
            render: Arc::new(move |req| Box::pin(render(req))),
        }
    }

    /// The id of the extension that provides it.
    pub fn id(&self) -> &ExtensionId {
        &self.id
    }

    /// Renders it.
    pub fn render(&self, request: ComponentRequest) -> BoxFuture<Result<Markup, PageError>> {
        (self.render)(request)
    }
}

impl fmt::Debug for Component {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Component({})", self.id)
    }
}

/// Where a sidebar entry leads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NavTarget {
    /// The page of this extension, wherever config puts it.
    Page(ExtensionId),
    /// The page bound to a route ref.
    Route(RouteRef),
    /// A fixed path or URL.
    Path(String),
}

/// An entry of the sidebar.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NavItem {
    /// The label.
    pub title: String,
    /// An icon name (from the shell's icon set), if any.
    pub icon: Option<String>,
    /// Where it leads.
    pub target: NavTarget,
}

/// A theme: values for the shell's CSS variables.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Theme {
    /// `light` or `dark` follow the system setting; other ids are chosen by
    /// the user only.
    pub id: String,
    /// The label.
    pub title: String,
    /// CSS custom properties, e.g. (`--bs-bg`, `#ffffff`).
    pub variables: Vec<(String, String)>,
}

/// Why a page (or component) could not be rendered.
///
/// Any error converts into [`PageError::internal`] with `?`: the user sees
/// a generic error page, and the detail goes to the log only.
pub enum PageError {
    /// The thing the page shows does not exist: the user sees the 404 page
    /// with this message.
    NotFound(String),
    /// The request is malformed: the user sees this message with status 400.
    BadRequest(String),
    /// A service the page needs is down, slow or failing: the user sees
    /// this message with status 503 (say what is unavailable and that
    /// trying again later may help; never pass an internal error's text).
    Unavailable(String),
    /// Anything else: logged, never shown.
    Internal(Box<dyn std::error::Error + Send + Sync>),
}

impl PageError {
    /// An internal error from any error value.
    pub fn internal(err: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Self::Internal(err.into())
    }

    /// The message that may be shown to the user, if any.
    pub fn public_message(&self) -> Option<&str> {
        match self {
            Self::NotFound(m) | Self::BadRequest(m) | Self::Unavailable(m) => Some(m),
            Self::Internal(_) => None,
        }
    }

    /// The full detail, for logs.
    pub fn internal_detail(&self) -> String {
        match self {
            Self::NotFound(m) => format!("not found: {m}"),
            Self::BadRequest(m) => format!("bad request: {m}"),
            Self::Unavailable(m) => format!("unavailable: {m}"),
            Self::Internal(e) => e.to_string(),
        }
    }
}

impl<E: std::error::Error + Send + Sync + 'static> From<E> for PageError {
    fn from(err: E) -> Self {
        Self::Internal(Box::new(err))
    }
}

impl fmt::Debug for PageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PageError({})", self.internal_detail())
    }
}

impl fmt::Display for PageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.internal_detail())
    }
}
