//! `${VAR}` substitution in string values.

use std::collections::BTreeMap;

/// The outcome of substituting one string.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Substituted {
    /// Every variable was set (or had a fallback).
    Value(String),
    /// A variable without fallback is unset: the whole value is absent.
    Absent,
}

/// Replaces `${VAR}` with the variable's value and `${VAR:-fallback}` with the
/// value or, when the variable is unset or empty, the fallback. `$${...}` is
/// an escape for a literal `${...}`. Whitespace inside the braces is ignored.
///
/// Errors describe a malformed expression; they never contain a variable's
/// value.
pub(crate) fn substitute(
    input: &str,
    env: &BTreeMap<String, String>,
) -> Result<Substituted, String> {
    if !input.contains('$') {
        return Ok(Substituted::Value(input.to_owned()));
    }
    let mut out = String::with_capacity(input.len());
    let mut absent = false;
    let mut rest = input;
    while let Some(pos) = rest.find('$') {
        out.push_str(&rest[..pos]);
        let tail = &rest[pos..];
        if let Some(escaped) = tail.strip_prefix("$${") {
            // `$${...}` → literal `${...}`
            out.push_str("${");
            rest = escaped;
            continue;
        }
        let Some(expr_start) = tail.strip_prefix("${") else {
            out.push('$');
            rest = &tail[1..];
            continue;
        };
        let Some(end) = expr_start.find('}') else {
            return Err(
                "unclosed '${' in a string value; close it with '}' or write '$${' for a literal '${'"
                    .to_owned(),
            );
        };
        let expr = &expr_start[..end];
        if expr.contains('{') {
            return Err(format!(
                "'${{{expr}}}' is malformed: substitutions cannot be nested"
            ));
        }
        let (name, fallback) = match expr.split_once(":-") {
            Some((name, fallback)) => (name.trim(), Some(fallback)),
            None => (expr.trim(), None),
        };
        if !is_env_name(name) {
            return Err(format!(
                "'${{{expr}}}' is malformed: {name:?} is not an environment variable name (letters, digits and '_', not starting with a digit)"
            ));
        }
        match (env.get(name), fallback) {
            (Some(value), Some(fallback)) if value.is_empty() => out.push_str(fallback.trim()),
            (Some(value), _) => out.push_str(value),
            (None, Some(fallback)) => out.push_str(fallback.trim()),
            (None, None) => absent = true,
        }
        rest = &expr_start[end + 1..];
    }
    out.push_str(rest);
    Ok(if absent {
        Substituted::Absent
    } else {
        Substituted::Value(out)
    })
}

fn is_env_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env() -> BTreeMap<String, String> {
        [("HOST", "example.com"), ("PORT", "7007"), ("EMPTY", "")]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect()
    }

    fn sub(input: &str) -> Substituted {
        substitute(input, &env()).unwrap()
    }

    fn value(s: &str) -> Substituted {
        Substituted::Value(s.to_owned())
    }

    #[test]
    fn replaces_variables() {
        assert_eq!(
            sub("http://${HOST}:${PORT}/x"),
            value("http://example.com:7007/x")
        );
        assert_eq!(sub("${ HOST }"), value("example.com"));
        assert_eq!(sub("no vars $ here"), value("no vars $ here"));
        assert_eq!(sub("${EMPTY}"), value(""));
    }

    #[test]
    fn fallbacks_apply_when_unset_or_empty() {
        assert_eq!(sub("${MISSING:-fallback}"), value("fallback"));
        assert_eq!(sub("${EMPTY:-fallback}"), value("fallback"));
        assert_eq!(sub("${HOST:-fallback}"), value("example.com"));
        assert_eq!(sub("${MISSING:-}"), value(""));
    }

    #[test]
    fn unset_variable_makes_the_value_absent() {
        assert_eq!(sub("prefix ${MISSING} suffix"), Substituted::Absent);
    }

    #[test]
    fn escape_keeps_a_literal() {
        assert_eq!(sub("$${HOST}"), value("${HOST}"));
        assert_eq!(sub("a $${MISSING} b ${PORT}"), value("a ${MISSING} b 7007"));
    }

    #[test]
    fn malformed_expressions_are_errors() {
        let e = substitute("${HOST", &env()).unwrap_err();
        assert!(e.contains("unclosed"), "{e}");
        let e = substitute("${}", &env()).unwrap_err();
        assert!(e.contains("is not an environment variable name"), "{e}");
        let e = substitute("${1A}", &env()).unwrap_err();
        assert!(e.contains("\"1A\""), "{e}");
        let e = substitute("${A ${B}}", &env()).unwrap_err();
        assert!(e.contains("nested"), "{e}");
    }

    #[test]
    fn errors_never_contain_values() {
        let e = substitute("${HOST} ${BAD NAME}", &env()).unwrap_err();
        assert!(!e.contains("example.com"));
    }
}
