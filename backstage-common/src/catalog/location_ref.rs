//! Location refs: `type:target`, e.g. `url:https://github.com/org/repo/blob/main/catalog-info.yaml`.
//!
//! ```
//! use backstage_common::catalog::LocationRef;
//!
//! let loc: LocationRef = "url:https://example.com/catalog-info.yaml".parse()?;
//! assert_eq!(loc.location_type(), "url");
//! assert_eq!(loc.target(), "https://example.com/catalog-info.yaml");
//! assert_eq!(loc.to_string(), "url:https://example.com/catalog-info.yaml");
//!
//! let err = "https://example.com/x.yaml".parse::<LocationRef>().unwrap_err();
//! assert!(err.to_string().contains("url:https://example.com/x.yaml"));
//! # Ok::<(), backstage_common::catalog::LocationRefError>(())
//! ```

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Why a string could not be read as a location ref.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LocationRefError {
    /// No `:` at all.
    #[error(
        "location ref {input:?} has no type; expected <type>:<target>, such as \
         \"url:https://host/path/catalog-info.yaml\" or \"file:./catalog-info.yaml\""
    )]
    MissingType {
        /// The input.
        input: String,
    },
    /// Nothing (but blanks) before the `:`.
    #[error("location ref {input:?} has an empty type before \":\"; expected <type>:<target>")]
    EmptyType {
        /// The input.
        input: String,
    },
    /// The type given to [`LocationRef::new`] contains a `:`.
    #[error("location ref {input:?} has a \":\" inside its type; the type ends at the first \":\"")]
    ColonInType {
        /// The input.
        input: String,
    },
    /// Nothing (but blanks) after the `:`.
    #[error("location ref {input:?} has an empty target after \":\"; expected <type>:<target>")]
    EmptyTarget {
        /// The input.
        input: String,
    },
    /// A bare `http:`/`https:` address, which needs the `url:` type in front.
    #[error(
        "location ref {input:?} is a bare address; prefix it with \"url:\", as in \"url:{input}\""
    )]
    BareUrl {
        /// The input.
        input: String,
    },
}

/// Where entities are read from: a type (`url`, `file`, ...) and a target.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LocationRef {
    location_type: String,
    target: String,
}

impl LocationRef {
    /// A location ref from its parts (blanks around them are trimmed).
    pub fn new(
        location_type: impl AsRef<str>,
        target: impl AsRef<str>,
    ) -> Result<Self, LocationRefError> {
        let (location_type, target) = (location_type.as_ref().trim(), target.as_ref().trim());
        let input = || format!("{location_type}:{target}");
        if location_type.is_empty() {
            return Err(LocationRefError::EmptyType { input: input() });
        }
        if location_type.contains(':') {
            return Err(LocationRefError::ColonInType { input: input() });
        }
        if target.is_empty() {
            return Err(LocationRefError::EmptyTarget { input: input() });
        }
        Ok(Self {
            location_type: location_type.to_owned(),
            target: target.to_owned(),
        })
    }

    /// Parses `type:target`, splitting on the first `:`; blanks around both
    /// parts are trimmed.
    pub fn parse(input: &str) -> Result<Self, LocationRefError> {
        let Some((location_type, target)) = input.split_once(':') else {
            return Err(LocationRefError::MissingType {
                input: input.to_owned(),
            });
        };
        let location_type = location_type.trim();
        if location_type.is_empty() {
            return Err(LocationRefError::EmptyType {
                input: input.to_owned(),
            });
        }
        if location_type == "http" || location_type == "https" {
            return Err(LocationRefError::BareUrl {
                input: input.to_owned(),
            });
        }
        if target.trim().is_empty() {
            return Err(LocationRefError::EmptyTarget {
                input: input.to_owned(),
            });
        }
        Ok(Self {
            location_type: location_type.to_owned(),
            target: target.trim().to_owned(),
        })
    }

    /// The type, e.g. `url` or `file`.
    pub fn location_type(&self) -> &str {
        &self.location_type
    }

    /// The target, e.g. an address or a path.
    pub fn target(&self) -> &str {
        &self.target
    }
}

impl fmt::Display for LocationRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.location_type, self.target)
    }
}

impl FromStr for LocationRef {
    type Err = LocationRefError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl Serialize for LocationRef {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for LocationRef {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}
