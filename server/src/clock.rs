//! Time as a parameter: the newsletter, rights-request and rate-limit code asks a [`Clock`]
//! instead of the system, so tests move time forward deterministically (token expiry,
//! purge, rate-limit windows) without sleeping.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Where "now" comes from.
pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> Timestamp;
}

/// The system's wall clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        let since_epoch = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or(Duration::ZERO);
        Timestamp::from_unix_millis(since_epoch.as_millis() as i64)
    }
}

/// A clock that only moves when told to, for tests.
#[derive(Debug)]
pub struct ManualClock {
    millis: AtomicI64,
}

impl ManualClock {
    pub fn new(start: Timestamp) -> Self {
        ManualClock {
            millis: AtomicI64::new(start.unix_millis()),
        }
    }

    pub fn advance(&self, by: Duration) {
        self.millis
            .fetch_add(by.as_millis() as i64, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        Timestamp::from_unix_millis(self.millis.load(Ordering::SeqCst))
    }
}

/// A point in time, in milliseconds since the Unix epoch (UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(i64);

impl Timestamp {
    pub const fn from_unix_millis(millis: i64) -> Self {
        Timestamp(millis)
    }

    /// Parses the subset of RFC 3339 this server writes and [`Timestamp::rfc3339`]
    /// produces: `YYYY-MM-DDTHH:MM:SS.mmmZ`.
    pub fn parse_rfc3339(text: &str) -> Option<Self> {
        let bytes = text.as_bytes();
        if bytes.len() != 24 || !text.is_ascii() || &text[19..20] != "." || &text[23..] != "Z" {
            return None;
        }
        let number = |range: std::ops::Range<usize>| text[range].parse::<i64>().ok();
        let days = days_from_civil(number(0..4)?, number(5..7)?, number(8..10)?);
        let seconds = number(11..13)? * 3600 + number(14..16)? * 60 + number(17..19)?;
        Some(Timestamp(
            (days * 86_400 + seconds) * 1000 + number(20..23)?,
        ))
    }

    pub fn unix_millis(self) -> i64 {
        self.0
    }

    pub fn plus(self, duration: Duration) -> Self {
        Timestamp(self.0.saturating_add(duration.as_millis() as i64))
    }

    pub fn minus(self, duration: Duration) -> Self {
        Timestamp(self.0.saturating_sub(duration.as_millis() as i64))
    }

    /// The calendar year (UTC).
    pub fn year(self) -> i64 {
        civil_from_days(self.0.div_euclid(86_400_000)).0
    }

    /// `YYYY-MM-DDTHH:MM:SS.mmmZ`, the format of every stored server timestamp (and of
    /// `db::SQL_NOW`). Fixed width, so stored timestamps compare correctly as text.
    pub fn rfc3339(self) -> String {
        let days = self.0.div_euclid(86_400_000);
        let millis_of_day = self.0.rem_euclid(86_400_000);
        let (year, month, day) = civil_from_days(days);
        let seconds = millis_of_day / 1000;
        format!(
            "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
            seconds / 3600,
            seconds / 60 % 60,
            seconds % 60,
            millis_of_day % 1000
        )
    }
}

/// Days since 1970-01-01 → (year, month, day) in the proleptic Gregorian calendar
/// (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * month_index + 2) / 5 + 1) as u32;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// The inverse of [`civil_from_days`].
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year.rem_euclid(400);
    let month_index = if month > 2 { month - 3 } else { month + 9 };
    let day_of_year = (153 * month_index + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_known_instants() {
        assert_eq!(
            Timestamp::from_unix_millis(0).rfc3339(),
            "1970-01-01T00:00:00.000Z"
        );
        // 2024-02-29T23:59:59.999Z: a leap day, last millisecond.
        let leap = Timestamp::from_unix_millis(1_709_251_199_999);
        assert_eq!(leap.rfc3339(), "2024-02-29T23:59:59.999Z");
        assert_eq!(leap.year(), 2024);
        assert_eq!(
            Timestamp::from_unix_millis(1_798_761_600_000).rfc3339(),
            "2027-01-01T00:00:00.000Z"
        );
    }

    #[test]
    fn parse_is_the_inverse_of_format() {
        for millis in [0, 1_709_251_199_999, 1_798_761_599_999, 4_102_444_800_123] {
            let time = Timestamp::from_unix_millis(millis);
            assert_eq!(Timestamp::parse_rfc3339(&time.rfc3339()), Some(time));
        }
        assert_eq!(Timestamp::parse_rfc3339("2026-11-26T12:00:00Z"), None);
    }

    #[test]
    fn manual_clock_moves_only_when_told() {
        let clock = ManualClock::new(Timestamp::from_unix_millis(1000));
        assert_eq!(clock.now().unix_millis(), 1000);
        clock.advance(Duration::from_secs(2));
        assert_eq!(clock.now().unix_millis(), 3000);
    }
}
