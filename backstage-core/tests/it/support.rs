//! A scratch app directory with config files, and a loader bound to it.

use std::path::{Path, PathBuf};

use backstage_core::config::ConfigLoader;

/// A temporary directory that holds an app's config files.
pub(crate) struct AppDir {
    dir: tempfile::TempDir,
}

impl AppDir {
    pub(crate) fn new() -> Self {
        Self {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    /// Writes `content` to `name` (creating parent folders) and returns the path.
    pub(crate) fn write(&self, name: &str, content: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create dirs");
        }
        std::fs::write(&path, content).expect("write file");
        path
    }

    pub(crate) fn path(&self) -> &Path {
        self.dir.path()
    }

    /// A loader rooted here, with exactly `env` as its environment.
    pub(crate) fn loader(&self, env: &[(&str, &str)]) -> ConfigLoader {
        ConfigLoader::new()
            .root_dir(self.path())
            .env_vars(env.iter().map(|(k, v)| (*k, *v)))
    }
}
