//! The math engine: parse, differentiate, simplify, evaluate and descend.
//!
//! **Invariant:** this crate is pure. It depends on no other crate of
//! gradbook (nor on any crate at all outside its tests), does no I/O and
//! knows nothing of pages or files. Errors carry byte spans into the input
//! string, and the caller maps them to file positions.
//!
//! The public surface, used by the site crate's `calc` and `cli::calc`:
//! - [`Scope`] runs one calc input at a time and remembers definitions
//!   (with [`Scope::run_tagged`], a use of a constant whose definition
//!   failed carries the tag of that definition back as an [`Origin`]);
//! - [`Value`] is what an input produces, printed with [`Value::to_text`];
//! - [`Expr`] is a parsed expression that can be evaluated, printed as text
//!   or as MathML;
//! - [`format_number`] prints a number the way every output does.
//!
//! THIS FILE IS THE CONTRACT BETWEEN THE ENGINE AND ITS USERS: the names
//! and signatures below are what the site crate codes against.
//!
//! Inside, the stages are: `lexer` → `parser` (syntax with spans) →
//! `lower` (names resolved against the scope, into `ast` trees) →
//! `simplify` / `diff` → `eval` (tree walker and compiled programs) →
//! `format` and `mathml` for output. `statements` runs one input;
//! `descent` is the hot loop. `number` keeps exact rationals exact;
//! `error` holds the limits that keep every input from crashing the engine.

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;
use std::sync::Arc;

mod ast;
mod descent;
mod diff;
mod error;
mod eval;
mod format;
mod lexer;
mod lower;
mod mathml;
mod number;
mod parser;
mod simplify;
mod statements;

pub use descent::Settings as DescentSettings;
pub use error::{
    MAX_CELLS, MAX_DEPTH, MAX_DIGITS, MAX_NESTING, MAX_NODES, MAX_ORDER, MAX_SAMPLES, MAX_STEPS,
    MAX_TEXT, MAX_WORK,
};

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;

use ast::Node;
use eval::Program;

/// An error from the engine, with the bytes of the input it concerns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MathError {
    /// What went wrong, e.g. `unknown function 'sigmod'`.
    pub message: String,
    /// Byte range in the input string that the error is about.
    pub span: Range<usize>,
    /// The suggested fix, e.g. `did you mean 'sigmoid'?`.
    pub help: Option<String>,
    /// For the use of a constant whose definition failed, where that
    /// definition is.
    pub origin: Option<Box<Origin>>,
}

/// The definition a [`MathError`] points back to: a constant whose own
/// definition failed, which every later use reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// The constant's name.
    pub name: String,
    /// The tag given to [`Scope::run_tagged`] with the failed definition
    /// (`None` when it was run with [`Scope::run`]).
    pub tag: Option<usize>,
    /// Byte range in that input of the part that failed.
    pub span: Range<usize>,
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
    node: Node,
}

impl Expr {
    /// Parses a bare expression (no definitions, no statements).
    pub fn parse(src: &str) -> Result<Expr, MathError> {
        Scope::new().parse_expr(src)
    }

    /// The variables the expression depends on, sorted and deduplicated.
    pub fn free_vars(&self) -> Vec<String> {
        self.node.free_vars()
    }

    /// Evaluates with the given variable values. Domain errors (`log(-1)`,
    /// `1/0`, …) and unbound variables are errors. The errors carry an
    /// empty span: an expression does not know where it came from.
    pub fn eval(&self, vars: &[(&str, f64)]) -> Result<f64, MathError> {
        eval::eval_tree(&self.node, &|name| {
            vars.iter().find(|(n, _)| *n == name).map(|(_, v)| *v)
        })
    }

    /// The SymPy-style text form, e.g. `3*w**2 + 2`. Floats print in their
    /// shortest exact form, so the text parses back to the same function.
    pub fn to_text(&self) -> String {
        format::to_text(&self.node)
    }

    /// The text form with floats rounded to `precision` significant digits.
    pub fn to_text_with_precision(&self, precision: usize) -> String {
        format::to_text_with_precision(&self.node, precision)
    }

    /// A complete `<math>` element (inline, not display) for the expression.
    pub fn to_mathml(&self) -> String {
        mathml::to_mathml(&self.node, 12)
    }

    /// The MathML form with floats rounded to `precision` significant digits.
    pub fn to_mathml_with_precision(&self, precision: usize) -> String {
        mathml::to_mathml(&self.node, precision)
    }

    /// The expression in canonical (simplified) form.
    pub fn simplified(&self) -> Expr {
        Expr {
            node: simplify::simplify(&self.node),
        }
    }

    /// The `order`-th derivative with respect to `var`, simplified.
    pub fn derivative(&self, var: &str, order: usize) -> Result<Expr, MathError> {
        Ok(Expr {
            node: diff::derivative(&self.node, var, order)?,
        })
    }

    /// Compiles the expression over `vars` (in that order) for fast
    /// repeated evaluation.
    pub fn compile(&self, vars: &[&str]) -> Result<Surface, MathError> {
        Ok(Surface {
            program: Arc::new(Program::compile(&self.node, vars)?),
        })
    }

    /// Runs gradient descent on the expression over `vars` (in that order)
    /// from `start`, exactly as `descent(...)` does, and returns the last
    /// point reached and the number of steps taken, keeping no table rows
    /// (`settings.record_all` is ignored).
    pub fn descend(
        &self,
        vars: &[&str],
        start: &[f64],
        settings: DescentSettings,
    ) -> Result<(Vec<f64>, usize), MathError> {
        if vars.len() != start.len() {
            return Err(MathError::new(
                format!(
                    "descent needs one start value per variable ({} for {})",
                    start.len(),
                    vars.len()
                ),
                0..0,
            ));
        }
        if settings.steps > MAX_STEPS {
            return Err(MathError::new(
                format!("at most {MAX_STEPS} steps are allowed"),
                0..0,
            ));
        }
        let simplified = simplify::simplify(&self.node);
        let settings = DescentSettings {
            record_all: false,
            ..settings
        };
        let trace = descent::descend(
            &self.node,
            &simplified,
            &[],
            vars,
            start,
            settings,
            &descent::Rates::floats(&settings),
            MAX_CELLS,
            &WorkLeft::full(),
        )?;
        Ok((trace.point, trace.steps))
    }

    /// The tree (for the engine's own tests).
    #[cfg(test)]
    pub(crate) fn node(&self) -> &Node {
        &self.node
    }
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_text())
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
        let num = |x: f64| format_number(x, precision);
        match self {
            Value::Nothing => String::new(),
            Value::Number(x) => num(*x),
            Value::Expr(e) => e.to_text_with_precision(precision),
            Value::Vector(items) => {
                let parts: Vec<String> = items.iter().map(|v| v.to_text(precision)).collect();
                format!("[{}]", parts.join(", "))
            }
            Value::Nudge(n) => {
                let f = &n.func;
                [
                    format!("{f}({}) = {}", num(n.at), num(n.value)),
                    format!("{f}({}) = {}", num(n.at + n.eps), num(n.nudged_value)),
                    format!("Δ{f} = {}", num(n.nudged_value - n.value)),
                    format!("Δ{f}/ε = {}", num((n.nudged_value - n.value) / n.eps)),
                    format!("{f}'({}) = {}", num(n.at), num(n.slope)),
                ]
                .join("\n")
            }
            Value::Descent(d) => d.table(precision),
            Value::Plot(p) => {
                let mut s = format!(
                    "plot: {}({}) for {} in [{}, {}]",
                    p.func,
                    p.var,
                    p.var,
                    num(p.range.0),
                    num(p.range.1)
                );
                if let Some(t) = &p.tangent {
                    s.push_str(&format!(
                        ", tangent at {}={}, slope {}",
                        p.var,
                        num(t.at),
                        num(t.slope)
                    ));
                }
                s
            }
        }
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

impl Descent {
    /// The header cells: `step`, the variables, the value, the partials.
    pub fn header(&self) -> Vec<String> {
        let f = &self.func;
        let mut h = vec!["step".to_string()];
        h.extend(self.vars.iter().cloned());
        h.push(format!("{f}({})", self.vars.join(", ")));
        h.extend(self.vars.iter().map(|v| format!("d{f}/d{v}")));
        h
    }

    /// The table as text: cells aligned in columns two spaces apart.
    ///
    /// Every cell is printed once into one buffer (a table may have
    /// [`MAX_CELLS`] of them, so no `String` per cell), the column widths
    /// are measured there, and the lines are then written out padded.
    pub fn table(&self, precision: usize) -> String {
        use std::fmt::Write as _;
        let header = self.header();
        let cols = header.len();
        let mut cells = String::new();
        let mut ends: Vec<u32> = Vec::with_capacity((self.rows.len() + 1) * cols);
        let mut widths = vec![0usize; cols];
        let mut end_cell = |cells: &mut String, start: usize, col: usize| {
            widths[col] = widths[col].max(cells[start..].chars().count());
            ends.push(u32::try_from(cells.len()).unwrap_or(u32::MAX));
        };
        for (c, h) in header.iter().enumerate() {
            let start = cells.len();
            cells.push_str(h);
            end_cell(&mut cells, start, c);
        }
        for r in &self.rows {
            let numbers = r
                .point
                .iter()
                .chain(std::iter::once(&r.value))
                .chain(&r.grad);
            let start = cells.len();
            let _ = write!(cells, "{}", r.step);
            end_cell(&mut cells, start, 0);
            for (c, x) in numbers.enumerate() {
                let start = cells.len();
                cells.push_str(&format_number(*x, precision));
                end_cell(&mut cells, start, c + 1);
            }
        }
        let line_width: usize = widths.iter().map(|w| w + 2).sum();
        let mut out = String::with_capacity(ends.len() / cols.max(1) * (line_width + 1));
        let mut start = 0usize;
        for (i, end) in ends.iter().enumerate() {
            let (c, end) = (i % cols, *end as usize);
            let cell = cells.get(start..end).unwrap_or("");
            start = end;
            if c == 0 && i > 0 {
                let trimmed = out.trim_end().len();
                out.truncate(trimmed);
                out.push('\n');
            }
            out.push_str(cell);
            if c + 1 < cols {
                let pad = widths[c] - cell.chars().count() + 2;
                out.extend(std::iter::repeat_n(' ', pad));
            }
        }
        let trimmed = out.trim_end().len();
        out.truncate(trimmed);
        out
    }
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
    program: Arc<Program>,
}

impl Surface {
    /// Number of variables.
    pub fn arity(&self) -> usize {
        self.program.arity()
    }

    /// The value at `point` (`point.len() == arity()`), or `None` where the
    /// function is undefined.
    pub fn eval(&self, point: &[f64]) -> Option<f64> {
        if point.len() != self.arity() {
            return None;
        }
        self.program.eval(point).ok().filter(|y| y.is_finite())
    }
}

/// A function definition in a scope.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FuncDef {
    /// The parameters in order.
    pub params: Vec<String>,
    /// The body as written (constants and other functions expanded), for
    /// values: it keeps every domain error of the original.
    pub body: Node,
    /// The body simplified, for derivatives.
    pub simplified: Node,
    /// What the body needs to have a value besides itself: the function
    /// at the point of each derivative it takes (`K(w) = J'(w)` needs
    /// `J(w)`).
    pub conditions: Vec<lower::Condition>,
}

/// A constant in a scope: its value (a number, exact while its
/// definition was), or the definition that failed, which every later use
/// of the name reports.
#[derive(Debug, Clone)]
pub(crate) enum ConstDef {
    Value(number::Num),
    Failed(Arc<FailedDef>),
}

/// A constant definition that failed.
#[derive(Debug)]
pub(crate) struct FailedDef {
    /// The input as written, shortened for messages.
    pub definition: String,
    /// Why it failed.
    pub reason: String,
    /// Where it is.
    pub origin: Origin,
}

/// The definitions made so far on a page (or in a `gradbook calc` session).
#[derive(Debug, Clone)]
pub struct Scope {
    functions: BTreeMap<String, Arc<FuncDef>>,
    constants: BTreeMap<String, ConstDef>,
    /// The tag of the input being run (see [`Scope::run_tagged`]).
    tag: Option<usize>,
    /// Table cells the scope's results may still hold: its results share
    /// [`MAX_CELLS`], so a page's memory and time stay bounded however
    /// many long runs it has.
    cells_left: usize,
    /// Stack-machine instructions the scope's descents, `descent_steps`
    /// and plots may still execute: they share [`MAX_WORK`], so a page of
    /// many long runs takes no longer than one. Atomic, since
    /// `descent_steps` runs while an expression is lowered, through a
    /// shared borrow, and a scope is `Sync`.
    work_left: WorkLeft,
}

/// The work a scope may still do (see [`Scope::work_left`]).
#[derive(Debug)]
pub(crate) struct WorkLeft(std::sync::atomic::AtomicUsize);

impl WorkLeft {
    /// All of [`MAX_WORK`].
    pub(crate) fn full() -> Self {
        WorkLeft(std::sync::atomic::AtomicUsize::new(MAX_WORK))
    }

    pub(crate) fn get(&self) -> usize {
        self.0.load(std::sync::atomic::Ordering::Relaxed)
    }

    fn set(&self, work: usize) {
        self.0.store(work, std::sync::atomic::Ordering::Relaxed);
    }

    /// Takes `work` from what is left.
    pub(crate) fn spend(&self, work: usize) {
        self.set(self.get().saturating_sub(work));
    }
}

impl Clone for WorkLeft {
    fn clone(&self) -> Self {
        WorkLeft(std::sync::atomic::AtomicUsize::new(self.get()))
    }
}

impl Default for Scope {
    fn default() -> Self {
        Scope {
            functions: BTreeMap::new(),
            constants: BTreeMap::new(),
            tag: None,
            cells_left: MAX_CELLS,
            work_left: WorkLeft::full(),
        }
    }
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
        self.tag = None;
        self.run_one(input)
    }

    /// Runs one input as [`Scope::run`] does, tagged with `tag` (for
    /// instance where the input is in its file): when this input defines a
    /// constant and fails, a later error about that constant carries the
    /// tag back in its [`MathError::origin`].
    pub fn run_tagged(&mut self, input: &str, tag: usize) -> Result<Value, MathError> {
        self.tag = Some(tag);
        let result = self.run_one(input);
        self.tag = None;
        result
    }

    fn run_one(&mut self, input: &str) -> Result<Value, MathError> {
        let value = self.run_input(input)?;
        if let Value::Descent(d) = &value {
            let cells = d.rows.len() * descent::columns(d.vars.len());
            self.cells_left = self.cells_left.saturating_sub(cells);
        }
        Ok(value)
    }

    /// Table cells this scope's results may still hold (see
    /// [`MAX_CELLS`]).
    pub fn cells_left(&self) -> usize {
        self.cells_left
    }

    /// Sets the cells left: runs made in a copy of the scope (an
    /// explorer's variants) spend the page's cells too.
    pub fn set_cells_left(&mut self, cells: usize) {
        self.cells_left = cells.min(MAX_CELLS);
    }

    /// Stack-machine instructions this scope's descents, `descent_steps`
    /// and plots may still execute (see [`MAX_WORK`]).
    pub fn work_left(&self) -> usize {
        self.work_left.get()
    }

    /// Sets the work left: runs made in a copy of the scope (an
    /// explorer's variants) spend the page's work too.
    pub fn set_work_left(&mut self, work: usize) {
        self.work_left.set(work.min(MAX_WORK));
    }

    /// Takes `work` instructions from what the scope may still execute.
    pub(crate) fn spend_work(&self, work: usize) {
        self.work_left.spend(work);
    }

    /// What the scope's runs may still execute, for a run to spend.
    pub(crate) fn work(&self) -> &WorkLeft {
        &self.work_left
    }

    /// Parses an expression that may call functions and use constants
    /// defined in this scope (used to compare an author's expected output
    /// with the computed one).
    pub fn parse_expr(&self, src: &str) -> Result<Expr, MathError> {
        let syntax = parser::parse_expr(src)?;
        let lower = lower::Lower::new(self, None, None);
        let node = lower.expr(&syntax)?;
        node.check_limits()
            .map_err(|e| e.at_least(syntax.span.clone()))?;
        Ok(Expr { node })
    }

    /// The parameters of a defined function, if there is one by that name.
    pub fn function_params(&self, name: &str) -> Option<&[String]> {
        self.functions.get(name).map(|f| f.params.as_slice())
    }
}

/// Prints a number as C's `%.{precision}g`, with `-0` as `0` and `inf`,
/// `-inf`, `nan` as such: `9.006001`, `0.333333333333`, `1e-10`, `1.5e+20`.
pub fn format_number(x: f64, precision: usize) -> String {
    format::format_number(x, precision)
}
