//! The worker of one task on this replica: waits for the plugin to start and
//! the initial delay, then claims due runs (from its own clock for a local
//! task, from the task table for a global one), runs them with a timeout,
//! and records how they ended.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::error::SchedulerError;
use super::schedule::{Scope, TaskSchedule, millis};
use super::store::{NEVER, TaskStore, error_message};
use super::task::{TaskDefinition, TaskDescriptor, TaskState, WorkerStatus};
use crate::sync::lock;

/// How long a run may go on after its cancellation token fired before it is
/// dropped.
const GRACE: Duration = Duration::from_secs(2);

/// How often the same database warning is logged at most.
const WARNING_INTERVAL: Duration = Duration::from_secs(30);

/// How a run ended.
#[derive(Debug)]
enum Outcome {
    Succeeded,
    Failed(String),
    TimedOut,
    Cancelled,
    /// Another replica took the claim away (a cancel through the API).
    LostClaim,
    ShutDown,
}

impl Outcome {
    fn error(&self, timeout: Duration) -> Option<String> {
        match self {
            Outcome::Succeeded => None,
            Outcome::Failed(message) => Some(message.clone()),
            Outcome::TimedOut => Some(format!("Task timed out after {timeout:?}")),
            Outcome::Cancelled | Outcome::LostClaim => Some("Task was cancelled".to_owned()),
            Outcome::ShutDown => Some("Task was stopped because the backend shut down".to_owned()),
        }
    }

    fn label(&self) -> &'static str {
        match self {
            Outcome::Succeeded => "succeeded",
            Outcome::Failed(_) => "failed",
            Outcome::TimedOut => "timed_out",
            Outcome::Cancelled | Outcome::LostClaim => "cancelled",
            Outcome::ShutDown => "shut_down",
        }
    }
}

/// A claimed run.
struct Claim {
    /// The global claim's ticket.
    ticket: Option<String>,
    /// When it started (epoch ms, on the clock that decides the schedule).
    started_at: i64,
}

#[derive(Debug)]
struct Local {
    status: WorkerStatus,
    /// The token of the run in progress on this replica.
    current: Option<CancellationToken>,
    /// Local scope: when the next run may start.
    next_run: Option<i64>,
    running_since: Option<i64>,
    last_run_ended_at: Option<i64>,
    last_run_error: Option<String>,
}

/// One task's worker on this replica.
pub(crate) struct Worker {
    plugin_id: String,
    definition: TaskDefinition,
    store: Arc<TaskStore>,
    wake: Notify,
    local: Mutex<Local>,
    last_warning: Mutex<Option<Instant>>,
}

/// This process's clock, in epoch milliseconds.
fn process_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, millis)
}

/// A claim ticket no other replica will pick.
fn new_ticket() -> String {
    use ring::rand::SecureRandom;
    let mut bytes = [0u8; 16];
    // The system generator does not fail on supported platforms; should it,
    // the time and address below still make the ticket unique enough.
    let _ = ring::rand::SystemRandom::new().fill(&mut bytes);
    let mut ticket: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    ticket.push_str(&format!("-{}", process_now()));
    ticket
}

impl Worker {
    pub(crate) fn new(plugin_id: &str, definition: TaskDefinition, store: Arc<TaskStore>) -> Self {
        Self {
            plugin_id: plugin_id.to_owned(),
            definition,
            store,
            wake: Notify::new(),
            local: Mutex::new(Local {
                status: WorkerStatus::InitialWait,
                current: None,
                // Set when the worker starts, or by an early trigger.
                next_run: None,
                running_since: None,
                last_run_ended_at: None,
                last_run_error: None,
            }),
            last_warning: Mutex::new(None),
        }
    }

    fn schedule(&self) -> &TaskSchedule {
        &self.definition.schedule
    }

    fn id(&self) -> &str {
        &self.definition.id
    }

    fn is_global(&self) -> bool {
        self.schedule().scope == Scope::Global
    }

    fn warn(&self, what: &str, error: &SchedulerError) {
        let mut last = lock(&self.last_warning);
        if last.is_none_or(|at| at.elapsed() >= WARNING_INTERVAL) {
            *last = Some(Instant::now());
            tracing::warn!(
                plugin = %self.plugin_id,
                task = %self.id(),
                "could not {what}: {error}; retrying (this warning repeats at most every {WARNING_INTERVAL:?})"
            );
        }
    }

    /// Registers a global task in the task table.
    pub(crate) async fn register(&self) -> Result<(), SchedulerError> {
        if !self.is_global() {
            return Ok(());
        }
        let now = self.store.now().await?;
        let first = self.schedule().first_run(now).unwrap_or(NEVER);
        self.store
            .register(self.id(), &self.schedule().settings_json(), first)
            .await
    }

    /// The worker's loop, until `shutdown`.
    pub(crate) async fn run(
        self: Arc<Self>,
        mut started: watch::Receiver<bool>,
        shutdown: CancellationToken,
    ) {
        tokio::select! {
            _ = shutdown.cancelled() => return,
            result = started.wait_for(|started| *started) => if result.is_err() { return },
        }
        if let Some(delay) = self.schedule().initial_delay {
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = tokio::time::sleep(delay) => {}
            }
        }
        if !self.is_global() {
            // The schedule starts when the worker does; a trigger that came
            // before still counts.
            let mut local = lock(&self.local);
            let first = self.schedule().first_run(process_now());
            local.next_run = match (local.next_run, first) {
                (Some(triggered), Some(first)) => Some(triggered.min(first)),
                (triggered, first) => triggered.or(first),
            };
        }
        lock(&self.local).status = WorkerStatus::Idle;
        let poll = self.schedule().poll_interval();
        while !shutdown.is_cancelled() {
            match self.try_claim().await {
                Ok(Some(claim)) => {
                    self.execute(claim, &shutdown).await;
                    continue;
                }
                Ok(None) => {}
                Err(error) => self.warn("look for a due run", &error),
            }
            let wait = self.wait_time(poll);
            tokio::select! {
                _ = shutdown.cancelled() => break,
                _ = tokio::time::sleep(wait) => {}
                _ = self.wake.notified() => {}
            }
        }
    }

    /// How long to sleep before looking again.
    fn wait_time(&self, poll: Duration) -> Duration {
        if self.is_global() {
            return poll;
        }
        let local = lock(&self.local);
        match local.next_run {
            // Local tasks keep their own time: sleep until the run is due
            // (at most an hour, so clock changes are noticed).
            Some(next) => Duration::from_millis(
                u64::try_from(next.saturating_sub(process_now())).unwrap_or(0),
            )
            .min(Duration::from_secs(3600)),
            None => Duration::from_secs(3600),
        }
    }

    async fn try_claim(&self) -> Result<Option<Claim>, SchedulerError> {
        if !self.is_global() {
            let now = process_now();
            let mut local = lock(&self.local);
            if local.next_run.is_some_and(|next| next <= now) {
                local.next_run = None;
                local.running_since = Some(now);
                return Ok(Some(Claim {
                    ticket: None,
                    started_at: now,
                }));
            }
            return Ok(None);
        }
        let now = self.store.now().await?;
        let ticket = new_ticket();
        let lease = millis(self.schedule().timeout.saturating_add(GRACE));
        if self
            .store
            .claim(self.id(), &ticket, now, now.saturating_add(lease))
            .await?
        {
            Ok(Some(Claim {
                ticket: Some(ticket),
                started_at: now,
            }))
        } else {
            Ok(None)
        }
    }

    /// Whether this replica still holds the global claim.
    async fn holds(&self, ticket: &str) -> bool {
        match self.store.get(self.id()).await {
            Ok(row) => row.is_some_and(|row| row.ticket.as_deref() == Some(ticket)),
            // The database is unreachable: keep running; the timeout still
            // bounds the run.
            Err(error) => {
                self.warn("check the claim of the running task", &error);
                true
            }
        }
    }

    async fn execute(&self, claim: Claim, shutdown: &CancellationToken) {
        let token = CancellationToken::new();
        {
            let mut local = lock(&self.local);
            local.status = WorkerStatus::Running;
            local.current = Some(token.clone());
        }
        let begun = Instant::now();
        tracing::debug!(plugin = %self.plugin_id, task = %self.id(), "task run started");
        let mut handle: JoinHandle<Result<(), crate::BoxError>> =
            tokio::spawn((self.definition.run)(token.clone()));
        let deadline = tokio::time::sleep(self.schedule().timeout);
        tokio::pin!(deadline);
        let poll = self.schedule().poll_interval();
        let mut check = tokio::time::interval_at(tokio::time::Instant::now() + poll, poll);
        let stopped = loop {
            tokio::select! {
                result = &mut handle => {
                    break match result {
                        Ok(Ok(())) => Outcome::Succeeded,
                        Ok(Err(error)) => Outcome::Failed(error.to_string()),
                        Err(join) if join.is_panic() => Outcome::Failed(format!("Task panicked: {}", panic_message(join))),
                        Err(_) => Outcome::Cancelled,
                    };
                }
                _ = &mut deadline => break Outcome::TimedOut,
                _ = shutdown.cancelled() => break Outcome::ShutDown,
                _ = token.cancelled() => break Outcome::Cancelled,
                _ = check.tick(), if claim.ticket.is_some() => {
                    if let Some(ticket) = &claim.ticket && !self.holds(ticket).await {
                        break Outcome::LostClaim;
                    }
                }
            }
        };
        if !matches!(stopped, Outcome::Succeeded | Outcome::Failed(_)) {
            token.cancel();
            if tokio::time::timeout(GRACE, &mut handle).await.is_err() {
                handle.abort();
            }
        }
        let elapsed = begun.elapsed();
        self.record(&stopped, elapsed);
        let error = stopped.error(self.schedule().timeout);
        match &claim.ticket {
            None => {
                let now = process_now();
                let mut local = lock(&self.local);
                local.current = None;
                local.status = WorkerStatus::Idle;
                local.running_since = None;
                local.last_run_ended_at = Some(now);
                local.last_run_error = error;
                local.next_run = self.schedule().next_run(claim.started_at, now);
            }
            Some(ticket) => {
                {
                    let mut local = lock(&self.local);
                    local.current = None;
                    local.status = WorkerStatus::Idle;
                }
                if let Err(e) = self
                    .release(ticket, claim.started_at, error.as_deref())
                    .await
                {
                    self.warn("record the end of a run", &e);
                }
            }
        }
    }

    async fn release(
        &self,
        ticket: &str,
        started_at: i64,
        error: Option<&str>,
    ) -> Result<(), SchedulerError> {
        let now = self.store.now().await?;
        let next = self.schedule().next_run(started_at, now).unwrap_or(NEVER);
        self.store
            .release(self.id(), ticket, next, now, error)
            .await
            .map(|_| ())
    }

    fn record(&self, outcome: &Outcome, elapsed: Duration) {
        let labels = [
            ("plugin", self.plugin_id.clone()),
            ("task", self.id().to_owned()),
            ("result", outcome.label().to_owned()),
        ];
        metrics::counter!("backstage_scheduler_task_runs_total", &labels).increment(1);
        metrics::histogram!("backstage_scheduler_task_run_duration_seconds", &labels)
            .record(elapsed.as_secs_f64());
        match outcome {
            Outcome::Succeeded => {
                tracing::debug!(plugin = %self.plugin_id, task = %self.id(), ?elapsed, "task run succeeded");
            }
            Outcome::ShutDown => {
                tracing::info!(plugin = %self.plugin_id, task = %self.id(), "task run stopped by shutdown");
            }
            other => {
                let message = other.error(self.schedule().timeout).unwrap_or_default();
                tracing::warn!(plugin = %self.plugin_id, task = %self.id(), ?elapsed, "task run did not succeed: {message}");
            }
        }
    }

    /// Makes the task due now.
    pub(crate) async fn trigger(&self) -> Result<(), SchedulerError> {
        let running = || SchedulerError::Running {
            plugin: self.plugin_id.clone(),
            task: self.id().to_owned(),
        };
        if self.is_global() {
            let now = self.store.now().await?;
            if !self.store.trigger(self.id(), now).await? {
                return Err(running());
            }
        } else {
            let mut local = lock(&self.local);
            if local.running_since.is_some() {
                return Err(running());
            }
            local.next_run = Some(process_now());
        }
        self.wake.notify_one();
        Ok(())
    }

    /// Cancels the run in progress; `false` when none was.
    pub(crate) async fn cancel(&self) -> Result<bool, SchedulerError> {
        if let Some(token) = lock(&self.local).current.clone() {
            token.cancel();
            return Ok(true);
        }
        if !self.is_global() {
            return Ok(false);
        }
        let Some(row) = self.store.get(self.id()).await? else {
            return Ok(false);
        };
        let now = self.store.now().await?;
        let next = self
            .schedule()
            .next_run(row.started_at.unwrap_or(now), now)
            .unwrap_or(NEVER);
        self.store.cancel(self.id(), now, next).await
    }

    /// How the task is doing.
    pub(crate) async fn describe(&self) -> Result<TaskDescriptor, SchedulerError> {
        let (worker, local_state) = {
            let local = lock(&self.local);
            let state = TaskState {
                running_since: local.running_since,
                times_out_at: local
                    .running_since
                    .map(|since| since.saturating_add(millis(self.schedule().timeout))),
                starts_at: local.next_run,
                last_run_ended_at: local.last_run_ended_at,
                last_run_error: local.last_run_error.clone(),
            };
            (local.status, state)
        };
        let state = if self.is_global() {
            let row = self.store.get(self.id()).await?.unwrap_or_default();
            let running = row.ticket.is_some();
            TaskState {
                running_since: row.started_at.filter(|_| running),
                times_out_at: row.expires_at.filter(|_| running),
                starts_at: Some(row.next_run_start_at)
                    .filter(|next| !running && *next < NEVER && *next > 0),
                last_run_ended_at: row.last_run_ended_at,
                last_run_error: row.last_run_error.as_deref().map(error_message),
            }
        } else {
            local_state
        };
        Ok(TaskDescriptor {
            id: self.id().to_owned(),
            plugin_id: self.plugin_id.clone(),
            scope: self.schedule().scope,
            settings: self.schedule().settings_json(),
            state,
            worker,
        })
    }
}

fn panic_message(error: tokio::task::JoinError) -> String {
    let panic = error.into_panic();
    panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_else(|| "no message".to_owned())
}
