//! Charts as server-rendered SVG: lines over days, horizontal bars, and a
//! weekday × hour heat map. No script draws anything: the geometry is
//! worked out here (pure functions, tested), the markup comes from
//! compiled templates that escape every label, and colours come from the
//! stylesheet's classes (the CSP allows no inline style).
//!
//! Every chart is `role="img"`, named by its `<title>` and described by
//! its `<desc>` (`aria-labelledby`); the page puts a table with the same
//! numbers right behind it. Series differ by dash pattern and are labelled
//! at their ends, and the heat map's levels are also written in each
//! cell's title, so nothing is told by colour alone.

use std::fmt;

use askama::Template;

/// Rendered, escaped SVG markup, for a page to embed as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Svg(String);

impl Svg {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Svg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Charts never fail to render in practice (the templates are compiled
/// and take only strings and numbers); should one, the page shows the
/// table behind it and the log says why.
fn render(template: &impl Template) -> Svg {
    Svg(template.render().unwrap_or_else(|e| {
        tracing::error!(error = %e, "a chart could not be rendered");
        String::new()
    }))
}

/// How big a chart is drawn (the SVG scales to its box either way).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Size {
    /// Across the page.
    Wide,
    /// One of several side by side (small multiples).
    Small,
}

impl Size {
    fn dimensions(self) -> (f64, f64) {
        match self {
            Size::Wide => (640.0, 240.0),
            Size::Small => (320.0, 150.0),
        }
    }
}

/// What every chart is called and how it is described.
#[derive(Debug, Clone)]
pub struct Caption {
    /// Unique on the page: the ids of the title and description derive
    /// from it.
    pub id: String,
    pub title: String,
    /// One or two sentences with the gist (range, latest value).
    pub summary: String,
}

// ------------------------------------------------------------ scales

/// A "nice" step (1, 2, 2.5 or 5 times a power of ten) that cuts `span`
/// into about `parts` parts.
pub fn nice_step(span: f64, parts: usize) -> f64 {
    if !(span.is_finite() && span > 0.0) || parts == 0 {
        return 1.0;
    }
    let raw = span / parts as f64;
    let magnitude = 10f64.powf(raw.log10().floor());
    let normal = raw / magnitude;
    let nice = if normal <= 1.0 {
        1.0
    } else if normal <= 2.0 {
        2.0
    } else if normal <= 2.5 {
        2.5
    } else if normal <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * magnitude
}

/// The ticks of an axis that shows `min..=max`: from a multiple of the
/// step at or below `min` to one at or above `max`, about four steps. A
/// flat range is widened so the line sits in the middle; counts (`whole`)
/// never get fractional ticks.
pub fn ticks(min: f64, max: f64, whole: bool) -> Vec<f64> {
    let (mut lo, mut hi) = if min <= max { (min, max) } else { (max, min) };
    if !(lo.is_finite() && hi.is_finite()) {
        return vec![0.0, 1.0];
    }
    if (hi - lo).abs() < f64::EPSILON {
        let pad = if hi.abs() < f64::EPSILON {
            1.0
        } else {
            (hi.abs() * 0.1).max(if whole { 1.0 } else { 0.0 })
        };
        lo -= pad;
        hi += pad;
        if min >= 0.0 && lo < 0.0 {
            lo = 0.0;
        }
    }
    let mut step = nice_step(hi - lo, 4);
    if whole {
        step = step.max(1.0).round();
    }
    let first = (lo / step).floor() * step;
    let last = (hi / step).ceil() * step;
    let count = ((last - first) / step).round() as usize;
    (0..=count).map(|i| first + step * i as f64).collect()
}

/// Up to `most` indexes of `n` points to label on the x axis: the first,
/// the last and evenly spread ones between.
pub fn label_indexes(n: usize, most: usize) -> Vec<usize> {
    match (n, most) {
        (0, _) | (_, 0) => Vec::new(),
        (1, _) | (_, 1) => vec![0],
        _ => {
            let most = most.min(n);
            let mut out: Vec<usize> = (0..most)
                .map(|i| ((i * (n - 1)) as f64 / (most - 1) as f64).round() as usize)
                .collect();
            out.dedup();
            out
        }
    }
}

/// The runs of known values in `values`, as (index, value) lists: a day
/// the platform did not report breaks the line instead of drawing it to
/// zero.
pub fn segments(values: &[Option<f64>]) -> Vec<Vec<(usize, f64)>> {
    let mut out: Vec<Vec<(usize, f64)>> = Vec::new();
    let mut current: Vec<(usize, f64)> = Vec::new();
    for (i, v) in values.iter().enumerate() {
        match v {
            Some(v) if v.is_finite() => current.push((i, *v)),
            _ => {
                if !current.is_empty() {
                    out.push(std::mem::take(&mut current));
                }
            }
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// A coordinate as SVG takes it: one decimal, no `-0`.
fn coord(v: f64) -> String {
    let s = format!("{v:.1}");
    if s == "-0.0" { "0.0".to_owned() } else { s }
}

// ------------------------------------------------------------ lines

/// One line of a line chart.
#[derive(Debug, Clone)]
pub struct Line {
    pub label: String,
    /// One per x position; `None` where nothing is known.
    pub values: Vec<Option<f64>>,
}

/// A line chart: lines over the same x positions (days).
pub struct LineChart<'a> {
    pub caption: Caption,
    /// One per x position.
    pub x_labels: Vec<String>,
    pub lines: Vec<Line>,
    /// Whether the y axis starts at zero (daily counts) or fits the
    /// values (a follower count that grows by a few hundred).
    pub zero_based: bool,
    pub size: Size,
    /// How a y value is written (the reader's number format).
    pub format: &'a dyn Fn(f64) -> String,
}

pub struct Tick {
    pub at: String,
    pub label: String,
}

pub struct Path {
    pub class: String,
    /// `x,y x,y …` of each unbroken run.
    pub runs: Vec<String>,
    /// Lone points (a run of one), drawn as dots.
    pub dots: Vec<(String, String)>,
    pub label: String,
    pub label_x: String,
    pub label_y: String,
}

#[derive(Template)]
#[template(path = "chart_line.html")]
struct LineSvg {
    id: String,
    title: String,
    summary: String,
    class: &'static str,
    width: String,
    height: String,
    left: String,
    right: String,
    bottom: String,
    y_ticks: Vec<Tick>,
    x_ticks: Vec<Tick>,
    paths: Vec<Path>,
    empty: bool,
}

const LINE_LEFT: f64 = 64.0;
const LINE_TOP: f64 = 12.0;
const LINE_BOTTOM: f64 = 28.0;

impl LineChart<'_> {
    /// The chart's SVG.
    pub fn svg(&self) -> Svg {
        let (width, height) = self.size.dimensions();
        // Room on the right for the lines' end labels when there are
        // several; one line needs none.
        let right_margin = if self.lines.len() > 1 { 96.0 } else { 16.0 };
        let plot_w = width - LINE_LEFT - right_margin;
        let plot_h = height - LINE_TOP - LINE_BOTTOM;
        let n = self
            .x_labels
            .len()
            .max(self.lines.iter().map(|l| l.values.len()).max().unwrap_or(0));
        let known: Vec<f64> = self
            .lines
            .iter()
            .flat_map(|l| l.values.iter().flatten().copied())
            .filter(|v| v.is_finite())
            .collect();
        let empty = known.is_empty();
        let (min, max) = known
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
                (lo.min(*v), hi.max(*v))
            });
        let (min, max) = if empty { (0.0, 1.0) } else { (min, max) };
        let min = if self.zero_based { min.min(0.0) } else { min };
        let y_ticks = ticks(min, max, true);
        let lo = y_ticks.first().copied().unwrap_or(0.0);
        let hi = y_ticks.last().copied().unwrap_or(1.0);
        let span = if hi > lo { hi - lo } else { 1.0 };
        let x = |i: usize| {
            if n <= 1 {
                LINE_LEFT + plot_w / 2.0
            } else {
                LINE_LEFT + plot_w * i as f64 / (n - 1) as f64
            }
        };
        let y = |v: f64| LINE_TOP + plot_h * (1.0 - (v - lo) / span);
        let most = match self.size {
            Size::Wide => 6,
            Size::Small => 3,
        };
        let x_ticks = label_indexes(self.x_labels.len(), most)
            .into_iter()
            .map(|i| Tick {
                at: coord(x(i)),
                label: self.x_labels[i].clone(),
            })
            .collect();
        let paths = self
            .lines
            .iter()
            .enumerate()
            .map(|(k, line)| {
                let runs = segments(&line.values);
                let last = runs.last().and_then(|r| r.last()).copied();
                Path {
                    class: format!("series series-{}", k % 4),
                    dots: runs
                        .iter()
                        .filter(|r| r.len() == 1)
                        .map(|r| (coord(x(r[0].0)), coord(y(r[0].1))))
                        .collect(),
                    runs: runs
                        .iter()
                        .filter(|r| r.len() > 1)
                        .map(|r| {
                            r.iter()
                                .map(|(i, v)| format!("{},{}", coord(x(*i)), coord(y(*v))))
                                .collect::<Vec<_>>()
                                .join(" ")
                        })
                        .collect(),
                    label: if self.lines.len() > 1 {
                        line.label.clone()
                    } else {
                        String::new()
                    },
                    label_x: coord(last.map_or(0.0, |(i, _)| x(i) + 6.0)),
                    label_y: coord(last.map_or(0.0, |(_, v)| y(v) + 4.0)),
                }
            })
            .collect();
        render(&LineSvg {
            id: self.caption.id.clone(),
            title: self.caption.title.clone(),
            summary: self.caption.summary.clone(),
            class: match self.size {
                Size::Wide => "chart chart-line",
                Size::Small => "chart chart-line chart-small",
            },
            width: coord(width),
            height: coord(height),
            left: coord(LINE_LEFT),
            right: coord(LINE_LEFT + plot_w),
            bottom: coord(LINE_TOP + plot_h),
            y_ticks: y_ticks
                .iter()
                .map(|v| Tick {
                    at: coord(y(*v)),
                    label: (self.format)(*v),
                })
                .collect(),
            x_ticks,
            paths,
            empty,
        })
    }
}

// ------------------------------------------------------------ bars

/// One bar: its label, its value (`None`: not known, no bar) and the
/// value as the reader reads it.
#[derive(Debug, Clone)]
pub struct Bar {
    pub label: String,
    pub value: Option<f64>,
    pub text: String,
}

/// Horizontal bars from a common zero, one per row.
pub struct BarChart {
    pub caption: Caption,
    pub bars: Vec<Bar>,
}

pub struct BarRow {
    pub label: String,
    pub text: String,
    pub y: String,
    pub label_y: String,
    pub width: String,
    pub text_x: String,
    pub known: bool,
}

#[derive(Template)]
#[template(path = "chart_bars.html")]
struct BarSvg {
    id: String,
    title: String,
    summary: String,
    width: String,
    height: String,
    left: String,
    bar_height: String,
    rows: Vec<BarRow>,
}

const BAR_WIDTH: f64 = 640.0;
const BAR_LEFT: f64 = 150.0;
const BAR_AREA: f64 = 380.0;
const BAR_ROW: f64 = 32.0;
const BAR_THICK: f64 = 20.0;

/// The length of a bar of `value` when the longest is `max` long: known
/// values never draw less than a hairline, so a zero is seen as a zero.
pub fn bar_length(value: f64, max: f64, area: f64) -> f64 {
    if !(value.is_finite() && max.is_finite()) || max <= 0.0 || value <= 0.0 {
        return 1.0;
    }
    (area * value / max).clamp(1.0, area)
}

impl BarChart {
    pub fn svg(&self) -> Svg {
        let max = self
            .bars
            .iter()
            .filter_map(|b| b.value)
            .filter(|v| v.is_finite())
            .fold(0.0_f64, f64::max);
        let rows = self
            .bars
            .iter()
            .enumerate()
            .map(|(i, b)| {
                let top = 8.0 + BAR_ROW * i as f64;
                let width = b.value.map_or(0.0, |v| bar_length(v, max, BAR_AREA));
                BarRow {
                    label: b.label.clone(),
                    text: b.text.clone(),
                    y: coord(top),
                    label_y: coord(top + BAR_THICK / 2.0 + 5.0),
                    width: coord(width),
                    text_x: coord(BAR_LEFT + width + 8.0),
                    known: b.value.is_some(),
                }
            })
            .collect();
        render(&BarSvg {
            id: self.caption.id.clone(),
            title: self.caption.title.clone(),
            summary: self.caption.summary.clone(),
            width: coord(BAR_WIDTH),
            height: coord(16.0 + BAR_ROW * self.bars.len().max(1) as f64),
            left: coord(BAR_LEFT),
            bar_height: coord(BAR_THICK),
            rows,
        })
    }
}

// ------------------------------------------------------------ heat map

/// One cell of the heat map.
#[derive(Debug, Clone, Default)]
pub struct Cell {
    /// `None`: nothing there (no post at that hour).
    pub value: Option<f64>,
    /// What the cell holds in words (its tooltip and accessible name).
    pub note: String,
    /// A best slot: marked with a star, not only a colour.
    pub best: bool,
}

/// Rows (weekdays) × columns (hours) of cells.
pub struct HeatMap {
    pub caption: Caption,
    pub rows: Vec<String>,
    pub columns: Vec<String>,
    /// `rows.len()` rows of `columns.len()` cells.
    pub cells: Vec<Vec<Cell>>,
}

pub struct HeatCell {
    pub x: String,
    pub y: String,
    pub cx: String,
    pub cy: String,
    pub class: String,
    pub note: String,
    pub best: bool,
}

pub struct HeatLabel {
    pub at: String,
    pub label: String,
}

#[derive(Template)]
#[template(path = "chart_heat.html")]
struct HeatSvg {
    id: String,
    title: String,
    summary: String,
    width: String,
    height: String,
    size: String,
    rows: Vec<HeatLabel>,
    columns: Vec<HeatLabel>,
    cells: Vec<HeatCell>,
}

const HEAT_LEFT: f64 = 48.0;
const HEAT_TOP: f64 = 22.0;
const HEAT_CELL: f64 = 24.0;

/// The shade of a value against the largest (0: nothing there, 1…4:
/// up to a quarter of the largest, …, more than three quarters).
pub fn level(value: Option<f64>, max: f64) -> u8 {
    match value {
        None => 0,
        Some(v) if !v.is_finite() => 0,
        Some(_) if !(max.is_finite() && max > 0.0) => 1,
        Some(v) => ((v / max * 4.0).ceil() as i64).clamp(1, 4) as u8,
    }
}

impl HeatMap {
    pub fn svg(&self) -> Svg {
        let max = self
            .cells
            .iter()
            .flatten()
            .filter_map(|c| c.value)
            .filter(|v| v.is_finite())
            .fold(0.0_f64, f64::max);
        let cells = self
            .cells
            .iter()
            .enumerate()
            .flat_map(|(r, row)| {
                row.iter()
                    .enumerate()
                    .map(move |(col, cell)| (r, col, cell))
            })
            .map(|(r, col, cell)| {
                let x = HEAT_LEFT + HEAT_CELL * col as f64;
                let y = HEAT_TOP + HEAT_CELL * r as f64;
                HeatCell {
                    x: coord(x + 1.0),
                    y: coord(y + 1.0),
                    cx: coord(x + HEAT_CELL / 2.0),
                    cy: coord(y + HEAT_CELL / 2.0 + 4.0),
                    class: format!("heat heat-{}", level(cell.value, max)),
                    note: cell.note.clone(),
                    best: cell.best,
                }
            })
            .collect();
        render(&HeatSvg {
            id: self.caption.id.clone(),
            title: self.caption.title.clone(),
            summary: self.caption.summary.clone(),
            width: coord(HEAT_LEFT + HEAT_CELL * self.columns.len() as f64 + 4.0),
            height: coord(HEAT_TOP + HEAT_CELL * self.rows.len() as f64 + 4.0),
            size: coord(HEAT_CELL - 2.0),
            rows: self
                .rows
                .iter()
                .enumerate()
                .map(|(i, label)| HeatLabel {
                    at: coord(HEAT_TOP + HEAT_CELL * i as f64 + HEAT_CELL / 2.0 + 4.0),
                    label: label.clone(),
                })
                .collect(),
            // Every third hour is labelled; the cells' titles name each.
            columns: self
                .columns
                .iter()
                .enumerate()
                .filter(|(i, _)| i % 3 == 0)
                .map(|(i, label)| HeatLabel {
                    at: coord(HEAT_LEFT + HEAT_CELL * i as f64 + HEAT_CELL / 2.0),
                    label: label.clone(),
                })
                .collect(),
            cells,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caption(id: &str) -> Caption {
        Caption {
            id: id.to_owned(),
            title: "Followers <all>".to_owned(),
            summary: "From 10 to 20 & up".to_owned(),
        }
    }

    #[test]
    fn steps_are_nice_and_ticks_cover_the_values() {
        assert_eq!(nice_step(100.0, 4), 25.0);
        assert_eq!(nice_step(9.0, 4), 2.5);
        assert_eq!(nice_step(1234.0, 4), 500.0);
        assert_eq!(nice_step(0.0, 4), 1.0);
        assert_eq!(ticks(0.0, 100.0, true), [0.0, 25.0, 50.0, 75.0, 100.0]);
        let t = ticks(10_120.0, 10_480.0, true);
        assert!(t[0] <= 10_120.0 && *t.last().unwrap() >= 10_480.0, "{t:?}");
        assert!(t.len() <= 6, "{t:?}");
        // A flat line gets room around it, and counts never go below zero
        // or get fractional ticks.
        let flat = ticks(5.0, 5.0, true);
        assert!(flat[0] <= 4.0 && *flat.last().unwrap() >= 6.0, "{flat:?}");
        assert!(flat.iter().all(|v| v.fract() == 0.0 && *v >= 0.0));
        assert_eq!(ticks(0.0, 0.0, true).first(), Some(&0.0));
        assert!(ticks(0.0, 2.0, true).iter().all(|v| v.fract() == 0.0));
    }

    #[test]
    fn labels_spread_from_the_first_to_the_last_point() {
        assert_eq!(label_indexes(30, 6), [0, 6, 12, 17, 23, 29]);
        assert_eq!(label_indexes(3, 6), [0, 1, 2]);
        assert_eq!(label_indexes(1, 6), [0]);
        assert!(label_indexes(0, 6).is_empty());
    }

    #[test]
    fn unknown_days_break_the_line_instead_of_dropping_to_zero() {
        let runs = segments(&[Some(1.0), Some(2.0), None, Some(4.0), None, None]);
        assert_eq!(runs, vec![vec![(0, 1.0), (1, 2.0)], vec![(3, 4.0)]]);
        assert!(segments(&[None, None]).is_empty());
        assert!(segments(&[Some(f64::NAN)]).is_empty());
    }

    #[test]
    fn a_line_chart_is_a_named_image_with_its_labels_escaped() {
        let fmt = |v: f64| format!("{v:.0}");
        let chart = LineChart {
            caption: caption("growth"),
            x_labels: (1..=5).map(|d| format!("12-0{d}")).collect(),
            lines: vec![
                Line {
                    label: "A & B".to_owned(),
                    values: vec![Some(10.0), Some(12.0), None, Some(15.0), Some(20.0)],
                },
                Line {
                    label: "Solo".to_owned(),
                    values: vec![None, None, Some(3.0), None, None],
                },
            ],
            zero_based: true,
            size: Size::Wide,
            format: &fmt,
        };
        let svg = chart.svg();
        let s = svg.as_str();
        assert!(s.starts_with("<svg"), "{s}");
        assert!(s.contains(r#"role="img""#));
        assert!(s.contains(r#"aria-labelledby="growth-title growth-desc""#));
        assert!(
            s.contains("<title id=\"growth-title\">Followers &#60;all&#62;</title>"),
            "{s}"
        );
        assert!(s.contains("From 10 to 20 &#38; up"), "{s}");
        assert!(s.contains("A &#38; B"), "{s}");
        // Two runs for the first line, a dot for the lone point.
        assert_eq!(s.matches("<polyline").count(), 2, "{s}");
        assert_eq!(s.matches("<circle").count(), 1, "{s}");
        assert!(s.contains("series-0") && s.contains("series-1"));
        assert!(s.contains(">12-01<") && s.contains(">12-05<"));
        assert!(!s.contains("NaN") && !s.contains("inf"));
    }

    #[test]
    fn a_line_chart_without_values_says_so_in_its_own_way() {
        let fmt = |v: f64| format!("{v}");
        let chart = LineChart {
            caption: caption("none"),
            x_labels: Vec::new(),
            lines: vec![Line {
                label: "x".to_owned(),
                values: vec![None],
            }],
            zero_based: true,
            size: Size::Small,
            format: &fmt,
        };
        let s = chart.svg().to_string();
        assert!(
            s.contains("chart-small") && s.contains("chart-empty"),
            "{s}"
        );
        assert!(!s.contains("<polyline"));
    }

    #[test]
    fn bars_are_proportional_and_unknown_values_have_none() {
        assert_eq!(bar_length(50.0, 100.0, 380.0), 190.0);
        assert_eq!(bar_length(0.0, 100.0, 380.0), 1.0, "a zero is a hairline");
        assert_eq!(bar_length(5.0, 0.0, 380.0), 1.0);
        let chart = BarChart {
            caption: caption("funnel"),
            bars: vec![
                Bar {
                    label: "Views".into(),
                    value: Some(1000.0),
                    text: "1,000".into(),
                },
                Bar {
                    label: "Follows".into(),
                    value: None,
                    text: "not reported".into(),
                },
            ],
        };
        let s = chart.svg().to_string();
        assert_eq!(s.matches("<rect").count(), 1, "{s}");
        assert!(s.contains(r#"width="380.0""#), "{s}");
        assert!(s.contains(">1,000<") && s.contains(">not reported<"));
    }

    #[test]
    fn heat_levels_grow_with_the_value_and_best_slots_are_starred() {
        assert_eq!(level(None, 1.0), 0);
        assert_eq!(level(Some(0.0), 1.0), 1);
        assert_eq!(level(Some(0.25), 1.0), 1);
        assert_eq!(level(Some(0.26), 1.0), 2);
        assert_eq!(level(Some(1.0), 1.0), 4);
        assert_eq!(level(Some(0.3), 0.0), 1);
        let mut cells = vec![vec![Cell::default(); 24]; 7];
        cells[0][9] = Cell {
            value: Some(0.05),
            note: "Monday 09:00: 3 posts".into(),
            best: true,
        };
        cells[6][23] = Cell {
            value: Some(0.01),
            note: "Sunday 23:00: 1 post".into(),
            best: false,
        };
        let map = HeatMap {
            caption: caption("heat"),
            rows: (1..=7).map(|d| format!("D{d}")).collect(),
            columns: (0..24).map(|h| format!("{h:02}")).collect(),
            cells,
        };
        let s = map.svg().to_string();
        assert_eq!(s.matches("<rect").count(), 7 * 24, "every slot is drawn");
        assert!(s.contains("heat-4") && s.contains("heat-1") && s.contains("heat-0"));
        assert!(s.contains("Monday 09:00: 3 posts"));
        assert_eq!(s.matches('★').count(), 1, "{s}");
        assert!(s.contains(">D7<") && s.contains(">21<") && !s.contains(">22<"));
    }
}
