//! Inline SVG figures for `plot` and `descent` results.
//!
//! Every figure is a self-contained `<svg role="img">` with a `<title>` and
//! a `<desc>` that say in words what it shows, and every mark carries a CSS
//! class (`calc-curve`, `calc-path`, `calc-contour`, …) so that the theme's
//! stylesheet colours it for light and dark pages; presentation attributes
//! give a readable fallback without the stylesheet. Coordinates are rounded
//! to tenths of a pixel and all iteration is in a fixed order, so the same
//! input always gives byte-identical output.
//!
//! - `plot`: the curve with axes, ticks and labels, and the tangent line
//!   with its point when `at` was given;
//! - one-variable `descent`: the curve with each step marked and joined;
//! - two-variable `descent`: contour lines of the function (marching
//!   squares on a grid of [`Surface::eval`] values) with the path on top.

use std::fmt::Write as _;

use crate::html::escape;
use gradbook_math::{Descent, Plot, Surface, Tangent, format_number};

/// Width of every figure's view box.
const WIDTH: f64 = 480.0;
/// Height of every figure's view box.
const HEIGHT: f64 = 320.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 24.0;
const BOTTOM: f64 = 44.0;
/// Samples across a curve.
const CURVE_SAMPLES: usize = 200;
/// Grid cells per side for contours.
const GRID: usize = 56;
/// Contour levels drawn.
const LEVELS: usize = 10;
/// At most this many step markers are drawn (the path keeps every point).
const MAX_MARKERS: usize = 120;
/// At most this many points of a long path are drawn (evenly spread).
const MAX_PATH: usize = 1500;

/// A coordinate, rounded to a tenth of a pixel, without `-0`.
fn px(v: f64) -> String {
    if !v.is_finite() {
        return "0".to_string();
    }
    // Integer arithmetic: figures print thousands of coordinates, and
    // formatting a float to one decimal place is several times slower.
    #[allow(clippy::cast_possible_truncation)]
    let tenths = (v * 10.0).round().clamp(-1e15, 1e15) as i64;
    let sign = if tenths < 0 { "-" } else { "" };
    let (whole, tenth) = (tenths.unsigned_abs() / 10, tenths.unsigned_abs() % 10);
    if tenth == 0 {
        format!("{sign}{whole}")
    } else {
        format!("{sign}{whole}.{tenth}")
    }
}

/// A number for a label or a title, with U+2212 for its minus signs.
fn num(v: f64) -> String {
    format_number(v, 6).replace('-', "\u{2212}")
}

/// The data-to-pixel mapping of a figure's plotting area.
#[derive(Debug, Clone, Copy)]
struct Frame {
    x: (f64, f64),
    y: (f64, f64),
    left: f64,
    top: f64,
    width: f64,
    height: f64,
}

impl Frame {
    fn new(x: (f64, f64), y: (f64, f64)) -> Self {
        Self {
            x: widen(x),
            y: widen(y),
            left: LEFT,
            top: TOP,
            width: WIDTH - LEFT - RIGHT,
            height: HEIGHT - TOP - BOTTOM,
        }
    }

    /// A frame whose data ranges are grown so that one unit has the same
    /// length on both axes (circles stay round on contour plots).
    fn square(x: (f64, f64), y: (f64, f64)) -> Self {
        let mut frame = Self::new(x, y);
        let ux = (frame.x.1 - frame.x.0) / frame.width;
        let uy = (frame.y.1 - frame.y.0) / frame.height;
        let unit = ux.max(uy);
        let grow = |(lo, hi): (f64, f64), len: f64| {
            let mid = (lo + hi) / 2.0;
            (mid - unit * len / 2.0, mid + unit * len / 2.0)
        };
        frame.x = grow(frame.x, frame.width);
        frame.y = grow(frame.y, frame.height);
        frame
    }

    /// A vertical line across the plotting area at data `x`.
    fn vline(&self, out: &mut String, x: f64) {
        let x = px(self.sx(x));
        let _ = write!(
            out,
            "<line x1=\"{x}\" y1=\"{}\" x2=\"{x}\" y2=\"{}\"/>",
            px(self.top),
            px(self.top + self.height)
        );
    }

    /// A horizontal line across the plotting area at data `y`.
    fn hline(&self, out: &mut String, y: f64) {
        let y = px(self.sy(y));
        let _ = write!(
            out,
            "<line x1=\"{}\" y1=\"{y}\" x2=\"{}\" y2=\"{y}\"/>",
            px(self.left),
            px(self.left + self.width)
        );
    }

    fn sx(&self, x: f64) -> f64 {
        self.left + (x - self.x.0) / (self.x.1 - self.x.0) * self.width
    }

    fn sy(&self, y: f64) -> f64 {
        self.top + self.height - (y - self.y.0) / (self.y.1 - self.y.0) * self.height
    }

    fn contains(&self, x: f64, y: f64) -> bool {
        x >= self.x.0 && x <= self.x.1 && y >= self.y.0 && y <= self.y.1
    }

    fn point(&self, x: f64, y: f64) -> String {
        format!("{} {}", px(self.sx(x)), px(self.sy(y)))
    }
}

/// Makes a range usable: finite, ordered and not empty.
fn widen((lo, hi): (f64, f64)) -> (f64, f64) {
    let (lo, hi) = match (lo.is_finite(), hi.is_finite()) {
        (true, true) => (lo.min(hi), lo.max(hi)),
        (true, false) => (lo, lo + 1.0),
        (false, true) => (hi - 1.0, hi),
        (false, false) => (-1.0, 1.0),
    };
    if hi - lo > 1e-12 * lo.abs().max(hi.abs()).max(1e-300) {
        (lo, hi)
    } else {
        let pad = if lo == 0.0 { 1.0 } else { lo.abs() * 0.1 };
        (lo - pad, hi + pad)
    }
}

/// The range of finite values, padded by `pad` of its span on each side.
fn padded_range(values: impl IntoIterator<Item = f64>, pad: f64) -> (f64, f64) {
    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    for v in values.into_iter().filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if lo > hi {
        return (-1.0, 1.0);
    }
    let (lo, hi) = widen((lo, hi));
    let span = hi - lo;
    (lo - pad * span, hi + pad * span)
}

/// Round tick positions covering `range`, about `count` of them.
fn ticks((lo, hi): (f64, f64), count: usize) -> Vec<f64> {
    let span = hi - lo;
    if !(span.is_finite() && span > 0.0) {
        return Vec::new();
    }
    let raw = span / count.max(1) as f64;
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * magnitude);
    let first = (lo / step).ceil() as i64;
    let last = (hi / step).floor() as i64;
    if last - first > 50 {
        return Vec::new();
    }
    (first..=last)
        .map(|k| {
            let t = k as f64 * step;
            if t.abs() < step * 1e-9 { 0.0 } else { t }
        })
        .collect()
}

/// The opening tag, title and description of a figure.
fn open(out: &mut String, id: &str, class: &str, title: &str, desc: &str) {
    let _ = write!(
        out,
        "<svg class=\"calc-fig {class}\" role=\"img\" viewBox=\"0 0 {} {}\" \
         xmlns=\"http://www.w3.org/2000/svg\" aria-labelledby=\"{id}-title {id}-desc\" \
         font-size=\"12\">\
         <title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>\
         <defs><clipPath id=\"{id}-clip\"><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/>\
         </clipPath></defs>",
        px(WIDTH),
        px(HEIGHT),
        escape(title),
        escape(desc),
        px(LEFT),
        px(TOP),
        px(WIDTH - LEFT - RIGHT),
        px(HEIGHT - TOP - BOTTOM),
    );
}

/// Grid lines, zero lines, the frame, ticks and axis labels.
fn axes(out: &mut String, frame: &Frame, x_label: &str, y_label: &str) {
    let xt = ticks(frame.x, 6);
    let yt = ticks(frame.y, 5);
    let bottom = frame.top + frame.height;
    let right = frame.left + frame.width;
    out.push_str("<g class=\"calc-grid\" stroke=\"currentColor\" stroke-opacity=\"0.12\">");
    for &t in &xt {
        frame.vline(out, t);
    }
    for &t in &yt {
        frame.hline(out, t);
    }
    out.push_str("</g>");
    out.push_str("<g class=\"calc-zero\" stroke=\"currentColor\" stroke-opacity=\"0.45\">");
    if frame.x.0 < 0.0 && frame.x.1 > 0.0 {
        frame.vline(out, 0.0);
    }
    if frame.y.0 < 0.0 && frame.y.1 > 0.0 {
        frame.hline(out, 0.0);
    }
    out.push_str("</g>");
    let _ = write!(
        out,
        "<g class=\"calc-axis\" stroke=\"currentColor\" fill=\"none\">\
         <path d=\"M{} {}V{}H{}\"/>",
        px(frame.left),
        px(frame.top),
        px(bottom),
        px(right)
    );
    for &t in &xt {
        let x = px(frame.sx(t));
        let _ = write!(out, "<path d=\"M{x} {}v5\"/>", px(bottom));
    }
    for &t in &yt {
        let y = px(frame.sy(t));
        let _ = write!(out, "<path d=\"M{} {y}h-5\"/>", px(frame.left));
    }
    out.push_str("</g><g class=\"calc-tick-label\" fill=\"currentColor\">");
    for &t in &xt {
        let _ = write!(
            out,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            px(frame.sx(t)),
            px(bottom + 18.0),
            escape(&num(t))
        );
    }
    for &t in &yt {
        let _ = write!(
            out,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" dominant-baseline=\"middle\">{}</text>",
            px(frame.left - 8.0),
            px(frame.sy(t)),
            escape(&num(t))
        );
    }
    let _ = write!(
        out,
        "</g><g class=\"calc-axis-label\" fill=\"currentColor\">\
         <text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>\
         <text x=\"{}\" y=\"{}\" text-anchor=\"start\">{}</text></g>",
        px(frame.left + frame.width / 2.0),
        px(HEIGHT - 6.0),
        escape(x_label),
        px(4.0),
        px(TOP - 8.0),
        escape(y_label)
    );
}

/// A path through `(x, y)` points, broken where a point is missing.
fn curve_path(frame: &Frame, points: &[(f64, Option<f64>)]) -> String {
    let mut d = String::new();
    let mut pen_down = false;
    for &(x, y) in points {
        match y.filter(|y| y.is_finite() && x.is_finite()) {
            Some(y) => {
                let _ = write!(
                    d,
                    "{}{}",
                    if pen_down { "L" } else { "M" },
                    frame.point(x, y)
                );
                pen_down = true;
            }
            None => pen_down = false,
        }
    }
    d
}

/// A y range for a curve: the finite values, but ignoring the most
/// extreme few percent when they would flatten the rest (poles).
fn curve_range(values: &[f64]) -> (f64, f64) {
    let mut sorted: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    if sorted.is_empty() {
        return (-1.0, 1.0);
    }
    sorted.sort_by(f64::total_cmp);
    let full = (sorted[0], sorted[sorted.len() - 1]);
    let cut = sorted.len() / 50;
    let inner = (sorted[cut], sorted[sorted.len() - 1 - cut]);
    let inner_span = (inner.1 - inner.0).max(1e-12);
    if (full.1 - full.0) > 20.0 * inner_span {
        inner
    } else {
        full
    }
}

/// The SVG of a `plot(...)` result.
pub(super) fn plot(plot: &Plot, id: &str) -> String {
    let label = format!("{}({})", plot.func, plot.var);
    let ys: Vec<f64> = plot.samples.iter().filter_map(|s| s.1).collect();
    let (mut ylo, mut yhi) = curve_range(&ys);
    if let Some(t) = &plot.tangent
        && t.value.is_finite()
    {
        ylo = ylo.min(t.value);
        yhi = yhi.max(t.value);
    }
    let span = (yhi - ylo).abs().max(1e-12);
    let frame = Frame::new(plot.range, (ylo - 0.06 * span, yhi + 0.06 * span));

    let (title, desc) = plot_text(plot, &label, (ylo, yhi));
    let mut out = String::new();
    open(&mut out, id, "calc-plot", &title, &desc);
    axes(&mut out, &frame, &plot.var, &label);
    let _ = write!(
        out,
        "<g clip-path=\"url(#{id}-clip)\">\
         <path class=\"calc-curve\" fill=\"none\" stroke=\"currentColor\" stroke-width=\"2\" d=\"{}\"/>",
        curve_path(&frame, &plot.samples)
    );
    if let Some(t) = &plot.tangent {
        tangent_line(&mut out, &frame, t, &plot.var, &label);
    }
    out.push_str("</g>");
    if let Some(t) = &plot.tangent {
        slope_label(&mut out, &frame, t);
    }
    out.push_str("</svg>");
    out
}

/// The title and description of a plot of `label` whose values run over
/// `range`, for screen readers and hover.
fn plot_text(plot: &Plot, label: &str, (ylo, yhi): (f64, f64)) -> (String, String) {
    let title = match &plot.tangent {
        Some(t) => format!(
            "{label} for {} from {} to {}, with the tangent at {} = {}",
            plot.var,
            num(plot.range.0),
            num(plot.range.1),
            plot.var,
            num(t.at)
        ),
        None => format!(
            "{label} for {} from {} to {}",
            plot.var,
            num(plot.range.0),
            num(plot.range.1)
        ),
    };
    let mut desc = format!(
        "A curve of {label} over {} from {} to {}; its values run from {} to {}.",
        plot.var,
        num(plot.range.0),
        num(plot.range.1),
        num(ylo),
        num(yhi)
    );
    if let Some(t) = &plot.tangent {
        let _ = write!(
            desc,
            " A straight line touches it at {} = {}, where {label} = {}, with slope {}.",
            plot.var,
            num(t.at),
            num(t.value),
            num(t.slope)
        );
    }
    (title, desc)
}

/// The tangent line and its point, inside the plot's clipped group.
fn tangent_line(out: &mut String, frame: &Frame, t: &Tangent, var: &str, label: &str) {
    if t.value.is_finite() && t.slope.is_finite() {
        let (x0, x1) = frame.x;
        let y0 = t.value + t.slope * (x0 - t.at);
        let y1 = t.value + t.slope * (x1 - t.at);
        let _ = write!(
            *out,
            "<path class=\"calc-tangent\" fill=\"none\" stroke=\"currentColor\" \
             stroke-dasharray=\"6 4\" d=\"M{}L{}\"/>\
             <circle class=\"calc-point\" cx=\"{}\" cy=\"{}\" r=\"4.5\">\
             <title>{} = {}: {label} = {}, slope {}</title></circle>",
            frame.point(x0, y0),
            frame.point(x1, y1),
            px(frame.sx(t.at)),
            px(frame.sy(t.value)),
            escape(var),
            num(t.at),
            num(t.value),
            num(t.slope)
        );
    }
}

/// The slope written beside the tangent's point, outside the clip.
fn slope_label(out: &mut String, frame: &Frame, t: &Tangent) {
    if frame.contains(t.at, t.value) {
        let anchor = if frame.sx(t.at) > frame.left + frame.width * 0.7 {
            "end"
        } else {
            "start"
        };
        let dx = if anchor == "end" { -8.0 } else { 8.0 };
        let _ = write!(
            *out,
            "<text class=\"calc-annotation\" fill=\"currentColor\" x=\"{}\" y=\"{}\" \
             text-anchor=\"{anchor}\">slope {}</text>",
            px(frame.sx(t.at) + dx),
            px(frame.sy(t.value) - 10.0),
            escape(&num(t.slope))
        );
    }
}

/// Coordinate `i` of a descent row (NaN if the row is short, which the
/// drawing code skips).
fn coord(row: &gradbook_math::DescentRow, i: usize) -> f64 {
    row.point.get(i).copied().unwrap_or(f64::NAN)
}

/// The SVG of a `descent(...)` result, or `None` for three or more
/// variables (the table says it all).
pub(super) fn descent(descent: &Descent, id: &str) -> Option<String> {
    match descent.vars.len() {
        1 => Some(descent_1d(descent, id)),
        2 => Some(descent_2d(descent, id)),
        _ => None,
    }
}

/// At most `cap` indices out of `0..count`, evenly spread, always keeping
/// the first and the last.
fn thin(count: usize, cap: usize) -> Vec<usize> {
    if count <= cap || cap < 2 {
        return (0..count).collect();
    }
    let mut picked: Vec<usize> = (0..cap).map(|k| k * (count - 1) / (cap - 1)).collect();
    picked.dedup();
    picked
}

fn descent_1d(d: &Descent, id: &str) -> String {
    let var = &d.vars[0];
    let label = format!("{}({var})", d.func);
    let mut xs: Vec<f64> = d
        .rows
        .iter()
        .filter_map(|r| r.point.first().copied())
        .collect();
    // Show as much ahead of the last step as the path covered, so that the
    // bottom the descent is heading for is usually in the picture.
    if let (Some(&first), Some(&last)) = (xs.first(), xs.last()) {
        xs.push(2.0 * last - first);
    }
    let (xlo, xhi) = padded_range(xs.iter().copied(), 0.1);
    let samples: Vec<(f64, Option<f64>)> = (0..=CURVE_SAMPLES)
        .map(|k| {
            let x = xlo + (xhi - xlo) * k as f64 / CURVE_SAMPLES as f64;
            (x, d.surface.eval(&[x]).filter(|y| y.is_finite()))
        })
        .collect();
    let mut ys: Vec<f64> = samples.iter().filter_map(|s| s.1).collect();
    ys.extend(d.rows.iter().map(|r| r.value));
    let (ylo, yhi) = curve_range(&ys);
    let span = (yhi - ylo).abs().max(1e-12);
    let frame = Frame::new((xlo, xhi), (ylo - 0.06 * span, yhi + 0.06 * span));

    let first = d.rows.first();
    let last = d.rows.last();
    let title = format!(
        "Gradient descent on {label}: {} step{}",
        d.rows.len().saturating_sub(1),
        if d.rows.len() == 2 { "" } else { "s" }
    );
    let desc = match (first, last) {
        (Some(a), Some(b)) => format!(
            "The curve of {label} with the descent path marked: from {var} = {} where {label} = {} \
             to {var} = {} where {label} = {}.",
            num(coord(a, 0)),
            num(a.value),
            num(coord(b, 0)),
            num(b.value)
        ),
        _ => format!("The curve of {label}."),
    };
    let mut out = String::new();
    open(&mut out, id, "calc-descent-fig", &title, &desc);
    axes(&mut out, &frame, var, &label);
    let _ = write!(
        out,
        "<g clip-path=\"url(#{id}-clip)\">\
         <path class=\"calc-curve\" fill=\"none\" stroke=\"currentColor\" stroke-width=\"2\" d=\"{}\"/>",
        curve_path(&frame, &samples)
    );
    let path: Vec<(f64, Option<f64>)> = d
        .rows
        .iter()
        .map(|r| (coord(r, 0), Some(r.value)))
        .collect();
    path_and_markers(&mut out, &frame, d, &path, |r| {
        format!(
            "step {}: {var} = {}, {label} = {}, slope {}",
            r.step,
            num(coord(r, 0)),
            num(r.value),
            num(r.grad.first().copied().unwrap_or(f64::NAN))
        )
    });
    out.push_str("</g></svg>");
    out
}

/// The joined path of the steps and one marker (with a tooltip title) per
/// step; the start and the end get their own classes.
fn path_and_markers(
    out: &mut String,
    frame: &Frame,
    d: &Descent,
    path: &[(f64, Option<f64>)],
    describe: impl Fn(&gradbook_math::DescentRow) -> String,
) {
    // On a curve the steps are chords of it: dashed, so the curve shows.
    let dash = if d.vars.len() == 1 {
        " stroke-dasharray=\"4 3\""
    } else {
        ""
    };
    let _ = write!(
        out,
        "<path class=\"calc-path\" fill=\"none\" stroke=\"currentColor\" stroke-width=\"1.5\"{dash} d=\"{}\"/>",
        curve_path(
            frame,
            &thin(path.len(), MAX_PATH)
                .iter()
                .map(|&k| path[k])
                .collect::<Vec<_>>()
        )
    );
    out.push_str("<g class=\"calc-steps-marks\">");
    let markers = thin(d.rows.len(), MAX_MARKERS);
    for &k in &markers {
        let (Some(row), Some(&(x, Some(y)))) = (d.rows.get(k), path.get(k)) else {
            continue;
        };
        if !(x.is_finite() && y.is_finite()) {
            continue;
        }
        let class = if k == 0 {
            "calc-point calc-start"
        } else if k + 1 == d.rows.len() {
            "calc-point calc-end"
        } else {
            "calc-point"
        };
        let _ = write!(
            out,
            "<circle class=\"{class}\" cx=\"{}\" cy=\"{}\" r=\"{}\"><title>{}</title></circle>",
            px(frame.sx(x)),
            px(frame.sy(y)),
            if k == 0 || k + 1 == d.rows.len() {
                "5"
            } else {
                "3.5"
            },
            escape(&describe(row))
        );
    }
    out.push_str("</g>");
    if d.rows.len() <= 40 {
        step_numbers(out, frame, d, path);
    }
}

/// Step numbers, for runs few enough to read. Each goes above its marker,
/// or else to its right, left or below, wherever it does not sit on a
/// number already written; a step crowded on every side goes to the
/// nearest free place in the frame, with a leader line to its marker, so
/// that every step is numbered.
fn step_numbers(out: &mut String, frame: &Frame, d: &Descent, path: &[(f64, Option<f64>)]) {
    out.push_str("<g class=\"calc-step-label\" fill=\"currentColor\">");
    let mut placed: Vec<(f64, f64)> = Vec::new();
    let markers: Vec<(f64, f64)> = path
        .iter()
        .filter_map(|&(x, y)| Some((x, y?)))
        .filter(|(x, y)| x.is_finite() && y.is_finite())
        .map(|(x, y)| (frame.sx(x), frame.sy(y)))
        .collect();
    // The start and the end first, so that crowded middles give way.
    let last = d.rows.len().saturating_sub(1);
    let order = [0, last].into_iter().chain(1..last);
    for k in order {
        let (Some(row), Some(&(x, y))) = (d.rows.get(k), path.get(k)) else {
            continue;
        };
        let Some(y) = y.filter(|y| y.is_finite() && x.is_finite()) else {
            continue;
        };
        let (mx, my) = (frame.sx(x), frame.sy(y));
        let Some(label) = place_label(frame, &placed, &markers, mx, my) else {
            continue;
        };
        placed.push((label.x, label.y));
        if label.leader {
            let (dx, dy) = (label.x - mx, label.y - my);
            let length = dx.hypot(dy);
            // From the marker's edge to just short of the number.
            let (from, to) = (5.0 / length, 1.0 - 7.0 / length);
            let _ = write!(
                out,
                "<line class=\"calc-leader\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" \
                 stroke=\"currentColor\" stroke-width=\"0.8\" stroke-opacity=\"0.6\"/>",
                px(mx + dx * from),
                px(my + dy * from),
                px(mx + dx * to),
                px(my + dy * to)
            );
        }
        let _ = write!(
            out,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" dominant-baseline=\"middle\">{}</text>",
            px(label.x),
            px(label.y),
            row.step
        );
    }
    out.push_str("</g>");
}

/// Where a step number goes: the centre of its label, and whether it sits
/// away from its marker (and needs a leader line to it).
#[derive(Debug, Clone, Copy, PartialEq)]
struct LabelSpot {
    x: f64,
    y: f64,
    leader: bool,
}

/// How far apart the centres of two step numbers must be, across and down.
const LABEL_GAP: (f64, f64) = (14.0, 11.0);

/// The place for the number of a step whose marker is at (`mx`, `my`),
/// clear of the numbers `placed` so far: above the marker, else to its
/// right, left or below; else the free place of the frame (a grid of 4
/// units) nearest to the marker but far enough for a leader line to show,
/// and off every marker of `markers` (so the number is not read as
/// another step's) where there is such a place. `None` only when the frame
/// is full, which the 40 numbers a figure may carry cannot make it.
fn place_label(
    frame: &Frame,
    placed: &[(f64, f64)],
    markers: &[(f64, f64)],
    mx: f64,
    my: f64,
) -> Option<LabelSpot> {
    let free = |cx: f64, cy: f64| {
        !placed
            .iter()
            .any(|&(px_, py_)| (px_ - cx).abs() < LABEL_GAP.0 && (py_ - cy).abs() < LABEL_GAP.1)
    };
    let near = [
        (mx, my - 10.0),
        (mx + 13.0, my),
        (mx - 13.0, my),
        (mx, my + 12.0),
    ];
    if let Some(&(x, y)) = near.iter().find(|&&(x, y)| free(x, y)) {
        return Some(LabelSpot {
            x,
            y,
            leader: false,
        });
    }
    let off_markers = |cx: f64, cy: f64| {
        !markers
            .iter()
            .any(|&(x, y)| (x - cx).abs() < 10.0 && (y - cy).abs() < 9.0)
    };
    let (half_w, half_h) = (LABEL_GAP.0 / 2.0, LABEL_GAP.1 / 2.0);
    let columns = ((frame.width - 2.0 * half_w) / 4.0).floor() as usize;
    let rows = ((frame.height - 2.0 * half_h) / 4.0).floor() as usize;
    for strict in [true, false] {
        let mut best: Option<(f64, f64, f64)> = None;
        for row in 0..=rows {
            let y = frame.top + half_h + 4.0 * row as f64;
            for column in 0..=columns {
                let x = frame.left + half_w + 4.0 * column as f64;
                let distance = (x - mx).hypot(y - my);
                if distance < LEADER_MIN || !free(x, y) || (strict && !off_markers(x, y)) {
                    continue;
                }
                if best.is_none_or(|(_, _, d)| distance < d) {
                    best = Some((x, y, distance));
                }
            }
        }
        if let Some((x, y, _)) = best {
            return Some(LabelSpot { x, y, leader: true });
        }
    }
    None
}

/// How far from its marker a number moved away goes at least, so that
/// the leader line between them shows.
const LEADER_MIN: f64 = 22.0;

fn descent_2d(d: &Descent, id: &str) -> String {
    let (v1, v2) = (&d.vars[0], &d.vars[1]);
    let label = format!("{}({v1}, {v2})", d.func);
    let xs = d.rows.iter().map(|r| coord(r, 0));
    let ys = d.rows.iter().map(|r| coord(r, 1));
    let frame = Frame::square(padded_range(xs, 0.3), padded_range(ys, 0.3));

    let title = format!(
        "Gradient descent on {label}: {} step{} over contour lines",
        d.rows.len().saturating_sub(1),
        if d.rows.len() == 2 { "" } else { "s" }
    );
    let desc = match (d.rows.first(), d.rows.last()) {
        (Some(a), Some(b)) => format!(
            "Contour lines of {label} in the ({v1}, {v2}) plane, with the descent path from \
             ({}, {}) where {} = {} to ({}, {}) where {} = {}.",
            num(coord(a, 0)),
            num(coord(a, 1)),
            d.func,
            num(a.value),
            num(coord(b, 0)),
            num(coord(b, 1)),
            d.func,
            num(b.value)
        ),
        _ => format!("Contour lines of {label}."),
    };
    let mut out = String::new();
    open(
        &mut out,
        id,
        "calc-descent-fig calc-contour-fig",
        &title,
        &desc,
    );
    axes(&mut out, &frame, v1, v2);
    out.push_str(&format!("<g clip-path=\"url(#{id}-clip)\">"));
    contours(&mut out, &frame, &d.surface);
    let path: Vec<(f64, Option<f64>)> = d
        .rows
        .iter()
        .map(|r| (coord(r, 0), Some(coord(r, 1))))
        .collect();
    path_and_markers(&mut out, &frame, d, &path, |r| {
        format!(
            "step {}: ({}, {}), {} = {}",
            r.step,
            num(coord(r, 0)),
            num(coord(r, 1)),
            d.func,
            num(r.value)
        )
    });
    out.push_str("</g></svg>");
    out
}

/// Contour lines of `surface` over the frame, by marching squares.
fn contours(out: &mut String, frame: &Frame, surface: &Surface) {
    let n = GRID;
    let gx = |i: usize| frame.x.0 + (frame.x.1 - frame.x.0) * i as f64 / n as f64;
    let gy = |j: usize| frame.y.0 + (frame.y.1 - frame.y.0) * j as f64 / n as f64;
    let grid: Vec<Vec<Option<f64>>> = (0..=n)
        .map(|j| {
            (0..=n)
                .map(|i| surface.eval(&[gx(i), gy(j)]).filter(|v| v.is_finite()))
                .collect()
        })
        .collect();
    let levels = contour_levels(grid.iter().flatten().filter_map(|v| *v).collect());
    out.push_str(
        "<g class=\"calc-contours\" fill=\"none\" stroke=\"currentColor\" stroke-opacity=\"0.5\">",
    );
    for (k, &level) in levels.iter().enumerate() {
        let mut d = String::new();
        for j in 0..n {
            for i in 0..n {
                let corners = [
                    grid[j][i],
                    grid[j][i + 1],
                    grid[j + 1][i + 1],
                    grid[j + 1][i],
                ];
                let [Some(a), Some(b), Some(c), Some(e)] = corners else {
                    continue;
                };
                let pos = [
                    (gx(i), gy(j)),
                    (gx(i + 1), gy(j)),
                    (gx(i + 1), gy(j + 1)),
                    (gx(i), gy(j + 1)),
                ];
                for (p, q) in cell_segments([a, b, c, e], pos, level) {
                    let _ = write!(d, "M{}L{}", frame.point(p.0, p.1), frame.point(q.0, q.1));
                }
            }
        }
        if !d.is_empty() {
            let _ = write!(
                out,
                "<path class=\"calc-contour calc-contour-{}\" d=\"{d}\"><title>level {}</title></path>",
                k + 1,
                num(level)
            );
        }
    }
    out.push_str("</g>");
}

/// Levels at evenly spaced quantiles of the grid's values, so that the
/// lines spread over the picture whatever the function's scale.
fn contour_levels(mut values: Vec<f64>) -> Vec<f64> {
    if values.len() < 4 {
        return Vec::new();
    }
    values.sort_by(f64::total_cmp);
    let mut levels: Vec<f64> = (1..=LEVELS)
        .map(|k| {
            let q = k as f64 / (LEVELS + 1) as f64;
            // Squared quantiles crowd lines near the minimum, where the path ends.
            let idx = ((q * q) * (values.len() - 1) as f64).round() as usize;
            values[idx.min(values.len() - 1)]
        })
        .collect();
    let span = (values[values.len() - 1] - values[0]).abs();
    levels.dedup_by(|a, b| (*a - *b).abs() <= 1e-9 * span.max(1e-300));
    levels
}

/// The contour segments of one grid cell. Corners are in order
/// bottom-left, bottom-right, top-right, top-left; saddles are split by
/// the cell's mean value.
fn cell_segments(v: [f64; 4], p: [(f64, f64); 4], level: f64) -> Vec<((f64, f64), (f64, f64))> {
    let mut case = 0;
    for (k, value) in v.iter().enumerate() {
        if *value > level {
            case |= 1 << k;
        }
    }
    let edge = |k: usize| {
        let (a, b) = (k, (k + 1) % 4);
        let t = if (v[b] - v[a]).abs() < f64::MIN_POSITIVE {
            0.5
        } else {
            ((level - v[a]) / (v[b] - v[a])).clamp(0.0, 1.0)
        };
        (
            p[a].0 + t * (p[b].0 - p[a].0),
            p[a].1 + t * (p[b].1 - p[a].1),
        )
    };
    // Edges: 0 bottom (0-1), 1 right (1-2), 2 top (2-3), 3 left (3-0).
    let pairs: &[(usize, usize)] = match case {
        0 | 15 => &[],
        1 | 14 => &[(3, 0)],
        2 | 13 => &[(0, 1)],
        3 | 12 => &[(3, 1)],
        4 | 11 => &[(1, 2)],
        6 | 9 => &[(0, 2)],
        7 | 8 => &[(3, 2)],
        5 | 10 => {
            let centre_above = (v[0] + v[1] + v[2] + v[3]) / 4.0 > level;
            if (case == 5) == centre_above {
                &[(0, 1), (2, 3)]
            } else {
                &[(3, 0), (1, 2)]
            }
        }
        _ => &[],
    };
    pairs.iter().map(|&(a, b)| (edge(a), edge(b))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coordinates_print_to_a_tenth_without_minus_zero() {
        for (v, text) in [
            (0.0, "0"),
            (-0.04, "0"),
            (-0.05, "-0.1"),
            (12.0, "12"),
            (12.34, "12.3"),
            (12.35, "12.4"),
            (-7.25, "-7.3"),
            (f64::NAN, "0"),
            (f64::INFINITY, "0"),
            (1234.96, "1235"),
        ] {
            assert_eq!(px(v), text, "{v}");
        }
    }

    #[test]
    fn ticks_are_round_numbers_inside_the_range() {
        assert_eq!(ticks((-4.0, 4.0), 6), [-4.0, -2.0, 0.0, 2.0, 4.0]);
        let t = ticks((0.0, 1.0), 5);
        assert_eq!(t, [0.0, 0.2, 0.4, 0.6000000000000001, 0.8, 1.0]);
        assert!(ticks((1.0, 1.0), 5).is_empty());
        assert!(ticks((0.0, f64::INFINITY), 5).is_empty());
    }

    #[test]
    fn thinning_keeps_ends_and_caps_the_count() {
        assert_eq!(thin(5, 10), [0, 1, 2, 3, 4]);
        let picked = thin(10_001, 120);
        assert_eq!(picked.len(), 120);
        assert_eq!((picked[0], picked[119]), (0, 10_000));
        assert!(picked.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn ranges_are_never_empty() {
        assert_eq!(widen((2.0, 2.0)), (1.8, 2.2));
        assert_eq!(widen((0.0, 0.0)), (-1.0, 1.0));
        assert_eq!(widen((f64::NAN, f64::NAN)), (-1.0, 1.0));
        assert_eq!(padded_range([], 0.1), (-1.0, 1.0));
    }

    #[test]
    fn coordinates_are_rounded_without_negative_zero() {
        assert_eq!(px(12.345), "12.3");
        assert_eq!(px(-0.01), "0");
        assert_eq!(px(7.0), "7");
    }

    #[test]
    fn marching_squares_cases() {
        let p = [(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0)];
        // Only the bottom-left corner is above: one segment cutting that corner.
        let s = cell_segments([2.0, 0.0, 0.0, 0.0], p, 1.0);
        assert_eq!(s, [((0.0, 0.5), (0.5, 0.0))]);
        // The left half above: a vertical line through the middle.
        let s = cell_segments([2.0, 0.0, 0.0, 2.0], p, 1.0);
        assert_eq!(s, [((0.5, 0.0), (0.5, 1.0))]);
        assert!(cell_segments([0.0; 4], p, 1.0).is_empty());
        assert_eq!(cell_segments([2.0, 0.0, 2.0, 0.0], p, 1.0).len(), 2);
    }

    #[test]
    fn contour_levels_are_distinct_and_inside() {
        let values: Vec<f64> = (0..100).map(f64::from).collect();
        let levels = contour_levels(values);
        assert_eq!(levels.len(), LEVELS);
        assert!(levels.windows(2).all(|w| w[0] < w[1]));
        assert!(contour_levels(vec![1.0; 50]).len() <= 1);
    }

    #[test]
    fn curve_path_breaks_at_gaps() {
        let frame = Frame::new((0.0, 2.0), (0.0, 2.0));
        let d = curve_path(&frame, &[(0.0, Some(0.0)), (1.0, None), (2.0, Some(2.0))]);
        assert_eq!(d.matches('M').count(), 2);
        assert!(!d.contains('L'));
    }

    use gradbook_math::{Scope, Value};

    fn value(setup: &str, input: &str) -> Value {
        let mut scope = Scope::new();
        scope.run(setup).expect("setup");
        scope.run(input).expect("input")
    }

    /// Parses as XML and returns the document's text for inspection.
    fn parse_svg(svg: &str) -> roxmltree::Document<'_> {
        roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("{e}\n{svg}"))
    }

    fn titles(doc: &roxmltree::Document<'_>) -> Vec<String> {
        doc.descendants()
            .filter(|n| n.has_tag_name("circle"))
            .filter_map(|c| c.children().find(|n| n.has_tag_name("title")))
            .filter_map(|t| t.text().map(str::to_string))
            .collect()
    }

    #[test]
    fn one_variable_descent_marks_every_step() {
        let Value::Descent(d) = value("J(w) = w**2", "descent(J, w=3, alpha=0.1, steps=5)") else {
            panic!("not a descent");
        };
        let svg = descent(&d, "f1").unwrap();
        let doc = parse_svg(&svg);
        let root = doc.root_element();
        assert_eq!(root.attribute("role"), Some("img"));
        assert_eq!(root.attribute("aria-labelledby"), Some("f1-title f1-desc"));
        let desc = doc.descendants().find(|n| n.has_tag_name("desc")).unwrap();
        assert!(desc.text().unwrap().contains("from w = 3"), "{svg}");
        let marks = titles(&doc);
        assert_eq!(marks.len(), 6);
        assert!(marks[1].contains("w = 2.4"), "{marks:?}");
        assert!(marks[5].contains("w = 0.98304"), "{marks:?}");
        assert!(
            doc.descendants()
                .any(|n| n.attribute("class") == Some("calc-curve"))
        );
        // The path visits one point per step.
        let path = doc
            .descendants()
            .find(|n| n.attribute("class") == Some("calc-path"))
            .unwrap();
        assert_eq!(path.attribute("d").unwrap().matches(['M', 'L']).count(), 6);
    }

    #[test]
    fn two_variable_descent_draws_contours_and_the_path() {
        let Value::Descent(d) = value(
            "L(w1, w2) = w1**2 + 3*w2**2",
            "descent(L, w1=1, w2=-2, alpha=0.1, steps=4)",
        ) else {
            panic!("not a descent");
        };
        let svg = descent(&d, "f2").unwrap();
        let doc = parse_svg(&svg);
        let contours = doc
            .descendants()
            .filter(|n| {
                n.attribute("class")
                    .is_some_and(|c| c.starts_with("calc-contour "))
            })
            .count();
        assert!(contours >= 5, "{contours} contour levels");
        let marks = titles(&doc);
        assert_eq!(marks.len(), 5);
        assert!(marks[0].contains("(1, \u{2212}2)"), "{marks:?}");
        assert!(marks[4].contains("(0.4096, \u{2212}0.0512)"), "{marks:?}");
        // Every step is numbered: a label crowded above its marker (step 3
        // sits close to the end, step 4) moves beside it instead.
        let labels: Vec<&str> = doc
            .descendants()
            .filter(|n| n.attribute("class") == Some("calc-step-label"))
            .flat_map(|g| g.children().filter_map(|t| t.text()))
            .collect();
        let mut sorted = labels.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, ["0", "1", "2", "3", "4"], "{svg}");
    }

    /// The step numbers of a figure, in the order they are written.
    fn step_labels(doc: &roxmltree::Document<'_>) -> Vec<String> {
        doc.descendants()
            .filter(|n| n.attribute("class") == Some("calc-step-label"))
            .flat_map(|g| g.children().filter_map(|t| t.text()))
            .map(str::to_string)
            .collect()
    }

    #[test]
    fn every_step_of_a_crowded_path_is_numbered() {
        // The gradient lesson's descent: its last steps bunch up near the
        // minimum, where step 9 once found no free side and went unlabelled.
        for (setup, input, steps) in [
            (
                "L(x, y) = x**2 + 3*y**2",
                "descent(L, x=2, y=1, alpha=0.1, steps=10)",
                10,
            ),
            (
                "L(x, y) = x**2 + 3*y**2",
                "descent(L, x=2, y=1, alpha=0.05, steps=39)",
                39,
            ),
            ("J(w) = w**2", "descent(J, w=3, alpha=0.3, steps=39)", 39),
        ] {
            let Value::Descent(d) = value(setup, input) else {
                panic!("not a descent");
            };
            let svg = descent(&d, "f9").unwrap();
            let doc = parse_svg(&svg);
            let mut labels: Vec<usize> = step_labels(&doc)
                .iter()
                .map(|l| l.parse().unwrap())
                .collect();
            labels.sort_unstable();
            assert_eq!(labels, (0..=steps).collect::<Vec<_>>(), "{input}");
            // Crowded numbers moved away are tied to their markers.
            let leaders = doc
                .descendants()
                .filter(|n| n.attribute("class") == Some("calc-leader"))
                .count();
            assert!(leaders > 0, "{input}: nothing was crowded");
            // No two numbers overlap.
            let spots: Vec<(f64, f64)> = doc
                .descendants()
                .filter(|n| {
                    n.has_tag_name("text")
                        && n.parent().and_then(|p| p.attribute("class")) == Some("calc-step-label")
                })
                .map(|t| {
                    let at = |a: &str| t.attribute(a).unwrap().parse::<f64>().unwrap();
                    (at("x"), at("y"))
                })
                .collect();
            for (i, a) in spots.iter().enumerate() {
                for b in &spots[i + 1..] {
                    assert!(
                        (a.0 - b.0).abs() >= LABEL_GAP.0 - 0.11
                            || (a.1 - b.1).abs() >= LABEL_GAP.1 - 0.11,
                        "{input}: numbers at {a:?} and {b:?} overlap"
                    );
                }
            }
        }
    }

    #[test]
    fn a_label_goes_to_the_nearest_free_place_when_crowded() {
        let frame = Frame::new((0.0, 1.0), (0.0, 1.0));
        let (mx, my) = (200.0, 150.0);
        // Nothing in the way: above the marker, no leader.
        let spot = place_label(&frame, &[], &[], mx, my).unwrap();
        assert_eq!((spot.x, spot.y, spot.leader), (mx, my - 10.0, false));
        // All four sides taken: somewhere free, with a leader.
        let taken = [
            (mx, my - 10.0),
            (mx + 13.0, my),
            (mx - 13.0, my),
            (mx, my + 12.0),
        ];
        let spot = place_label(&frame, &taken, &[(mx, my)], mx, my).unwrap();
        assert!(spot.leader);
        assert!(
            taken
                .iter()
                .all(|&(x, y)| (x - spot.x).abs() >= LABEL_GAP.0
                    || (y - spot.y).abs() >= LABEL_GAP.1)
        );
        assert!(
            (spot.x - mx).hypot(spot.y - my) < 30.0,
            "{spot:?} is not near"
        );
        // Inside the frame, even for a marker in a corner.
        let corner = [
            (frame.left, frame.top - 10.0),
            (frame.left + 13.0, frame.top),
            (frame.left - 13.0, frame.top),
            (frame.left, frame.top + 12.0),
        ];
        let spot = place_label(&frame, &corner, &[], frame.left, frame.top).unwrap();
        assert!(spot.x >= frame.left && spot.y >= frame.top, "{spot:?}");
    }

    #[test]
    fn plot_has_axes_labels_and_tangent() {
        let Value::Plot(p) = value("J(w) = w**2", "plot(J, w=-4..4, at=3)") else {
            panic!("not a plot");
        };
        let svg = plot(&p, "f3");
        let doc = parse_svg(&svg);
        let class = |c: &str| doc.descendants().any(|n| n.attribute("class") == Some(c));
        assert!(class("calc-curve") && class("calc-tangent") && class("calc-axis"));
        let texts: Vec<&str> = doc.descendants().filter_map(|n| n.text()).collect();
        assert!(
            texts.contains(&"\u{2212}4") && texts.contains(&"4") && texts.contains(&"J(w)"),
            "{texts:?}"
        );
        assert!(!texts.iter().any(|t| t.starts_with('-')), "{texts:?}");
        assert!(texts.contains(&"slope 6"), "{texts:?}");
        let title = doc.descendants().find(|n| n.has_tag_name("title")).unwrap();
        assert!(title.text().unwrap().contains("tangent at w = 3"));
        // Same input, same bytes.
        assert_eq!(svg, plot(&p, "f3"));
    }

    #[test]
    fn plot_with_gaps_and_poles_stays_well_formed() {
        let Value::Plot(p) = value("f(x) = 1/x", "plot(f, x=-2..2)") else {
            panic!("not a plot");
        };
        parse_svg(&plot(&p, "f4"));
        let Value::Plot(p) = value("g(x) = log(x)", "plot(g, x=-1..3, at=1)") else {
            panic!("not a plot");
        };
        parse_svg(&plot(&p, "f5"));
    }
}
