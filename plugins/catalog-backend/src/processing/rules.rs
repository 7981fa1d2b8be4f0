//! Catalog rules: which kinds (and spec types) may come from which
//! locations (`catalog.rules`, `catalog.locations[].rules`).

use backstage_backend::backstage_core::config::Config;
use backstage_plugin_catalog_node::LocationSpec;
use serde_json::Value;

/// A rules configuration that cannot be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{key}: {message}")]
pub struct RulesError {
    /// The config key.
    pub key: String,
    /// What is wrong.
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct KindMatcher {
    kind: String,
    spec_type: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum LocationMatcher {
    Exact {
        location_type: String,
        target: String,
    },
    Pattern {
        location_type: String,
        pattern: String,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Rule {
    allow: Vec<KindMatcher>,
    /// `None`: any location.
    locations: Option<Vec<LocationMatcher>>,
}

/// The rules in force: global ones, and extra ones for single configured
/// locations. An entity is allowed when any rule allows its kind (and spec
/// type, where the rule names one) for the location it came from. Kinds
/// compare case-insensitively.
///
/// Without `catalog.rules`, Backstage's default applies: `Component`, `API`
/// and `Location` from anywhere.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CatalogRules {
    global: Vec<Rule>,
    per_location: Vec<(LocationSpec, Vec<Rule>)>,
}

impl Default for CatalogRules {
    fn default() -> Self {
        Self {
            global: vec![Rule {
                allow: ["Component", "API", "Location"]
                    .iter()
                    .map(|kind| KindMatcher {
                        kind: (*kind).to_owned(),
                        spec_type: None,
                    })
                    .collect(),
                locations: None,
            }],
            per_location: Vec::new(),
        }
    }
}

impl CatalogRules {
    /// Rules that allow every kind from everywhere.
    pub fn allow_all() -> Self {
        Self {
            global: vec![Rule {
                allow: vec![KindMatcher {
                    kind: "*".to_owned(),
                    spec_type: None,
                }],
                locations: None,
            }],
            per_location: Vec::new(),
        }
    }

    /// Reads `catalog.rules` (Backstage's default when absent) and the
    /// `rules` of each entry of `catalog.locations`, whose targets are
    /// resolved by `resolve` (relative file paths become absolute).
    pub fn from_config(
        config: &Config,
        resolve: impl Fn(&str, &str) -> String,
    ) -> Result<Self, RulesError> {
        let mut rules = match config.get_value("catalog.rules") {
            None => Self::default(),
            Some(value) => Self {
                global: parse_rules("catalog.rules", value)?,
                per_location: Vec::new(),
            },
        };
        if let Some(Value::Array(locations)) = config.get_value("catalog.locations") {
            for (index, location) in locations.iter().enumerate() {
                let Some(value) = location.get("rules") else {
                    continue;
                };
                let key = format!("catalog.locations[{index}].rules");
                let (Some(location_type), Some(target)) = (
                    location.get("type").and_then(Value::as_str),
                    location.get("target").and_then(Value::as_str),
                ) else {
                    continue;
                };
                let spec = LocationSpec::new(location_type, resolve(location_type, target));
                rules.per_location.push((spec, parse_rules(&key, value)?));
            }
        }
        Ok(rules)
    }

    /// Whether `entity` may come from `location`.
    pub fn is_allowed(&self, entity: &Value, location: &LocationSpec) -> bool {
        let extra = self
            .per_location
            .iter()
            .filter(|(spec, _)| {
                spec.location_type == location.location_type && spec.target == location.target
            })
            .flat_map(|(_, rules)| rules.iter().map(|rule| (rule, true)));
        self.global
            .iter()
            .map(|rule| (rule, false))
            .chain(extra)
            .any(|(rule, for_this_location)| {
                (for_this_location || rule.applies_to(location)) && rule.allows(entity)
            })
    }
}

impl Rule {
    fn applies_to(&self, location: &LocationSpec) -> bool {
        let Some(matchers) = &self.locations else {
            return true;
        };
        matchers.iter().any(|m| match m {
            LocationMatcher::Exact {
                location_type,
                target,
            } => *location_type == location.location_type && *target == location.target,
            LocationMatcher::Pattern {
                location_type,
                pattern,
            } => *location_type == location.location_type && glob_match(pattern, &location.target),
        })
    }

    fn allows(&self, entity: &Value) -> bool {
        let kind = entity.get("kind").and_then(Value::as_str).unwrap_or("");
        let spec_type = entity
            .get("spec")
            .and_then(|s| s.get("type"))
            .and_then(Value::as_str);
        self.allow.iter().any(|m| {
            (m.kind == "*" || m.kind.eq_ignore_ascii_case(kind))
                && m.spec_type
                    .as_deref()
                    .is_none_or(|t| spec_type.is_some_and(|s| s.eq_ignore_ascii_case(t)))
        })
    }
}

fn parse_rules(key: &str, value: &Value) -> Result<Vec<Rule>, RulesError> {
    let err = |key: String, message: &str| RulesError {
        key,
        message: message.to_owned(),
    };
    let Value::Array(list) = value else {
        return Err(err(
            key.to_owned(),
            "rules are a list of {allow: [...], locations?: [...]}",
        ));
    };
    let mut rules = Vec::with_capacity(list.len());
    for (index, rule) in list.iter().enumerate() {
        let rule_key = format!("{key}[{index}]");
        let Some(Value::Array(allow)) = rule.get("allow") else {
            return Err(err(
                format!("{rule_key}.allow"),
                "each rule needs `allow`: a list of kinds, e.g. [Component, API] or [{kind: Resource, 'spec.type': database}]",
            ));
        };
        let mut kinds = Vec::with_capacity(allow.len());
        for (i, entry) in allow.iter().enumerate() {
            let kind = match entry {
                Value::String(kind) => KindMatcher {
                    kind: kind.clone(),
                    spec_type: None,
                },
                Value::Object(map) => KindMatcher {
                    kind: map
                        .get("kind")
                        .and_then(Value::as_str)
                        .ok_or_else(|| {
                            err(format!("{rule_key}.allow[{i}].kind"), "a kind is required")
                        })?
                        .to_owned(),
                    spec_type: map
                        .get("spec.type")
                        .and_then(Value::as_str)
                        .map(str::to_owned),
                },
                _ => {
                    return Err(err(
                        format!("{rule_key}.allow[{i}]"),
                        "write a kind name or {kind, 'spec.type'}",
                    ));
                }
            };
            kinds.push(kind);
        }
        let locations = match rule.get("locations") {
            None => None,
            Some(Value::Array(locations)) => {
                let mut matchers = Vec::with_capacity(locations.len());
                for (i, location) in locations.iter().enumerate() {
                    let at = format!("{rule_key}.locations[{i}]");
                    let location_type = location
                        .get("type")
                        .and_then(Value::as_str)
                        .ok_or_else(|| err(format!("{at}.type"), "a location type is required"))?
                        .to_owned();
                    let exact = location.get("exact").and_then(Value::as_str);
                    let pattern = location.get("pattern").and_then(Value::as_str);
                    matchers.push(match (exact, pattern) {
                        (Some(_), Some(_)) => {
                            return Err(err(at, "give either `exact` or `pattern`, not both"));
                        }
                        (Some(target), None) => LocationMatcher::Exact {
                            location_type,
                            target: target.to_owned(),
                        },
                        (None, Some(pattern)) => LocationMatcher::Pattern {
                            location_type,
                            pattern: pattern.to_owned(),
                        },
                        (None, None) => {
                            return Err(err(at, "give `exact` (a target) or `pattern` (a glob)"));
                        }
                    });
                }
                Some(matchers)
            }
            Some(_) => {
                return Err(err(
                    format!("{rule_key}.locations"),
                    "a list of {type, exact | pattern}",
                ));
            }
        };
        rules.push(Rule {
            allow: kinds,
            locations,
        });
    }
    Ok(rules)
}

/// Glob matching for location targets: `*` matches within one path segment,
/// `**` across segments, `?` one character.
fn glob_match(pattern: &str, text: &str) -> bool {
    fn go(p: &[char], t: &[char]) -> bool {
        match p {
            [] => t.is_empty(),
            ['*', '*', rest @ ..] => (0..=t.len()).any(|i| go(rest, &t[i..])),
            ['*', rest @ ..] => (0..=t.len())
                .take_while(|&i| i == 0 || t[i - 1] != '/')
                .any(|i| go(rest, &t[i..])),
            ['?', rest @ ..] => !t.is_empty() && t[0] != '/' && go(rest, &t[1..]),
            [c, rest @ ..] => t.first() == Some(c) && go(rest, &t[1..]),
        }
    }
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    go(&p, &t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn entity(kind: &str, spec_type: Option<&str>) -> Value {
        let mut e =
            json!({"apiVersion": "backstage.io/v1alpha1", "kind": kind, "metadata": {"name": "x"}});
        if let Some(t) = spec_type {
            e["spec"] = json!({"type": t});
        }
        e
    }

    fn file(target: &str) -> LocationSpec {
        LocationSpec::new("file", target)
    }

    #[test]
    fn the_default_allows_components_apis_and_locations() {
        let rules = CatalogRules::default();
        for kind in ["Component", "component", "API", "Location"] {
            assert!(
                rules.is_allowed(&entity(kind, None), &file("/a.yaml")),
                "{kind}"
            );
        }
        for kind in ["Group", "User", "System", "Resource"] {
            assert!(
                !rules.is_allowed(&entity(kind, None), &file("/a.yaml")),
                "{kind}"
            );
        }
    }

    #[test]
    fn rules_from_config_with_types_and_locations() {
        let config = Config::from_value(json!({"catalog": {
            "rules": [
                {"allow": ["Component", {"kind": "Resource", "spec.type": "database"}]},
                {"allow": ["Group", "User"], "locations": [{"type": "file", "pattern": "/org/**/*.yaml"}]}
            ],
            "locations": [
                {"type": "file", "target": "systems.yaml", "rules": [{"allow": ["System"]}]}
            ]
        }}));
        let rules = CatalogRules::from_config(&config, |_, t| format!("/srv/{t}")).unwrap();
        assert!(rules.is_allowed(&entity("Resource", Some("Database")), &file("/x.yaml")));
        assert!(!rules.is_allowed(&entity("Resource", Some("bucket")), &file("/x.yaml")));
        assert!(rules.is_allowed(&entity("Group", None), &file("/org/teams/a.yaml")));
        assert!(!rules.is_allowed(&entity("Group", None), &file("/elsewhere/a.yaml")));
        assert!(rules.is_allowed(&entity("System", None), &file("/srv/systems.yaml")));
        assert!(!rules.is_allowed(&entity("System", None), &file("/srv/other.yaml")));
        // The default is replaced, not extended.
        assert!(!rules.is_allowed(&entity("API", None), &file("/x.yaml")));
    }

    #[test]
    fn bad_rules_name_the_key() {
        let bad = |rules: Value| {
            CatalogRules::from_config(
                &Config::from_value(json!({"catalog": {"rules": rules}})),
                |_, t| t.to_owned(),
            )
            .unwrap_err()
        };
        assert_eq!(bad(json!([{"deny": ["x"]}])).key, "catalog.rules[0].allow");
        let both = bad(
            json!([{"allow": ["A"], "locations": [{"type": "file", "exact": "a", "pattern": "b"}]}]),
        );
        assert_eq!(both.key, "catalog.rules[0].locations[0]");
        assert!(both.message.contains("not both"));
    }

    #[test]
    fn globs() {
        assert!(glob_match("/org/*.yaml", "/org/a.yaml"));
        assert!(!glob_match("/org/*.yaml", "/org/x/a.yaml"));
        assert!(glob_match("/org/**/a.yaml", "/org/x/y/a.yaml"));
        assert!(glob_match(
            "https://example.com/**",
            "https://example.com/a/b"
        ));
        assert!(glob_match("/a?.yaml", "/ab.yaml"));
    }
}
