//! Modules, extension points and their ordering.

use std::sync::{Arc, Mutex};

use backstage_backend::{
    Backend, BackendError, BackendModule, BackendPlugin, ExtensionPointRef, ModuleContext,
};
use serde_json::json;

use crate::support::{start, start_err};

/// The plugin's extension point: modules add words.
#[derive(Default)]
struct Words(Mutex<Vec<String>>);
const WORDS: ExtensionPointRef<Words> = ExtensionPointRef::new("speaker.words");

/// An extension point provided by a module.
#[derive(Default)]
struct Accents(Mutex<Vec<String>>);
const ACCENTS: ExtensionPointRef<Accents> = ExtensionPointRef::new("speaker.accents");

type Log = Arc<Mutex<Vec<String>>>;

fn speaker(log: Log) -> BackendPlugin {
    let words = Arc::new(Words::default());
    BackendPlugin::builder("speaker")
        .extension_point(&WORDS, words.clone())
        .init(move |_ctx| async move {
            let mut all = words.0.lock().unwrap().clone();
            all.sort();
            log.lock()
                .unwrap()
                .push(format!("plugin saw {}", all.join(",")));
            Ok::<_, BackendError>(())
        })
}

fn word_module(id: &'static str, log: Log) -> BackendModule {
    BackendModule::builder("speaker", id).init(move |ctx: ModuleContext| async move {
        ctx.extension_point(&WORDS)?
            .0
            .lock()
            .unwrap()
            .push(id.to_owned());
        log.lock().unwrap().push(format!("module {id}"));
        Ok::<_, BackendError>(())
    })
}

#[tokio::test]
async fn modules_contribute_before_their_plugin_starts() {
    let log: Log = Arc::default();
    let backend = start(
        Backend::builder()
            .add(speaker(log.clone()))
            .add(word_module("hello", log.clone()))
            .add(word_module("world", log.clone())),
        json!({}),
    )
    .await;
    let log = log.lock().unwrap().clone();
    assert_eq!(log.len(), 3);
    assert_eq!(log[2], "plugin saw hello,world");
    backend.stop().await;
}

#[tokio::test]
async fn a_module_that_provides_an_extension_point_runs_after_its_consumers() {
    let log: Log = Arc::default();
    let accents = Arc::new(Accents::default());
    let seen = accents.clone();
    let provider_log = log.clone();
    let provider = BackendModule::builder("speaker", "accent-provider")
        .extension_point(&ACCENTS, accents)
        .init(move |ctx: ModuleContext| async move {
            let all = seen.0.lock().unwrap().join(",");
            provider_log
                .lock()
                .unwrap()
                .push(format!("provider saw {all}"));
            ctx.extension_point(&WORDS)?
                .0
                .lock()
                .unwrap()
                .push(format!("accents:{all}"));
            Ok::<_, BackendError>(())
        });
    let consumer_log = log.clone();
    let consumer = BackendModule::builder("speaker", "scottish")
        .consumes(&ACCENTS)
        .init(move |ctx: ModuleContext| async move {
            ctx.extension_point(&ACCENTS)?
                .0
                .lock()
                .unwrap()
                .push("scottish".to_owned());
            consumer_log.lock().unwrap().push("consumer".to_owned());
            Ok::<_, BackendError>(())
        });
    // Added in the "wrong" order on purpose.
    let backend = start(
        Backend::builder()
            .add(provider)
            .add(speaker(log.clone()))
            .add(consumer),
        json!({}),
    )
    .await;
    assert_eq!(
        *log.lock().unwrap(),
        [
            "consumer",
            "provider saw scottish",
            "plugin saw accents:scottish"
        ]
    );
    backend.stop().await;
}

#[tokio::test]
async fn modules_that_consume_each_others_points_in_a_loop_are_refused() {
    const A: ExtensionPointRef<Words> = ExtensionPointRef::new("speaker.a");
    const B: ExtensionPointRef<Words> = ExtensionPointRef::new("speaker.b");
    let one = BackendModule::builder("speaker", "one")
        .extension_point(&A, Arc::default())
        .consumes(&B)
        .init(|_| async { Ok::<_, BackendError>(()) });
    let two = BackendModule::builder("speaker", "two")
        .extension_point(&B, Arc::default())
        .consumes(&A)
        .init(|_| async { Ok::<_, BackendError>(()) });
    let err = start_err(
        Backend::builder()
            .add(speaker(Arc::default()))
            .add(one)
            .add(two),
        json!({}),
    )
    .await;
    assert!(
        err.contains("modules of plugin 'speaker' depend on each other in a loop: one, two"),
        "{err}"
    );
}

#[tokio::test]
async fn using_an_extension_point_after_the_plugin_started_is_an_error() {
    let kept: Arc<Mutex<Option<ModuleContext>>> = Arc::default();
    let stash = kept.clone();
    let module =
        BackendModule::builder("speaker", "late").init(move |ctx: ModuleContext| async move {
            *stash.lock().unwrap() = Some(ctx);
            Ok::<_, BackendError>(())
        });
    let backend = start(
        Backend::builder().add(speaker(Arc::default())).add(module),
        json!({}),
    )
    .await;
    let ctx = kept.lock().unwrap().take().unwrap();
    let err = ctx.extension_point(&WORDS).err().unwrap().to_string();
    assert!(
        err.contains("used extension point 'speaker.words' after plugin 'speaker' started"),
        "{err}"
    );
    backend.stop().await;
}

#[tokio::test]
async fn extension_points_of_other_plugins_are_out_of_reach() {
    let other = BackendPlugin::builder("other").init(|_| async { Ok::<_, BackendError>(()) });
    let module = BackendModule::builder("other", "reacher")
        .init(|ctx: ModuleContext| async move { ctx.extension_point(&WORDS).map(|_| ()) });
    let err = start_err(
        Backend::builder()
            .add(speaker(Arc::default()))
            .add(other)
            .add(module),
        json!({}),
    )
    .await;
    assert!(
        err.contains("asked for extension point 'speaker.words', which plugin 'other' and its modules do not provide"),
        "{err}"
    );
}

#[tokio::test]
async fn one_extension_point_id_registered_twice_is_refused() {
    let dup = BackendModule::builder("speaker", "dup")
        .extension_point(&WORDS, Arc::default())
        .init(|_| async { Ok::<_, BackendError>(()) });
    let err = start_err(
        Backend::builder().add(speaker(Arc::default())).add(dup),
        json!({}),
    )
    .await;
    assert!(
        err.contains("extension point 'speaker.words' is registered twice, by plugin 'speaker' and by module 'speaker.dup'"),
        "{err}"
    );
}
