//! Expressions compared as functions: the expected text is parsed in the
//! page's scope and both sides are sampled where both are defined.

use gradbook_math::{Expr, Scope, format_number};

/// Sample values, chosen to avoid 0, ±1, integers and other special points
/// where distinct functions often agree; mixed signs so that a domain
/// restricted on one side still leaves points.
pub(super) const SAMPLES: [f64; 20] = [
    0.7183, 1.4137, -0.5772, 2.2361, 0.3679, -1.618, 1.7321, 2.6458, -2.4495, 0.1234, 3.1287,
    -0.9003, 1.0507, 0.5403, 4.3012, -3.3019, 0.2718, 1.2599, -0.1587, 2.9957,
];
/// How many agreeing points settle that two expressions are the same.
pub(super) const ENOUGH: usize = 8;

/// The expected text parsed in `scope`, compared as a function with `computed`.
pub(super) fn expression_text_matches(
    expected: &str,
    computed: &Expr,
    scope: &Scope,
) -> Result<(), String> {
    match scope.parse_expr(expected) {
        Ok(written) => same_function(&written, computed),
        Err(err) => Err(format!("the expected text is not an expression: {err}")),
    }
}

/// Relative tolerance of the sampled comparison: the two sides are
/// evaluated along different paths, whose round-off may differ in more
/// than the last bit.
pub(super) const RELATIVE: f64 = 1e-9;

/// Whether two expressions are the same function: both are evaluated at
/// sample points of their variables, skipping points where either is
/// undefined, and must agree at each within a relative error of
/// [`RELATIVE`], or within [`RELATIVE`] of the largest value seen at any
/// of the points (for round-off where the function passes near 0). The
/// floor scales with the functions, so `1e-12*w` and `2e-12*w` differ
/// and only `0` is the same as `0`.
pub(super) fn same_function(expected: &Expr, computed: &Expr) -> Result<(), String> {
    let mut vars = expected.free_vars();
    vars.extend(computed.free_vars());
    vars.sort();
    vars.dedup();
    let pairs = sample_pairs(expected, computed, &vars);
    if pairs.is_empty() {
        // No point where both are defined: fall back to the printed forms.
        return if expected.to_text() == computed.to_text() {
            Ok(())
        } else {
            Err("no sample point where both expressions are defined".to_string())
        };
    }
    let largest = pairs
        .iter()
        .map(|(_, a, b)| a.abs().max(b.abs()))
        .fold(0.0, f64::max);
    let floor = RELATIVE * largest;
    for (point, a, b) in &pairs {
        let diff = (a - b).abs();
        if diff > floor && diff > RELATIVE * a.abs().max(b.abs()) {
            let at = vars
                .iter()
                .zip(point)
                .map(|(n, x)| format!("{n} = {}", format_number(*x, 6)))
                .collect::<Vec<_>>()
                .join(", ");
            let at = if at.is_empty() {
                String::new()
            } else {
                format!("at {at}, ")
            };
            return Err(format!(
                "not the same function: {at}expected gives {}, computed gives {}",
                format_number(*a, 12),
                format_number(*b, 12)
            ));
        }
    }
    Ok(())
}

/// The sample points where both sides are defined and finite, with their
/// values there: the base points first and, while fewer than three are
/// found, the same points scaled (for a domain like `sqrt(w - 10)`), up to
/// [`ENOUGH`] points (one when there are no variables).
fn sample_pairs(expected: &Expr, computed: &Expr, vars: &[String]) -> Vec<(Vec<f64>, f64, f64)> {
    let mut pairs = Vec::new();
    for scale in [1.0, 10.0, 100.0, 0.01] {
        for k in 0..SAMPLES.len() {
            let point: Vec<f64> = (0..vars.len())
                .map(|v| (SAMPLES[(k + 7 * v) % SAMPLES.len()] + 0.0131 * v as f64) * scale)
                .collect();
            let named: Vec<(&str, f64)> = vars
                .iter()
                .map(String::as_str)
                .zip(point.iter().copied())
                .collect();
            let (Ok(a), Ok(b)) = (expected.eval(&named), computed.eval(&named)) else {
                continue;
            };
            if !a.is_finite() || !b.is_finite() {
                continue;
            }
            pairs.push((point, a, b));
            if pairs.len() >= ENOUGH || vars.is_empty() {
                return pairs;
            }
        }
        if pairs.len() >= 3 {
            return pairs;
        }
    }
    pairs
}

/// The most sample points a quiz answer carries to the page.
pub(super) const QUIZ_POINTS: usize = 8;

/// Points where `expr` is defined and finite, and its values there, chosen
/// as [`same_function`] chooses its points (the base points first, then
/// scaled), at most [`QUIZ_POINTS`]. Empty when there is none.
pub(super) fn sample(expr: &Expr, vars: &[String]) -> (Vec<Vec<f64>>, Vec<f64>) {
    let mut points = Vec::new();
    let mut values = Vec::new();
    for scale in [1.0, 10.0, 100.0, 0.01] {
        for k in 0..SAMPLES.len() {
            let point: Vec<f64> = (0..vars.len())
                .map(|v| (SAMPLES[(k + 7 * v) % SAMPLES.len()] + 0.0131 * v as f64) * scale)
                .collect();
            let named: Vec<(&str, f64)> = vars
                .iter()
                .map(String::as_str)
                .zip(point.iter().copied())
                .collect();
            let Ok(value) = expr.eval(&named) else {
                continue;
            };
            if value.is_finite() {
                points.push(point);
                values.push(value);
            }
            if points.len() >= QUIZ_POINTS {
                return (points, values);
            }
        }
    }
    (points, values)
}
