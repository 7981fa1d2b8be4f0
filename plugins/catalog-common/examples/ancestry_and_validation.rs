//! Asks a running catalog where an entity came from, and whether a new
//! entity would be accepted — the two calls of the book's chapter "The
//! catalog backend" (which includes the marked parts of this file).
//!
//! ```text
//! cargo run -p backstage-plugin-catalog-common --example ancestry_and_validation -- \
//!     http://localhost:7007/api/catalog component:default/dock-gateway
//! ```
//!
//! Set `BACKSTAGE_TOKEN` when the backend's default auth policy is on.

use backstage_common::catalog::EntityRef;
use backstage_plugin_catalog_common::api::ValidateEntityRequest;
use backstage_plugin_catalog_common::{CatalogClient, ValidateEntityResult};
use serde_json::json;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let base_url = args
        .next()
        .unwrap_or_else(|| "http://localhost:7007/api/catalog".to_owned());
    let entity_ref: EntityRef = args
        .next()
        .unwrap_or_else(|| "component:default/dock-gateway".to_owned())
        .parse()?;
    let mut client = CatalogClient::new(&base_url)?;
    if let Ok(token) = std::env::var("BACKSTAGE_TOKEN") {
        client = client.with_token(token);
    }

    // ANCHOR: ancestry
    // The entity first, then the Location entities it was read through, up
    // to the one generated for a configured location.
    let ancestry = client.get_entity_ancestry(&entity_ref).await?;
    for item in &ancestry.items {
        println!(
            "{} (emitted by {})",
            item.entity.metadata.name,
            item.parent_entity_refs.join(", ")
        );
    }
    // ANCHOR_END: ancestry

    // ANCHOR: validate
    let entity = json!({
        "apiVersion": "backstage.io/v1alpha1",
        "kind": "Component",
        "metadata": {"name": "ledger"},
        "spec": {"type": "service", "lifecycle": "production"}
    });
    let request = ValidateEntityRequest {
        location: "url:https://github.com/example/ledger/blob/main/catalog-info.yaml".to_owned(),
        entity: entity.as_object().cloned().unwrap_or_default(),
    };
    match client.validate_entity(&request).await? {
        ValidateEntityResult::Valid => println!("ledger would be accepted"),
        ValidateEntityResult::Invalid(problems) => {
            for problem in problems {
                // e.g. "InputError: ... spec.owner ..."
                println!("{}: {}", problem.name, problem.message);
            }
        }
    }
    // ANCHOR_END: validate
    Ok(())
}
