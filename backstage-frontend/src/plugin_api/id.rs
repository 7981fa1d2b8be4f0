//! Extension ids: `kind:namespace/name`.

use std::fmt;

/// The id of an extension: `[kind:][namespace][/name]`, e.g. `page:catalog`,
/// `nav-item:tech-radar`, `entity-card:catalog/about`, `app/routes`.
///
/// The namespace is the id of the plugin that provides the extension; an
/// extension built without one gets its plugin's id when the plugin lists
/// it. Each part starts with a lowercase letter followed by lowercase
/// letters, digits or `-` (the namespace and name may also contain `.`, as
/// API ids such as `api:core.fetch` do).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ExtensionId {
    kind: Option<String>,
    namespace: Option<String>,
    name: Option<String>,
}

impl ExtensionId {
    /// An id from its parts; at least one of `namespace` and `name` must be
    /// given by the time the extension reaches an app.
    pub fn from_parts(kind: Option<&str>, namespace: Option<&str>, name: Option<&str>) -> Self {
        Self {
            kind: kind.map(str::to_owned),
            namespace: namespace.map(str::to_owned),
            name: name.map(str::to_owned),
        }
    }

    /// Parses `[kind:]namespace[/name]`; the error says what is wrong.
    pub fn parse(text: &str) -> Result<Self, String> {
        let (kind, rest) = match text.split_once(':') {
            Some((kind, rest)) => (Some(kind), rest),
            None => (None, text),
        };
        let (namespace, name) = match rest.split_once('/') {
            Some((ns, name)) => (Some(ns), Some(name)),
            None => (Some(rest), None),
        };
        let id = Self::from_parts(kind, namespace, name);
        id.validate()
            .map_err(|reason| format!("invalid extension id {text:?}: {reason}"))?;
        Ok(id)
    }

    /// The kind, e.g. `page`.
    pub fn kind(&self) -> Option<&str> {
        self.kind.as_deref()
    }

    /// The namespace (normally the plugin id).
    pub fn namespace(&self) -> Option<&str> {
        self.namespace.as_deref()
    }

    /// The name within the namespace.
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    pub(crate) fn with_default_namespace(mut self, namespace: &str) -> Self {
        if self.namespace.is_none() {
            self.namespace = Some(namespace.to_owned());
        }
        self
    }

    /// Checks the shape of every part.
    pub fn validate(&self) -> Result<(), String> {
        if self.namespace.is_none() && self.name.is_none() {
            return Err("an extension id needs a namespace or a name".to_owned());
        }
        for (what, part, dots) in [
            ("kind", &self.kind, false),
            ("namespace", &self.namespace, true),
            ("name", &self.name, true),
        ] {
            if let Some(part) = part {
                check_part(part, dots).map_err(|e| format!("the {what} {part:?} {e}"))?;
            }
        }
        Ok(())
    }
}

fn check_part(part: &str, allow_dots: bool) -> Result<(), &'static str> {
    let mut chars = part.chars();
    let first_ok = matches!(chars.next(), Some(c) if c.is_ascii_lowercase());
    let rest_ok = chars.all(|c| {
        c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || (allow_dots && c == '.')
    });
    if first_ok && rest_ok {
        Ok(())
    } else {
        Err("must start with a lowercase letter followed by lowercase letters, digits or '-'")
    }
}

impl fmt::Display for ExtensionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(kind) = &self.kind {
            write!(f, "{kind}:")?;
        }
        match (&self.namespace, &self.name) {
            (Some(ns), Some(name)) => write!(f, "{ns}/{name}"),
            (Some(ns), None) => f.write_str(ns),
            (None, Some(name)) => f.write_str(name),
            (None, None) => f.write_str("<unnamed>"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ExtensionId;

    #[test]
    fn parses_and_prints_each_shape() {
        for text in [
            "page:catalog",
            "app/routes",
            "entity-card:catalog/about",
            "api:core.fetch",
            "app",
        ] {
            assert_eq!(
                ExtensionId::parse(text).map(|id| id.to_string()),
                Ok(text.to_owned())
            );
        }
        let id = ExtensionId::parse("entity-card:catalog/about").expect("valid");
        assert_eq!(
            (id.kind(), id.namespace(), id.name()),
            (Some("entity-card"), Some("catalog"), Some("about"))
        );
    }

    #[test]
    fn rejects_bad_parts_with_a_reason() {
        let err = ExtensionId::parse("Page:catalog").unwrap_err();
        assert!(
            err.contains("the kind \"Page\" must start with a lowercase letter"),
            "{err}"
        );
        assert!(ExtensionId::parse("page:").is_err());
        assert!(ExtensionId::parse("page:cat alog").is_err());
    }
}
