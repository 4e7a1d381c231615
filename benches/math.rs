//! Benchmarks of the math engine (run by hand: `cargo bench --bench math`).
//!
//! - `typical_lesson_expression`: parse + differentiate + simplify + print
//!   one typical lesson expression (target: well under 20 µs);
//! - `expression_set`: the same for every line of `expressions.txt`, the
//!   set `sympy_compare.py` runs through SymPy (target: ≥ 100× faster);
//! - `descent_1m_steps_engine`: the descent loop itself, 1,000,000 steps
//!   on a two-variable quadratic (target: well under 100 ms);
//! - `descent_1m_steps`: the same through `Scope::run`, with the
//!   1,000,001-row table materialised as `DescentRow`s;
//! - `exact_values`: values of small exact inputs (integers, ratios,
//!   powers) and of calls to a defined function, the everyday path that
//!   exact arithmetic must keep fast;
//! - `newton_chain_20_constants`: Newton's method written as twenty
//!   constants (`m1 = m0 - f'(m0)/f''(m0)`, …), each a number, so the
//!   chain stays small (target: well under 10 ms).

use gradbook_math::{Expr, Scope};

fn main() {
    divan::main();
}

/// The expressions and their variables.
fn expression_set() -> Vec<(&'static str, &'static str)> {
    include_str!("expressions.txt")
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_once(';'))
        .map(|(e, v)| (e.trim(), v.trim()))
        .collect()
}

fn parse_diff_print(src: &str, var: &str) -> String {
    let e = Expr::parse(src).expect("benchmark expressions parse");
    e.derivative(var, 1)
        .expect("benchmark expressions differentiate")
        .to_text()
}

#[divan::bench]
fn typical_lesson_expression() -> String {
    parse_diff_print(
        divan::black_box("3*w**3 - 2*w**2 + exp(-w**2) + sigmoid(w)"),
        divan::black_box("w"),
    )
}

#[divan::bench(name = "expression_set")]
fn whole_set(bencher: divan::Bencher) {
    let set = expression_set();
    bencher.bench(|| {
        set.iter()
            .map(|(e, v)| parse_diff_print(divan::black_box(e), v).len())
            .sum::<usize>()
    });
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn descent_1m_steps(bencher: divan::Bencher) {
    // A fresh scope each time: the tables of one scope share their cells.
    bencher
        .with_inputs(|| {
            let mut scope = Scope::new();
            scope
                .run("L(w1, w2) = w1**2 + 3*w2**2")
                .expect("definition runs");
            scope
        })
        .bench_local_values(|mut scope| {
            scope
                .run(divan::black_box(
                    "descent(L, w1=1, w2=-2, alpha=0.01, steps=1000000)",
                ))
                .expect("descent runs")
        });
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn descent_1m_steps_engine(bencher: divan::Bencher) {
    let loss = Expr::parse("w1**2 + 3*w2**2").expect("parses");
    let settings = gradbook_math::DescentSettings {
        alpha: 0.01,
        steps: 1_000_000,
        momentum: 0.0,
        tol: None,
        record_all: false,
    };
    bencher.bench_local(|| {
        loss.descend(&["w1", "w2"], divan::black_box(&[1.0, -2.0]), settings)
            .expect("descent runs")
    });
}

/// Exact coefficients that no float holds (`w1/3`, `7/10`) meet every
/// value of the run, in the compiled programs and in the update with an
/// exact `alpha` and `momentum`.
#[divan::bench(sample_count = 10, sample_size = 1)]
fn descent_1m_steps_exact_coefficients(bencher: divan::Bencher) {
    // A fresh scope each time: the tables of one scope share their cells.
    bencher
        .with_inputs(|| {
            let mut scope = Scope::new();
            scope
                .run("L(w1, w2) = w1**2/3 + 7*w2**2/10")
                .expect("definition runs");
            scope
        })
        .bench_local_values(|mut scope| {
            scope
                .run(divan::black_box(
                    "descent(L, w1=1, w2=-2, alpha=1/10, momentum=7/10, steps=1000000)",
                ))
                .expect("descent runs")
        });
}

#[divan::bench]
fn exact_values(bencher: divan::Bencher) {
    let mut scope = Scope::new();
    scope
        .run("J(w) = 3*w**2 - 2*w + 1/3")
        .expect("definition runs");
    let inputs = [
        "1/3 + 2/7*5 - 3**4",
        "2**10 - 1000 + 7/8",
        "J(3) + J(1/2)",
        "(1 - 1/4)**3*16",
        "J'(2)",
    ];
    bencher.bench_local(|| {
        inputs
            .iter()
            .map(|i| {
                scope
                    .run(divan::black_box(i))
                    .expect("input runs")
                    .to_text(12)
                    .len()
            })
            .sum::<usize>()
    });
}

#[divan::bench(sample_count = 20)]
fn newton_chain_20_constants(bencher: divan::Bencher) {
    let steps: Vec<String> = (1..=20)
        .map(|i| format!("m{i} = m{} - f'(m{})/f''(m{})", i - 1, i - 1, i - 1))
        .collect();
    bencher.bench_local(|| {
        let mut scope = Scope::new();
        scope.run("m0 = 10").expect("definition runs");
        scope.run("f(x) = x*cos(x)").expect("definition runs");
        for step in &steps {
            scope.run(divan::black_box(step)).expect("step runs");
        }
        scope.run("m20").expect("value runs").to_text(12)
    });
}
