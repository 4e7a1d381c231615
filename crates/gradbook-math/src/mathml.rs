//! MathML output for expressions: `<mfrac>` for quotients, `<msup>` for
//! powers, `<msqrt>`/`<mroot>` for roots, subscripts for `w1` and `w_1`,
//! Greek letters for their names, function names followed by the invisible
//! function application operator, and parentheses only where needed.

use super::ast::{Constant, Func, Node};
use super::format::{format_number, fraction, is_negative_term, reading_order, without_minus};
use super::number::Num;

const ADD: u8 = 1;
const MUL: u8 = 2;
const UNARY: u8 = 3;
const ATOM: u8 = 5;

const MINUS: &str = "<mo>\u{2212}</mo>";
const INVISIBLE_TIMES: &str = "<mo>&#x2062;</mo>";
const APPLY: &str = "<mo>&#x2061;</mo>";

/// A complete inline `<math>` element for `n`, floats with `precision`
/// significant digits.
pub(crate) fn to_mathml(n: &Node, precision: usize) -> String {
    let (body, _) = Ml { precision }.node(n);
    format!("<math>{}</math>", mrow(&body))
}

fn mrow(s: &str) -> String {
    if s.starts_with("<mrow>") && s.ends_with("</mrow>") && balanced_single_row(s) {
        s.to_string()
    } else {
        format!("<mrow>{s}</mrow>")
    }
}

/// True when `s` is one `<mrow>…</mrow>` element (not two side by side).
fn balanced_single_row(s: &str) -> bool {
    let mut depth = 0i32;
    let mut i = 0;
    while i < s.len() {
        if s[i..].starts_with("<mrow>") {
            depth += 1;
            i += 6;
        } else if s[i..].starts_with("</mrow>") {
            depth -= 1;
            i += 7;
            if depth == 0 && i < s.len() {
                return false;
            }
        } else {
            i += s[i..].chars().next().map_or(1, char::len_utf8);
        }
    }
    true
}

fn parens(s: &str) -> String {
    format!("<mrow><mo>(</mo>{s}<mo>)</mo></mrow>")
}

const GREEK: [(&str, &str); 24] = [
    ("alpha", "α"),
    ("beta", "β"),
    ("gamma", "γ"),
    ("delta", "δ"),
    ("epsilon", "ε"),
    ("zeta", "ζ"),
    ("eta", "η"),
    ("theta", "θ"),
    ("iota", "ι"),
    ("kappa", "κ"),
    ("lambda", "λ"),
    ("mu", "μ"),
    ("nu", "ν"),
    ("xi", "ξ"),
    ("omicron", "ο"),
    ("rho", "ρ"),
    ("sigma", "σ"),
    ("tau", "τ"),
    ("upsilon", "υ"),
    ("phi", "φ"),
    ("chi", "χ"),
    ("psi", "ψ"),
    ("omega", "ω"),
    ("Delta", "Δ"),
];

fn letter(name: &str) -> String {
    let shown = GREEK
        .iter()
        .find(|(n, _)| *n == name)
        .map_or(name, |(_, g)| *g);
    format!("<mi>{}</mi>", escape(shown))
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A variable name: `w1` and `w_1` get a subscript, Greek names their letter.
fn identifier(name: &str) -> String {
    if let Some((base, sub)) = name.split_once('_')
        && !base.is_empty()
        && !sub.is_empty()
    {
        let sub_ml = if sub.chars().all(|c| c.is_ascii_digit()) {
            format!("<mn>{sub}</mn>")
        } else {
            identifier(sub)
        };
        return format!("<msub>{}{sub_ml}</msub>", letter(base));
    }
    let digits = name.len() - name.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    if digits > 0 && digits < name.len() {
        let (base, sub) = name.split_at(name.len() - digits);
        return format!("<msub>{}<mn>{sub}</mn></msub>", letter(base));
    }
    letter(name)
}

struct Ml {
    precision: usize,
}

impl Ml {
    fn at(&self, n: &Node, min: u8) -> String {
        let (s, p) = self.node(n);
        if p < min { parens(&s) } else { s }
    }

    fn float(&self, x: f64) -> String {
        let s = format_number(x, self.precision);
        match s.split_once('e') {
            Some((m, e)) => {
                let e = e.trim_start_matches('+');
                let (neg, digits) = match e.strip_prefix('-') {
                    Some(d) => (true, d.trim_start_matches('0')),
                    None => (false, e.trim_start_matches('0')),
                };
                let exp = if neg {
                    format!("<mrow>{MINUS}<mn>{digits}</mn></mrow>")
                } else {
                    format!("<mn>{digits}</mn>")
                };
                let m = m.strip_prefix('-').unwrap_or(m);
                format!("<mn>{m}</mn><mo>×</mo><msup><mn>10</mn>{exp}</msup>")
            }
            None => format!("<mn>{}</mn>", s.trim_start_matches('-')),
        }
    }

    /// An unsigned number.
    fn magnitude(&self, n: &Num) -> String {
        match n {
            Num::Float(x) => self.float(*x),
            exact => match exact.exact_text() {
                Some((p, q)) => {
                    let p = p.trim_start_matches('-');
                    if q == "1" {
                        format!("<mn>{p}</mn>")
                    } else {
                        format!("<mfrac><mn>{p}</mn><mn>{q}</mn></mfrac>")
                    }
                }
                // Results are checked for overflows before they are shown.
                None => "<mi>NaN</mi>".to_string(),
            },
        }
    }

    fn node(&self, n: &Node) -> (String, u8) {
        match n {
            Node::Num(x) => {
                let m = self.magnitude(x);
                if x.is_negative() {
                    (format!("<mrow>{MINUS}{m}</mrow>"), UNARY)
                } else if matches!(x, Num::Float(f) if format_number(*f, self.precision).contains('e'))
                {
                    (format!("<mrow>{m}</mrow>"), MUL)
                } else {
                    (m, ATOM)
                }
            }
            Node::Const(Constant::Pi) => ("<mi>π</mi>".to_string(), ATOM),
            Node::Const(Constant::E) => ("<mi>e</mi>".to_string(), ATOM),
            Node::Var(v) => (identifier(v), ATOM),
            Node::Call(Func::Abs, a) => (
                format!("<mrow><mo>|</mo>{}<mo>|</mo></mrow>", self.node(a).0),
                ATOM,
            ),
            Node::Call(f, a) => (
                format!(
                    "<mrow><mi>{}</mi>{APPLY}{}</mrow>",
                    f.name(),
                    parens(&self.node(a).0)
                ),
                ATOM,
            ),
            Node::Add(xs) => {
                let mut s = String::from("<mrow>");
                for (i, t) in reading_order(xs).into_iter().enumerate() {
                    if i > 0 && is_negative_term(t) {
                        s.push_str(MINUS);
                        s.push_str(&self.at(&without_minus(t), MUL));
                    } else {
                        if i > 0 {
                            s.push_str("<mo>+</mo>");
                        }
                        s.push_str(&self.at(t, MUL));
                    }
                }
                s.push_str("</mrow>");
                (s, ADD)
            }
            Node::Mul(xs) => self.product(xs),
            Node::Pow(b, e) => {
                if let Node::Num(k) = &**e {
                    if k.is_negative() {
                        return self.product(std::slice::from_ref(n));
                    }
                    if let Num::Rat(1, q) = *k {
                        let inner = self.node(b).0;
                        return if q == 2 {
                            (format!("<msqrt>{}</msqrt>", mrow(&inner)), ATOM)
                        } else {
                            (format!("<mroot>{}<mn>{q}</mn></mroot>", mrow(&inner)), ATOM)
                        };
                    }
                }
                let base = self.at(b, ATOM);
                let exp = self.node(e).0;
                (format!("<msup>{}{}</msup>", mrow(&base), mrow(&exp)), ATOM)
            }
        }
    }

    fn juxtapose(parts: &[(String, bool)]) -> String {
        let mut s = String::new();
        for (i, (p, numeric)) in parts.iter().enumerate() {
            if i > 0 {
                s.push_str(if *numeric {
                    "<mo>·</mo>"
                } else {
                    INVISIBLE_TIMES
                });
            }
            s.push_str(p);
        }
        s
    }

    fn product(&self, xs: &[Node]) -> (String, u8) {
        let f = fraction(xs);
        let is_fraction = f.coeff_den.is_some() || !f.den.is_empty();
        let side = |coeff: Option<Num>, factors: &[Node]| -> Vec<(String, bool)> {
            let mut out: Vec<(String, bool)> = Vec::new();
            if let Some(c) = coeff {
                out.push((self.magnitude(&c), true));
            }
            let alone = is_fraction && out.is_empty() && factors.len() == 1;
            for x in factors {
                let text = if alone {
                    self.node(x).0
                } else {
                    self.at(x, UNARY)
                };
                out.push((text, x.as_num().is_some()));
            }
            out
        };
        let num = side(f.coeff_num, &f.num);
        let den = side(f.coeff_den, &f.den);
        let top = if num.is_empty() {
            "<mn>1</mn>".to_string()
        } else {
            Self::juxtapose(&num)
        };
        let body = if den.is_empty() {
            top
        } else {
            format!(
                "<mfrac>{}{}</mfrac>",
                mrow(&top),
                mrow(&Self::juxtapose(&den))
            )
        };
        if f.negative {
            (format!("<mrow>{MINUS}{body}</mrow>"), UNARY)
        } else {
            (format!("<mrow>{body}</mrow>"), MUL)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, expected: &str) {
        let e = crate::Expr::parse(input).unwrap();
        let n = crate::simplify::simplify(e.node());
        assert_eq!(to_mathml(&n, 12), expected, "MathML of {input:?}");
    }

    #[test]
    fn shapes() {
        check(
            "2*w",
            "<math><mrow><mn>2</mn><mo>&#x2062;</mo><mi>w</mi></mrow></math>",
        );
        check(
            "w**2 - 1",
            "<math><mrow><msup><mrow><mi>w</mi></mrow><mrow><mn>2</mn></mrow></msup><mo>\u{2212}</mo><mn>1</mn></mrow></math>",
        );
        check(
            "1/x",
            "<math><mrow><mfrac><mrow><mn>1</mn></mrow><mrow><mi>x</mi></mrow></mfrac></mrow></math>",
        );
        check(
            "sin(x)",
            "<math><mrow><mi>sin</mi><mo>&#x2061;</mo><mrow><mo>(</mo><mi>x</mi><mo>)</mo></mrow></mrow></math>",
        );
        check("theta", "<math><mrow><mi>θ</mi></mrow></math>");
        check(
            "w1",
            "<math><mrow><msub><mi>w</mi><mn>1</mn></msub></mrow></math>",
        );
        check(
            "w_2",
            "<math><mrow><msub><mi>w</mi><mn>2</mn></msub></mrow></math>",
        );
        check(
            "sqrt(x)",
            "<math><mrow><msqrt><mrow><mi>x</mi></mrow></msqrt></mrow></math>",
        );
    }

    #[test]
    fn parentheses_only_where_needed() {
        let s = {
            let e = crate::Expr::parse("sigmoid(z)*(1 - sigmoid(z))").unwrap();
            to_mathml(e.node(), 12)
        };
        assert_eq!(s.matches("<mo>(</mo>").count(), 3, "{s}");
        let s = {
            let e = crate::Expr::parse("(x + 1)/(x - 1)").unwrap();
            to_mathml(&crate::simplify::simplify(e.node()), 12)
        };
        assert!(s.contains("<mfrac>") && !s.contains("<mo>(</mo>"), "{s}");
    }
}
