//! Evaluation, with domain errors as errors.
//!
//! Two evaluators share the same function semantics ([`apply`],
//! [`power`]): a tree walker over [`Num`]s ([`eval_num`]) that keeps exact
//! numbers exact until an operation without an exact result needs a float,
//! for one-off values; and [`Program`], a flat stack-machine compilation
//! over `f64`s for hot loops (descent, plots, surfaces) that does no name
//! look-ups and no allocation per evaluation. A compiled program folds
//! every constant subtree with the exact evaluator first, so both agree on
//! `(2**53 + 1 - 2**53)*w`.

use std::sync::Arc;

use super::MathError;
use super::ast::{Func, Node};
use super::error::MAX_DIGITS;
use super::format::format_number;
use super::number::{
    Mixed, Num, Overflow, PowError, Scale, float_times_scaled, powf_integral, powi,
};

/// Why a value is not a real number, or cannot be computed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Domain {
    /// `x/0` or `0**-n`.
    DivZero,
    /// `log(x)` for `x <= 0`.
    Log(f64),
    /// `sqrt(x)` for `x < 0`.
    Sqrt(f64),
    /// A negative base to a non-integer power.
    Pow(f64, f64),
    /// An exact number too long to compute, or too large for a float.
    Overflow(Overflow),
}

impl Domain {
    /// The error message.
    pub(crate) fn message(self) -> String {
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
            Domain::Overflow(Overflow::Digits) => {
                format!("an exact number here would have more than {MAX_DIGITS} digits")
            }
            Domain::Overflow(Overflow::Float(digits)) => format!(
                "an exact number of {digits} digits is too large for a floating-point number \
                 (the largest is about 1.8e+308)"
            ),
            Domain::Overflow(Overflow::Infinite) => "a floating-point value here overflowed \
                 (beyond about 1.8e+308) before an exact factor could scale it back"
                .to_string(),
        }
    }

    /// As a [`MathError`] without a position.
    pub(crate) fn to_error(self) -> MathError {
        let err = MathError::new(self.message(), 0..0);
        match self {
            Domain::Overflow(Overflow::Digits) => err.with_help(format!(
                "integers and ratios are exact up to {MAX_DIGITS} digits; \
                 write a float such as 10.0 to compute approximately"
            )),
            Domain::Overflow(Overflow::Float(_)) => {
                err.with_help("values print as floats; simplify(...) shows an exact result in full")
            }
            Domain::Overflow(Overflow::Infinite) => err.with_help(
                "apply the exact factor first, or scale the floats so that none exceeds the range",
            ),
            _ => err,
        }
    }
}

/// Why an evaluation failed.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Fault {
    /// Not a real number, or not computable.
    Domain(Domain),
    /// A variable without a value.
    Unbound(Arc<str>),
}

impl From<Domain> for Fault {
    fn from(d: Domain) -> Fault {
        Fault::Domain(d)
    }
}

impl Fault {
    /// As a [`MathError`] without a position.
    pub(crate) fn to_error(&self) -> MathError {
        match self {
            Fault::Domain(d) => d.to_error(),
            Fault::Unbound(v) => MathError::new(format!("'{v}' has no value"), 0..0).with_help(
                format!("give it one, e.g. {v} = 1, or pass it as an argument"),
            ),
        }
    }
}

/// `f(x)` over floats.
pub(crate) fn apply(f: Func, x: f64) -> Result<f64, Domain> {
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

/// `f(x)` exactly where the value is rational (`abs`, `sign`, `step` and
/// `relu` of any exact number; `sin(0)`, `exp(0)`, `log(1)`, `sigmoid(0)`
/// …), and in floats otherwise.
pub(crate) fn apply_num(f: Func, x: &Num) -> Result<Num, Domain> {
    if let Some(v) = exact_value(f, x) {
        return Ok(v);
    }
    if x.is_exact()
        && let Some(v) = exact_argument(f, x)
    {
        return v.map(Num::Float);
    }
    let v = x.float().map_err(Domain::Overflow)?;
    apply(f, v).map(Num::Float)
}

/// `f(x)` for an exact `x` where rounding `x` to a float first would
/// lose the answer, and `None` where the float path is as good: the
/// trigonometric functions of an exact number that no float holds reduce
/// the exact value modulo 2π (`sin(10**30)`, `cos(2**70 + 1)`); `log`
/// goes through the exact scale outside the normal float range
/// (`log(10**400)`, `log(1/10**400)`) and through `ln_1p` of the exact
/// difference near 1; the functions that level off (`exp`, `sigmoid`,
/// `tanh`, `softplus`) take an exact number beyond the float range as the
/// infinity it rounds to, as IEEE 754 does for floats (`sigmoid(10**400)`
/// is 1, `exp(-10**400)` is 0, `exp(10**400)` is `inf` like `exp(1000)`).
fn exact_argument(f: Func, x: &Num) -> Option<Result<f64, Domain>> {
    match f {
        Func::Sin | Func::Cos | Func::Tan if !x.is_plain_float() => {
            x.reduced_angle().map(|r| apply(f, r))
        }
        Func::Log if x.signum() > 0 && !x.is_plain_float() || x.float().is_err() => {
            if x.signum() <= 0 {
                return Some(Err(Domain::Log(x.to_f64())));
            }
            x.ln_exact().map(Ok)
        }
        Func::Exp | Func::Sigmoid | Func::Tanh | Func::Softplus => match x.float() {
            Err(Overflow::Float(_)) => {
                let inf = if x.is_negative() {
                    f64::NEG_INFINITY
                } else {
                    f64::INFINITY
                };
                Some(apply(f, inf))
            }
            _ => None,
        },
        _ => None,
    }
}

/// The exact value of `f(x)` for an exact `x`, when it is rational.
pub(crate) fn exact_value(f: Func, x: &Num) -> Option<Num> {
    if !x.is_exact() {
        return None;
    }
    let positive = x.signum() > 0;
    let zero = x.is_zero();
    match f {
        Func::Abs => Some(if x.is_negative() { x.neg() } else { x.clone() }),
        Func::Sign => Some(Num::int(x.signum())),
        Func::Step => Some(Num::int(i64::from(positive))),
        Func::Relu => Some(if positive { x.clone() } else { Num::ZERO }),
        Func::Sin | Func::Tan | Func::Tanh if zero => Some(Num::ZERO),
        Func::Cos | Func::Exp if zero => Some(Num::ONE),
        Func::Sigmoid if zero => Some(Num::rat(1, 2)),
        Func::Log if x.is_one() => Some(Num::ZERO),
        _ => None,
    }
}

/// `b ** e` over the reals, for floats (the compiled programs' power).
pub(crate) fn power(b: f64, e: f64) -> Result<f64, Domain> {
    if b == 0.0 && e < 0.0 {
        return Err(Domain::DivZero);
    }
    // A whole exponent (an infinite one has a NaN fraction) is real for
    // any base.
    if e.fract() == 0.0 {
        return Ok(powf_integral(b, e));
    }
    if b < 0.0 && e.is_finite() {
        return Err(Domain::Pow(b, e));
    }
    if e == 0.5 {
        return Ok(b.sqrt());
    }
    Ok(b.powf(e))
}

/// `b ** e` over the reals, exact for an exact base and an exact
/// exponent whenever the result is rational.
pub(crate) fn power_num(b: &Num, e: &Num) -> Result<Num, Domain> {
    match b.pow(e) {
        Ok(Num::Overflow(o)) | Err(PowError::Overflow(o)) => Err(Domain::Overflow(o)),
        Ok(v) => Ok(v),
        Err(PowError::DivZero) => Err(Domain::DivZero),
        Err(PowError::NegativeBase) if e.is_half() => Err(Domain::Sqrt(b.to_f64())),
        Err(PowError::NegativeBase) => Err(Domain::Pow(b.to_f64(), e.to_f64())),
        Err(PowError::Irrational) if e.is_half() && b.is_exact() => {
            // The root of the exact value, rounded once; a root beyond
            // the float range is the exact number's overflow.
            match b.sqrt_exact() {
                Some(r) if r.is_finite() => Ok(Num::Float(r)),
                _ => Err(Domain::Overflow(
                    b.float().err().unwrap_or(Overflow::Float(0)),
                )),
            }
        }
        Err(PowError::Irrational) => {
            let x = b.float().map_err(Domain::Overflow)?;
            let y = e.float().map_err(Domain::Overflow)?;
            power(x, y).map(Num::Float)
        }
    }
}

/// `sqrt(x)`.
fn sqrt(x: f64) -> Result<f64, Domain> {
    if x < 0.0 {
        return Err(Domain::Sqrt(x));
    }
    Ok(x.sqrt())
}

fn is_half(n: &Node) -> bool {
    n.as_num().is_some_and(Num::is_half)
}

/// A number that is not an overflow.
fn checked(n: Num) -> Result<Num, Domain> {
    match n {
        Num::Overflow(o) => Err(Domain::Overflow(o)),
        other => Ok(other),
    }
}

/// `a + b`, failing on overflow.
pub(crate) fn add_num(a: &Num, b: &Num) -> Result<Num, Domain> {
    checked(a.add(b))
}

/// `a * b`, failing on overflow.
pub(crate) fn mul_num(a: &Num, b: &Num) -> Result<Num, Domain> {
    checked(a.mul(b))
}

/// `a / b`, failing on a zero divisor and on overflow.
pub(crate) fn div_num(a: &Num, b: &Num) -> Result<Num, Domain> {
    checked(a.div(b).ok_or(Domain::DivZero)?)
}

/// Evaluates a tree over numbers, looking variables up with `lookup`:
/// exact while everything is exact, floats from the first float on.
pub(crate) fn eval_num(n: &Node, lookup: &dyn Fn(&str) -> Option<Num>) -> Result<Num, Fault> {
    Ok(match n {
        Node::Num(x) => checked(x.clone())?,
        Node::Const(c) => Num::Float(c.value()),
        Node::Var(v) => lookup(v).ok_or_else(|| Fault::Unbound(v.clone()))?,
        Node::Add(xs) => {
            let mut s = Num::ZERO;
            for x in xs {
                s = add_num(&s, &eval_num(x, lookup)?)?;
            }
            s
        }
        Node::Mul(_) => product(n, lookup)?,
        Node::Pow(b, e)
            if matches!(**b, Node::Mul(_)) && e.as_num().is_some_and(Num::is_minus_one) =>
        {
            product(n, lookup)?
        }
        Node::Pow(b, e) => {
            let bv = eval_num(b, lookup)?;
            let ev = eval_num(e, lookup)?;
            power_num(&bv, &ev)?
        }
        Node::Call(f, a) => apply_num(*f, &eval_num(a, lookup)?)?,
    })
}

/// The value of a product (or of `1/product`). The exact factors are
/// multiplied together first, exactly, and only their product meets the
/// floats: `x/2**1024` has a value (about 1.39e-308 at x = 2.5) though
/// `2**1024` alone has none as a float, and it is how `x*(1/2**1024)`
/// prints. The floats are divided once, as the product prints (`abs(x)/x`
/// is exactly 1, where `(1/x)*abs(x)` may round to 0.999…).
fn product(n: &Node, lookup: &dyn Fn(&str) -> Option<Num>) -> Result<Num, Fault> {
    fn walk(
        n: &Node,
        divide: bool,
        product: &mut Product,
        lookup: &dyn Fn(&str) -> Option<Num>,
    ) -> Result<(), Fault> {
        match n {
            Node::Mul(xs) => xs.iter().try_for_each(|x| walk(x, divide, product, lookup)),
            // One inversion only: `1/(1/0)` must still divide by zero.
            Node::Pow(b, e) if !divide && e.as_num().is_some_and(Num::is_minus_one) => {
                walk(b, true, product, lookup)
            }
            _ => Ok(product.take(&eval_num(n, lookup)?, divide)?),
        }
    }
    let mut product = Product::new();
    walk(n, false, &mut product, lookup)?;
    Ok(product.value()?)
}

/// A product being evaluated, its factors kept in four parts: exact and
/// float, multiplying and dividing (see [`product`]; the statement
/// evaluator uses it too).
pub(crate) struct Product {
    exact_num: Num,
    exact_den: Num,
    num: Num,
    den: Num,
}

impl Product {
    pub(crate) fn new() -> Product {
        Product {
            exact_num: Num::ONE,
            exact_den: Num::ONE,
            num: Num::ONE,
            den: Num::ONE,
        }
    }

    /// Takes the factor `v`, or `1/v` when `divide`.
    pub(crate) fn take(&mut self, v: &Num, divide: bool) -> Result<(), Domain> {
        let part = match (v.is_exact(), divide) {
            (true, false) => &mut self.exact_num,
            (true, true) => &mut self.exact_den,
            (false, false) => &mut self.num,
            (false, true) => &mut self.den,
        };
        *part = mul_num(part, v)?;
        Ok(())
    }

    /// The exact parts, divided exactly, times the floats, divided once.
    pub(crate) fn value(&self) -> Result<Num, Domain> {
        let exact = div_num(&self.exact_num, &self.exact_den)?;
        mul_num(&exact, &div_num(&self.num, &self.den)?)
    }
}

/// Evaluates a tree in floats at float values of its variables (exact
/// constants inside it are still combined exactly).
pub(crate) fn eval_tree(n: &Node, lookup: &dyn Fn(&str) -> Option<f64>) -> Result<f64, MathError> {
    let v = eval_num(n, &|name| lookup(name).map(Num::Float)).map_err(|f| f.to_error())?;
    v.float().map_err(|o| Domain::Overflow(o).to_error())
}

/// Checks that every part of `n` without variables has a value: an
/// expression with an undefined constant in it (`1/0 + w`, `log(-1)*w`) is
/// undefined everywhere, and simplifying must not turn it into a number
/// (`0**-2*0`). Exact numbers too long to compute are not errors here: a
/// symbolic result may keep `10**1000` as a power.
pub(crate) fn check_constants(n: &Node) -> Result<(), MathError> {
    if matches!(n, Node::Num(_) | Node::Const(_) | Node::Var(_)) {
        return Ok(());
    }
    if !has_var(n) {
        return match eval_num(n, &|_| None) {
            Err(Fault::Domain(d)) if !matches!(d, Domain::Overflow(_)) => Err(d.to_error()),
            _ => Ok(()),
        };
    }
    match n {
        Node::Add(xs) | Node::Mul(xs) => xs.iter().try_for_each(check_constants),
        Node::Pow(a, b) => {
            check_constants(a)?;
            check_constants(b)
        }
        Node::Call(_, a) => check_constants(a),
        Node::Num(_) | Node::Const(_) | Node::Var(_) => Ok(()),
    }
}

/// True when the tree has a variable (stops at the first one).
fn has_var(n: &Node) -> bool {
    match n {
        Node::Num(_) | Node::Const(_) => false,
        Node::Var(_) => true,
        Node::Add(xs) | Node::Mul(xs) => xs.iter().any(has_var),
        Node::Pow(a, b) => has_var(a) || has_var(b),
        Node::Call(_, a) => has_var(a),
    }
}

/// One instruction of a compiled program.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Op {
    Const(f64),
    Var(usize),
    // Fused forms of a push followed by an operation on it (see `push`).
    VarPowI(usize, i64),
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
    PowI(i64),
    Sqrt,
    Pow,
    Call(Func),
    /// A constant part that has no value (`1/(2**53 + 1 - 2**53 - 1)`),
    /// found when compiling: every evaluation fails with it.
    Fail(Domain),
    /// Drops the top of the stack (a condition's value, once computed).
    Pop,
    /// Multiplies by the exact coefficient `exact[i]` (for coefficients
    /// that are not exactly a float, so the program rounds once, as the
    /// tree evaluator does): [`Scale::apply`] with its prepared
    /// [`Scale`], and otherwise the exact computation.
    MulExact(Scale, u32),
}

/// An expression compiled to a flat stack machine over numbered variables.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Program {
    ops: Vec<Op>,
    /// The exact coefficients of [`Op::MulExact`].
    exact: Vec<Num>,
    max_stack: usize,
    arity: usize,
}

impl Program {
    /// Compiles `n` over the variables `vars` (in that order). A variable
    /// not in `vars` is an error.
    pub(crate) fn compile(n: &Node, vars: &[&str]) -> Result<Program, MathError> {
        Self::compile_guarded(n, &[], vars)
    }

    /// Compiles `n` after `conditions`: expressions evaluated (and their
    /// values dropped) before `n`, so the program fails wherever one of
    /// them has no value.
    pub(crate) fn compile_guarded(
        n: &Node,
        conditions: &[Node],
        vars: &[&str],
    ) -> Result<Program, MathError> {
        let mut code = Code::default();
        for c in conditions {
            emit(c, vars, &mut code)?;
            code.ops.push(Op::Pop);
        }
        emit(n, vars, &mut code)?;
        let Code { ops, exact } = code;
        let mut depth = 0usize;
        let mut max_stack = 0usize;
        for op in &ops {
            match op {
                Op::Const(_) | Op::Var(_) | Op::VarPowI(..) | Op::Fail(_) => depth += 1,
                Op::AddConst(_)
                | Op::MulConst(_)
                | Op::AddVar(_)
                | Op::SubVar(_)
                | Op::MulVar(_)
                | Op::MulExact(..) => {}
                Op::Add | Op::Sub | Op::Mul | Op::Div | Op::Pow | Op::Pop => depth -= 1,
                Op::Neg | Op::PowI(_) | Op::Sqrt | Op::Call(_) => {}
            }
            max_stack = max_stack.max(depth);
        }
        Ok(Program {
            ops,
            exact,
            max_stack,
            arity: vars.len(),
        })
    }

    /// The number of variables.
    pub(crate) fn arity(&self) -> usize {
        self.arity
    }

    /// The number of instructions (the cost of one evaluation).
    pub(crate) fn cost(&self) -> usize {
        self.ops.len()
    }

    /// The stack size [`Program::run`] needs.
    pub(crate) fn stack_size(&self) -> usize {
        self.max_stack
    }

    /// Evaluates at `point` using `stack` (at least [`Program::stack_size`]
    /// long) as scratch space.
    pub(crate) fn run(&self, point: &[f64], stack: &mut [f64]) -> Result<f64, Domain> {
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
                    stack[sp] = powi(b, k);
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
                    stack[sp - 1] = powi(b, k);
                }
                Op::Sqrt => stack[sp - 1] = sqrt(stack[sp - 1])?,
                Op::Pow => {
                    sp -= 1;
                    stack[sp - 1] = power(stack[sp - 1], stack[sp])?;
                }
                Op::Call(f) => stack[sp - 1] = apply(f, stack[sp - 1])?,
                Op::Fail(d) => return Err(d),
                Op::Pop => sp -= 1,
                Op::MulExact(s, i) => {
                    let x = stack[sp - 1];
                    stack[sp - 1] = match s.apply(x, Mixed::Times) {
                        Some(r) => r,
                        None => float_times_scaled(x, &self.exact[i as usize], s, Mixed::Times)
                            .map_err(Domain::Overflow)?,
                    };
                }
            }
        }
        Ok(stack[0])
    }

    /// Evaluates with a stack allocated on the spot (for one-off use).
    pub(crate) fn eval(&self, point: &[f64]) -> Result<f64, Domain> {
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

/// The instruction that pushes a number: its float, or a failure for an
/// exact number that has none.
fn number_op(n: &Num) -> Op {
    match n.float() {
        Ok(x) => Op::Const(x),
        Err(o) => Op::Fail(Domain::Overflow(o)),
    }
}

/// A program being compiled: its instructions and exact coefficients.
#[derive(Default)]
struct Code {
    ops: Vec<Op>,
    exact: Vec<Num>,
}

fn emit(n: &Node, vars: &[&str], code: &mut Code) -> Result<(), MathError> {
    // A part without variables is computed once, exactly where it is
    // exact, so the program agrees with the tree evaluator on it.
    if !matches!(n, Node::Num(_) | Node::Const(_) | Node::Var(_)) && !has_var(n) {
        code.ops.push(match eval_num(n, &|_| None) {
            Ok(v) => number_op(&v),
            Err(Fault::Domain(d)) => Op::Fail(d),
            Err(fault) => return Err(fault.to_error()),
        });
        return Ok(());
    }
    match n {
        Node::Num(x) => code.ops.push(number_op(x)),
        Node::Const(c) => code.ops.push(Op::Const(c.value())),
        Node::Var(v) => {
            let i = vars
                .iter()
                .position(|x| *x == &**v)
                .ok_or_else(|| MathError::new(format!("'{v}' has no value"), 0..0))?;
            code.ops.push(Op::Var(i));
        }
        Node::Add(xs) => {
            emit(&xs[0], vars, code)?;
            for x in &xs[1..] {
                // `a + -b` as a subtraction.
                if let Node::Mul(fs) = x
                    && fs.len() == 2
                    && fs[0].as_num().is_some_and(Num::is_minus_one)
                {
                    emit(&fs[1], vars, code)?;
                    push(&mut code.ops, Op::Sub);
                } else {
                    emit(x, vars, code)?;
                    push(&mut code.ops, Op::Add);
                }
            }
        }
        Node::Mul(xs) => emit_product(xs, vars, code)?,
        Node::Pow(b, e) => {
            emit(b, vars, code)?;
            if is_half(e) {
                push(&mut code.ops, Op::Sqrt);
            } else if let Some(k) = e.as_num().and_then(Num::integer_exponent) {
                push(&mut code.ops, Op::PowI(k));
            } else {
                emit(e, vars, code)?;
                push(&mut code.ops, Op::Pow);
            }
        }
        Node::Call(f, a) => {
            emit(a, vars, code)?;
            push(&mut code.ops, Op::Call(*f));
        }
    }
    Ok(())
}

/// Emits a product (see [`emit`]).
fn emit_product(xs: &[Node], vars: &[&str], code: &mut Code) -> Result<(), MathError> {
    // The exact constant factors (exact numbers, and parts without
    // variables whose value is exact) are multiplied together
    // exactly, as the tree evaluator multiplies them, and applied
    // last: a -1 as a negation, a number a float holds exactly as
    // one fused `*c`, and any other through `MulExact`, which
    // rounds as the tree evaluator does (`2**-1100*w` is not
    // `0*w`). A leading float coefficient is applied last too, and
    // factors to the power -1 are divisions.
    let (float_coeff, rest) = match xs.split_first() {
        Some((Node::Num(c @ Num::Float(_)), rest)) => (Some(c), rest),
        _ => (None, xs),
    };
    let mut exact = Num::ONE;
    let mut started = false;
    let mut dens = Vec::new();
    for x in rest {
        if let Some(v) = exact_constant(x)
            && let Ok(p) = mul_num(&exact, &v)
        {
            exact = p;
            continue;
        }
        if let Node::Pow(b, e) = x
            && e.as_num().is_some_and(Num::is_minus_one)
        {
            dens.push(&**b);
            continue;
        }
        emit(x, vars, code)?;
        if started {
            push(&mut code.ops, Op::Mul);
        }
        started = true;
    }
    let negate = exact.is_minus_one();
    let mut float_coeff = float_coeff;
    let mut exact = (!exact.is_one() && !negate).then_some(exact);
    if !started {
        let first = match (float_coeff.take(), &exact) {
            (Some(c), _) => number_op(c),
            (None, Some(c)) if c.exact_float().is_some() => {
                let op = number_op(c);
                exact = None;
                op
            }
            (None, _) => Op::Const(1.0),
        };
        code.ops.push(first);
    }
    for b in dens {
        emit(b, vars, code)?;
        push(&mut code.ops, Op::Div);
    }
    if let Some(c) = float_coeff {
        code.ops.push(number_op(c));
        push(&mut code.ops, Op::Mul);
    }
    if let Some(c) = exact {
        if c.exact_float().is_some() {
            code.ops.push(number_op(&c));
            push(&mut code.ops, Op::Mul);
        } else {
            let i = u32::try_from(code.exact.len()).map_err(|_| too_many_constants())?;
            code.ops.push(Op::MulExact(Scale::of(&c), i));
            code.exact.push(c);
        }
    }
    if negate {
        push(&mut code.ops, Op::Neg);
    }
    Ok(())
}

/// The value of a factor without variables, when it is exact.
fn exact_constant(x: &Node) -> Option<Num> {
    if has_var(x) {
        return None;
    }
    eval_num(x, &|_| None).ok().filter(Num::is_exact)
}

fn too_many_constants() -> MathError {
    MathError::new("the expression has too many constants to compile", 0..0)
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

    /// Products with exact factors outside the float range: the program
    /// gives the tree evaluator's value to the bit, or its error.
    #[test]
    fn programs_meet_extreme_exact_factors_as_the_tree_does() {
        let cases = [
            ("x/2**1100", 1e300, "7.36215182902e-32"),
            ("x*10**-400", 1e300, "1e-100"),
            ("-x/10**320", 1e300, "-1e-20"),
            ("2**-1100/x", 1e-300, "7.36215182902e-32"),
            ("x*2**1100", 1e-300, "1.35829852905e+31"),
            ("2.5*x/2**1100", 1e300, "1.84053795726e-31"),
            ("3*(x + 1)/2**1100", 1e300, "2.20864554871e-31"),
            ("x*x/2**1100", 1e150, "7.36215182902e-32"),
            ("x/3", 3e-320, "9.99988867183e-321"),
            (
                "x*2**1100",
                1e300,
                "error: an exact number of 332 digits is too large for a floating-point number (the largest is about 1.8e+308)",
            ),
            (
                "x*x/2**1100",
                1e300,
                "error: a floating-point value here overflowed (beyond about 1.8e+308) before an exact factor could scale it back",
            ),
        ];
        for (input, x, expected) in cases {
            let e = crate::Expr::parse(input).unwrap().simplified();
            let show = |r: Result<f64, String>| {
                r.map(|v| format_number(v, 12))
                    .unwrap_or_else(|m| format!("error: {m}"))
            };
            let tree = eval_tree(e.node(), &|v| (v == "x").then_some(x));
            let prog = Program::compile(e.node(), &["x"]).unwrap();
            let compiled = prog.eval(&[x]);
            if let (Ok(a), Ok(b)) = (&tree, &compiled) {
                assert_eq!(a.to_bits(), b.to_bits(), "{input} at {x:e}");
            }
            assert_eq!(show(tree.map_err(|e| e.message)), expected, "tree, {input}");
            assert_eq!(
                show(compiled.map_err(Domain::message)),
                expected,
                "compiled, {input}"
            );
        }
        // A coefficient a float holds exactly stays one fused multiplication.
        let p = Program::compile(crate::Expr::parse("x/2**1000").unwrap().node(), &["x"]).unwrap();
        assert_eq!(p.ops, [Op::Var(0), Op::MulConst(2f64.powi(-1000))]);
        let p = Program::compile(crate::Expr::parse("x/2**1100").unwrap().node(), &["x"]).unwrap();
        assert!(matches!(
            p.ops[..],
            [Op::Var(0), Op::MulExact(Scale::Exact, 0)]
        ));
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
