//! [`ConfigLoader`]: reads, transforms, merges and validates configuration.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use backstage_common::config::{Config, ConfigPath};
use serde_json::{Map, Value};

use super::env_overrides::env_overrides;
use super::error::ConfigLoadError;
use super::merge::merge;
use super::schema::{ConfigSchema, ConfigSchemaSet};
use super::transform::Transformer;
use super::yaml::parse_config_file;

/// The file every app has.
pub const BASE_CONFIG_FILE: &str = "app-config.yaml";
/// The file for a developer's own, uncommitted settings.
pub const LOCAL_CONFIG_FILE: &str = "app-config.local.yaml";
/// The environment variable naming the environments whose
/// `app-config.<env>.yaml` files apply (comma-separated).
pub const BACKSTAGE_ENV: &str = "BACKSTAGE_ENV";

/// Loads an app's configuration the way Backstage does.
///
/// Sources, lowest priority first:
///
/// 1. without `--config`: `app-config.yaml` (required), then
///    `app-config.<env>.yaml` for each env in `BACKSTAGE_ENV` (when present),
///    then `app-config.local.yaml` (when present) — all in the root directory;
///    with `--config FILE` (repeatable): exactly those files, in order;
/// 2. `APP_CONFIG_*` environment variables.
///
/// Each file is transformed (`${VAR}` substitution, `$env`, `$file`,
/// `$include`), then the sources are deep-merged, then the result is validated
/// against every declared [`ConfigSchema`].
///
/// ```no_run
/// use backstage_core::config::{ConfigLoader, ConfigSchema};
///
/// # fn main() -> Result<(), backstage_core::config::ConfigLoadError> {
/// let loaded = ConfigLoader::new()
///     .args(std::env::args())?
///     .schema(ConfigSchema::new("app.title", serde_json::json!({"type": "string"})))
///     .load()?;
/// println!("{}", loaded.config.get_string("app.title").unwrap_or("My portal"));
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug, Default)]
pub struct ConfigLoader {
    root_dir: Option<PathBuf>,
    files: Vec<PathBuf>,
    env: Option<BTreeMap<String, String>>,
    schemas: ConfigSchemaSet,
}

/// The result of [`ConfigLoader::load`].
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct LoadedConfig {
    /// The merged, validated configuration.
    pub config: Config,
    /// The files read, in priority order (lowest first; includes not listed).
    pub files: Vec<PathBuf>,
    /// Deprecation warnings, for the caller to report (the backend logs
    /// them once its logger is set up).
    pub warnings: Vec<String>,
}

impl ConfigLoader {
    /// A loader with no explicit files, the process environment and no
    /// schemas.
    pub fn new() -> Self {
        Self::default()
    }

    /// The directory holding the default `app-config*.yaml` files. Defaults
    /// to the current directory. (`--config` paths are relative to the
    /// current directory, as on any command line.)
    pub fn root_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.root_dir = Some(dir.into());
        self
    }

    /// Adds a config file, as `--config FILE` does. Once any file is given,
    /// the default files are not read.
    pub fn config_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.files.push(path.into());
        self
    }

    /// Takes `--config FILE` / `--config=FILE` from command-line arguments;
    /// other arguments are left to the app.
    pub fn args<I, S>(mut self, args: I) -> Result<Self, ConfigLoadError>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let mut args = args.into_iter().map(Into::into);
        while let Some(arg) = args.next() {
            if arg == "--config" {
                let file = args
                    .next()
                    .filter(|f| !f.starts_with("--"))
                    .ok_or(ConfigLoadError::MissingArgValue)?;
                self.files.push(file.into());
            } else if let Some(file) = arg.strip_prefix("--config=") {
                if file.is_empty() {
                    return Err(ConfigLoadError::MissingArgValue);
                }
                self.files.push(file.into());
            }
        }
        Ok(self)
    }

    /// Uses these environment variables instead of the process environment
    /// (for `BACKSTAGE_ENV`, `${VAR}`, `$env` and `APP_CONFIG_*`).
    pub fn env_vars<I, K, V>(mut self, vars: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        self.env = Some(
            vars.into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        );
        self
    }

    /// Declares a schema to validate against.
    pub fn schema(mut self, schema: ConfigSchema) -> Self {
        self.schemas.add(schema);
        self
    }

    /// Declares several schemas.
    pub fn schemas(mut self, schemas: impl IntoIterator<Item = ConfigSchema>) -> Self {
        for schema in schemas {
            self.schemas.add(schema);
        }
        self
    }

    fn root(&self) -> PathBuf {
        self.root_dir.clone().unwrap_or_else(|| PathBuf::from("."))
    }

    fn environment(&self) -> BTreeMap<String, String> {
        self.env
            .clone()
            .unwrap_or_else(|| std::env::vars().collect())
    }

    /// The files that [`load`](Self::load) reads, lowest priority first.
    pub fn source_files(&self) -> Result<Vec<PathBuf>, ConfigLoadError> {
        self.resolve_files(&self.environment())
    }

    fn resolve_files(
        &self,
        env: &BTreeMap<String, String>,
    ) -> Result<Vec<PathBuf>, ConfigLoadError> {
        let root = self.root();
        if !self.files.is_empty() {
            return Ok(self.files.clone());
        }
        let base = root.join(BASE_CONFIG_FILE);
        if !base.is_file() {
            return Err(ConfigLoadError::NoConfigFile { dir: root });
        }
        let mut files = vec![base];
        let envs = env.get(BACKSTAGE_ENV).map(String::as_str).unwrap_or("");
        for name in envs.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let file = root.join(format!("app-config.{name}.yaml"));
            if file.is_file() {
                files.push(file);
            }
        }
        let local = root.join(LOCAL_CONFIG_FILE);
        if local.is_file() {
            files.push(local);
        }
        Ok(files)
    }

    /// Reads every source and returns the validated configuration.
    pub fn load(self) -> Result<LoadedConfig, ConfigLoadError> {
        let env = self.environment();
        let files = self.resolve_files(&env)?;
        let mut merged = Value::Object(Map::new());
        for file in &files {
            merged = merge(merged, read_source(file, &env)?);
        }
        merged = merge(merged, env_overrides(&env)?);
        let outcome = self.schemas.validate(&merged)?;
        Ok(LoadedConfig {
            config: Config::with_visibility(merged, outcome.visibility),
            files,
            warnings: outcome.warnings,
        })
    }
}

/// Reads, parses and transforms one top-level config file.
fn read_source(file: &Path, env: &BTreeMap<String, String>) -> Result<Value, ConfigLoadError> {
    let text = std::fs::read_to_string(file).map_err(|source| ConfigLoadError::ReadFile {
        path: file.to_owned(),
        key: None,
        source,
    })?;
    let parsed = parse_config_file(file, &text)?;
    let transformed =
        Transformer::new(env).transform_file(file, parsed, &mut ConfigPath::root())?;
    Ok(transformed.unwrap_or_else(|| Value::Object(Map::new())))
}
