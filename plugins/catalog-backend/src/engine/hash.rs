//! Content hashes that decide whether anything changed.

use ring::digest::{Context, SHA256, digest};
use serde::Serialize;

/// The SHA-256 of `text`, in hex.
pub(crate) fn hash_text(text: &str) -> String {
    hex(digest(&SHA256, text.as_bytes()).as_ref())
}

/// A SHA-256 over the JSON text of several values, written straight into
/// the digest (no copy of a large value — a location's thousands of
/// children — is made to hash it).
pub(crate) struct JsonHasher(Context);

impl JsonHasher {
    pub(crate) fn new() -> Self {
        Self(Context::new(&SHA256))
    }

    /// Adds `value`'s JSON text, then a separator.
    pub(crate) fn add(&mut self, value: &impl Serialize) {
        // Writing into a digest cannot fail; a value that cannot be
        // serialized hashes as what was written of it.
        let _ = serde_json::to_writer(&mut *self, value);
        self.0.update(b"\n");
    }

    /// Adds JSON text as it is (the same bytes [`add`](Self::add) writes
    /// for the value it was written from), then a separator.
    pub(crate) fn add_json_text(&mut self, json: &str) {
        self.0.update(json.as_bytes());
        self.0.update(b"\n");
    }

    /// The hash, in hex.
    pub(crate) fn finish(self) -> String {
        hex(self.0.finish().as_ref())
    }
}

impl std::io::Write for JsonHasher {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.update(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
