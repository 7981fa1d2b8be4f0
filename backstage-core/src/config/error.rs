//! Errors of configuration loading.

use std::fmt;
use std::path::PathBuf;

use backstage_common::config::ConfigPath;

/// One place where the merged configuration does not match a declared schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaViolation {
    /// The full key of the offending value (or of the missing one).
    pub key: ConfigPath,
    /// What is wrong. Never contains a secret value.
    pub message: String,
    /// The feature that declared the schema, when known.
    pub owner: Option<String>,
}

impl fmt::Display for SchemaViolation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "config key '{}': {}", self.key, self.message)?;
        if let Some(owner) = &self.owner {
            write!(f, " (schema of '{owner}')")?;
        }
        Ok(())
    }
}

/// All schema violations found in one validation, reported together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaViolations(pub Vec<SchemaViolation>);

impl fmt::Display for SchemaViolations {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "configuration does not match the schema ({} problem{}):",
            self.0.len(),
            if self.0.len() == 1 { "" } else { "s" }
        )?;
        for violation in &self.0 {
            write!(f, "\n  - {violation}")?;
        }
        Ok(())
    }
}

/// Configuration could not be loaded. Each variant names the file and, where
/// there is one, the key; none contains a configuration value.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigLoadError {
    /// No `--config` was given and the directory has no `app-config.yaml`.
    #[error("no app-config.yaml in {dir}; create one there or pass --config <file>")]
    NoConfigFile {
        /// The directory that was searched.
        dir: PathBuf,
    },
    /// `--config` was given without a file name.
    #[error("--config needs a file name, e.g. --config app-config.production.yaml")]
    MissingArgValue,
    /// A file could not be read.
    #[error("cannot read config file {path}{}: {source}", key_suffix(.key))]
    ReadFile {
        /// The file.
        path: PathBuf,
        /// The key that included it, for `$file` / `$include`.
        key: Option<ConfigPath>,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A file is not valid YAML or JSON.
    #[error("{}:{line}:{column}: {message}", .path.display())]
    Parse {
        /// The file.
        path: PathBuf,
        /// 1-based line of the problem.
        line: u64,
        /// 1-based column of the problem.
        column: u64,
        /// What the parser reported.
        message: String,
    },
    /// The top level of a config file is not a mapping.
    #[error("{}: the top level must be a mapping of keys to values, found {found}", .path.display())]
    NotAMapping {
        /// The file.
        path: PathBuf,
        /// What was found instead.
        found: &'static str,
    },
    /// A `$env` / `$file` / `$include` object has other keys beside it.
    #[error("{}: at '{key}': {transform} must be the only key of its object, but it has {siblings:?} beside it", .path.display())]
    TransformSiblings {
        /// The file.
        path: PathBuf,
        /// The key holding the object.
        key: ConfigPath,
        /// The transform keyword.
        transform: String,
        /// The other keys.
        siblings: Vec<String>,
    },
    /// The argument of `$env` / `$file` / `$include` is not a string.
    #[error("{}: at '{key}': the value of {transform} must be a string", .path.display())]
    TransformArgument {
        /// The file.
        path: PathBuf,
        /// The key holding the transform.
        key: ConfigPath,
        /// The transform keyword.
        transform: String,
    },
    /// `$include` of a file type that cannot be parsed.
    #[error("{}: at '{key}': cannot $include {include:?}: only .yaml, .yml and .json files can be included (use $file for text)", .path.display())]
    IncludeUnsupported {
        /// The including file.
        path: PathBuf,
        /// The key holding the include.
        key: ConfigPath,
        /// The include argument.
        include: String,
    },
    /// `$include: file#a.b` where the included file has no `a.b`.
    #[error("{}: at '{key}': {include:?} has no value at '{sub_key}'", .path.display())]
    IncludeKeyMissing {
        /// The including file.
        path: PathBuf,
        /// The key holding the include.
        key: ConfigPath,
        /// The include argument.
        include: String,
        /// The dotted path after `#`.
        sub_key: String,
    },
    /// Files include each other in a loop.
    #[error("$include cycle at '{key}': {}", display_chain(.chain))]
    IncludeCycle {
        /// The key holding the include that closes the loop.
        key: ConfigPath,
        /// The files in the loop, the first repeated at the end.
        chain: Vec<PathBuf>,
    },
    /// A malformed `${...}` expression.
    #[error("{}: at '{key}': {message}", .path.display())]
    Substitution {
        /// The file.
        path: PathBuf,
        /// The key holding the string.
        key: ConfigPath,
        /// What is malformed.
        message: String,
    },
    /// An `APP_CONFIG_*` environment variable cannot be applied.
    #[error("environment variable {var}: {message}")]
    EnvOverride {
        /// The variable's name.
        var: String,
        /// What is wrong.
        message: String,
    },
    /// A declared schema is itself invalid.
    #[error("the config schema for '{key}'{} is not a valid JSON schema: {message}", owner_suffix(.owner))]
    InvalidSchema {
        /// Where the schema applies.
        key: ConfigPath,
        /// The feature that declared it.
        owner: Option<String>,
        /// What the schema compiler reported.
        message: String,
    },
    /// The configuration does not match the declared schemas.
    #[error("{0}")]
    Schema(SchemaViolations),
}

fn key_suffix(key: &Option<ConfigPath>) -> String {
    key.as_ref()
        .map(|k| format!(" (included at '{k}')"))
        .unwrap_or_default()
}

fn owner_suffix(owner: &Option<String>) -> String {
    owner
        .as_ref()
        .map(|o| format!(" declared by '{o}'"))
        .unwrap_or_default()
}

fn display_chain(chain: &[PathBuf]) -> String {
    chain
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(" -> ")
}
