//! Entity processing: the pipeline every entity goes through before it is
//! stored — pre-process, validate, read locations, post-process — with the
//! built-in processors and the catalog rules.
//!
//! ```
//! use backstage_plugin_catalog_backend::processing::{CatalogRules, Orchestrator, builtin};
//! use backstage_plugin_catalog_node::LocationSpec;
//! use serde_json::json;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let orchestrator = Orchestrator::new(builtin::processors(), CatalogRules::default());
//! let result = orchestrator
//!     .process(
//!         json!({
//!             "apiVersion": "backstage.io/v1alpha1",
//!             "kind": "Component",
//!             "metadata": {"name": "ledger"},
//!             "spec": {"type": "service", "lifecycle": "production", "owner": "team-finance"}
//!         }),
//!         &LocationSpec::new("file", "/srv/catalog/ledger.yaml"),
//!     )
//!     .await;
//! assert!(result.errors.is_empty());
//! assert!(result.relations.iter().any(|r| r.relation_type == "ownedBy"
//!     && r.target == "group:default/team-finance"));
//! # }
//! ```

pub mod builtin;
mod envelope;
mod orchestrator;
mod rules;
mod validator;
mod yaml;

pub(crate) use builtin::normalize_path;
pub(crate) use envelope::entity_ref as entity_ref_of;
pub use orchestrator::{ChildEntity, Orchestrator, ProcessingResult};
pub use rules::{CatalogRules, RulesError};
pub use validator::EntityValidator;
pub use yaml::{YamlDocumentError, parse_documents};
