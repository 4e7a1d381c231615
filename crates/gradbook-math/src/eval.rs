//! Evaluation in f64, with domain errors as errors.
//!
//! Two evaluators share the same function semantics ([`apply`], [`power`]):
//! a tree walker for one-off values, and [`Program`], a flat stack-machine
//! compilation for hot loops (descent, plots, surfaces) that does no name
//! look-ups and no allocation per evaluation.

use super::MathError;
use super::ast::{Func, Node};
use super::format::format_number;
use super::number::Num;

/// Why a value is not a real number.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Domain {
    /// `x/0` or `0**-n`.
    DivZero,
    /// `log(x)` for `x <= 0`.
    Log(f64),
    /// `sqrt(x)` for `x < 0`.
    Sqrt(f64),
    /// A negative base to a non-integer power.
    Pow(f64, f64),
}

impl Domain {
    /// The error message.
    pub fn message(self) -> String {
        let f = |x: f64| format_number(x, 12);
        match self {
            Domain::DivZero => "division by zero".to_string(),
            Domain::Log(x) => format!("log({}) is undefined: log needs a positive number", f(x)),
            Domain::Sqrt(x) => format!(
                "sqrt({}) is undefined: a negative number has no real square root",
                f(x)
            ),
            Domain::Pow(b, e) => format!(
                "({})**({}) is not a real number: a negative number to a non-integer power",
                f(b),
                f(e)
            ),
        }
    }

    /// As a [`MathError`] without a position.
    pub fn to_error(self) -> MathError {
        MathError::new(self.message(), 0..0)
    }
}

/// `f(x)`.
pub fn apply(f: Func, x: f64) -> Result<f64, Domain> {
    Ok(match f {
        Func::Sin => x.sin(),
        Func::Cos => x.cos(),
        Func::Tan => x.tan(),
        Func::Exp => x.exp(),
        Func::Log => {
            if x <= 0.0 {
                return Err(Domain::Log(x));
            }
            x.ln()
        }
        Func::Abs => x.abs(),
        Func::Sign => {
            if x > 0.0 {
                1.0
            } else if x < 0.0 {
                -1.0
            } else {
                x * 0.0
            }
        }
        Func::Step => {
            if x > 0.0 {
                1.0
            } else if x.is_nan() {
                x
            } else {
                0.0
            }
        }
        Func::Sigmoid => {
            if x >= 0.0 {
                1.0 / (1.0 + (-x).exp())
            } else {
                let t = x.exp();
                t / (1.0 + t)
            }
        }
        Func::Tanh => x.tanh(),
        Func::Relu => {
            if x > 0.0 || x.is_nan() {
                x
            } else {
                0.0
            }
        }
        Func::Softplus => {
            if x > 0.0 {
                x + (-x).exp().ln_1p()
            } else {
                x.exp().ln_1p()
            }
        }
    })
}

/// `b ** e` over the reals.
pub fn power(b: f64, e: f64) -> Result<f64, Domain> {
    if b == 0.0 && e < 0.0 {
        return Err(Domain::DivZero);
    }
    // A whole exponent (an infinite one has a NaN fraction) is real for
    // any base; `powf` is exact about the sign beyond `powi`'s range.
    if e.fract() == 0.0 {
        return Ok(if e.abs() < 2_147_483_647.0 {
            b.powi(e as i32)
        } else {
            b.powf(e)
        });
    }
    if b < 0.0 && e.is_finite() {
        return Err(Domain::Pow(b, e));
    }
    if e == 0.5 {
        return Ok(b.sqrt());
    }
    Ok(b.powf(e))
}

/// `sqrt(x)`.
fn sqrt(x: f64) -> Result<f64, Domain> {
    if x < 0.0 {
        return Err(Domain::Sqrt(x));
    }
    Ok(x.sqrt())
}

fn is_half(n: &Node) -> bool {
    matches!(n, Node::Num(Num::Rat(1, 2)))
}

/// Evaluates a tree, looking variables up with `lookup`.
pub fn eval_tree(n: &Node, lookup: &dyn Fn(&str) -> Option<f64>) -> Result<f64, MathError> {
    Ok(match n {
        Node::Num(x) => x.to_f64(),
        Node::Const(c) => c.value(),
        Node::Var(v) => lookup(v).ok_or_else(|| {
            MathError::new(format!("'{v}' has no value"), 0..0).with_help(format!(
                "give it one, e.g. {v} = 1, or pass it as an argument"
            ))
        })?,
        Node::Add(xs) => {
            let mut s = 0.0;
            for x in xs {
                s += eval_tree(x, lookup)?;
            }
            s
        }
        Node::Mul(xs) => {
            let mut p = 1.0;
            for x in xs {
                if let Node::Pow(b, e) = x
                    && e.as_num().is_some_and(|k| k.is_minus_one())
                {
                    let d = eval_tree(b, lookup)?;
                    if d == 0.0 {
                        return Err(Domain::DivZero.to_error());
                    }
                    p /= d;
                } else {
                    p *= eval_tree(x, lookup)?;
                }
            }
            p
        }
        Node::Pow(b, e) => {
            let bv = eval_tree(b, lookup)?;
            if is_half(e) {
                sqrt(bv).map_err(Domain::to_error)?
            } else {
                let ev = eval_tree(e, lookup)?;
                power(bv, ev).map_err(Domain::to_error)?
            }
        }
        Node::Call(f, a) => apply(*f, eval_tree(a, lookup)?).map_err(Domain::to_error)?,
    })
}

/// One instruction of a compiled program.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Op {
    Const(f64),
    Var(usize),
    // Fused forms of a push followed by an operation on it (see `push`).
    VarPowI(usize, i32),
    AddConst(f64),
    MulConst(f64),
    AddVar(usize),
    SubVar(usize),
    MulVar(usize),
    Add,
    Sub,
    Mul,
    Div,
    Neg,
    PowI(i32),
    Sqrt,
    Pow,
    Call(Func),
}

/// An expression compiled to a flat stack machine over numbered variables.
#[derive(Debug, Clone, PartialEq)]
pub struct Program {
    ops: Vec<Op>,
    max_stack: usize,
    arity: usize,
}

impl Program {
    /// Compiles `n` over the variables `vars` (in that order). A variable
    /// not in `vars` is an error.
    pub fn compile(n: &Node, vars: &[&str]) -> Result<Program, MathError> {
        let mut ops = Vec::new();
        emit(n, vars, &mut ops)?;
        let mut depth = 0usize;
        let mut max_stack = 0usize;
        for op in &ops {
            match op {
                Op::Const(_) | Op::Var(_) | Op::VarPowI(..) => depth += 1,
                Op::AddConst(_)
                | Op::MulConst(_)
                | Op::AddVar(_)
                | Op::SubVar(_)
                | Op::MulVar(_) => {}
                Op::Add | Op::Sub | Op::Mul | Op::Div | Op::Pow => depth -= 1,
                Op::Neg | Op::PowI(_) | Op::Sqrt | Op::Call(_) => {}
            }
            max_stack = max_stack.max(depth);
        }
        Ok(Program {
            ops,
            max_stack,
            arity: vars.len(),
        })
    }

    /// The number of variables.
    pub fn arity(&self) -> usize {
        self.arity
    }

    /// The number of instructions (the cost of one evaluation).
    pub fn cost(&self) -> usize {
        self.ops.len()
    }

    /// The stack size [`Program::run`] needs.
    pub fn stack_size(&self) -> usize {
        self.max_stack
    }

    /// Evaluates at `point` using `stack` (at least [`Program::stack_size`]
    /// long) as scratch space.
    pub fn run(&self, point: &[f64], stack: &mut [f64]) -> Result<f64, Domain> {
        let mut sp = 0usize;
        for op in &self.ops {
            match *op {
                Op::Const(c) => {
                    stack[sp] = c;
                    sp += 1;
                }
                Op::Var(i) => {
                    stack[sp] = point[i];
                    sp += 1;
                }
                Op::VarPowI(i, k) => {
                    let b = point[i];
                    if k < 0 && b == 0.0 {
                        return Err(Domain::DivZero);
                    }
                    stack[sp] = match k {
                        2 => b * b,
                        3 => b * b * b,
                        _ => b.powi(k),
                    };
                    sp += 1;
                }
                Op::AddConst(c) => stack[sp - 1] += c,
                Op::MulConst(c) => stack[sp - 1] *= c,
                Op::AddVar(i) => stack[sp - 1] += point[i],
                Op::SubVar(i) => stack[sp - 1] -= point[i],
                Op::MulVar(i) => stack[sp - 1] *= point[i],
                Op::Add => {
                    sp -= 1;
                    stack[sp - 1] += stack[sp];
                }
                Op::Sub => {
                    sp -= 1;
                    stack[sp - 1] -= stack[sp];
                }
                Op::Mul => {
                    sp -= 1;
                    stack[sp - 1] *= stack[sp];
                }
                Op::Div => {
                    sp -= 1;
                    if stack[sp] == 0.0 {
                        return Err(Domain::DivZero);
                    }
                    stack[sp - 1] /= stack[sp];
                }
                Op::Neg => stack[sp - 1] = -stack[sp - 1],
                Op::PowI(k) => {
                    let b = stack[sp - 1];
                    if k < 0 && b == 0.0 {
                        return Err(Domain::DivZero);
                    }
                    stack[sp - 1] = match k {
                        2 => b * b,
                        3 => b * b * b,
                        _ => b.powi(k),
                    };
                }
                Op::Sqrt => stack[sp - 1] = sqrt(stack[sp - 1])?,
                Op::Pow => {
                    sp -= 1;
                    stack[sp - 1] = power(stack[sp - 1], stack[sp])?;
                }
                Op::Call(f) => stack[sp - 1] = apply(f, stack[sp - 1])?,
            }
        }
        Ok(stack[0])
    }

    /// Evaluates with a stack allocated on the spot (for one-off use).
    pub fn eval(&self, point: &[f64]) -> Result<f64, Domain> {
        let mut small = [0.0f64; 32];
        if self.max_stack <= small.len() {
            self.run(point, &mut small)
        } else {
            self.run(point, &mut vec![0.0; self.max_stack])
        }
    }
}

/// Appends `op`, fusing it with a push just before it when the pair has a
/// single-instruction form (`x, 2, *` becomes `x, *2`).
fn push(ops: &mut Vec<Op>, op: Op) {
    let fused = match (ops.last(), op) {
        (Some(Op::Var(i)), Op::PowI(k)) => Some(Op::VarPowI(*i, k)),
        (Some(Op::Const(c)), Op::Add) => Some(Op::AddConst(*c)),
        (Some(Op::Const(c)), Op::Sub) => Some(Op::AddConst(-*c)),
        (Some(Op::Const(c)), Op::Mul) => Some(Op::MulConst(*c)),
        (Some(Op::Var(i)), Op::Add) => Some(Op::AddVar(*i)),
        (Some(Op::Var(i)), Op::Sub) => Some(Op::SubVar(*i)),
        (Some(Op::Var(i)), Op::Mul) => Some(Op::MulVar(*i)),
        _ => None,
    };
    match fused {
        Some(f) => {
            ops.pop();
            ops.push(f);
        }
        None => ops.push(op),
    }
}

fn emit(n: &Node, vars: &[&str], ops: &mut Vec<Op>) -> Result<(), MathError> {
    match n {
        Node::Num(x) => ops.push(Op::Const(x.to_f64())),
        Node::Const(c) => ops.push(Op::Const(c.value())),
        Node::Var(v) => {
            let i = vars
                .iter()
                .position(|x| *x == &**v)
                .ok_or_else(|| MathError::new(format!("'{v}' has no value"), 0..0))?;
            ops.push(Op::Var(i));
        }
        Node::Add(xs) => {
            emit(&xs[0], vars, ops)?;
            for x in &xs[1..] {
                // `a + -b` as a subtraction.
                if let Node::Mul(fs) = x
                    && fs.len() == 2
                    && fs[0].as_num().is_some_and(Num::is_minus_one)
                {
                    emit(&fs[1], vars, ops)?;
                    push(ops, Op::Sub);
                } else {
                    emit(x, vars, ops)?;
                    push(ops, Op::Add);
                }
            }
        }
        Node::Mul(xs) => {
            // The numeric coefficient is applied last (one fused `*c`), a
            // leading -1 as a negation, and factors with a negative integer
            // power as divisions.
            let (coeff, rest) = match xs.split_first() {
                Some((Node::Num(c), rest)) => (Some(c.to_f64()), rest),
                _ => (None, &xs[..]),
            };
            let negate = coeff == Some(-1.0);
            let coeff = coeff.filter(|c| *c != -1.0);
            let mut started = false;
            let mut dens = Vec::new();
            for x in rest {
                if let Node::Pow(b, e) = x
                    && let Some(k) = e.as_num().and_then(Num::as_int)
                    && k < 0
                {
                    dens.push((&**b, -k));
                    continue;
                }
                emit(x, vars, ops)?;
                if started {
                    push(ops, Op::Mul);
                }
                started = true;
            }
            let mut coeff = coeff;
            if !started {
                ops.push(Op::Const(coeff.take().unwrap_or(1.0)));
            }
            for (b, k) in dens {
                emit(b, vars, ops)?;
                if k != 1 {
                    push(ops, Op::PowI(k.min(i32::MAX as i64) as i32));
                }
                push(ops, Op::Div);
            }
            if let Some(c) = coeff {
                ops.push(Op::Const(c));
                push(ops, Op::Mul);
            }
            if negate {
                push(ops, Op::Neg);
            }
        }
        Node::Pow(b, e) => {
            emit(b, vars, ops)?;
            if is_half(e) {
                push(ops, Op::Sqrt);
            } else if let Some(k) = e
                .as_num()
                .and_then(Num::as_int)
                .filter(|k| k.abs() < i32::MAX as i64)
            {
                push(ops, Op::PowI(k as i32));
            } else {
                emit(e, vars, ops)?;
                push(ops, Op::Pow);
            }
        }
        Node::Call(f, a) => {
            emit(a, vars, ops)?;
            push(ops, Op::Call(*f));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Evaluates `input` at x = 2 (tree and compiled) and prints the value
    /// or the error.
    fn check(input: &str, expected: &str) {
        let e = crate::Expr::parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));
        let tree = eval_tree(e.node(), &|v| (v == "x").then_some(2.0))
            .map(|v| format_number(v, 12))
            .unwrap_or_else(|e| format!("error: {}", e.message));
        let prog = Program::compile(e.node(), &["x"]).unwrap();
        let compiled = prog
            .eval(&[2.0])
            .map(|v| format_number(v, 12))
            .unwrap_or_else(|e| format!("error: {}", e.message()));
        assert_eq!(tree, expected, "tree evaluation of {input:?}");
        assert_eq!(compiled, expected, "compiled evaluation of {input:?}");
    }

    #[test]
    fn values() {
        check("x**2 + 1", "5");
        check("x**3/3", "2.66666666667");
        check("-x**2", "-4");
        check("2**-1", "0.5");
        check("x - 5", "-3");
        check("sigmoid(0)", "0.5");
        check("sigmoid(-1000)", "0");
        check("softplus(1000)", "1000");
        check("softplus(0)", "0.69314718056");
        check("relu(-x) + step(x) + sign(-x)", "0");
        check("sign(0) + step(0)", "0");
        check("sqrt(x)", "1.41421356237");
        check("x**x", "4");
        check("exp(1000)", "inf");
        check("1/(x-2)**2", "error: division by zero");
        check("3*x**2 + 2*x - 1", "15");
        check("-x*x/x**3", "-0.5");
        check("x + 2 - x**-2 - 3", "0.75");
        check("-1", "-1");
        check("2/x", "1");
    }

    #[test]
    fn fused_instructions() {
        let e = crate::Expr::parse("3*x**2 + 2*y").unwrap().simplified();
        let p = Program::compile(e.node(), &["x", "y"]).unwrap();
        assert_eq!(
            p.ops,
            [
                Op::VarPowI(0, 2),
                Op::MulConst(3.0),
                Op::Var(1),
                Op::MulConst(2.0),
                Op::Add
            ]
        );
        assert_eq!(p.eval(&[2.0, 1.0]), Ok(14.0));
    }

    #[test]
    fn domain_errors() {
        check(
            "sqrt(-1)",
            "error: sqrt(-1) is undefined: a negative number has no real square root",
        );
        check(
            "log(0)",
            "error: log(0) is undefined: log needs a positive number",
        );
        check(
            "ln(-x)",
            "error: log(-2) is undefined: log needs a positive number",
        );
        check(
            "(-8)**(1/3)",
            "error: (-8)**(0.333333333333) is not a real number: a negative number to a non-integer power",
        );
        check("1/0", "error: division by zero");
        check("x/(x - 2)", "error: division by zero");
        check("0**-1", "error: division by zero");
    }
}
