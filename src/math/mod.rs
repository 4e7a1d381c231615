//! The math engine: parse, differentiate, simplify, evaluate and descend.
//!
//! **Invariant:** this module is pure. It imports nothing from the rest of
//! the crate, does no I/O and knows nothing of pages or files; it could be
//! its own crate unchanged. Errors carry byte spans into the input string,
//! and the caller maps them to file positions.
//!
//! The public surface, used by `calc` and `cli::calc`:
//! - [`Scope`] runs one calc input at a time and remembers definitions;
//! - [`Value`] is what an input produces, printed with [`Value::to_text`];
//! - [`Expr`] is a parsed expression that can be evaluated, printed as text
//!   or as MathML;
//! - [`format_number`] prints a number the way every output does.
//!
//! THIS FILE IS THE CONTRACT BETWEEN THE ENGINE AND ITS USERS. The bodies
//! below are placeholders to be replaced by the real engine; the names and
//! signatures are what the rest of the crate codes against.

use std::fmt;
use std::ops::Range;

/// An error from the engine, with the bytes of the input it concerns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MathError {
    /// What went wrong, e.g. `unknown function 'sigmod'`.
    pub message: String,
    /// Byte range in the input string that the error is about.
    pub span: Range<usize>,
    /// The suggested fix, e.g. `did you mean 'sigmoid'?`.
    pub help: Option<String>,
}

impl fmt::Display for MathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(help) = &self.help {
            write!(f, " ({help})")?;
        }
        Ok(())
    }
}

impl std::error::Error for MathError {}

/// A parsed (and possibly simplified) expression.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    _private: (),
}

impl Expr {
    /// Parses a bare expression (no definitions, no statements).
    pub fn parse(src: &str) -> Result<Expr, MathError> {
        let _ = src;
        todo!("math engine")
    }

    /// The variables the expression depends on, sorted and deduplicated.
    pub fn free_vars(&self) -> Vec<String> {
        todo!("math engine")
    }

    /// Evaluates with the given variable values. Domain errors (`log(-1)`,
    /// `1/0`, …) and unbound variables are errors.
    pub fn eval(&self, vars: &[(&str, f64)]) -> Result<f64, MathError> {
        let _ = vars;
        todo!("math engine")
    }

    /// The SymPy-style text form, e.g. `3*w**2 + 2`.
    pub fn to_text(&self) -> String {
        todo!("math engine")
    }

    /// A complete `<math>` element (inline, not display) for the expression.
    pub fn to_mathml(&self) -> String {
        todo!("math engine")
    }
}

/// What one calc input produces.
#[derive(Debug, Clone)]
pub enum Value {
    /// A definition or a comment: prints nothing.
    Nothing,
    /// A number.
    Number(f64),
    /// A symbolic expression (`diff`, `simplify`).
    Expr(Expr),
    /// A vector of numbers or expressions (`grad`).
    Vector(Vec<Value>),
    /// The finite-difference story of `nudge`.
    Nudge(Nudge),
    /// A gradient-descent run.
    Descent(Descent),
    /// A plot of a function.
    Plot(Plot),
}

impl Value {
    /// The printed form (SPEC §2 "Printed forms"), lines joined with `\n`,
    /// no trailing newline; empty for [`Value::Nothing`].
    pub fn to_text(&self, precision: usize) -> String {
        let _ = precision;
        todo!("math engine")
    }
}

/// The result of `nudge(J, w=3, eps=0.001)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Nudge {
    /// The function's name (`J`).
    pub func: String,
    /// The variable nudged (`w`).
    pub var: String,
    /// The starting point (3).
    pub at: f64,
    /// The nudge (0.001).
    pub eps: f64,
    /// J(at).
    pub value: f64,
    /// J(at + eps).
    pub nudged_value: f64,
    /// J'(at), from the symbolic derivative.
    pub slope: f64,
}

/// The result of `descent(...)`.
#[derive(Debug, Clone)]
pub struct Descent {
    /// The function's name (`J`, `L`).
    pub func: String,
    /// Its parameters in order (`["w"]`, `["w1", "w2"]`).
    pub vars: Vec<String>,
    /// Step 0 (the start) to the last step taken.
    pub rows: Vec<DescentRow>,
    /// The function itself, for drawing curves and contours.
    pub surface: Surface,
}

/// One row of a descent table.
#[derive(Debug, Clone, PartialEq)]
pub struct DescentRow {
    /// 0 for the start.
    pub step: usize,
    /// The coordinates, one per variable.
    pub point: Vec<f64>,
    /// The function's value there.
    pub value: f64,
    /// The gradient there, one partial per variable.
    pub grad: Vec<f64>,
}

/// The result of `plot(J, w=-4..4)` or `plot(J, w=-4..4, at=3)`.
#[derive(Debug, Clone)]
pub struct Plot {
    /// The function's name.
    pub func: String,
    /// Its variable.
    pub var: String,
    /// The plotted interval.
    pub range: (f64, f64),
    /// Sample points `(x, y)`; `y` is `None` where the function is undefined.
    pub samples: Vec<(f64, Option<f64>)>,
    /// The tangent line, when `at` was given.
    pub tangent: Option<Tangent>,
}

/// A tangent line at a point.
#[derive(Debug, Clone, PartialEq)]
pub struct Tangent {
    /// Where it touches.
    pub at: f64,
    /// The function's value there.
    pub value: f64,
    /// The derivative there.
    pub slope: f64,
}

/// A compiled function of one or more variables that renderers can sample
/// cheaply (curves, contour grids).
#[derive(Debug, Clone)]
pub struct Surface {
    _private: (),
}

impl Surface {
    /// Number of variables.
    pub fn arity(&self) -> usize {
        todo!("math engine")
    }

    /// The value at `point` (`point.len() == arity()`), or `None` where the
    /// function is undefined.
    pub fn eval(&self, point: &[f64]) -> Option<f64> {
        let _ = point;
        todo!("math engine")
    }
}

/// The definitions made so far on a page (or in a `gradbook calc` session).
#[derive(Debug, Clone, Default)]
pub struct Scope {
    _private: (),
}

impl Scope {
    /// An empty scope.
    pub fn new() -> Self {
        Self::default()
    }

    /// Runs one input (without the `>>> ` prompt): a definition, an
    /// expression, a built-in call or a comment. Spans in the error are
    /// byte offsets into `input`.
    pub fn run(&mut self, input: &str) -> Result<Value, MathError> {
        let _ = input;
        todo!("math engine")
    }

    /// Parses an expression that may call functions and use constants
    /// defined in this scope (used to compare an author's expected output
    /// with the computed one).
    pub fn parse_expr(&self, src: &str) -> Result<Expr, MathError> {
        let _ = src;
        todo!("math engine")
    }
}

/// Prints a number as C's `%.{precision}g`, with `-0` as `0` and `inf`,
/// `-inf`, `nan` as such: `9.006001`, `0.333333333333`, `1e-10`, `1.5e+20`.
pub fn format_number(x: f64, precision: usize) -> String {
    let _ = (x, precision);
    todo!("math engine")
}
