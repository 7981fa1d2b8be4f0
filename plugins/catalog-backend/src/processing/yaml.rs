//! Catalog files: one or more YAML documents, each an entity.

use backstage_plugin_catalog_node::{Emitter, LocationSpec, ProcessorError};
use serde_json::Value;
use serde_saphyr::{Budget, DuplicateKeyPolicy, Options};

/// Files up to this size are parsed where they were read; larger ones on
/// a blocking thread, so that a big catalog file (seconds of parsing at
/// 100,000 entities) never stalls the request handlers sharing the async
/// runtime.
const PARSE_INLINE_BYTES: usize = 64 * 1024;

/// Parses the catalog file `text` read from `location` and emits each of
/// its documents as an entity of that location. A file that does not parse
/// is an input error naming the location.
///
/// Documents are read one at a time and kept as compact JSON text, so a
/// file of many entities never exists as one large JSON tree.
pub(crate) async fn emit_documents(
    text: String,
    location: &LocationSpec,
    emit: &mut Emitter,
) -> Result<(), ProcessorError> {
    for document in documents(text, location).await? {
        emit.entity_json(document, location.clone());
    }
    Ok(())
}

/// Parses the catalog file `text` read from `location` into its documents,
/// each as compact JSON text (what [`emit_documents`] emits). A file that
/// does not parse is an input error naming the location.
pub(crate) async fn documents(
    text: String,
    location: &LocationSpec,
) -> Result<Vec<String>, ProcessorError> {
    let parsed = if text.len() <= PARSE_INLINE_BYTES {
        documents_as_json(&text)
    } else {
        tokio::task::spawn_blocking(move || documents_as_json(&text))
            .await
            .map_err(|e| {
                ProcessorError::new(
                    "Error",
                    format!("parsing {} stopped unexpectedly: {e}", location.target),
                )
            })?
    };
    parsed.map_err(|e| ProcessorError::input(format!("{}: {e}", location.target)))
}

/// Every document of `text` as compact JSON text (see
/// [`for_each_document`]).
fn documents_as_json(text: &str) -> Result<Vec<String>, YamlDocumentError> {
    let mut out = Vec::new();
    for_each_document(text, |document| out.push(document.to_string()))?;
    Ok(out)
}

/// A document of a catalog file that is not an entity object.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct YamlDocumentError {
    /// What is wrong, with the line and column where the parser knows them.
    pub message: String,
}

/// Parser options for a file of `len` bytes. The parser's budget guards
/// against input that explodes while parsing; the counts that simply grow
/// with the file (documents, nodes, events, scalar bytes) scale with its
/// length, which `catalog.maxFileBytes` already bounds — so one large file
/// of many entities reads like many small ones. Aliases, anchors and depth
/// keep the parser's defaults.
fn options(len: usize) -> Options {
    let mut options = Options::default();
    options.duplicate_keys = DuplicateKeyPolicy::Error;
    let mut budget = Budget::default();
    budget.max_documents = budget.max_documents.max(len / 4);
    budget.max_nodes = budget.max_nodes.max(len);
    budget.max_events = budget.max_events.max(len.saturating_mul(2));
    budget.max_total_scalar_bytes = budget.max_total_scalar_bytes.max(len);
    options.budget = Some(budget);
    options
}

/// Parses every `---`-separated document of `text`. Empty documents are
/// skipped; each other document must be a mapping. A syntax error fails the
/// whole file (the parser cannot resynchronise), naming line and column.
pub fn parse_documents(text: &str) -> Result<Vec<Value>, YamlDocumentError> {
    let mut out = Vec::new();
    for_each_document(text, |document| out.push(document))?;
    Ok(out)
}

/// Parses the documents of `text` one at a time, handing each entity
/// object to `each` (the rules of [`parse_documents`]).
fn for_each_document(text: &str, mut each: impl FnMut(Value)) -> Result<(), YamlDocumentError> {
    let mut reader = text.as_bytes();
    let mut options = options(text.len());
    if let Some(budget) = options.budget.as_mut() {
        // The file's size is bounded by catalog.maxFileBytes already.
        budget.max_reader_input_bytes = None;
    }
    for (index, document) in
        serde_saphyr::read_with_options::<_, Value>(&mut reader, options).enumerate()
    {
        let document = document.map_err(|e| {
            let at = e
                .location()
                .map(|l| format!(" at line {}, column {}", l.line(), l.column()))
                .unwrap_or_default();
            let first = e.to_string();
            let first = first.lines().next().unwrap_or("invalid YAML").to_owned();
            YamlDocumentError {
                message: format!("invalid YAML{at}: {first}"),
            }
        })?;
        match document {
            Value::Null => {}
            Value::Object(_) => each(document),
            other => {
                return Err(YamlDocumentError {
                    message: format!(
                        "document {} is a {}, not an entity; every document of a catalog file must be a mapping with apiVersion, kind and metadata",
                        index + 1,
                        kind_of(&other)
                    ),
                });
            }
        }
    }
    Ok(())
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "list",
        Value::Object(_) => "mapping",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_document_and_skips_empty_ones() {
        let text =
            "---\nkind: Component\nmetadata: {name: a}\n---\n---\nkind: API\nmetadata: {name: b}\n";
        let docs = parse_documents(text).unwrap();
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[1]["kind"], "API");
    }

    #[test]
    fn errors_say_where_and_what() {
        let error = parse_documents("kind: Component\nmetadata: [unclosed\n").unwrap_err();
        assert!(error.message.contains("line"), "{error}");
        let error = parse_documents("kind: A\nkind: B\n").unwrap_err();
        assert!(error.message.contains("invalid YAML"), "{error}");
        let error = parse_documents("---\nkind: A\n---\n- 1\n- 2\n").unwrap_err();
        assert!(error.message.contains("document 2 is a list"), "{error}");
    }
}
