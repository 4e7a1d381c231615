#!/usr/bin/env python3
"""Writes reference.txt: calc inputs and the values they must give,
computed independently of gradbook with SymPy (exact and symbolic work),
mpmath (50 significant digits) and Python's own floats (descent, which is
defined as float arithmetic).

Run by hand after changing the cases, from any folder:

    pip install sympy mpmath
    python3 crates/gradbook-math/tests/data/make_reference.py

and commit the output. `cargo test` reads the table (tests/reference.rs)
and needs no Python.

The classes follow the ways a number can silently go wrong:

- float-power: a float to a large integer power (repeated squaring drifts);
- negative-power: negative integer powers whose value is representable;
- exact: exact input must give the exact answer, by every path (value,
  simplify, a call of a defined function);
- descent: tol compares the gradient's norm itself; momentum's update;
- domain: a derivative at a point where the function has no value is an
  error; where it has one, the derivative's value;
- derivative: values of derivatives and gradients at points;
- printed: exact printed forms, and overflows in symbolic results;
- simplify: identities the simplifier must know;
- float-exact: a float times or over an exact number whose float (or
  reciprocal) is 0, subnormal or beyond the range: the exact result
  rounded once, an error beyond the range, by a value and by a call;
- digits: a float times or over an ordinary exact number, to the bit;
  cancellations a second rounding would show; functions of exact
  arguments no float holds (huge angles, logs and roots beyond the range).

Line format (tab-separated): class, setup inputs joined by " ;; " (or
"-"), the input, the kind of expectation, the expectation:

    number  the correctly rounded double, as Python's repr
    double  the same, which the engine must give to the bit
    vector  numbers separated by ", "
    text    the printed form, exactly
    expr    an expression that must be the same function (compared at
            sample points of its variables)
    error   a part of the error message ("" for any error)
    descent "rows=N; last=x1, ..., value, g1, ..." (the last row)
"""

import ast
import math
import os
import random
import re
import sys
from fractions import Fraction

import mpmath
import sympy

mpmath.mp.dps = 50
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "reference.txt")
random.seed(20240611)


class Undefined(Exception):
    """The expression has no real value."""


# ---------------------------------------------------------------------------
# A real-valued evaluator with gradbook's exactness: integers and ratios are
# Fractions while every operation on them has a rational result, floats
# (Python's doubles, as written) become 50-digit mpf values.


def is_exact(x):
    return isinstance(x, Fraction)


def to_mp(x):
    if is_exact(x):
        return mpmath.mpf(x.numerator) / x.denominator
    return x


def exact_root(n, q):
    """The integer q-th root of n >= 0, if there is one."""
    if n < 2:
        return n
    r = int(round(n ** (1.0 / q))) if n.bit_length() < 1000 else None
    if r is None:
        r = int(mpmath.nthroot(mpmath.mpf(n), q))
    for c in (r - 1, r, r + 1):
        if c >= 0 and c**q == n:
            return c
    return None


def rpow(b, e):
    if is_exact(b) and is_exact(e):
        if e.denominator == 1:
            k = e.numerator
            if b == 0 and k < 0:
                raise Undefined("0 to a negative power")
            return b**k
        if b < 0:
            raise Undefined("negative base")
        rn = exact_root(b.numerator, e.denominator)
        rd = exact_root(b.denominator, e.denominator)
        if rn is not None and rd is not None:
            base = Fraction(rn, rd)
            if base == 0 and e < 0:
                raise Undefined("0 to a negative power")
            return base**e.numerator
    bm, em = to_mp(b), to_mp(e)
    if bm == 0 and em < 0:
        raise Undefined("0 to a negative power")
    if bm < 0 and em != int(em):
        raise Undefined("negative base")
    return bm**em


def rdiv(a, b):
    if b == 0:
        raise Undefined("division by zero")
    if is_exact(a) and is_exact(b):
        return a / b
    return to_mp(a) / to_mp(b)


def binop(a, b, op):
    if is_exact(a) and is_exact(b):
        return op(a, b)
    return op(to_mp(a), to_mp(b))


def rsqrt(x):
    return rpow(x, Fraction(1, 2))


def rlog(x):
    if x <= 0:
        raise Undefined("log of a non-positive number")
    if x == 1:
        return Fraction(0)
    return mpmath.log(to_mp(x))


def exact_at_zero(f, value):
    def g(x):
        if x == 0 and is_exact(x):
            return Fraction(value)
        return f(to_mp(x))

    return g


FUNCS = {
    "sin": exact_at_zero(mpmath.sin, 0),
    "cos": exact_at_zero(mpmath.cos, 1),
    "tan": exact_at_zero(mpmath.tan, 0),
    "tanh": exact_at_zero(mpmath.tanh, 0),
    "exp": exact_at_zero(mpmath.exp, 1),
    "sigmoid": exact_at_zero(lambda x: 1 / (1 + mpmath.exp(-x)), Fraction(1, 2)),
    "softplus": lambda x: mpmath.log(1 + mpmath.exp(to_mp(x))),
    "log": rlog,
    "ln": rlog,
    "sqrt": rsqrt,
    "abs": lambda x: abs(x),
    "sign": lambda x: Fraction((x > 0) - (x < 0)) if is_exact(x) else mpmath.sign(x),
    "step": lambda x: Fraction(1 if x > 0 else 0),
    "relu": lambda x: x if x > 0 else Fraction(0),
}


def evaluate(text, env=None):
    """The real value of a calc expression (Python syntax) or Undefined."""
    env = env or {}
    tree = ast.parse(text.replace("^", "**"), mode="eval")

    def ev(n):
        if isinstance(n, ast.Expression):
            return ev(n.body)
        if isinstance(n, ast.Constant):
            if isinstance(n.value, int):
                return Fraction(n.value)
            return mpmath.mpf(n.value)  # the double, exactly
        if isinstance(n, ast.Name):
            if n.id in env:
                return env[n.id]
            if n.id == "pi":
                return +mpmath.pi
            if n.id == "e":
                return mpmath.e + 0
            raise KeyError(n.id)
        if isinstance(n, ast.UnaryOp) and isinstance(n.op, ast.USub):
            return -ev(n.operand)
        if isinstance(n, ast.BinOp):
            a, b = ev(n.left), ev(n.right)
            if isinstance(n.op, ast.Add):
                return binop(a, b, lambda x, y: x + y)
            if isinstance(n.op, ast.Sub):
                return binop(a, b, lambda x, y: x - y)
            if isinstance(n.op, ast.Mult):
                return binop(a, b, lambda x, y: x * y)
            if isinstance(n.op, ast.Div):
                return rdiv(a, b)
            if isinstance(n.op, ast.Pow):
                return rpow(a, b)
        if isinstance(n, ast.Call):
            return FUNCS[n.func.id](ev(n.args[0]))
        raise ValueError(ast.dump(n))

    v = ev(tree)
    if isinstance(v, mpmath.mpc):
        raise Undefined("complex")
    return v


def as_double(v):
    """The double nearest to an exact or 50-digit value (ties to even)."""
    if is_exact(v):
        return float(v)  # Fraction -> float is correctly rounded
    if mpmath.isinf(v) or mpmath.isnan(v):
        return float(v)
    sign, man, exp, _ = mpmath.mpf(v)._mpf_
    exact = Fraction(man) * Fraction(2) ** exp
    return float(-exact if sign else exact)


def num(v):
    return repr(as_double(v))


# ---------------------------------------------------------------------------
# SymPy for derivatives and exact forms.

W = sympy.Symbol("w", real=True)
X, Y = sympy.symbols("x y", real=True)
SYM = {
    "w": W,
    "x": X,
    "y": Y,
    "sigmoid": lambda z: 1 / (1 + sympy.exp(-z)),
    "softplus": lambda z: sympy.log(1 + sympy.exp(z)),
    "ln": sympy.log,
    "e": sympy.E,
}


def sym(text):
    return sympy.sympify(text.replace("^", "**"), locals=SYM, rational=True)


def sym_value(expr, subs):
    """A SymPy expression's value at exact points, to 50 digits, or
    Undefined when it is not a finite real number."""
    v = expr.subs(subs)
    v = sympy.N(v, 50)
    if v.has(sympy.zoo, sympy.oo, -sympy.oo, sympy.nan) or not v.is_real:
        raise Undefined(str(v))
    return mpmath.mpf(str(v))


def calc_text(expr):
    """SymPy's printed form in the calc language."""
    return str(expr).replace("Abs(", "abs(").replace("E", "e")


# ---------------------------------------------------------------------------
# The cases.

cases = []


def add(cls, setup, inp, kind, expected):
    setup = " ;; ".join(setup) if setup else "-"
    for part in (setup, inp, expected):
        assert "\t" not in part and "\n" not in part, part
    cases.append((cls, setup, inp, kind, expected))


def value_case(cls, inp, setup=(), env=None, text=None):
    try:
        v = evaluate(text or inp, env)
    except Undefined:
        add(cls, setup, inp, "error", "")
        return
    add(cls, setup, inp, "number", num(v))


# float-power: x**n for doubles x and integers n, through an expression
# and through a defined function.
bases = [1.00000001, 1.000000001, 0.99999999, 1.0000001, 1.5, 0.5, 3.7, 1.1]
for b in bases:
    for n in [2, 3, 7, 64, 1000, 12345, 10**6, 10**8, 2 * 10**9, -2, -3, -1000, -(10**6)]:
        v = mpmath.mpf(b) ** n
        if not (1e-300 < abs(v) < 1e300):
            continue
        add("float-power", [], f"{b!r}**{n}", "number", num(v))
for _ in range(60):
    b = random.choice([1 + random.uniform(-1e-6, 1e-6), random.uniform(0.5, 2.0)])
    n = random.choice([random.randint(2, 50), random.randint(1000, 10**7), -random.randint(2, 10**5)])
    v = mpmath.mpf(b) ** n
    if not (1e-300 < abs(v) < 1e300):
        continue
    add("float-power", [], f"{b!r}**{n}", "number", num(v))
    if random.random() < 0.4:
        add("float-power", [f"f(w) = w**{n}"], f"f({b!r})", "number", num(v))
for b, n in [(-1.0000001, 10**6 + 1), (-1.0000001, 10**6), (-0.9999999, 3 * 10**6 + 1), (-1.5, 101)]:
    add("float-power", [], f"({b!r})**{n}", "number", num(mpmath.mpf(b) ** n))

# negative-power: exact bases, float bases through a function.
for b, k in [(10, 310), (2, 1074), (2, 1070), (3, 600), (7, 300), (10, 300), (5, 400), (10, 320), (2, 1022)]:
    v = Fraction(1, b**k)
    add("negative-power", [], f"{b}**-{k}", "number", num(v))
    add("negative-power", [], f"1/{b}**{k}", "number", num(v))
for p, q, k in [(2, 3, 500), (7, 9, 800), (1, 7, 350)]:
    v = Fraction(p, q) ** k
    add("negative-power", [], f"({p}/{q})**{k}", "number", num(v))
    add("negative-power", [], f"({q}/{p})**-{k}", "number", num(v))
for w, k in [(1e160, 2), (1e155, 2), (3.7e120, 2), (1e100, 3), (2e60, 5), (1e30, 10), (1e5, 63)]:
    v = mpmath.mpf(w) ** -k
    add("negative-power", [f"f(w) = w**-{k}"], f"f({w!r})", "number", num(v))
    add("negative-power", [], f"{w!r}**-{k}", "number", num(v))

# exact: cancellations and long ratios, by three paths.
exact_exprs = [
    "2**53 + 1 - 2**53",
    "10**400 - 10**400",
    "1/3 - 333333333333/1000000000000",
    "2**64 + 3 - 2**64",
    "(2**70 + 1)/(2**70 - 1) - 1",
    "10**30/(10**30 + 1) - 1",
    "3**100 - 3**100 + 1/7",
    "(10**200 + 1)*(10**200 - 1) - 10**400",
    "1/(10**20 + 1) - 1/(10**20 + 2)",
    "123456789012345678901234567890/987654321098765432109876543210",
    "(1 + 1/10**18)**3 - 1",
    "2**-1074 + 2**-1074",
    "7/3 - 2 - 1/3",
]
for _ in range(70):
    a = random.randint(10**15, 10**40)
    b = random.randint(1, 10**6)
    c = random.randint(2, 10**12)
    d = random.randint(2, 10**12)
    form = random.choice([
        f"{a} + {b} - {a}",
        f"({a} + {b})/{c} - {a}/{c}",
        f"{b}/{c} - {b * d}/{c * d + 1}",
        f"{a}*{c} - {a}*{c - 1}",
        f"({a}/{c})**2 - ({a}/{c})**2 + {b}/{d}",
        f"1/{c} - {d}/{c * d + 1}",
    ])
    exact_exprs.append(form)
for e in exact_exprs:
    v = evaluate(e)
    assert is_exact(v), e
    add("exact", [], e, "number", num(v))
    add("exact", [], f"simplify({e})", "text", str(sympy.Rational(v.numerator, v.denominator)))
for e in exact_exprs[:40]:
    # Define-then-call: the first integer literal becomes the parameter.
    m = re.search(r"(?<![\d.])\d+(?![\d.])", e)
    first = int(m.group())
    body = e[: m.start()] + "x" + e[m.end() :]
    v = evaluate(body, {"x": Fraction(first)})
    add("exact", [f"f(x) = {body}"], f"f({first})", "number", num(v))

# descent: Python floats, as SPEC defines the steps; tol against the norm.


def descent(f, grads, start, alpha, steps, momentum=0.0, tol=None):
    w = list(start)
    v = [0.0] * len(w)
    for step in range(steps + 1):
        y = f(*w)
        g = [gi(*w) for gi in grads]
        last = step == steps or (tol is not None and math.hypot(*g) < tol)
        if last:
            return step + 1, w + [y] + g
        for i in range(len(w)):
            v[i] = momentum * v[i] + g[i]
            w[i] -= alpha * v[i]


descents = [
    ("J(w) = w**2", lambda w: w * w, [lambda w: 2 * w], "w", [(0.0, 0.1, 5, 0.0, 1e-170), (3.0, 0.1, 5, 0.0, None), (3.0, 0.1, 200, 0.0, 1e-8), (3.0, 0.1, 1000, 0.0, 1e-300), (3.0, 0.1, 3, 0.9, None), (3.0, 0.1, 500, 0.9, 1e-10), (1e-200, 0.1, 10, 0.0, 1e-170), (5.0, 0.05, 10000, 0.5, 1e-12)]),
    ("J(w) = 1e200*w", lambda w: 1e200 * w, [lambda w: 1e200], "w", [(0.0, 1e-300, 3, 0.0, 1e201), (0.0, 1e-300, 3, 0.0, 1e199)]),
    ("J(w) = w**4/4 - w", lambda w: w**4 / 4 - w, [lambda w: w**3 - 1], "w", [(2.0, 0.05, 300, 0.0, 1e-9), (-1.0, 0.02, 50, 0.8, None)]),
]
for setup, f, grads, var, runs in descents:
    for w0, alpha, steps, m, tol in runs:
        rows, last = descent(f, grads, [w0], alpha, steps, m, tol)
        opts = f", momentum={m!r}" if m else ""
        opts += f", tol={tol!r}" if tol is not None else ""
        inp = f"descent(J, {var}={w0!r}, alpha={alpha!r}, steps={steps}{opts})"
        add("descent", [setup], inp, "descent", f"rows={rows}; last=" + ", ".join(repr(x) for x in last))
two = [
    ("L(w1, w2) = w1**2 + 3*w2**2", lambda a, b: a * a + 3 * (b * b), [lambda a, b: 2 * a, lambda a, b: 6 * b], [((1.0, -2.0), 0.1, 20, 0.0, None), ((1.0, -2.0), 0.1, 2000, 0.0, 1e-9), ((1.0, -2.0), 0.05, 100, 0.5, 1e-6), ((0.0, 0.0), 0.1, 5, 0.0, 1e-170)]),
    ("L(w1, w2) = 1e200*w1 + 1e200*w2", lambda a, b: 1e200 * a + 1e200 * b, [lambda a, b: 1e200, lambda a, b: 1e200], [((0.0, 0.0), 1e-300, 3, 0.0, 1.5e200), ((0.0, 0.0), 1e-300, 3, 0.0, 1.4e200)]),
    ("L(w1, w2) = 1e-200*w1 + 1e-200*w2", lambda a, b: 1e-200 * a + 1e-200 * b, [lambda a, b: 1e-200, lambda a, b: 1e-200], [((0.0, 0.0), 1.0, 3, 0.0, 1.5e-200), ((0.0, 0.0), 1.0, 3, 0.0, 1.4e-200)]),
]
for setup, f, grads, runs in two:
    for (a, b), alpha, steps, m, tol in runs:
        rows, last = descent(f, grads, [a, b], alpha, steps, m, tol)
        opts = f", momentum={m!r}" if m else ""
        opts += f", tol={tol!r}" if tol is not None else ""
        inp = f"descent(L, w1={a!r}, w2={b!r}, alpha={alpha!r}, steps={steps}{opts})"
        add("descent", [setup], inp, "descent", f"rows={rows}; last=" + ", ".join(repr(x) for x in last))

# domain: values, first and second derivatives of functions with
# restricted domains, at points inside, on the edge of and outside them.
domain_funcs = [
    "sqrt(w)**2",
    "log(w)",
    "sqrt(w)",
    "w/w",
    "log(w**2)",
    "(w - 1)/(w - 1)",
    "exp(1 + log(w))",
    "w*log(w)",
    "sqrt(w - 2)*w + 1",
    "1/sqrt(w)",
    "w**(3/2)",
    "sqrt(w)**3",
    "log(log(w))",
    "sqrt(4 - w**2)",
    "1/(w**2 - 1)",
    "exp(-1/w)",
]
points = ["-4", "-1", "-1/2", "0", "1/2", "1", "2", "9/4", "3", "4"]
for body in domain_funcs:
    s = sym(body)
    for p in points:
        a = Fraction(p)
        try:
            evaluate(body, {"w": a})
            defined = True
        except (Undefined, ZeroDivisionError):
            defined = False
        value_case("domain", f"J({p})", [f"J(w) = {body}"], {"w": a}, text=body)
        for order, primes in [(1, "'"), (2, "''")]:
            inp = f"J{primes}({p})"
            if not defined:
                add("domain", [f"J(w) = {body}"], inp, "error", "is undefined")
                continue
            try:
                d = sym_value(sympy.diff(s, W, order), {W: sympy.Rational(p)})
            except Undefined:
                add("domain", [f"J(w) = {body}"], inp, "error", "")
                continue
            add("domain", [f"J(w) = {body}"], inp, "number", num(d))
for body in ["log(w)", "sqrt(w)", "log(w) + w"]:
    for p in ["-1", "-1/2", "2"]:
        defined = Fraction(p) > 0
        inp = f"K({p})"
        setup = [f"J(w) = {body}", "K(w) = J'(w) + 1"]
        if defined:
            d = sym_value(sympy.diff(sym(body), W) + 1, {W: sympy.Rational(p)})
            add("domain", setup, inp, "number", num(d))
        else:
            add("domain", setup, inp, "error", "the derivative of J is undefined where J is")
for fn in ["log", "sqrt"]:
    for p in ["-1", "-1/4", "4"]:
        inp = f"{fn}'({p})"
        if Fraction(p) > 0:
            d = sym_value(sympy.diff(sym(f"{fn}(w)"), W), {W: sympy.Rational(p)})
            add("domain", [], inp, "number", num(d))
        else:
            add("domain", [], inp, "error", f"the derivative of {fn} is undefined where {fn} is")
grad_funcs = ["sqrt(x)**2 + y", "log(x*y)", "x/y", "sqrt(x*y)", "log(x) + y**2"]
for body in grad_funcs:
    s = sym(body)
    for px, py in [("-1", "0"), ("1", "2"), ("-1", "-2"), ("2", "0"), ("1/2", "3")]:
        env = {"x": Fraction(px), "y": Fraction(py)}
        inp = f"grad(L, x={px}, y={py})"
        setup = [f"L(x, y) = {body}"]
        try:
            evaluate(body, env)
        except (Undefined, ZeroDivisionError):
            add("domain", setup, inp, "error", "the gradient of L is undefined where L is")
            continue
        try:
            g = [sym_value(sympy.diff(s, v), {X: sympy.Rational(px), Y: sympy.Rational(py)}) for v in (X, Y)]
        except Undefined:
            add("domain", setup, inp, "error", "")
            continue
        add("domain", setup, inp, "vector", ", ".join(num(x) for x in g))

# derivative: smooth functions, derivatives at points.
smooth = [
    "w**3 - 2*w + 1",
    "exp(-w**2)",
    "sin(3*w)*cos(w)",
    "tanh(w)",
    "sigmoid(w)",
    "softplus(w)",
    "w**5/5 - w**4/7",
    "exp(w)/(1 + w**2)",
    "sin(w)**2 + cos(w)**2",
    "log(1 + w**2)",
    "sigmoid(2*w - 1)*w",
    "1.5*w**2 - 0.25*w",
]
for body in smooth:
    s = sym(body)
    for p in ["-2", "-1/3", "0", "1/2", "1", "5/2"]:
        for order, primes in [(1, "'"), (2, "''"), (3, "'''")]:
            d = sym_value(sympy.diff(s, W, order), {W: sympy.Rational(p)})
            add("derivative", [f"J(w) = {body}"], f"J{primes}({p})", "number", num(d))
for body in ["x**2*y + 3*y", "exp(x*y)", "sin(x) + x*cos(y)", "sigmoid(x - y)"]:
    s = sym(body)
    for px, py in [("1", "2"), ("-1/2", "1/3"), ("0", "0")]:
        g = [sym_value(sympy.diff(s, v), {X: sympy.Rational(px), Y: sympy.Rational(py)}) for v in (X, Y)]
        add("derivative", [f"L(x, y) = {body}"], f"grad(L, x={px}, y={py})", "vector", ", ".join(num(x) for x in g))

# printed: exact coefficients in full, overflowed floats refused.
for k in [64, 100, 200, 333, 1000 // 3]:
    c = 2**k
    add("printed", [], f"diff(2**{k}*w, w)", "text", str(c))
    add("printed", [], f"simplify(w/2**{k})", "text", str(W / c))
for _ in range(12):
    c = random.randint(10**20, 10**80)
    d = random.randint(10**20, 10**80)
    add("printed", [], f"diff({c}*w**2/{d}, w)", "text", str(sympy.diff(sympy.Rational(c, d) * W**2, W)))
    add("printed", [], f"simplify({c} + {d}*w)", "text", str(c + d * W))
for e in ["simplify(1e308*1e308*w)", "simplify(1e300*1e300*w)", "diff(1e200*1e200*w**2, w)", "simplify(w + 1e308 + 1e308)"]:
    add("printed", [], e, "error", "the result overflows")
for e in ["10**400", "10**400*0.5"]:
    add("printed", [], e, "error", "too large for a floating-point number")
for e in ["10**10**6", "2**(10**30)", "(-2)**(2**40 + 1)"]:
    add("printed", [], e, "error", "more than 1000 digits")

# simplify: the identities.
for c in ["0", "1", "2", "-3", "1/2"]:
    add("simplify", [], f"diff(exp({c} + log(w)), w)", "expr", f"exp({c})")
for a in ["w", "2*w", "w**2 + 1", "exp(w)"]:
    add("simplify", [], f"simplify(sin({a})**2 + cos({a})**2)", "text", "1")
    add("simplify", [], f"simplify(3*sin({a})**2 + 3*cos({a})**2 - 3)", "text", "0")
for c in ["2", "1/2", "-1"]:
    add("simplify", [], f"simplify(exp({c}*log(w)))", "expr", f"w**({c})")

# float-exact: floats against exact numbers far outside the float range
# (their own random source, so the cases above stay as they are).
fx = random.Random(20261127)
FLOATS = ["1e300", "2.5", "1e-300", "0.1", "-3.7", "1.7976931348623157e+308", "5e-324", "2.2250738585072014e-308", "1e150"]
EXACTS = ["2**1100", "2**1075", "2**1074", "2**-1100", "10**320", "10**400", "10**-400", "3**700", "3**-700", "7/10**330"]
FORMS = ["{x}*{e}", "{x}/{e}", "{e}/{x}", "{e}*{x}"]


def float_exact_case(setup, inp, text, env):
    try:
        v = evaluate(text, env)
    except Undefined:
        add("float-exact", setup, inp, "error", "")
        return
    if abs(v) > mpmath.mpf(sys.float_info.max):
        add("float-exact", setup, inp, "error", "too large for a floating-point number")
    else:
        add("float-exact", setup, inp, "number", num(v))


X300 = {"x": mpmath.mpf(1e300)}
for inp in ["x/2**1100", "x/2**1075", "x/10**320", "x*10**-400", "x*(1/10**320)", "2**-1100*x", "x/2**1100*2**1100", "x*2**1100"]:
    float_exact_case(["x = 1e300"], inp, inp, X300)
float_exact_case([], "1e300/10**400", "1e300/10**400", {})
seen = set()
while len(seen) < 48:
    x, e, form = fx.choice(FLOATS), fx.choice(EXACTS), fx.choice(FORMS)
    inp = form.format(x=x, e=f"({e})" if "/" in e and form.startswith("{x}/") else e)
    if inp in seen:
        continue
    seen.add(inp)
    float_exact_case([], inp, inp, {})
    if len(seen) % 3 == 0:
        body = form.format(x="w", e=f"({e})" if "/" in e and form.startswith("{x}/") else e)
        float_exact_case([f"f(w) = {body}"], f"f({x})", inp, {})
for setup, inp in [(["x = 1e300"], "x*x/2**1100"), (["f(w) = w*w/2**1100"], "f(1e300)"), ([], "exp(1000)*2**-1100")]:
    add("float-exact", setup, inp, "error", "overflowed")

# digits: a float times or over an exact number is the exact result rounded
# once, to the bit ("double"), by a value and by a call; cancellations that
# show a second rounding; elementary functions of exact arguments that no
# float holds (huge angles reduced exactly, logs and roots beyond the float
# range, saturating functions of huge numbers).
dx = random.Random(20261207)


def exact_double(x, p, q):
    return repr(float(Fraction(x) * Fraction(p, q)))


add("digits", [], "(0.1/10 - 0.01)*1e20", "number", "0.0")
add("digits", [], "0.1/10", "double", repr(0.1 / 10))
add("digits", ["J(w) = w/3"], "J(0.1)", "double", exact_double(0.1, 1, 3))
add("digits", ["x = 0.1"], "x*(7/10)", "double", exact_double(0.1, 7, 10))
for _ in range(80):
    x = dx.choice([dx.uniform(-10, 10), dx.uniform(0, 1) * 10.0 ** dx.randint(-300, 300), dx.random()])
    x = float(repr(x))
    p, q = dx.randint(-10**6, 10**6) or 1, dx.choice([dx.randint(2, 99), dx.randint(2, 10**15)])
    n = dx.randint(2, 10**9)
    add("digits", [], f"{x!r}/{n}", "double", exact_double(x, 1, n))
    add("digits", [], f"{x!r}*({p}/{q})", "double", exact_double(x, p, q))
    add("digits", [], f"({p}/{q})*{x!r}", "double", exact_double(x, p, q))
    if p != 0:
        add("digits", [], f"{x!r}/({p}/{q})", "double", exact_double(x, q, p))
    add("digits", [f"f(w) = w*{p}/{q}"], f"f({x!r})", "double", exact_double(x, p, q))
    add("digits", [f"g(w) = w/{n}"], f"g({x!r})", "double", exact_double(x, 1, n))


def huge(f, text, exact):
    with mpmath.workdps(1200):
        v = f(mpmath.mpf(exact.numerator) / exact.denominator)
        add("digits", [], text, "number", num(v))


for text, exact in [
    ("10**30", Fraction(10**30)),
    ("2**70 + 1", Fraction(2**70 + 1)),
    ("10**17 + 1", Fraction(10**17 + 1)),
    ("10**999", Fraction(10**999)),
    ("-(10**500) + 1/3", Fraction(-(10**500)) + Fraction(1, 3)),
    ("2**1000 + 1", Fraction(2**1000 + 1)),
    ("10**400/7", Fraction(10**400, 7)),
]:
    huge(mpmath.sin, f"sin({text})", exact)
    huge(mpmath.cos, f"cos({text})", exact)
    huge(mpmath.tan, f"tan({text})", exact)
for _ in range(20):
    k = dx.randint(20, 900)
    exact = Fraction(dx.randint(10**k, 10**(k + 1)))
    huge(mpmath.sin, f"sin({exact.numerator})", exact)
for text, exact in [
    ("1/10**400", Fraction(1, 10**400)),
    ("10**400", Fraction(10**400)),
    ("10**-310", Fraction(1, 10**310)),
    ("1 + 10**-20", 1 + Fraction(1, 10**20)),
    ("1 - 1/(3*10**15)", 1 - Fraction(1, 3 * 10**15)),
    ("7*10**500/3", Fraction(7 * 10**500, 3)),
    ("2**-1100", Fraction(1, 2**1100)),
]:
    huge(mpmath.log, f"log({text})", exact)
for text, exact in [
    ("10**401", Fraction(10**401)),
    ("10**-401", Fraction(1, 10**401)),
    ("2*10**600 + 1", Fraction(2 * 10**600 + 1)),
    ("1/3", Fraction(1, 3)),
    ("2**1001", Fraction(2**1001)),
    ("10**20 + 1", Fraction(10**20 + 1)),
]:
    with mpmath.workdps(1200):
        v = mpmath.sqrt(mpmath.mpf(exact.numerator) / exact.denominator)
        add("digits", [], f"sqrt({text})", "double", num(v))
for inp, v in [
    ("sigmoid(10**400)", "1.0"),
    ("sigmoid(-10**400)", "0.0"),
    ("exp(-10**400)", "0.0"),
    ("exp(10**400)", "inf"),
    ("tanh(-10**400)", "-1.0"),
    ("softplus(-10**400)", "0.0"),
]:
    add("digits", [], inp, "number", v)

with open(OUT, "w", encoding="utf-8") as f:
    f.write(
        "# gradbook-math reference table: made by make_reference.py with "
        f"SymPy {sympy.__version__} and mpmath {mpmath.__version__}; do not edit.\n"
        "# class\tsetup\tinput\tkind\texpected (see make_reference.py)\n"
    )
    for case in cases:
        f.write("\t".join(case) + "\n")
counts = {}
for c in cases:
    counts[c[0]] = counts.get(c[0], 0) + 1
print(f"{len(cases)} cases: " + ", ".join(f"{k} {v}" for k, v in counts.items()), file=sys.stderr)
