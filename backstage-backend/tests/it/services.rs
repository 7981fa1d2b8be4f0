//! Service refs: defaults, replacement, lazy per-plugin instances, scopes,
//! cycles, two copies of a library, discovery.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use backstage_backend::service::{ServiceFactory, ServiceRef};
use backstage_backend::services::{DISCOVERY, PLUGIN_METADATA};
use backstage_backend::{Backend, BackendError, BackendPlugin};
use serde_json::json;

use crate::support::{config, start, start_err};

trait Greeter: Send + Sync {
    fn greet(&self) -> String;
}

struct Default_(String);
impl Greeter for Default_ {
    fn greet(&self) -> String {
        format!("hello from {}", self.0)
    }
}

static CREATED: AtomicUsize = AtomicUsize::new(0);

const GREETER: ServiceRef<dyn Greeter> = ServiceRef::plugin("test.greeter").with_default(|| {
    ServiceFactory::new(&GREETER, |ctx| async move {
        CREATED.fetch_add(1, Ordering::SeqCst);
        let meta = ctx.get(&PLUGIN_METADATA).await?;
        Ok(Arc::new(Default_(meta.id().to_owned())) as Arc<dyn Greeter>)
    })
});

fn greeting_plugin(id: &'static str, out: Arc<std::sync::Mutex<Vec<String>>>) -> BackendPlugin {
    BackendPlugin::builder(id).init(move |ctx| async move {
        let first = ctx.service(&GREETER).await?;
        let again = ctx.service(&GREETER).await?;
        assert!(Arc::ptr_eq(&first, &again), "one instance per plugin");
        out.lock().unwrap().push(first.greet());
        Ok::<_, BackendError>(())
    })
}

#[tokio::test]
async fn default_factories_make_one_instance_per_plugin_lazily() {
    let out = Arc::new(std::sync::Mutex::new(Vec::new()));
    let before = CREATED.load(Ordering::SeqCst);
    let lazy = BackendPlugin::builder("lazy").init(|_| async { Ok::<_, BackendError>(()) });
    let backend = start(
        Backend::builder()
            .add(greeting_plugin("one", out.clone()))
            .add(greeting_plugin("two", out.clone()))
            .add(lazy),
        json!({}),
    )
    .await;
    let mut greetings = out.lock().unwrap().clone();
    greetings.sort();
    assert_eq!(greetings, ["hello from one", "hello from two"]);
    // Two plugins asked, the third did not: two instances.
    assert_eq!(CREATED.load(Ordering::SeqCst) - before, 2);
    backend.stop().await;
}

struct French;
impl Greeter for French {
    fn greet(&self) -> String {
        "bonjour".to_owned()
    }
}

#[tokio::test]
async fn integrators_replace_a_factory() {
    let out = Arc::new(std::sync::Mutex::new(Vec::new()));
    let backend = start(
        Backend::builder()
            .add(greeting_plugin("one", out.clone()))
            .service(ServiceFactory::instance(
                &GREETER,
                Arc::new(French) as Arc<dyn Greeter>,
            )),
        json!({}),
    )
    .await;
    assert_eq!(*out.lock().unwrap(), ["bonjour"]);
    backend.stop().await;
}

#[tokio::test]
async fn two_factories_for_one_service_are_refused() {
    let err = Backend::builder()
        .service(ServiceFactory::instance(
            &GREETER,
            Arc::new(French) as Arc<dyn Greeter>,
        ))
        .service(ServiceFactory::instance(
            &GREETER,
            Arc::new(French) as Arc<dyn Greeter>,
        ))
        .config(config(json!({})))
        .start()
        .await
        .unwrap_err();
    assert!(
        matches!(err, BackendError::DuplicateService { .. }),
        "{err}"
    );
    assert!(
        err.to_string()
            .starts_with("service 'test.greeter' has two factories"),
        "{err}"
    );
}

/// The "same" service as defined by a second copy of the library: same id,
/// another Rust type.
mod other_copy {
    pub(super) trait Greeter: Send + Sync {}
    pub(super) const GREETER: backstage_backend::service::ServiceRef<dyn Greeter> =
        backstage_backend::service::ServiceRef::plugin("test.copied");
}

/// The first copy's ref for the same id.
const COPIED: ServiceRef<dyn Greeter> = ServiceRef::plugin("test.copied").with_default(|| {
    ServiceFactory::new(&COPIED, |_| async {
        Ok(Arc::new(French) as Arc<dyn Greeter>)
    })
});

#[tokio::test]
async fn two_copies_of_a_service_library_are_detected() {
    let mixed = BackendPlugin::builder("mixed").init(|ctx| async move {
        ctx.service(&COPIED).await?;
        ctx.service(&other_copy::GREETER).await.map(|_| ())
    });
    let err = start_err(Backend::builder().add(mixed), json!({})).await;
    assert!(
        err.contains("'test.copied' is used with two different Rust types"),
        "{err}"
    );
    assert!(err.contains("two copies (versions)"), "{err}");
}

#[tokio::test]
async fn a_missing_service_names_itself_and_who_needed_it() {
    const NOWHERE: ServiceRef<String> = ServiceRef::plugin("test.nowhere");
    let needy = BackendPlugin::builder("needy")
        .init(|ctx| async move { ctx.service(&NOWHERE).await.map(|_| ()) });
    let err = start_err(Backend::builder().add(needy), json!({})).await;
    assert!(err.contains("plugin 'needy' failed to start"), "{err}");
    assert!(
        err.contains("no factory for service 'test.nowhere' (needed by plugin 'needy')"),
        "{err}"
    );
}

const LOOP_A: ServiceRef<String> = ServiceRef::root("test.loopA").with_default(|| {
    ServiceFactory::new(&LOOP_A, |ctx| async move {
        Ok(Arc::new((*ctx.get(&LOOP_B).await?).clone()))
    })
});
const LOOP_B: ServiceRef<String> = ServiceRef::root("test.loopB").with_default(|| {
    ServiceFactory::new(&LOOP_B, |ctx| async move {
        Ok(Arc::new((*ctx.get(&LOOP_A).await?).clone()))
    })
});

#[tokio::test]
async fn circular_service_dependencies_are_reported() {
    let looping = BackendPlugin::builder("looping")
        .init(|ctx| async move { ctx.service(&LOOP_A).await.map(|_| ()) });
    let err = start_err(Backend::builder().add(looping), json!({})).await;
    assert!(
        err.contains("circular service dependency: test.loopA -> test.loopB -> test.loopA"),
        "{err}"
    );
}

const ROOT_WANTS_PLUGIN: ServiceRef<String> = ServiceRef::root("test.rootWantsPlugin")
    .with_default(|| {
        ServiceFactory::new(&ROOT_WANTS_PLUGIN, |ctx| async move {
            let meta = ctx.get(&PLUGIN_METADATA).await?;
            Ok(Arc::new(meta.id().to_owned()))
        })
    });

#[tokio::test]
async fn root_services_cannot_depend_on_plugin_services() {
    let p = BackendPlugin::builder("scoped")
        .init(|ctx| async move { ctx.service(&ROOT_WANTS_PLUGIN).await.map(|_| ()) });
    let err = start_err(Backend::builder().add(p), json!({})).await;
    assert!(
        err.contains("root service 'test.rootWantsPlugin' cannot depend on plugin-scoped service 'core.pluginMetadata'"),
        "{err}"
    );
}

#[tokio::test]
async fn discovery_defaults_and_overrides() {
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let out = seen.clone();
    let p = BackendPlugin::builder("finder").init(move |ctx| async move {
        let d = ctx.service(&DISCOVERY).await?;
        out.lock().unwrap().extend([
            d.base_url("catalog"),
            d.external_base_url("catalog"),
            d.base_url("search"),
            d.external_base_url("search"),
            d.base_url("moved"),
        ]);
        Ok::<_, BackendError>(())
    });
    let backend = start(
        Backend::builder().add(p),
        json!({"discovery": {"endpoints": [
            {"target": {"internal": "http://search.internal/api/{{pluginId}}", "external": "https://search.example.com/api/{{ pluginId }}"}, "plugins": ["search"]},
            {"target": "http://other:7007/api/{{pluginId}}", "plugins": ["moved"]}
        ]}}),
    )
    .await;
    let port = backend.address().port();
    assert_eq!(
        *seen.lock().unwrap(),
        [
            format!("http://127.0.0.1:{port}/api/catalog"),
            "http://portal.example.com/api/catalog".to_owned(),
            "http://search.internal/api/search".to_owned(),
            "https://search.example.com/api/search".to_owned(),
            "http://other:7007/api/moved".to_owned(),
        ]
    );
    backend.stop().await;
}
