//! Static assets with content-hashed URLs.

use std::collections::HashMap;

use super::error::AppError;
use crate::plugin_api::{Asset, FrontendPlugin};

/// A served asset.
#[derive(Clone, Debug)]
pub(crate) struct ServedAsset {
    pub(crate) asset: Asset,
    pub(crate) etag: String,
}

/// Every plugin's assets, by URL and by (plugin, logical name).
#[derive(Clone, Debug, Default)]
pub(crate) struct AssetRegistry {
    by_url: HashMap<String, ServedAsset>,
    urls: HashMap<(String, String), String>,
}

/// FNV-1a, 64 bit: a stable content hash for cache busting (not for
/// security — the URL only has to change when the content does).
fn content_hash(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

impl AssetRegistry {
    pub(crate) fn add_plugin(&mut self, plugin: &FrontendPlugin) -> Result<(), AppError> {
        for asset in plugin.assets() {
            self.add(plugin.id(), asset.clone())?;
        }
        Ok(())
    }

    pub(crate) fn add(&mut self, plugin_id: &str, asset: Asset) -> Result<String, AppError> {
        let key = (plugin_id.to_owned(), asset.name().to_owned());
        if self.urls.contains_key(&key) {
            return Err(AppError::DuplicateAsset {
                plugin: plugin_id.to_owned(),
                asset: asset.name().to_owned(),
            });
        }
        let hash = format!("{:016x}", content_hash(asset.bytes()));
        let file = match asset.name().rsplit_once('.') {
            Some((stem, ext)) => format!("{stem}.{}.{ext}", &hash[..12]),
            None => format!("{}.{}", asset.name(), &hash[..12]),
        };
        let url = format!("/static/{plugin_id}/{file}");
        self.by_url.insert(
            url.clone(),
            ServedAsset {
                asset,
                etag: format!("\"{hash}\""),
            },
        );
        self.urls.insert(key, url.clone());
        Ok(url)
    }

    /// The URL of a plugin's asset.
    pub(crate) fn url(&self, plugin_id: &str, name: &str) -> Option<&str> {
        self.urls
            .get(&(plugin_id.to_owned(), name.to_owned()))
            .map(String::as_str)
    }

    pub(crate) fn get(&self, url: &str) -> Option<&ServedAsset> {
        self.by_url.get(url)
    }
}
