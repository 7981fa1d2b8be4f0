//! The scheduler service: global tasks over every configured database
//! (SQLite always; PostgreSQL and MySQL when BACKSTAGE_TEST_* name them),
//! local tasks, cron, triggers, cancellation, timeouts and shutdown.

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use backstage_backend::services::database::{DatabaseManager, Dialect};
use backstage_backend::services::scheduler::{
    SCHEDULER, SchedulerError, Scope, TaskDefinition, TaskSchedule,
};
use backstage_backend::{Backend, BackendPlugin, BoxError, RunningBackend};
use backstage_core::config::Config;
use serde_json::{Value, json};
use sqlx::AssertSqlSafe;

use crate::database::{Server, cleanup, servers, unique_prefix};
use crate::support::{TEST_TOKEN, client, static_token};

/// One run of a task: which backend ran it, and when.
#[derive(Clone, Debug)]
struct Run {
    backend: &'static str,
    start: Instant,
    end: Option<Instant>,
}

type Runs = Arc<Mutex<Vec<Run>>>;

fn runs() -> Runs {
    Arc::new(Mutex::new(Vec::new()))
}

fn snapshot(runs: &Runs) -> Vec<Run> {
    runs.lock().unwrap().clone()
}

/// A plugin `ticker` scheduling task `tick`, whose runs are logged in `runs`
/// and take `work` (or until cancelled).
fn ticker(
    backend: &'static str,
    schedule: TaskSchedule,
    runs: Runs,
    work: Duration,
) -> BackendPlugin {
    BackendPlugin::builder("ticker").init(move |ctx| {
        let schedule = schedule.clone();
        let runs = Arc::clone(&runs);
        async move {
            let scheduler = ctx.service(&SCHEDULER).await?;
            scheduler
                .schedule_task(TaskDefinition::new("tick", schedule, move |cancel| {
                    let runs = Arc::clone(&runs);
                    async move {
                        let index = {
                            let mut runs = runs.lock().unwrap();
                            runs.push(Run {
                                backend,
                                start: Instant::now(),
                                end: None,
                            });
                            runs.len() - 1
                        };
                        tokio::select! {
                            _ = tokio::time::sleep(work) => {}
                            _ = cancel.cancelled() => {}
                        }
                        runs.lock().unwrap()[index].end = Some(Instant::now());
                        Ok(())
                    }
                }))
                .await?;
            Ok::<_, BoxError>(())
        }
    })
}

/// The `backend` config of a database several backends share: the server's
/// own for PostgreSQL and MySQL, a directory of files for SQLite.
fn shared_database(server: &Server, prefix: &str, dir: &std::path::Path) -> Value {
    let mut section = match server.dialect {
        Dialect::Sqlite => json!({"client": "sqlite", "connection": {"directory": dir}}),
        _ => server.section.clone(),
    };
    section["prefix"] = json!(prefix);
    json!({"backend": {"database": section}})
}

async fn start(plugin: BackendPlugin, extra: Value) -> RunningBackend {
    crate::support::start(Backend::builder().add(plugin), extra).await
}

/// Waits until `check` holds, failing with `what` after `deadline`.
async fn wait_until(what: &str, deadline: Duration, mut check: impl FnMut() -> bool) {
    let until = Instant::now() + deadline;
    while !check() {
        assert!(Instant::now() < until, "timed out waiting until {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Runs `body` against every configured database, each with its own prefix
/// and a clean-up afterwards.
async fn for_each_server<F, Fut>(test: &str, body: F)
where
    F: Fn(Server, Value) -> Fut,
    Fut: Future<Output = ()>,
{
    for server in servers() {
        let prefix = unique_prefix(test);
        let dir = tempfile::tempdir().unwrap();
        println!("{test}: {}", server.name);
        body(
            server.clone(),
            shared_database(&server, &prefix, dir.path()),
        )
        .await;
        cleanup(&server, &prefix).await;
    }
}

fn assert_one_at_a_time(runs: &[Run], interval: Duration) {
    for pair in runs.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        let end = a.end.expect("a run that was followed by another has ended");
        assert!(
            b.start >= end,
            "two runs overlapped: {a:?} and {b:?} (a global task must run on one backend at a time)"
        );
        // Each period has one run: two replicas each running the task
        // would start runs a few milliseconds apart.
        assert!(
            b.start - a.start >= interval / 2,
            "two runs started {:?} apart, with an interval of {interval:?}: {a:?} {b:?}",
            b.start - a.start
        );
    }
}

#[tokio::test]
async fn a_global_task_runs_on_one_backend_at_a_time_and_moves_when_it_stops() {
    for_each_server("global", |_server, config| async move {
        // Runs are short next to the interval: a second run in one period
        // would start right after the first ends (~50 ms), while a run that
        // merely started late on a busy machine still leaves a gap of
        // hundreds of milliseconds.
        let interval = Duration::from_millis(800);
        let schedule = TaskSchedule::every(interval).timeout(Duration::from_secs(10));
        let log = runs();
        let work = Duration::from_millis(50);
        let one = start(
            ticker("one", schedule.clone(), Arc::clone(&log), work),
            config.clone(),
        )
        .await;
        let two = start(
            ticker("two", schedule.clone(), Arc::clone(&log), work),
            config.clone(),
        )
        .await;
        wait_until("six runs", Duration::from_secs(20), || {
            snapshot(&log).len() >= 6
        })
        .await;
        // Stop whichever backend ran last: the other one must take over.
        let last = snapshot(&log).last().unwrap().backend;
        let (stopped, survivor, survivor_name) = if last == "one" {
            (one, two, "two")
        } else {
            (two, one, "one")
        };
        stopped.stop().await;
        let stopped_at = Instant::now();
        let before = snapshot(&log).len();
        wait_until("three runs after the stop", Duration::from_secs(20), || {
            snapshot(&log).len() >= before + 3
        })
        .await;
        let all = snapshot(&log);
        for run in all.iter().filter(|run| run.start > stopped_at) {
            assert_eq!(run.backend, survivor_name, "a stopped backend ran {run:?}");
        }
        survivor.stop().await;
        assert_one_at_a_time(&snapshot(&log), interval);
    })
    .await;
}

/// A replica that died while running a task leaves its claim behind; the
/// claim expires after the task's timeout and another replica runs it.
#[tokio::test]
async fn a_dead_replicas_claim_expires_and_another_takes_over() {
    for_each_server("lease", |_server, config| async move {
        let schedule = TaskSchedule::every(Duration::from_millis(200)).timeout(Duration::from_secs(1));
        // A first backend creates the task table and row, then goes away.
        let log = runs();
        let first = start(
            ticker("first", schedule.clone(), Arc::clone(&log), Duration::ZERO),
            config.clone(),
        )
        .await;
        wait_until("a first run", Duration::from_secs(10), || !snapshot(&log).is_empty()).await;
        first.stop().await;

        // A crashed replica's claim: held, due to expire in 3 s (lease =
        // timeout + 2 s grace), on the database's own clock.
        let manager = DatabaseManager::new(Arc::new(Config::from_value(config.clone())));
        let database = manager.for_plugin("ticker").unwrap();
        let pool = database.pool().await.unwrap();
        let now = (std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis()) as i64;
        sqlx::query(AssertSqlSafe(format!(
            "UPDATE backstage_backend_tasks__tasks SET current_run_ticket = 'crashed', \
             current_run_started_at = {now}, current_run_expires_at = {}, next_run_start_at = {now} \
             WHERE id = 'tick'",
            now + 3000
        )))
        .execute(pool)
        .await
        .unwrap();
        database.close().await;

        let log = runs();
        let began = Instant::now();
        let second = start(
            ticker("second", schedule.clone(), Arc::clone(&log), Duration::ZERO),
            config.clone(),
        )
        .await;
        wait_until("a run after the claim expired", Duration::from_secs(15), || {
            !snapshot(&log).is_empty()
        })
        .await;
        let waited = snapshot(&log)[0].start - began;
        assert!(
            waited >= Duration::from_millis(2000),
            "the task ran after {waited:?}, while a live claim was held until 3 s"
        );
        second.stop().await;
    })
    .await;
}

#[tokio::test]
async fn local_tasks_run_on_every_backend() {
    let schedule = TaskSchedule::every(Duration::from_millis(100)).scope(Scope::Local);
    let log = runs();
    let one = start(
        ticker("one", schedule.clone(), Arc::clone(&log), Duration::ZERO),
        json!({}),
    )
    .await;
    let two = start(
        ticker("two", schedule, Arc::clone(&log), Duration::ZERO),
        json!({}),
    )
    .await;
    wait_until("runs on both backends", Duration::from_secs(10), || {
        let all = snapshot(&log);
        all.iter().filter(|r| r.backend == "one").count() >= 3
            && all.iter().filter(|r| r.backend == "two").count() >= 3
    })
    .await;
    one.stop().await;
    two.stop().await;
}

#[tokio::test]
async fn cron_tasks_run_at_matching_seconds() {
    for scope in [Scope::Local, Scope::Global] {
        let schedule = TaskSchedule::cron("* * * * * *").unwrap().scope(scope);
        let log = runs();
        let backend = start(
            ticker("cron", schedule, Arc::clone(&log), Duration::ZERO),
            json!({}),
        )
        .await;
        wait_until("two cron runs", Duration::from_secs(8), || {
            snapshot(&log).len() >= 2
        })
        .await;
        backend.stop().await;
        let all = snapshot(&log);
        assert!(
            all[1].start - all[0].start >= Duration::from_millis(500),
            "a cron task firing every second ran twice within {:?}",
            all[1].start - all[0].start
        );
    }
}

/// POST to the scheduler API of plugin `ticker`.
async fn post(backend: &RunningBackend, path: &str) -> (u16, Value) {
    let response = client()
        .post(format!(
            "{}/api/ticker/.backstage/scheduler/v1/tasks/{path}",
            backend.url()
        ))
        .bearer_auth(TEST_TOKEN)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn task_list(backend: &RunningBackend) -> Value {
    let (status, body) = crate::support::get_json(
        backend,
        "/api/ticker/.backstage/scheduler/v1/tasks",
        Some(TEST_TOKEN),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body["tasks"][0].clone()
}

#[tokio::test]
async fn manual_tasks_run_when_triggered_and_cancel_through_the_api() {
    for scope in [Scope::Global, Scope::Local] {
        let log = runs();
        let backend = start(
            ticker(
                "manual",
                TaskSchedule::manual().scope(scope),
                Arc::clone(&log),
                Duration::from_secs(30),
            ),
            static_token(),
        )
        .await;
        let task = task_list(&backend).await;
        assert_eq!(task["taskId"], "tick");
        assert_eq!(task["pluginId"], "ticker");
        assert_eq!(task["scope"], scope.as_str());
        assert_eq!(task["settings"]["cadence"], "manual");
        assert_eq!(task["taskState"]["status"], "idle");
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert!(snapshot(&log).is_empty(), "a manual task ran untriggered");

        // The API needs a credential like every plugin route.
        let refused = client()
            .post(format!(
                "{}/api/ticker/.backstage/scheduler/v1/tasks/tick/trigger",
                backend.url()
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status().as_u16(), 401);

        assert_eq!(post(&backend, "tick/trigger").await.0, 200);
        wait_until("the triggered run", Duration::from_secs(10), || {
            !snapshot(&log).is_empty()
        })
        .await;
        let (status, body) = post(&backend, "tick/trigger").await;
        assert_eq!(status, 409, "triggering a running task: {body}");
        assert_eq!(body["error"]["name"], "ConflictError");
        let (status, body) = post(&backend, "nope/trigger").await;
        assert_eq!(status, 404, "{body}");
        assert_eq!(body["error"]["name"], "NotFoundError");
        let running = task_list(&backend).await;
        assert_eq!(running["taskState"]["status"], "running", "{running}");
        assert_eq!(running["workerState"]["status"], "running", "{running}");

        let (status, body) = post(&backend, "tick/cancel").await;
        assert_eq!((status, body["cancelled"].as_bool()), (200, Some(true)));
        wait_until("the cancelled run to end", Duration::from_secs(10), || {
            snapshot(&log)[0].end.is_some()
        })
        .await;
        // The run lasted until the cancellation, not its 30 s of work.
        let run = &snapshot(&log)[0];
        assert!(run.end.unwrap() - run.start < Duration::from_secs(10));
        let mut after = Value::Null;
        for _ in 0..200 {
            after = task_list(&backend).await;
            if after["taskState"]["status"] == "idle" {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert_eq!(
            after["taskState"]["lastRunError"]["message"], "Task was cancelled",
            "{after}"
        );
        assert!(after["taskState"]["lastRunEndedAt"].is_string(), "{after}");
        backend.stop().await;
    }
}

/// A plugin whose task runs `body` on every run.
fn plugin_with_task<F, Fut>(schedule: TaskSchedule, body: F) -> BackendPlugin
where
    F: Fn(backstage_backend::services::scheduler::CancellationToken) -> Fut
        + Clone
        + Send
        + Sync
        + 'static,
    Fut: Future<Output = Result<(), BoxError>> + Send + 'static,
{
    BackendPlugin::builder("ticker").init(move |ctx| {
        let schedule = schedule.clone();
        let body = body.clone();
        async move {
            let scheduler = ctx.service(&SCHEDULER).await?;
            scheduler
                .schedule_task(TaskDefinition::new("tick", schedule, body))
                .await?;
            Ok::<_, BoxError>(())
        }
    })
}

#[tokio::test]
async fn a_run_past_its_timeout_is_cancelled_and_the_next_one_runs() {
    let cancelled = Arc::new(Mutex::new(0u32));
    let seen = Arc::clone(&cancelled);
    let plugin = plugin_with_task(
        TaskSchedule::every(Duration::from_millis(100)).timeout(Duration::from_millis(200)),
        move |cancel| {
            let seen = Arc::clone(&seen);
            async move {
                cancel.cancelled().await;
                *seen.lock().unwrap() += 1;
                Ok(())
            }
        },
    );
    let backend = crate::support::start(Backend::builder().add(plugin), static_token()).await;
    wait_until(
        "two runs cancelled by their timeout",
        Duration::from_secs(10),
        || *cancelled.lock().unwrap() >= 2,
    )
    .await;
    let task = task_list(&backend).await;
    let message = task["taskState"]["lastRunError"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(message.contains("timed out"), "{task}");
    backend.stop().await;
}

#[tokio::test]
async fn failing_and_panicking_runs_are_recorded_and_the_task_goes_on() {
    let count = Arc::new(Mutex::new(0u32));
    let seen = Arc::clone(&count);
    let plugin = plugin_with_task(
        TaskSchedule::every(Duration::from_millis(50)).scope(Scope::Local),
        move |_| {
            let seen = Arc::clone(&seen);
            async move {
                let n = {
                    let mut n = seen.lock().unwrap();
                    *n += 1;
                    *n
                };
                match n {
                    1 => Err("the upstream API answered 502".into()),
                    2 => panic!("index out of range"),
                    _ => Ok(()),
                }
            }
        },
    );
    let backend = crate::support::start(Backend::builder().add(plugin), static_token()).await;
    wait_until("a run after the panic", Duration::from_secs(10), || {
        *count.lock().unwrap() >= 3
    })
    .await;
    backend.stop().await;
}

#[tokio::test]
async fn shutdown_cancels_running_tasks_and_does_not_wait_for_stubborn_ones() {
    let observed = Arc::new(Mutex::new(false));
    let seen = Arc::clone(&observed);
    let polite = plugin_with_task(
        TaskSchedule::every(Duration::from_secs(60)),
        move |cancel| {
            let seen = Arc::clone(&seen);
            async move {
                cancel.cancelled().await;
                *seen.lock().unwrap() = true;
                Ok(())
            }
        },
    );
    let stubborn = BackendPlugin::builder("stubborn").init(|ctx| async move {
        ctx.service(&SCHEDULER)
            .await?
            .schedule_task(TaskDefinition::new(
                "ignores-cancellation",
                TaskSchedule::every(Duration::from_secs(60)).scope(Scope::Local),
                |_| async {
                    tokio::time::sleep(Duration::from_secs(3600)).await;
                    Ok(())
                },
            ))
            .await?;
        Ok::<_, BoxError>(())
    });
    let backend =
        crate::support::start(Backend::builder().add(polite).add(stubborn), json!({})).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let stopping = Instant::now();
    backend.stop().await;
    assert!(
        *observed.lock().unwrap(),
        "the running task was not told to stop"
    );
    assert!(
        stopping.elapsed() < Duration::from_secs(8),
        "stopping took {:?}: a task ignoring its cancellation held up shutdown",
        stopping.elapsed()
    );
}

#[tokio::test]
async fn bad_task_definitions_are_refused_with_a_reason() {
    let database = Arc::new(
        DatabaseManager::new(Arc::new(Config::from_value(json!({}))))
            .for_plugin("ticker")
            .unwrap(),
    );
    let scheduler = backstage_backend::services::scheduler::PluginScheduler::new(database);
    use backstage_backend::services::scheduler::SchedulerService as _;
    let task = |id: &str, schedule: TaskSchedule| {
        TaskDefinition::new(id, schedule, |_| async { Ok::<_, BoxError>(()) })
    };
    let hourly = TaskSchedule::every(Duration::from_secs(3600));
    scheduler
        .schedule_task(task("refresh", hourly.clone()))
        .await
        .unwrap();
    let duplicate = scheduler
        .schedule_task(task("refresh", hourly.clone()))
        .await
        .unwrap_err();
    assert!(matches!(duplicate, SchedulerError::Duplicate { .. }));
    assert!(duplicate.to_string().contains("'refresh'"), "{duplicate}");
    for bad in ["", "a/b", &"x".repeat(256)] {
        let error = scheduler
            .schedule_task(task(bad, hourly.clone()))
            .await
            .unwrap_err();
        assert!(matches!(error, SchedulerError::InvalidId { .. }), "{error}");
    }
    let error = scheduler
        .schedule_task(task("zero", TaskSchedule::every(Duration::ZERO)))
        .await
        .unwrap_err();
    assert!(error.to_string().contains("longer than zero"), "{error}");
    let error = TaskSchedule::cron("every monday").unwrap_err();
    assert!(error.to_string().contains("five fields"), "{error}");
    assert!(matches!(
        scheduler.trigger("missing").await,
        Err(SchedulerError::NotFound { .. })
    ));
    scheduler.shutdown().await;
    let late = scheduler
        .schedule_task(task("late", hourly))
        .await
        .unwrap_err();
    assert!(
        matches!(late, SchedulerError::ShuttingDown { .. }),
        "{late}"
    );
}

/// A plugin whose database is unreachable cannot register a global task:
/// startup fails, naming the plugin.
#[tokio::test]
async fn a_global_task_on_an_unreachable_database_stops_startup() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let plugin = plugin_with_task(TaskSchedule::every(Duration::from_secs(60)), |_| async {
        Ok(())
    });
    let message = crate::support::start_err(
        Backend::builder().add(plugin),
        json!({"backend": {"database": {
            "client": "pg",
            "connection": format!("postgres://nobody@127.0.0.1:{port}/x"),
            "pool": {"acquireTimeout": 1000}
        }}}),
    )
    .await;
    assert!(message.contains("ticker"), "{message}");
}
