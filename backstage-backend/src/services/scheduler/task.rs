//! A task: its id, schedule and function, and how it is reported.

use std::fmt;
use std::future::Future;
use std::sync::Arc;

use futures_util::future::BoxFuture;
use serde::Serialize;
use serde_json::Value;
use tokio_util::sync::CancellationToken;

use super::error::SchedulerError;
use super::schedule::{Scope, TaskSchedule};
use crate::error::BoxError;

/// The function a task runs. It gets a token that is cancelled when the run
/// must stop (timeout, cancellation, shutdown); long-running work should
/// watch it (`token.cancelled().await`) and wind down. A run that does not
/// stop within a short grace period after that is dropped.
pub type TaskFn =
    Arc<dyn Fn(CancellationToken) -> BoxFuture<'static, Result<(), BoxError>> + Send + Sync>;

/// A task to schedule: an id (unique within the plugin), when it runs, and
/// what it does.
///
/// ```
/// use std::time::Duration;
/// use backstage_backend::services::scheduler::{TaskDefinition, TaskSchedule};
///
/// let task = TaskDefinition::new(
///     "refresh-forecasts",
///     TaskSchedule::every(Duration::from_secs(600)).timeout(Duration::from_secs(60)),
///     |cancel| async move {
///         tokio::select! {
///             _ = cancel.cancelled() => {}
///             _ = tokio::time::sleep(Duration::from_millis(1)) => {}
///         }
///         Ok(())
///     },
/// );
/// assert_eq!(task.id(), "refresh-forecasts");
/// ```
#[derive(Clone)]
pub struct TaskDefinition {
    pub(crate) id: String,
    pub(crate) schedule: TaskSchedule,
    pub(crate) run: TaskFn,
}

impl fmt::Debug for TaskDefinition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaskDefinition")
            .field("id", &self.id)
            .field("schedule", &self.schedule)
            .finish_non_exhaustive()
    }
}

impl TaskDefinition {
    /// A task running `run` on `schedule`.
    pub fn new<F, Fut>(id: impl Into<String>, schedule: TaskSchedule, run: F) -> Self
    where
        F: Fn(CancellationToken) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), BoxError>> + Send + 'static,
    {
        Self {
            id: id.into(),
            schedule,
            run: Arc::new(move |token| Box::pin(run(token))),
        }
    }

    /// The task's id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The task's schedule.
    pub fn schedule(&self) -> &TaskSchedule {
        &self.schedule
    }

    pub(crate) fn validate(&self) -> Result<(), SchedulerError> {
        let invalid = |reason| SchedulerError::InvalidId {
            id: self.id.clone(),
            reason,
        };
        if self.id.trim().is_empty() {
            return Err(invalid("a task id must not be empty"));
        }
        if self.id.len() > 255 {
            return Err(invalid("a task id is at most 255 bytes long"));
        }
        if self.id.chars().any(|c| c == '/' || c.is_control()) {
            return Err(invalid(
                "a task id must not contain '/' or control characters (it is part of URLs)",
            ));
        }
        if let super::schedule::Frequency::Every(every) = &self.schedule.frequency
            && every.is_zero()
        {
            return Err(SchedulerError::InvalidSchedule(format!(
                "task '{}' runs every 0 ms; give it an interval longer than zero",
                self.id
            )));
        }
        if self.schedule.timeout.is_zero() {
            return Err(SchedulerError::InvalidSchedule(format!(
                "task '{}' has a timeout of 0 ms; give it a timeout longer than zero",
                self.id
            )));
        }
        Ok(())
    }
}

/// What a worker on this replica is doing with a task.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum WorkerStatus {
    /// Waiting for the plugin to start, or for the initial delay.
    InitialWait,
    /// Waiting for the next run (or, for a global task, for its turn).
    Idle,
    /// Running the task on this replica.
    Running,
}

/// The state of a task as all replicas see it (for a local task: as this
/// replica sees it). Times are epoch milliseconds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TaskState {
    /// When the current run started, while it runs (on any replica).
    pub running_since: Option<i64>,
    /// When the current run times out, while it runs.
    pub times_out_at: Option<i64>,
    /// When the next run may start; `None` while it runs, or for a manual
    /// task that was not triggered.
    pub starts_at: Option<i64>,
    /// When the last run ended.
    pub last_run_ended_at: Option<i64>,
    /// Why the last run failed, if it did.
    pub last_run_error: Option<String>,
}

/// A scheduled task, as [`SchedulerService::tasks`] and
/// `GET /api/<pluginId>/.backstage/scheduler/v1/tasks` report it.
///
/// [`SchedulerService::tasks`]: super::SchedulerService::tasks
#[derive(Clone, Debug, PartialEq)]
pub struct TaskDescriptor {
    /// The task id.
    pub id: String,
    /// The plugin that scheduled it.
    pub plugin_id: String,
    /// Global or local.
    pub scope: Scope,
    /// Backstage's settings document: `{version: 2, cadence,
    /// timeoutAfterDuration, initialDelayDuration?}`.
    pub settings: Value,
    /// The task's state.
    pub state: TaskState,
    /// What this replica's worker is doing.
    pub worker: WorkerStatus,
}

impl TaskDescriptor {
    /// The JSON form Backstage's scheduler API uses (times as ISO 8601).
    pub fn to_json(&self) -> Value {
        let time = |ms: Option<i64>| {
            ms.and_then(chrono::DateTime::from_timestamp_millis)
                .map(|t| Value::String(t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)))
        };
        let mut task_state = serde_json::Map::new();
        let status = if self.state.running_since.is_some() {
            "running"
        } else {
            "idle"
        };
        task_state.insert("status".to_owned(), Value::from(status));
        for (key, value) in [
            ("startedAt", time(self.state.running_since)),
            ("timesOutAt", time(self.state.times_out_at)),
            ("startsAt", time(self.state.starts_at)),
            ("lastRunEndedAt", time(self.state.last_run_ended_at)),
        ] {
            if let Some(value) = value {
                task_state.insert(key.to_owned(), value);
            }
        }
        if let Some(error) = &self.state.last_run_error {
            task_state.insert(
                "lastRunError".to_owned(),
                serde_json::json!({"name": "Error", "message": error}),
            );
        }
        serde_json::json!({
            "taskId": self.id,
            "pluginId": self.plugin_id,
            "scope": self.scope.as_str(),
            "settings": self.settings,
            "taskState": task_state,
            "workerState": {"status": self.worker},
        })
    }
}
