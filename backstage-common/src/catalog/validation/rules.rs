//! The character rules of the entity format, as plain functions.
//!
//! Each function answers one question ("is this a valid tag?") with the exact
//! limits Backstage applies. They are hand-written byte checks rather than
//! regular expressions because they run for every entity the catalog reads.
//!
//! ```
//! use backstage_common::catalog::validation::rules;
//!
//! assert!(rules::is_valid_entity_name("artist-lookup"));
//! assert!(!rules::is_valid_entity_name("invalid component"));
//! assert!(rules::is_valid_label_key("backstage.io/custom"));
//! assert!(rules::is_valid_tag("c++"));
//! ```

/// Longest entity name, namespace, kind, DNS label and tag: 63 characters.
pub const MAX_NAME_LENGTH: usize = 63;

/// Longest DNS subdomain (the prefix of a label key, annotation key or
/// apiVersion): 253 characters.
pub const MAX_DNS_SUBDOMAIN_LENGTH: usize = 253;

fn is_alnum(b: u8) -> bool {
    b.is_ascii_alphanumeric()
}

fn is_lower_alnum(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit()
}

/// A DNS label (RFC 1123): 1-63 characters of `a-z`, `0-9` and `-`, starting
/// and ending with a letter or digit. Runs of dashes are allowed inside.
pub fn is_valid_dns_label(value: &str) -> bool {
    let bytes = value.as_bytes();
    match (bytes.first(), bytes.last()) {
        (Some(&first), Some(&last)) => {
            bytes.len() <= MAX_NAME_LENGTH
                && is_lower_alnum(first)
                && is_lower_alnum(last)
                && bytes.iter().all(|&b| is_lower_alnum(b) || b == b'-')
        }
        _ => false,
    }
}

/// A DNS subdomain: 1-253 characters, dot-separated DNS labels.
pub fn is_valid_dns_subdomain(value: &str) -> bool {
    !value.is_empty()
        && value.len() <= MAX_DNS_SUBDOMAIN_LENGTH
        && value.split('.').all(is_valid_dns_label)
}

/// An entity name (`metadata.name`): 1-63 characters of `A-Z`, `a-z`,
/// `0-9`, `-`, `_` and `.`, starting and ending with a letter or digit.
pub fn is_valid_entity_name(value: &str) -> bool {
    let bytes = value.as_bytes();
    match (bytes.first(), bytes.last()) {
        (Some(&first), Some(&last)) => {
            bytes.len() <= MAX_NAME_LENGTH
                && is_alnum(first)
                && is_alnum(last)
                && bytes
                    .iter()
                    .all(|&b| is_alnum(b) || b == b'-' || b == b'_' || b == b'.')
        }
        _ => false,
    }
}

/// A namespace (`metadata.namespace`): a DNS label, so lowercase only.
pub fn is_valid_namespace(value: &str) -> bool {
    is_valid_dns_label(value)
}

/// A kind: 1-63 letters or digits, starting with a letter.
pub fn is_valid_kind(value: &str) -> bool {
    let bytes = value.as_bytes();
    match bytes.first() {
        Some(first) => {
            bytes.len() <= MAX_NAME_LENGTH
                && first.is_ascii_alphabetic()
                && bytes.iter().all(|&b| is_alnum(b))
        }
        None => false,
    }
}

/// Splits `value` on `/` into an optional prefix and a suffix; `None` when
/// there is more than one `/`.
fn split_prefix(value: &str) -> Option<(Option<&str>, &str)> {
    match value.split_once('/') {
        None => Some((None, value)),
        Some((prefix, suffix)) if !suffix.contains('/') => Some((Some(prefix), suffix)),
        Some(_) => None,
    }
}

/// An apiVersion: `[prefix/]version`, where the optional prefix is a DNS
/// subdomain and the version is 1-63 letters or digits
/// (`backstage.io/v1alpha1`, `v1`).
pub fn is_valid_api_version(value: &str) -> bool {
    match split_prefix(value) {
        Some((prefix, version)) => {
            prefix.is_none_or(is_valid_dns_subdomain)
                && !version.is_empty()
                && version.len() <= MAX_NAME_LENGTH
                && version.bytes().all(is_alnum)
        }
        None => false,
    }
}

/// A label key: `[prefix/]name`, where the optional prefix is a DNS
/// subdomain and the name follows [`is_valid_entity_name`].
pub fn is_valid_label_key(value: &str) -> bool {
    match split_prefix(value) {
        Some((prefix, name)) => {
            prefix.is_none_or(is_valid_dns_subdomain) && is_valid_entity_name(name)
        }
        None => false,
    }
}

/// A label value: empty, or the same rule as [`is_valid_entity_name`].
pub fn is_valid_label_value(value: &str) -> bool {
    value.is_empty() || is_valid_entity_name(value)
}

/// An annotation key: the same rule as [`is_valid_label_key`].
pub fn is_valid_annotation_key(value: &str) -> bool {
    is_valid_label_key(value)
}

/// A tag: 1-63 characters of `a-z`, `0-9`, `:`, `+` and `#`, in words
/// joined by single dashes (`java`, `c++`, `lang:go`, `front-end`).
pub fn is_valid_tag(value: &str) -> bool {
    let bytes = value.as_bytes();
    let word_byte = |b: u8| is_lower_alnum(b) || b == b':' || b == b'+' || b == b'#';
    match (bytes.first(), bytes.last()) {
        (Some(&first), Some(&last)) => {
            bytes.len() <= MAX_NAME_LENGTH
                && word_byte(first)
                && word_byte(last)
                && bytes.iter().all(|&b| word_byte(b) || b == b'-')
                && !value.contains("--")
        }
        _ => false,
    }
}

/// What [`is_valid_api_version`] expects, for error messages.
pub(crate) const API_VERSION_EXPECTED: &str = "expected an optional DNS-subdomain prefix and \"/\", \
then 1-63 letters or digits, such as \"backstage.io/v1alpha1\"";
/// What [`is_valid_kind`] expects.
pub(crate) const KIND_EXPECTED: &str =
    "expected 1-63 letters or digits starting with a letter, such as \"Component\"";
/// What [`is_valid_entity_name`] expects.
pub(crate) const NAME_EXPECTED: &str = "expected 1-63 characters of a-z, A-Z, 0-9, \"-\", \"_\" \
and \".\", starting and ending with a letter or digit, such as \"my-service\"";
/// What [`is_valid_namespace`] expects.
pub(crate) const NAMESPACE_EXPECTED: &str = "expected 1-63 characters of lowercase a-z, 0-9 and \
\"-\", starting and ending with a letter or digit, such as \"default\"";
/// What [`is_valid_label_key`] / [`is_valid_annotation_key`] expect.
pub(crate) const KEY_EXPECTED: &str = "expected an optional DNS-subdomain prefix (at most 253 \
characters of dot-separated lowercase labels) and \"/\", then 1-63 characters of a-z, A-Z, 0-9, \
\"-\", \"_\" and \".\" starting and ending with a letter or digit, such as \"example.com/team\"";
/// What [`is_valid_label_value`] expects.
pub(crate) const LABEL_VALUE_EXPECTED: &str = "expected an empty string or 1-63 characters of a-z, \
A-Z, 0-9, \"-\", \"_\" and \".\", starting and ending with a letter or digit";
/// What [`is_valid_tag`] expects.
pub(crate) const TAG_EXPECTED: &str = "expected 1-63 characters of lowercase a-z, 0-9, \":\", \
\"+\" and \"#\", in words joined by single \"-\", such as \"java\" or \"front-end\"";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dns_label_allows_inner_dash_runs_only() {
        assert!(is_valid_dns_label("a--b"));
        assert!(!is_valid_dns_label("-ab"));
        assert!(!is_valid_dns_label("ab-"));
        assert!(!is_valid_dns_label("Ab"));
        assert!(!is_valid_dns_label(""));
    }

    #[test]
    fn api_version_prefix_and_suffix() {
        assert!(is_valid_api_version("backstage.io/v1alpha1"));
        assert!(is_valid_api_version("v1"));
        assert!(!is_valid_api_version("a/b/c"));
        assert!(!is_valid_api_version("backstage.io/"));
        assert!(!is_valid_api_version("/v1"));
        assert!(!is_valid_api_version("1.0"));
    }
}
