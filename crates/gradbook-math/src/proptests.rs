//! Property tests over random expressions built from every SPEC function
//! and operator: derivatives agree with finite differences, simplification
//! keeps values, printing then parsing gives the same function, and no
//! input string panics the engine. For numbers: exact input gives the same
//! exact value by every path, float powers agree with a double-double
//! reference, and every printed number or expression reads back exactly.

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
/// point, so float rounding is not amplified (as in `sin(3**81)`), and no
/// product or power underflows to zero (`(-x**2)**625` is -0.0 at x = 0.17,
/// which gives `(-x**2)**625)**x` a value it does not have).
fn well_scaled(e: &Expr, x: f64, y: f64) -> bool {
    fn walk(n: &Node, x: f64, y: f64) -> bool {
        let lookup = |v: &str| match v {
            "x" => Some(x),
            "y" => Some(y),
            _ => None,
        };
        let at = |n: &Node| super::eval::eval_tree(n, &lookup);
        let Ok(v) = at(n) else { return false };
        let underflow = v == 0.0
            && match n {
                Node::Mul(xs) => xs.iter().all(|c| at(c).is_ok_and(|c| c != 0.0)),
                Node::Pow(b, _) => at(b).is_ok_and(|b| b != 0.0),
                _ => false,
            };
        v.abs() < 1e4
            && !underflow
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

// ---------------------------------------------------------------------------
// Numbers.

use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{ToPrimitive, Zero};

/// A random exact expression and its value, computed on the side with
/// big rationals (the oracle), or `None` when it divides by zero.
#[derive(Debug, Clone)]
struct Exact {
    text: String,
    value: Option<BigRational>,
}

fn exact_leaf() -> impl Strategy<Value = Exact> {
    let int = |n: BigInt| Exact {
        text: n.to_string(),
        value: Some(BigRational::from_integer(n)),
    };
    prop_oneof![
        3 => (0i64..=20).prop_map(move |n| int(BigInt::from(n))),
        2 => (0i64..=i64::MAX).prop_map(move |n| int(BigInt::from(n))),
        2 => (2u32..=120).prop_map(move |k| int(BigInt::from(2) .pow(k))),
        1 => (1u32..=40, 1u64..=999).prop_map(move |(k, c)| {
            int(BigInt::from(10).pow(k) + BigInt::from(c))
        }),
    ]
}

fn exact_expr() -> impl Strategy<Value = Exact> {
    exact_leaf().prop_recursive(4, 16, 2, |inner| {
        let bin = |a: Exact, b: Exact, op: &str| -> Exact {
            let value = match (a.value, b.value) {
                (Some(x), Some(y)) => match op {
                    "+" => Some(x + y),
                    "-" => Some(x - y),
                    "*" => Some(x * y),
                    _ if y.is_zero() => None,
                    _ => Some(x / y),
                },
                _ => None,
            };
            Exact {
                text: format!("({} {op} {})", a.text, b.text),
                value,
            }
        };
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(move |(a, b)| bin(a, b, "+")),
            (inner.clone(), inner.clone()).prop_map(move |(a, b)| bin(a, b, "-")),
            (inner.clone(), inner.clone()).prop_map(move |(a, b)| bin(a, b, "*")),
            (inner.clone(), inner.clone()).prop_map(move |(a, b)| bin(a, b, "/")),
            (inner.clone(), -3i32..=3).prop_map(|(a, k)| {
                let value = a.value.and_then(|x| {
                    if x.is_zero() && k < 0 {
                        None
                    } else {
                        Some(num_traits::Pow::pow(x, k))
                    }
                });
                Exact {
                    text: format!("({})**({k})", a.text),
                    value,
                }
            }),
            inner.prop_map(|a| Exact {
                text: format!("-{}", a.text),
                value: a.value.map(|x| -x),
            }),
        ]
    })
}

/// The exact printed form of a rational, as `simplify` prints a number.
fn rational_text(r: &BigRational) -> String {
    if r.is_integer() {
        r.numer().to_string()
    } else {
        format!("{}/{}", r.numer(), r.denom())
    }
}

fn run_last(inputs: &[String]) -> Result<super::Value, super::MathError> {
    let mut scope = Scope::new();
    let (last, setup) = inputs.split_last().expect("an input");
    for s in setup {
        scope.run(s)?;
    }
    scope.run(last)
}

#[test]
fn exact_input_gives_one_exact_value_by_every_path() {
    let checked = Cell::new(0u32);
    let mut runner = TestRunner::new(cases(3000));
    runner
        .run(&exact_expr(), |e| {
            let Some(exact) = &e.value else {
                // A division by zero is an error by every path.
                prop_assert!(
                    run_last(std::slice::from_ref(&e.text)).is_err(),
                    "{}",
                    e.text
                );
                let simplified = run_last(&[format!("simplify({})", e.text)]);
                prop_assert!(
                    simplified.is_err(),
                    "simplify({}): {:?}",
                    e.text,
                    simplified
                );
                return Ok(());
            };
            let too_long = exact.numer().to_string().len() > super::MAX_DIGITS
                || exact.denom().to_string().len() > super::MAX_DIGITS;
            let float = exact.to_f64().unwrap_or(f64::NAN);
            // Evaluating: the correctly rounded double of the exact value.
            let value = run_last(std::slice::from_ref(&e.text));
            match &value {
                Ok(super::Value::Number(x)) => prop_assert!(
                    x.to_bits() == float.to_bits() || (*x == 0.0 && float == 0.0),
                    "{} = {} exactly, but evaluates to {x}",
                    e.text,
                    rational_text(exact)
                ),
                Err(err) => prop_assert!(
                    too_long || !float.is_finite(),
                    "{} = {} failed: {err}",
                    e.text,
                    rational_text(exact)
                ),
                Ok(other) => prop_assert!(false, "{} gave {other:?}", e.text),
            }
            if too_long || !float.is_finite() {
                return Ok(());
            }
            // Simplifying: the exact value itself.
            let simplified = run_last(&[format!("simplify({})", e.text)])
                .map(|v| v.to_text(12))
                .unwrap_or_else(|err| format!("error: {err}"));
            prop_assert_eq!(&simplified, &rational_text(exact), "simplify({})", &e.text);
            // Defining then calling: the first number becomes the parameter.
            let start = e.text.find(|c: char| c.is_ascii_digit()).expect("a number");
            let len = e.text[start..]
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(e.text.len() - start);
            let arg = &e.text[start..start + len];
            let body = format!("{}x{}", &e.text[..start], &e.text[start + len..]);
            let called = run_last(&[format!("f(x) = {body}"), format!("f({arg})")]);
            match called {
                Ok(super::Value::Number(x)) => prop_assert!(
                    x.to_bits() == float.to_bits() || (x == 0.0 && float == 0.0),
                    "f({arg}) with f(x) = {body} gives {x}, not {float}"
                ),
                other => prop_assert!(false, "f({arg}) with f(x) = {body}: {other:?}"),
            }
            checked.set(checked.get() + 1);
            Ok(())
        })
        .unwrap();
    assert!(
        checked.get() > 1000,
        "only {} cases had a value",
        checked.get()
    );
}

/// A double-double number times a power of two, for a reference power.
#[derive(Debug, Clone, Copy)]
struct Scaled {
    hi: f64,
    lo: f64,
    exp: i64,
}

/// 2**k for `-1022 <= k <= 1023`.
fn two_to(k: i64) -> f64 {
    f64::from_bits(((k + 1023) as u64) << 52)
}

impl Scaled {
    fn new(x: f64) -> Scaled {
        Scaled {
            hi: x,
            lo: 0.0,
            exp: 0,
        }
        .normalised()
    }

    /// Keeps `hi` within [1, 2) in magnitude (scaling by a power of two
    /// is exact).
    fn normalised(self) -> Scaled {
        let e = ((self.hi.to_bits() >> 52) & 0x7ff) as i64 - 1023;
        let s = two_to(-e);
        Scaled {
            hi: self.hi * s,
            lo: self.lo * s,
            exp: self.exp + e,
        }
    }

    /// The product, with the error of `hi*hi` kept by a fused multiply-add.
    fn mul(self, o: Scaled) -> Scaled {
        let p = self.hi * o.hi;
        let err = self.hi.mul_add(o.hi, -p) + (self.hi * o.lo + self.lo * o.hi);
        let hi = p + err;
        let lo = err - (hi - p);
        Scaled {
            hi,
            lo,
            exp: self.exp + o.exp,
        }
        .normalised()
    }

    fn recip(self) -> Scaled {
        let hi = 1.0 / self.hi;
        // One Newton step: r + r*(1 - x*r).
        let e = (-self.hi).mul_add(hi, 1.0) - self.lo * hi;
        Scaled {
            hi: hi + hi * e,
            lo: 0.0,
            exp: -self.exp,
        }
        .normalised()
    }

    /// `self**n` by squaring, in double-double.
    fn pow(self, n: i64) -> Scaled {
        let mut result = Scaled::new(1.0);
        let mut base = self;
        let mut k = n.unsigned_abs();
        while k > 0 {
            if k & 1 == 1 {
                result = result.mul(base);
            }
            base = base.mul(base);
            k >>= 1;
        }
        if n < 0 { result.recip() } else { result }
    }

    /// The value as a double, when it is a normal number.
    fn to_f64(self) -> Option<f64> {
        if !(-1000..=1000).contains(&self.exp) {
            return None;
        }
        Some((self.hi + self.lo) * two_to(self.exp))
    }
}

#[test]
fn float_powers_agree_with_a_double_double_reference() {
    let mut runner = TestRunner::new(cases(3000));
    let base = prop_oneof![
        (-1e-6f64..1e-6).prop_map(|d| 1.0 + d),
        (-1e-12f64..1e-12).prop_map(|d| 1.0 + d),
        0.5f64..2.0,
        -2.0f64..-0.5,
        1e-3f64..1e3,
    ];
    let exponent = prop_oneof![
        -64i64..=64,
        -100_000i64..=100_000,
        -3_000_000_000i64..=3_000_000_000,
    ];
    runner
        .run(&(base, exponent), |(x, n)| {
            let Some(reference) = Scaled::new(x.abs()).pow(n).to_f64() else {
                return Ok(()); // beyond the normal range
            };
            let reference = if x < 0.0 && n % 2 != 0 {
                -reference
            } else {
                reference
            };
            let got = super::number::powi(x, n);
            // The system pow is within about one unit in the last place.
            prop_assert!(
                (got - reference).abs() <= 4.0 * f64::EPSILON * reference.abs(),
                "{x:?}**{n} = {got:e}, reference {reference:e}"
            );
            // And every path to it gives the same float.
            let text = format!("({x:?})**({n})");
            let value = run_last(std::slice::from_ref(&text));
            prop_assert!(
                matches!(value, Ok(super::Value::Number(v)) if v.to_bits() == got.to_bits()),
                "{text}: {value:?}, not {got:e}"
            );
            Ok(())
        })
        .unwrap();
}

/// Random expressions whose numbers stress printing: exact integers and
/// ratios beyond 64 bits, and floats from subnormal to near the largest.
fn number_expr_text() -> impl Strategy<Value = String> {
    let float = prop_oneof![
        any::<f64>().prop_filter("finite and not negative", |x| x.is_finite() && *x >= 0.0),
        (1u64..1000, -330i32..300)
            .prop_map(|(m, e)| format!("{m}e{e}").parse::<f64>().unwrap_or(1.0)),
    ];
    let leaf = prop_oneof![
        2 => Just("w".to_string()),
        1 => Just("x".to_string()),
        2 => float.prop_map(super::format::float_repr),
        2 => (1u32..=200).prop_map(|k| format!("2**{k}")),
        1 => (any::<u64>(), 2u64..=u64::MAX).prop_map(|(p, q)| format!("({p}*{p}/{q})")),
        1 => (1u32..=330).prop_map(|k| format!("10**-{k}")),
    ];
    leaf.prop_recursive(3, 12, 2, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} + {b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} - {b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a}*{b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a}/{b})")),
            (inner.clone(), -3i32..=3).prop_map(|(a, k)| format!("({a})**({k})")),
            inner.clone().prop_map(|a| format!("exp({a})")),
        ]
    })
}

/// The numbers of a tree.
fn numbers(n: &Node, out: &mut Vec<super::number::Num>) {
    match n {
        Node::Num(x) => out.push(x.clone()),
        Node::Const(_) | Node::Var(_) => {}
        Node::Add(xs) | Node::Mul(xs) => xs.iter().for_each(|x| numbers(x, out)),
        Node::Pow(a, b) => {
            numbers(a, out);
            numbers(b, out);
        }
        Node::Call(_, a) => numbers(a, out),
    }
}

#[test]
fn every_printed_result_reads_back_exactly() {
    use super::number::Num;
    let mut runner = TestRunner::new(cases(3000));
    runner
        .run(&number_expr_text(), |src| {
            let Ok(value) = run_last(&[format!("simplify({src})")]) else {
                return Ok(()); // an error (overflow, zero division) prints nothing
            };
            let super::Value::Expr(e) = &value else {
                return Err(TestCaseError::fail(format!("{src}: {value:?}")));
            };
            let text = e.to_text();
            prop_assert!(
                !text.contains("inf") && !text.contains("nan"),
                "{src} printed as {text}"
            );
            // Every number in it prints as a text that reads back as the
            // very same number: an exact one exactly, a float as the same
            // double (an integral float such as 2.0 prints as `2` and
            // reads back as the exact integer of the same value).
            let mut nums = Vec::new();
            numbers(&e.node, &mut nums);
            for n in nums {
                let printed = super::format::to_text(&Node::Num(n.clone()));
                let back = Expr::parse(&printed).map(|b| b.simplified());
                let same = match back.as_ref().map(|b| &b.node) {
                    Ok(Node::Num(m)) if n.is_exact() => m.is_exact() && *m == n,
                    Ok(Node::Num(m)) => m.to_f64() == n.to_f64(),
                    _ => false,
                };
                prop_assert!(
                    same,
                    "{:?} printed as {} reads back as {:?}",
                    n,
                    printed,
                    back
                );
            }
            // The whole text reads back as the same function: exactly the
            // same value at exact points where it is exact.
            let back = Expr::parse(&text)
                .map_err(|err| TestCaseError::fail(format!("{src} printed as {text}: {err}")))?;
            for (w, x) in [
                (Num::rat(3, 7), Num::rat(5, 2)),
                (Num::int(-2), Num::rat(1, 3)),
            ] {
                let lookup = |v: &str| match v {
                    "w" => Some(w.clone()),
                    "x" => Some(x.clone()),
                    _ => None,
                };
                let a = super::eval::eval_num(&e.node, &lookup);
                let b = super::eval::eval_num(&back.node, &lookup);
                match (a, b) {
                    (Ok(a), Ok(b)) if a.is_exact() && b.is_exact() => {
                        prop_assert!(a == b, "{} printed as {}: {:?} then {:?}", src, text, a, b)
                    }
                    (Ok(a), Ok(b)) => {
                        let (a, b) = (a.to_f64(), b.to_f64());
                        // Floats follow IEEE 754, so where a float overflows
                        // the order of operations decides between `inf` and
                        // `nan` (`exp(1024)*10**-139` is inf, `exp(1024)/
                        // 10**139` is inf/inf): both say "out of range".
                        if !a.is_finite() || !b.is_finite() {
                            continue;
                        }
                        prop_assert!(
                            a == b || close(a, b, 1e-12),
                            "{} printed as {}: {} then {}",
                            src,
                            text,
                            a,
                            b
                        )
                    }
                    (Err(_), Err(_)) => {}
                    // Simplifying may extend the domain (`x/x` is 1), and
                    // a float may overflow on one path only.
                    _ => {}
                }
            }
            Ok(())
        })
        .unwrap();
}

proptest! {
    #![proptest_config(cases(5000))]

    #[test]
    fn printed_numbers_read_back_exactly(bits in any::<u64>()) {
        let x = f64::from_bits(bits);
        prop_assume!(x.is_finite());
        // At 17 digits every double prints to a text that reads back as it.
        let text = super::format_number(x, 17);
        prop_assert_eq!(text.parse::<f64>().map(f64::to_bits), Ok((if x == 0.0 { 0.0 } else { x }).to_bits()));
        // And as a calc input, too.
        let value = run_last(std::slice::from_ref(&text));
        prop_assert!(
            matches!(value, Ok(super::Value::Number(v)) if v == x),
            "{} gives {:?}", text, value
        );
    }
}

/// What a float times or over an exact number must give: the correctly
/// rounded exact result; an error when it is beyond the float range and
/// the exact factor (the divisor's reciprocal for a division) is too,
/// IEEE's `inf` when only the result is.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Expected {
    Value(f64),
    Inf(f64),
    TooLarge,
}

fn float_exact_reference(x: f64, e: &BigRational, divide: bool) -> Expected {
    let xr = BigRational::from_float(x).expect("a finite float");
    let exact = if divide { xr / e } else { xr * e };
    let r = exact.to_f64().unwrap_or(f64::NAN);
    if r.is_finite() {
        return Expected::Value(r);
    }
    let factor = if divide { e.recip() } else { e.clone() };
    if factor.to_f64().is_some_and(f64::is_finite) {
        Expected::Inf(if exact < BigRational::zero() {
            f64::NEG_INFINITY
        } else {
            f64::INFINITY
        })
    } else {
        Expected::TooLarge
    }
}

fn float_exact_matches(got: &Result<f64, String>, want: Expected) -> bool {
    match (got, want) {
        (Ok(v), Expected::Value(r)) => {
            // Correctly rounded: equal below the normal range (where a unit
            // in the last place is large), within SPEC's tolerance above.
            if r.is_normal() {
                (v - r).abs() <= 1e-9 * r.abs()
            } else {
                v.to_bits() == r.to_bits() || (*v == 0.0 && r == 0.0)
            }
        }
        (Ok(v), Expected::Inf(r)) => *v == r,
        (Err(m), Expected::TooLarge) => m.contains("too large for a floating-point number"),
        _ => false,
    }
}

/// A float, from subnormal to near the largest, times or over an exact
/// power of 2 or 10 with an exponent in ±(300..1200) (10's below 1000, its
/// digit bound), by every path: a statement, a call of a defined function,
/// the tree evaluator and a compiled program, against the exact product
/// rounded once.
#[test]
fn floats_times_extreme_exact_powers_are_rounded_once() {
    let mut runner = TestRunner::new(cases(2000));
    let float = prop_oneof![
        any::<u64>().prop_map(f64::from_bits),
        (1.0f64..2.0, -1074i32..=1023, any::<bool>())
            .prop_map(|(m, k, neg)| { if neg { -m } else { m } } * 2f64.powi(k)),
    ]
    .prop_filter("finite and nonzero", |x| x.is_finite() && *x != 0.0);
    let power = prop_oneof![(Just(2u32), 300i64..1200), (Just(10u32), 300i64..1000),];
    runner
        .run(
            &(float, power, any::<bool>(), any::<bool>()),
            |(x, (b, k), negative_k, divide)| {
                let k = if negative_k { -k } else { k };
                let e = BigRational::from_integer(BigInt::from(b)).pow(k as i32);
                let want = float_exact_reference(x, &e, divide);
                let op = if divide { "/" } else { "*" };
                let text = format!("w{op}{b}**{k}");
                let as_result = |v: Result<super::Value, super::MathError>| match v {
                    Ok(super::Value::Number(v)) => Ok(v),
                    Ok(other) => Err(format!("not a number: {other:?}")),
                    Err(e) => Err(e.message),
                };
                let statement = as_result(run_last(&[format!("w = {x:?}"), text.clone()]));
                let call = as_result(run_last(&[format!("f(w) = {text}"), format!("f({x:?})")]));
                let expr = Expr::parse(&text).expect("parses");
                let tree = expr.eval(&[("w", x)]).map_err(|e| e.message);
                let simplified = expr.simplified();
                let program =
                    super::eval::Program::compile(simplified.node(), &["w"]).expect("compiles");
                let compiled = program.eval(&[x]).map_err(|d| d.message());
                for (path, got) in [
                    ("statement", &statement),
                    ("call", &call),
                    ("tree", &tree),
                    ("compiled", &compiled),
                ] {
                    prop_assert!(
                        float_exact_matches(got, want),
                        "{x:?} {op} {b}**{k} by the {path}: {got:?}, want {want:?}"
                    );
                }
                Ok(())
            },
        )
        .unwrap();
}

/// A float coefficient, a variable and an extreme exact power, after
/// simplification (which keeps the float and the exact number apart where
/// their product would lose digits): the compiled program gives the tree
/// evaluator's value to the bit, or the same error, and both are the exact
/// value rounded once within SPEC's tolerance when it is a normal float.
#[test]
fn compiled_and_tree_agree_on_float_and_extreme_exact_factors() {
    let mut runner = TestRunner::new(cases(1000));
    let float = || {
        (1.0f64..2.0, -1074i32..=1023, any::<bool>())
            .prop_map(|(m, k, neg)| { if neg { -m } else { m } } * 2f64.powi(k))
            .prop_filter("finite and nonzero", |x| x.is_finite() && *x != 0.0)
    };
    let power = prop_oneof![(Just(2u32), 300i64..1200), (Just(10u32), 300i64..1000)];
    runner
        .run(
            &(float(), float(), power, any::<bool>(), 0usize..3),
            |(c, x, (b, k), negative_k, form)| {
                let k = if negative_k { -k } else { k };
                let text = match form {
                    0 => format!("{c:?}*w*{b}**{k}"),
                    1 => format!("{c:?}*w/{b}**{k}"),
                    _ => format!("{c:?}*(w + 1)*{b}**{k}"),
                };
                let e = Expr::parse(&text).expect("parses").simplified();
                let tree = e.eval(&[("w", x)]).map_err(|e| e.message);
                let program = super::eval::Program::compile(e.node(), &["w"]).expect("compiles");
                let compiled = program.eval(&[x]).map_err(|d| d.message());
                let same = match (&tree, &compiled) {
                    (Ok(a), Ok(b)) => a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan()),
                    (Err(a), Err(b)) => a == b,
                    _ => false,
                };
                prop_assert!(
                    same,
                    "{text} at w = {x:?}: tree {tree:?}, compiled {compiled:?}"
                );
                let power = BigRational::from_integer(BigInt::from(b)).pow(k as i32);
                let factor = if form == 1 { power.recip() } else { power };
                let w = if form == 2 { x + 1.0 } else { x };
                let exact = BigRational::from_float(c).expect("finite")
                    * BigRational::from_float(w).expect("finite")
                    * &factor;
                if let Some(r) = exact.to_f64()
                    && r.is_normal()
                    && (c * w).is_normal()
                {
                    prop_assert!(
                        matches!(tree, Ok(v) if (v - r).abs() <= 1e-9 * r.abs()),
                        "{text} at w = {x:?}: {tree:?}, exact {r:e}"
                    );
                }
                Ok(())
            },
        )
        .unwrap();
}

/// Products below the normal range are correctly rounded to the bit,
/// including near the boundaries between two results, where one float
/// multiplication by the rounded exact factor may be off by one unit.
#[test]
fn subnormal_products_are_correctly_rounded() {
    use super::number::{Mixed, Num, float_times_exact};
    let mut runner = TestRunner::new(cases(20_000));
    let x = (1.0f64..2.0, -1074i32..-900, any::<bool>())
        .prop_map(|(m, k, neg)| { if neg { -m } else { m } } * 2f64.powi(k));
    let ratio = (
        1i64..1_000_000_000_000,
        1i64..1_000_000_000_000,
        -200i32..200,
    );
    runner
        .run(&(x, ratio), |(x, (n, d, k))| {
            let e = Num::rat(i128::from(n), i128::from(d)).mul(
                &Num::int(2)
                    .pow(&Num::int(i64::from(k)))
                    .expect("a power of 2"),
            );
            let got = float_times_exact(x, &e, Mixed::Times).expect("in range");
            let exact = BigRational::from_float(x).expect("finite")
                * BigRational::new(BigInt::from(n), BigInt::from(d))
                * BigRational::from_integer(BigInt::from(2)).pow(k);
            let want = exact.to_f64().expect("a float");
            // Above the normal range, one float multiplication is within
            // two units in the last place.
            let ok = if want.is_normal() {
                (got - want).abs() <= 2.0 * f64::EPSILON * want.abs()
            } else {
                got.to_bits() == want.to_bits() || (got == 0.0 && want == 0.0)
            };
            prop_assert!(ok, "{x:e} * {n}/{d}*2**{k}: {got:e}, want {want:e}");
            Ok(())
        })
        .unwrap();
}

/// A float times or over an ordinary exact ratio (`x/n`, `x*(p/q)`), by
/// every path: a statement, a call, the tree evaluator, a compiled
/// program, `grad`, `nudge`, a plot's samples and tangent, and a descent
/// step with an exact `alpha`: each is the exact result rounded once, to
/// the bit (the exact factor's float first would be one unit off about a
/// third of the time).
#[test]
fn floats_times_ordinary_ratios_are_rounded_once_by_every_path() {
    let mut runner = TestRunner::new(cases(400));
    let float = (1.0f64..2.0, -500i32..500, any::<bool>())
        .prop_map(|(m, k, neg)| { if neg { -m } else { m } } * 2f64.powi(k));
    let ratio = prop_oneof![
        (Just(1i64), 2i64..1_000_000_000),
        (-1_000_000i64..1_000_000, 2i64..100),
        (1i64..1_000_000, 2i64..1_000_000_000_000_000),
    ]
    .prop_filter("nonzero", |(p, _)| *p != 0);
    runner
        .run(&(float, ratio), |(x, (p, q))| {
            let e = BigRational::new(BigInt::from(p), BigInt::from(q));
            let want = (BigRational::from_float(x).expect("finite") * &e)
                .to_f64()
                .expect("a float");
            let number = |v: Result<super::Value, super::MathError>| match v {
                Ok(super::Value::Number(v)) => Ok(v),
                Ok(super::Value::Vector(v)) if v.len() == 1 => match v[0] {
                    super::Value::Number(v) => Ok(v),
                    _ => Err("not a number".to_string()),
                },
                Ok(super::Value::Nudge(n)) => Ok(n.value),
                Ok(super::Value::Plot(p)) => match (p.samples[0], p.tangent) {
                    ((_, Some(y)), Some(t)) if y.to_bits() == t.value.to_bits() => Ok(y),
                    other => Err(format!("plot sample and tangent differ: {other:?}")),
                },
                Ok(other) => Err(format!("unexpected {other:?}")),
                Err(e) => Err(e.message),
            };
            let body = format!("w*{p}/{q}");
            let def = format!("J(w) = {body}");
            let hi = x.abs() * 2.0 + 1.0;
            let paths = [
                ("statement", vec![format!("w = {x:?}"), body.clone()]),
                ("over", vec![format!("w = {x:?}"), format!("w/({q}/{p})")]),
                ("call", vec![def.clone(), format!("J({x:?})")]),
                (
                    "grad",
                    vec![
                        format!("K(w) = w**2*{p}/(2*{q})"),
                        format!("grad(K, w={x:?})"),
                    ],
                ),
                ("nudge", vec![def.clone(), format!("nudge(J, w={x:?})")]),
                (
                    "plot",
                    vec![
                        def.clone(),
                        format!("plot(J, w={x:?}..{hi:?}, samples=2, at={x:?})"),
                    ],
                ),
            ];
            for (path, inputs) in paths {
                let got = number(run_last(&inputs));
                prop_assert!(
                    matches!(got, Ok(v) if v.to_bits() == want.to_bits()),
                    "{x:?} * {p}/{q} by {path}: {got:?}, want {want:?}"
                );
            }
            let expr = Expr::parse(&body).expect("parses");
            let tree = expr.eval(&[("w", x)]).map_err(|e| e.message);
            let program =
                super::eval::Program::compile(expr.simplified().node(), &["w"]).expect("compiles");
            let compiled = program.eval(&[x]).map_err(|d| d.message());
            for (path, got) in [("tree", tree), ("compiled", compiled)] {
                prop_assert!(
                    matches!(got, Ok(v) if v.to_bits() == want.to_bits()),
                    "{x:?} * {p}/{q} by the {path}: {got:?}, want {want:?}"
                );
            }
            // One descent step on w**2/2 (gradient w) with alpha = |p|/q.
            let alpha = BigRational::new(BigInt::from(p.abs()), BigInt::from(q));
            let step = (BigRational::from_float(x).expect("finite") * alpha)
                .to_f64()
                .expect("a float");
            let run = run_last(&[
                "H(w) = w**2/2".to_string(),
                format!("descent(H, w={x:?}, alpha={}/{q}, steps=1)", p.abs()),
            ]);
            let got = match &run {
                Ok(super::Value::Descent(d)) => d.rows.last().map(|r| r.point[0]),
                _ => None,
            };
            prop_assert_eq!(
                got.map(f64::to_bits),
                Some((x - step).to_bits()),
                "descent from {:?} with alpha {}/{}: {:?}",
                x,
                p.abs(),
                q,
                run.map(|v| v.to_text(17))
            );
            Ok(())
        })
        .unwrap();
}

/// `times_ratio` against the exact product rounded once, over the whole
/// float range (subnormal results included) and any `i64` ratio.
#[test]
fn times_ratio_is_correctly_rounded() {
    use super::number::times_ratio;
    let mut runner = TestRunner::new(cases(20_000));
    let x = any::<u64>()
        .prop_map(f64::from_bits)
        .prop_filter("finite", |x| x.is_finite());
    let int = prop_oneof![-1000i64..1000, any::<i64>()].prop_filter("i64::MIN", |v| *v != i64::MIN);
    runner
        .run(&(x, int.clone(), int), |(x, a, b)| {
            prop_assume!(b != 0);
            let got = times_ratio(x, a, b).expect("always a value");
            let exact = BigRational::from_float(x).expect("finite")
                * BigRational::new(BigInt::from(a), BigInt::from(b));
            let want = exact.to_f64().unwrap_or(f64::NAN);
            prop_assert!(
                got.to_bits() == want.to_bits() || (got == 0.0 && want == 0.0),
                "{x:e} * {a}/{b}: {got:e}, want {want:e}"
            );
            Ok(())
        })
        .unwrap();
}
