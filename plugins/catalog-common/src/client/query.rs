//! Query strings as the spec writes them (`allowReserved`), and the
//! `Link` header of paged `GET /entities`.

use std::fmt::Write;

/// Characters sent as they are in a query value besides the unreserved
/// ones: the spec's parameters allow reserved characters, so `=`, `,`,
/// `:` and `/` stay readable (`filter=kind=user,spec.type`). `&`, `#`,
/// `+`, `%`, `[`, `]`, spaces and non-ASCII are percent-encoded.
const KEPT: &[u8] = b"-._~:/?@!$'()*,;=";

/// An ordered list of query parameters, written without form encoding.
#[derive(Debug, Default)]
pub(crate) struct QueryString {
    text: String,
}

impl QueryString {
    /// Appends `key=value`.
    pub(crate) fn push(&mut self, key: &str, value: &str) {
        if !self.text.is_empty() {
            self.text.push('&');
        }
        encode_into(&mut self.text, key);
        self.text.push('=');
        encode_into(&mut self.text, value);
    }

    /// Appends `key=value` when `value` is present.
    pub(crate) fn push_opt(&mut self, key: &str, value: Option<impl ToString>) {
        if let Some(value) = value {
            self.push(key, &value.to_string());
        }
    }

    /// The query string, without `?`; `None` when empty.
    pub(crate) fn finish(self) -> Option<String> {
        (!self.text.is_empty()).then_some(self.text)
    }
}

fn encode_into(out: &mut String, text: &str) {
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || KEPT.contains(&byte) {
            out.push(char::from(byte));
        } else {
            // Writing to a String cannot fail.
            let _ = write!(out, "%{byte:02X}");
        }
    }
}

/// The `after` value of the `rel="next"` link of a `Link` header, if any.
///
/// Targets are cut at `<...>` rather than at commas, since the link's own
/// query (its `filter`) may hold commas. A `+` in the value is kept (the
/// cursor is base64, not form-encoded text).
pub(crate) fn next_after(link_header: &str) -> Option<String> {
    link_header.split('<').skip(1).find_map(|link| {
        let (target, params) = link.split_once('>')?;
        let params = params.split(',').next().unwrap_or_default();
        let is_next = params.split(';').any(|p| {
            p.trim().strip_prefix("rel=").is_some_and(|rel| {
                rel.trim_matches('"')
                    .split_whitespace()
                    .any(|r| r == "next")
            })
        });
        if !is_next {
            return None;
        }
        let (_, query) = target.split_once('?')?;
        query
            .split('&')
            .find_map(|pair| pair.strip_prefix("after="))
            .map(percent_decode)
    })
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}
