//! The allow-list of `backend.reading.allow`: which hosts, ports and paths
//! the HTTP reader may fetch from.
//!
//! The rules are Backstage's:
//!
//! * `host: example.com` allows exactly that host, on the scheme's default
//!   port; `host: example.com:8080` allows that host on port 8080 only.
//! * `host: '*.example.com'` allows every subdomain (`a.example.com`,
//!   `a.b.example.com`), not `example.com` itself. A wildcard may only open
//!   the host: `prod.*.example.com` is refused when the config is read.
//! * `paths: [/docs]` limits the host to `/docs` and everything below it at
//!   a segment boundary (`/docs/a`, not `/docs2`); `/docs/` (trailing slash)
//!   allows what is below `/docs/` but not `/docs` itself.
//!
//! Hosts compare case-insensitively (they are normalized as URLs normalize
//! them: lowercase, IDNA); paths compare case-sensitively, after dot
//! segments are resolved (`/docs/../secret` is `/secret`).

use url::{Host, Url};

use super::error::UrlReaderError;

#[derive(Clone, Debug, PartialEq, Eq)]
enum HostPattern {
    /// Exactly this host.
    Exact(String),
    /// Any host ending in this suffix (which starts with a dot).
    Subdomains(String),
}

/// One entry of `backend.reading.allow`: a host pattern, an optional port
/// and optional path prefixes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AllowRule {
    host: HostPattern,
    port: Option<u16>,
    paths: Vec<String>,
}

impl AllowRule {
    /// A rule for `host` (`example.com`, `*.example.com`, `example.com:8080`,
    /// `[::1]:3000`), limited to `paths` when that is not empty.
    ///
    /// The error says what is wrong with the host or a path.
    pub fn new<S: AsRef<str>>(host: &str, paths: &[S]) -> Result<Self, String> {
        let (host, port) = parse_host(host)?;
        let paths = paths
            .iter()
            .map(|p| normalize_path(p.as_ref()))
            .collect::<Result<_, _>>()?;
        Ok(Self { host, port, paths })
    }

    /// Whether the URL's host and port are this rule's.
    fn matches_host(&self, url: &Url) -> bool {
        let Some(host) = url.host_str() else {
            return false;
        };
        let host_ok = match &self.host {
            HostPattern::Exact(exact) => host == exact,
            HostPattern::Subdomains(suffix) => host.len() > suffix.len() && host.ends_with(suffix),
        };
        let port_ok = match self.port {
            // No port in the rule: only the scheme's default port.
            None => url.port().is_none(),
            Some(port) => url.port_or_known_default() == Some(port),
        };
        host_ok && port_ok
    }

    /// Whether the URL's path is within this rule's paths.
    fn matches_path(&self, url: &Url) -> bool {
        self.paths.is_empty() || self.paths.iter().any(|p| path_within(p, url.path()))
    }
}

/// The whole allow-list. An empty list allows nothing.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AllowList {
    rules: Vec<AllowRule>,
}

impl AllowList {
    /// A list of these rules.
    pub fn new(rules: Vec<AllowRule>) -> Self {
        Self { rules }
    }

    /// Whether `url` may be read.
    pub fn allows(&self, url: &Url) -> bool {
        self.check(url).is_ok()
    }

    /// `Ok` when `url` may be read; otherwise
    /// [`UrlReaderError::NotAllowed`], saying how to allow it.
    pub fn check(&self, url: &Url) -> Result<(), UrlReaderError> {
        let refuse = |reason: String| UrlReaderError::NotAllowed {
            url: url.to_string(),
            reason,
        };
        if !matches!(url.scheme(), "http" | "https") {
            return Err(refuse(format!(
                "backend.reading.allow covers http and https URLs only, not {}:",
                url.scheme()
            )));
        }
        let for_host: Vec<&AllowRule> = self.rules.iter().filter(|r| r.matches_host(url)).collect();
        if for_host.is_empty() {
            let host = host_and_port(url);
            let listed = if self.rules.is_empty() {
                "backend.reading.allow is empty, so no http(s) URL may be read".to_owned()
            } else {
                format!("host '{host}' is not in backend.reading.allow")
            };
            return Err(refuse(format!(
                "{listed}; to allow it, add `- host: {host}` under backend.reading.allow in app-config.yaml (with `paths:` to allow only some paths)"
            )));
        }
        if for_host.iter().any(|r| r.matches_path(url)) {
            return Ok(());
        }
        let paths: Vec<String> = for_host
            .iter()
            .flat_map(|r| r.paths.iter().map(|p| format!("'{p}'")))
            .collect();
        Err(refuse(format!(
            "backend.reading.allow allows host '{}' only under the paths {}; add a path covering '{}' to that entry's `paths`, or drop `paths` to allow the whole host",
            host_and_port(url),
            paths.join(", "),
            url.path()
        )))
    }
}

/// `host` or `host:port` as a user would write it in the allow-list.
fn host_and_port(url: &Url) -> String {
    let host = url.host_str().unwrap_or_default();
    match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    }
}

fn parse_host(written: &str) -> Result<(HostPattern, Option<u16>), String> {
    let written = written.trim();
    if written.is_empty() {
        return Err("the host is empty; write e.g. `example.com` or `*.example.com`".to_owned());
    }
    if written.contains("://") {
        return Err(format!(
            "{written:?} has a scheme; write the host alone, e.g. `example.com` (paths go under `paths`)"
        ));
    }
    if written.contains(['/', '?', '#', '@']) {
        return Err(format!(
            "{written:?} is not a host; write the host alone, e.g. `example.com`, and paths under `paths`"
        ));
    }
    // Split off the port: `[v6]:port`, or `name:port`.
    let (host, port) = if let Some(rest) = written.strip_prefix('[') {
        let (inside, after) = rest
            .split_once(']')
            .ok_or_else(|| format!("{written:?}: an IPv6 address needs its closing ']'"))?;
        let port = match after {
            "" => None,
            _ => Some(after.strip_prefix(':').ok_or_else(|| {
                format!("{written:?}: write the port after the address as `[{inside}]:port`")
            })?),
        };
        (&written[..inside.len() + 2], port)
    } else {
        match written.split_once(':') {
            Some((_, after)) if after.contains(':') => {
                return Err(format!(
                    "{written:?}: write an IPv6 address in brackets, e.g. `[::1]:8080`"
                ));
            }
            Some((host, port)) => (host, Some(port)),
            None => (written, None),
        }
    };
    let port = port
        .map(|p| {
            p.parse::<u16>()
                .map_err(|_| format!("{written:?}: {p:?} is not a port number (0-65535)"))
        })
        .transpose()?;
    let pattern = match host.strip_prefix("*.") {
        Some(suffix) => HostPattern::Subdomains(format!(".{}", normalize_host(suffix, written)?)),
        None => HostPattern::Exact(normalize_host(host, written)?),
    };
    Ok((pattern, port))
}

fn normalize_host(host: &str, written: &str) -> Result<String, String> {
    if host.contains('*') {
        return Err(format!(
            "{written:?}: a wildcard may only open the host, as in `*.example.com`"
        ));
    }
    Host::parse(host)
        .map(|h| h.to_string())
        .map_err(|e| format!("{written:?} is not a valid host: {e}"))
}

/// A configured path, normalized as a URL path is (dot segments resolved,
/// percent-encoding as in URLs), so that it compares with `Url::path`.
fn normalize_path(path: &str) -> Result<String, String> {
    if !path.starts_with('/') {
        return Err(format!(
            "path {path:?} must start with '/', e.g. `/{}`",
            path.trim_start_matches('/')
        ));
    }
    if path.contains(['?', '#']) {
        return Err(format!(
            "path {path:?} may not contain '?' or '#'; allow the path alone"
        ));
    }
    let base = Url::parse("http://host.invalid/").map_err(|e| e.to_string())?;
    base.join(path)
        .map(|u| u.path().to_owned())
        .map_err(|e| format!("path {path:?} is not a valid URL path: {e}"))
}

/// Whether `path` is `prefix` or below it at a segment boundary; a prefix
/// ending in `/` does not cover the path without that slash.
fn path_within(prefix: &str, path: &str) -> bool {
    if prefix.ends_with('/') {
        path.starts_with(prefix)
    } else {
        path.strip_prefix(prefix)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn list(rules: &[(&str, &[&str])]) -> AllowList {
        AllowList::new(
            rules
                .iter()
                .map(|(host, paths)| AllowRule::new(host, paths).unwrap())
                .collect(),
        )
    }

    fn allows(list: &AllowList, url: &str) -> bool {
        list.allows(&Url::parse(url).unwrap())
    }

    #[test]
    fn an_empty_list_allows_nothing() {
        let empty = AllowList::default();
        assert!(!allows(&empty, "https://example.com/a"));
        let err = empty
            .check(&Url::parse("https://example.com/a").unwrap())
            .unwrap_err()
            .to_string();
        assert!(err.contains("backend.reading.allow is empty"), "{err}");
        assert!(err.contains("- host: example.com"), "{err}");
    }

    #[test]
    fn exact_hosts_match_only_themselves() {
        let l = list(&[("example.com", &[])]);
        assert!(allows(&l, "https://example.com/x"));
        assert!(allows(&l, "http://example.com/"));
        assert!(!allows(&l, "https://www.example.com/x"));
        assert!(!allows(&l, "https://example.com.evil.net/x"));
        assert!(!allows(&l, "https://badexample.com/x"));
        assert!(!allows(&l, "https://example.org/x"));
    }

    #[test]
    fn hosts_compare_case_insensitively() {
        let l = list(&[("GitHub.EXAMPLE.com", &[])]);
        assert!(allows(&l, "https://github.example.com/x"));
        assert!(allows(&l, "https://GITHUB.example.COM/x"));
        let w = list(&[("*.Example.COM", &[])]);
        assert!(allows(&w, "https://API.example.com/x"));
    }

    #[test]
    fn wildcards_match_subdomains_but_not_the_domain() {
        let l = list(&[("*.example.com", &[])]);
        assert!(allows(&l, "https://a.example.com/x"));
        assert!(allows(&l, "https://a.b.example.com/x"));
        assert!(!allows(&l, "https://example.com/x"));
        assert!(!allows(&l, "https://badexample.com/x"));
        assert!(!allows(&l, "https://a.example.com.evil.net/x"));
    }

    #[test]
    fn wildcards_only_open_the_host() {
        for bad in [
            "prod.*.example.com",
            "*example.com",
            "*",
            "a.*",
            "*.*.example.com",
        ] {
            let err = AllowRule::new::<&str>(bad, &[]).unwrap_err();
            assert!(
                err.contains("wildcard") || err.contains("valid host"),
                "{bad}: {err}"
            );
        }
    }

    #[test]
    fn ports_must_match() {
        let plain = list(&[("example.com", &[])]);
        assert!(!allows(&plain, "https://example.com:8443/x"));
        assert!(allows(&plain, "https://example.com:443/x")); // the default port
        let with_port = list(&[("example.com:8443", &[])]);
        assert!(allows(&with_port, "https://example.com:8443/x"));
        assert!(!allows(&with_port, "https://example.com/x"));
        assert!(!allows(&with_port, "https://example.com:8444/x"));
        let default_port = list(&[("example.com:443", &[])]);
        assert!(allows(&default_port, "https://example.com/x"));
        assert!(!allows(&default_port, "http://example.com/x")); // port 80
        let wildcard_port = list(&[("*.example.com:3000", &[])]);
        assert!(allows(&wildcard_port, "http://a.example.com:3000/x"));
        assert!(!allows(&wildcard_port, "http://a.example.com/x"));
    }

    #[test]
    fn ip_addresses_and_ipv6() {
        let l = list(&[("127.0.0.1:8080", &[]), ("[::1]:3000", &[])]);
        assert!(allows(&l, "http://127.0.0.1:8080/x"));
        assert!(!allows(&l, "http://127.0.0.1:8081/x"));
        assert!(allows(&l, "http://[::1]:3000/x"));
        assert!(!allows(&l, "http://[::1]:3001/x"));
        assert!(AllowRule::new::<&str>("::1", &[]).is_err());
        assert!(AllowRule::new::<&str>("[::1", &[]).is_err());
    }

    #[test]
    fn paths_allow_themselves_and_below_at_segment_boundaries() {
        let l = list(&[("example.com", &["/mydir"])]);
        assert!(allows(&l, "https://example.com/mydir"));
        assert!(allows(&l, "https://example.com/mydir/a/b.yaml"));
        assert!(!allows(&l, "https://example.com/mydir2"));
        assert!(!allows(&l, "https://example.com/other/mydir"));
        assert!(!allows(&l, "https://example.com/"));
    }

    #[test]
    fn a_trailing_slash_excludes_the_bare_path() {
        let l = list(&[("example.com", &["/mydir/"])]);
        assert!(!allows(&l, "https://example.com/mydir"));
        assert!(allows(&l, "https://example.com/mydir/"));
        assert!(allows(&l, "https://example.com/mydir/a"));
        let root = list(&[("example.com", &["/"])]);
        assert!(allows(&root, "https://example.com/anything/at/all"));
    }

    #[test]
    fn paths_are_case_sensitive_and_dot_segments_do_not_escape() {
        let l = list(&[("example.com", &["/docs"])]);
        assert!(!allows(&l, "https://example.com/DOCS/a"));
        assert!(!allows(&l, "https://example.com/docs/../secret"));
        assert!(!allows(&l, "https://example.com/docs/%2e%2e/secret"));
        assert!(allows(&l, "https://example.com/other/../docs/a"));
    }

    #[test]
    fn several_entries_for_one_host_combine_their_paths() {
        let l = list(&[("example.com", &["/a"]), ("example.com", &["/b"])]);
        assert!(allows(&l, "https://example.com/a/x"));
        assert!(allows(&l, "https://example.com/b/x"));
        assert!(!allows(&l, "https://example.com/c/x"));
        let open = list(&[("example.com", &["/a"]), ("example.com", &[])]);
        assert!(allows(&open, "https://example.com/c/x"));
    }

    #[test]
    fn refusals_say_how_to_allow() {
        let l = list(&[("example.com", &["/docs/"])]);
        let host = l
            .check(&Url::parse("http://other.example:8080/x").unwrap())
            .unwrap_err()
            .to_string();
        assert!(
            host.contains("host 'other.example:8080' is not in backend.reading.allow"),
            "{host}"
        );
        assert!(host.contains("- host: other.example:8080"), "{host}");
        let path = l
            .check(&Url::parse("https://example.com/src/a").unwrap())
            .unwrap_err()
            .to_string();
        assert!(path.contains("only under the paths '/docs/'"), "{path}");
        assert!(path.contains("'/src/a'"), "{path}");
    }

    #[test]
    fn other_schemes_are_not_covered() {
        let l = list(&[("example.com", &[])]);
        assert!(!allows(&l, "ftp://example.com/x"));
    }

    #[test]
    fn bad_hosts_and_paths_are_explained() {
        let scheme = AllowRule::new::<&str>("https://example.com", &[]).unwrap_err();
        assert!(scheme.contains("scheme"), "{scheme}");
        let path = AllowRule::new::<&str>("example.com/docs", &[]).unwrap_err();
        assert!(path.contains("paths"), "{path}");
        assert!(AllowRule::new::<&str>("", &[]).is_err());
        assert!(AllowRule::new::<&str>("example.com:http", &[]).is_err());
        assert!(AllowRule::new::<&str>("example.com:70000", &[]).is_err());
        let relative = AllowRule::new("example.com", &["docs"]).unwrap_err();
        assert!(relative.contains("must start with '/'"), "{relative}");
        assert!(AllowRule::new("example.com", &["/a?b"]).is_err());
    }

    #[test]
    fn configured_paths_are_normalized_like_urls() {
        let l = list(&[("example.com", &["/my dir/./x"])]);
        assert!(allows(&l, "https://example.com/my%20dir/x/a"));
        assert!(allows(&l, "https://example.com/my dir/x/a"));
    }

    #[test]
    fn hosts_are_normalized() {
        assert_eq!(
            AllowRule::new::<&str>(" Example.COM ", &[]).unwrap(),
            AllowRule::new::<&str>("example.com", &[]).unwrap()
        );
    }
}
