//! A processor that keeps what it looked up in the entity's processor
//! cache, so that it asks an outside service again only when the entity
//! changed — the example of the book's chapter "The catalog backend"
//! (which includes the marked part of this file).
//!
//! ```text
//! cargo run -p backstage-plugin-catalog-node --example processor_cache
//! ```

use std::sync::atomic::{AtomicUsize, Ordering};

use backstage_plugin_catalog_node::{
    CatalogProcessor, Emitter, LocationSpec, ProcessorCache, ProcessorError,
};
use serde_json::{Value, json};

/// Stands for a team directory behind an HTTP API: slow, and rate-limited.
#[derive(Default)]
struct Directory {
    lookups: AtomicUsize,
}

impl Directory {
    async fn chat_channel_of(&self, team: &str) -> Result<String, ProcessorError> {
        self.lookups.fetch_add(1, Ordering::Relaxed);
        Ok(format!("#team-{team}"))
    }
}

// ANCHOR: processor
/// Annotates every entity that has an owner with the owner's chat channel.
struct OwnerChannel {
    directory: Directory,
}

#[async_trait::async_trait]
impl CatalogProcessor for OwnerChannel {
    fn name(&self) -> &str {
        "OwnerChannel"
    }

    async fn post_process(
        &self,
        mut entity: Value,
        _location: &LocationSpec,
        emit: &mut Emitter,
    ) -> Result<Value, ProcessorError> {
        let Some(owner) = entity["spec"]["owner"].as_str().map(str::to_owned) else {
            return Ok(entity);
        };
        // What the last successful run looked up — if it was for this owner.
        let cached = emit
            .cached(self.name())
            .filter(|kept| kept["owner"] == owner.as_str())
            .and_then(|kept| kept["channel"].as_str())
            .map(str::to_owned);
        let channel = match cached {
            Some(channel) => channel,
            None => self.directory.chat_channel_of(&owner).await?,
        };
        entity["metadata"]["annotations"]["example.com/owner-channel"] = json!(channel);
        // Set on every run: a value not set again is gone after this run.
        emit.set_cache(self.name(), json!({"owner": owner, "channel": channel}));
        Ok(entity)
    }
}
// ANCHOR_END: processor

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), ProcessorError> {
    let processor = OwnerChannel {
        directory: Directory::default(),
    };
    let location = LocationSpec::new("file", "/srv/catalog/payments.yaml");
    let entity = json!({
        "apiVersion": "backstage.io/v1alpha1",
        "kind": "Component",
        "metadata": {"name": "payments"},
        "spec": {"type": "service", "lifecycle": "production", "owner": "billing"}
    });

    // The catalog does this for every run of the entity: it hands the
    // processors the cache of the last successful run and stores what they
    // set during this one.
    let mut cache = ProcessorCache::new();
    for run in 1..=3 {
        let mut emit = Emitter::with_cache(cache);
        let processed = processor
            .post_process(entity.clone(), &location, &mut emit)
            .await?;
        cache = emit.take_cache();
        println!(
            "run {run}: {} (directory lookups so far: {})",
            processed["metadata"]["annotations"]["example.com/owner-channel"],
            processor.directory.lookups.load(Ordering::Relaxed)
        );
    }
    assert_eq!(processor.directory.lookups.load(Ordering::Relaxed), 1);
    println!("stored for the next run: {}", cache.to_json());
    Ok(())
}
