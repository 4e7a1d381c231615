//! Symbolic differentiation. The rules build their results through the
//! simplifier's constructors, so a derivative of a canonical expression
//! comes out canonical (`diff(w**3/3, w)` is `w**2`). Growth is bounded by
//! a node [`Budget`] and the result is checked against the depth limit.

use super::MathError;
use super::ast::{Budget, Func, Node};
use super::error::MAX_ORDER;
use super::number::Num;
use super::simplify::{add, call, mul, pow, simplify, sub};

/// The `order`-th derivative of `n` with respect to `var`, simplified.
pub(crate) fn derivative(n: &Node, var: &str, order: usize) -> Result<Node, MathError> {
    if order > MAX_ORDER {
        return Err(MathError::new(
            format!("derivative order {order} is too high (at most {MAX_ORDER})"),
            0..0,
        ));
    }
    let mut cur = simplify(n);
    for _ in 0..order {
        let mut budget = Budget::new();
        cur = d(&cur, var, &mut budget)?;
        cur.check_limits()?;
    }
    Ok(cur)
}

/// The first derivative of a canonical expression.
fn d(n: &Node, x: &str, budget: &mut Budget) -> Result<Node, MathError> {
    budget.take(1)?;
    if !n.contains_var(x) {
        return Ok(Node::Num(Num::ZERO));
    }
    Ok(match n {
        Node::Num(_) | Node::Const(_) => Node::Num(Num::ZERO),
        Node::Var(v) => Node::Num(if &**v == x { Num::ONE } else { Num::ZERO }),
        Node::Add(xs) => {
            let mut terms = Vec::with_capacity(xs.len());
            for t in xs {
                if t.contains_var(x) {
                    terms.push(d(t, x, budget)?);
                }
            }
            add(terms)
        }
        Node::Mul(xs) => {
            let total: usize = xs.iter().map(Node::size).sum();
            let mut terms = Vec::new();
            for (i, f) in xs.iter().enumerate() {
                if !f.contains_var(x) {
                    continue;
                }
                let df = d(f, x, budget)?;
                if df.is_zero() {
                    continue;
                }
                budget.take(total)?;
                let mut fs: Vec<Node> = Vec::with_capacity(xs.len());
                fs.extend(
                    xs.iter()
                        .enumerate()
                        .filter(|(j, _)| *j != i)
                        .map(|(_, g)| g.clone()),
                );
                fs.push(df);
                terms.push(mul(fs));
            }
            add(terms)
        }
        // `0**e` is 0 wherever it is defined.
        Node::Pow(b, _) if b.is_zero() => Node::Num(Num::ZERO),
        Node::Pow(b, e) => {
            let (bx, ex) = (b.contains_var(x), e.contains_var(x));
            budget.take(2 * n.size())?;
            if !ex {
                // e * b**(e - 1) * b'
                let db = d(b, x, budget)?;
                let lowered = pow(
                    (**b).clone(),
                    add(vec![(**e).clone(), Node::Num(Num::MINUS_ONE)]),
                );
                mul(vec![(**e).clone(), lowered, db])
            } else if !bx {
                // b**e * log(b) * e'
                let de = d(e, x, budget)?;
                mul(vec![n.clone(), call(Func::Log, (**b).clone()), de])
            } else {
                // b**e * (e' * log(b) + e * b' / b)
                let db = d(b, x, budget)?;
                let de = d(e, x, budget)?;
                let inner = add(vec![
                    mul(vec![de, call(Func::Log, (**b).clone())]),
                    mul(vec![
                        (**e).clone(),
                        db,
                        pow((**b).clone(), Node::Num(Num::MINUS_ONE)),
                    ]),
                ]);
                mul(vec![n.clone(), inner])
            }
        }
        Node::Call(f, a) => {
            let da = d(a, x, budget)?;
            budget.take(4 * a.size())?;
            mul(vec![outer(*f, a), da])
        }
    })
}

/// The derivative of `f` evaluated at `a`: `f'(a)`.
fn outer(f: Func, a: &Node) -> Node {
    let a = a.clone();
    let one = || Node::Num(Num::ONE);
    let two = || Node::int(2);
    match f {
        Func::Sin => call(Func::Cos, a),
        Func::Cos => mul(vec![Node::Num(Num::MINUS_ONE), call(Func::Sin, a)]),
        Func::Tan => add(vec![one(), pow(call(Func::Tan, a), two())]),
        Func::Exp => call(Func::Exp, a),
        Func::Log => pow(a, Node::Num(Num::MINUS_ONE)),
        Func::Abs => call(Func::Sign, a),
        Func::Sign | Func::Step => Node::Num(Num::ZERO),
        Func::Sigmoid => {
            let s = call(Func::Sigmoid, a);
            mul(vec![s.clone(), sub(one(), s)])
        }
        Func::Tanh => sub(one(), pow(call(Func::Tanh, a), two())),
        Func::Relu => call(Func::Step, a),
        Func::Softplus => call(Func::Sigmoid, a),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Differentiates the parsed `input` with respect to `x` (or `w` when
    /// the input has no `x`) and prints the result.
    fn check(input: &str, expected: &str) {
        let e = crate::Expr::parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));
        let var = if e.node().contains_var("x") { "x" } else { "w" };
        let got = derivative(e.node(), var, 1)
            .map(|n| super::super::format::to_text(&n))
            .unwrap_or_else(|e| format!("error: {e}"));
        assert_eq!(got, expected, "d/d{var} of {input:?}");
    }

    #[test]
    fn polynomials() {
        check("w**2", "2*w");
        check("w**3/3", "w**2");
        check("w**3 + 2*w", "3*w**2 + 2");
        check("(w - 1)**2", "2*w - 2");
        check("5", "0");
        check("w**-1", "-1/w**2");
        check("sqrt(x)", "1/(2*sqrt(x))");
        check("0.5*w**2", "w");
    }

    #[test]
    fn functions() {
        check("sin(x)", "cos(x)");
        check("cos(x)", "-sin(x)");
        check("tan(x)", "tan(x)**2 + 1");
        check("exp(-w**2)", "-2*w*exp(-w**2)");
        check("log(x)", "1/x");
        check("ln(x**2)", "2/x");
        check("abs(x)", "sign(x)");
        check("sign(x)", "0");
        check("step(x)", "0");
        check("sigmoid(w)", "sigmoid(w)*(1 - sigmoid(w))");
        check("tanh(x)", "1 - tanh(x)**2");
        check("relu(x)", "step(x)");
        check("softplus(x)", "sigmoid(x)");
        check("sin(2*x)", "2*cos(2*x)");
    }

    #[test]
    fn general_powers() {
        check("x**x", "x**x*(log(x) + 1)");
        check("2**x", "2**x*log(2)");
        check("e**x", "exp(x)");
        check("x**pi", "pi*x**(pi - 1)");
    }

    #[test]
    fn order_limit() {
        let e = crate::Expr::parse("x**2").unwrap();
        assert!(derivative(e.node(), "x", MAX_ORDER + 1).is_err());
        assert_eq!(
            super::super::format::to_text(&derivative(e.node(), "x", 3).unwrap()),
            "0"
        );
    }
}
