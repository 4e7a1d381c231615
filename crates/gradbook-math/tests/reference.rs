//! The engine against a reference table made independently of it with
//! SymPy and mpmath (`tests/data/make_reference.py`, run by hand; the table
//! is committed, so this test needs no Python).
//!
//! Numbers are compared with SPEC's relative tolerance of 1e-9 against the
//! correctly rounded double of the true value, with no absolute slack near
//! zero: a value that underflowed to 0, or an exact cancellation that came
//! out as a rounding error, fails here although a page's matching rule
//! might accept it. A `double` row is compared to the bit: the exact
//! result rounded once, which the engine promises.

use gradbook_math::{Scope, Value};

const TABLE: &str = include_str!("data/reference.txt");
const RELATIVE: f64 = 1e-9;

fn close(got: f64, expected: f64) -> bool {
    if got.is_nan() || expected.is_nan() || got.is_infinite() || expected.is_infinite() {
        return got == expected || (got.is_nan() && expected.is_nan());
    }
    (got - expected).abs() <= RELATIVE * expected.abs().max(got.abs())
}

fn number(text: &str) -> f64 {
    match text.trim() {
        "inf" => f64::INFINITY,
        "-inf" => f64::NEG_INFINITY,
        "nan" => f64::NAN,
        t => t
            .parse()
            .unwrap_or_else(|_| panic!("bad number {t:?} in the table")),
    }
}

fn numbers(text: &str) -> Vec<f64> {
    text.split(", ").map(number).collect()
}

fn describe(result: &Result<Value, gradbook_math::MathError>) -> String {
    match result {
        Ok(v) => v.to_text(17).replace('\n', " / "),
        Err(e) => format!("error: {e}"),
    }
}

/// Checks one case; `None` when it passes, otherwise what went wrong.
fn check(
    scope: &Scope,
    result: &Result<Value, gradbook_math::MathError>,
    kind: &str,
    expected: &str,
) -> Option<String> {
    let mismatch = || {
        Some(format!(
            "expected {kind} {expected}, got {}",
            describe(result)
        ))
    };
    match (kind, result) {
        ("error", Err(e)) => (!e.message.contains(expected))
            .then(|| format!("error {e:?} does not contain {expected:?}")),
        ("error", Ok(_)) => mismatch(),
        (_, Err(_)) => mismatch(),
        ("number", Ok(Value::Number(x))) => (!close(*x, number(expected))).then(mismatch).flatten(),
        ("double", Ok(Value::Number(x))) => {
            let want = number(expected);
            let same = x.to_bits() == want.to_bits() || (*x == 0.0 && want == 0.0);
            (!same).then(mismatch).flatten()
        }
        ("vector", Ok(Value::Vector(items))) => {
            let want = numbers(expected);
            let got: Vec<Option<f64>> = items
                .iter()
                .map(|v| match v {
                    Value::Number(x) => Some(*x),
                    _ => None,
                })
                .collect();
            let ok = got.len() == want.len()
                && got
                    .iter()
                    .zip(&want)
                    .all(|(g, w)| g.is_some_and(|g| close(g, *w)));
            (!ok).then(mismatch).flatten()
        }
        ("text", Ok(v)) => (v.to_text(12) != expected).then(mismatch).flatten(),
        ("expr", Ok(Value::Expr(e))) => {
            let want = match scope.parse_expr(expected) {
                Ok(w) => w,
                Err(err) => return Some(format!("the table's expression {expected} fails: {err}")),
            };
            let mut vars = e.free_vars();
            vars.extend(want.free_vars());
            vars.sort();
            vars.dedup();
            let mut compared = 0;
            for point in [0.7, 1.3, 2.1, 3.4] {
                let at: Vec<(&str, f64)> = vars.iter().map(|v| (v.as_str(), point)).collect();
                match (e.eval(&at), want.eval(&at)) {
                    (Ok(a), Ok(b)) if close(a, b) => compared += 1,
                    (Ok(_), Ok(_)) | (Ok(_), Err(_)) | (Err(_), Ok(_)) => return mismatch(),
                    (Err(_), Err(_)) => {}
                }
            }
            (compared == 0).then(|| format!("{expected}: no point to compare at"))
        }
        ("descent", Ok(Value::Descent(d))) => {
            let (rows, last) = expected
                .split_once("; last=")
                .unwrap_or_else(|| panic!("bad descent expectation {expected:?}"));
            let rows: usize = rows.trim_start_matches("rows=").parse().expect("row count");
            let Some(row) = d.rows.last() else {
                return mismatch();
            };
            let mut got = row.point.clone();
            got.push(row.value);
            got.extend(&row.grad);
            let want = numbers(last);
            let ok = d.rows.len() == rows
                && got.len() == want.len()
                && got.iter().zip(&want).all(|(g, w)| close(*g, *w));
            (!ok).then(|| {
                format!(
                    "expected {rows} rows ending {want:?}, got {} rows ending {got:?}",
                    d.rows.len()
                )
            })
        }
        _ => mismatch(),
    }
}

#[test]
fn engine_agrees_with_the_reference_table() {
    let mut failures = Vec::new();
    let mut per_class: Vec<(&str, usize)> = Vec::new();
    for (n, line) in TABLE.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split('\t').collect();
        let [class, setup, input, kind, expected] = fields[..] else {
            panic!("line {}: expected 5 tab-separated fields: {line:?}", n + 1);
        };
        match per_class.iter_mut().find(|(c, _)| *c == class) {
            Some((_, count)) => *count += 1,
            None => per_class.push((class, 1)),
        }
        let mut scope = Scope::new();
        if setup != "-" {
            for s in setup.split(" ;; ") {
                if let Err(e) = scope.run(s) {
                    failures.push(format!("line {} [{class}] setup {s:?} failed: {e}", n + 1));
                }
            }
        }
        let result = scope.run(input);
        if let Some(why) = check(&scope, &result, kind, expected) {
            failures.push(format!(
                "line {} [{class}] {input:?} (after {setup:?}): {why}",
                n + 1
            ));
        }
    }
    let total: usize = per_class.iter().map(|(_, c)| c).sum();
    assert!(total >= 500, "the table has only {total} cases");
    for class in [
        "float-power",
        "negative-power",
        "exact",
        "descent",
        "domain",
        "derivative",
        "printed",
        "simplify",
    ] {
        assert!(
            per_class.iter().any(|(c, n)| *c == class && *n > 0),
            "no case of class {class}"
        );
    }
    assert!(
        failures.is_empty(),
        "{} of {total} reference cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
