//! Durations in configuration, in the three forms Backstage accepts.

use std::fmt;
use std::time::Duration;

use serde_json::Value;

/// A duration as written in configuration, kept in its units.
///
/// Three forms are read (see [`HumanDuration::from_value`]):
///
/// * short strings in the style of the `ms` library: `'1d'`, `'2 seconds'`,
///   `'1.5h'`, `'250ms'` — a bare number string means milliseconds;
/// * ISO 8601 durations: `'P2DT6H'`, `'PT30S'`, `'P1W'`;
/// * objects: `{ days: 1, hours: 2 }` with any of `years`, `months`, `weeks`,
///   `days`, `hours`, `minutes`, `seconds`, `milliseconds`.
///
/// A plain number is taken as milliseconds too (Backstage's cache TTLs are
/// written that way).
///
/// ```
/// use backstage_common::config::HumanDuration;
/// use std::time::Duration;
///
/// let d = HumanDuration::parse("P2DT6H").unwrap();
/// assert_eq!(d.days, 2);
/// assert_eq!(d.to_std().unwrap(), Duration::from_secs(54 * 3600));
/// assert_eq!(HumanDuration::parse("2 seconds").unwrap().to_std().unwrap(), Duration::from_secs(2));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct HumanDuration {
    /// Years, counted as 365 days when converted.
    pub years: i64,
    /// Months, counted as 30 days when converted.
    pub months: i64,
    /// Weeks.
    pub weeks: i64,
    /// Days.
    pub days: i64,
    /// Hours.
    pub hours: i64,
    /// Minutes.
    pub minutes: i64,
    /// Seconds.
    pub seconds: i64,
    /// Milliseconds.
    pub milliseconds: i64,
}

/// Why a duration could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct DurationError(String);

const MS_PER_SECOND: i64 = 1_000;
const MS_PER_MINUTE: i64 = 60 * MS_PER_SECOND;
const MS_PER_HOUR: i64 = 60 * MS_PER_MINUTE;
const MS_PER_DAY: i64 = 24 * MS_PER_HOUR;
const MS_PER_WEEK: i64 = 7 * MS_PER_DAY;
const MS_PER_MONTH: i64 = 30 * MS_PER_DAY;
const MS_PER_YEAR: i64 = 365 * MS_PER_DAY;

const UNITS: [&str; 8] = [
    "years",
    "months",
    "weeks",
    "days",
    "hours",
    "minutes",
    "seconds",
    "milliseconds",
];

impl HumanDuration {
    /// A duration of `ms` milliseconds.
    pub fn from_millis(ms: i64) -> Self {
        Self {
            milliseconds: ms,
            ..Self::default()
        }
    }

    /// Parses a string in the `ms` style or ISO 8601.
    pub fn parse(text: &str) -> Result<Self, DurationError> {
        let trimmed = text.trim();
        let unsigned = trimmed.strip_prefix('-').unwrap_or(trimmed);
        let iso = unsigned.strip_prefix('P').is_some_and(|rest| {
            rest.is_empty() || rest.starts_with(|c: char| c.is_ascii_digit() || c == 'T')
        });
        if iso {
            return parse_iso8601(trimmed);
        }
        parse_short(trimmed)
    }

    /// Reads a duration from a JSON value: a string, a number of milliseconds
    /// or an object of units.
    pub fn from_value(value: &Value) -> Result<Self, DurationError> {
        match value {
            Value::String(text) => Self::parse(text),
            Value::Number(n) => n
                .as_i64()
                .or_else(|| n.as_f64().map(|f| f.round() as i64))
                .map(Self::from_millis)
                .ok_or_else(|| DurationError(format!("{n} is not a number of milliseconds"))),
            Value::Object(map) => {
                if map.is_empty() {
                    return Err(DurationError(format!(
                        "a duration object needs at least one of {}",
                        UNITS.join(", ")
                    )));
                }
                let mut d = Self::default();
                for (key, v) in map {
                    let amount = v.as_i64().ok_or_else(|| {
                        DurationError(format!("duration unit '{key}' must be an integer"))
                    })?;
                    let slot = d.unit_mut(key).ok_or_else(|| {
                        DurationError(format!(
                            "unknown duration unit '{key}'; use {}",
                            UNITS.join(", ")
                        ))
                    })?;
                    *slot = amount;
                }
                Ok(d)
            }
            other => Err(DurationError(format!(
                "a duration must be a string like '1d' or 'P1D', a number of milliseconds, or an object like {{ hours: 1 }}; got {}",
                value_kind(other)
            ))),
        }
    }

    fn unit_mut(&mut self, unit: &str) -> Option<&mut i64> {
        Some(match unit {
            "years" => &mut self.years,
            "months" => &mut self.months,
            "weeks" => &mut self.weeks,
            "days" => &mut self.days,
            "hours" => &mut self.hours,
            "minutes" => &mut self.minutes,
            "seconds" => &mut self.seconds,
            "milliseconds" => &mut self.milliseconds,
            _ => return None,
        })
    }

    /// The total length in milliseconds, counting a month as 30 days and a
    /// year as 365 days. `None` on overflow.
    pub fn total_millis(&self) -> Option<i64> {
        let parts = [
            (self.years, MS_PER_YEAR),
            (self.months, MS_PER_MONTH),
            (self.weeks, MS_PER_WEEK),
            (self.days, MS_PER_DAY),
            (self.hours, MS_PER_HOUR),
            (self.minutes, MS_PER_MINUTE),
            (self.seconds, MS_PER_SECOND),
            (self.milliseconds, 1),
        ];
        parts.iter().try_fold(0i64, |acc, (n, unit)| {
            acc.checked_add(n.checked_mul(*unit)?)
        })
    }

    /// Converts to a [`std::time::Duration`]; negative or overflowing
    /// durations are an error.
    pub fn to_std(&self) -> Result<Duration, DurationError> {
        let ms = self
            .total_millis()
            .ok_or_else(|| DurationError("the duration is too long".to_owned()))?;
        u64::try_from(ms).map(Duration::from_millis).map_err(|_| {
            DurationError("the duration is negative; use a positive length".to_owned())
        })
    }
}

impl fmt::Display for HumanDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let values = [
            self.years,
            self.months,
            self.weeks,
            self.days,
            self.hours,
            self.minutes,
            self.seconds,
            self.milliseconds,
        ];
        let mut first = true;
        for (unit, value) in UNITS.iter().zip(values) {
            if value != 0 {
                if !first {
                    f.write_str(" ")?;
                }
                write!(f, "{value} {unit}")?;
                first = false;
            }
        }
        if first {
            f.write_str("0 milliseconds")?;
        }
        Ok(())
    }
}

fn value_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// `ms`-library style: `<number> [unit]`, case-insensitive units.
fn parse_short(text: &str) -> Result<HumanDuration, DurationError> {
    let invalid = || {
        DurationError(format!(
            "{text:?} is not a duration; write e.g. '30s', '5 minutes', '1d', or ISO 8601 'PT30S'"
        ))
    };
    let number_end = text
        .char_indices()
        .find(|&(i, c)| !(c.is_ascii_digit() || c == '.' || (i == 0 && c == '-')))
        .map_or(text.len(), |(i, _)| i);
    let (number, unit) = text.split_at(number_end);
    if number.is_empty()
        || number == "-"
        || number.matches('.').count() > 1
        || number.ends_with('.')
    {
        return Err(invalid());
    }
    let amount: f64 = number.parse().map_err(|_| invalid())?;
    let unit_ms = match unit.trim_start().to_ascii_lowercase().as_str() {
        "" | "ms" | "msec" | "msecs" | "millisecond" | "milliseconds" => 1,
        "s" | "sec" | "secs" | "second" | "seconds" => MS_PER_SECOND,
        "m" | "min" | "mins" | "minute" | "minutes" => MS_PER_MINUTE,
        "h" | "hr" | "hrs" | "hour" | "hours" => MS_PER_HOUR,
        "d" | "day" | "days" => MS_PER_DAY,
        "w" | "week" | "weeks" => MS_PER_WEEK,
        "y" | "yr" | "yrs" | "year" | "years" => MS_PER_YEAR,
        _ => return Err(invalid()),
    };
    let ms = amount * unit_ms as f64;
    if !ms.is_finite() || ms.abs() > i64::MAX as f64 {
        return Err(invalid());
    }
    Ok(HumanDuration::from_millis(ms.round() as i64))
}

/// ISO 8601: `[-]P[nY][nM][nW][nD][T[nH][nM][nS]]`; the last component may
/// carry a fraction (`PT1.5S`), which is converted to milliseconds.
fn parse_iso8601(text: &str) -> Result<HumanDuration, DurationError> {
    let invalid = |why: &str| {
        DurationError(format!(
            "{text:?} is not an ISO 8601 duration ({why}); write e.g. 'P1D', 'PT30M' or 'P2DT6H'"
        ))
    };
    let (negative, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let body = body
        .strip_prefix('P')
        .ok_or_else(|| invalid("it must start with P"))?;
    if body.is_empty() || body == "T" {
        return Err(invalid("it has no components"));
    }
    let mut d = HumanDuration::default();
    let mut in_time = false;
    let mut number = String::new();
    // Units in the order they may appear; each at most once.
    let mut last_rank = 0u8;
    let mut fraction_seen = false;
    for c in body.chars() {
        if c == 'T' {
            if in_time || !number.is_empty() {
                return Err(invalid("misplaced T"));
            }
            in_time = true;
            continue;
        }
        if c.is_ascii_digit() || c == '.' || c == ',' {
            number.push(if c == ',' { '.' } else { c });
            continue;
        }
        if number.is_empty() {
            return Err(invalid("a unit without a number"));
        }
        if fraction_seen {
            return Err(invalid("only the last component may have a fraction"));
        }
        let (rank, unit_ms) = match (in_time, c) {
            (false, 'Y') => (1, MS_PER_YEAR),
            (false, 'M') => (2, MS_PER_MONTH),
            (false, 'W') => (3, MS_PER_WEEK),
            (false, 'D') => (4, MS_PER_DAY),
            (true, 'H') => (5, MS_PER_HOUR),
            (true, 'M') => (6, MS_PER_MINUTE),
            (true, 'S') => (7, MS_PER_SECOND),
            _ => return Err(invalid(&format!("unexpected '{c}'"))),
        };
        if rank <= last_rank {
            return Err(invalid("components out of order or repeated"));
        }
        last_rank = rank;
        let (whole, frac) = match number.split_once('.') {
            Some((w, f)) => {
                fraction_seen = true;
                (w, Some(f))
            }
            None => (number.as_str(), None),
        };
        let whole: i64 = if whole.is_empty() {
            0
        } else {
            whole
                .parse()
                .map_err(|_| invalid("a number is too large"))?
        };
        let slot = match rank {
            1 => &mut d.years,
            2 => &mut d.months,
            3 => &mut d.weeks,
            4 => &mut d.days,
            5 => &mut d.hours,
            6 => &mut d.minutes,
            _ => &mut d.seconds,
        };
        *slot = whole;
        if let Some(frac) = frac {
            if frac.is_empty() || frac.contains('.') {
                return Err(invalid("a malformed fraction"));
            }
            let f: f64 = format!("0.{frac}")
                .parse()
                .map_err(|_| invalid("a malformed fraction"))?;
            d.milliseconds += (f * unit_ms as f64).round() as i64;
        }
        number.clear();
    }
    if !number.is_empty() {
        return Err(invalid("a number without a unit"));
    }
    if in_time && last_rank < 5 {
        return Err(invalid("T must be followed by hours, minutes or seconds"));
    }
    if negative {
        for v in [
            &mut d.years,
            &mut d.months,
            &mut d.weeks,
            &mut d.days,
            &mut d.hours,
            &mut d.minutes,
            &mut d.seconds,
            &mut d.milliseconds,
        ] {
            *v = -*v;
        }
    }
    Ok(d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ms(text: &str) -> i64 {
        HumanDuration::parse(text).unwrap().total_millis().unwrap()
    }

    #[test]
    fn short_forms() {
        assert_eq!(ms("1d"), MS_PER_DAY);
        assert_eq!(ms("2 seconds"), 2_000);
        assert_eq!(ms("1.5h"), 90 * MS_PER_MINUTE);
        assert_eq!(ms("250ms"), 250);
        assert_eq!(ms("100"), 100);
        assert_eq!(ms("3 Mins"), 180_000);
        assert_eq!(ms("1w"), MS_PER_WEEK);
        assert_eq!(ms("1y"), MS_PER_YEAR);
        assert_eq!(ms("-1s"), -1000);
        assert_eq!(ms(".5s"), 500);
    }

    #[test]
    fn short_form_errors() {
        for bad in [
            "", "abc", "1 parsec", "1..2s", "1.s", "- 1s", "1s2", "s", "PX", "Portal",
        ] {
            let err = HumanDuration::parse(bad).unwrap_err();
            assert!(
                err.to_string().contains("is not a duration"),
                "{bad}: {err}"
            );
        }
    }

    #[test]
    fn iso_forms() {
        let d = HumanDuration::parse("P1Y2M3W4DT5H6M7S").unwrap();
        assert_eq!(
            d,
            HumanDuration {
                years: 1,
                months: 2,
                weeks: 3,
                days: 4,
                hours: 5,
                minutes: 6,
                seconds: 7,
                milliseconds: 0
            }
        );
        assert_eq!(ms("PT1.5S"), 1500);
        assert_eq!(ms("PT0,25S"), 250);
        assert_eq!(ms("P2DT6H"), 54 * MS_PER_HOUR);
        assert_eq!(ms("-PT1M"), -MS_PER_MINUTE);
        assert_eq!(ms("PT1M"), MS_PER_MINUTE);
        assert_eq!(ms("P1M"), MS_PER_MONTH);
    }

    #[test]
    fn iso_errors() {
        for bad in [
            "P", "PT", "P1", "P1H", "PT1D", "P1D1Y", "PT1.5M2S", "P1DT", "P1X", "P1.S",
        ] {
            let err = HumanDuration::parse(bad).unwrap_err();
            assert!(
                err.to_string().contains("not an ISO 8601 duration"),
                "{bad}: {err}"
            );
        }
    }

    #[test]
    fn objects_and_numbers() {
        let d = HumanDuration::from_value(&json!({"days": 1, "hours": 2})).unwrap();
        assert_eq!(d.total_millis(), Some(26 * MS_PER_HOUR));
        assert_eq!(
            HumanDuration::from_value(&json!(1500))
                .unwrap()
                .milliseconds,
            1500
        );
        let err = HumanDuration::from_value(&json!({"fortnights": 1})).unwrap_err();
        assert!(
            err.to_string()
                .contains("unknown duration unit 'fortnights'")
        );
        let err = HumanDuration::from_value(&json!({})).unwrap_err();
        assert!(err.to_string().contains("at least one"));
        let err = HumanDuration::from_value(&json!({"days": "1"})).unwrap_err();
        assert!(err.to_string().contains("must be an integer"));
        let err = HumanDuration::from_value(&json!(true)).unwrap_err();
        assert!(err.to_string().contains("got a boolean"));
    }

    #[test]
    fn conversion_to_std() {
        assert_eq!(
            HumanDuration::parse("1m").unwrap().to_std().unwrap(),
            Duration::from_secs(60)
        );
        assert!(HumanDuration::parse("-1m").unwrap().to_std().is_err());
        let huge = HumanDuration {
            years: i64::MAX,
            ..Default::default()
        };
        assert!(huge.to_std().is_err());
        assert_eq!(
            HumanDuration::parse("P1DT2H").unwrap().to_string(),
            "1 days 2 hours"
        );
    }
}
