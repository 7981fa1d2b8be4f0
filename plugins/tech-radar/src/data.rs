//! The radar's data: Backstage's tech-radar format, from config or a file.

use std::collections::HashSet;

use backstage_frontend::__private::backstage_core::config::ConfigSchema;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A quadrant (Backstage radars have four).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Quadrant {
    /// Referenced by entries.
    pub id: String,
    /// The label.
    pub name: String,
}

/// A ring, innermost first (e.g. adopt, trial, assess, hold).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Ring {
    /// Referenced by timelines.
    pub id: String,
    /// The label.
    pub name: String,
    /// A CSS colour for its blips, e.g. `#93c47d`.
    pub color: String,
    /// What the ring means.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// How an entry moved at a point of its timeline.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "i8", into = "i8")]
pub enum Moved {
    /// Moved out (toward hold): `-1`.
    Out,
    /// Did not move: `0`.
    NoChange,
    /// Moved in (toward adopt): `1`.
    In,
}

impl TryFrom<i8> for Moved {
    type Error = String;
    fn try_from(value: i8) -> Result<Self, String> {
        match value {
            -1 => Ok(Moved::Out),
            0 => Ok(Moved::NoChange),
            1 => Ok(Moved::In),
            other => Err(format!(
                "moved must be -1 (out), 0 (no change) or 1 (in), not {other}"
            )),
        }
    }
}

impl From<Moved> for i8 {
    fn from(m: Moved) -> i8 {
        match m {
            Moved::Out => -1,
            Moved::NoChange => 0,
            Moved::In => 1,
        }
    }
}

/// One point of an entry's history; the first is the current state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TimelineEntry {
    /// How it moved.
    #[schemars(with = "i8")]
    pub moved: Moved,
    /// The ring it is in.
    pub ring_id: String,
    /// When, e.g. `2026-03-01`.
    pub date: String,
    /// Why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// A link of an entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EntryLink {
    /// The label.
    pub title: String,
    /// The URL (http or https).
    pub url: String,
}

/// A technology on the radar.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// Unique id.
    pub id: String,
    /// Backstage's key (usually equal to the id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// The label.
    pub title: String,
    /// The quadrant id.
    pub quadrant: String,
    /// Its history, newest first; at least one point.
    pub timeline: Vec<TimelineEntry>,
    /// What it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// A page about it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Further links.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<EntryLink>,
}

/// A whole radar.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RadarData {
    /// Four quadrants.
    pub quadrants: Vec<Quadrant>,
    /// The rings, innermost first.
    pub rings: Vec<Ring>,
    /// The entries.
    pub entries: Vec<Entry>,
}

/// The `techRadar` config section. Every value is visible to the browser:
/// the radar is drawn there.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(extend("deepVisibility" = "frontend"))]
pub struct TechRadarConfig {
    /// The page title (default `Tech Radar`).
    pub title: Option<String>,
    /// A JSON file with `quadrants`, `rings` and `entries`, relative to the
    /// app's working directory. Exclusive with inline data.
    pub file: Option<String>,
    /// Inline quadrants.
    pub quadrants: Option<Vec<Quadrant>>,
    /// Inline rings.
    pub rings: Option<Vec<Ring>>,
    /// Inline entries.
    pub entries: Option<Vec<Entry>>,
}

impl TechRadarConfig {
    /// The config schema of `techRadar`.
    pub fn schema() -> ConfigSchema {
        ConfigSchema::of::<TechRadarConfig>("techRadar")
    }

    /// The radar this config describes: the file, the inline data, or the
    /// built-in sample when neither is given. Errors name the config key.
    pub fn load(&self) -> Result<RadarData, String> {
        let inline = self.quadrants.is_some() || self.rings.is_some() || self.entries.is_some();
        let data = match (&self.file, inline) {
            (Some(_), true) => {
                return Err("techRadar: give either 'file' or inline 'quadrants', 'rings' and 'entries', not both".to_owned());
            }
            (Some(file), false) => {
                let text = std::fs::read_to_string(file)
                    .map_err(|e| format!("techRadar.file: cannot read {file:?}: {e}"))?;
                serde_json::from_str(&text)
                    .map_err(|e| format!("techRadar.file: {file:?} is not radar data: {e}"))?
            }
            (None, true) => RadarData {
                quadrants: self.quadrants.clone().unwrap_or_default(),
                rings: self.rings.clone().unwrap_or_default(),
                entries: self.entries.clone().unwrap_or_default(),
            },
            (None, false) => sample(),
        };
        data.validate()?;
        Ok(data)
    }
}

impl RadarData {
    /// Checks that the radar can be drawn: four quadrants, at least one
    /// ring, unique ids, and every entry in a known quadrant and ring.
    pub fn validate(&self) -> Result<(), String> {
        if self.quadrants.len() != 4 {
            return Err(format!(
                "techRadar.quadrants: a radar has 4 quadrants, not {}",
                self.quadrants.len()
            ));
        }
        if self.rings.is_empty() {
            return Err("techRadar.rings: a radar needs at least one ring".to_owned());
        }
        let unique = |what: &str, ids: Vec<&str>| -> Result<(), String> {
            let mut seen = HashSet::new();
            match ids.into_iter().find(|id| !seen.insert(*id)) {
                Some(dup) => Err(format!("techRadar.{what}: id '{dup}' is used twice")),
                None => Ok(()),
            }
        };
        unique(
            "quadrants",
            self.quadrants.iter().map(|q| q.id.as_str()).collect(),
        )?;
        unique("rings", self.rings.iter().map(|r| r.id.as_str()).collect())?;
        unique(
            "entries",
            self.entries.iter().map(|e| e.id.as_str()).collect(),
        )?;
        for (i, ring) in self.rings.iter().enumerate() {
            let ok = !ring.color.is_empty()
                && ring.color.chars().all(|c| {
                    c.is_ascii_alphanumeric()
                        || matches!(c, '#' | '(' | ')' | ',' | '.' | ' ' | '%')
                });
            if !ok {
                return Err(format!(
                    "techRadar.rings[{i}].color: {:?} is not a CSS colour such as #93c47d",
                    ring.color
                ));
            }
        }
        for (i, entry) in self.entries.iter().enumerate() {
            if !self.quadrants.iter().any(|q| q.id == entry.quadrant) {
                return Err(format!(
                    "techRadar.entries[{i}].quadrant: entry '{}' is in quadrant '{}', which is not one of the quadrants",
                    entry.id, entry.quadrant
                ));
            }
            let Some(current) = entry.timeline.first() else {
                return Err(format!(
                    "techRadar.entries[{i}].timeline: entry '{}' needs at least one timeline entry",
                    entry.id
                ));
            };
            if !self.rings.iter().any(|r| r.id == current.ring_id) {
                return Err(format!(
                    "techRadar.entries[{i}].timeline[0].ringId: entry '{}' is in ring '{}', which is not one of the rings",
                    entry.id, current.ring_id
                ));
            }
        }
        Ok(())
    }
}

fn entry(
    id: &str,
    title: &str,
    quadrant: &str,
    ring: &str,
    moved: Moved,
    description: &str,
) -> Entry {
    Entry {
        id: id.to_owned(),
        key: Some(id.to_owned()),
        title: title.to_owned(),
        quadrant: quadrant.to_owned(),
        timeline: vec![TimelineEntry {
            moved,
            ring_id: ring.to_owned(),
            date: "2026-01-15".to_owned(),
            description: None,
        }],
        description: Some(description.to_owned()),
        url: None,
        links: Vec::new(),
    }
}

/// The radar shown until an app configures its own.
fn sample() -> RadarData {
    let q = |id: &str, name: &str| Quadrant {
        id: id.to_owned(),
        name: name.to_owned(),
    };
    let r = |id: &str, name: &str, color: &str| Ring {
        id: id.to_owned(),
        name: name.to_owned(),
        color: color.to_owned(),
        description: None,
    };
    RadarData {
        quadrants: vec![
            q("languages", "Languages"),
            q("infrastructure", "Infrastructure"),
            q("datastores", "Data stores"),
            q("tools", "Tools"),
        ],
        rings: vec![
            r("adopt", "Adopt", "#5ba300"),
            r("trial", "Trial", "#009eb0"),
            r("assess", "Assess", "#c7ba00"),
            r("hold", "Hold", "#e09b96"),
        ],
        entries: vec![
            entry(
                "rust",
                "Rust",
                "languages",
                "adopt",
                Moved::In,
                "Our default for new services.",
            ),
            entry(
                "typescript",
                "TypeScript",
                "languages",
                "adopt",
                Moved::NoChange,
                "For the few browser scripts we write.",
            ),
            entry(
                "kubernetes",
                "Kubernetes",
                "infrastructure",
                "adopt",
                Moved::NoChange,
                "Where services run.",
            ),
            entry(
                "postgresql",
                "PostgreSQL",
                "datastores",
                "adopt",
                Moved::NoChange,
                "The production database.",
            ),
            entry(
                "redis",
                "Redis",
                "datastores",
                "trial",
                Moved::In,
                "Shared cache for plugin data.",
            ),
            entry(
                "mongodb",
                "MongoDB",
                "datastores",
                "hold",
                Moved::Out,
                "Prefer PostgreSQL for new work.",
            ),
            entry(
                "github-actions",
                "GitHub Actions",
                "tools",
                "trial",
                Moved::NoChange,
                "CI for new repositories.",
            ),
            entry(
                "terraform",
                "Terraform",
                "tools",
                "assess",
                Moved::NoChange,
                "Under evaluation for cloud accounts.",
            ),
        ],
    }
}
