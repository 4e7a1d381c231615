//! Running one calc input in a [`Scope`]: definitions, values (evaluated
//! on the syntax tree so a domain error points at the call that failed,
//! exactly while the input is exact), and the built-ins that take keyword
//! arguments: `grad`, `nudge`, `descent` and `plot`.
//!
//! Every value at a point goes through the function's conditions first
//! (see `lower`), so a derivative, a gradient, a slope or a descent step
//! exists only where the function itself has a value.

use std::ops::Range;
use std::sync::Arc;

use super::ast::Node;
use super::descent::{self, Rate, Rates, Settings};
use super::diff::derivative;
use super::error::{MAX_SAMPLES, MAX_STEPS, MAX_TEXT, MAX_WORK, closest, suggestion};
use super::eval::{
    Domain, Fault, Product, Program, add_num, apply_num, check_constants, eval_num, power_num,
};
use super::lower::{Condition, Lower, check_constant_conditions, define, is_reserved, number};
use super::number::Num;
use super::parser::{Arg, Stmt, Syntax, SyntaxKind, parse_stmt};
use super::simplify::simplify;
use super::{
    ConstDef, Descent, DescentRow, Expr, FailedDef, FuncDef, MathError, Nudge, Origin, Plot, Scope,
    Surface, Tangent, Value,
};

/// Other tools' names for the options of `descent`, each with the option
/// it means, so that `lr=0.1` is answered with `alpha`.
const SYNONYMS: &[(&[&str], &str)] = &[
    (
        &["eta", "lr", "learning_rate", "rate", "step_size"],
        "alpha",
    ),
    (
        &[
            "n_steps",
            "nsteps",
            "num_steps",
            "iterations",
            "iters",
            "n_iter",
            "epochs",
        ],
        "steps",
    ),
    (&["beta", "mu"], "momentum"),
    (&["tolerance", "eps", "epsilon"], "tol"),
];

/// A keyword argument.
struct Keyword<'a> {
    name: &'a str,
    name_span: Range<usize>,
    value: &'a Syntax,
    upper: Option<&'a Syntax>,
    span: Range<usize>,
}

/// The function a built-in works on, with its parameters and bodies.
struct Target {
    name: String,
    /// False for an expression target (`grad(x**2 + y)`), whose name is
    /// its printed form.
    named: bool,
    params: Vec<String>,
    raw: Node,
    simplified: Node,
    conditions: Vec<Condition>,
}

impl Target {
    /// The variables bound to `point`, for look-ups.
    fn bind<'a>(&'a self, point: &'a [Num]) -> impl Fn(&str) -> Option<Num> + 'a {
        move |v| {
            self.params
                .iter()
                .position(|p| p == v)
                .map(|i| point[i].clone())
        }
    }

    /// The function's value at `point`, its conditions checked first.
    fn value_at(&self, point: &[Num]) -> Result<Num, MathError> {
        let lookup = self.bind(point);
        for c in &self.conditions {
            c.check(&lookup)?;
        }
        eval_num(&self.raw, &lookup).map_err(|f| f.to_error())
    }

    /// Checks that a derivative may be taken at `point`: the function has
    /// a value there.
    fn check_defined(&self, what: &str, point: &[Num]) -> Result<(), MathError> {
        self.value_at(point).map(|_| ()).map_err(|e| {
            if e.message.starts_with("the derivative of") {
                return e;
            }
            let who = if self.named {
                self.name.as_str()
            } else {
                "the function"
            };
            MathError {
                message: format!("{what} is undefined where {who} is: {}", e.message),
                ..e
            }
        })
    }

    /// `node` (a derivative of the function) at `point`, as a float.
    fn derivative_at(&self, node: &Node, point: &[Num]) -> Result<f64, MathError> {
        let v = eval_num(node, &self.bind(point)).map_err(|f| f.to_error())?;
        v.float().map_err(|o| Domain::Overflow(o).to_error())
    }

    /// The conditions as plain trees, for compiled programs.
    fn condition_nodes(&self) -> Vec<Node> {
        self.conditions.iter().map(|c| c.node.clone()).collect()
    }

    /// Keyword arguments naming every parameter, for usage hints:
    /// `w1=1, w2=1`.
    fn example_point(&self) -> String {
        self.params
            .iter()
            .map(|p| format!("{p}=1"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl Scope {
    fn lower(&self) -> Lower<'_> {
        Lower::new(self, None, None)
    }

    /// Runs one parsed input.
    pub(super) fn run_input(&mut self, input: &str) -> Result<Value, MathError> {
        let stmt = match parse_stmt(input) {
            Ok(stmt) => stmt,
            Err(err) => {
                // `name = <something unreadable>` still defines the name,
                // as failed, so later uses say so.
                if let Some((name, span)) = defined_name(input)
                    && !is_reserved(name)
                {
                    self.fail_constant(name.to_string(), &input[span], &err);
                }
                return Err(err);
            }
        };
        match stmt {
            Stmt::Empty => Ok(Value::Nothing),
            Stmt::Constant {
                name,
                name_span,
                value,
            } => {
                if is_reserved(&name) {
                    return Err(MathError::new(
                        format!("cannot redefine the built-in '{name}'"),
                        name_span,
                    )
                    .with_help("choose another name"));
                }
                let result = self.constant_value(&name, &value);
                self.functions.remove(&name);
                match result {
                    Ok(v) => {
                        self.constants.insert(name, ConstDef::Value(v));
                        Ok(Value::Nothing)
                    }
                    Err(err) => {
                        self.fail_constant(name, &input[name_span.start..value.span.end], &err);
                        Err(err)
                    }
                }
            }
            Stmt::Function {
                name,
                name_span,
                params,
                body,
            } => {
                let def = define(self, &name, name_span, &params, &body)?;
                self.constants.remove(&name);
                self.functions.insert(name, Arc::new(def));
                Ok(Value::Nothing)
            }
            Stmt::Expr(s) => self.expression(&s),
        }
    }

    /// Records that the definition of the constant `name`, written
    /// `definition`, failed with `err`.
    fn fail_constant(&mut self, name: String, definition: &str, err: &MathError) {
        let failed = FailedDef {
            definition: shorten(definition),
            reason: match &err.origin {
                Some(o) => format!("'{}' has no value", o.name),
                None => err.message.clone(),
            },
            origin: Origin {
                name: name.clone(),
                tag: self.tag,
                span: err.span.clone(),
            },
        };
        self.functions.remove(&name);
        self.constants
            .insert(name, ConstDef::Failed(Arc::new(failed)));
    }

    /// The value of a constant's right side: a number, exact while the
    /// right side is. A name with no value in it is an error, as in a
    /// function's body.
    fn constant_value(&self, name: &str, value: &Syntax) -> Result<Num, MathError> {
        let lower = self.lower();
        let node = lower.expr(value)?;
        node.check_limits()
            .map_err(|e| e.at_least(value.span.clone()))?;
        if let Some(free) = node.free_vars().first() {
            let span = find_name(value, free).unwrap_or_else(|| value.span.clone());
            let candidates = self.constants.keys().map(String::as_str);
            let help = suggestion(free, candidates).unwrap_or_else(|| {
                format!(
                    "a constant is a number: define {free} first ({free} = ...), or make {name} a function: {name}({free}) = ..."
                )
            });
            return Err(MathError::new(
                format!("unknown name '{free}' in the definition of {name}"),
                span,
            )
            .with_help(help));
        }
        self.eval_syntax(value)
    }

    fn expression(&self, s: &Syntax) -> Result<Value, MathError> {
        if let SyntaxKind::Call {
            name,
            primes: 0,
            args,
            ..
        } = &s.kind
        {
            let span = s.span.clone();
            match name.as_str() {
                "grad" => return self.grad(args, span),
                "nudge" => return self.nudge(args, span),
                "descent" => return self.descent(args, span),
                "plot" => return self.plot(args, span),
                "diff" | "simplify" => {
                    let lower = self.lower();
                    let node = lower.expr(s)?;
                    check_constant_conditions(&lower.take_conditions())
                        .map_err(|e| e.at_least(s.span.clone()))?;
                    return symbolic(node, &s.span);
                }
                _ => {}
            }
        }
        let lower = self.lower();
        let node = lower.expr(s)?;
        node.check_limits()
            .map_err(|e| e.at_least(s.span.clone()))?;
        if node.free_vars().is_empty() {
            let v = self.eval_syntax(s)?;
            let x = v
                .float()
                .map_err(|o| Domain::Overflow(o).to_error().at_least(s.span.clone()))?;
            Ok(Value::Number(x))
        } else {
            check_constant_conditions(&lower.take_conditions())
                .map_err(|e| e.at_least(s.span.clone()))?;
            check_constants(&node).map_err(|e| e.at_least(s.span.clone()))?;
            symbolic(simplify(&node), &s.span)
        }
    }

    /// Evaluates syntax that has no free variables: exactly while it is
    /// exact, in floats from the first float or inexact operation on.
    pub(super) fn eval_syntax(&self, s: &Syntax) -> Result<Num, MathError> {
        let at = |d: Domain| d.to_error().at_least(s.span.clone());
        match &s.kind {
            SyntaxKind::Num(t) => number(t, s.span.clone()),
            SyntaxKind::Neg(a) => Ok(self.eval_syntax(a)?.neg()),
            SyntaxKind::Sum(terms) => {
                let mut sum = Num::ZERO;
                for (negative, t) in terms {
                    let v = self.eval_syntax(t)?;
                    let v = if *negative { v.neg() } else { v };
                    sum = add_num(&sum, &v).map_err(at)?;
                }
                Ok(sum)
            }
            SyntaxKind::Product(fs) => {
                let mut product = Product::new();
                self.product_parts(fs, false, &mut product)?;
                product.value().map_err(at)
            }
            SyntaxKind::Pow(a, b) => {
                let (x, y) = (self.eval_syntax(a)?, self.eval_syntax(b)?);
                power_num(&x, &y).map_err(at)
            }
            SyntaxKind::Call {
                name,
                primes: 0,
                args,
                ..
            } if args.len() == 1 && args[0].keyword.is_none() && args[0].upper.is_none() => {
                if let Some(f) = super::ast::Func::from_name(name) {
                    let x = self.eval_syntax(&args[0].value)?;
                    return apply_num(f, &x).map_err(at);
                }
                if name == "sqrt" {
                    let x = self.eval_syntax(&args[0].value)?;
                    return power_num(&x, &Num::rat(1, 2)).map_err(at);
                }
                self.eval_lowered(s)
            }
            SyntaxKind::Call {
                name,
                primes: 0,
                args,
                ..
            } if self.functions.contains_key(name) => {
                let def = &self.functions[name];
                if args.len() != def.params.len() {
                    return self.eval_lowered(s);
                }
                let mut vals = Vec::with_capacity(args.len());
                for a in args {
                    vals.push(self.eval_syntax(&a.value)?);
                }
                eval_def(def, &vals).map_err(|e| e.at_least(s.span.clone()))
            }
            _ => self.eval_lowered(s),
        }
    }

    /// Gives a product's factors to `product`, as `eval::product` does for
    /// trees: the exact factors meet the floats once, as one exact number,
    /// and the floats are divided once. Products inside are opened one
    /// level only (`1/(2**1025*x)`), so an inverted zero stays a division
    /// by zero.
    fn product_parts(
        &self,
        fs: &[(bool, Syntax)],
        inverted: bool,
        product: &mut Product,
    ) -> Result<(), MathError> {
        for (div, f) in fs {
            let divide = inverted != *div;
            if let SyntaxKind::Product(inner) = &f.kind
                && !inverted
            {
                self.product_parts(inner, divide, product)?;
                continue;
            }
            let v = self.eval_syntax(f)?;
            if (divide || *div) && v.is_zero() {
                return Err(Domain::DivZero.to_error().at_least(f.span.clone()));
            }
            product
                .take(&v, divide)
                .map_err(|d| d.to_error().at_least(f.span.clone()))?;
        }
        Ok(())
    }

    fn eval_lowered(&self, s: &Syntax) -> Result<Num, MathError> {
        let lower = self.lower();
        let node = lower.expr(s)?;
        check_constant_conditions(&lower.take_conditions())
            .map_err(|e| e.at_least(s.span.clone()))?;
        eval_num(&node, &|_| None).map_err(|f| f.to_error().at_least(s.span.clone()))
    }

    /// A number-valued argument, exact when it is written exactly.
    fn exact_arg(&self, s: &Syntax) -> Result<Num, MathError> {
        let node = self.lower().expr(s)?;
        if let Some(v) = node.free_vars().first() {
            return Err(
                MathError::new(format!("'{v}' has no value"), s.span.clone())
                    .with_help(format!("define it first: {v} = ...")),
            );
        }
        self.eval_syntax(s)
    }

    /// A number-valued argument as a float.
    fn number_arg(&self, s: &Syntax) -> Result<f64, MathError> {
        self.exact_arg(s)?
            .float()
            .map_err(|o| Domain::Overflow(o).to_error().at_least(s.span.clone()))
    }

    fn split_args<'a>(
        call: &str,
        args: &'a [Arg],
    ) -> Result<(Vec<&'a Syntax>, Vec<Keyword<'a>>), MathError> {
        let mut positional = Vec::new();
        let mut keywords: Vec<Keyword<'a>> = Vec::new();
        for a in args {
            match &a.keyword {
                Some((k, ks)) => {
                    if keywords.iter().any(|kw| kw.name == k) {
                        return Err(MathError::new(
                            format!("'{k}' is given twice in {call}(...)"),
                            ks.clone(),
                        ));
                    }
                    keywords.push(Keyword {
                        name: k,
                        name_span: ks.clone(),
                        value: &a.value,
                        upper: a.upper.as_ref(),
                        span: a.span.clone(),
                    });
                }
                None => {
                    if !keywords.is_empty() {
                        return Err(MathError::new(
                            format!("in {call}(...), positional arguments come before keywords"),
                            a.span.clone(),
                        ));
                    }
                    if let Some(u) = &a.upper {
                        return Err(MathError::new(
                            "a range needs a variable name: w=-4..4",
                            a.value.span.start..u.span.end,
                        ));
                    }
                    positional.push(&a.value);
                }
            }
        }
        Ok((positional, keywords))
    }

    /// The function named by the first argument of a built-in.
    fn target(
        &self,
        call: &str,
        positional: &[&Syntax],
        span: &Range<usize>,
        usage: &str,
        allow_expr: bool,
    ) -> Result<Target, MathError> {
        let Some(first) = positional.first() else {
            return Err(
                MathError::new(format!("{call} needs a function"), span.clone())
                    .with_help(format!("write {usage}")),
            );
        };
        if let Some(extra) = positional.get(1) {
            return Err(MathError::new(
                format!("{call} takes one function and keyword arguments"),
                extra.span.clone(),
            )
            .with_help(format!("write {usage}")));
        }
        if let SyntaxKind::Name(n) = &first.kind {
            if let Some(def) = self.functions.get(n) {
                return Ok(Target {
                    name: n.clone(),
                    named: true,
                    params: def.params.clone(),
                    raw: def.body.clone(),
                    simplified: def.simplified.clone(),
                    conditions: def.conditions.clone(),
                });
            }
            if !allow_expr || !self.constants.contains_key(n) {
                let mut err = MathError::new(format!("unknown function '{n}'"), first.span.clone());
                let names = self.functions.keys().map(String::as_str);
                err = match suggestion(n, names) {
                    Some(help) => err.with_help(help),
                    None => err.with_help(format!("define it first, e.g. {n}(w) = w**2")),
                };
                return Err(err);
            }
        }
        if !allow_expr {
            return Err(MathError::new(
                format!("{call} needs the name of a defined function"),
                first.span.clone(),
            )
            .with_help(format!(
                "define one first, e.g. J(w) = w**2, then write {usage}"
            )));
        }
        let lower = self.lower();
        let raw = lower.expr(first)?;
        raw.check_limits()
            .map_err(|e| e.at_least(first.span.clone()))?;
        let simplified = simplify(&raw);
        Ok(Target {
            name: super::format::to_text(&simplified),
            named: false,
            params: raw.free_vars(),
            raw,
            simplified,
            conditions: lower.take_conditions(),
        })
    }

    /// Checks that every keyword is a parameter of the target or one of
    /// `options`, and that every parameter is given.
    fn check_keywords(
        call: &str,
        target: &Target,
        keywords: &[Keyword<'_>],
        options: &[&str],
        span: &Range<usize>,
        usage: &str,
    ) -> Result<(), MathError> {
        for kw in keywords {
            let known = target.params.iter().any(|p| p == kw.name) || options.contains(&kw.name);
            if !known {
                let candidates = target
                    .params
                    .iter()
                    .map(String::as_str)
                    .chain(options.iter().copied());
                let mut err = MathError::new(
                    format!("{call}(...) has no argument '{}'", kw.name),
                    kw.name_span.clone(),
                );
                let synonym = SYNONYMS
                    .iter()
                    .find(|(names, _)| names.contains(&kw.name))
                    .map(|&(_, option)| option)
                    .filter(|option| options.contains(option));
                err = match synonym.or_else(|| closest(kw.name, candidates)) {
                    Some(s) => err.with_help(format!("did you mean '{s}'?")),
                    None => err.with_help(format!(
                        "{}'s parameters are {}; write {usage}",
                        target.name,
                        target.params.join(", ")
                    )),
                };
                return Err(err);
            }
        }
        for p in &target.params {
            if !keywords.iter().any(|kw| kw.name == p) {
                return Err(MathError::new(
                    format!("{call}(...) needs a value for {p}"),
                    span.clone(),
                )
                .with_help(format!("write {usage}")));
            }
        }
        Ok(())
    }

    /// The point given by the keywords, one exact-or-float number per
    /// parameter (every parameter is known to be given).
    fn point(&self, target: &Target, keywords: &[Keyword<'_>]) -> Result<Vec<Num>, MathError> {
        let mut out = Vec::with_capacity(target.params.len());
        for p in &target.params {
            let kw = keywords.iter().find(|kw| kw.name == p);
            match kw {
                Some(kw) => {
                    if let Some(u) = kw.upper {
                        return Err(MathError::new(
                            "a range is only for plot",
                            kw.value.span.start..u.span.end,
                        ));
                    }
                    out.push(self.exact_arg(kw.value)?);
                }
                None => out.push(Num::Float(f64::NAN)),
            }
        }
        Ok(out)
    }

    /// The point as floats (for descent's start).
    fn float_point(
        &self,
        target: &Target,
        keywords: &[Keyword<'_>],
    ) -> Result<Vec<f64>, MathError> {
        let point = self.point(target, keywords)?;
        let mut out = Vec::with_capacity(point.len());
        for (x, p) in point.iter().zip(&target.params) {
            let kw = keywords.iter().find(|kw| kw.name == p);
            out.push(x.float().map_err(|o| {
                let span = kw.map_or(0..0, |kw| kw.span.clone());
                Domain::Overflow(o).to_error().at_least(span)
            })?);
        }
        Ok(out)
    }

    fn option(
        &self,
        keywords: &[Keyword<'_>],
        name: &str,
    ) -> Result<Option<(f64, Range<usize>)>, MathError> {
        match keywords.iter().find(|kw| kw.name == name) {
            Some(kw) => {
                if let Some(u) = kw.upper {
                    return Err(MathError::new(
                        format!("'{name}' takes a number, not a range"),
                        kw.value.span.start..u.span.end,
                    ));
                }
                Ok(Some((self.number_arg(kw.value)?, kw.span.clone())))
            }
            None => Ok(None),
        }
    }

    fn grad(&self, args: &[Arg], span: Range<usize>) -> Result<Value, MathError> {
        let usage = "grad(L) or grad(L, w1=1, w2=2)";
        let (positional, keywords) = Self::split_args("grad", args)?;
        let target = self.target("grad", &positional, &span, usage, true)?;
        let partials: Vec<Node> = target
            .params
            .iter()
            .map(|p| derivative(&target.simplified, p, 1))
            .collect::<Result<_, _>>()
            .map_err(|e| e.at_least(span.clone()))?;
        if keywords.is_empty() {
            check_constant_conditions(&target.conditions).map_err(|e| e.at_least(span.clone()))?;
            let mut size = 0usize;
            let mut out = Vec::with_capacity(partials.len());
            for node in partials {
                size += node.text_size();
                if size > MAX_TEXT {
                    return Err(too_long(&span));
                }
                out.push(symbolic(node, &span)?);
            }
            return Ok(Value::Vector(out));
        }
        let usage = format!("grad({}, {})", target.name, target.example_point());
        Self::check_keywords("grad", &target, &keywords, &[], &span, &usage)?;
        let point = self.point(&target, &keywords)?;
        let what = if target.named {
            format!("the gradient of {}", target.name)
        } else {
            "the gradient".to_string()
        };
        target
            .check_defined(&what, &point)
            .map_err(|e| e.at_least(span.clone()))?;
        let mut out = Vec::with_capacity(partials.len());
        for d in &partials {
            let v = target
                .derivative_at(d, &point)
                .map_err(|e| e.at_least(span.clone()))?;
            out.push(Value::Number(v));
        }
        Ok(Value::Vector(out))
    }

    fn one_variable(call: &str, target: &Target, span: &Range<usize>) -> Result<(), MathError> {
        if target.params.len() != 1 {
            return Err(MathError::new(
                format!(
                    "{call} needs a function of one variable, but {} has {} ({})",
                    target.name,
                    target.params.len(),
                    target.params.join(", ")
                ),
                span.clone(),
            ));
        }
        Ok(())
    }

    fn nudge(&self, args: &[Arg], span: Range<usize>) -> Result<Value, MathError> {
        let usage = "nudge(J, w=3, eps=0.001)";
        let (positional, keywords) = Self::split_args("nudge", args)?;
        let target = self.target("nudge", &positional, &span, usage, false)?;
        Self::one_variable("nudge", &target, &span)?;
        let usage = format!("nudge({}, {}=3, eps=0.001)", target.name, target.params[0]);
        Self::check_keywords("nudge", &target, &keywords, &["eps"], &span, &usage)?;
        let at = self.point(&target, &keywords)?.swap_remove(0);
        let eps = match keywords.iter().find(|kw| kw.name == "eps") {
            Some(kw) => {
                let e = self.option(&keywords, "eps")?.map(|(e, _)| e);
                if e.is_none_or(|e| e == 0.0 || !e.is_finite()) {
                    return Err(MathError::new(
                        "eps must be a non-zero number",
                        kw.span.clone(),
                    ));
                }
                self.exact_arg(kw.value)?
            }
            None => Num::rat(1, 1000),
        };
        let float = |n: &Num| {
            n.float()
                .map_err(|o| Domain::Overflow(o).to_error().at_least(span.clone()))
        };
        let value_at = |x: &Num| {
            target
                .value_at(std::slice::from_ref(x))
                .and_then(|v| v.float().map_err(|o| Domain::Overflow(o).to_error()))
                .map_err(|e| e.at_least(span.clone()))
        };
        let value = value_at(&at)?;
        let nudged = at.add(&eps);
        let nudged_value = value_at(&nudged)?;
        let p = &target.params;
        let d = derivative(&target.simplified, &p[0], 1).map_err(|e| e.at_least(span.clone()))?;
        let slope = target
            .derivative_at(&d, std::slice::from_ref(&at))
            .map_err(|e| e.at_least(span.clone()))?;
        Ok(Value::Nudge(Nudge {
            func: target.name,
            var: p[0].clone(),
            at: float(&at)?,
            eps: float(&eps)?,
            value,
            nudged_value,
            slope,
        }))
    }

    fn descent(&self, args: &[Arg], span: Range<usize>) -> Result<Value, MathError> {
        let (target, trace, _) = self.run_descent("descent", args, &span, true)?;
        let vars: Vec<&str> = target.params.iter().map(String::as_str).collect();
        let guards = target.condition_nodes();
        let value = Program::compile_guarded(&target.raw, &guards, &vars)
            .map_err(|e| e.at_least(span.clone()))?;
        let n = trace.n;
        let rows = (0..trace.rows())
            .map(|i| DescentRow {
                step: i,
                point: trace.point[i * n..(i + 1) * n].to_vec(),
                value: trace.value[i],
                grad: trace.grad[i * n..(i + 1) * n].to_vec(),
            })
            .collect();
        Ok(Value::Descent(Descent {
            func: target.name,
            vars: target.params,
            rows,
            surface: Surface {
                program: Arc::new(value),
            },
        }))
    }

    /// The number of steps `descent` with the same arguments takes: with
    /// `tol`, the step at which it stops. The run keeps no rows.
    pub(crate) fn descent_steps(
        &self,
        args: &[Arg],
        span: &Range<usize>,
    ) -> Result<usize, MathError> {
        let (_, trace, settings) = self.run_descent("descent_steps", args, span, false)?;
        if settings
            .tol
            .is_none_or(|tol| descent::norm(&trace.grad) >= tol)
        {
            return Err(MathError::new(
                format!(
                    "descent had not reached tol after {} steps, so there is no count to give",
                    trace.steps
                ),
                span.clone(),
            )
            .with_help("give more steps, a larger tol, or a larger alpha"));
        }
        Ok(trace.steps)
    }

    /// Reads the arguments of `descent` (or `descent_steps`, which needs
    /// `tol`) and runs it, keeping every row when `record_all`; returns the
    /// settings it ran with too.
    fn run_descent(
        &self,
        call: &str,
        args: &[Arg],
        span: &Range<usize>,
        record_all: bool,
    ) -> Result<(Target, descent::Trace, Settings), MathError> {
        let example = if record_all { "steps=5" } else { "tol=1e-6" };
        let usage = format!("{call}(J, w=3, alpha=0.1, {example})");
        let (positional, keywords) = Self::split_args(call, args)?;
        let target = self.target(call, &positional, span, &usage, false)?;
        let usage = format!(
            "{call}({}, {}, alpha=0.1, {example})",
            target.name,
            target.example_point()
        );
        let options = ["alpha", "steps", "momentum", "tol"];
        Self::check_keywords(call, &target, &keywords, &options, span, &usage)?;
        let start = self.float_point(&target, &keywords)?;
        let (mut settings, rates) = self.descent_settings(&keywords, span, &usage)?;
        if !record_all && settings.tol.is_none() {
            return Err(MathError::new(
                format!("{call} needs tol: it counts the steps until the gradient is small"),
                span.clone(),
            )
            .with_help(format!("write {usage}")));
        }
        settings.record_all = record_all;
        let vars: Vec<&str> = target.params.iter().map(String::as_str).collect();
        let guards = target.condition_nodes();
        let trace = descent::descend(
            &target.raw,
            &target.simplified,
            &guards,
            &vars,
            &start,
            settings,
            &rates,
            self.cells_left,
            self.work(),
        )
        .map_err(|e| e.at_least(span.clone()))?;
        Ok((target, trace, settings))
    }

    /// The learning rate, steps, momentum and tolerance of a `descent`
    /// call, each checked, and the rates as they were written (an exact
    /// `alpha=7/10` multiplies exactly, rounded once).
    fn descent_settings(
        &self,
        keywords: &[Keyword<'_>],
        span: &Range<usize>,
        usage: &str,
    ) -> Result<(Settings, Rates), MathError> {
        let alpha = match self.option(keywords, "alpha")? {
            Some((a, aspan)) if !a.is_finite() => {
                return Err(MathError::new("alpha must be a finite number", aspan));
            }
            Some((a, _)) => a,
            None => {
                return Err(
                    MathError::new("descent needs a learning rate", span.clone())
                        .with_help(format!("write {usage}")),
                );
            }
        };
        let tol = match self.option(keywords, "tol")? {
            Some((t, tspan)) if t.is_nan() || t <= 0.0 => {
                return Err(MathError::new("tol must be a positive number", tspan));
            }
            other => other.map(|(t, _)| t),
        };
        let steps = match self.option(keywords, "steps")? {
            Some((s, sspan)) => {
                if s.fract() != 0.0 || s < 0.0 {
                    return Err(MathError::new(
                        "steps must be a whole number 0 or more",
                        sspan,
                    ));
                }
                if s > MAX_STEPS as f64 {
                    return Err(MathError::new(
                        format!("at most {MAX_STEPS} steps are allowed"),
                        sspan,
                    ));
                }
                s as usize
            }
            None if tol.is_some() => MAX_STEPS,
            None => {
                return Err(
                    MathError::new("descent needs a number of steps", span.clone()).with_help(
                        format!(
                            "write {usage}, or give tol=1e-8 to run until the gradient is small"
                        ),
                    ),
                );
            }
        };
        let momentum = match self.option(keywords, "momentum")? {
            Some((m, mspan)) if !(0.0..1.0).contains(&m) => {
                return Err(MathError::new(
                    "momentum must be at least 0 and below 1",
                    mspan,
                ));
            }
            other => other.map_or(0.0, |(m, _)| m),
        };
        let exact = |name: &str, float: f64| match keywords.iter().find(|kw| kw.name == name) {
            Some(kw) => self.exact_arg(kw.value).map(Rate::new),
            None => Ok(Rate::Float(float)),
        };
        let rates = Rates {
            alpha: exact("alpha", alpha)?,
            momentum: exact("momentum", momentum)?,
        };
        let settings = Settings {
            alpha,
            steps,
            momentum,
            tol,
            record_all: true,
        };
        Ok((settings, rates))
    }

    /// Checks that a plot's `work` fits in [`MAX_WORK`] and in what the
    /// scope's runs have left of it, and spends it.
    fn spend_plot_work(&self, work: usize, span: &Range<usize>) -> Result<(), MathError> {
        if work > MAX_WORK {
            return Err(MathError::new(
                "plot would take too long: use fewer samples or a smaller function",
                span.clone(),
            ));
        }
        if work > self.work_left() {
            return Err(MathError::new(
                format!("the descents and plots of one page share {MAX_WORK} stack-machine instructions, and this plot would pass them"),
                span.clone(),
            )
            .with_help("use fewer samples here, or fewer steps in the page's earlier runs"));
        }
        self.spend_work(work);
        Ok(())
    }

    fn plot(&self, args: &[Arg], span: Range<usize>) -> Result<Value, MathError> {
        let usage = "plot(J, w=-4..4) or plot(J, w=-4..4, at=3)";
        let (positional, keywords) = Self::split_args("plot", args)?;
        let target = self.target("plot", &positional, &span, usage, false)?;
        Self::one_variable("plot", &target, &span)?;
        let var = target.params[0].clone();
        let usage = format!("plot({}, {var}=-4..4, at=3)", target.name);
        Self::check_keywords(
            "plot",
            &target,
            &keywords,
            &["at", "samples"],
            &span,
            &usage,
        )?;
        let Some(kw) = keywords.iter().find(|kw| kw.name == var) else {
            return Err(
                MathError::new(format!("plot needs a range for {var}"), span)
                    .with_help(format!("write {usage}")),
            );
        };
        let Some(upper) = kw.upper else {
            return Err(MathError::new(
                format!("plot needs a range for {var}, like {var}=-4..4"),
                kw.span.clone(),
            ));
        };
        let lo = self.number_arg(kw.value)?;
        let hi = self.number_arg(upper)?;
        if !(lo.is_finite() && hi.is_finite() && lo < hi) {
            return Err(MathError::new(
                "the plot range must go from a smaller to a larger finite number",
                kw.span.clone(),
            ));
        }
        let samples = match self.option(&keywords, "samples")? {
            Some((s, sspan)) => {
                if s.fract() != 0.0 || !(2.0..=MAX_SAMPLES as f64).contains(&s) {
                    return Err(MathError::new(
                        format!("samples must be a whole number from 2 to {MAX_SAMPLES}"),
                        sspan,
                    ));
                }
                s as usize
            }
            None => 201,
        };
        let program =
            Program::compile_guarded(&target.raw, &target.condition_nodes(), &[var.as_str()])
                .map_err(|e| e.at_least(span.clone()))?;
        self.spend_plot_work(program.cost().saturating_mul(samples), &span)?;
        let mut stack = vec![0.0; program.stack_size().max(1)];
        let samples: Vec<(f64, Option<f64>)> = (0..samples)
            .map(|i| {
                let x = if i + 1 == samples {
                    hi
                } else {
                    lo + (hi - lo) * i as f64 / (samples - 1) as f64
                };
                let y = program.run(&[x], &mut stack).ok().filter(|y| y.is_finite());
                (x, y)
            })
            .collect();
        let tangent = match keywords.iter().find(|kw| kw.name == "at") {
            None => None,
            Some(kw) => {
                let aspan = kw.span.clone();
                let at = self.option(&keywords, "at")?.map_or(f64::NAN, |(a, _)| a);
                let point = [self.exact_arg(kw.value)?];
                let value = target
                    .value_at(&point)
                    .and_then(|v| v.float().map_err(|o| Domain::Overflow(o).to_error()))
                    .map_err(|e| e.at_least(aspan.clone()))?;
                let d = derivative(&target.simplified, &var, 1)
                    .map_err(|e| e.at_least(span.clone()))?;
                let slope = target
                    .derivative_at(&d, &point)
                    .map_err(|e| e.at_least(aspan.clone()))?;
                Some(Tangent { at, value, slope })
            }
        };
        Ok(Value::Plot(Plot {
            func: target.name,
            var,
            range: (lo, hi),
            samples,
            tangent,
        }))
    }
}

/// The name an input that reads `name = ...` defines, with the span from
/// the name to the end of the input without its comment, even when the
/// rest cannot be read.
fn defined_name(input: &str) -> Option<(&str, Range<usize>)> {
    let start = input.len() - input.trim_start().len();
    let rest = &input[start..];
    let end = rest
        .char_indices()
        .find(|&(i, c)| !(c.is_alphabetic() || c == '_' || i > 0 && c.is_alphanumeric()))
        .map_or(rest.len(), |(i, _)| i);
    let after = rest[end..].trim_start();
    if end == 0 || !after.starts_with('=') || after.starts_with("==") {
        return None;
    }
    let stop = input.find('#').unwrap_or(input.len()).max(start + end);
    let text_end = start + input[start..stop].trim_end().len();
    Some((&rest[..end], start..text_end))
}

/// Where `name` is first written in `s`, outside a keyword's name.
fn find_name(s: &Syntax, name: &str) -> Option<Range<usize>> {
    match &s.kind {
        SyntaxKind::Num(_) => None,
        SyntaxKind::Name(n) => (n == name).then(|| s.span.clone()),
        SyntaxKind::Neg(a) => find_name(a, name),
        SyntaxKind::Sum(xs) | SyntaxKind::Product(xs) => {
            xs.iter().find_map(|(_, x)| find_name(x, name))
        }
        SyntaxKind::Pow(a, b) => find_name(a, name).or_else(|| find_name(b, name)),
        SyntaxKind::Call { args, .. } => args.iter().find_map(|a| {
            find_name(&a.value, name).or_else(|| a.upper.as_ref().and_then(|u| find_name(u, name)))
        }),
    }
}

/// `text` cut to at most 60 characters for a message, with `…` when cut.
fn shorten(text: &str) -> String {
    let text = text.trim();
    if text.chars().count() <= 60 {
        return text.to_string();
    }
    let cut: String = text.chars().take(59).collect();
    format!("{}…", cut.trim_end())
}

/// A defined function's value at `vals`, its conditions checked first.
fn eval_def(def: &FuncDef, vals: &[Num]) -> Result<Num, MathError> {
    let lookup = |v: &str| {
        def.params
            .iter()
            .position(|p| p == v)
            .map(|i| vals[i].clone())
    };
    for c in &def.conditions {
        c.check(&lookup)?;
    }
    eval_num(&def.body, &lookup).map_err(|f: Fault| f.to_error())
}

/// A symbolic result, checked: within the limits, no float that
/// overflowed (`inf*w` could not be read back), short enough to print.
fn symbolic(node: Node, span: &Range<usize>) -> Result<Value, MathError> {
    node.check_limits().map_err(|e| e.at_least(span.clone()))?;
    if node.has_non_finite() {
        return Err(MathError::new(
            "the result overflows: a number in it is beyond the largest floating-point number (about 1.8e+308)",
            span.clone(),
        )
        .with_help("write large numbers exactly (10**400, not 1e400), or scale the expression"));
    }
    if node.text_size() > MAX_TEXT {
        return Err(too_long(span));
    }
    Ok(Value::Expr(Expr { node }))
}

fn too_long(span: &Range<usize>) -> MathError {
    MathError::new(
        format!("the result is too long to print (more than {MAX_TEXT} bytes)"),
        span.clone(),
    )
}
