//! Running one calc input in a [`Scope`]: definitions, values (evaluated
//! on the syntax tree so a domain error points at the call that failed),
//! and the built-ins that take keyword arguments: `grad`, `nudge`,
//! `descent` and `plot`.

use std::ops::Range;
use std::sync::Arc;

use super::ast::Node;
use super::descent::{self, Settings};
use super::diff::derivative;
use super::error::{MAX_SAMPLES, MAX_STEPS, MAX_WORK, closest};
use super::eval::{Domain, Program, apply, eval_tree, power};
use super::lower::{Lower, define, is_reserved, number};
use super::parser::{Arg, Stmt, Syntax, SyntaxKind, parse_stmt};
use super::simplify::simplify;
use super::{
    Descent, DescentRow, Expr, FuncDef, MathError, Nudge, Plot, Scope, Surface, Tangent, Value,
};

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
    params: Vec<String>,
    raw: Node,
    simplified: Node,
}

impl Target {
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
        Lower {
            scope: self,
            params: None,
            defining: None,
        }
    }

    /// Runs one parsed input.
    pub(super) fn run_input(&mut self, input: &str) -> Result<Value, MathError> {
        match parse_stmt(input)? {
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
                let node = self.lower().expr(&value)?;
                node.check_limits()
                    .map_err(|e| e.at_least(value.span.clone()))?;
                if node.free_vars().is_empty() {
                    self.eval_syntax(&value)?;
                }
                self.functions.remove(&name);
                self.constants.insert(name, simplify(&node));
                Ok(Value::Nothing)
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
                    let node = self.lower().expr(s)?;
                    return Ok(Value::Expr(Expr { node }));
                }
                _ => {}
            }
        }
        let node = self.lower().expr(s)?;
        node.check_limits()
            .map_err(|e| e.at_least(s.span.clone()))?;
        if node.free_vars().is_empty() {
            Ok(Value::Number(self.eval_syntax(s)?))
        } else {
            Ok(Value::Expr(Expr {
                node: simplify(&node),
            }))
        }
    }

    /// Evaluates syntax that has no free variables.
    pub(super) fn eval_syntax(&self, s: &Syntax) -> Result<f64, MathError> {
        let at = |d: Domain| d.to_error().at_least(s.span.clone());
        match &s.kind {
            SyntaxKind::Num(t) => Ok(number(t, s.span.clone())?.to_f64()),
            SyntaxKind::Neg(a) => Ok(-self.eval_syntax(a)?),
            SyntaxKind::Sum(terms) => {
                let mut sum = 0.0;
                for (negative, t) in terms {
                    let v = self.eval_syntax(t)?;
                    sum += if *negative { -v } else { v };
                }
                Ok(sum)
            }
            SyntaxKind::Product(fs) => {
                let mut p = 1.0;
                for (div, f) in fs {
                    let v = self.eval_syntax(f)?;
                    if *div {
                        if v == 0.0 {
                            return Err(Domain::DivZero.to_error().at_least(f.span.clone()));
                        }
                        p /= v;
                    } else {
                        p *= v;
                    }
                }
                Ok(p)
            }
            SyntaxKind::Pow(a, b) => {
                let (x, y) = (self.eval_syntax(a)?, self.eval_syntax(b)?);
                power(x, y).map_err(at)
            }
            SyntaxKind::Call {
                name,
                primes: 0,
                args,
                ..
            } if args.len() == 1 && args[0].keyword.is_none() && args[0].upper.is_none() => {
                if let Some(f) = super::ast::Func::from_name(name) {
                    let x = self.eval_syntax(&args[0].value)?;
                    return apply(f, x).map_err(at);
                }
                if name == "sqrt" {
                    let x = self.eval_syntax(&args[0].value)?;
                    return if x < 0.0 {
                        Err(at(Domain::Sqrt(x)))
                    } else {
                        Ok(x.sqrt())
                    };
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
                eval_def(def, &def.body, &vals).map_err(|e| e.at_least(s.span.clone()))
            }
            _ => self.eval_lowered(s),
        }
    }

    fn eval_lowered(&self, s: &Syntax) -> Result<f64, MathError> {
        let node = self.lower().expr(s)?;
        eval_tree(&node, &|_| None).map_err(|e| e.at_least(s.span.clone()))
    }

    /// A number-valued argument.
    fn number_arg(&self, s: &Syntax) -> Result<f64, MathError> {
        let node = self.lower().expr(s)?;
        if let Some(v) = node.free_vars().first() {
            return Err(
                MathError::new(format!("'{v}' has no value"), s.span.clone())
                    .with_help(format!("define it first: {v} = ...")),
            );
        }
        self.eval_syntax(s)
    }

    fn split_args<'a>(
        &self,
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
                    params: def.params.clone(),
                    raw: def.body.clone(),
                    simplified: def.simplified.clone(),
                });
            }
            if !allow_expr || !self.constants.contains_key(n) {
                let mut err = MathError::new(format!("unknown function '{n}'"), first.span.clone());
                let names = self.functions.keys().map(String::as_str);
                err = match closest(n, names) {
                    Some(s) => err.with_help(format!("did you mean '{s}'?")),
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
        let raw = self.lower().expr(first)?;
        raw.check_limits()
            .map_err(|e| e.at_least(first.span.clone()))?;
        let simplified = simplify(&raw);
        Ok(Target {
            name: super::format::to_text(&simplified),
            params: raw.free_vars(),
            raw,
            simplified,
        })
    }

    /// Checks that every keyword is a parameter of the target or one of
    /// `options`, and that every parameter is given.
    fn check_keywords(
        &self,
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
                err = match closest(kw.name, candidates) {
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

    fn point(&self, target: &Target, keywords: &[Keyword<'_>]) -> Result<Vec<f64>, MathError> {
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
                    out.push(self.number_arg(kw.value)?);
                }
                None => out.push(f64::NAN),
            }
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
        let (positional, keywords) = self.split_args("grad", args)?;
        let target = self.target("grad", &positional, &span, usage, true)?;
        let partials: Vec<Node> = target
            .params
            .iter()
            .map(|p| derivative(&target.simplified, p, 1))
            .collect::<Result<_, _>>()
            .map_err(|e| e.at_least(span.clone()))?;
        if keywords.is_empty() {
            return Ok(Value::Vector(
                partials
                    .into_iter()
                    .map(|node| Value::Expr(Expr { node }))
                    .collect(),
            ));
        }
        let usage = format!("grad({}, {})", target.name, target.example_point());
        self.check_keywords("grad", &target, &keywords, &[], &span, &usage)?;
        let point = self.point(&target, &keywords)?;
        let mut out = Vec::with_capacity(partials.len());
        for d in &partials {
            let v = eval_at(&target.params, d, &point).map_err(|e| e.at_least(span.clone()))?;
            out.push(Value::Number(v));
        }
        Ok(Value::Vector(out))
    }

    fn one_variable(
        &self,
        call: &str,
        target: &Target,
        span: &Range<usize>,
    ) -> Result<(), MathError> {
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
        let (positional, keywords) = self.split_args("nudge", args)?;
        let target = self.target("nudge", &positional, &span, usage, false)?;
        self.one_variable("nudge", &target, &span)?;
        let usage = format!("nudge({}, {}=3, eps=0.001)", target.name, target.params[0]);
        self.check_keywords("nudge", &target, &keywords, &["eps"], &span, &usage)?;
        let at = self.point(&target, &keywords)?[0];
        let eps = match self.option(&keywords, "eps")? {
            Some((e, espan)) => {
                if e == 0.0 || !e.is_finite() {
                    return Err(MathError::new("eps must be a non-zero number", espan));
                }
                e
            }
            None => 0.001,
        };
        let p = &target.params;
        let value = eval_at(p, &target.raw, &[at]).map_err(|e| e.at_least(span.clone()))?;
        let nudged_value =
            eval_at(p, &target.raw, &[at + eps]).map_err(|e| e.at_least(span.clone()))?;
        let d = derivative(&target.simplified, &p[0], 1).map_err(|e| e.at_least(span.clone()))?;
        let slope = eval_at(p, &d, &[at]).map_err(|e| e.at_least(span.clone()))?;
        Ok(Value::Nudge(Nudge {
            func: target.name,
            var: p[0].clone(),
            at,
            eps,
            value,
            nudged_value,
            slope,
        }))
    }

    fn descent(&self, args: &[Arg], span: Range<usize>) -> Result<Value, MathError> {
        let usage = "descent(J, w=3, alpha=0.1, steps=5)";
        let (positional, keywords) = self.split_args("descent", args)?;
        let target = self.target("descent", &positional, &span, usage, false)?;
        let usage = format!(
            "descent({}, {}, alpha=0.1, steps=5)",
            target.name,
            target.example_point()
        );
        let options = ["alpha", "steps", "momentum", "tol"];
        self.check_keywords("descent", &target, &keywords, &options, &span, &usage)?;
        let start = self.point(&target, &keywords)?;
        let alpha = match self.option(&keywords, "alpha")? {
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
        let tol = match self.option(&keywords, "tol")? {
            Some((t, tspan)) if t.is_nan() || t <= 0.0 => {
                return Err(MathError::new("tol must be a positive number", tspan));
            }
            other => other.map(|(t, _)| t),
        };
        let steps = match self.option(&keywords, "steps")? {
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
        let momentum = match self.option(&keywords, "momentum")? {
            Some((m, mspan)) if !(0.0..1.0).contains(&m) => {
                return Err(MathError::new(
                    "momentum must be at least 0 and below 1",
                    mspan,
                ));
            }
            other => other.map_or(0.0, |(m, _)| m),
        };
        let vars: Vec<&str> = target.params.iter().map(String::as_str).collect();
        let settings = Settings {
            alpha,
            steps,
            momentum,
            tol,
            record_all: true,
        };
        let trace = descent::descend(&target.raw, &target.simplified, &vars, &start, settings)
            .map_err(|e| e.at_least(span.clone()))?;
        let value = Program::compile(&target.raw, &vars).map_err(|e| e.at_least(span.clone()))?;
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

    fn plot(&self, args: &[Arg], span: Range<usize>) -> Result<Value, MathError> {
        let usage = "plot(J, w=-4..4) or plot(J, w=-4..4, at=3)";
        let (positional, keywords) = self.split_args("plot", args)?;
        let target = self.target("plot", &positional, &span, usage, false)?;
        self.one_variable("plot", &target, &span)?;
        let var = target.params[0].clone();
        let usage = format!("plot({}, {var}=-4..4, at=3)", target.name);
        self.check_keywords(
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
            Program::compile(&target.raw, &[var.as_str()]).map_err(|e| e.at_least(span.clone()))?;
        if program.cost().saturating_mul(samples) > MAX_WORK {
            return Err(MathError::new(
                "plot would take too long: use fewer samples or a smaller function",
                span,
            ));
        }
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
        let tangent = match self.option(&keywords, "at")? {
            None => None,
            Some((at, aspan)) => {
                let p = &target.params;
                let value =
                    eval_at(p, &target.raw, &[at]).map_err(|e| e.at_least(aspan.clone()))?;
                let d = derivative(&target.simplified, &var, 1)
                    .map_err(|e| e.at_least(span.clone()))?;
                let slope = eval_at(p, &d, &[at]).map_err(|e| e.at_least(aspan.clone()))?;
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

/// Evaluates `node` with `params` bound to `point`.
fn eval_at(params: &[String], node: &Node, point: &[f64]) -> Result<f64, MathError> {
    eval_tree(node, &|v| {
        params.iter().position(|p| p == v).map(|i| point[i])
    })
}

fn eval_def(def: &FuncDef, node: &Node, vals: &[f64]) -> Result<f64, MathError> {
    eval_at(&def.params, node, vals)
}
