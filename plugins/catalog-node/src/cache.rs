//! What processors keep about an entity from one processing run to the next.

use serde::Serialize;
use serde_json::{Map, Value};

/// The processor cache of one entity: a JSON value per processor, by
/// processor name (Backstage's `CatalogProcessorCache`).
///
/// Processors reach it through the [`Emitter`](crate::Emitter) while the
/// entity is processed ([`cached`](crate::Emitter::cached),
/// [`set_cache`](crate::Emitter::set_cache)); the catalog stores it with the
/// entity's processing state and hands it back on the entity's next run. It
/// is an optimisation, never the truth: a processor must work without it
/// (the first run, after a failed read of the stored value, on another
/// catalog version) and should check that what it finds still fits.
///
/// A `null` value is the same as no value. An empty cache is stored as
/// nothing at all, so entities whose processors keep nothing cost nothing.
///
/// ```
/// use backstage_plugin_catalog_node::ProcessorCache;
/// use serde_json::json;
///
/// let mut cache = ProcessorCache::new();
/// assert!(cache.is_empty());
/// cache.set("UrlReaderProcessor", json!({"etag": "\"v1\""}));
/// let text = cache.to_json();
/// let back = ProcessorCache::from_json(&text).unwrap();
/// assert_eq!(back.get("UrlReaderProcessor"), Some(&json!({"etag": "\"v1\""})));
/// assert_eq!(back.get("OtherProcessor"), None);
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ProcessorCache(Map<String, Value>);

impl ProcessorCache {
    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    /// The value `processor` stored, if any.
    pub fn get(&self, processor: &str) -> Option<&Value> {
        self.0.get(processor).filter(|v| !v.is_null())
    }

    /// Stores `value` for `processor`, replacing what it stored before;
    /// `null` removes its value.
    pub fn set(&mut self, processor: &str, value: Value) {
        if value.is_null() {
            self.0.remove(processor);
        } else {
            self.0.insert(processor.to_owned(), value);
        }
    }

    /// Removes the value of `processor` and returns it.
    pub fn remove(&mut self, processor: &str) -> Option<Value> {
        self.0.remove(processor).filter(|v| !v.is_null())
    }

    /// The value of `processor` to change in place: `null` when it has
    /// none yet (and leaving it `null` stores nothing).
    pub fn get_mut(&mut self, processor: &str) -> &mut Value {
        self.0.entry(processor.to_owned()).or_insert(Value::Null)
    }

    /// Whether no processor stored anything.
    pub fn is_empty(&self) -> bool {
        self.0.values().all(Value::is_null)
    }

    /// The names of the processors that stored a value.
    pub fn processors(&self) -> impl Iterator<Item = &str> {
        self.0
            .iter()
            .filter(|(_, v)| !v.is_null())
            .map(|(k, _)| k.as_str())
    }

    /// Drops the `null` values (left by [`get_mut`](Self::get_mut)).
    fn compact(&mut self) {
        self.0.retain(|_, v| !v.is_null());
    }

    /// The cache as JSON text (an object by processor name), the form it is
    /// stored in.
    pub fn to_json(&self) -> String {
        /// The map without its `null` values, written without a copy.
        struct Values<'a>(&'a Map<String, Value>);
        impl Serialize for Values<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_map(self.0.iter().filter(|(_, v)| !v.is_null()))
            }
        }
        // A map of JSON values with string keys always serializes.
        serde_json::to_string(&Values(&self.0)).unwrap_or_else(|_| "{}".to_owned())
    }

    /// Reads a cache written by [`to_json`](Self::to_json).
    pub fn from_json(text: &str) -> Result<Self, serde_json::Error> {
        let mut cache = Self(serde_json::from_str(text)?);
        cache.compact();
        Ok(cache)
    }

    /// This cache without `null` values.
    pub(crate) fn compacted(mut self) -> Self {
        self.compact();
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn null_is_no_value() {
        let mut cache = ProcessorCache::new();
        cache.set("a", json!(1));
        cache.set("b", Value::Null);
        assert_eq!(cache.processors().collect::<Vec<_>>(), ["a"]);
        let _ = cache.get_mut("c");
        assert!(!cache.is_empty());
        assert_eq!(cache.get("c"), None);
        assert_eq!(cache.to_json(), r#"{"a":1}"#);
        cache.set("a", Value::Null);
        assert!(cache.is_empty());
        assert_eq!(cache.to_json(), "{}");
        assert_eq!(
            ProcessorCache::from_json(r#"{"x":null,"y":[1]}"#)
                .unwrap()
                .to_json(),
            r#"{"y":[1]}"#
        );
        assert!(ProcessorCache::from_json("[1]").is_err());
    }
}
