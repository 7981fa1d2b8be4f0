//! The scheduler service: a plugin's recurring tasks, by interval or cron,
//! with a timeout and an initial delay, run on every replica (`local`) or on
//! exactly one replica at a time (`global`, coordinated through the task
//! table in the plugin's own database), triggered or cancelled by hand, and
//! stopped when the backend shuts down.
//!
//! See the book's chapter "Scheduling tasks".
//!
//! ```
//! use std::time::Duration;
//! use backstage_backend::BackendPlugin;
//! use backstage_backend::services::scheduler::{SCHEDULER, TaskDefinition, TaskSchedule};
//!
//! let plugin = BackendPlugin::builder("weather").init(|ctx| async move {
//!     let scheduler = ctx.service(&SCHEDULER).await?;
//!     scheduler
//!         .schedule_task(TaskDefinition::new(
//!             "refresh-forecasts",
//!             TaskSchedule::every(Duration::from_secs(600)).timeout(Duration::from_secs(60)),
//!             |_cancel| async move { Ok(()) },
//!         ))
//!         .await?;
//!     Ok::<_, backstage_backend::BoxError>(())
//! });
//! ```

mod error;
mod plugin_scheduler;
mod routes;
mod schedule;
mod store;
mod task;
mod worker;

use std::sync::Arc;

pub use error::SchedulerError;
pub use plugin_scheduler::PluginScheduler;
pub use schedule::{CronExpression, DEFAULT_TIMEOUT, Frequency, Scope, TaskSchedule};
pub use task::{TaskDefinition, TaskDescriptor, TaskFn, TaskState, WorkerStatus};
pub use tokio_util::sync::CancellationToken;

use crate::service::{ServiceFactory, ServiceRef};
use crate::services::database::DATABASE;
use crate::services::{HTTP_ROUTER, LIFECYCLE};

/// Schedules a plugin's tasks.
///
/// The default implementation is [`PluginScheduler`]; an integrator may
/// provide another through [`SCHEDULER`]'s factory.
#[async_trait::async_trait]
pub trait SchedulerService: Send + Sync {
    /// Schedules a task. Task ids are unique within a plugin. A global task
    /// is registered in the plugin's task table first, so a database that
    /// cannot be reached is an error here.
    async fn schedule_task(&self, task: TaskDefinition) -> Result<(), SchedulerError>;

    /// Makes a task due now (on whichever replica claims it first). An error
    /// when it is running, or when no task has this id.
    async fn trigger(&self, id: &str) -> Result<(), SchedulerError>;

    /// Cancels a task's run in progress, on whichever replica runs it;
    /// `false` when it was not running.
    async fn cancel(&self, id: &str) -> Result<bool, SchedulerError>;

    /// The tasks this plugin scheduled on this replica, with their state.
    async fn tasks(&self) -> Result<Vec<TaskDescriptor>, SchedulerError>;
}

/// A plugin's scheduler (`core.scheduler`, plugin scope).
///
/// The default factory starts tasks when the plugin has started, stops them
/// at shutdown (before the plugin's database closes), and serves the
/// scheduler API under `/api/<pluginId>/.backstage/scheduler/v1/`.
pub const SCHEDULER: ServiceRef<dyn SchedulerService> = ServiceRef::plugin("core.scheduler")
    .with_default(|| {
        ServiceFactory::new(&SCHEDULER, |ctx| async move {
            let database = ctx.get(&DATABASE).await?;
            let lifecycle = ctx.get(&LIFECYCLE).await?;
            let router = ctx.get(&HTTP_ROUTER).await?;
            let scheduler = Arc::new(PluginScheduler::new(database));
            let starting = Arc::clone(&scheduler);
            lifecycle.add_startup_hook("start scheduled tasks", move || async move {
                starting.start();
                Ok(())
            });
            let stopping = Arc::clone(&scheduler);
            lifecycle.add_shutdown_hook("stop scheduled tasks", move || async move {
                stopping.shutdown().await;
                Ok(())
            });
            router.use_router(routes::router(
                Arc::clone(&scheduler) as Arc<dyn SchedulerService>
            ));
            Ok(scheduler as Arc<dyn SchedulerService>)
        })
    });
