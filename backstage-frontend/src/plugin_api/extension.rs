//! [`Extension`]: one node of the app's extension tree.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use backstage_common::config::Config;
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::data::{DataSpec, ExtensionData, ExtensionDataRef};
use super::id::ExtensionId;

/// Where an extension attaches: an input of its parent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttachPoint {
    /// The parent extension's id.
    pub id: ExtensionId,
    /// The name of the parent's input.
    pub input: String,
}

impl AttachPoint {
    /// Attaches to `input` of the extension `id` (e.g. `app/routes`,
    /// `routes`). Panics on a malformed id, so use it with literals; config
    /// goes through [`ExtensionId::parse`].
    #[allow(clippy::expect_used)]
    pub fn new(id: &str, input: &str) -> Self {
        Self {
            id: ExtensionId::parse(id).expect("AttachPoint::new takes a literal extension id"),
            input: input.to_owned(),
        }
    }
}

/// An input of an extension: which data its children must provide.
#[derive(Clone, Debug)]
pub struct ExtensionInput {
    /// The input's name, e.g. `routes`.
    pub name: String,
    /// The data each attached child must (or, if optional, may) output.
    pub data: Vec<DataSpec>,
    /// At most one child.
    pub singleton: bool,
    /// For a singleton: whether it may be empty.
    pub optional: bool,
}

impl ExtensionInput {
    /// An input accepting any number of children that output `data`.
    pub fn new(name: &str, data: &[DataSpec]) -> Self {
        Self {
            name: name.to_owned(),
            data: data.to_vec(),
            singleton: false,
            optional: true,
        }
    }

    /// An input that takes exactly one child (or at most one, if
    /// `optional`).
    pub fn singleton(name: &str, data: &[DataSpec], optional: bool) -> Self {
        Self {
            name: name.to_owned(),
            data: data.to_vec(),
            singleton: true,
            optional,
        }
    }
}

/// An extension's config schema: a JSON schema for docs and tooling, and a
/// check that the config deserializes into the author's type.
#[derive(Clone)]
pub struct ExtensionConfigSchema {
    schema: Value,
    check: fn(&Value) -> Result<(), String>,
}

impl ExtensionConfigSchema {
    /// The schema of `T`. Mark `T` `#[serde(deny_unknown_fields)]` so that a
    /// misspelt key is an error.
    pub fn of<T: JsonSchema + DeserializeOwned>() -> Self {
        Self {
            schema: schemars::schema_for!(T).to_value(),
            check: |value| {
                serde_path_to_error::deserialize::<_, T>(value)
                    .map(drop)
                    .map_err(|err| {
                        let path = err.path().to_string();
                        if path == "." {
                            err.inner().to_string()
                        } else {
                            format!("at '{path}': {}", err.inner())
                        }
                    })
            },
        }
    }

    /// The JSON schema.
    pub fn json_schema(&self) -> &Value {
        &self.schema
    }

    /// Checks a config value.
    pub fn check(&self, value: &Value) -> Result<(), String> {
        (self.check)(value)
    }
}

impl fmt::Debug for ExtensionConfigSchema {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ExtensionConfigSchema")
    }
}

/// One child attached to an input, as its parent's factory sees it.
#[derive(Clone, Debug)]
pub struct InputItem {
    /// The child's id.
    pub node: ExtensionId,
    /// The child's output.
    pub data: ExtensionData,
}

impl InputItem {
    /// A value of the child's output.
    pub fn get<T: Send + Sync + 'static>(&self, data_ref: ExtensionDataRef<T>) -> Option<&T> {
        self.data.get(data_ref)
    }
}

/// What an extension's factory receives.
pub struct ExtensionContext<'a> {
    pub(crate) id: &'a ExtensionId,
    pub(crate) plugin_id: &'a str,
    pub(crate) config: &'a Value,
    pub(crate) inputs: &'a BTreeMap<String, Vec<InputItem>>,
    pub(crate) frontend_config: &'a Config,
}

impl ExtensionContext<'_> {
    /// The extension's id.
    pub fn id(&self) -> &ExtensionId {
        self.id
    }

    /// The id of the plugin that provides it.
    pub fn plugin_id(&self) -> &str {
        self.plugin_id
    }

    /// The extension's config from `app.extensions` (an empty object when
    /// none is given), already checked against its schema.
    pub fn config<T: DeserializeOwned>(&self) -> Result<T, String> {
        serde_json::from_value(self.config.clone()).map_err(|e| e.to_string())
    }

    /// The raw config value.
    pub fn raw_config(&self) -> &Value {
        self.config
    }

    /// The children attached to `input`, in the order the app received them.
    pub fn input(&self, input: &str) -> &[InputItem] {
        self.inputs.get(input).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The frontend-visible app config: the only config an extension can
    /// read, so nothing secret can end up in a page.
    pub fn frontend_config(&self) -> &Config {
        self.frontend_config
    }
}

type FactoryFn = dyn Fn(&ExtensionContext<'_>) -> Result<ExtensionData, String> + Send + Sync;

/// An extension: a node of the app's tree, with an id, an attach point,
/// inputs, declared outputs, an optional config schema and a factory.
///
/// Usually made by a macro ([`create_page_extension!`](crate::create_page_extension)
/// and friends); build one by hand for new kinds:
///
/// ```
/// use backstage_frontend::{AttachPoint, Extension, ExtensionData, NavItem, NavTarget, core_data};
///
/// let docs_link = Extension::new(Some("nav-item"), Some("docs"))
///     .attach_to(AttachPoint::new("app/nav", "items"))
///     .output(&[core_data::NAV_ITEM.spec()])
///     .factory(|_ctx| {
///         Ok(ExtensionData::new().with(core_data::NAV_ITEM, NavItem {
///             title: "Docs".into(),
///             icon: None,
///             target: NavTarget::Path("https://example.com/docs".into()),
///         }))
///     });
/// assert_eq!(docs_link.id().to_string(), "nav-item:docs");
/// ```
#[derive(Clone)]
pub struct Extension {
    pub(crate) id: ExtensionId,
    pub(crate) attach_to: Option<AttachPoint>,
    pub(crate) disabled: bool,
    pub(crate) inputs: Vec<ExtensionInput>,
    pub(crate) output: Vec<DataSpec>,
    pub(crate) config_schema: Option<ExtensionConfigSchema>,
    pub(crate) factory: Arc<FactoryFn>,
    pub(crate) companions: Vec<Extension>,
}

impl Extension {
    /// An extension of `kind` named `name` (the namespace is the plugin's
    /// id, set when a plugin lists it). It attaches nowhere, has no inputs
    /// or outputs and produces nothing until configured.
    pub fn new(kind: Option<&str>, name: Option<&str>) -> Self {
        Self::with_id(ExtensionId::from_parts(kind, None, name))
    }

    /// An extension with an explicit id.
    pub fn with_id(id: ExtensionId) -> Self {
        Self {
            id,
            attach_to: None,
            disabled: false,
            inputs: Vec::new(),
            output: Vec::new(),
            config_schema: None,
            factory: Arc::new(|_| Ok(ExtensionData::new())),
            companions: Vec::new(),
        }
    }

    /// Sets the namespace (normally the plugin does this).
    pub fn namespace(mut self, namespace: &str) -> Self {
        self.id = ExtensionId::from_parts(self.id.kind(), Some(namespace), self.id.name());
        self
    }

    /// Sets where it attaches.
    pub fn attach_to(mut self, point: AttachPoint) -> Self {
        self.attach_to = Some(point);
        self
    }

    /// Makes it off unless `app.extensions` enables it.
    pub fn disabled_by_default(mut self) -> Self {
        self.disabled = true;
        self
    }

    /// Adds an input.
    pub fn input(mut self, input: ExtensionInput) -> Self {
        self.inputs.push(input);
        self
    }

    /// Declares its outputs.
    pub fn output(mut self, output: &[DataSpec]) -> Self {
        self.output = output.to_vec();
        self
    }

    /// Declares a config schema; config given in `app.extensions` is checked
    /// against it before the factory runs.
    pub fn config_schema(mut self, schema: ExtensionConfigSchema) -> Self {
        self.config_schema = Some(schema);
        self
    }

    /// Sets the factory that produces its outputs from its config and inputs.
    pub fn factory<F>(mut self, factory: F) -> Self
    where
        F: Fn(&ExtensionContext<'_>) -> Result<ExtensionData, String> + Send + Sync + 'static,
    {
        self.factory = Arc::new(factory);
        self
    }

    /// Adds an extension that comes with this one (a page's nav item); a
    /// plugin lists both.
    pub fn with_companion(mut self, companion: Extension) -> Self {
        self.companions.push(companion);
        self
    }

    /// The id (the namespace may still be unset before a plugin lists it).
    pub fn id(&self) -> &ExtensionId {
        &self.id
    }

    /// Where it attaches.
    pub fn attach_point(&self) -> Option<&AttachPoint> {
        self.attach_to.as_ref()
    }

    /// Whether it is on by default.
    pub fn is_enabled_by_default(&self) -> bool {
        !self.disabled
    }

    /// Its inputs.
    pub fn inputs(&self) -> &[ExtensionInput] {
        &self.inputs
    }

    /// Its declared outputs.
    pub fn outputs(&self) -> &[DataSpec] {
        &self.output
    }

    /// Its config schema.
    pub fn schema(&self) -> Option<&ExtensionConfigSchema> {
        self.config_schema.as_ref()
    }

    /// The extensions that come with it.
    pub fn companions(&self) -> &[Extension] {
        &self.companions
    }
}

impl fmt::Debug for Extension {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Extension")
            .field("id", &self.id.to_string())
            .field("attach_to", &self.attach_to)
            .field("disabled", &self.disabled)
            .field(
                "inputs",
                &self.inputs.iter().map(|i| &i.name).collect::<Vec<_>>(),
            )
            .field(
                "output",
                &self.output.iter().map(|o| o.id).collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}
