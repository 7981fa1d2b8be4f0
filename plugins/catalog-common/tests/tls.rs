//! In a process where nothing installed a rustls crypto provider (this
//! test binary holds only this test), building a client still works.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use backstage_plugin_catalog_common::CatalogClient;

#[test]
fn the_client_builds_without_a_provider_installed_by_the_app() {
    assert!(rustls::crypto::CryptoProvider::get_default().is_none());
    // This is why the client installs one: reqwest (built with
    // `rustls-no-provider`) panics when it builds a client without one,
    // even for plain HTTP. If this starts passing, the install in
    // `CatalogClient::new` may be dropped.
    let bare = std::panic::catch_unwind(reqwest::Client::new);
    assert!(
        bare.is_err(),
        "reqwest now builds a client without a crypto provider"
    );

    let client = CatalogClient::new("https://catalog.example.com/api/catalog");
    assert!(client.is_ok());
    assert!(rustls::crypto::CryptoProvider::get_default().is_some());
    // And an application's own reqwest clients work from now on too.
    let _ = reqwest::Client::new();
}
