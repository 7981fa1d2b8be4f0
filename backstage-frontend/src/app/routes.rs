//! Paths: patterns with `:params`, matching, and building links through
//! route refs.

use std::collections::{BTreeMap, HashMap};

use crate::plugin_api::{ExternalRouteRef, RouteRef};

/// Path prefixes an app never serves pages under: the backend's APIs and
/// health checks, and the app's own assets.
pub(crate) const RESERVED_PREFIXES: &[&str] = &["/api", "/.backstage", "/static"];

#[derive(Clone, Debug, PartialEq, Eq)]
enum Segment {
    Static(String),
    Param(String),
    /// A final `*`: the rest of the path (zero or more segments), as the
    /// parameter `*`.
    Rest,
}

/// A page path such as `/catalog/:namespace/:kind/:name`, optionally ending
/// in `/*` for a page that serves everything below it (its sub-pages, e.g.
/// an entity page's tabs).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PathPattern {
    segments: Vec<Segment>,
}

impl PathPattern {
    /// Parses and checks a path; the error says what is wrong.
    pub(crate) fn parse(path: &str) -> Result<Self, String> {
        if !path.starts_with('/') {
            return Err("a path starts with '/'".to_owned());
        }
        if let Some(prefix) = RESERVED_PREFIXES
            .iter()
            .find(|p| path == **p || path.starts_with(&format!("{p}/")))
        {
            return Err(format!("paths under '{prefix}' are reserved"));
        }
        let trimmed = path.trim_end_matches('/');
        let mut segments = Vec::new();
        if trimmed.is_empty() {
            return Ok(Self { segments });
        }
        let count = trimmed[1..].split('/').count();
        for (index, segment) in trimmed[1..].split('/').enumerate() {
            if segment == "*" {
                if index + 1 != count {
                    return Err("'*' may only be the last segment".to_owned());
                }
                segments.push(Segment::Rest);
                continue;
            }
            if segment.is_empty() {
                return Err("a path has no empty segments ('//')".to_owned());
            }
            if let Some(name) = segment.strip_prefix(':') {
                let mut chars = name.chars();
                let ok = matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
                    && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
                if !ok {
                    return Err(format!(
                        "parameter {segment:?} must be ':' followed by a name of letters, digits or '_'"
                    ));
                }
                if segments.contains(&Segment::Param(name.to_owned())) {
                    return Err(format!("parameter ':{name}' appears twice"));
                }
                segments.push(Segment::Param(name.to_owned()));
            } else if segment
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '~'))
            {
                segments.push(Segment::Static(segment.to_owned()));
            } else {
                return Err(format!(
                    "segment {segment:?} may contain only letters, digits, '-', '_', '.' and '~' (or be a ':param')"
                ));
            }
        }
        Ok(Self { segments })
    }

    /// The shape used to find two pages claiming one path: parameters
    /// become `:`.
    pub(crate) fn claim_key(&self) -> String {
        let mut key = String::new();
        for s in &self.segments {
            key.push('/');
            match s {
                Segment::Static(s) => key.push_str(s),
                Segment::Param(_) => key.push(':'),
                Segment::Rest => key.push('*'),
            }
        }
        if key.is_empty() { "/".to_owned() } else { key }
    }

    /// More static segments first, then longer paths.
    pub(crate) fn specificity(&self) -> (usize, usize) {
        let statics = self
            .segments
            .iter()
            .filter(|s| matches!(s, Segment::Static(_)))
            .count();
        (statics, self.fixed_len())
    }

    /// Whether `path` is this page or below it (for the sidebar's current
    /// item).
    pub(crate) fn is_prefix_of(&self, path: &str) -> bool {
        let parts: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        let fixed = self.fixed_len();
        parts.len() >= fixed
            && self.segments[..fixed]
                .iter()
                .zip(&parts)
                .all(|(s, p)| match s {
                    Segment::Static(s) => s == p,
                    Segment::Param(_) | Segment::Rest => true,
                })
    }

    /// The number of segments before a final `*`.
    fn fixed_len(&self) -> usize {
        match self.segments.last() {
            Some(Segment::Rest) => self.segments.len() - 1,
            _ => self.segments.len(),
        }
    }

    /// Matches a request path; returns the decoded parameters.
    /// With a final `*`, the rest (possibly empty, decoded segment by
    /// segment, joined with `/`) is the parameter `*`.
    pub(crate) fn matches(&self, path: &str) -> Option<BTreeMap<String, String>> {
        let parts: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        let fixed = self.fixed_len();
        let rest = fixed != self.segments.len();
        if parts.len() < fixed || (!rest && parts.len() != fixed) {
            return None;
        }
        let mut params = BTreeMap::new();
        for (segment, part) in self.segments[..fixed].iter().zip(&parts) {
            match segment {
                Segment::Static(s) if s == part => {}
                Segment::Static(_) => return None,
                Segment::Param(name) => {
                    params.insert(name.clone(), percent_decode(part)?);
                }
                Segment::Rest => return None,
            }
        }
        if rest {
            let tail = parts[fixed..]
                .iter()
                .map(|p| percent_decode(p))
                .collect::<Option<Vec<_>>>()?;
            params.insert("*".to_owned(), tail.join("/"));
        }
        Some(params)
    }

    fn build(&self, params: &[(&str, &str)]) -> Option<String> {
        let mut out = String::new();
        for segment in &self.segments {
            // Links go to the page itself; a sub-page is appended by the
            // page that knows it.
            if *segment == Segment::Rest {
                break;
            }
            out.push('/');
            match segment {
                Segment::Static(s) => out.push_str(s),
                Segment::Param(name) => {
                    let (_, value) = params.iter().find(|(k, _)| k == name)?;
                    if value.is_empty() {
                        return None;
                    }
                    out.push_str(&percent_encode(value));
                }
                Segment::Rest => {}
            }
        }
        Some(if out.is_empty() { "/".to_owned() } else { out })
    }
}

/// Percent-encodes everything but unreserved characters.
pub(crate) fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Decodes `%XX` escapes (and `+` as a space when `plus` is set); `None`
/// for malformed escapes or invalid UTF-8.
pub(crate) fn percent_decode_with(text: &str, plus: bool) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = bytes.get(i + 1..i + 3)?;
                let hex = std::str::from_utf8(hex).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b'+' if plus => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

fn percent_decode(text: &str) -> Option<String> {
    percent_decode_with(text, false)
}

/// Parses a query string into decoded pairs; malformed pairs are skipped.
pub(crate) fn parse_query(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .filter_map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            Some((percent_decode_with(k, true)?, percent_decode_with(v, true)?))
        })
        .collect()
}

/// Builds links to pages through route refs, using the paths the app's
/// config settled on and the external-route bindings.
#[derive(Clone, Debug, Default)]
pub struct RouteResolver {
    paths: HashMap<&'static str, PathPattern>,
    bindings: HashMap<&'static str, RouteRef>,
}

impl RouteResolver {
    pub(crate) fn new(
        paths: HashMap<&'static str, PathPattern>,
        bindings: HashMap<&'static str, RouteRef>,
    ) -> Self {
        Self { paths, bindings }
    }

    /// The link to the page bound to `route`, with `params` filled in
    /// (percent-encoded). `None` when no page is bound to it (its plugin is
    /// missing or the page is disabled) or a parameter is missing.
    ///
    /// ```
    /// use backstage_frontend::{App, FrontendPlugin, RouteRef, create_page_extension};
    /// use maud::html;
    /// const ENTITY: RouteRef = RouteRef::new("catalog.entity").with_params(&["kind", "name"]);
    /// let plugin = FrontendPlugin::new("catalog").route("entity", ENTITY).extension(create_page_extension! {
    ///     path: "/catalog/:kind/:name", title: "Entity", route_ref: ENTITY,
    ///     render: |_req| async { Ok(html! {}) },
    /// });
    /// let app = App::builder().plugin(plugin).build()?;
    /// assert_eq!(app.routes().href(ENTITY, &[("kind", "component"), ("name", "a b")]).as_deref(), Some("/catalog/component/a%20b"));
    /// assert_eq!(app.routes().href(ENTITY, &[("kind", "component")]), None);
    /// # Ok::<(), backstage_frontend::app::AppError>(())
    /// ```
    pub fn href(&self, route: RouteRef, params: &[(&str, &str)]) -> Option<String> {
        self.paths.get(route.id())?.build(params)
    }

    /// The link for an external route, through its binding.
    pub fn href_external(
        &self,
        route: ExternalRouteRef,
        params: &[(&str, &str)],
    ) -> Option<String> {
        let target = self.bindings.get(route.id())?;
        self.href(*target, params)
    }

    /// The route ref an external route is bound to.
    pub fn binding(&self, route: ExternalRouteRef) -> Option<RouteRef> {
        self.bindings.get(route.id()).copied()
    }
}

/// Encodes decoded pairs as a query string (without `?`).
pub(crate) fn encode_query(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_parse_match_and_build() {
        let p = PathPattern::parse("/catalog/:kind/:name").expect("valid");
        assert_eq!(p.claim_key(), "/catalog/:/:");
        let params = p.matches("/catalog/component/a%20b").expect("matches");
        assert_eq!(params["name"], "a b");
        assert!(p.matches("/catalog/component").is_none());
        assert!(p.matches("/catalog/x/%zz").is_none());
        assert_eq!(
            p.build(&[("kind", "c"), ("name", "x/y")]).as_deref(),
            Some("/catalog/c/x%2Fy")
        );
        assert_eq!(PathPattern::parse("/").expect("root").claim_key(), "/");
    }

    #[test]
    fn a_final_star_matches_the_page_and_everything_below() {
        let p = PathPattern::parse("/catalog/:name/*").expect("valid");
        assert_eq!(p.claim_key(), "/catalog/:/*");
        assert_eq!(p.matches("/catalog/web").expect("page")["*"], "");
        let below = p.matches("/catalog/web/ci/run%201").expect("below");
        assert_eq!(
            (below["name"].as_str(), below["*"].as_str()),
            ("web", "ci/run 1")
        );
        assert!(p.matches("/catalog").is_none());
        assert!(p.matches("/other/web").is_none());
        assert_eq!(p.build(&[("name", "web")]).as_deref(), Some("/catalog/web"));
        assert!(p.is_prefix_of("/catalog/web/ci"));
        let err = PathPattern::parse("/a/*/b").unwrap_err();
        assert!(err.contains("last segment"), "{err}");
    }

    #[test]
    fn bad_paths_say_why() {
        for (path, reason) in [
            ("catalog", "starts with '/'"),
            ("/api/catalog", "reserved"),
            ("/a//b", "empty segments"),
            ("/a/{id}", "may contain only"),
            ("/a/:", "must be ':' followed by a name"),
            ("/a/:x/:x", "appears twice"),
        ] {
            let err = PathPattern::parse(path).unwrap_err();
            assert!(err.contains(reason), "{path}: {err}");
        }
    }

    #[test]
    fn query_strings_decode_and_skip_garbage() {
        assert_eq!(
            parse_query("a=1&b=x+y&c=%3Cb%3E&bad=%zz&&d"),
            vec![
                ("a".into(), "1".into()),
                ("b".into(), "x y".into()),
                ("c".into(), "<b>".into()),
                ("d".into(), "".into())
            ]
        );
    }
}
