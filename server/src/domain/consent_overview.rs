//! The operator's consent overview: per day (UTC, by when the server received the event),
//! how many consent decisions came in and which share of them accepted each category.
//! The database counts per day and distinct choice; the shares are worked out here.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use serde_json::Value;

use crate::clock::Timestamp;
use crate::error::ApiError;
use crate::store::{DailyChoiceCount, Database};

/// Days the overview covers, today included.
pub const OVERVIEW_DAYS: u32 = 30;

/// One category on one day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CategoryCount {
    /// Decisions that named the category at all.
    pub offered: i64,
    pub accepted: i64,
}

impl CategoryCount {
    /// Accepted share in per cent, `None` when no decision named the category that day.
    pub fn rate_percent(self) -> Option<f64> {
        (self.offered > 0).then(|| self.accepted as f64 * 100.0 / self.offered as f64)
    }
}

/// One day of the overview.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayStats {
    /// `YYYY-MM-DD`.
    pub day: String,
    pub decisions: i64,
    pub categories: BTreeMap<String, CategoryCount>,
}

/// Every day of the period, oldest first (days without events included, as zeros), and
/// every category seen in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentOverview {
    pub days: Vec<DayStats>,
    pub categories: Vec<String>,
}

/// Adds the counts up per day; `first_day` and `last_day` are `YYYY-MM-DD` midnights.
pub fn summarise(
    rows: &[DailyChoiceCount],
    first_day: Timestamp,
    last_day: Timestamp,
) -> Result<ConsentOverview, ApiError> {
    let mut days: BTreeMap<String, DayStats> = BTreeMap::new();
    let mut day = first_day;
    while day <= last_day {
        days.insert(
            day.date(),
            DayStats {
                day: day.date(),
                decisions: 0,
                categories: BTreeMap::new(),
            },
        );
        day = day.plus(Duration::from_secs(86_400));
    }
    let mut categories = BTreeSet::new();
    for row in rows {
        let Some(stats) = days.get_mut(&row.day) else {
            continue;
        };
        let choice: BTreeMap<String, Value> =
            serde_json::from_str(&row.categories_json).map_err(|error| {
                ApiError::internal(format!(
                    "stored categories {:?} are not a JSON object: {error}",
                    row.categories_json
                ))
            })?;
        stats.decisions += row.count;
        for (category, accepted) in choice {
            let count = stats.categories.entry(category.clone()).or_default();
            count.offered += row.count;
            if accepted == Value::Bool(true) {
                count.accepted += row.count;
            }
            categories.insert(category);
        }
    }
    Ok(ConsentOverview {
        days: days.into_values().collect(),
        categories: categories.into_iter().collect(),
    })
}

/// The last [`OVERVIEW_DAYS`] days up to `now`.
pub async fn overview(database: &Database, now: Timestamp) -> Result<ConsentOverview, ApiError> {
    let last_day = Timestamp::parse_date(&now.date())
        .ok_or_else(|| ApiError::internal("today's date does not parse"))?;
    let first_day = last_day.minus(Duration::from_secs(u64::from(OVERVIEW_DAYS - 1) * 86_400));
    let rows = database
        .call(move |transaction| Ok::<_, ApiError>(transaction.daily_choice_counts(first_day)?))
        .await?;
    summarise(&rows, first_day, last_day)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(day: &str, categories: &str, count: i64) -> DailyChoiceCount {
        DailyChoiceCount {
            day: day.to_owned(),
            categories_json: categories.to_owned(),
            count,
        }
    }

    #[test]
    fn counts_decisions_and_shares_per_day_with_empty_days_as_zero() {
        let rows = [
            row("2026-12-01", r#"{"analytics":true,"necessary":true}"#, 3),
            row("2026-12-01", r#"{"analytics":false,"necessary":true}"#, 1),
            row(
                "2026-12-03",
                r#"{"analytics":false,"marketing":true,"necessary":true}"#,
                2,
            ),
            row("2026-11-20", r#"{"analytics":true}"#, 9),
        ];
        let overview = summarise(
            &rows,
            Timestamp::parse_date("2026-12-01").unwrap(),
            Timestamp::parse_date("2026-12-03").unwrap(),
        )
        .unwrap();
        assert_eq!(overview.categories, ["analytics", "marketing", "necessary"]);
        let decisions: Vec<_> = overview
            .days
            .iter()
            .map(|d| (d.day.as_str(), d.decisions))
            .collect();
        assert_eq!(
            decisions,
            [("2026-12-01", 4), ("2026-12-02", 0), ("2026-12-03", 2)]
        );
        let first = &overview.days[0].categories;
        assert_eq!(first["analytics"].rate_percent(), Some(75.0));
        assert_eq!(first["necessary"].rate_percent(), Some(100.0));
        assert!(!first.contains_key("marketing"));
        assert_eq!(overview.days[1].categories.get("analytics"), None);
        assert_eq!(
            overview.days[2].categories["analytics"].rate_percent(),
            Some(0.0)
        );
        assert_eq!(
            overview.days[2].categories["marketing"].rate_percent(),
            Some(100.0)
        );
    }

    #[test]
    fn unreadable_stored_categories_are_an_internal_error() {
        let day = Timestamp::parse_date("2026-12-01").unwrap();
        assert!(summarise(&[row("2026-12-01", "[]", 1)], day, day).is_err());
    }
}
