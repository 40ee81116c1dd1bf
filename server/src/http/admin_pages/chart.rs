//! Line charts as inline SVG, drawn by `plotters` (its SVG backend, no fonts or bitmaps), then
//! given a `<title>` and `<desc>` so a screen reader announces what the chart shows; the page
//! puts the same numbers in a table next to it. Series differ by marker shape as well as by
//! colour, and every colour has at least 3:1 contrast against the white background
//! (WCAG 1.4.1, 1.4.11).

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::error::ApiError;
use crate::http::static_files::escape_html;

const SIZE: (u32, u32) = (760, 340);

/// Colours and marker shapes, in the order series take them. Contrast with white:
/// #1d4ed8 6.7:1, #b45309 5.0:1, #047857 5.5:1, #7e22ce 7.0:1, #be123c 6.0:1, #374151 10.3:1.
const COLOURS: [RGBColor; 6] = [
    RGBColor(0x1d, 0x4e, 0xd8),
    RGBColor(0xb4, 0x53, 0x09),
    RGBColor(0x04, 0x78, 0x57),
    RGBColor(0x7e, 0x22, 0xce),
    RGBColor(0xbe, 0x12, 0x3c),
    RGBColor(0x37, 0x41, 0x51),
];

/// How a series' points are marked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Marker {
    Circle,
    Triangle,
    Cross,
    Square,
}

const MARKERS: [Marker; 4] = [
    Marker::Circle,
    Marker::Triangle,
    Marker::Cross,
    Marker::Square,
];

impl Marker {
    /// The shape's name, for the legend under the chart.
    pub fn name(self) -> &'static str {
        match self {
            Marker::Circle => "circles",
            Marker::Triangle => "triangles",
            Marker::Cross => "crosses",
            Marker::Square => "squares",
        }
    }
}

/// One line: a value per x position, `None` where there is none (drawn as a gap). Its
/// name goes in the page's legend, next to [`legend_marker`].
pub struct Series {
    pub values: Vec<Option<f64>>,
}

/// What a chart shows.
pub struct LineChart<'a> {
    /// Unique on the page: the ids of the title and description derive from it.
    pub id: &'a str,
    pub title: &'a str,
    pub description: &'a str,
    /// One label per x position.
    pub x_labels: &'a [String],
    pub y_description: &'a str,
    /// How the y axis writes a value: whole counts, or shares with a unit.
    pub y_label: fn(&f64) -> String,
    pub y_max: f64,
    pub series: &'a [Series],
}

/// The style a series gets, by its position: (colour as `#rrggbb`, marker).
pub fn series_style(index: usize) -> (String, Marker) {
    let RGBColor(r, g, b) = COLOURS[index % COLOURS.len()];
    (
        format!("#{r:02x}{g:02x}{b:02x}"),
        MARKERS[index % MARKERS.len()],
    )
}

/// The marker of series `index` as a small inline SVG for a legend beside the chart (drawn
/// with presentation attributes, which the CSP allows, unlike inline styles).
pub fn legend_marker(index: usize) -> String {
    let (colour, marker) = series_style(index);
    let shape = match marker {
        Marker::Circle => format!("<circle cx=\"8\" cy=\"8\" r=\"5\" fill=\"{colour}\"/>"),
        Marker::Triangle => format!("<polygon points=\"8,2 14,14 2,14\" fill=\"{colour}\"/>"),
        Marker::Cross => {
            format!("<path d=\"M3 3L13 13M13 3L3 13\" stroke=\"{colour}\" stroke-width=\"2.5\"/>")
        }
        Marker::Square => {
            format!("<rect x=\"3\" y=\"3\" width=\"10\" height=\"10\" fill=\"{colour}\"/>")
        }
    };
    format!(
        "<svg class=\"legend-marker\" width=\"16\" height=\"16\" viewBox=\"0 0 16 16\" aria-hidden=\"true\" focusable=\"false\">{shape}</svg>"
    )
}

fn drawing_error(error: impl std::fmt::Display) -> ApiError {
    ApiError::internal(format!("chart: {error}"))
}

/// The chart as an `<svg role="img">` element.
pub fn render(chart: &LineChart<'_>) -> Result<String, ApiError> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        draw(&root, chart)?;
        root.present().map_err(drawing_error)?;
    }
    label(&svg, chart)
}

fn draw(root: &DrawingArea<SVGBackend<'_>, Shift>, chart: &LineChart<'_>) -> Result<(), ApiError> {
    root.fill(&WHITE).map_err(drawing_error)?;
    let last_x = chart.x_labels.len().saturating_sub(1).max(1);
    let mut context = ChartBuilder::on(root)
        .margin(16)
        .x_label_area_size(36)
        .y_label_area_size(56)
        .build_cartesian_2d(0..last_x, 0.0..chart.y_max)
        .map_err(drawing_error)?;
    let labels = chart.x_labels;
    let format_x = |index: &usize| {
        labels
            .get(*index)
            .map(|label| label.get(5..).unwrap_or(label).to_owned())
            .unwrap_or_default()
    };
    let axis_text = ("sans-serif", 14)
        .into_font()
        .color(&RGBColor(0x1f, 0x29, 0x37));
    context
        .configure_mesh()
        .x_labels(8)
        .y_labels(6)
        .x_label_formatter(&format_x)
        .y_label_formatter(&chart.y_label)
        .y_desc(chart.y_description)
        .label_style(axis_text.clone())
        .axis_desc_style(axis_text)
        .light_line_style(RGBColor(0xe5, 0xe7, 0xeb))
        .bold_line_style(RGBColor(0xd1, 0xd5, 0xdb))
        .axis_style(RGBColor(0x37, 0x41, 0x51))
        .draw()
        .map_err(drawing_error)?;

    for (index, series) in chart.series.iter().enumerate() {
        let colour = COLOURS[index % COLOURS.len()];
        let (_, marker) = series_style(index);
        // Consecutive known values make a line; a day without data breaks it.
        let mut run: Vec<(usize, f64)> = Vec::new();
        let mut runs: Vec<Vec<(usize, f64)>> = Vec::new();
        for (x, value) in series.values.iter().enumerate() {
            match value {
                Some(y) => run.push((x, *y)),
                None if !run.is_empty() => runs.push(std::mem::take(&mut run)),
                None => {}
            }
        }
        if !run.is_empty() {
            runs.push(run);
        }
        for run in &runs {
            context
                .draw_series(LineSeries::new(run.iter().copied(), colour.stroke_width(2)))
                .map_err(drawing_error)?;
        }
        let points = runs.iter().flatten().copied();
        let style = colour.filled();
        let drawn = match marker {
            Marker::Circle => context.draw_series(points.map(|point| Circle::new(point, 4, style))),
            Marker::Triangle => {
                context.draw_series(points.map(|point| TriangleMarker::new(point, 6, style)))
            }
            Marker::Cross => context
                .draw_series(points.map(|point| Cross::new(point, 5, colour.stroke_width(2)))),
            Marker::Square => {
                context.draw_series(points.map(|point| {
                    EmptyElement::at(point) + Rectangle::new([(-4, -4), (4, 4)], style)
                }))
            }
        };
        drawn.map_err(drawing_error)?;
    }
    Ok(())
}

/// Adds the accessible name and description to plotters' `<svg …>` opening tag.
fn label(svg: &str, chart: &LineChart<'_>) -> Result<String, ApiError> {
    let open_end = svg
        .find("<svg")
        .and_then(|start| svg[start..].find('>').map(|end| start + end))
        .ok_or_else(|| ApiError::internal("chart: plotters wrote no <svg> element"))?;
    let id = escape_html(chart.id);
    Ok(format!(
        "{open} role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" class=\"chart-svg\">\
         <title id=\"{id}-title\">{title}</title><desc id=\"{id}-desc\">{desc}</desc>{rest}",
        open = &svg[..open_end],
        title = escape_html(chart.title),
        desc = escape_html(chart.description),
        rest = &svg[open_end + 1..],
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_svg_is_labelled_and_draws_every_point_without_inline_styles() {
        let labels: Vec<String> = ["2026-12-01", "2026-12-02", "2026-12-03"]
            .map(str::to_owned)
            .to_vec();
        let series = [
            Series {
                values: vec![Some(75.0), None, Some(0.0)],
            },
            Series {
                values: vec![Some(50.0), Some(60.0), Some(100.0)],
            },
        ];
        let svg = render(&LineChart {
            id: "rates",
            title: "Acceptance <rate>",
            description: "Per day & category",
            x_labels: &labels,
            y_description: "% accepted",
            y_label: |value| format!("{value:.0} %"),
            y_max: 100.0,
            series: &series,
        })
        .unwrap();
        assert!(svg.starts_with("<svg"), "{}", &svg[..80]);
        assert!(svg.contains(r#"role="img" aria-labelledby="rates-title rates-desc""#));
        assert!(svg.contains(r#"<title id="rates-title">Acceptance &lt;rate&gt;</title>"#));
        assert!(svg.contains(r#"<desc id="rates-desc">Per day &amp; category</desc>"#));
        // Circles for the first series (two points: the gap draws none), a polygon per
        // triangle for the second (three points).
        assert_eq!(svg.matches("<circle").count(), 2);
        assert_eq!(svg.matches("<polygon").count(), 3);
        assert!(svg.contains("12-02"), "x labels are month-day");
        assert!(
            svg.contains("80 %") && !svg.contains("80.0"),
            "y labels as the formatter writes them"
        );
        assert!(!svg.contains("style="), "the CSP forbids inline styles");
    }
}
