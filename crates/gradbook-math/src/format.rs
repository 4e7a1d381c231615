//! Text output: numbers as C's `%.{precision}g`, and expressions in the
//! Python/SymPy style (`3*w**2 + 2`, `-2*w*exp(-w**2)`, `2*w/3`, `1/x`)
//! with parentheses only where Python's precedence needs them.

use std::borrow::Cow;

use super::ast::{Constant, Node, base_exp};
use super::number::Num;

/// `%.{precision}g`, with `-0` as `0` and `inf`, `-inf`, `nan` as such.
pub(crate) fn format_number(x: f64, precision: usize) -> String {
    if x.is_nan() {
        return "nan".to_string();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf" } else { "-inf" }.to_string();
    }
    if x == 0.0 {
        return "0".to_string();
    }
    let p = precision.clamp(1, 40);
    let sci = format!("{:.*e}", p - 1, x);
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if exp < -4 || exp >= p as i32 {
        let m = strip_zeros(mantissa);
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{m}e{sign}{:02}", exp.unsigned_abs())
    } else {
        let decimals = (p as i32 - 1 - exp).max(0) as usize;
        strip_zeros(&format!("{x:.decimals$}")).to_string()
    }
}

fn strip_zeros(s: &str) -> &str {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        s
    }
}

/// The shortest text that reads back as the same float, Python-style
/// (`0.1`, `1e-10`, `1.5e+20`), but without `.0` on integral values.
pub(crate) fn float_repr(x: f64) -> String {
    if !x.is_finite() {
        return format_number(x, 17);
    }
    if x == 0.0 {
        return "0".to_string();
    }
    let sci = format!("{x:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if !(-5..16).contains(&exp) {
        let sign = if exp < 0 { '-' } else { '+' };
        return format!("{mantissa}e{sign}{:02}", exp.unsigned_abs());
    }
    let s = format!("{x}");
    s.strip_suffix(".0").map(str::to_string).unwrap_or(s)
}

/// How a number prints inside an expression, with `precision` significant
/// digits for floats, or the shortest exact form when `None`.
fn num_text(n: &Num, precision: Option<usize>) -> String {
    match n {
        Num::Float(x) => match precision {
            Some(p) => format_number(*x, p),
            None => float_repr(*x),
        },
        exact => match exact.exact_text() {
            Some((p, q)) if q == "1" => p,
            Some((p, q)) => format!("{p}/{q}"),
            // Results are checked for overflows before they are printed.
            None => "nan".to_string(),
        },
    }
}

// Python precedence levels.
const ADD: u8 = 1;
const MUL: u8 = 2;
const UNARY: u8 = 3;
const POW: u8 = 4;
const ATOM: u8 = 5;

/// Prints an expression, floats in shortest round-trip form.
pub(crate) fn to_text(n: &Node) -> String {
    Printer { precision: None }.print(n).0
}

/// Prints an expression, floats with `precision` significant digits.
pub(crate) fn to_text_with_precision(n: &Node, precision: usize) -> String {
    Printer {
        precision: Some(precision),
    }
    .print(n)
    .0
}

/// True when the term prints with a leading minus (so a sum shows it as
/// a subtraction).
pub(crate) fn is_negative_term(n: &Node) -> bool {
    match n {
        Node::Num(x) => x.is_negative(),
        Node::Mul(xs) => xs
            .first()
            .and_then(Node::as_num)
            .is_some_and(Num::is_negative),
        _ => false,
    }
}

/// A term for which [`is_negative_term`] holds, as it reads after the minus
/// sign of a subtraction: its coefficient negated, a coefficient of 1
/// dropped (`-2*w` gives `2*w`, `-w` gives `w`).
pub(crate) fn without_minus(n: &Node) -> Cow<'_, Node> {
    match n {
        Node::Num(x) => Cow::Owned(Node::Num(x.neg())),
        Node::Mul(xs) => {
            let mut ys = xs.clone();
            if let Some(Node::Num(c)) = ys.first_mut() {
                *c = c.neg();
            }
            if ys.first().is_some_and(Node::is_one) && ys.len() > 1 {
                ys.remove(0);
            }
            Cow::Owned(if ys.len() == 1 {
                ys.remove(0)
            } else {
                Node::Mul(ys)
            })
        }
        other => Cow::Borrowed(other),
    }
}

/// The order terms of a sum are read in: as stored, except that a leading
/// negative term gives way to the first positive one (`1 - tanh(x)**2`,
/// not `-tanh(x)**2 + 1`).
pub(crate) fn reading_order(xs: &[Node]) -> Vec<&Node> {
    let mut order: Vec<&Node> = xs.iter().collect();
    if order.first().is_some_and(|t| is_negative_term(t))
        && let Some(i) = order.iter().position(|t| !is_negative_term(t))
    {
        let t = order.remove(i);
        order.insert(0, t);
    }
    order
}

/// The parts of a product: sign, numerator factors (with the coefficient's
/// numerator) and denominator factors (with its denominator).
pub(crate) struct Fraction {
    pub negative: bool,
    pub coeff_num: Option<Num>,
    pub coeff_den: Option<Num>,
    pub num: Vec<Node>,
    pub den: Vec<Node>,
}

/// Splits a product (or a lone power with a negative exponent) into a
/// fraction for printing.
pub(crate) fn fraction(factors: &[Node]) -> Fraction {
    let mut f = Fraction {
        negative: false,
        coeff_num: None,
        coeff_den: None,
        num: Vec::new(),
        den: Vec::new(),
    };
    for (i, x) in factors.iter().enumerate() {
        if i == 0
            && let Node::Num(c) = x
        {
            let c = if c.is_negative() {
                f.negative = true;
                c.neg()
            } else {
                c.clone()
            };
            match c.parts() {
                Some((p, q)) => {
                    if !p.is_one() {
                        f.coeff_num = Some(p);
                    }
                    if !q.is_one() {
                        f.coeff_den = Some(q);
                    }
                }
                None => f.coeff_num = Some(c),
            }
            continue;
        }
        // An exact number after a float coefficient (kept apart where
        // their product would lose digits): its numerator and denominator
        // join the factors, `2.5*w/N`.
        if let Node::Num(c) = x
            && let Some((p, q)) = c.parts()
        {
            if !p.is_one() {
                f.num.push(Node::Num(p));
            }
            if !q.is_one() {
                f.den.push(Node::Num(q));
            }
            continue;
        }
        match base_exp(x) {
            (b, Some(Node::Num(e))) if e.is_negative() => {
                let pos = e.neg();
                f.den.push(if pos.is_one() {
                    b.clone()
                } else {
                    Node::Pow(Box::new(b.clone()), Box::new(Node::Num(pos)))
                });
            }
            _ => f.num.push(x.clone()),
        }
    }
    f
}

struct Printer {
    precision: Option<usize>,
}

impl Printer {
    /// Prints `n` at least at precedence `min`, adding parentheses if its
    /// own precedence is lower.
    fn at(&self, n: &Node, min: u8) -> String {
        let (s, p) = self.print(n);
        if p < min { format!("({s})") } else { s }
    }

    /// The text and its precedence.
    fn print(&self, n: &Node) -> (String, u8) {
        match n {
            Node::Num(x) => {
                let s = num_text(x, self.precision);
                let p = if x.is_negative() {
                    UNARY
                } else if x.is_exact() && !x.is_integer() {
                    MUL
                } else {
                    ATOM
                };
                (s, p)
            }
            Node::Const(Constant::Pi) => ("pi".to_string(), ATOM),
            Node::Const(Constant::E) => ("e".to_string(), ATOM),
            Node::Var(v) => (v.to_string(), ATOM),
            Node::Call(f, a) => (format!("{}({})", f.name(), self.at(a, 0)), ATOM),
            Node::Add(xs) => {
                let mut s = String::new();
                for (i, t) in reading_order(xs).into_iter().enumerate() {
                    if i > 0 && is_negative_term(t) {
                        s.push_str(" - ");
                        s.push_str(&self.at(&without_minus(t), MUL));
                    } else {
                        if i > 0 {
                            s.push_str(" + ");
                        }
                        s.push_str(&self.at(t, MUL));
                    }
                }
                (s, ADD)
            }
            Node::Mul(xs) => self.product(xs),
            Node::Pow(b, e) => {
                if let Node::Num(k) = &**e {
                    if k.is_negative() {
                        return self.product(std::slice::from_ref(n));
                    }
                    if k.is_half() {
                        return (format!("sqrt({})", self.at(b, 0)), ATOM);
                    }
                }
                // The base binds tighter than `**` unless it is an atom;
                // a function call is an atom.
                let base = self.at(b, ATOM);
                let exp = match &**e {
                    Node::Num(Num::Rat(p, 1)) if *p >= 0 => p.to_string(),
                    other => self.at(other, ATOM),
                };
                (format!("{base}**{exp}"), POW)
            }
        }
    }

    fn product(&self, xs: &[Node]) -> (String, u8) {
        let f = fraction(xs);
        let mut num: Vec<String> = Vec::new();
        if let Some(c) = f.coeff_num {
            num.push(num_text(&c, self.precision));
        }
        for x in &f.num {
            // A nested product (only in unsimplified trees) keeps its
            // parentheses so its own `/` cannot leak into ours.
            let min = if matches!(x, Node::Mul(_)) {
                ATOM
            } else {
                MUL + 1
            };
            num.push(self.at(x, min));
        }
        let mut s = String::new();
        if f.negative {
            s.push('-');
        }
        if num.is_empty() {
            s.push('1');
        } else {
            s.push_str(&num.join("*"));
        }
        let mut den: Vec<String> = Vec::new();
        if let Some(c) = f.coeff_den {
            den.push(num_text(&c, self.precision));
        }
        for x in &f.den {
            den.push(self.at(x, POW));
        }
        if !den.is_empty() {
            s.push('/');
            if den.len() == 1 {
                s.push_str(&den[0]);
            } else {
                s.push('(');
                s.push_str(&den.join("*"));
                s.push(')');
            }
        }
        (s, if f.negative { UNARY } else { MUL })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(x: f64, precision: usize, expected: &str) {
        assert_eq!(format_number(x, precision), expected, "{x} at {precision}");
    }

    #[test]
    fn numbers_like_printf_g() {
        check(9.006001, 12, "9.006001");
        check(3.001f64 * 3.001 - 9.0, 12, "0.006001");
        check(3.0 - 0.1 * 6.0, 12, "2.4");
        check(1.0 / 3.0, 12, "0.333333333333");
        check(1e-10, 12, "1e-10");
        check(1.5e20, 12, "1.5e+20");
        check(-0.0, 12, "0");
        check(f64::INFINITY, 12, "inf");
        check(f64::NEG_INFINITY, 12, "-inf");
        check(f64::NAN, 12, "nan");
        check(100.0, 12, "100");
        check(123456789012.0, 12, "123456789012");
        check(1234567890123.0, 12, "1.23456789012e+12");
        check(0.0001, 12, "0.0001");
        check(0.00001, 12, "1e-05");
        check(2.0 / 3.0, 3, "0.667");
        check(999999.5, 6, "1e+06");
        check(-2.5, 12, "-2.5");
        check(1e100, 12, "1e+100");
    }

    #[test]
    fn float_reprs() {
        assert_eq!(float_repr(0.1), "0.1");
        assert_eq!(float_repr(2.0), "2");
        assert_eq!(float_repr(1e-10), "1e-10");
        assert_eq!(float_repr(1.5e20), "1.5e+20");
        assert_eq!(float_repr(0.30000000000000004), "0.30000000000000004");
        assert_eq!(float_repr(-0.5), "-0.5");
    }
}
