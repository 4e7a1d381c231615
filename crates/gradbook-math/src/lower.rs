//! Lowering: turns syntax into expression trees in the context of a scope.
//! Names are resolved here (parameters, constants, `pi`, `e`, functions),
//! calls to defined functions are expanded, `J'(x)`, `diff` and `simplify`
//! are computed, and every mistake becomes an error with a span and, where
//! one is likely, a suggestion.
//!
//! A derivative is defined only where its function is: lowering `J'(a)`
//! records a [`Condition`], "`J(a)` has a value", that every evaluation of
//! the result checks first (a definition keeps the conditions of its body,
//! so `K(w) = J'(w) + 1` is undefined wherever `J` is).

use std::cell::RefCell;
use std::ops::Range;
use std::sync::Arc;

use super::MathError;
use super::ast::{Budget, Constant, Func, Node};
use super::diff::derivative;
use super::error::{MAX_DIGITS, MAX_ORDER, suggestion};
use super::eval::{Fault, check_constants, eval_num};
use super::number::Num;
use super::parser::{Arg, Syntax, SyntaxKind};
use super::simplify::simplify;
use super::{ConstDef, FailedDef, FuncDef, Scope};

/// The built-ins that are not functions of one argument (`round` and
/// `descent_steps` give numbers, the others are statements or take
/// keyword arguments).
pub(crate) const STATEMENTS: [&str; 8] = [
    "diff",
    "simplify",
    "grad",
    "nudge",
    "descent",
    "plot",
    "descent_steps",
    "round",
];

/// The functions and statements of calc itself, as suggestions offer
/// them.
pub(crate) fn built_in_names() -> Vec<&'static str> {
    let mut names: Vec<&str> = Func::ALL.iter().map(|f| f.name()).collect();
    names.extend(["ln", "sqrt"]);
    names.extend(STATEMENTS);
    names
}

/// True for a name the language reserves.
pub(crate) fn is_reserved(name: &str) -> bool {
    name == "pi"
        || name == "e"
        || name == "sqrt"
        || Func::from_name(name).is_some()
        || STATEMENTS.contains(&name)
}

/// Parses a number literal: integers exact (up to [`MAX_DIGITS`] digits),
/// anything with a point or an exponent a float (which must be finite).
pub(crate) fn number(text: &str, span: Range<usize>) -> Result<Num, MathError> {
    if text.contains(['.', 'e', 'E']) {
        let t = if text.starts_with('.') {
            format!("0{text}")
        } else {
            text.to_string()
        };
        let x = t
            .parse::<f64>()
            .map_err(|_| MathError::new(format!("malformed number '{text}'"), span.clone()))?;
        if !x.is_finite() {
            return Err(MathError::new(
                format!(
                    "{text} is too large for a floating-point number (the largest is about 1.8e+308)"
                ),
                span,
            )
            .with_help("an exact integer can be larger: write a power such as 10**400"));
        }
        return Ok(Num::Float(x));
    }
    if text.trim_start_matches('0').len() > MAX_DIGITS {
        return Err(MathError::new(
            format!("an integer may have at most {MAX_DIGITS} digits"),
            span,
        ));
    }
    Num::parse_int(text).ok_or_else(|| MathError::new(format!("malformed number '{text}'"), span))
}

/// The error for a use of `name`, a constant whose definition failed: it
/// quotes the definition and carries its [`super::Origin`].
pub(crate) fn failed_use(name: &str, f: &FailedDef, span: Range<usize>) -> MathError {
    let mut err = MathError::new(
        format!(
            "'{name}' has no value: its definition `{}` failed ({})",
            f.definition, f.reason
        ),
        span,
    )
    .with_help(format!(
        "fix that definition, or define {name} again before this line"
    ));
    err.origin = Some(Box::new(f.origin.clone()));
    err
}

/// A requirement recorded by a derivative at a point: `node` must have a
/// value wherever the result is evaluated.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Condition {
    /// The function whose derivative needs it, for messages.
    pub func: Arc<str>,
    /// The function's body at the point.
    pub node: Node,
}

impl Condition {
    /// Checks the condition with the variables given by `lookup`.
    pub(crate) fn check(&self, lookup: &dyn Fn(&str) -> Option<Num>) -> Result<(), MathError> {
        eval_num(&self.node, lookup)
            .map(|_| ())
            .map_err(|fault| match fault {
                Fault::Domain(d) => MathError::new(
                    format!(
                        "the derivative of {f} is undefined where {f} is: {}",
                        d.message(),
                        f = self.func
                    ),
                    0..0,
                ),
                other => other.to_error(),
            })
    }
}

/// Checks every condition that has no free variables (the others belong to
/// a symbolic result, whose value is not asked for).
pub(crate) fn check_constant_conditions(conditions: &[Condition]) -> Result<(), MathError> {
    for c in conditions {
        if c.node.free_vars().is_empty() {
            c.check(&|_| None)?;
        }
    }
    Ok(())
}

/// True when evaluating `n` may fail somewhere: a `log`, a power that is
/// not a whole non-negative one (roots, divisions) unless its base is a
/// nonzero number (`1/3`), or an exact number that may not become a float.
/// A derivative of a function that cannot fail needs no condition.
fn can_fail(n: &Node) -> bool {
    match n {
        Node::Num(x) => x.float().is_err(),
        Node::Const(_) | Node::Var(_) => false,
        Node::Add(xs) | Node::Mul(xs) => xs.iter().any(can_fail),
        Node::Pow(b, e) => {
            let integer = e.as_num().is_some_and(Num::is_integer);
            let whole = integer && e.as_num().is_some_and(|k| !k.is_negative());
            let nonzero_base = b
                .as_num()
                .is_some_and(|x| !x.is_zero() && x.float().is_ok());
            !(whole || integer && nonzero_base) || can_fail(b) || can_fail(e)
        }
        Node::Call(Func::Log, _) => true,
        Node::Call(_, a) => can_fail(a),
    }
}

/// Lowers syntax in a scope.
pub(crate) struct Lower<'a> {
    pub scope: &'a Scope,
    /// The parameters, when lowering a function body.
    pub params: Option<&'a [String]>,
    /// The function being defined (it may not call itself).
    pub defining: Option<&'a str>,
    /// The conditions of the derivatives met so far.
    conditions: RefCell<Vec<Condition>>,
    /// Nodes the conditions may still hold.
    budget: RefCell<Budget>,
}

/// `-a` without simplifying.
fn raw_neg(a: Node) -> Node {
    match a {
        Node::Num(n) => Node::Num(n.neg()),
        other => Node::Mul(vec![Node::Num(Num::MINUS_ONE), other]),
    }
}

impl<'a> Lower<'a> {
    /// A lowering in `scope`, of a function body when `params` is given.
    pub(crate) fn new(
        scope: &'a Scope,
        params: Option<&'a [String]>,
        defining: Option<&'a str>,
    ) -> Self {
        Lower {
            scope,
            params,
            defining,
            conditions: RefCell::new(Vec::new()),
            budget: RefCell::new(Budget::new()),
        }
    }

    /// The conditions recorded so far.
    pub(crate) fn take_conditions(&self) -> Vec<Condition> {
        std::mem::take(&mut self.conditions.borrow_mut())
    }

    /// Records that `node` must have a value (for the derivative of `func`).
    fn require(&self, func: &str, node: Node, span: &Range<usize>) -> Result<(), MathError> {
        if !can_fail(&node) {
            return Ok(());
        }
        let mut conditions = self.conditions.borrow_mut();
        if conditions.iter().any(|c| c.node == node) {
            return Ok(());
        }
        self.budget
            .borrow_mut()
            .take(node.size())
            .map_err(|e| e.at_least(span.clone()))?;
        conditions.push(Condition {
            func: Arc::from(func),
            node,
        });
        Ok(())
    }

    fn known_functions(&self) -> Vec<&str> {
        let mut names = built_in_names();
        names.extend(self.scope.functions.keys().map(String::as_str));
        names
    }

    /// Lowers an expression.
    pub(crate) fn expr(&self, s: &Syntax) -> Result<Node, MathError> {
        match &s.kind {
            SyntaxKind::Num(t) => Ok(Node::Num(number(t, s.span.clone())?)),
            SyntaxKind::Name(n) => self.name(n, s.span.clone()),
            SyntaxKind::Neg(a) => Ok(raw_neg(self.expr(a)?)),
            SyntaxKind::Sum(terms) => {
                let mut out = Vec::with_capacity(terms.len());
                for (negative, t) in terms {
                    let n = self.expr(t)?;
                    out.push(if *negative { raw_neg(n) } else { n });
                }
                Ok(Node::Add(out))
            }
            SyntaxKind::Product(fs) => {
                let mut out = Vec::with_capacity(fs.len());
                for (div, f) in fs {
                    let n = self.expr(f)?;
                    out.push(if *div {
                        Node::Pow(Box::new(n), Box::new(Node::Num(Num::MINUS_ONE)))
                    } else {
                        n
                    });
                }
                Ok(Node::Mul(out))
            }
            SyntaxKind::Pow(a, b) => {
                Ok(Node::Pow(Box::new(self.expr(a)?), Box::new(self.expr(b)?)))
            }
            SyntaxKind::Call {
                name,
                name_span,
                primes,
                args,
            } => self.call(name, name_span.clone(), *primes, args, s.span.clone()),
        }
    }

    fn name(&self, n: &str, span: Range<usize>) -> Result<Node, MathError> {
        if let Some(ps) = self.params
            && ps.iter().any(|p| p == n)
        {
            return Ok(Node::var(n));
        }
        match self.scope.constants.get(n) {
            Some(ConstDef::Value(v)) => return Ok(Node::Num(v.clone())),
            Some(ConstDef::Failed(f)) => return Err(failed_use(n, f, span)),
            None => {}
        }
        match n {
            "pi" => return Ok(Node::Const(Constant::Pi)),
            "e" => return Ok(Node::Const(Constant::E)),
            _ => {}
        }
        if let Some(f) = self.scope.functions.get(n) {
            return Err(
                MathError::new(format!("'{n}' is a function, not a value"), span)
                    .with_help(format!("call it: {n}({})", f.params.join(", "))),
            );
        }
        if Func::from_name(n).is_some() || n == "sqrt" || STATEMENTS.contains(&n) {
            return Err(
                MathError::new(format!("'{n}' is a function, not a value"), span)
                    .with_help(format!("call it: {n}(x)")),
            );
        }
        if let Some(ps) = self.params {
            let who = self.defining.unwrap_or("the function");
            let mut err = MathError::new(
                format!("unknown name '{n}' in the definition of {who}"),
                span,
            );
            let candidates = ps
                .iter()
                .map(String::as_str)
                .chain(self.scope.constants.keys().map(String::as_str));
            err = match suggestion(n, candidates) {
                Some(help) => err.with_help(help),
                None => err.with_help(format!(
                    "define it first ({n} = ...) or make it a parameter: {who}({}, {n})",
                    ps.join(", ")
                )),
            };
            return Err(err);
        }
        Ok(Node::var(n))
    }

    fn positional<'s>(
        name: &str,
        args: &'s [Arg],
        span: &Range<usize>,
        min: usize,
        max: usize,
        usage: &str,
    ) -> Result<Vec<&'s Syntax>, MathError> {
        let mut out = Vec::new();
        for a in args {
            if let Some((k, ks)) = &a.keyword {
                return Err(MathError::new(
                    format!("{name} takes no keyword arguments ('{k}=')"),
                    ks.clone(),
                )
                .with_help(format!("write {usage}")));
            }
            if let Some(u) = &a.upper {
                return Err(MathError::new(
                    "a range (a..b) can only be a plot argument",
                    a.value.span.start..u.span.end,
                ));
            }
            out.push(&a.value);
        }
        if out.len() < min || out.len() > max {
            let expected = if min == max {
                format!("{min} argument{}", if min == 1 { "" } else { "s" })
            } else {
                format!("{min} to {max} arguments")
            };
            return Err(MathError::new(
                format!(
                    "{name} takes {expected} but {} {} given",
                    out.len(),
                    if out.len() == 1 { "was" } else { "were" }
                ),
                span.clone(),
            )
            .with_help(format!("write {usage}")));
        }
        Ok(out)
    }

    fn call(
        &self,
        name: &str,
        name_span: Range<usize>,
        primes: usize,
        args: &[Arg],
        span: Range<usize>,
    ) -> Result<Node, MathError> {
        if primes > MAX_ORDER {
            return Err(MathError::new(
                format!("derivative order {primes} is too high (at most {MAX_ORDER})"),
                name_span,
            ));
        }
        if self.defining == Some(name) {
            return Err(MathError::new(
                format!("{name} cannot refer to itself in its own definition"),
                name_span,
            ));
        }
        let builtin = if name == "sqrt" {
            Some(None)
        } else {
            Func::from_name(name).map(Some)
        };
        if let Some(f) = builtin {
            return self.call_builtin(name, f, args, span, primes);
        }
        if let Some(def) = self.scope.functions.get(name) {
            return self.call_defined(name, def, name_span, args, span, primes);
        }
        match name {
            "diff" => return self.diff(args, &span, primes),
            "simplify" if primes == 0 => {
                let a = Self::positional(name, args, &span, 1, 1, "simplify(expr)")?;
                let expr = self.expr(a[0])?;
                check_constants(&expr).map_err(|e| e.at_least(a[0].span.clone()))?;
                return Ok(simplify(&expr));
            }
            "round" if primes == 0 => return self.round(args, &span),
            "descent_steps" if primes == 0 => {
                let steps = self.scope.descent_steps(args, &span)?;
                return Ok(Node::Num(Num::rat(steps as i128, 1)));
            }
            "grad" | "nudge" | "descent" | "plot" => {
                return Err(MathError::new(
                    format!("{name}(...) cannot be part of an expression"),
                    span,
                )
                .with_help(format!("write {name}(...) on its own line")));
            }
            _ => {}
        }
        Err(self.not_a_function(name, name_span))
    }

    /// `round(x)` or `round(x, digits)`: the value of `x`, which must be a
    /// number, rounded to `digits` places after the point (0 to 15, 0 when
    /// left out) with ties to even, as Python's `round` does. It exists to
    /// show values in prose, so it has no variables and no derivative: a
    /// whole number with no digits, a float otherwise.
    fn round(&self, args: &[Arg], span: &Range<usize>) -> Result<Node, MathError> {
        let usage = "round(x) or round(x, 2)";
        let a = Self::positional("round", args, span, 1, 2, usage)?;
        let x = self.expr(a[0])?;
        if !x.free_vars().is_empty() {
            return Err(MathError::new(
                "round takes a number, not an expression with variables",
                a[0].span.clone(),
            )
            .with_help("round a value, as in round(J(3), 2); it has no derivative"));
        }
        let digits = match a.get(1) {
            None => 0,
            Some(d) => {
                let bad = || {
                    MathError::new(
                        "the number of digits must be a whole number from 0 to 15",
                        d.span.clone(),
                    )
                };
                let n = self.expr(d)?;
                match n {
                    Node::Num(n) if n.is_integer() => Some(n.to_f64())
                        .filter(|v| (0.0..=15.0).contains(v))
                        .map(|v| v as u32)
                        .ok_or_else(bad)?,
                    _ => return Err(bad()),
                }
            }
        };
        let value =
            eval_num(&x, &|_| None).map_err(|f| f.to_error().at_least(a[0].span.clone()))?;
        let rounded = value
            .round_to(digits)
            .ok_or_else(|| MathError::new("this value is too large to round", a[0].span.clone()))?;
        Ok(Node::Num(rounded))
    }

    /// A built-in function (`None` for `sqrt`) at its one argument, or its
    /// derivative of order `primes` there.
    fn call_builtin(
        &self,
        name: &str,
        f: Option<Func>,
        args: &[Arg],
        span: Range<usize>,
        primes: usize,
    ) -> Result<Node, MathError> {
        let a = Self::positional(name, args, &span, 1, 1, &format!("{name}(x)"))?;
        let arg = self.expr(a[0])?;
        let apply = |x: Node| match f {
            Some(f) => Node::Call(f, Box::new(x)),
            None => Node::Pow(Box::new(x), Box::new(Node::Num(Num::rat(1, 2)))),
        };
        if primes == 0 {
            return Ok(apply(arg));
        }
        let d = derivative(&apply(Node::var("x")), "x", primes)
            .map_err(|e| e.at_least(span.clone()))?;
        self.require(name, apply(arg.clone()), &span)?;
        Self::substitute(&d, &["x".to_string()], &[arg], &span)
    }

    /// A defined function at its arguments, or its derivative of order
    /// `primes` there. The values its definition needs to exist are
    /// checked at the arguments first.
    fn call_defined(
        &self,
        name: &str,
        def: &FuncDef,
        name_span: Range<usize>,
        args: &[Arg],
        span: Range<usize>,
        primes: usize,
    ) -> Result<Node, MathError> {
        let usage = format!("{name}({})", def.params.join(", "));
        let n = def.params.len();
        if primes > 0 && n != 1 {
            return Err(MathError::new(
                format!(
                    "{name}{} needs a function of one variable, but {name} has {n}",
                    "'".repeat(primes)
                ),
                name_span,
            )
            .with_help(format!(
                "use grad({name}) or diff({usage}, {})",
                def.params[0]
            )));
        }
        let a = Self::positional(name, args, &span, n, n, &usage)?;
        let mut vals = Vec::with_capacity(n);
        for s in a {
            vals.push(self.expr(s)?);
        }
        for c in &def.conditions {
            let node = Self::substitute(&c.node, &def.params, &vals, &span)?;
            self.require(&c.func, node, &span)?;
        }
        if primes > 0 && can_fail(&def.body) {
            let value = Self::substitute(&def.body, &def.params, &vals, &span)?;
            self.require(name, value, &span)?;
        }
        if primes == 0 {
            return Self::substitute(&def.body, &def.params, &vals, &span);
        }
        let d = derivative(&def.simplified, &def.params[0], primes)
            .map_err(|e| e.at_least(span.clone()))?;
        Self::substitute(&d, &def.params, &vals, &span)
    }

    /// Why `name(...)` cannot be called: a value, or an unknown name.
    fn not_a_function(&self, name: &str, name_span: Range<usize>) -> MathError {
        if let Some(ConstDef::Failed(f)) = self.scope.constants.get(name) {
            return failed_use(name, f, name_span);
        }
        if self.is_value_name(name) {
            return MathError::new(format!("'{name}' is not a function"), name_span)
                .with_help(format!("to multiply, write {name}*(...)"));
        }
        let err = MathError::new(format!("unknown function '{name}'"), name_span);
        let known = self.known_functions();
        match suggestion(name, known.iter().copied()) {
            Some(help) => err.with_help(help),
            None => err.with_help(format!(
                "define it first, e.g. {name}(x) = x**2, or write {name}*(...) to multiply"
            )),
        }
    }

    fn is_value_name(&self, name: &str) -> bool {
        name == "pi"
            || name == "e"
            || self.scope.constants.contains_key(name)
            || self.params.is_some_and(|ps| ps.iter().any(|p| p == name))
    }

    fn substitute(
        body: &Node,
        params: &[String],
        vals: &[Node],
        span: &Range<usize>,
    ) -> Result<Node, MathError> {
        let map: Vec<(&str, &Node)> = params.iter().map(String::as_str).zip(vals.iter()).collect();
        let out = body
            .substitute(&map, &mut Budget::new())
            .map_err(|e| e.at_least(span.clone()))?;
        out.check_limits().map_err(|e| e.at_least(span.clone()))?;
        Ok(out)
    }

    fn diff(&self, args: &[Arg], span: &Range<usize>, primes: usize) -> Result<Node, MathError> {
        let usage = "diff(expr, w) or diff(expr, w, 2)";
        if primes > 0 {
            return Err(MathError::new("diff cannot take primes", span.clone())
                .with_help(format!("write {usage}")));
        }
        let a = Self::positional("diff", args, span, 1, 3, usage)?;
        let expr = self.expr(a[0])?;
        let var = match a.get(1) {
            Some(Syntax {
                kind: SyntaxKind::Name(v),
                span: vspan,
            }) => {
                if self.scope.constants.contains_key(v) || v == "pi" || v == "e" {
                    return Err(MathError::new(
                        format!("cannot differentiate with respect to '{v}': it is a constant"),
                        vspan.clone(),
                    ));
                }
                if self.scope.functions.contains_key(v) || is_reserved(v) {
                    return Err(MathError::new(
                        format!("cannot differentiate with respect to '{v}': it is a function"),
                        vspan.clone(),
                    ));
                }
                v.clone()
            }
            Some(other) => {
                return Err(MathError::new(
                    "diff's second argument must be a variable name",
                    other.span.clone(),
                )
                .with_help(format!("write {usage}")));
            }
            None => {
                let vars = expr.free_vars();
                match vars.as_slice() {
                    [v] => v.clone(),
                    [] => return Ok(Node::Num(Num::ZERO)),
                    _ => {
                        return Err(MathError::new(
                            format!(
                                "diff needs the variable: the expression has {}",
                                vars.join(", ")
                            ),
                            span.clone(),
                        )
                        .with_help(format!("write diff(expr, {})", vars[0])));
                    }
                }
            }
        };
        let order = match a.get(2) {
            None => 1,
            Some(s) => {
                let n = simplify(&self.expr(s)?);
                match n.as_num().and_then(Num::as_integral) {
                    Some(k) if (0..=MAX_ORDER as i64).contains(&k) => k as usize,
                    Some(k) if k > MAX_ORDER as i64 => {
                        return Err(MathError::new(
                            format!("derivative order {k} is too high (at most {MAX_ORDER})"),
                            s.span.clone(),
                        ));
                    }
                    _ => {
                        return Err(MathError::new(
                            "the order of a derivative must be a whole number 0 or more",
                            s.span.clone(),
                        ));
                    }
                }
            }
        };
        expr.check_limits().map_err(|e| e.at_least(span.clone()))?;
        check_constants(&expr).map_err(|e| e.at_least(a[0].span.clone()))?;
        derivative(&expr, &var, order).map_err(|e| e.at_least(span.clone()))
    }
}

/// A function definition ready to store.
pub(crate) fn define(
    scope: &Scope,
    name: &str,
    name_span: Range<usize>,
    params: &[(String, Range<usize>)],
    body: &Syntax,
) -> Result<FuncDef, MathError> {
    if is_reserved(name) {
        return Err(
            MathError::new(format!("cannot redefine the built-in '{name}'"), name_span)
                .with_help("choose another name, e.g. J or f"),
        );
    }
    for (p, ps) in params {
        if is_reserved(p) {
            return Err(MathError::new(
                format!("'{p}' cannot be a parameter: it is a built-in name"),
                ps.clone(),
            ));
        }
        if scope.functions.contains_key(p) {
            return Err(MathError::new(
                format!("'{p}' cannot be a parameter: it is a function"),
                ps.clone(),
            ));
        }
    }
    let names: Vec<String> = params.iter().map(|(p, _)| p.clone()).collect();
    let lower = Lower::new(scope, Some(&names), Some(name));
    let raw = lower.expr(body)?;
    raw.check_limits()
        .map_err(|e| e.at_least(body.span.clone()))?;
    let simplified = simplify(&raw);
    Ok(FuncDef {
        conditions: lower.take_conditions(),
        params: names,
        body: raw,
        simplified,
    })
}
