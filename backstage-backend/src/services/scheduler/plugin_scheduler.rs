//! [`PluginScheduler`]: the default scheduler of one plugin.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::SchedulerService;
use super::error::SchedulerError;
use super::store::TaskStore;
use super::task::{TaskDefinition, TaskDescriptor};
use super::worker::Worker;
use crate::services::database::PluginDatabase;
use crate::sync::lock;

/// The scheduler of one plugin: local tasks on this replica's clock, global
/// tasks coordinated through the task table in the plugin's database.
///
/// Tasks start running once [`start`](Self::start) is called — the backend
/// does so when the plugin has started — and stop at
/// [`shutdown`](Self::shutdown), which the backend calls when it stops.
pub struct PluginScheduler {
    plugin_id: String,
    store: Arc<TaskStore>,
    workers: Mutex<BTreeMap<String, Arc<Worker>>>,
    handles: Mutex<Vec<JoinHandle<()>>>,
    started: watch::Sender<bool>,
    shutdown: CancellationToken,
}

impl std::fmt::Debug for PluginScheduler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PluginScheduler")
            .field("plugin_id", &self.plugin_id)
            .field("tasks", &lock(&self.workers).keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

impl PluginScheduler {
    /// A scheduler for `database`'s plugin. Nothing connects to the
    /// database until a global task is scheduled.
    pub fn new(database: Arc<PluginDatabase>) -> Self {
        Self {
            plugin_id: database.plugin_id().to_owned(),
            store: Arc::new(TaskStore::new(database)),
            workers: Mutex::new(BTreeMap::new()),
            handles: Mutex::new(Vec::new()),
            started: watch::channel(false).0,
            shutdown: CancellationToken::new(),
        }
    }

    /// Lets tasks run (each after its initial delay).
    pub fn start(&self) {
        self.started.send_replace(true);
    }

    /// Stops every task: runs in progress are cancelled (and dropped if they
    /// do not stop within a short grace period), global claims are released
    /// so another replica can take over at once, and no new task is
    /// accepted.
    pub async fn shutdown(&self) {
        self.shutdown.cancel();
        let handles = std::mem::take(&mut *lock(&self.handles));
        for handle in handles {
            let _ = handle.await;
        }
    }

    fn worker(&self, id: &str) -> Result<Arc<Worker>, SchedulerError> {
        lock(&self.workers)
            .get(id)
            .cloned()
            .ok_or_else(|| SchedulerError::NotFound {
                plugin: self.plugin_id.clone(),
                task: id.to_owned(),
            })
    }
}

#[async_trait::async_trait]
impl SchedulerService for PluginScheduler {
    async fn schedule_task(&self, task: TaskDefinition) -> Result<(), SchedulerError> {
        task.validate()?;
        let id = task.id.clone();
        if self.shutdown.is_cancelled() {
            return Err(SchedulerError::ShuttingDown {
                plugin: self.plugin_id.clone(),
                task: id,
            });
        }
        let worker = {
            let mut workers = lock(&self.workers);
            if workers.contains_key(&id) {
                return Err(SchedulerError::Duplicate {
                    plugin: self.plugin_id.clone(),
                    task: id,
                });
            }
            let worker = Arc::new(Worker::new(&self.plugin_id, task, Arc::clone(&self.store)));
            workers.insert(id.clone(), Arc::clone(&worker));
            worker
        };
        if let Err(error) = worker.register().await {
            lock(&self.workers).remove(&id);
            return Err(error);
        }
        let handle = tokio::spawn(
            Arc::clone(&worker).run(self.started.subscribe(), self.shutdown.child_token()),
        );
        lock(&self.handles).push(handle);
        tracing::debug!(plugin = %self.plugin_id, task = %id, "task scheduled");
        Ok(())
    }

    async fn trigger(&self, id: &str) -> Result<(), SchedulerError> {
        self.worker(id)?.trigger().await
    }

    async fn cancel(&self, id: &str) -> Result<bool, SchedulerError> {
        self.worker(id)?.cancel().await
    }

    async fn tasks(&self) -> Result<Vec<TaskDescriptor>, SchedulerError> {
        let workers: Vec<Arc<Worker>> = lock(&self.workers).values().cloned().collect();
        let mut tasks = Vec::with_capacity(workers.len());
        for worker in workers {
            tasks.push(worker.describe().await?);
        }
        Ok(tasks)
    }
}
