#!/usr/bin/env python3
"""Compares gradbook's math engine with SymPy on the same expressions.

Both sides read benches/expressions.txt (`expression ; variable` per line)
and, for every line, parse the expression, differentiate it once and print
the result as text. This script times SymPy doing that for the whole set,
then runs the Rust benchmark (`cargo bench --bench math -- expression_set`)
and prints both medians and their ratio.

Run by hand from the repository root:

    pip install sympy
    python3 benches/sympy_compare.py [--repeats N] [--no-rust]

SymPy is only needed for this script, never for building or testing.
"""

import argparse
import pathlib
import re
import statistics
import subprocess
import sys
import time

import sympy
from sympy.parsing.sympy_parser import (
    convert_xor,
    parse_expr,
    standard_transformations,
)

HERE = pathlib.Path(__file__).resolve().parent

# The calc language's functions in SymPy terms.
NAMESPACE = {
    "e": sympy.E,
    "pi": sympy.pi,
    "ln": sympy.log,
    "log": sympy.log,
    "exp": sympy.exp,
    "sqrt": sympy.sqrt,
    "abs": sympy.Abs,
    "sign": sympy.sign,
    "step": sympy.Heaviside,
    "sigmoid": lambda z: 1 / (1 + sympy.exp(-z)),
    "relu": lambda z: sympy.Max(0, z),
    "softplus": lambda z: sympy.log(1 + sympy.exp(z)),
    "tanh": sympy.tanh,
}
TRANSFORMS = standard_transformations + (convert_xor,)


def read_set():
    pairs = []
    for line in (HERE / "expressions.txt").read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        expr, var = (part.strip() for part in line.split(";"))
        pairs.append((expr, var))
    return pairs


def sympy_once(pairs):
    total = 0
    for expr, var in pairs:
        parsed = parse_expr(expr, local_dict=dict(NAMESPACE), transformations=TRANSFORMS)
        total += len(str(sympy.diff(parsed, sympy.Symbol(var))))
    return total


def time_sympy(pairs, repeats, cold):
    """Median time for the set. With `cold`, SymPy's cache is cleared before
    every run so it does the full work, as the Rust side does; without it,
    repeated runs reuse cached results and flatter SymPy."""
    sympy.core.cache.clear_cache()
    sympy_once(pairs)  # warm-up: imports, lazy initialisation
    samples = []
    for _ in range(repeats):
        if cold:
            sympy.core.cache.clear_cache()
        start = time.perf_counter()
        sympy_once(pairs)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


UNITS = {"ns": 1e-9, "µs": 1e-6, "us": 1e-6, "ms": 1e-3, "s": 1.0}


def rust_median():
    """Runs the divan benchmark and reads the median of expression_set."""
    out = subprocess.run(
        ["cargo", "bench", "--bench", "math", "--", "expression_set"],
        cwd=HERE.parent,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for line in out.splitlines():
        if "expression_set" in line:
            cells = [c.strip() for c in line.split("│")]
            # cells: name+fastest, slowest, median, mean, samples, iters
            match = re.match(r"([\d.]+)\s*(\S+)", cells[2])
            if match:
                return float(match.group(1)) * UNITS[match.group(2)]
    raise SystemExit("could not find expression_set in the benchmark output:\n" + out)


def fmt(seconds):
    if seconds < 1e-3:
        return f"{seconds * 1e6:.1f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds:.2f} s"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--no-rust", action="store_true", help="only time SymPy")
    args = parser.parse_args()

    pairs = read_set()
    print(f"{len(pairs)} expressions, parse + differentiate + print")
    cold = time_sympy(pairs, args.repeats, cold=True)
    warm = time_sympy(pairs, args.repeats, cold=False)
    n = len(pairs)
    print(f"SymPy {sympy.__version__}, cache cleared: median {fmt(cold)} ({fmt(cold / n)} each)")
    print(f"SymPy {sympy.__version__}, cache warm:    median {fmt(warm)} ({fmt(warm / n)} each)")
    if args.no_rust:
        return
    rs = rust_median()
    print(f"gradbook:                  median {fmt(rs)} ({fmt(rs / n)} each)")
    print(f"ratio: {cold / rs:.0f}x faster than SymPy with a cleared cache, {warm / rs:.0f}x with a warm one")


if __name__ == "__main__":
    sys.exit(main())
