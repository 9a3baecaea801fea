//! Charts drawn as SVG from Rust: bars, lines and a heat map, with axes, labels, a
//! legend and each value in a `<title>` (shown on hover, read by screen readers). No
//! JavaScript charting library; every chart has a data table beside it.
use leptos::prelude::*;

const W: f64 = 640.0;
const H: f64 = 220.0;
const LEFT: f64 = 48.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 36.0;

/// One line (or the bars) of a chart: a name for the legend and a value per label.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    pub name: &'static str,
    /// `None`: no value there (a gap, not a zero).
    pub values: Vec<Option<f64>>,
    /// The CSS class that colours it.
    pub class: &'static str,
}

/// A round top for the axis: 1, 2 or 5 times a power of ten, at least `max`.
pub fn nice_max(max: f64) -> f64 {
    if max <= 0.0 || !max.is_finite() {
        return 1.0;
    }
    let p = 10f64.powf(max.log10().floor());
    [1.0, 2.0, 5.0, 10.0].into_iter().map(|m| m * p).find(|v| *v >= max).unwrap_or(10.0 * p)
}

/// A number as the axis shows it: no decimals from 10 up.
pub fn short(v: f64) -> String {
    if v.abs() >= 10.0 || v == v.trunc() {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

fn axes(labels: &[String], top: f64, unit: &'static str) -> impl IntoView {
    let n = labels.len().max(1);
    let step = (W - LEFT - RIGHT) / n as f64;
    // At most about ten labels on the x axis.
    let every = n.div_ceil(10);
    let ticks: Vec<f64> = (0..=4).map(|i| top * i as f64 / 4.0).collect();
    view! {
        <g class="axis" aria-hidden="true">
            {ticks.into_iter().map(|t| {
                let y = H - BOTTOM - (H - TOP - BOTTOM) * t / top;
                view! {
                    <line x1=LEFT x2=W - RIGHT y1=y y2=y class="grid"/>
                    <text x=LEFT - 6.0 y=y + 4.0 text-anchor="end">{short(t)}</text>
                }
            }).collect_view()}
            <text x=4 y=TOP + 2.0 class="unit">{unit}</text>
            {labels.iter().enumerate().filter(|(i, _)| i % every == 0).map(|(i, l)| {
                let x = LEFT + step * (i as f64 + 0.5);
                let text = if l.len() == 10 { l[5..].to_string() } else { l.clone() };
                view! { <text x=x y=H - BOTTOM + 16.0 text-anchor="middle">{text}</text> }
            }).collect_view()}
        </g>
    }
}

/// Bars, one per label.
#[component]
pub fn BarChart(label: String, labels: Vec<String>, series: Series, unit: &'static str) -> impl IntoView {
    let max = nice_max(series.values.iter().flatten().copied().fold(0.0, f64::max));
    let n = labels.len().max(1);
    let step = (W - LEFT - RIGHT) / n as f64;
    let bars = labels.iter().zip(series.values.iter()).enumerate().filter_map(|(i, (l, v))| {
        let v = (*v)?;
        let h = (H - TOP - BOTTOM) * v / max;
        let x = LEFT + step * i as f64 + step * 0.15;
        Some(view! {
            <rect x=x y=H - BOTTOM - h width=step * 0.7 height=h class=series.class>
                <title>{format!("{l}: {} {unit}", short(v))}</title>
            </rect>
        })
    }).collect_view();
    view! {
        <svg class="chart" viewBox=format!("0 0 {W} {H}") role="img" aria-label=label>
            {axes(&labels, max, unit)}
            {bars}
        </svg>
    }
}

/// Lines with dots, one per series, and a legend.
#[component]
pub fn LineChart(label: String, labels: Vec<String>, series: Vec<Series>, unit: &'static str) -> impl IntoView {
    let max = nice_max(series.iter().flat_map(|s| s.values.iter().flatten().copied()).fold(0.0, f64::max));
    let n = labels.len().max(1);
    let step = (W - LEFT - RIGHT) / n as f64;
    let point = move |i: usize, v: f64| (LEFT + step * (i as f64 + 0.5), H - BOTTOM - (H - TOP - BOTTOM) * v / max);
    let lines = series.iter().map(|s| {
        let path: Vec<String> = s.values.iter().enumerate().filter_map(|(i, v)| v.map(|v| point(i, v))).map(|(x, y)| format!("{x:.1},{y:.1}")).collect();
        let dots = s.values.iter().enumerate().filter_map(|(i, v)| {
            let v = (*v)?;
            let (x, y) = point(i, v);
            Some(view! { <circle cx=x cy=y r="3.5" class=s.class><title>{format!("{} {}: {} {unit}", labels[i], s.name, short(v))}</title></circle> })
        }).collect_view();
        view! { <g><polyline points=path.join(" ") class=format!("line {}", s.class)/>{dots}</g> }
    }).collect_view();
    let legend = series.iter().enumerate().map(|(i, s)| {
        let x = LEFT + 140.0 * i as f64;
        view! { <g class="legend"><rect x=x y=H - 12.0 width="10" height="10" class=s.class/><text x=x + 14.0 y=H - 3.0>{s.name}</text></g> }
    }).collect_view();
    view! {
        <svg class="chart" viewBox=format!("0 0 {W} {H}") role="img" aria-label=label>
            {axes(&labels, max, unit)}
            {lines}
            {legend}
        </svg>
    }
}

/// Weekday rows by hour columns, shaded by count.
#[component]
pub fn HeatMap(label: String, grid: Vec<Vec<i64>>) -> impl IntoView {
    const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    let max = grid.iter().flatten().copied().max().unwrap_or(0).max(1) as f64;
    let (cw, ch) = ((W - LEFT - RIGHT) / 24.0, 22.0);
    let cells = grid.iter().enumerate().flat_map(|(d, row)| {
        row.iter().enumerate().map(move |(h, n)| {
            let alpha = if *n == 0 { 0.0 } else { 0.15 + 0.85 * (*n as f64 / max) };
            view! {
                <rect x=LEFT + cw * h as f64 y=TOP + ch * d as f64 width=cw - 1.0 height=ch - 1.0 class="heat" fill-opacity=format!("{alpha:.2}")>
                    <title>{format!("{} {h:02}:00: {n} new", DAYS[d])}</title>
                </rect>
            }
        }).collect::<Vec<_>>()
    }).collect_view();
    view! {
        <svg class="chart heatmap" viewBox=format!("0 0 {W} {}", TOP + ch * 7.0 + 20.0) role="img" aria-label=label>
            <g class="axis" aria-hidden="true">
                {DAYS.iter().enumerate().map(|(d, name)| view! { <text x=LEFT - 6.0 y=TOP + ch * d as f64 + 15.0 text-anchor="end">{*name}</text> }).collect_view()}
                {(0..24).step_by(3).map(|h| view! { <text x=LEFT + cw * h as f64 + cw / 2.0 y=TOP + ch * 7.0 + 14.0 text-anchor="middle">{format!("{h:02}")}</text> }).collect_view()}
            </g>
            {cells}
        </svg>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axis_tops_are_round() {
        assert_eq!(nice_max(0.0), 1.0);
        assert_eq!(nice_max(7.0), 10.0);
        assert_eq!(nice_max(13.0), 20.0);
        assert_eq!(nice_max(41.0), 50.0);
        assert_eq!(nice_max(100.0), 100.0);
        assert_eq!(nice_max(0.3), 0.5);
        assert_eq!(short(2.5), "2.5");
        assert_eq!(short(12.4), "12");
    }
}
