//! Tech Radar for backstage-rs: the **standalone** plugin architecture.
//!
//! The radar of the organisation's technology choices — quadrants, rings
//! and entries, each with a timeline that says whether it moved in or out —
//! comes from config (`techRadar`) or a JSON file of the app
//! (`techRadar.file`), in Backstage's tech-radar data format. The server
//! embeds it in the page at `/tech-radar`; the plugin's script draws the
//! radar (SVG, legend, hover highlight, entry details) in the browser, and
//! the page makes no API request after it loads.
//!
//! ```
//! use backstage_frontend::App;
//! let app = App::builder().plugin(backstage_plugin_tech_radar::plugin()).build()?;
//! assert!(app.page_paths().contains(&"/tech-radar"));
//! # Ok::<(), backstage_frontend::app::AppError>(())
//! ```

mod data;
mod page;

pub use data::{
    Entry, EntryLink, Moved, Quadrant, RadarData, Ring, TechRadarConfig, TimelineEntry,
};

use backstage_frontend::{Asset, FrontendPlugin, RouteRef};

/// The radar page.
pub const ROOT_ROUTE: RouteRef = RouteRef::new("tech-radar.root");

/// The plugin: page `page:tech-radar` at `/tech-radar` with its sidebar
/// entry, the `techRadar` config schema, and the radar's script and
/// stylesheet.
pub fn plugin() -> FrontendPlugin {
    FrontendPlugin::new("tech-radar")
        .title("Tech Radar")
        .package(env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION"))
        .route("root", ROOT_ROUTE)
        .config_schema(TechRadarConfig::schema())
        .asset(Asset::new(
            "radar.js",
            include_bytes!("../assets/radar.js").as_slice(),
        ))
        .asset(Asset::new(
            "radar.css",
            include_bytes!("../assets/radar.css").as_slice(),
        ))
        .extension(page::page_extension())
}

// Opt-in discovery: an app that calls `AppBuilder::discover_plugins` and
// links this crate gets the radar without naming it.
backstage_frontend::register_plugin!(plugin());
