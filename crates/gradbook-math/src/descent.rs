//! Gradient descent on compiled programs.
//!
//! [`run`] is the hot loop: the function and its partial derivatives are
//! [`Program`]s, every buffer is allocated once before the first step, and
//! each step is a handful of stack-machine instructions per program. With
//! momentum it is PyTorch's SGD without dampening or Nesterov: `v` starts
//! at 0, then at every step `v = momentum*v + g` and `w = w - alpha*v`.
//! With `tol`, the run stops at the first step whose gradient norm (the
//! Euclidean norm, computed without squaring overflow or underflow) is
//! below it.
//!
//! A table has `2n + 2` columns for `n` variables and at most
//! [`MAX_CELLS`] cells, and the tables of one scope (a page) share that
//! many cells together; a run that would pass what is left is refused
//! before its first step (or, with `tol`, when it gets there).

use super::ast::Node;
use super::diff::derivative;
use super::error::{MAX_CELLS, MAX_WORK};
use super::eval::{Domain, Program};
use super::format::format_number;
use super::number::{Mixed, Num, Scale, float_times_scaled};
use super::{MathError, WorkLeft};

/// The settings of one run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    pub alpha: f64,
    pub steps: usize,
    pub momentum: f64,
    /// Stop at the first step whose gradient norm is below this.
    pub tol: Option<f64>,
    /// Keep every row (for a table), or only the last one.
    pub record_all: bool,
}

/// A learning rate or a momentum as it meets the values of a run: a
/// float multiplies as floats do, and an exact number (`alpha=7/10`)
/// gives each product its exact value rounded once, as everywhere else.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Rate {
    Float(f64),
    Exact(Num, Scale),
}

impl Rate {
    /// The rate `n` (finite, checked by the caller).
    pub(crate) fn new(n: Num) -> Rate {
        match n.exact_float() {
            Some(f) => Rate::Float(f),
            None => {
                let s = Scale::of(&n);
                Rate::Exact(n, s)
            }
        }
    }

    /// `self * x`.
    #[inline]
    fn times(&self, x: f64) -> f64 {
        match self {
            Rate::Float(a) => a * x,
            Rate::Exact(e, s) => s.apply(x, Mixed::Times).unwrap_or_else(|| {
                // Only an infinite value meeting a rate below the normal
                // range has no product; the run diverges there anyway.
                float_times_scaled(x, e, *s, Mixed::Times).unwrap_or(f64::NAN)
            }),
        }
    }
}

/// The learning rate and momentum of a run.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Rates {
    pub alpha: Rate,
    pub momentum: Rate,
}

impl Rates {
    /// The rates of `settings`, as floats.
    pub(crate) fn floats(settings: &Settings) -> Rates {
        Rates {
            alpha: Rate::Float(settings.alpha),
            momentum: Rate::Float(settings.momentum),
        }
    }
}

/// The rows of a run in flat buffers: row `i` has `point[i*n..(i+1)*n]`,
/// `value[i]` and `grad[i*n..(i+1)*n]` for `n` variables. Without
/// `record_all` only the last row is kept.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Trace {
    pub n: usize,
    /// The number of steps taken (the last row's step number).
    pub steps: usize,
    pub point: Vec<f64>,
    pub value: Vec<f64>,
    pub grad: Vec<f64>,
}

impl Trace {
    /// Number of rows (steps taken plus one).
    pub(crate) fn rows(&self) -> usize {
        self.value.len()
    }
}

/// Why a run stopped early.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Failure {
    /// The function or a partial is undefined at the point of this step.
    Domain { step: usize, domain: Domain },
    /// The point left the finite numbers at this step (variable index).
    Diverged { step: usize, var: usize, value: f64 },
    /// The table would have more rows than allowed, after this step.
    TooManyRows { step: usize },
}

/// Columns of a descent table over `n` variables: the step, the point,
/// the value and the gradient.
pub(crate) fn columns(n: usize) -> usize {
    2 * n + 2
}

/// Most rows a table over `n` variables may have when `cells` cells are
/// left.
pub(crate) fn max_rows(n: usize, cells: usize) -> usize {
    cells / columns(n)
}

const EVERY_CELL_USED: &str = "the results before this one on the page use every cell: give them fewer steps, or move this run to another page";

/// What a table may not pass: the limit of one result, or what the
/// results before it on the page have left of it.
fn cell_limit(cells: usize) -> String {
    if cells < MAX_CELLS {
        format!(
            "the {cells} cells left of the {MAX_CELLS} that the results of one page may hold together"
        )
    } else {
        format!("the {MAX_CELLS} cells a result may hold")
    }
}

fn too_many_cells(n: usize, rows: usize, cells: usize) -> MathError {
    let limit = max_rows(n, cells);
    MathError::new(
        format!(
            "the descent table would have {rows} rows of {} columns, more than {}",
            columns(n),
            cell_limit(cells)
        ),
        0..0,
    )
    .with_help(if limit == 0 {
        EVERY_CELL_USED.to_string()
    } else {
        format!(
            "use steps={} or fewer with {n} variable{}; in the expected output, a `...` line can stand for the middle of a long table",
            limit - 1,
            if n == 1 { "" } else { "s" }
        )
    })
}

/// Compiles `raw` (for values, after the `guards` its derivatives need)
/// and the partial derivatives of `simplified` over `vars`, checks that the
/// run stays within [`MAX_WORK`] and, when every row is kept, within the
/// `cells` left (at most [`MAX_CELLS`]), and runs it. Errors carry no
/// span; the caller adds one.
#[allow(
    clippy::too_many_arguments,
    reason = "the two forms of the function, its guards, the run's variables, start, settings and rates, and the cells left are all independent"
)]
pub(crate) fn descend(
    raw: &Node,
    simplified: &Node,
    guards: &[Node],
    vars: &[&str],
    start: &[f64],
    settings: Settings,
    rates: &Rates,
    cells: usize,
    work: &WorkLeft,
) -> Result<Trace, MathError> {
    let n = vars.len();
    let cells = cells.min(MAX_CELLS);
    let row_limit = if settings.record_all {
        let rows = settings.steps.saturating_add(1);
        if rows > max_rows(n, cells) && settings.tol.is_none() {
            return Err(too_many_cells(n, rows, cells));
        }
        max_rows(n, cells)
    } else {
        usize::MAX
    };
    let value = Program::compile_guarded(raw, guards, vars)?;
    let mut grads = Vec::with_capacity(vars.len());
    for p in vars {
        grads.push(Program::compile(&derivative(simplified, p, 1)?, vars)?);
    }
    let per_step = value.cost() + grads.iter().map(Program::cost).sum::<usize>();
    if per_step.saturating_mul(settings.steps.max(1)) > MAX_WORK {
        return Err(MathError::new(
            format!(
                "descent would take too long: {} steps of a function this large",
                settings.steps
            ),
            0..0,
        )
        .with_help("use fewer steps or a smaller function"));
    }
    // The page's runs share MAX_WORK: a run may take only the steps the
    // work left pays for, and one that needs more stops with an error.
    let affordable = (work.get().min(MAX_WORK) / per_step.max(1)).saturating_sub(1);
    let spend = |step: usize| work.spend(per_step.saturating_mul(step + 1));
    let capped = settings.steps > affordable;
    let run_settings = Settings {
        steps: settings.steps.min(affordable),
        ..settings
    };
    let result = run(&value, &grads, start, run_settings, rates, row_limit);
    let steps = match &result {
        Ok(trace) => trace.steps,
        Err(
            Failure::Domain { step, .. }
            | Failure::Diverged { step, .. }
            | Failure::TooManyRows { step },
        ) => *step,
    };
    // Whatever way it ends, the run spends the work of the rows it made.
    spend(steps);
    let trace = result.map_err(|f| match f {
        Failure::Domain { step, domain } => MathError::new(
            format!("descent stopped at step {step}: {}", domain.message()),
            0..0,
        ),
        Failure::Diverged { step, var, value } => MathError::new(
            format!(
                "descent diverged at step {step}: {} = {}",
                vars[var],
                format_number(value, 12)
            ),
            0..0,
        )
        .with_help("try a smaller alpha"),
        Failure::TooManyRows { step } => MathError::new(
            format!(
                "descent had not reached tol after {step} steps, and a longer table would pass {}",
                cell_limit(cells)
            ),
            0..0,
        )
        .with_help(if step == 0 {
            EVERY_CELL_USED.to_string()
        } else {
            format!("give steps={step} or fewer, a larger tol, or a larger alpha")
        }),
    })?;
    let converged = settings.tol.is_some_and(|tol| norm(&trace.grad) < tol);
    if capped && trace.steps == affordable && !converged {
        return Err(MathError::new(
            format!(
                "descent stopped at step {}: the descents and plots of one page share {MAX_WORK} stack-machine instructions, and this one would pass them",
                trace.steps
            ),
            0..0,
        )
        .with_help("use fewer steps, a larger tol or a smaller function here or in the page's earlier runs"));
    }
    Ok(trace)
}

/// The Euclidean norm of `g`, scaled so that squaring neither overflows
/// nor underflows (`tol=1e-170` compares with 1e-170, not with 1e-340).
pub(crate) fn norm(g: &[f64]) -> f64 {
    if let [x] = g {
        return x.abs();
    }
    let scale = g.iter().fold(0.0f64, |m, x| m.max(x.abs()));
    if scale == 0.0 || !scale.is_finite() {
        return scale;
    }
    scale
        * g.iter()
            .map(|x| (x / scale) * (x / scale))
            .sum::<f64>()
            .sqrt()
}

/// Runs descent from `start`, keeping at most `row_limit` rows.
pub(crate) fn run(
    value: &Program,
    grads: &[Program],
    start: &[f64],
    settings: Settings,
    rates: &Rates,
    row_limit: usize,
) -> Result<Trace, Failure> {
    let n = start.len();
    let rows = settings.steps.saturating_add(1);
    // Reserve for the rows a run is sure to make only: one that stops at
    // `tol` early should not hold memory for a million.
    let kept = if settings.record_all {
        rows.min(row_limit).min(if settings.tol.is_some() {
            1024
        } else {
            usize::MAX
        })
    } else {
        1
    };
    let stack_len = grads
        .iter()
        .map(Program::stack_size)
        .chain(std::iter::once(value.stack_size()))
        .max()
        .unwrap_or(1)
        .max(1);
    let mut stack = vec![0.0; stack_len];
    let mut trace = Trace {
        n,
        point: Vec::with_capacity(kept * n),
        value: Vec::with_capacity(kept),
        grad: Vec::with_capacity(kept * n),
        steps: 0,
    };
    let mut w = start.to_vec();
    let mut g = vec![0.0; n];
    let mut v = vec![0.0; n];
    for step in 0..rows {
        let fail = |domain| Failure::Domain { step, domain };
        let y = value.run(&w, &mut stack).map_err(fail)?;
        for (gi, p) in g.iter_mut().zip(grads) {
            *gi = p.run(&w, &mut stack).map_err(fail)?;
        }
        let last = step + 1 == rows || settings.tol.is_some_and(|t| norm(&g) < t);
        if settings.record_all && !last && step + 1 >= row_limit {
            return Err(Failure::TooManyRows { step });
        }
        if settings.record_all || last {
            trace.point.extend_from_slice(&w);
            trace.value.push(y);
            trace.grad.extend_from_slice(&g);
            trace.steps = step;
        }
        if last {
            break;
        }
        for i in 0..n {
            v[i] = rates.momentum.times(v[i]) + g[i];
            w[i] -= rates.alpha.times(v[i]);
            if !w[i].is_finite() {
                return Err(Failure::Diverged {
                    step: step + 1,
                    var: i,
                    value: w[i],
                });
            }
        }
    }
    Ok(trace)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Expr;

    fn programs(f: &str, partials: &[&str], vars: &[&str]) -> (Program, Vec<Program>) {
        let p = |s: &str| Program::compile(Expr::parse(s).unwrap().node(), vars).unwrap();
        (p(f), partials.iter().map(|s| p(s)).collect())
    }

    #[test]
    fn one_variable() {
        let (f, g) = programs("w**2", &["2*w"], &["w"]);
        let settings = Settings {
            alpha: 0.1,
            steps: 2,
            momentum: 0.0,
            tol: None,
            record_all: true,
        };
        let t = run(
            &f,
            &g,
            &[3.0],
            settings,
            &Rates::floats(&settings),
            usize::MAX,
        )
        .unwrap();
        assert_eq!(t.rows(), 3);
        assert_eq!(t.point[1], 3.0 - 0.1 * 6.0);
        assert!((t.value[2] - 1.92 * 1.92).abs() < 1e-12);
    }

    #[test]
    fn tolerance_and_momentum() {
        let (f, g) = programs("w1**2 + 3*w2**2", &["2*w1", "6*w2"], &["w1", "w2"]);
        let settings = Settings {
            alpha: 0.1,
            steps: 10_000,
            momentum: 0.5,
            tol: Some(1e-6),
            record_all: true,
        };
        let t = run(
            &f,
            &g,
            &[1.0, -2.0],
            settings,
            &Rates::floats(&settings),
            usize::MAX,
        )
        .unwrap();
        assert!(t.rows() < 10_001);
        let last = t.rows() - 1;
        let norm = (t.grad[2 * last].powi(2) + t.grad[2 * last + 1].powi(2)).sqrt();
        assert!(norm < 1e-6);
        let before = t.rows() - 2;
        let norm_before = (t.grad[2 * before].powi(2) + t.grad[2 * before + 1].powi(2)).sqrt();
        assert!(norm_before >= 1e-6);
    }

    #[test]
    fn keeping_only_the_last_row_gives_the_same_end() {
        let (f, g) = programs("w1**2 + 3*w2**2", &["2*w1", "6*w2"], &["w1", "w2"]);
        let all = Settings {
            alpha: 0.05,
            steps: 50,
            momentum: 0.3,
            tol: None,
            record_all: true,
        };
        let full = run(&f, &g, &[1.0, -2.0], all, &Rates::floats(&all), usize::MAX).unwrap();
        let last = run(
            &f,
            &g,
            &[1.0, -2.0],
            Settings {
                record_all: false,
                ..all
            },
            &Rates::floats(&all),
            usize::MAX,
        )
        .unwrap();
        assert_eq!(last.rows(), 1);
        assert_eq!((full.rows(), full.steps, last.steps), (51, 50, 50));
        assert_eq!(last.point, full.point[100..]);
        assert_eq!(last.value, full.value[50..]);
    }

    #[test]
    fn divergence_and_domain_errors_stop_the_run() {
        let (f, g) = programs("w**2", &["2*w"], &["w"]);
        let settings = Settings {
            alpha: 10.0,
            steps: 100_000,
            momentum: 0.0,
            tol: None,
            record_all: true,
        };
        assert!(matches!(
            run(
                &f,
                &g,
                &[3.0],
                settings,
                &Rates::floats(&settings),
                usize::MAX
            ),
            Err(Failure::Diverged { .. })
        ));
        let (f, g) = programs("log(w)", &["1/w"], &["w"]);
        let settings = Settings {
            alpha: 1.0,
            steps: 10,
            momentum: 0.0,
            tol: None,
            record_all: true,
        };
        assert!(matches!(
            run(
                &f,
                &g,
                &[0.5],
                settings,
                &Rates::floats(&settings),
                usize::MAX
            ),
            Err(Failure::Domain { step: 1, .. })
        ));
    }

    /// An exact rate meets each value rounded once: `alpha=7/10` is not
    /// the float 0.7 (which is 0.6999999999999999555910790149937…).
    #[test]
    fn exact_rates_round_once() {
        use num_bigint::BigInt;
        use num_rational::BigRational;
        use num_traits::ToPrimitive;
        let e = crate::Expr::parse("w**2/2").unwrap();
        let f = Program::compile(e.node(), &["w"]).unwrap();
        let g = [Program::compile(crate::Expr::parse("w").unwrap().node(), &["w"]).unwrap()];
        let settings = Settings {
            alpha: 0.7,
            steps: 1,
            momentum: 0.0,
            tol: None,
            record_all: false,
        };
        let rates = Rates {
            alpha: Rate::new(Num::rat(7, 10)),
            momentum: Rate::new(Num::ZERO),
        };
        let mut w = 0.1f64;
        for _ in 0..200 {
            w = 0.37 + w * 1.37;
            let t = run(&f, &g, &[w], settings, &rates, usize::MAX).unwrap();
            let step = (BigRational::from_float(w).unwrap()
                * BigRational::new(BigInt::from(7), BigInt::from(10)))
            .to_f64()
            .unwrap();
            assert_eq!(t.point[0].to_bits(), (w - step).to_bits(), "at w = {w:e}");
        }
        assert!(matches!(rates.alpha, Rate::Exact(_, Scale::Ratio(7, 10))));
        assert_eq!(Rate::new(Num::rat(1, 4)), Rate::Float(0.25));
    }
}
