//! Building the extension tree: collecting, configuring, validating and
//! instantiating extensions.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use backstage_common::config::Config;
use serde_json::{Map, Value};

use super::config::ExtensionOverride;
use super::error::AppError;
use crate::plugin_api::{
    AttachPoint, Extension, ExtensionContext, ExtensionData, ExtensionId, FrontendPlugin, InputItem,
};

/// The id of the root extension.
pub(crate) const ROOT_ID: &str = "app";

struct Node {
    ext: Extension,
    plugin: usize,
    enabled: bool,
    attach_to: Option<AttachPoint>,
    config: Option<Value>,
}

/// One node of an app's extension tree, for inspection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TreeNode {
    /// The extension id.
    pub id: ExtensionId,
    /// The providing plugin's id.
    pub plugin_id: String,
    /// Whether it is enabled (by default or by config).
    pub enabled: bool,
    /// Whether it is part of the app: enabled, and its parent is too.
    pub active: bool,
    /// Where it attaches.
    pub attach_to: Option<AttachPoint>,
}

/// The extension tree of a built app: every extension of every plugin,
/// with its final attach point and state.
#[derive(Clone, Debug, Default)]
pub struct ExtensionTree {
    nodes: Vec<TreeNode>,
}

impl ExtensionTree {
    /// Every node, in the order the plugins listed them.
    pub fn nodes(&self) -> &[TreeNode] {
        &self.nodes
    }

    /// The node with `id`.
    pub fn node(&self, id: &str) -> Option<&TreeNode> {
        self.nodes.iter().find(|n| n.id.to_string() == id)
    }

    /// Whether `id` is part of the app.
    pub fn is_active(&self, id: &str) -> bool {
        self.node(id).is_some_and(|n| n.active)
    }
}

impl fmt::Display for ExtensionTree {
    /// The active tree, indented, as `<id> [<input>]` lines.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn walk(
            tree: &ExtensionTree,
            id: &ExtensionId,
            input: Option<&str>,
            depth: usize,
            f: &mut fmt::Formatter<'_>,
        ) -> fmt::Result {
            match input {
                Some(input) => writeln!(f, "{:indent$}{input}: {id}", "", indent = depth * 2)?,
                None => writeln!(f, "{id}")?,
            }
            for node in tree.nodes.iter().filter(|n| n.active) {
                if let Some(at) = &node.attach_to
                    && &at.id == id
                    && node.id != *id
                {
                    walk(tree, &node.id, Some(&at.input), depth + 1, f)?;
                }
            }
            Ok(())
        }
        match self
            .nodes
            .iter()
            .find(|n| n.attach_to.is_none() && n.active)
        {
            Some(root) => walk(self, &root.id, None, 0, f),
            None => Ok(()),
        }
    }
}

/// Collects, configures, validates and instantiates the tree; returns it
/// and the root's output.
pub(crate) fn build(
    plugins: &[FrontendPlugin],
    overrides: &[ExtensionOverride],
    frontend_config: &Config,
) -> Result<(ExtensionTree, ExtensionData), AppError> {
    let mut nodes: Vec<Node> = Vec::new();
    let mut index: HashMap<ExtensionId, usize> = HashMap::new();
    for (plugin_index, plugin) in plugins.iter().enumerate() {
        for ext in plugin.extensions() {
            ext.id()
                .validate()
                .map_err(|reason| AppError::InvalidExtensionId {
                    id: ext.id().to_string(),
                    plugin: plugin.describe(),
                    reason,
                })?;
            if let Some(&existing) = index.get(ext.id()) {
                return Err(AppError::DuplicateExtension {
                    id: ext.id().to_string(),
                    first: plugins[nodes[existing].plugin].describe(),
                    second: plugin.describe(),
                });
            }
            index.insert(ext.id().clone(), nodes.len());
            nodes.push(Node {
                ext: ext.clone(),
                plugin: plugin_index,
                enabled: ext.is_enabled_by_default(),
                attach_to: ext.attach_point().cloned(),
                config: None,
            });
        }
    }

    for o in overrides {
        let Some(&i) = index.get(&o.id) else {
            return Err(AppError::UnknownExtensionInConfig {
                index: o.index,
                id: o.id.to_string(),
            });
        };
        let node = &mut nodes[i];
        if let Some(disabled) = o.disabled {
            node.enabled = !disabled;
        }
        if let Some(at) = &o.attach_to {
            node.attach_to = Some(at.clone());
        }
        if let Some(config) = &o.config {
            node.config = Some(config.clone());
        }
    }

    let root_id = ExtensionId::from_parts(None, Some(ROOT_ID), None);
    let root = index
        .get(&root_id)
        .copied()
        .ok_or_else(|| AppError::UnknownParent {
            extension: "<every page>".to_owned(),
            parent: ROOT_ID.to_owned(),
        })?;

    // Attach points: parent and input exist.
    for (i, node) in nodes.iter().enumerate() {
        if i == root || !node.enabled {
            continue;
        }
        let Some(at) = &node.attach_to else {
            return Err(AppError::NoAttachPoint {
                extension: node.ext.id().to_string(),
            });
        };
        let Some(&parent) = index.get(&at.id) else {
            return Err(AppError::UnknownParent {
                extension: node.ext.id().to_string(),
                parent: at.id.to_string(),
            });
        };
        let parent_ext = &nodes[parent].ext;
        if !parent_ext
            .inputs()
            .iter()
            .any(|input| input.name == at.input)
        {
            let available: Vec<&str> = parent_ext
                .inputs()
                .iter()
                .map(|i| i.name.as_str())
                .collect();
            return Err(AppError::UnknownInput {
                extension: node.ext.id().to_string(),
                parent: at.id.to_string(),
                input: at.input.clone(),
                available: if available.is_empty() {
                    "no inputs".to_owned()
                } else {
                    available.join(", ")
                },
            });
        }
    }

    // Cycles: follow parents from every enabled node.
    let parent_of = |i: usize| -> Option<usize> {
        if i == root {
            return None;
        }
        nodes[i]
            .attach_to
            .as_ref()
            .and_then(|at| index.get(&at.id).copied())
    };
    for start in 0..nodes.len() {
        if !nodes[start].enabled {
            continue;
        }
        let mut seen = vec![start];
        let mut current = start;
        while let Some(parent) = parent_of(current) {
            if let Some(pos) = seen.iter().position(|&s| s == parent) {
                let mut cycle: Vec<String> = seen[pos..]
                    .iter()
                    .map(|&s| nodes[s].ext.id().to_string())
                    .collect();
                cycle.push(nodes[parent].ext.id().to_string());
                return Err(AppError::Cycle { cycle });
            }
            seen.push(parent);
            current = parent;
        }
    }

    // Active: enabled, and the parent is active.
    let mut memo = vec![None::<bool>; nodes.len()];
    fn is_active(
        i: usize,
        nodes: &[Node],
        parent_of: &dyn Fn(usize) -> Option<usize>,
        memo: &mut [Option<bool>],
        root: usize,
    ) -> bool {
        if let Some(a) = memo[i] {
            return a;
        }
        let a = nodes[i].enabled
            && (i == root
                || parent_of(i).is_some_and(|p| is_active(p, nodes, parent_of, memo, root)));
        memo[i] = Some(a);
        a
    }
    let active: Vec<bool> = (0..nodes.len())
        .map(|i| is_active(i, &nodes, &parent_of, &mut memo, root))
        .collect();

    // Config against schemas.
    for (i, node) in nodes.iter().enumerate() {
        if !active[i] {
            continue;
        }
        match (&node.config, node.ext.schema()) {
            (Some(_), None) => {
                return Err(AppError::UnexpectedConfig {
                    extension: node.ext.id().to_string(),
                });
            }
            (config, Some(schema)) => {
                let value = config.clone().unwrap_or_else(|| Value::Object(Map::new()));
                schema
                    .check(&value)
                    .map_err(|message| AppError::InvalidConfig {
                        extension: node.ext.id().to_string(),
                        message,
                    })?;
            }
            (None, None) => {}
        }
    }

    // Children per (parent, input), in registration order.
    let mut children: HashMap<(usize, &str), Vec<usize>> = HashMap::new();
    for (i, node) in nodes.iter().enumerate() {
        if i == root || !active[i] {
            continue;
        }
        if let (Some(at), Some(parent)) = (&node.attach_to, parent_of(i)) {
            children
                .entry((parent, at.input.as_str()))
                .or_default()
                .push(i);
        }
    }

    let ctx = Instantiation {
        nodes: &nodes,
        plugins,
        children: &children,
        frontend_config,
    };
    let root_data = ctx.instantiate(root)?;

    let tree = ExtensionTree {
        nodes: nodes
            .iter()
            .enumerate()
            .map(|(i, n)| TreeNode {
                id: n.ext.id().clone(),
                plugin_id: plugins[n.plugin].id().to_owned(),
                enabled: n.enabled,
                active: active[i],
                attach_to: if i == root { None } else { n.attach_to.clone() },
            })
            .collect(),
    };
    Ok((tree, root_data))
}

struct Instantiation<'a> {
    nodes: &'a [Node],
    plugins: &'a [FrontendPlugin],
    children: &'a HashMap<(usize, &'a str), Vec<usize>>,
    frontend_config: &'a Config,
}

impl Instantiation<'_> {
    fn instantiate(&self, i: usize) -> Result<ExtensionData, AppError> {
        let node = &self.nodes[i];
        let id = node.ext.id();
        let mut inputs: BTreeMap<String, Vec<InputItem>> = BTreeMap::new();
        for input in node.ext.inputs() {
            let attached = self
                .children
                .get(&(i, input.name.as_str()))
                .map(Vec::as_slice)
                .unwrap_or(&[]);
            if input.singleton && attached.len() > 1 {
                return Err(AppError::SingletonInput {
                    parent: id.to_string(),
                    input: input.name.clone(),
                    attached: attached
                        .iter()
                        .map(|&c| self.nodes[c].ext.id().to_string())
                        .collect(),
                });
            }
            if input.singleton && !input.optional && attached.is_empty() {
                return Err(AppError::MissingSingleton {
                    parent: id.to_string(),
                    input: input.name.clone(),
                });
            }
            let mut items = Vec::with_capacity(attached.len());
            for &child in attached {
                let data = self.instantiate(child)?;
                let child_id = self.nodes[child].ext.id();
                if let Some(missing) = input
                    .data
                    .iter()
                    .find(|spec| !spec.optional && !data.contains(spec.id))
                {
                    return Err(AppError::MissingInputData {
                        extension: child_id.to_string(),
                        parent: id.to_string(),
                        input: input.name.clone(),
                        data: missing.id.to_owned(),
                    });
                }
                items.push(InputItem {
                    node: child_id.clone(),
                    data,
                });
            }
            inputs.insert(input.name.clone(), items);
        }
        let empty = Value::Object(Map::new());
        let ctx = ExtensionContext {
            id,
            plugin_id: self.plugins[node.plugin].id(),
            config: node.config.as_ref().unwrap_or(&empty),
            inputs: &inputs,
            frontend_config: self.frontend_config,
        };
        let data = (node.ext.factory)(&ctx).map_err(|message| AppError::Factory {
            extension: id.to_string(),
            message,
        })?;
        if let Some(missing) = node
            .ext
            .outputs()
            .iter()
            .find(|spec| !spec.optional && !data.contains(spec.id))
        {
            return Err(AppError::MissingOutput {
                extension: id.to_string(),
                data: missing.id.to_owned(),
            });
        }
        Ok(data)
    }
}
