//! `GET /admin`: the consent overview — decisions per day and the share accepting each
//! category, as two charts and one table with the same numbers.

use axum::extract::State;
use axum::response::{IntoResponse, Response};

use super::chart::{legend_marker, render, series_style, LineChart, Series};
use super::session::SignedIn;
use super::shell::{AdminPage, Section};
use crate::domain::consent_overview::{self, ConsentOverview, OVERVIEW_DAYS};
use crate::error::ApiError;
use crate::http::state::AppState;
use crate::http::static_files::escape_html;

pub async fn show(State(state): State<AppState>, signed_in: SignedIn) -> Response {
    let page = match consent_overview::overview(&state.database, state.clock.now()).await {
        Ok(overview) => body(&overview),
        Err(error) => Err(error),
    };
    match page {
        Ok(body) => AdminPage::signed_in(
            &signed_in.session,
            Section::Overview,
            "Consent overview",
            body,
        )
        .into_response(),
        Err(error) => AdminPage::failure(error).into_response(),
    }
}

/// A share as the table and the chart's description write it: one decimal, or a dash
/// when no decision named the category that day.
fn percent(rate: Option<f64>) -> String {
    rate.map_or_else(|| "–".to_owned(), |rate| format!("{rate:.1} %"))
}

fn body(overview: &ConsentOverview) -> Result<String, ApiError> {
    let labels: Vec<String> = overview.days.iter().map(|day| day.day.clone()).collect();
    let first = labels.first().cloned().unwrap_or_default();
    let last = labels.last().cloned().unwrap_or_default();
    let total: i64 = overview.days.iter().map(|day| day.decisions).sum();
    let busiest = overview
        .days
        .iter()
        .map(|day| day.decisions)
        .max()
        .unwrap_or(0);

    let decisions = [Series {
        values: overview
            .days
            .iter()
            .map(|day| Some(day.decisions as f64))
            .collect(),
    }];
    let decisions_chart = render(&LineChart {
        id: "decisions-chart",
        title: "Consent decisions per day",
        description: &format!(
            "{total} decisions from {first} to {last}, at most {busiest} on one day. The table below has every day's number."
        ),
        x_labels: &labels,
        y_description: "decisions",
        y_label: |value| format!("{value:.0}"),
        // Headroom above the busiest day; at least 5 so an empty period still has a scale.
        y_max: ((busiest as f64) * 1.15).max(5.0),
        series: &decisions,
    })?;

    let rates: Vec<Series> = overview
        .categories
        .iter()
        .map(|category| Series {
            values: overview
                .days
                .iter()
                .map(|day| {
                    day.categories
                        .get(category)
                        .and_then(|count| count.rate_percent())
                })
                .collect(),
        })
        .collect();
    let rates_chart = render(&LineChart {
        id: "rates-chart",
        title: "Share of decisions accepting each category, per day",
        description: &format!(
            "One line per category ({}), in per cent of that day's decisions, from {first} to {last}. The table below has every value.",
            overview.categories.join(", ")
        ),
        x_labels: &labels,
        y_description: "% accepted",
        y_label: |value| format!("{value:.0} %"),
        y_max: 100.0,
        series: &rates,
    })?;
    let legend: String = overview
        .categories
        .iter()
        .enumerate()
        .map(|(index, category)| {
            let (_, marker) = series_style(index);
            format!(
                "<li>{}{} <span class=\"marker-name\">({})</span></li>",
                legend_marker(index),
                escape_html(category),
                marker.name(),
            )
        })
        .collect();

    let header_cells: String = overview
        .categories
        .iter()
        .map(|category| format!("<th scope=\"col\">{} accepted</th>", escape_html(category)))
        .collect();
    let rows: String = overview
        .days
        .iter()
        .rev()
        .map(|day| {
            let cells: String = overview
                .categories
                .iter()
                .map(|category| {
                    let count = day.categories.get(category).copied().unwrap_or_default();
                    let counts = if count.offered > 0 {
                        format!(
                            " <span class=\"count\">({} of {})</span>",
                            count.accepted, count.offered
                        )
                    } else {
                        String::new()
                    };
                    format!("<td>{}{counts}</td>", percent(count.rate_percent()))
                })
                .collect();
            format!(
                "<tr><th scope=\"row\">{}</th><td>{}</td>{cells}</tr>\n",
                escape_html(&day.day),
                day.decisions
            )
        })
        .collect();

    Ok(format!(
        "<p>The last {OVERVIEW_DAYS} days ({first} to {last}, UTC, by the day the server received each decision): {total} consent decisions.</p>\n\
         <section aria-labelledby=\"decisions-heading\">\n<h2 id=\"decisions-heading\">Decisions per day</h2>\n\
         <figure class=\"chart\">{decisions_chart}</figure>\n</section>\n\
         <section aria-labelledby=\"rates-heading\">\n<h2 id=\"rates-heading\">Acceptance per category</h2>\n\
         <figure class=\"chart\">{rates_chart}<figcaption><ul class=\"legend\">{legend}</ul></figcaption></figure>\n</section>\n\
         <section aria-labelledby=\"table-heading\">\n<h2 id=\"table-heading\">The numbers</h2>\n\
         <div class=\"table-scroll\" role=\"region\" aria-labelledby=\"table-heading\" tabindex=\"0\">\n\
         <table id=\"consent-table\">\n<caption>Decisions and acceptance per day, newest first</caption>\n\
         <thead><tr><th scope=\"col\">Day</th><th scope=\"col\">Decisions</th>{header_cells}</tr></thead>\n\
         <tbody>\n{rows}</tbody>\n</table>\n</div>\n</section>\n"
    ))
}
