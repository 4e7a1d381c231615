//! HTML for calc results: rendered, not dumped.
//!
//! A block becomes a list of input/output steps: each input as code, its
//! result as a reader would want it (numbers as text, expressions and
//! vectors as MathML, a nudge as a small table, a descent as a table plus
//! an SVG of the path, a plot as an SVG). The raw transcript stays one
//! click away in a `<details>` (works without JavaScript) next to a copy
//! button that `calc.js` turns on. Inline `= expr` values render inline.
//! Styling lives in `templates/assets/calc.css`; the markup only carries
//! classes.
//!
//! Negative numbers read on the page (values, table cells, figure labels)
//! carry a true minus sign, U+2212, as the MathML of expressions does; the
//! transcript keeps the ASCII hyphen-minus, so that copying it gives input
//! the engine reads.

use std::collections::HashSet;
use std::fmt::Write as _;

use super::svg;
use crate::html::escape;
use gradbook_math::{Descent, MathError, Value, format_number};

/// How an input fared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Status {
    /// The computed output matches what the author wrote.
    Passed,
    /// The author wrote nothing; the computed output is shown.
    Filled,
    /// Mismatch or unexpected error.
    Failed,
}

/// One input with its outcome, ready to render.
pub(super) struct Step<'a> {
    /// The input, without the prompt.
    pub input: &'a str,
    /// What the engine computed.
    pub result: &'a Result<Value, MathError>,
    /// The result's printed lines.
    pub computed: &'a [String],
    /// How it compared.
    pub status: Status,
    /// On failure, what the author expected (as written).
    pub expected: Vec<String>,
}

/// The names of a page's labelled regions so far. Assistive technology
/// lists a page's regions by name, so no two may share one: the same
/// descent twice on a page is "…" and "… (2)".
#[derive(Debug, Default)]
pub(super) struct RegionNames(HashSet<String>);

impl RegionNames {
    /// `name` if the page has no region of that name yet, else `name (n)`
    /// with the smallest `n` from 2 up that is still free.
    pub(super) fn unique(&mut self, name: &str) -> String {
        let mut unique = name.to_string();
        let mut n = 1;
        while self.0.contains(&unique) {
            n += 1;
            unique = format!("{name} ({n})");
        }
        self.0.insert(unique.clone());
        unique
    }
}

/// Renders a whole block. `transcript` is the raw text offered for reading
/// and copying; `id` is a page-unique prefix for element ids; `regions`
/// holds the names of the page's regions so far.
pub(super) fn block(
    steps: &[Step<'_>],
    transcript: &str,
    id: &str,
    precision: usize,
    regions: &mut RegionNames,
) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<div class=\"calc\" id=\"{id}\" data-calc>\
         <button type=\"button\" class=\"calc-copy\" hidden \
         aria-label=\"Copy the transcript\" data-copy-target=\"{id}-raw\">Copy</button>\
         <ol class=\"calc-steps\">"
    );
    for (k, step) in steps.iter().enumerate() {
        step_html(
            &mut out,
            step,
            &format!("{id}-{}", k + 1),
            precision,
            regions,
        );
    }
    let _ = write!(
        out,
        "</ol><details class=\"calc-raw\"><summary>Transcript</summary>\
         <pre id=\"{id}-raw\"><code class=\"language-calc\">{}</code></pre></details></div>",
        escape(transcript)
    );
    out
}

fn step_html(
    out: &mut String,
    step: &Step<'_>,
    id: &str,
    precision: usize,
    regions: &mut RegionNames,
) {
    let kind = match step.result {
        Ok(Value::Nothing) if step.input.trim_start().starts_with('#') => " calc-comment",
        Ok(Value::Nothing) => " calc-definition",
        Err(_) => " calc-error",
        _ => "",
    };
    let status = match step.status {
        Status::Failed => " calc-failed",
        Status::Filled | Status::Passed => "",
    };
    let _ = write!(
        out,
        "<li class=\"calc-step{kind}{status}\"><div class=\"calc-in\">\
         <span class=\"calc-prompt\" aria-hidden=\"true\">&gt;&gt;&gt;</span> \
         <code>{}</code></div>",
        escape(step.input)
    );
    let body = match step.result {
        Ok(value) => value_html(value, step.input, id, precision, regions),
        Err(err) => format!(
            "<span class=\"calc-error-text\">error: {}</span>",
            escape(&err.message)
        ),
    };
    if !body.is_empty() || step.status == Status::Failed {
        let _ = write!(out, "<div class=\"calc-out\">{body}");
        if step.status == Status::Failed && !step.expected.is_empty() {
            let _ = write!(
                out,
                "<p class=\"calc-mismatch\" role=\"note\"><strong>Expected:</strong> \
                 <code>{}</code></p>",
                escape(&step.expected.join("\n"))
            );
        }
        out.push_str("</div>");
    }
    out.push_str("</li>");
}

/// The rendered form of a value inside a block ("" for nothing); `input`
/// is what computed it.
fn value_html(
    value: &Value,
    input: &str,
    id: &str,
    precision: usize,
    regions: &mut RegionNames,
) -> String {
    match value {
        Value::Nothing => String::new(),
        Value::Number(x) => format!(
            "<span class=\"calc-number\">{}</span>",
            escape(&shown_number(*x, precision))
        ),
        Value::Expr(e) => format!(
            "<span class=\"calc-expr\">{}</span>",
            e.to_mathml_with_precision(precision)
        ),
        Value::Vector(items) => format!(
            "<span class=\"calc-vector\">{}</span>",
            vector_mathml(items, precision)
        ),
        Value::Nudge(_) => nudge_table(&value.to_text(precision)),
        Value::Descent(d) => {
            let name = regions.unique(&format!(
                "Gradient descent on {}, step by step: {}",
                d.func,
                input.trim()
            ));
            let mut html = descent_table(d, &name, precision);
            if let Some(fig) = svg::descent(d, &format!("{id}-fig")) {
                html.push_str(&fig);
            }
            html
        }
        Value::Plot(p) => format!(
            "{}<p class=\"calc-caption\">{}</p>",
            svg::plot(p, &format!("{id}-fig")),
            escape(&value.to_text(precision))
        ),
    }
}

/// The rendered form of an inline `= expr` value.
pub(super) fn inline_html(value: &Value, precision: usize) -> String {
    match value {
        Value::Nothing => String::new(),
        Value::Number(x) => format!(
            "<span class=\"calc-inline calc-number\">{}</span>",
            escape(&shown_number(*x, precision))
        ),
        Value::Expr(e) => format!(
            "<span class=\"calc-inline calc-expr\">{}</span>",
            e.to_mathml_with_precision(precision)
        ),
        Value::Vector(items) => format!(
            "<span class=\"calc-inline calc-vector\">{}</span>",
            vector_mathml(items, precision)
        ),
        other => format!(
            "<code class=\"calc-inline\">{}</code>",
            escape(&true_minus(&other.to_text(precision).replace('\n', "; ")))
        ),
    }
}

/// A failed inline value: the source text, marked.
pub(super) fn inline_error(expr: &str, err: &MathError) -> String {
    format!(
        "<code class=\"calc-inline calc-failed\" title=\"error: {}\">= {}</code>",
        escape(&err.message),
        escape(expr)
    )
}

/// A number as printed (`%g`, see SPEC §2), with U+2212 for its minus
/// signs: `-6` reads "−6", `1e-05` reads "1e−05".
pub(super) fn shown_number(x: f64, precision: usize) -> String {
    format_number(x, precision).replace('-', "\u{2212}")
}

/// `text` with every hyphen-minus that stands for a minus sign (one
/// followed by a digit, a point or `inf`) as U+2212: `J(-3) = -0.5` reads
/// "J(−3) = −0.5"; hyphens between words are left alone.
pub(super) fn true_minus(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('-') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let sign =
            after.starts_with(|c: char| c.is_ascii_digit() || c == '.') || after.starts_with("inf");
        out.push(if sign { '\u{2212}' } else { '-' });
        rest = after;
    }
    out.push_str(rest);
    out
}

/// The inside of a `<math>` element (what is between its tags).
fn math_inner(math: &str) -> &str {
    let start = if math.trim_start().starts_with("<math") {
        math.find('>').map_or(0, |i| i + 1)
    } else {
        0
    };
    let end = math.rfind("</math>").unwrap_or(math.len()).max(start);
    &math[start..end]
}

/// A number as MathML (`<mn>`, with a real minus sign for negatives).
fn number_mathml(x: f64, precision: usize) -> String {
    let text = format_number(x, precision);
    match text.strip_prefix('-') {
        Some(abs) => format!("<mrow><mo>\u{2212}</mo><mn>{}</mn></mrow>", escape(abs)),
        None => format!("<mn>{}</mn>", escape(&text)),
    }
}

/// `[a, b]` as MathML, cells rendered by kind.
fn vector_mathml(items: &[Value], precision: usize) -> String {
    let mut out = String::from("<math><mrow><mo>[</mo>");
    for (k, item) in items.iter().enumerate() {
        if k > 0 {
            out.push_str("<mo>,</mo>");
        }
        match item {
            Value::Number(x) => out.push_str(&number_mathml(*x, precision)),
            Value::Expr(e) => {
                let _ = write!(
                    out,
                    "<mrow>{}</mrow>",
                    math_inner(&e.to_mathml_with_precision(precision))
                );
            }
            Value::Vector(inner) => {
                out.push_str(math_inner(&vector_mathml(inner, precision)));
            }
            other => {
                let _ = write!(out, "<mtext>{}</mtext>", escape(&other.to_text(precision)));
            }
        }
    }
    out.push_str("<mo>]</mo></mrow></math>");
    out
}

/// The five lines of a nudge as a two-column table.
fn nudge_table(text: &str) -> String {
    let mut out = String::from("<table class=\"calc-nudge\"><tbody>");
    for line in text.lines() {
        let (name, value) = line.split_once(" = ").unwrap_or((line, ""));
        let _ = write!(
            out,
            "<tr><th scope=\"row\">{}</th><td>{}</td></tr>",
            escape(&true_minus(name.trim())),
            escape(&true_minus(value.trim()))
        );
    }
    out.push_str("</tbody></table>");
    out
}

/// Descent tables longer than this show their head and tail only.
const TABLE_ROWS: usize = 120;
/// Rows shown before the gap of a long table.
const TABLE_HEAD: usize = 80;
/// Rows shown after the gap of a long table.
const TABLE_TAIL: usize = 20;

/// A descent's table, in a focusable scroll box: a region called `name`
/// (named after the input, and unique on the page, so two descents of one
/// function are two different regions).
fn descent_table(d: &Descent, name: &str, precision: usize) -> String {
    let mut out = format!(
        "<div class=\"calc-table-wrap\" role=\"region\" tabindex=\"0\" aria-label=\"{}\">\
         <table class=\"calc-descent\"><thead><tr>",
        escape(name)
    );
    for cell in d.header() {
        let _ = write!(out, "<th scope=\"col\">{}</th>", escape(&cell));
    }
    out.push_str("</tr></thead><tbody>");
    let count = d.rows.len();
    let shown = |k: usize| count <= TABLE_ROWS || k < TABLE_HEAD || k >= count - TABLE_TAIL;
    for (k, row) in d.rows.iter().enumerate() {
        if !shown(k) {
            if k == TABLE_HEAD {
                let _ = write!(
                    out,
                    "<tr class=\"calc-gap\"><td colspan=\"{}\">… {} more steps …</td></tr>",
                    1 + 2 * d.vars.len() + 1,
                    count - TABLE_HEAD - TABLE_TAIL
                );
            }
            continue;
        }
        let _ = write!(out, "<tr><th scope=\"row\">{}</th>", row.step);
        let cells = row
            .point
            .iter()
            .chain(std::iter::once(&row.value))
            .chain(row.grad.iter());
        for x in cells {
            let _ = write!(out, "<td>{}</td>", escape(&shown_number(*x, precision)));
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table></div>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn math_inner_strips_the_wrapper() {
        assert_eq!(
            math_inner("<math display=\"inline\"><mi>w</mi></math>"),
            "<mi>w</mi>"
        );
        assert_eq!(math_inner("<mi>w</mi>"), "<mi>w</mi>");
    }

    #[test]
    fn negative_numbers_read_with_a_true_minus() {
        assert_eq!(shown_number(-6.0, 12), "\u{2212}6");
        assert_eq!(shown_number(1e-5, 12), "1e\u{2212}05");
        assert_eq!(shown_number(6.0, 12), "6");
        assert_eq!(
            true_minus("J(-3) = -0.5, well-known, -inf, x - y, -.5"),
            "J(\u{2212}3) = \u{2212}0.5, well-known, \u{2212}inf, x - y, \u{2212}.5"
        );
        let html = inline_html(&Value::Number(-6.0), 12);
        assert!(html.contains(">\u{2212}6<"), "{html}");
        let table = nudge_table("J(-3) = 9\nJ(-2.999) = 8.994001\nΔJ = -0.005999");
        assert!(
            table.contains("<th scope=\"row\">J(\u{2212}3)</th>"),
            "{table}"
        );
        assert!(table.contains("<td>\u{2212}0.005999</td>"), "{table}");
        assert!(!table.contains(">-") && !table.contains("(-"), "{table}");
    }

    #[test]
    fn region_names_are_unique_on_a_page() {
        let mut names = RegionNames::default();
        assert_eq!(names.unique("Descent"), "Descent");
        assert_eq!(names.unique("Descent"), "Descent (2)");
        assert_eq!(names.unique("Other"), "Other");
        // A name that happens to read like a numbered one is not reused.
        assert_eq!(names.unique("Descent (3)"), "Descent (3)");
        assert_eq!(names.unique("Descent"), "Descent (4)");
    }

    #[test]
    fn nudge_lines_become_rows() {
        let html = nudge_table("J(3) = 9\nJ(3.001) = 9.006001\nΔJ = 0.006001");
        assert_eq!(html.matches("<tr>").count(), 3);
        assert!(html.contains("<th scope=\"row\">J(3.001)</th><td>9.006001</td>"));
    }
}
