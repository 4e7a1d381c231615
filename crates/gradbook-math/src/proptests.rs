//! Property tests over random expressions built from every SPEC function
//! and operator: derivatives agree with finite differences, simplification
//! keeps values, printing then parsing gives the same function, and no
//! input string panics the engine.

use std::cell::Cell;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

use super::ast::Node;
use super::{Expr, Scope};

/// True when `n` has a power whose exponent depends on `x` or is not an
/// integer. The general power rule needs a positive base and `b**(e - 1)`
/// is undefined at `b = 0` for `e < 1`, so such a derivative may be
/// undefined where the power itself is defined (`(-1)**(0*x)`,
/// `relu(x)**0.5` left of 0).
fn has_fragile_power(n: &Node) -> bool {
    match n {
        Node::Num(_) | Node::Const(_) | Node::Var(_) => false,
        Node::Add(xs) | Node::Mul(xs) => xs.iter().any(has_fragile_power),
        Node::Pow(b, e) => {
            let integer = e.as_num().is_some_and(|k| k.as_int().is_some());
            (!integer && (e.contains_var("x") || b.contains_var("x"))) || has_fragile_power(b)
        }
        Node::Call(_, a) => has_fragile_power(a),
    }
}

/// Random expression text over `x` and `y`.
fn expr_text() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        4 => Just("x".to_string()),
        1 => Just("y".to_string()),
        3 => (1i32..=9).prop_map(|n| n.to_string()),
        1 => (1i32..=9, 2i32..=5).prop_map(|(a, b)| format!("({a}/{b})")),
        1 => prop_oneof![Just("0.5"), Just("1.5"), Just("2.25")].prop_map(String::from),
        1 => prop_oneof![Just("pi"), Just("e")].prop_map(String::from),
    ];
    let funcs = prop_oneof![
        Just("sin"),
        Just("cos"),
        Just("tan"),
        Just("exp"),
        Just("log"),
        Just("ln"),
        Just("sqrt"),
        Just("abs"),
        Just("sign"),
        Just("step"),
        Just("sigmoid"),
        Just("tanh"),
        Just("relu"),
        Just("softplus"),
    ];
    leaf.prop_recursive(4, 24, 2, move |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} + {b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} - {b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a}*{b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a}/{b})")),
            (inner.clone(), -3i32..=4).prop_map(|(a, k)| format!("({a})**({k})")),
            (inner.clone(), 1i32..=3).prop_map(|(a, k)| format!("{a}^{k}")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a})**({b})")),
            (funcs.clone(), inner.clone()).prop_map(|(f, a)| format!("{f}({a})")),
            inner.clone().prop_map(|a| format!("-{a}")),
        ]
    })
}

fn value(e: &Expr, x: f64, y: f64) -> Option<f64> {
    e.eval(&[("x", x), ("y", y)]).ok().filter(|v| v.is_finite())
}

/// True when every subexpression of `e` stays below 1e4 in size at the
/// point, so float rounding is not amplified (as in `sin(3**81)`).
fn well_scaled(e: &Expr, x: f64, y: f64) -> bool {
    fn walk(n: &Node, x: f64, y: f64) -> bool {
        let lookup = |v: &str| match v {
            "x" => Some(x),
            "y" => Some(y),
            _ => None,
        };
        let small = super::eval::eval_tree(n, &lookup).is_ok_and(|v| v.abs() < 1e4);
        small
            && match n {
                Node::Num(_) | Node::Const(_) | Node::Var(_) => true,
                Node::Add(xs) | Node::Mul(xs) => xs.iter().all(|c| walk(c, x, y)),
                Node::Pow(b, p) => walk(b, x, y) && walk(p, x, y),
                Node::Call(_, a) => walk(a, x, y),
            }
    }
    walk(&e.node, x, y)
}

/// True when `e` is continuous around the point as far as a small nudge
/// of each variable can tell: near a jump (`step`, `sign`, `0**t` as `t`
/// crosses 0) float rounding decides which side a value lands on, and the
/// exact simplifier may rightly land on the other.
fn continuous_at(e: &Expr, x: f64, y: f64, v: f64) -> bool {
    let dx = 1e-7 * x.abs().max(1.0);
    let dy = 1e-7 * y.abs().max(1.0);
    [(x + dx, y), (x - dx, y), (x, y + dy), (x, y - dy)]
        .into_iter()
        .all(|(a, b)| value(e, a, b).is_some_and(|w| close(v, w, 1e-4)))
}

fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * a.abs().max(b.abs()).max(1.0)
}

fn cases(n: u32) -> Config {
    Config {
        cases: n,
        failure_persistence: None,
        ..Config::default()
    }
}

#[test]
fn derivative_matches_finite_differences() {
    let checked = Cell::new(0u32);
    let mut runner = TestRunner::new(cases(10_000));
    let strategy = (expr_text(), -3.0f64..3.0, -3.0f64..3.0);
    runner
        .run(&strategy, |(src, x, y)| {
            let e = Expr::parse(&src).map_err(|err| TestCaseError::fail(format!("{src}: {err}")))?;
            if !well_scaled(&e, x, y) {
                return Ok(()); // rounding would swamp the finite differences
            }
            let Ok(d) = e.derivative("x", 1) else {
                return Ok(()); // a size limit: not this property's concern
            };
            let h1 = 1e-4 * x.abs().max(1.0);
            let h2 = h1 / 2.0;
            let f = |t: f64| value(&e, t, y).filter(|v| v.abs() < 1e4);
            let (Some(a1), Some(b1), Some(a2), Some(b2), Some(_)) =
                (f(x + h1), f(x - h1), f(x + h2), f(x - h2), f(x))
            else {
                return Ok(());
            };
            let fd1 = (a1 - b1) / (2.0 * h1);
            let fd2 = (a2 - b2) / (2.0 * h2);
            if !close(fd1, fd2, 1e-3) {
                return Ok(()); // a kink, a jump or a pole nearby
            }
            let fd = (4.0 * fd2 - fd1) / 3.0;
            let Some(dv) = value(&d, x, y) else {
                if has_fragile_power(&e.node) {
                    return Ok(());
                }
                return Err(TestCaseError::fail(format!(
                    "{src}: derivative {} undefined at x={x}, y={y} but finite differences give {fd}",
                    d.to_text()
                )));
            };
            if !close(dv, fd, 1e-4) {
                return Err(TestCaseError::fail(format!(
                    "{src}: d/dx = {} = {dv} at x={x}, y={y}, finite differences {fd}",
                    d.to_text()
                )));
            }
            checked.set(checked.get() + 1);
            Ok(())
        })
        .unwrap();
    assert!(
        checked.get() > 2000,
        "only {} cases were well conditioned",
        checked.get()
    );
}

#[test]
fn simplify_keeps_values() {
    let checked = Cell::new(0u32);
    let mut runner = TestRunner::new(cases(10_000));
    let strategy = (expr_text(), -3.0f64..3.0, -3.0f64..3.0);
    runner
        .run(&strategy, |(src, x, y)| {
            let e =
                Expr::parse(&src).map_err(|err| TestCaseError::fail(format!("{src}: {err}")))?;
            let s = e.simplified();
            let Some(v) =
                value(&e, x, y).filter(|v| well_scaled(&e, x, y) && continuous_at(&e, x, y, *v))
            else {
                return Ok(());
            };
            match value(&s, x, y) {
                Some(w) if close(v, w, 1e-7) => {}
                other => {
                    return Err(TestCaseError::fail(format!(
                        "{src} = {v} at x={x}, y={y}, but simplified {} = {other:?}",
                        s.to_text()
                    )));
                }
            }
            // Simplifying again changes nothing.
            let again = s.simplified();
            prop_assert_eq!(again.to_text(), s.to_text(), "not idempotent on {}", src);
            checked.set(checked.get() + 1);
            Ok(())
        })
        .unwrap();
    assert!(
        checked.get() > 2000,
        "only {} cases were defined",
        checked.get()
    );
}

#[test]
fn print_then_parse_is_the_same_function() {
    let mut runner = TestRunner::new(cases(5000));
    let strategy = (expr_text(), -3.0f64..3.0, -3.0f64..3.0);
    runner
        .run(&strategy, |(src, x, y)| {
            let e =
                Expr::parse(&src).map_err(|err| TestCaseError::fail(format!("{src}: {err}")))?;
            for form in [e.clone(), e.simplified()] {
                let text = form.to_text();
                let back = Expr::parse(&text).map_err(|err| {
                    TestCaseError::fail(format!("{src} printed as {text}: {err}"))
                })?;
                if let Some(v) = value(&form, x, y)
                    .filter(|v| well_scaled(&form, x, y) && continuous_at(&form, x, y, *v))
                {
                    let w = value(&back, x, y);
                    prop_assert!(
                        w.is_some_and(|w| close(v, w, 1e-9)),
                        "{} printed as {} gives {:?}, not {}",
                        src,
                        text,
                        w,
                        v
                    );
                }
            }
            Ok(())
        })
        .unwrap();
}

fn check_no_panic(inputs: &[String]) -> Result<(), TestCaseError> {
    let mut scope = Scope::new();
    for input in inputs {
        if let Ok(e) = Expr::parse(input) {
            let _ = (e.to_text(), e.to_mathml(), e.simplified().to_text());
            let _ = e.derivative("x", 2).map(|d| d.eval(&[("x", 0.5)]));
        }
        if let Err(e) = scope.run(input) {
            prop_assert!(
                input.get(e.span.clone()).is_some(),
                "span {:?} is not inside {:?}",
                e.span,
                input
            );
            prop_assert!(!e.message.is_empty());
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(cases(3000))]

    #[test]
    fn random_strings_never_panic(inputs in prop::collection::vec(
        "[a-zJLw0-9 .,'=+*/^()#_θ-]{0,30}", 1..4)) {
        check_no_panic(&inputs)?;
    }

    #[test]
    fn random_unicode_never_panics(input in "\\PC{0,40}") {
        check_no_panic(&[input])?;
    }

    #[test]
    fn statement_shaped_inputs_never_panic(
        body in expr_text(),
        call in prop_oneof![
            Just("J(3)"), Just("J'(1.5)"), Just("J''(0.5)"), Just("diff(J(x), x)"),
            Just("grad(J)"), Just("grad(J, x=1)"), Just("nudge(J, x=1)"),
            Just("descent(J, x=1, alpha=0.01, steps=20)"),
            Just("descent(J, x=1, alpha=0.1, steps=20, momentum=0.5, tol=1e-3)"),
            Just("plot(J, x=-2..2, at=1, samples=9)"), Just("simplify(J(x))"),
        ],
    ) {
        let body = body.replace('y', "x");
        check_no_panic(&[format!("J(x) = {body}"), call.to_string()])?;
    }
}
