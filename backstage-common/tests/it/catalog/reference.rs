//! Backstage's own example entities (read from ../shared/reference beside
//! the workspace when present): all are accepted except the deliberately
//! invalid component, which is refused with its problems named.

use std::path::{Path, PathBuf};

use backstage_common::catalog::{Entity, Rule, spec_relations};

use super::yaml_documents;

fn examples_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/reference/catalog-examples");
    if dir.is_dir() {
        return Some(dir);
    }
    let why = format!("{} is absent", dir.display());
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("the reference examples are required in CI, but {why}");
    }
    println!("skipped the Backstage reference-example check: {why}");
    None
}

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            yaml_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "yaml") {
            out.push(path);
        }
    }
}

#[test]
fn every_reference_example_is_accepted_except_the_invalid_one() {
    let Some(dir) = examples_dir() else { return };
    let mut files = Vec::new();
    yaml_files(&dir, &mut files);
    files.sort();
    assert!(
        files.len() >= 40,
        "only {} example files found in {}",
        files.len(),
        dir.display()
    );

    let mut entities = 0;
    let mut refused = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        let relative = file
            .strip_prefix(&dir)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        for doc in yaml_documents(&text) {
            match Entity::from_value_validated(doc) {
                Ok(entity) => {
                    entities += 1;
                    // The relations of every accepted example can be derived.
                    spec_relations(&entity).unwrap_or_else(|e| panic!("{relative}: {e}"));
                }
                Err(err) => refused.push((relative.clone(), err)),
            }
        }
    }
    assert!(entities >= 62, "only {entities} entities accepted");
    assert_eq!(refused.len(), 1, "refused: {refused:#?}");
    let (file, err) = &refused[0];
    assert_eq!(file, "components/invalid-component.yaml");
    let problems: Vec<_> = err
        .problems
        .iter()
        .map(|p| (p.path.as_str(), p.rule))
        .collect();
    assert_eq!(
        problems,
        [
            ("metadata.name", Rule::EntityName),
            ("metadata.tags[1]", Rule::Tag)
        ],
        "{err}"
    );
    assert!(
        err.to_string().starts_with(
            "component:default/invalid component: metadata.name \"invalid component\" is not valid"
        ),
        "{err}"
    );
}
