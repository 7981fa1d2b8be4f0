//! Errors of the scheduler service.

use crate::services::database::DatabaseError;

/// What went wrong scheduling, triggering or cancelling a task.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SchedulerError {
    /// A schedule cannot be used (a malformed cron expression, a zero
    /// interval, ...).
    #[error("invalid task schedule: {0}")]
    InvalidSchedule(String),
    /// A task id is malformed.
    #[error("invalid task id {id:?}: {reason}")]
    InvalidId {
        /// The id.
        id: String,
        /// What is wrong.
        reason: &'static str,
    },
    /// The plugin already scheduled a task with this id.
    #[error(
        "task '{task}' of plugin '{plugin}' is already scheduled; give each task of a plugin its own id"
    )]
    Duplicate {
        /// The plugin.
        plugin: String,
        /// The task id.
        task: String,
    },
    /// No task with this id is scheduled in this plugin.
    #[error("plugin '{plugin}' has no scheduled task '{task}'")]
    NotFound {
        /// The plugin.
        plugin: String,
        /// The task id.
        task: String,
    },
    /// The task is running, so it cannot be triggered now.
    #[error("task '{task}' of plugin '{plugin}' is currently running")]
    Running {
        /// The plugin.
        plugin: String,
        /// The task id.
        task: String,
    },
    /// The backend is shutting down; no new tasks are accepted.
    #[error("plugin '{plugin}' is shutting down; task '{task}' was not scheduled")]
    ShuttingDown {
        /// The plugin.
        plugin: String,
        /// The task id.
        task: String,
    },
    /// The plugin's database, which coordinates global tasks, failed.
    #[error("the task table of plugin '{plugin}' could not be used: {source}")]
    Database {
        /// The plugin.
        plugin: String,
        /// The database error.
        #[source]
        source: DatabaseError,
    },
}
