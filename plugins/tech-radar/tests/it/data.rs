//! Radar data from config or a file, and the errors for bad data.

use backstage_frontend::app::AppError;
use serde_json::json;

use super::support::*;

fn error_of(tech_radar: serde_json::Value) -> String {
    match app_with(tech_radar) {
        Ok(_) => panic!("expected an error"),
        Err(err) => err.to_string(),
    }
}

#[test]
fn inline_config_and_the_sample_both_work() {
    let app = app_with(radar_config()).unwrap();
    assert_eq!(app.page_paths(), ["/tech-radar"]);
    assert_eq!(app.nav_items()[0].href, "/tech-radar");
    let app = backstage_frontend::App::builder()
        .plugin(backstage_plugin_tech_radar::plugin())
        .build()
        .unwrap();
    assert_eq!(app.page_paths(), ["/tech-radar"]);
}

#[test]
fn data_can_come_from_a_json_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("radar.json");
    std::fs::write(&file, radar_config().to_string()).unwrap();
    app_with(json!({"file": file.to_str().unwrap()})).unwrap();

    let err = error_of(json!({"file": dir.path().join("missing.json").to_str().unwrap()}));
    assert!(
        err.contains("techRadar.file: cannot read") && err.contains("missing.json"),
        "{err}"
    );
    std::fs::write(&file, "{\"quadrants\": 5}").unwrap();
    let err = error_of(json!({"file": file.to_str().unwrap()}));
    assert!(err.contains("is not radar data"), "{err}");
    let mut both = radar_config();
    both["file"] = json!("radar.json");
    assert!(error_of(both).contains("not both"));
}

#[test]
fn bad_data_names_the_entry_and_key() {
    let mut wrong_quadrant = radar_config();
    wrong_quadrant["entries"][1]["quadrant"] = json!("nowhere");
    let err = error_of(wrong_quadrant);
    assert!(err.contains("extension 'page:tech-radar' failed"), "{err}");
    assert!(
        err.contains("techRadar.entries[1].quadrant: entry 'cobol' is in quadrant 'nowhere'"),
        "{err}"
    );

    let mut wrong_ring = radar_config();
    wrong_ring["entries"][0]["timeline"][0]["ringId"] = json!("maybe");
    assert!(
        error_of(wrong_ring)
            .contains("techRadar.entries[0].timeline[0].ringId: entry 'rust' is in ring 'maybe'")
    );

    let mut three = radar_config();
    three["quadrants"].as_array_mut().unwrap().pop();
    assert!(error_of(three).contains("a radar has 4 quadrants, not 3"));

    let mut dup = radar_config();
    dup["entries"][1]["id"] = json!("rust");
    assert!(error_of(dup).contains("techRadar.entries: id 'rust' is used twice"));

    let mut color = radar_config();
    color["rings"][0]["color"] = json!("red; background: url(x)");
    assert!(error_of(color).contains("techRadar.rings[0].color"));

    let mut no_timeline = radar_config();
    no_timeline["entries"][2]["timeline"] = json!([]);
    assert!(error_of(no_timeline).contains("entry 'k8s' needs at least one timeline entry"));
}

#[test]
fn malformed_values_fail_config_validation() {
    let mut moved = radar_config();
    moved["entries"][0]["timeline"][0]["moved"] = json!(2);
    let err = app_with(moved).err().unwrap();
    assert!(
        matches!(err, AppError::Factory { .. } | AppError::Config(_)),
        "{err}"
    );
    assert!(err.to_string().contains("techRadar"), "{err}");

    let err = error_of(json!({"quadrant": []}));
    assert!(
        err.contains("techRadar") && err.contains("quadrant"),
        "{err}"
    );
}
