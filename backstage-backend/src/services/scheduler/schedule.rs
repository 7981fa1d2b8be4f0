//! When a task runs: its frequency, timeout, initial delay and scope, and
//! reading them from config the way Backstage's app-config files write them.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use backstage_common::config::{Config, ConfigError};
use chrono::{DateTime, TimeZone, Utc};
use croner::Cron;
use serde_json::{Value, json};

use super::error::SchedulerError;

/// How often a task runs.
#[derive(Clone)]
pub enum Frequency {
    /// A fixed interval between the starts of two runs. A run that takes
    /// longer than the interval is followed by the next one at once; runs
    /// never overlap.
    Every(Duration),
    /// A cron expression: five fields (minute hour day-of-month month
    /// day-of-week), or six with leading seconds. Times are UTC.
    Cron(CronExpression),
    /// Only when triggered (through [`SchedulerService::trigger`] or the
    /// scheduler's HTTP API).
    ///
    /// [`SchedulerService::trigger`]: super::SchedulerService::trigger
    Manual,
}

impl fmt::Debug for Frequency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Frequency::Every(every) => f.debug_tuple("Every").field(every).finish(),
            Frequency::Cron(cron) => f.debug_tuple("Cron").field(&cron.pattern).finish(),
            Frequency::Manual => f.write_str("Manual"),
        }
    }
}

impl PartialEq for Frequency {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Frequency::Every(a), Frequency::Every(b)) => a == b,
            (Frequency::Cron(a), Frequency::Cron(b)) => a.pattern == b.pattern,
            (Frequency::Manual, Frequency::Manual) => true,
            _ => false,
        }
    }
}

/// A parsed cron expression.
#[derive(Clone)]
pub struct CronExpression {
    pattern: String,
    cron: Arc<Cron>,
}

impl CronExpression {
    /// The expression as written.
    pub fn pattern(&self) -> &str {
        &self.pattern
    }

    /// The first time strictly after `after` that the expression matches.
    pub fn next_after(&self, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.cron.find_next_occurrence(&after, false).ok()
    }

    /// Whether the expression has a seconds field (it then may fire every
    /// second, and the scheduler polls accordingly).
    pub fn has_seconds(&self) -> bool {
        self.pattern.split_whitespace().count() == 6
    }
}

impl FromStr for CronExpression {
    type Err = SchedulerError;

    fn from_str(pattern: &str) -> Result<Self, Self::Err> {
        let fields = pattern.split_whitespace().count();
        let invalid = |reason: String| {
            SchedulerError::InvalidSchedule(format!(
                "cron expression {pattern:?} {reason}; write five fields (minute hour day-of-month month day-of-week, e.g. \"*/5 * * * *\") or six with leading seconds"
            ))
        };
        if !(5..=6).contains(&fields) {
            return Err(invalid(format!("has {fields} fields")));
        }
        let cron = Cron::new(pattern)
            .with_seconds_optional()
            .parse()
            .map_err(|e| invalid(format!("is not valid ({e})")))?;
        Ok(Self {
            pattern: pattern.to_owned(),
            cron: Arc::new(cron),
        })
    }
}

/// Where a task runs when several replicas of a backend share a database.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Scope {
    /// On exactly one replica at a time, coordinated through the plugin's
    /// database (Backstage's default).
    #[default]
    Global,
    /// On every replica, each on its own clock; no database involved.
    Local,
}

impl Scope {
    /// `global` or `local`.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Global => "global",
            Scope::Local => "local",
        }
    }
}

/// When and how a task runs.
///
/// ```
/// use std::time::Duration;
/// use backstage_backend::services::scheduler::{Frequency, Scope, TaskSchedule};
///
/// let schedule = TaskSchedule::every(Duration::from_secs(30 * 60))
///     .timeout(Duration::from_secs(3 * 60))
///     .initial_delay(Duration::from_secs(10));
/// assert_eq!(schedule.scope, Scope::Global);
///
/// let nightly = TaskSchedule::cron("0 3 * * *").unwrap().scope(Scope::Local);
/// assert!(matches!(nightly.frequency, Frequency::Cron(_)));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct TaskSchedule {
    /// How often.
    pub frequency: Frequency,
    /// How long one run may take before it is cancelled; also how long a
    /// crashed replica's claim on a global task lasts.
    pub timeout: Duration,
    /// How long to wait after the plugin started before the first run.
    pub initial_delay: Option<Duration>,
    /// Global (one replica at a time) or local (every replica).
    pub scope: Scope,
}

/// The timeout used when none is given: a run may take up to an hour.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60 * 60);

impl TaskSchedule {
    /// Runs every `interval`, global, with the default timeout of an hour.
    pub fn every(interval: Duration) -> Self {
        Self::with(Frequency::Every(interval))
    }

    /// Runs on a cron expression (UTC), global, with the default timeout.
    pub fn cron(pattern: &str) -> Result<Self, SchedulerError> {
        Ok(Self::with(Frequency::Cron(pattern.parse()?)))
    }

    /// Runs only when triggered.
    pub fn manual() -> Self {
        Self::with(Frequency::Manual)
    }

    fn with(frequency: Frequency) -> Self {
        Self {
            frequency,
            timeout: DEFAULT_TIMEOUT,
            initial_delay: None,
            scope: Scope::Global,
        }
    }

    /// Sets the timeout of one run.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Sets the delay before the first run.
    pub fn initial_delay(mut self, delay: Duration) -> Self {
        self.initial_delay = Some(delay);
        self
    }

    /// Sets the scope.
    pub fn scope(mut self, scope: Scope) -> Self {
        self.scope = scope;
        self
    }

    /// Reads a schedule from config, in Backstage's format:
    ///
    /// ```yaml
    /// schedule:
    ///   frequency: { minutes: 30 }      # or '30m', 'PT30M', { cron: '*/5 * * * *' }, { trigger: manual }
    ///   timeout: { minutes: 3 }
    ///   initialDelay: { seconds: 15 }   # optional
    ///   scope: global                   # optional: global (default) or local
    /// ```
    ///
    /// Errors name the offending key.
    pub fn from_config(config: &Config) -> Result<Self, ConfigError> {
        let invalid = |key: &str, message: String| ConfigError::Invalid {
            key: config.path().key(key),
            message,
        };
        let frequency = match config.get_value("frequency") {
            None => {
                return Err(ConfigError::Missing {
                    key: config.path().key("frequency"),
                });
            }
            Some(Value::Object(map)) if map.contains_key("cron") => {
                let pattern = config.get_string("frequency.cron")?;
                let cron = pattern
                    .parse()
                    .map_err(|e: SchedulerError| invalid("frequency", e.to_string()))?;
                Frequency::Cron(cron)
            }
            Some(Value::Object(map)) if map.contains_key("trigger") => {
                match config.get_string("frequency.trigger")? {
                    "manual" => Frequency::Manual,
                    other => {
                        return Err(invalid(
                            "frequency",
                            format!("trigger {other:?} is not known; the only trigger is 'manual'"),
                        ));
                    }
                }
            }
            Some(_) => {
                let every = positive(config, "frequency")?;
                if every.is_zero() {
                    return Err(invalid(
                        "frequency",
                        "the interval must be longer than zero".to_owned(),
                    ));
                }
                Frequency::Every(every)
            }
        };
        let timeout = positive(config, "timeout")?;
        if timeout.is_zero() {
            return Err(invalid(
                "timeout",
                "a run needs a timeout longer than zero".to_owned(),
            ));
        }
        let initial_delay = match config.get_optional_duration("initialDelay")? {
            Some(_) => Some(positive(config, "initialDelay")?),
            None => None,
        };
        let scope = match config.get_optional_string("scope")? {
            None | Some("global") => Scope::Global,
            Some("local") => Scope::Local,
            Some(other) => {
                return Err(invalid(
                    "scope",
                    format!("{other:?} is not a scope; use 'global' or 'local'"),
                ));
            }
        };
        Ok(Self {
            frequency,
            timeout,
            initial_delay,
            scope,
        })
    }

    /// How often a worker looks for due runs: at most every 5 s, more often
    /// when the task runs more often.
    pub(crate) fn poll_interval(&self) -> Duration {
        const MAX: Duration = Duration::from_secs(5);
        const MIN: Duration = Duration::from_millis(50);
        let wanted = match &self.frequency {
            Frequency::Every(every) => (*every).min(MAX),
            Frequency::Cron(cron) if cron.has_seconds() => Duration::from_secs(1),
            Frequency::Cron(_) | Frequency::Manual => MAX,
        };
        wanted.max(MIN)
    }

    /// When the run after one that started at `started` (epoch ms) may
    /// start, given the time is now `now` (epoch ms). `None` for manual
    /// tasks: they wait for a trigger.
    pub(crate) fn next_run(&self, started: i64, now: i64) -> Option<i64> {
        match &self.frequency {
            Frequency::Every(every) => Some(started.saturating_add(millis(*every)).max(now)),
            Frequency::Cron(cron) => next_cron(cron, now),
            Frequency::Manual => None,
        }
    }

    /// When the first run may start, the schedule beginning at `now` (the
    /// initial delay is waited out by each worker before it looks).
    pub(crate) fn first_run(&self, now: i64) -> Option<i64> {
        match &self.frequency {
            Frequency::Every(_) => Some(now),
            Frequency::Cron(cron) => next_cron(cron, now),
            Frequency::Manual => None,
        }
    }

    /// Backstage's settings document for this schedule (`version: 2`).
    pub(crate) fn settings_json(&self) -> Value {
        let cadence = match &self.frequency {
            Frequency::Every(every) => iso_duration(*every),
            Frequency::Cron(cron) => cron.pattern.clone(),
            Frequency::Manual => "manual".to_owned(),
        };
        let mut settings = json!({
            "version": 2,
            "cadence": cadence,
            "timeoutAfterDuration": iso_duration(self.timeout),
        });
        if let Some(delay) = self.initial_delay {
            settings["initialDelayDuration"] = json!(iso_duration(delay));
        }
        settings
    }
}

fn positive(config: &Config, key: &str) -> Result<Duration, ConfigError> {
    config
        .get_duration(key)?
        .to_std()
        .map_err(|e| ConfigError::Invalid {
            key: config.path().key(key),
            message: e.to_string(),
        })
}

fn next_cron(cron: &CronExpression, now: i64) -> Option<i64> {
    let now = Utc.timestamp_millis_opt(now).single()?;
    cron.next_after(now).map(|next| next.timestamp_millis())
}

/// Milliseconds of a duration, saturating.
pub(crate) fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

/// An ISO 8601 duration such as `PT1H30M` or `PT0.25S`.
pub(crate) fn iso_duration(duration: Duration) -> String {
    let total = duration.as_millis();
    if total == 0 {
        return "PT0S".to_owned();
    }
    let days = total / 86_400_000;
    let hours = total / 3_600_000 % 24;
    let minutes = total / 60_000 % 60;
    let seconds = total / 1000 % 60;
    let ms = total % 1000;
    let mut out = String::from("P");
    if days > 0 {
        out.push_str(&format!("{days}D"));
    }
    if hours + minutes + seconds + ms > 0 {
        out.push('T');
        if hours > 0 {
            out.push_str(&format!("{hours}H"));
        }
        if minutes > 0 {
            out.push_str(&format!("{minutes}M"));
        }
        if ms > 0 {
            let fraction = format!("{ms:03}");
            out.push_str(&format!("{seconds}.{}S", fraction.trim_end_matches('0')));
        } else if seconds > 0 {
            out.push_str(&format!("{seconds}S"));
        }
    }
    out
}

/// Reads an ISO duration back (for settings stored by another replica).
#[cfg(test)]
fn parse_iso(text: &str) -> Option<Duration> {
    backstage_common::config::HumanDuration::parse(text)
        .ok()?
        .to_std()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(value: Value) -> Config {
        Config::from_value(json!({ "schedule": value }))
            .get_config("schedule")
            .unwrap()
    }

    #[test]
    fn reads_every_frequency_form_backstage_allows() {
        let every = |v: Value| {
            TaskSchedule::from_config(&config(json!({"frequency": v, "timeout": "1m"})))
                .unwrap()
                .frequency
        };
        let thirty_minutes = Frequency::Every(Duration::from_secs(1800));
        assert_eq!(every(json!("30m")), thirty_minutes);
        assert_eq!(every(json!("PT30M")), thirty_minutes);
        assert_eq!(every(json!({"minutes": 30})), thirty_minutes);
        assert!(
            matches!(every(json!({"cron": "*/5 * * * *"})), Frequency::Cron(c) if c.pattern() == "*/5 * * * *")
        );
        assert_eq!(every(json!({"trigger": "manual"})), Frequency::Manual);
    }

    #[test]
    fn reads_timeout_delay_and_scope() {
        let schedule = TaskSchedule::from_config(&config(json!({
            "frequency": {"hours": 1}, "timeout": {"minutes": 3},
            "initialDelay": "15s", "scope": "local"
        })))
        .unwrap();
        assert_eq!(schedule.timeout, Duration::from_secs(180));
        assert_eq!(schedule.initial_delay, Some(Duration::from_secs(15)));
        assert_eq!(schedule.scope, Scope::Local);
    }

    #[test]
    fn config_errors_name_the_key() {
        let error = |v: Value| {
            TaskSchedule::from_config(&config(v))
                .unwrap_err()
                .to_string()
        };
        let message = error(json!({"timeout": "1m"}));
        assert!(message.contains("schedule.frequency"), "{message}");
        let message = error(json!({"frequency": "5m"}));
        assert!(message.contains("schedule.timeout"), "{message}");
        let message = error(json!({"frequency": {"cron": "every day"}, "timeout": "1m"}));
        assert!(
            message.contains("schedule.frequency") && message.contains("five fields"),
            "{message}"
        );
        let message = error(json!({"frequency": {"cron": "61 * * * *"}, "timeout": "1m"}));
        assert!(message.contains("is not valid"), "{message}");
        let message = error(json!({"frequency": {"trigger": "webhook"}, "timeout": "1m"}));
        assert!(message.contains("'manual'"), "{message}");
        let message = error(json!({"frequency": "5m", "timeout": "1m", "scope": "cluster"}));
        assert!(message.contains("schedule.scope"), "{message}");
        let message = error(json!({"frequency": "0s", "timeout": "1m"}));
        assert!(message.contains("longer than zero"), "{message}");
    }

    #[test]
    fn intervals_never_overlap_and_never_pile_up() {
        let schedule = TaskSchedule::every(Duration::from_secs(10));
        // On time: ten seconds after the previous start.
        assert_eq!(schedule.next_run(1_000, 3_000), Some(11_000));
        // A run that overran: the next starts now, once.
        assert_eq!(schedule.next_run(1_000, 45_000), Some(45_000));
        assert_eq!(schedule.first_run(500), Some(500));
        assert_eq!(TaskSchedule::manual().next_run(0, 10), None);
    }

    #[test]
    fn cron_runs_at_the_next_matching_time_in_utc() {
        let schedule = TaskSchedule::cron("0 3 * * *").unwrap();
        // 2026-11-29T10:15:00Z → 2026-11-30T03:00:00Z
        let now = Utc.with_ymd_and_hms(2026, 11, 29, 10, 15, 0).unwrap();
        let next = Utc.with_ymd_and_hms(2026, 11, 30, 3, 0, 0).unwrap();
        assert_eq!(
            schedule.next_run(0, now.timestamp_millis()),
            Some(next.timestamp_millis())
        );
        let seconds = TaskSchedule::cron("*/10 * * * * *").unwrap();
        let t = Utc.with_ymd_and_hms(2026, 11, 29, 10, 15, 3).unwrap();
        let expected = Utc.with_ymd_and_hms(2026, 11, 29, 10, 15, 10).unwrap();
        assert_eq!(
            seconds.next_run(0, t.timestamp_millis()),
            Some(expected.timestamp_millis())
        );
        assert_eq!(seconds.poll_interval(), Duration::from_secs(1));
        assert_eq!(schedule.poll_interval(), Duration::from_secs(5));
    }

    #[test]
    fn settings_use_iso_durations_that_read_back() {
        let schedule = TaskSchedule::every(Duration::from_millis(90_250))
            .timeout(Duration::from_secs(3600 * 26));
        let settings = schedule.settings_json();
        assert_eq!(settings["cadence"], "PT1M30.25S");
        assert_eq!(settings["timeoutAfterDuration"], "P1DT2H");
        for ms in [1, 999, 1000, 61_000, 3_600_000, 90_061_001] {
            let d = Duration::from_millis(ms);
            assert_eq!(parse_iso(&iso_duration(d)), Some(d), "{ms} ms");
        }
        assert_eq!(
            TaskSchedule::manual().settings_json()["cadence"],
            json!("manual")
        );
    }
}
