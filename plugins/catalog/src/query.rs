//! Query strings: reading the index's state and writing links that keep it.

/// Encodes pairs as a query string, starting with `?` (just `?` when
/// empty, which still clears the current query in a link).
pub(crate) fn query_string(pairs: &[(&str, &str)]) -> String {
    let mut serializer = url::form_urlencoded::Serializer::new(String::new());
    for (key, value) in pairs {
        serializer.append_pair(key, value);
    }
    format!("?{}", serializer.finish())
}

/// The first non-empty value of `key`, trimmed.
pub(crate) fn one<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, v)| k == key && !v.trim().is_empty())
        .map(|(_, v)| v.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_encode_every_value() {
        assert_eq!(
            query_string(&[("q", "a b&c"), ("owner", "group:default/x")]),
            "?q=a+b%26c&owner=group%3Adefault%2Fx"
        );
        assert_eq!(query_string(&[]), "?");
        let pairs = vec![
            ("q".to_owned(), "  ".to_owned()),
            ("q".to_owned(), " x ".to_owned()),
        ];
        assert_eq!(one(&pairs, "q"), Some("x"));
    }
}
