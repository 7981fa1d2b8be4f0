//! How a plugin's key becomes a key in a store: a namespace segment that
//! cannot be confused with another plugin's, and (for memcached) a key that
//! fits the protocol's limits.

use ring::digest;

/// The longest key memcached accepts, in bytes.
pub(crate) const MEMCACHE_MAX_KEY: usize = 250;

/// Marks a key segment that is a hash rather than the caller's key. Keys the
/// caller gives that start with it are hashed too, so a hashed key never
/// equals a raw one.
const HASHED: char = '~';

/// The namespace as a key segment: bytes outside `[A-Za-z0-9._-]` are
/// percent-encoded, so the segment never contains the `:` separator and two
/// different namespaces never give the same segment.
pub(crate) fn namespace_segment(namespace: &str) -> String {
    let mut out = String::with_capacity(namespace.len());
    for byte in namespace.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'.' | b'_' | b'-') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// The lowercase hex SHA-256 of `data`.
pub(crate) fn sha256_hex(data: &[u8]) -> String {
    let hash = digest::digest(&digest::SHA256, data);
    let mut out = String::with_capacity(64);
    for byte in hash.as_ref() {
        out.push_str(&format!("{byte:02x}"));
    }
    out
}

/// Whether memcached's text protocol takes `key` as one token: printable
/// ASCII without spaces or control characters, at most 250 bytes.
pub(crate) fn is_memcache_safe(key: &str) -> bool {
    key.len() <= MEMCACHE_MAX_KEY && key.bytes().all(|b| b.is_ascii_graphic())
}

/// The memcached key of `key` in namespace segment `ns` at clear-generation
/// `generation`: `<ns>:<generation>:<key>` when that is a valid memcached
/// key, otherwise the caller's key is replaced by `~<sha256>`; if even that
/// is too long (a very long namespace), the whole key is hashed.
pub(crate) fn memcache_key(ns: &str, generation: u64, key: &str) -> String {
    if !key.starts_with(HASHED) {
        let plain = format!("{ns}:{generation}:{key}");
        if is_memcache_safe(&plain) {
            return plain;
        }
    }
    let hashed = format!("{ns}:{generation}:{HASHED}{}", sha256_hex(key.as_bytes()));
    if is_memcache_safe(&hashed) {
        return hashed;
    }
    let whole = format!("{ns}\0{generation}\0{key}");
    format!("{HASHED}{}", sha256_hex(whole.as_bytes()))
}

/// The memcached key holding namespace `ns`'s clear-generation counter. Data
/// keys have a number after the first `:`, this one a word, so they never
/// meet.
pub(crate) fn memcache_generation_key(ns: &str) -> String {
    let key = format!("{ns}:generation");
    if is_memcache_safe(&key) {
        key
    } else {
        format!("{HASHED}generation:{}", sha256_hex(ns.as_bytes()))
    }
}

/// The Redis key of `key` in namespace segment `ns`. Redis takes any bytes,
/// so the caller's key is kept as is (readable in `redis-cli`).
pub(crate) fn redis_key(ns: &str, key: &str) -> String {
    format!("{ns}:{key}")
}

/// The Redis set that tracks namespace `ns`'s keys (with `useRedisSets`).
/// Data keys are `<ns>:...`; the set is `<ns>` followed by a character that
/// a namespace segment never contains and that is not `:`.
pub(crate) fn redis_set_key(ns: &str) -> String {
    format!("{ns}{HASHED}keys")
}

/// A `SCAN MATCH` pattern for every key that starts with `prefix`.
pub(crate) fn redis_match_prefix(prefix: &str) -> String {
    let mut out = String::with_capacity(prefix.len() + 1);
    for c in prefix.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('*');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespaces_are_encoded_without_separators() {
        assert_eq!(namespace_segment("tech-radar"), "tech-radar");
        assert_eq!(namespace_segment("a:b"), "a%3Ab");
        assert_eq!(namespace_segment("a%3Ab"), "a%253Ab");
        assert_ne!(namespace_segment("a b"), namespace_segment("a_b"));
    }

    #[test]
    fn short_plain_keys_stay_readable() {
        assert_eq!(memcache_key("catalog", 7, "entity:1"), "catalog:7:entity:1");
    }

    #[test]
    fn long_or_odd_keys_are_hashed_and_valid() {
        let long = "k".repeat(400);
        for key in [
            long.as_str(),
            "with space",
            "tab\there",
            "ünïcode",
            "~x",
            "",
        ] {
            let stored = memcache_key("catalog", 1, key);
            assert!(is_memcache_safe(&stored), "{stored:?}");
            assert!(
                stored.starts_with("catalog:1:~") || key.is_empty(),
                "{stored:?}"
            );
        }
        // A key that looks like a hash is itself hashed: no collision.
        let hashed = memcache_key("catalog", 1, "with space");
        let tail = hashed.trim_start_matches("catalog:1:");
        assert_ne!(memcache_key("catalog", 1, tail), hashed);
        // Different keys, different hashes; the generation matters.
        assert_ne!(
            memcache_key("c", 1, &long),
            memcache_key("c", 1, &format!("{long}x"))
        );
        assert_ne!(memcache_key("c", 1, &long), memcache_key("c", 2, &long));
    }

    #[test]
    fn very_long_namespaces_still_fit() {
        let ns = "n".repeat(300);
        let stored = memcache_key(&ns, 1, "key");
        assert!(is_memcache_safe(&stored));
        assert!(is_memcache_safe(&memcache_generation_key(&ns)));
        assert_ne!(stored, memcache_key(&ns, 2, "key"));
    }

    #[test]
    fn sha256_matches_a_known_vector() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn scan_patterns_escape_glob_characters() {
        assert_eq!(redis_match_prefix("a*b:"), "a\\*b:*");
    }
}
