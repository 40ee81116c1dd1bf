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

/// The wall clock moved by an offset a test sets over HTTP (`POST /__clock`, only with
/// `PW_FAULTS=1`): end-to-end tests age rights requests and sessions without waiting.
#[derive(Debug, Default)]
pub struct OffsetClock {
    offset_millis: AtomicI64,
}

impl OffsetClock {
    pub fn set_offset(&self, offset: i64) {
        self.offset_millis.store(offset, Ordering::SeqCst);
    }

    pub fn offset_millis(&self) -> i64 {
        self.offset_millis.load(Ordering::SeqCst)
    }
}

impl Clock for OffsetClock {
    fn now(&self) -> Timestamp {
        let system = SystemClock.now().unix_millis();
        Timestamp::from_unix_millis(system.saturating_add(self.offset_millis()))
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

    /// The same time of day one calendar month later; the 31st becomes the month's last day
    /// when the next month is shorter (31 January → 28 or 29 February), as a "month" in
    /// GDPR Art. 12(3) is counted.
    pub fn plus_one_month(self) -> Self {
        let days = self.0.div_euclid(86_400_000);
        let millis_of_day = self.0.rem_euclid(86_400_000);
        let (year, month, day) = civil_from_days(days);
        let (next_year, next_month) = if month == 12 {
            (year + 1, 1)
        } else {
            (year, month + 1)
        };
        let last_day = days_from_civil(
            next_year + i64::from(next_month == 12),
            i64::from(next_month % 12 + 1),
            1,
        ) - days_from_civil(next_year, i64::from(next_month), 1);
        let day = i64::from(day).min(last_day);
        Timestamp(
            days_from_civil(next_year, i64::from(next_month), day) * 86_400_000 + millis_of_day,
        )
    }

    /// Whole days from `self` to `later` (negative when `later` is earlier), rounded down.
    pub fn days_until(self, later: Timestamp) -> i64 {
        (later.0 - self.0).div_euclid(86_400_000)
    }

    /// `YYYY-MM-DD` (UTC).
    pub fn date(self) -> String {
        self.rfc3339()[..10].to_owned()
    }

    /// Midnight (UTC) of a `YYYY-MM-DD` date.
    pub fn parse_date(text: &str) -> Option<Self> {
        Self::parse_rfc3339(&format!("{text}T00:00:00.000Z")).filter(|time| time.date() == text)
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
    fn one_month_later_keeps_the_day_or_takes_the_last_one() {
        let later = |text: &str| {
            Timestamp::parse_rfc3339(text)
                .unwrap()
                .plus_one_month()
                .rfc3339()
        };
        assert_eq!(
            later("2026-11-26T12:00:00.000Z"),
            "2026-12-26T12:00:00.000Z"
        );
        assert_eq!(
            later("2026-12-15T08:30:00.000Z"),
            "2027-01-15T08:30:00.000Z"
        );
        assert_eq!(
            later("2027-01-31T00:00:00.000Z"),
            "2027-02-28T00:00:00.000Z"
        );
        assert_eq!(
            later("2028-01-31T00:00:00.000Z"),
            "2028-02-29T00:00:00.000Z"
        );
        assert_eq!(
            later("2026-03-31T23:59:59.999Z"),
            "2026-04-30T23:59:59.999Z"
        );
    }

    #[test]
    fn dates_parse_and_days_count_down() {
        let day = Timestamp::parse_date("2026-02-28").unwrap();
        assert_eq!(day.rfc3339(), "2026-02-28T00:00:00.000Z");
        assert_eq!(Timestamp::parse_date("2026-02-30"), None);
        assert_eq!(Timestamp::parse_date("26-02-28"), None);
        let later = day.plus(Duration::from_secs(3 * 86_400 + 60));
        assert_eq!(day.days_until(later), 3);
        assert_eq!(later.days_until(day), -4);
    }

    #[test]
    fn offset_clock_moves_with_its_offset() {
        let clock = OffsetClock::default();
        let before = clock.now();
        clock.set_offset(-40 * 86_400_000);
        assert!(before.days_until(clock.now()) <= -39);
    }

    #[test]
    fn manual_clock_moves_only_when_told() {
        let clock = ManualClock::new(Timestamp::from_unix_millis(1000));
        assert_eq!(clock.now().unix_millis(), 1000);
        clock.advance(Duration::from_secs(2));
        assert_eq!(clock.now().unix_millis(), 3000);
    }
}
