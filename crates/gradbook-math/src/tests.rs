//! End-to-end tests of the engine through [`Scope::run`], one table per
//! rule: each line is an input and the text it must print (or the error
//! it must raise, as `error: message`).

use super::*;

/// Runs `inputs` in order in one scope and returns the last one's output
/// (or its error, as `error: message — help`).
fn run_all(inputs: &[&str]) -> String {
    let mut scope = Scope::new();
    let mut last = String::new();
    for input in inputs {
        last = match scope.run(input) {
            Ok(v) => v.to_text(12),
            Err(e) => match &e.help {
                Some(h) => format!("error: {} — {h}", e.message),
                None => format!("error: {}", e.message),
            },
        };
    }
    last
}

/// Runs `setup` then `input` in a fresh scope and compares the output.
fn check(input: &str, expected: &str) {
    check_in(&[], input, expected);
}

fn check_in(setup: &[&str], input: &str, expected: &str) {
    let mut all = setup.to_vec();
    all.push(input);
    assert_eq!(run_all(&all), expected, "input {input:?} after {setup:?}");
}

const W2: &[&str] = &["J(w) = w**2"];
const L2: &[&str] = &["L(w1, w2) = w1**2 + 3*w2**2"];

#[test]
fn spec_example() {
    check_in(W2, "diff(J(w), w)", "2*w");
    check_in(W2, "J'(3)", "6");
    check_in(W2, "J''(3)", "2");
    check_in(W2, "J(3)", "9");
    check_in(
        W2,
        "nudge(J, w=3, eps=0.001)",
        "J(3) = 9\nJ(3.001) = 9.006001\nΔJ = 0.006001\nΔJ/ε = 6.001\nJ'(3) = 6",
    );
    check_in(
        &["f(x) = x**3"],
        "nudge(f, x=2, eps=0.01)",
        "f(2) = 8\nf(2.01) = 8.120601\nΔf = 0.120601\nΔf/ε = 12.0601\nf'(2) = 12",
    );
    check_in(W2, "J(w) = w**2", "");
    check("# a comment", "");
}

#[test]
fn numbers() {
    check("3.001**2", "9.006001");
    check("3 - 0.1*6", "2.4");
    check("1/3", "0.333333333333");
    check("2/3", "0.666666666667");
    check("1e-3", "0.001");
    check("1E-3", "0.001");
    check("1e-10", "1e-10");
    check("1.5e20", "1.5e+20");
    check("-w**2 + w**2", "0");
    check("2**3**2", "512");
    check("-2**2", "-4");
    check("2*-3", "-6");
    check("2**-1", "0.5");
    check("2^3", "8");
    check("pi", "3.14159265359");
    check("e", "2.71828182846");
    check("sign(0)", "0");
    check("step(0)", "0");
    check("relu(-2) + relu(3)", "3");
    check("sigmoid(0)", "0.5");
    check("softplus(0)", "0.69314718056");
    check("ln(e)", "1");
    check("abs(-2.5)", "2.5");
    check("sqrt(16)", "4");
    check("tanh(0)", "0");
    check("exp(1000)", "inf");
    check("-0.0", "0");
    check("99999999999999999999", "1e+20");
}

#[test]
fn negative_bases_to_huge_whole_powers_are_real() {
    check("(-1)**(2**32)", "1");
    check("(-1)**(2**32 + 1)", "-1");
    check_in(&["f(w) = w**(2**32 + 1)"], "f(-1)", "-1");
    check("(-0.5)**(2**40)", "0");
    check("(-2.0)**(2**40 + 1)", "-inf");
    check(
        "(-2)**(2**40 + 1)",
        "error: an exact number here would have more than 1000 digits — integers and ratios are exact up to 1000 digits; write a float such as 10.0 to compute approximately",
    );
    check(
        "(-1)**(2**40 + 0.5)",
        "error: (-1)**(1.09951162778e+12) is not a real number: a negative number to a non-integer power",
    );
}

const TOO_LARGE_FOR_A_FLOAT: &str = "error: an exact number of 401 digits is too large for a floating-point number (the largest is about 1.8e+308) — values print as floats; simplify(...) shows an exact result in full";
const TOO_MANY_DIGITS: &str = "error: an exact number here would have more than 1000 digits — integers and ratios are exact up to 1000 digits; write a float such as 10.0 to compute approximately";

#[test]
fn exact_numbers_stay_exact_in_every_path() {
    check("2**53 + 1 - 2**53", "1");
    check("simplify(2**53 + 1 - 2**53)", "1");
    check_in(&["f(x) = x + 1 - 2**53"], "f(2**53)", "1");
    check_in(&["c = 2**53"], "c + 1 - c", "1");
    check("10**400 - 10**400", "0");
    check("1/3 - 333333333333/1000000000000", "3.33333333333e-13");
    check_in(
        &["f(x) = x - 333333333333/1000000000000"],
        "f(1/3)",
        "3.33333333333e-13",
    );
    check("99999999999999999999 - 99999999999999999998", "1");
    check("2**64/2**64", "1");
    check("(8/27)**(2/3)", "0.444444444444");
    check("simplify((8/27)**(2/3))", "4/9");
    check("sign(2**70 - 2**70 - 1)", "-1");
    check("diff(2**100*w, w)", "1267650600228229401496703205376");
    check("simplify(w/2**70)", "w/1180591620717411303424");
    check("grad(x**2*y, x=1/3, y=3)", "[2, 0.111111111111]");
    // Correctly rounded on the way to a float.
    check("10**-310", "1e-310");
    check("2**-1074", "4.94065645841e-324");
    check("simplify(10**-3)", "1/1000");
    // A descent of a function with an exact constant part agrees too.
    check_in(
        &["J(w) = (2**53 + 1 - 2**53)*w"],
        "descent(J, w=1, alpha=1, steps=1)",
        "step  w  J(w)  dJ/dw\n0     1  1     1\n1     0  0     1",
    );
}

#[test]
fn exact_numbers_have_bounds() {
    check("10**400", TOO_LARGE_FOR_A_FLOAT);
    check("10**400*0.5", TOO_LARGE_FOR_A_FLOAT);
    check("10**10**6", TOO_MANY_DIGITS);
    check("2**(10**30)", TOO_MANY_DIGITS);
    check("10**-2000", TOO_MANY_DIGITS);
    check("10.0**-2000", "0");
    check("(-1)**(10**30 + 1)", "-1");
    check("simplify(10**1000*w)", "10**1000*w");
    check(
        &"9".repeat(1001),
        "error: an integer may have at most 1000 digits",
    );
    check(
        "1e400",
        "error: 1e400 is too large for a floating-point number (the largest is about 1.8e+308) — an exact integer can be larger: write a power such as 10**400",
    );
    check("1e-400", "0");
    check("1e308*10", "inf");
    // A float and an exact number whose product is beyond the range stay
    // apart: the function has values (1e9 at w = 1e-300).
    check("simplify(1e308*10*w)", "1e+308*10*w");
    check_in(&["f(w) = 1e308*10*w"], "f(1e-300)", "1000000000");
    check(
        "simplify(1e308*1e308*w)",
        "error: the result overflows: a number in it is beyond the largest floating-point number (about 1.8e+308) — write large numbers exactly (10**400, not 1e400), or scale the expression",
    );
    check_in(
        &["c = 1e308*10"],
        "diff(c*w, w)",
        "error: the result overflows: a number in it is beyond the largest floating-point number (about 1.8e+308) — write large numbers exactly (10**400, not 1e400), or scale the expression",
    );
}

#[test]
fn float_powers_are_accurate_for_any_exponent() {
    check("1.00000001**100000000", "2.71828179835");
    check("1.000000001**2000000000", "7.38905731429");
    check_in(&["f(w) = w**-2"], "f(1e160)", "9.99988867183e-321");
    check_in(&["f(w) = w**100000000"], "f(1.00000001)", "2.71828179835");
    check_in(
        &["J(w) = w**100000000"],
        "descent(J, w=1.00000001, alpha=0, steps=1)",
        "step  w           J(w)           dJ/dw\n0     1.00000001  2.71828179835  271828177.116\n1     1.00000001  2.71828179835  271828177.116",
    );
    check("(-1.0)**(2**62 + 1)", "-1");
    check("(-2.0)**3", "-8");
    check("0.5**-1075", "inf");
}

/// A product's exact factors meet its floats once, as one exact number,
/// so a value that exists is found whichever form the product is written
/// in, and its floats are divided once, as it prints.
#[test]
fn exact_factors_of_a_product_are_combined_first() {
    check_in(&["x = 2.5"], "x/2**1024", "1.39067116157e-308");
    check_in(&["x = 2.5"], "x*(1/2**1024)", "1.39067116157e-308");
    check_in(&["x = 2.5"], "1/(2**1025*x)", "1.11253692925e-309");
    check_in(&["x = 0.31448445422841975"], "(-1)**(abs(x)/x)", "-1");
    // A float still cannot meet an exact number beyond the float range.
    check(
        "10**400*0.5",
        "error: an exact number of 401 digits is too large for a floating-point number (the largest is about 1.8e+308) — values print as floats; simplify(...) shows an exact result in full",
    );
    // One inversion only: an inverted zero stays a division by zero.
    check("0/(0/1)**(-1)", "error: division by zero");
}

#[test]
fn derivatives_exist_only_where_the_function_does() {
    const G: &[&str] = &["g(w) = sqrt(w)**2"];
    const SQRT4: &str = "sqrt(-4) is undefined: a negative number has no real square root";
    check_in(G, "g(-4)", &format!("error: {SQRT4}"));
    let undefined = format!("error: the derivative of g is undefined where g is: {SQRT4}");
    check_in(G, "g'(-4)", &undefined);
    check_in(G, "g''(-4)", &undefined);
    check_in(G, "g'(-4) + 1", &undefined);
    check_in(G, "diff(g'(-4)*w, w)", &undefined);
    check_in(G, "g'(4)", "1");
    check_in(G, "g'(0)", "1");
    check_in(G, "g'(w)", "1");
    check(
        "log'(-1)",
        "error: the derivative of log is undefined where log is: log(-1) is undefined: log needs a positive number",
    );
    check("log'(2)", "0.5");
    check(
        "grad(sqrt(x)**2 + y, x=-1, y=0)",
        "error: the gradient is undefined where the function is: sqrt(-1) is undefined: a negative number has no real square root",
    );
    check_in(
        G,
        "grad(g, w=-1)",
        "error: the gradient of g is undefined where g is: sqrt(-1) is undefined: a negative number has no real square root",
    );
    check_in(G, "nudge(g, w=-4)", &format!("error: {SQRT4}"));
    check_in(
        G,
        "plot(g, w=-4..4, at=-1)",
        "error: sqrt(-1) is undefined: a negative number has no real square root",
    );
    check_in(
        G,
        "descent(g, w=-1, alpha=0.1, steps=3)",
        "error: descent stopped at step 0: sqrt(-1) is undefined: a negative number has no real square root",
    );
    // A definition keeps the rule for the derivatives it takes.
    const K: &[&str] = &["g(w) = sqrt(w)**2", "K(w) = g'(w) + 1"];
    check_in(K, "K(-4)", &undefined);
    check_in(K, "K(4)", "2");
    check_in(K, "K'(-4)", &undefined);
    check_in(K, "grad(K, w=-4)", &undefined);
    check_in(
        K,
        "descent(K, w=-1, alpha=0.1, steps=2)",
        "error: descent stopped at step 0: sqrt(-1) is undefined: a negative number has no real square root",
    );
    check_in(K, "diff(K(w), w)", "0");
    let mut scope = Scope::new();
    for input in K {
        scope.run(input).unwrap();
    }
    let Ok(Value::Plot(p)) = scope.run("plot(K, w=-1..1, samples=3)") else {
        panic!("plot failed")
    };
    assert_eq!(
        p.samples,
        [(-1.0, None), (0.0, Some(2.0)), (1.0, Some(2.0))]
    );
    // An expression from diff is a function of its own.
    check("diff(log(w), w)", "1/w");
    check_in(&["f(w) = diff(log(w), w)"], "f(-1)", "-1");
    check_in(
        &["h(w) = exp(1 + log(w))"],
        "h'(-2)",
        "error: the derivative of h is undefined where h is: log(-2) is undefined: log needs a positive number",
    );
    check_in(&["h(w) = exp(1 + log(w))"], "h'(2)", "2.71828182846");
    check_in(&["J(w) = w/w"], "J(0)", "error: division by zero");
    check_in(
        &["J(w) = w/w"],
        "J'(0)",
        "error: the derivative of J is undefined where J is: division by zero",
    );
}

#[test]
fn definitions_capture_what_they_use() {
    const REDEFINED: &[&str] = &["J(w) = w**2", "g(w) = J(w) + 1", "J(w) = w**3"];
    check_in(REDEFINED, "g(2)", "5");
    check_in(REDEFINED, "J(2)", "8");
    check_in(REDEFINED, "g'(2)", "4");
    check_in(&["J(w) = w**2", "g(w) = J'(w)", "J(w) = w**3"], "g(2)", "4");
    check_in(
        &["alpha = 0.1", "J(w) = alpha*w**2", "alpha = 1"],
        "J(2)",
        "0.4",
    );
    check_in(
        &[
            "J(w) = w**2",
            "g(w) = J(w) + 1",
            "J(w) = w**3",
            "g(w) = J(w) + 1",
        ],
        "g(2)",
        "9",
    );
}

#[test]
fn undefined_constants_are_never_simplified_away() {
    check("1/0 + w", "error: division by zero");
    check("simplify((1/0)**0)", "error: division by zero");
    check("simplify(0**-2*0)", "error: division by zero");
    check(
        "simplify(log(-1)*w)",
        "error: log(-1) is undefined: log needs a positive number",
    );
    check(
        "diff(sqrt(-1)*w, w)",
        "error: sqrt(-1) is undefined: a negative number has no real square root",
    );
    // A float power that overflows is an overflow, not an unread power.
    check(
        "simplify(1e-308**-2*w)",
        "error: the result overflows: a number in it is beyond the largest floating-point number (about 1.8e+308) — write large numbers exactly (10**400, not 1e400), or scale the expression",
    );
    check("1e-308**-2", "inf");
    // Too many digits is not undefined: the power stays a power.
    check("simplify(w + 10**1000)", "w + 10**1000");
}

#[test]
fn missed_simplifications() {
    check("diff(exp(1 + log(w)), w)", "e");
    check("simplify(exp(1 + log(w)))", "e*w");
    check("sin(w)**2 + cos(w)**2", "1");
    check("simplify(2*sin(w)**2 + 2*cos(w)**2 + w)", "w + 2");
    check("diff(sin(w)**2 + cos(w)**2, w)", "0");
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
        "log(-1)",
        "error: log(-1) is undefined: log needs a positive number",
    );
    check(
        "(-8)**(1/3)",
        "error: (-8)**(0.333333333333) is not a real number: a negative number to a non-integer power",
    );
    check("1/0", "error: division by zero");
    check("0**-1", "error: division by zero");
    check("0**-(2**40)", "error: division by zero");
    check_in(&["f(x) = 1/x"], "f(0)", "error: division by zero");
    check_in(
        &["f(x) = log(x)"],
        "f'(0)",
        "error: the derivative of f is undefined where f is: log(0) is undefined: log needs a positive number",
    );
}

#[test]
fn definitions() {
    check_in(&["alpha = 0.1"], "alpha*10", "1");
    check_in(&["c = 1/3"], "diff(c*w**3, w)", "w**2");
    check_in(&["alpha = 0.1", "J(w) = alpha*w**2"], "J(2)", "0.4");
    check_in(&["J(w) = w**2", "J(w) = w**3"], "J(2)", "8");
    check_in(&["J(w) = w**2", "K(w) = J(w) + 1"], "K(3)", "10");
    check_in(&["J(w) = w**2", "J = 4"], "J + 1", "5");
    check_in(&["θ = 2"], "θ**2", "4");
    check_in(&["J(θ) = θ**2"], "diff(J(θ), θ)", "2*θ");
    check_in(&["f(w_1) = w_1**2"], "f(3)", "9");
    check_in(L2, "L(1, 2)", "13");
    check(
        "J(w) = J(w) + 1",
        "error: J cannot refer to itself in its own definition",
    );
    check(
        "J(w) = w + b",
        "error: unknown name 'b' in the definition of J — define it first (b = ...) or make it a parameter: J(w, b)",
    );
    check(
        "J(weight) = weigth**2",
        "error: unknown name 'weigth' in the definition of J — did you mean 'weight'?",
    );
    check(
        "sin(x) = x",
        "error: cannot redefine the built-in 'sin' — choose another name, e.g. J or f",
    );
    check(
        "pi = 3",
        "error: cannot redefine the built-in 'pi' — choose another name",
    );
    check("c = 1/0", "error: division by zero");
}

/// A constant is the value of its right side, a number: exact while the
/// right side is, a float once a float enters.
#[test]
fn constants_are_values() {
    check_in(&["a = 1/3"], "a*3 - 1", "0");
    check_in(&["a = 1/3"], "simplify(a*w)", "w/3");
    check_in(&["a = 2**100"], "a - 2**100 + 1", "1");
    check_in(&["a = 0.1"], "simplify(a*w)", "0.1*w");
    check_in(&["a = 2*pi"], "simplify(a*w)", "6.28318530718*w");
    check_in(&["a = 10**400"], "a/10**399", "10");
    check_in(
        &[
            "J(w) = w**2",
            "n = descent_steps(J, w=3, alpha=0.1, tol=1e-3)",
        ],
        "n/3",
        "13",
    );
    check_in(
        &[
            "n = descent_steps(J, w=3, alpha=0.1, tol=1e-3)",
            "J(w) = w**2",
        ],
        "n",
        "error: 'n' has no value: its definition `n = descent_steps(J, w=3, alpha=0.1, tol=1e-3)` failed (unknown function 'J') — fix that definition, or define n again before this line",
    );
    // A name bound by diff is not free: the value is a number.
    check_in(&["dJ = diff(J, J)"], "dJ", "1");
    check_in(&["d = diff(3*w - 1, w)"], "d", "3");
    // Captured by value in a function.
    check_in(&["a = 1/3", "f(x) = a*x", "a = 1"], "f(3)", "1");
}

#[test]
fn a_constant_with_an_unknown_name_is_an_error() {
    check(
        "c = undefined_name + 1",
        "error: unknown name 'undefined_name' in the definition of c — a constant is a number: define undefined_name first (undefined_name = ...), or make c a function: c(undefined_name) = ...",
    );
    check_in(
        &["alpha = 0.1"],
        "c = alpah*2",
        "error: unknown name 'alpah' in the definition of c — did you mean 'alpha'?",
    );
    check(
        "c = diff(w**2, w)",
        "error: unknown name 'w' in the definition of c — a constant is a number: define w first (w = ...), or make c a function: c(w) = ...",
    );
    check(
        "c = diff(w*y, w)",
        "error: unknown name 'y' in the definition of c — a constant is a number: define y first (y = ...), or make c a function: c(y) = ...",
    );
    // The span is the name, where it is first written.
    let mut scope = Scope::new();
    let input = "c = 2*(1 + undefined_name)";
    let err = scope.run(input).unwrap_err();
    assert_eq!(&input[err.span.clone()], "undefined_name");
    let input = "c = diff(w*y, w) + y";
    let err = scope.run(input).unwrap_err();
    assert_eq!(err.span, 11..12);
    // The failed constant is remembered as failed, not as a symbol.
    assert!(run_all(&["c = x + 1", "c + 1"]).starts_with("error: 'c' has no value"));
    // An expression may still be symbolic.
    check("undefined_name + 1", "undefined_name + 1");
}

#[test]
fn a_failed_definition_is_an_error_wherever_it_is_used() {
    let failed = "error: 'a' has no value: its definition `a = 1/0` failed (division by zero) — fix that definition, or define a again before this line";
    let after = ["a = 1/0"];
    check_in(&after, "b = a + 1", failed);
    check_in(&after, "a", failed);
    check_in(&after, "a + w", failed);
    check_in(&after, "simplify(a*w)", failed);
    check_in(&after, "diff(a*w, w)", failed);
    check_in(&after, "s(x) = a*x", failed);
    check_in(&after, "a(2)", failed);
    check_in(&["J(w) = w**2", "a = 1/0"], "J(a)", failed);
    check_in(
        &["J(w) = w**2", "a = 1/0"],
        "descent(J, w=a, alpha=0.1, steps=1)",
        failed,
    );
    check_in(
        &["J(w) = w**2", "a = 1/0"],
        "descent(J, w=1, alpha=a, steps=1)",
        failed,
    );
    check_in(&["J(w) = w**2", "a = 1/0"], "grad(J, w=a)", failed);
    // A parameter of the same name is another name.
    check_in(&["a = 1/0", "f(a) = a + 1"], "f(1)", "2");
    // A constant built on a failed one fails too, and says which.
    check_in(
        &["a = 1/0", "b = a + 1"],
        "b",
        "error: 'b' has no value: its definition `b = a + 1` failed ('a' has no value) — fix that definition, or define b again before this line",
    );
    // Redefining it clears the failure, and so does a function of that name.
    check_in(&["a = 1/0", "a = 2"], "a + 1", "3");
    check_in(&["a = 1/0", "a(x) = x"], "a(2)", "2");
    // A failed definition replaces the earlier one of that name.
    check_in(
        &["a = 1", "a = log(-1)"],
        "a",
        "error: 'a' has no value: its definition `a = log(-1)` failed (log(-1) is undefined: log needs a positive number) — fix that definition, or define a again before this line",
    );
    check_in(
        &["J(w) = w", "J = 1/0"],
        "J(2)",
        "error: 'J' has no value: its definition `J = 1/0` failed (division by zero) — fix that definition, or define J again before this line",
    );
    // A long definition is quoted shortened.
    let long = format!("a = {}1/0", "1 + ".repeat(30));
    assert!(
        run_all(&[&long, "a"])
            .contains("`a = 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 +…`")
    );
    // A definition that cannot be read still defines its name, as failed.
    check_in(
        &["e2 = np.exp(1)  # from NumPy"],
        "e2",
        "error: 'e2' has no value: its definition `e2 = np.exp(1)` failed ('np.exp' is not a name in calc) — fix that definition, or define e2 again before this line",
    );
    check_in(
        &["a = (1"],
        "a",
        "error: 'a' has no value: its definition `a = (1` failed (unclosed '(') — fix that definition, or define a again before this line",
    );
    // A comparison, a reserved name or another statement defines nothing.
    assert_eq!(run_all(&["a == 1", "a"]), "a");
    check_in(&["pi = 1/0"], "pi", "3.14159265359");
    check_in(&["J(w = 2"], "J", "J");
}

#[test]
fn a_failed_definition_carries_its_tag_back() {
    let mut scope = Scope::new();
    scope.run_tagged("a = 1 + 1/0", 40).unwrap_err();
    let err = scope.run_tagged("b = 2*a", 80).unwrap_err();
    assert_eq!(err.span, 6..7);
    let origin = err.origin.expect("an origin");
    assert_eq!(
        *origin,
        Origin {
            name: "a".to_string(),
            tag: Some(40),
            span: 10..11,
        }
    );
    // Run untagged, the origin has no tag; its name is still there.
    let mut scope = Scope::new();
    scope.run("a = 1/0").unwrap_err();
    let err = scope.run("a").unwrap_err();
    assert_eq!(err.origin.map(|o| o.tag), Some(None));
    // Other errors have no origin.
    assert!(scope.run("1/0").unwrap_err().origin.is_none());
}

/// Newton's method written as constants: each constant is a number, so a
/// long chain stays small and fast.
#[test]
fn a_chain_of_constants_stays_small() {
    let mut scope = Scope::new();
    scope.run("m0 = 10").unwrap();
    scope.run("f(x) = x*cos(x)").unwrap();
    let started = std::time::Instant::now();
    for i in 1..=20 {
        let p = i - 1;
        scope
            .run(&format!("m{i} = m{p} - f'(m{p})/f''(m{p})"))
            .unwrap();
    }
    let elapsed = started.elapsed();
    // Newton's method on f' converges to the critical point near 9.53.
    let Value::Number(x) = scope.run("m20").unwrap() else {
        panic!("a number")
    };
    assert!((x - 9.529_334_405_361_963).abs() < 1e-9, "{x}");
    let Value::Number(slope) = scope.run("f'(m20)").unwrap() else {
        panic!("a number")
    };
    assert!(slope.abs() < 1e-9, "{slope}");
    assert!(elapsed.as_secs() < 5, "20 steps took {elapsed:?}");
    // An exact chain stays exact until it would need too many digits.
    let out = run_all(&["g(x) = x**2 - 2", "r0 = 1", "r1 = r0 - g(r0)/g'(r0)", "r1"]);
    assert_eq!(out, "1.5");
}

#[test]
fn symbolic() {
    check("diff(w**2 - w, w)", "2*w - 1");
    check("diff(w**3 + 2*w, w)", "3*w**2 + 2");
    check("diff(w**3/3, w)", "w**2");
    check("diff(exp(-w**2), w)", "-2*w*exp(-w**2)");
    check("diff(sigmoid(w), w)", "sigmoid(w)*(1 - sigmoid(w))");
    check("diff(tanh(x), x)", "1 - tanh(x)**2");
    check("diff(log(x), x)", "1/x");
    check("diff(softplus(x), x)", "sigmoid(x)");
    check("diff(relu(x), x)", "step(x)");
    check("diff(abs(x), x)", "sign(x)");
    check("diff(x**x, x)", "x**x*(log(x) + 1)");
    check("diff(w**4, w, 2)", "12*w**2");
    check("diff(w**4, w, 0)", "w**4");
    check("diff(x*y, y)", "x");
    check("diff(x**2)", "2*x");
    check("simplify(w*w + 2*w - w)", "w**2 + w");
    check("simplify((w + 1)**2 - (w + 1)**2)", "0");
    check("w**2 - 1", "w**2 - 1");
    check("w + w", "2*w");
    check_in(W2, "J'(x)", "2*x");
    check_in(W2, "J(x + 1)", "(x + 1)**2");
    check("sin'(0)", "1");
    check("diff(0.5*w**2, w)", "w");
    check("diff(0.1*w**3, w)", "0.3*w**2");
}

#[test]
fn gradients() {
    check_in(L2, "grad(L)", "[2*w1, 6*w2]");
    check_in(L2, "grad(L, w1=1, w2=2)", "[2, 12]");
    check_in(L2, "grad(L, w2=2, w1=1)", "[2, 12]");
    check_in(W2, "grad(J, w=3)", "[6]");
    check("grad(x**2 + x*y)", "[2*x + y, x]");
    check_in(
        L2,
        "grad(L, w1=1)",
        "error: grad(...) needs a value for w2 — write grad(L, w1=1, w2=1)",
    );
    check_in(
        L2,
        "grad(L, w1=1, w1=2, w2=3)",
        "error: 'w1' is given twice in grad(...)",
    );
    check_in(
        L2,
        "grad(L, w1=1, w3=2)",
        "error: grad(...) has no argument 'w3' — L's parameters are w1, w2; write grad(L, w1=1, w2=1)",
    );
    check_in(
        L2,
        "grad(M)",
        "error: unknown function 'M' — define it first, e.g. M(w) = w**2",
    );
    check_in(
        &["loss(w) = w**2"],
        "grad(los)",
        "error: unknown function 'los' — did you mean 'loss'?",
    );
}

#[test]
fn descent_tables() {
    check_in(
        W2,
        "descent(J, w=3, alpha=0.1, steps=5)",
        "step  w        J(w)          dJ/dw
0     3        9             6
1     2.4      5.76          4.8
2     1.92     3.6864        3.84
3     1.536    2.359296      3.072
4     1.2288   1.50994944    2.4576
5     0.98304  0.9663676416  1.96608",
    );
    let out = run_all(&[
        "L(w1, w2) = w1**2 + 3*w2**2",
        "descent(L, w1=1, w2=-2, alpha=0.1, steps=2)",
    ]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 4, "{out}");
    let header: Vec<&str> = lines[0]
        .split("  ")
        .filter(|c| !c.trim().is_empty())
        .map(str::trim)
        .collect();
    assert_eq!(
        header,
        ["step", "w1", "w2", "L(w1, w2)", "dL/dw1", "dL/dw2"]
    );
    let row1: Vec<&str> = lines[2].split_whitespace().collect();
    assert_eq!(row1, ["1", "0.8", "-0.8", "2.56", "1.6", "-4.8"]);
    let out = run_all(&["J(w) = w**2", "descent(J, w=3, alpha=0.1, tol=0.5)"]);
    let last = out.lines().last().unwrap_or("");
    assert!(last.starts_with("12 "), "{out}");
    let out = run_all(&[
        "J(w) = w**2",
        "descent(J, w=3, alpha=0.1, steps=2, momentum=0.9)",
    ]);
    let row2: Vec<&str> = out
        .lines()
        .nth(3)
        .unwrap_or("")
        .split_whitespace()
        .collect();
    // v1 = 6, w1 = 2.4; v2 = 0.9*6 + 4.8 = 10.2, w2 = 2.4 - 1.02 = 1.38
    assert_eq!(row2[1], "1.38", "{out}");
    // v3 = 0.9*10.2 + 2.76 = 11.94, w3 = 1.38 - 1.194 = 0.186
    check_in(
        W2,
        "descent(J, w=3, alpha=0.1, steps=3, momentum=0.9)",
        "step  w      J(w)      dJ/dw\n0     3      9         6\n1     2.4    5.76      4.8\n2     1.38   1.9044    2.76\n3     0.186  0.034596  0.372",
    );
    // tol is compared with the norm itself: neither tol² underflowing
    // (1e-340 is 0) nor a gradient's square overflowing keeps a run going.
    check_in(
        W2,
        "descent(J, w=0, alpha=0.1, steps=5, tol=1e-170)",
        "step  w  J(w)  dJ/dw\n0     0  0     0",
    );
    check_in(
        &["J(w) = 1e200*w"],
        "descent(J, w=0, alpha=1e-300, steps=3, tol=1e201)",
        "step  w  J(w)  dJ/dw\n0     0  0     1e+200",
    );
    check_in(
        &["L(a, b) = 1e200*a + 1e200*b"],
        "descent(L, a=0, b=0, alpha=1e-300, steps=3, tol=1.5e200)",
        "step  a  b  L(a, b)  dL/da   dL/db\n0     0  0  0        1e+200  1e+200",
    );
    let out = run_all(&[
        "L(a, b) = 1e200*a + 1e200*b",
        "descent(L, a=0, b=0, alpha=1e-300, steps=3, tol=1.4e200)",
    ]);
    assert_eq!(out.lines().count(), 5, "{out}");
    check_in(
        W2,
        "descent(J, w=3, alpha=0.1)",
        "error: descent needs a number of steps — write descent(J, w=1, alpha=0.1, steps=5), or give tol=1e-8 to run until the gradient is small",
    );
    check_in(
        W2,
        "descent(J, w=3, steps=5)",
        "error: descent needs a learning rate — write descent(J, w=1, alpha=0.1, steps=5)",
    );
    check_in(
        W2,
        "descent(J, w=3, alpha=0.1, steps=2000000)",
        "error: at most 1000000 steps are allowed",
    );
    check_in(
        W2,
        "descent(J, w=3, alpha=10, steps=100000)",
        "error: descent diverged at step 241: w = -inf — try a smaller alpha",
    );
    check_in(
        W2,
        "descent(J, w=3, alpha=0.1, stesp=5)",
        "error: descent(...) has no argument 'stesp' — did you mean 'steps'?",
    );
}

#[test]
fn the_tables_of_a_scope_share_their_cells() {
    let mut scope = Scope::new();
    assert_eq!(scope.cells_left(), MAX_CELLS);
    scope.run("J(w) = w**2").unwrap();
    scope.set_cells_left(100);
    // 20 rows of 4 columns.
    scope.run("descent(J, w=3, alpha=0.1, steps=19)").unwrap();
    assert_eq!(scope.cells_left(), 20);
    let err = scope
        .run("descent(J, w=3, alpha=0.1, steps=5)")
        .unwrap_err();
    assert!(
        err.message
            .contains("more than the 20 cells left of the 8000000"),
        "{err:?}"
    );
    assert_eq!(
        err.help.as_deref().map(|h| h.contains("steps=4 or fewer")),
        Some(true)
    );
    scope.run("descent(J, w=3, alpha=0.1, steps=4)").unwrap();
    assert_eq!(scope.cells_left(), 0);
    // Results without a table still run; a table does not.
    assert!(scope.run("J'(3)").is_ok());
    let err = scope
        .run("descent(J, w=3, alpha=0.1, tol=1e-3)")
        .unwrap_err();
    assert!(err.message.contains("had not reached tol"), "{err:?}");
    assert!(err.help.is_some_and(|h| h.contains("use every cell")));
    let err = scope
        .run("descent(J, w=3, alpha=0.1, steps=0)")
        .unwrap_err();
    assert!(err.help.is_some_and(|h| h.contains("use every cell")));
}

#[test]
fn numbers_for_prose_round_and_count_steps() {
    check("round(98/30, 2)", "3.27");
    check("round(98/30)", "3");
    check("round(5/2)", "2");
    check("round(2.675, 2)", "2.67");
    check("round(-7/2)", "-4");
    check("round(1/3, 15)", "0.333333333333");
    check_in(W2, "round(J(1.05), 1)", "1.1");
    check_in(W2, "round(J'(3)/7, 3)", "0.857");
    check(
        "round(w, 2)",
        "error: round takes a number, not an expression with variables — round a value, as in round(J(3), 2); it has no derivative",
    );
    check(
        "round(1, 16)",
        "error: the number of digits must be a whole number from 0 to 15",
    );
    check(
        "round(1, 1.5)",
        "error: the number of digits must be a whole number from 0 to 15",
    );
    check("round(1/0)", "error: division by zero");
    // J(w) = w**2 from 3 with alpha=0.1: |g| = 6*0.8**k, below 1e-3 first at k = 39.
    check_in(W2, "descent_steps(J, w=3, alpha=0.1, tol=1e-3)", "39");
    check_in(W2, "descent_steps(J, w=3, alpha=0.1, tol=1e-3) + 1", "40");
    check_in(
        &[
            "J(w) = w**2",
            "n = descent_steps(J, w=3, alpha=0.1, tol=1e-3)",
        ],
        "n/descent_steps(J, w=3, alpha=0.4, tol=1e-3)",
        "6.5",
    );
    check_in(
        W2,
        "descent_steps(J, w=3, alpha=0.1, steps=5)",
        "error: descent_steps needs tol: it counts the steps until the gradient is small — write descent_steps(J, w=1, alpha=0.1, tol=1e-6)",
    );
    check_in(
        W2,
        "descent_steps(J, w=3, alpha=0.1, steps=5, tol=1e-9)",
        "error: descent had not reached tol after 5 steps, so there is no count to give — give more steps, a larger tol, or a larger alpha",
    );
    check_in(
        W2,
        "descent_steps(J, w=3, alpha=1.5, tol=1e-3)",
        "error: descent diverged at step 1022: w = inf — try a smaller alpha",
    );
}

#[test]
fn other_tools_names_for_descent_options_are_answered() {
    for (written, meant) in [
        ("lr", "alpha"),
        ("eta", "alpha"),
        ("learning_rate", "alpha"),
        ("n_steps", "steps"),
        ("iterations", "steps"),
    ] {
        check_in(
            W2,
            &format!("descent(J, w=3, alpha=0.1, steps=5, {written}=1)"),
            &format!("error: descent(...) has no argument '{written}' — did you mean '{meant}'?"),
        );
    }
}

#[test]
fn result_tables_are_bounded_before_they_are_computed() {
    let vars: Vec<String> = (1..=50).map(|i| format!("w{i}")).collect();
    let define = format!(
        "L({}) = {}",
        vars.join(", "),
        vars.iter()
            .map(|v| format!("{v}**2"))
            .collect::<Vec<_>>()
            .join(" + ")
    );
    let start: Vec<String> = vars.iter().map(|v| format!("{v}=1")).collect();
    // Refused before the first step: running it took minutes and gigabytes.
    let out = run_all(&[
        &define,
        &format!("descent(L, {}, alpha=0.1, steps=1000000)", start.join(", ")),
    ]);
    assert_eq!(
        out,
        "error: the descent table would have 1000001 rows of 102 columns, more than the 8000000 cells a result may hold — use steps=78430 or fewer with 50 variables; in the expected output, a `...` line can stand for the middle of a long table"
    );
    let rows = |inputs: &[&str]| {
        let mut scope = Scope::new();
        let mut last = None;
        for input in inputs {
            last = Some(scope.run(input));
        }
        match last {
            Some(Ok(Value::Descent(d))) => d.rows.len(),
            other => panic!("{other:?}"),
        }
    };
    let most = format!("descent(L, {}, alpha=0.1, steps=78430)", start.join(", "));
    assert_eq!(rows(&[&define, &most]), 78_431);
    // With tol and no steps the run is stopped where the table fills up.
    let out = run_all(&[
        &define,
        &format!("descent(L, {}, alpha=1e-12, tol=1e-30)", start.join(", ")),
    ]);
    assert_eq!(
        out,
        "error: descent had not reached tol after 78430 steps, and a longer table would pass the 8000000 cells a result may hold — give steps=78430 or fewer, a larger tol, or a larger alpha"
    );
    // One variable may take every step.
    assert_eq!(
        rows(&["J(w) = w**2", "descent(J, w=1, alpha=0.1, steps=1000000)"]),
        1_000_001
    );
}

#[test]
fn plots() {
    check_in(W2, "plot(J, w=-4..4)", "plot: J(w) for w in [-4, 4]");
    check_in(
        W2,
        "plot(J, w=-4..4, at=3)",
        "plot: J(w) for w in [-4, 4], tangent at w=3, slope 6",
    );
    check_in(
        W2,
        "plot(J, w=4..-4)",
        "error: the plot range must go from a smaller to a larger finite number",
    );
    check_in(
        W2,
        "plot(J, w=3)",
        "error: plot needs a range for w, like w=-4..4",
    );
    let mut scope = Scope::new();
    scope.run("f(x) = log(x)").unwrap();
    let Ok(Value::Plot(p)) = scope.run("plot(f, x=-1..1, samples=5)") else {
        panic!("plot failed")
    };
    assert_eq!(p.samples.len(), 5);
    assert_eq!(p.samples[0], (-1.0, None));
    assert_eq!(p.samples[4], (1.0, Some(0.0)));
}

#[test]
fn helpful_errors() {
    check(
        "sigmod(2)",
        "error: unknown function 'sigmod' — did you mean 'sigmoid'?",
    );
    check(
        "2w",
        "error: implicit multiplication is not supported — write 2*w",
    );
    check(
        "sin(1, 2)",
        "error: sin takes 1 argument but 2 were given — write sin(x)",
    );
    check_in(
        L2,
        "L(1)",
        "error: L takes 2 arguments but 1 was given — write L(w1, w2)",
    );
    check_in(
        L2,
        "L'(1)",
        "error: L' needs a function of one variable, but L has 2 — use grad(L) or diff(L(w1, w2), w1)",
    );
    check_in(
        W2,
        "J + 1",
        "error: 'J' is a function, not a value — call it: J(w)",
    );
    check_in(
        &["alpha = 2"],
        "alpha(3)",
        "error: 'alpha' is not a function — to multiply, write alpha*(...)",
    );
    check(
        "diff(x**2, 2)",
        "error: diff's second argument must be a variable name — write diff(expr, w) or diff(expr, w, 2)",
    );
    check(
        "diff(x**2, x, 100)",
        "error: derivative order 100 is too high (at most 12)",
    );
    check(
        "diff(x**2, x, 1.5)",
        "error: the order of a derivative must be a whole number 0 or more",
    );
    check(
        "1 + grad(x)",
        "error: grad(...) cannot be part of an expression — write grad(...) on its own line",
    );
    check_in(
        L2,
        "nudge(L, w1=1, w2=2)",
        "error: nudge needs a function of one variable, but L has 2 (w1, w2)",
    );
}

#[test]
fn error_spans_point_at_the_problem() {
    let mut scope = Scope::new();
    let span = |scope: &mut Scope, input: &str| {
        let e = scope.run(input).unwrap_err();
        input[e.span.clone()].to_string()
    };
    assert_eq!(span(&mut scope, "1 + sigmod(2)"), "sigmod");
    assert_eq!(span(&mut scope, "3 + log(0) * 2"), "log(0)");
    assert_eq!(span(&mut scope, "5/(2 - 2)"), "(2 - 2)");
    assert_eq!(span(&mut scope, "1 + 2w"), "2w");
    assert_eq!(span(&mut scope, "1 + (2"), "(");
}

#[test]
fn parse_expr_and_values() {
    let mut scope = Scope::new();
    scope.run("J(w) = sigmoid(w)").unwrap();
    let expected = scope.parse_expr("sigmoid(w)*(1 - sigmoid(w))").unwrap();
    let Ok(Value::Expr(computed)) = scope.run("diff(J(w), w)") else {
        panic!("diff failed")
    };
    for w in [-2.0, 0.0, 0.5, 3.0] {
        let a = expected.eval(&[("w", w)]).unwrap();
        let b = computed.eval(&[("w", w)]).unwrap();
        assert!((a - b).abs() < 1e-12);
    }
    assert_eq!(computed.free_vars(), ["w"]);
    assert!(computed.to_mathml().starts_with("<math>"));
    let e = Expr::parse("2*w").unwrap();
    assert_eq!(e.eval(&[("w", 3.0)]), Ok(6.0));
    assert!(e.eval(&[]).is_err());
}

#[test]
fn limits() {
    let deep = format!("{}x{}", "sin(".repeat(200), ")".repeat(200));
    assert!(run_all(&[&deep]).starts_with("error: expression nested too deeply"));
    // Doubling through definitions is stopped by the size limit.
    let mut scope = Scope::new();
    scope.run("f0(x) = x*x + x").unwrap();
    let mut failed = false;
    for i in 1..40 {
        if scope
            .run(&format!("f{i}(x) = f{}(f{}(x))", i - 1, i - 1))
            .is_err()
        {
            failed = true;
            break;
        }
    }
    assert!(failed);
    // Nesting through definitions is stopped by the depth limit.
    let mut scope = Scope::new();
    scope
        .run(&format!("g0(x) = {}x{}", "sin(".repeat(60), ")".repeat(60)))
        .unwrap();
    let mut failed = false;
    for i in 1..40 {
        if let Err(e) = scope.run(&format!("g{i}(x) = g{}(g{}(x))", i - 1, i - 1)) {
            assert!(
                e.message.contains("too deeply") || e.message.contains("too large"),
                "{e}"
            );
            failed = true;
            break;
        }
    }
    assert!(failed);
    check(
        "diff(x**2, x, 13)",
        "error: derivative order 13 is too high (at most 12)",
    );
}

#[test]
fn deepest_trees_fit_a_small_stack() {
    // Runs on a thread with a 1 MiB stack (half of Rust's default for
    // spawned threads, and this is a debug build, whose frames are several
    // times larger than release ones) to show that the nesting and depth
    // limits keep every recursion small.
    let worker = std::thread::Builder::new()
        .stack_size(1 << 20)
        .spawn(|| {
            let mut scope = Scope::new();
            let nested = format!("{}x{}", "sin(".repeat(60), ")".repeat(60));
            scope.run(&format!("g0(x) = {nested}")).unwrap();
            let mut last = 0;
            for i in 1..6 {
                if scope
                    .run(&format!("g{i}(x) = g{}(g{}(x))", i - 1, i - 1))
                    .is_err()
                {
                    break;
                }
                last = i;
            }
            let g = format!("g{last}");
            let inputs = [
                format!("{g}(1)"),
                format!("{g}'(1)"),
                format!("{g}''(1)"),
                format!("diff({g}(x), x, 3)"),
                format!("simplify({g}(x) - {g}(x))"),
                format!("grad({g})"),
                format!("descent({g}, x=1, alpha=0.1, steps=3)"),
                format!("plot({g}, x=-1..1, at=0.5)"),
                format!("-{nested}**{nested}/{nested}"),
            ];
            for input in &inputs {
                // Errors (limits) are fine; a stack overflow would abort.
                let _ = scope.run(input).map(|v| v.to_text(12));
            }
            let _ = Expr::parse(&nested).map(|e| (e.to_mathml(), e.derivative("x", 2)));
            last
        })
        .unwrap();
    assert!(worker.join().unwrap() >= 1);
}

#[test]
fn huge_inputs_are_refused_not_crashed() {
    let long = "1+".repeat(300_000) + "1";
    assert!(run_all(&[&long]).contains("too large"));
    let wide = format!("J(x) = {}x", "x*".repeat(10_000));
    let out = run_all(&[&wide, "diff(J(x), x, 12)"]);
    // x**10001 differentiated 12 times: 10001!/9989! x**9989, exactly.
    assert_eq!(
        out,
        "994612633183954859694375786442884236052288000000*x**9989"
    );
}
#[test]
fn values_cross_threads() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<Scope>();
    send_sync::<Value>();
    send_sync::<Expr>();
    send_sync::<MathError>();
}

#[test]
fn mathml_of_lesson_results() {
    let ml = |s: &str| Expr::parse(s).unwrap().simplified().to_mathml();
    assert_eq!(
        ml("-x"),
        "<math><mrow><mo>\u{2212}</mo><mi>x</mi></mrow></math>"
    );
    assert_eq!(
        ml("alpha*theta_1"),
        "<math><mrow><mi>α</mi><mo>&#x2062;</mo><msub><mi>θ</mi><mn>1</mn></msub></mrow></math>"
    );
    assert_eq!(
        ml("x**(1/3)"),
        "<math><mrow><mroot><mrow><mi>x</mi></mrow><mn>3</mn></mroot></mrow></math>"
    );
    assert_eq!(
        ml("1.5e20*x"),
        "<math><mrow><mn>1.5</mn><mo>×</mo><msup><mn>10</mn><mn>20</mn></msup><mo>&#x2062;</mo><mi>x</mi></mrow></math>"
    );
    let sig = ml("sigmoid(z)*(1 - sigmoid(z))");
    assert!(sig.contains("<mi>sigmoid</mi><mo>&#x2061;</mo>"), "{sig}");
    let frac = ml("exp(-x**2/2)/sqrt(2*pi)");
    assert!(
        frac.starts_with("<math><mrow><mfrac>") && frac.contains("<msqrt>"),
        "{frac}"
    );
}

const FLOAT_OVERFLOWED: &str = "error: a floating-point value here overflowed (beyond about 1.8e+308) before an exact factor could scale it back — apply the exact factor first, or scale the floats so that none exceeds the range";

/// A float times or over an exact number whose float (or reciprocal) is
/// 0, subnormal or beyond the range is the exact result rounded once, by
/// every path: a value, a call, a gradient, a descent step, a plot.
#[test]
fn floats_meet_extreme_exact_numbers_exactly() {
    const X: &[&str] = &["x = 1e300"];
    check_in(X, "x/2**1100", "7.36215182902e-32");
    check("1e300/10**400", "1e-100");
    check_in(X, "x/2**1075", "2.47032822921e-24");
    // The exact reciprocal, 1e-320, is a subnormal float with 14 bits.
    check_in(X, "x/10**320", "1e-20");
    check_in(X, "x*(1/10**320)", "1e-20");
    check_in(X, "x*10**-400", "1e-100");
    check_in(X, "2**-1100*x", "7.36215182902e-32");
    check_in(X, "(x/2**1100)*2**1100", "1e+300");
    check_in(&["g(w) = w*10**-400"], "g(1e300)", "1e-100");
    check_in(&["g(w) = w*10**-400"], "g'(1e300)", "0");
    check_in(&["g(w) = w/2**1075"], "g(1e300)", "2.47032822921e-24");
    check_in(&["g(w) = 2**-1100/w"], "g(1e-300)", "7.36215182902e-32");
    // An exact number beyond the float range meets a float whose product
    // with it is in range.
    check("1e-300*2**1100", "1.35829852905e+31");
    check("2**1100/1e300", "1.35829852905e+31");
    check("1e300/2**1100*2**1100", "1e+300");
    check_in(&["g(w) = w*2**1100"], "g(1e-300)", "1.35829852905e+31");
    check("-0.0*2**1100", "0");
    // Below the float range: the correctly rounded subnormal, or 0.
    check("1e-300*10**-20", "9.99988867183e-321");
    check("1e-300/2**1100", "0");
    check("2.5*2**-1100", "0");
    // Beyond the range: an error, as before.
    check_in(
        X,
        "x*2**1100",
        "error: an exact number of 332 digits is too large for a floating-point number (the largest is about 1.8e+308) — values print as floats; simplify(...) shows an exact result in full",
    );
    check("1e308*10", "inf");
    check("-exp(1000)*2", "-inf");
    // A float that overflowed before the exact divisor could bring it
    // back has no reliable value: an error, never nan.
    check_in(X, "x*x/2**1100", FLOAT_OVERFLOWED);
    check_in(&["f(w) = w*w/2**1100"], "f(1e300)", FLOAT_OVERFLOWED);
    check("exp(1000)*2**-1100", FLOAT_OVERFLOWED);
    check_in(
        &["f(w) = w*w/2**1100"],
        "descent(f, w=1e300, alpha=0.1, steps=1)",
        "error: descent stopped at step 0: a floating-point value here overflowed (beyond about 1.8e+308) before an exact factor could scale it back",
    );
    check_in(
        &["f(w) = w*w/2**1100"],
        "grad(f, w=1e300)",
        "error: the gradient of f is undefined where f is: a floating-point value here overflowed (beyond about 1.8e+308) before an exact factor could scale it back — apply the exact factor first, or scale the floats so that none exceeds the range",
    );
}

/// Every path agrees: the statement evaluator, a call (tree), a
/// gradient, a descent (compiled) and a plot give the same value.
#[test]
fn extreme_exact_factors_agree_in_every_path() {
    const J: &[&str] = &["J(w) = w**2/2**1100"];
    check_in(J, "J(1)", "0");
    check_in(J, "J(1e150)", "7.36215182902e-32");
    check_in(J, "J'(1e150)", "1.4724303658e-181");
    check_in(J, "grad(J, w=1e150)", "[1.4724303658e-181]");
    check_in(
        J,
        "descent(J, w=1e150, alpha=1, steps=1)",
        "step  w       J(w)               dJ/dw\n0     1e+150  7.36215182902e-32  1.4724303658e-181\n1     1e+150  7.36215182902e-32  1.4724303658e-181",
    );
    check_in(
        J,
        "descent(J, w=1, alpha=0.1, steps=1)",
        "step  w  J(w)  dJ/dw\n0     1  0     0\n1     1  0     0",
    );
    check_in(&["x = 1e150"], "x*x/2**1100", "7.36215182902e-32");
    check_in(&["f(w) = 2**-1100*w"], "f(1e300)", "7.36215182902e-32");
    check_in(
        &["f(w) = 2**-1100*w"],
        "descent(f, w=1e300, alpha=1, steps=1)",
        "step  w       f(w)               df/dw\n0     1e+300  7.36215182902e-32  0\n1     1e+300  7.36215182902e-32  0",
    );
}

/// In a symbolic result, a float coefficient and an exact number whose
/// product would lose digits (below the normal float range, or beyond it)
/// stay apart, so the function keeps its value everywhere and every path
/// computes it; a product that loses nothing is one number, and floats
/// alone follow IEEE 754.
#[test]
fn symbolic_coefficients_never_lose_digits() {
    let p1100 = num_bigint::BigInt::from(2).pow(1100u32).to_string();
    check("simplify(2.5*w/2**1100)", &format!("2.5*w/{p1100}"));
    check("simplify(-2.5*w/2**1100)", &format!("-2.5*w/{p1100}"));
    // The printed form reads back as the same function.
    check(
        &format!("simplify(2.5*w/{p1100})"),
        &format!("2.5*w/{p1100}"),
    );
    let ml = Expr::parse("2.5*w/2**1100")
        .unwrap()
        .simplified()
        .to_mathml();
    assert!(ml.contains("<mn>2.5</mn>") && ml.contains(&p1100), "{ml}");
    check("simplify(2.5*w*2**1100)", &format!("2.5*{p1100}*w"));
    check(
        "simplify(2.5*(w + 1)/2**1100)",
        &format!("2.5*(w + 1)/{p1100}"),
    );
    let p1099 = num_bigint::BigInt::from(2).pow(1099u32).to_string();
    check("diff(2.5*w**2/2**1100, w)", &format!("2.5*w/{p1099}"));
    check("simplify(2.5*w/2**1100*2**1100)", "2.5*w");
    check("simplify(2**1100*(2.5*w/2**1100))", "2.5*w");
    check(
        "simplify(2.5*w/2**1100 + 3.5*w/2**1100)",
        &format!("6*w/{p1100}"),
    );
    // Exact in a subnormal: one number.
    check("simplify(0.5*w/2**1070)", "3.95252516673e-323*w");
    check("simplify(1e-300*1e-300*w)", "0");
    check("simplify(2.5*2**-1100)", "0");
    // A subnormal float is a float like any other.
    let p300 = num_bigint::BigInt::from(2).pow(300u32).to_string();
    check("simplify(1e-310*w/2**300)", &format!("1e-310*w/{p300}"));
    check_in(
        &["f(w) = 1e-310*w/2**300"],
        "descent(f, w=1e200, alpha=0, steps=1)",
        "step  w       f(w)               df/dw\n0     1e+200  4.9090934653e-201  0\n1     1e+200  4.9090934653e-201  0",
    );
    const H: &[&str] = &["h(w) = 2.5*w/2**1100"];
    check_in(H, "h(1e300)", "1.84053795726e-31");
    check_in(H, "simplify(h(w))", &format!("2.5*w/{p1100}"));
    check_in(H, "h'(1e300)", "0");
    check_in(
        H,
        "descent(h, w=1e300, alpha=1, steps=1)",
        "step  w       h(w)               dh/dw\n0     1e+300  1.84053795726e-31  0\n1     1e+300  1.84053795726e-31  0",
    );
    const K: &[&str] = &["k(w) = 2.5*w**2/2**1100"];
    check_in(K, "k(1e150)", "1.84053795726e-31");
    check_in(K, "k'(1e150)", "3.68107591451e-181");
    check_in(K, "grad(k, w=1e150)", "[3.68107591451e-181]");
    check_in(
        K,
        "descent(k, w=1e150, alpha=1, steps=1)",
        "step  w       k(w)               dk/dw\n0     1e+150  1.84053795726e-31  3.68107591451e-181\n1     1e+150  1.84053795726e-31  3.68107591451e-181",
    );
    const M: &[&str] = &["m(w) = 2.5*w*2**1100"];
    check_in(M, "m(1e-300)", "3.39574632262e+31");
    // Its derivative, 2.5*2**1100, is beyond the float range.
    check_in(
        M,
        "m'(1e-300)",
        "error: an exact number of 332 digits is too large for a floating-point number (the largest is about 1.8e+308) — values print as floats; simplify(...) shows an exact result in full",
    );
    check_in(
        M,
        "descent(m, w=1e-300, alpha=0, steps=1)",
        "error: an exact number of 332 digits is too large for a floating-point number (the largest is about 1.8e+308) — values print as floats; simplify(...) shows an exact result in full",
    );
}

/// A float times or over an ordinary exact number is rounded once, so
/// cancellations come out as Python's floats give them (the exact factor's
/// float first was one unit off about a third of the time).
#[test]
fn floats_meet_ordinary_exact_numbers_rounded_once() {
    check("(0.1/10 - 0.01)*1e20", "0");
    check("(0.1*(1/10) - 0.01)*1e20", "0");
    let mut scope = Scope::new();
    let text = |scope: &mut Scope, input: &str| scope.run(input).unwrap().to_text(17);
    assert_eq!(text(&mut scope, "0.1/10"), "0.01");
    scope.run("J(w) = w/3").unwrap();
    let nudge = text(&mut scope, "nudge(J, w=0.1, eps=1e-10)");
    assert!(nudge.contains("ΔJ/ε = 0.333333360913457"), "{nudge}");
    check_in(&["J(w) = w/3"], "nudge(J, w=0.1, eps=1e-10)", &{
        let mut s = Scope::new();
        s.run("J(w) = w/3").unwrap();
        s.run("nudge(J, w=0.1, eps=1e-10)").unwrap().to_text(12)
    });
    assert_eq!(
        run_all(&["J(w) = w/3", "nudge(J, w=0.1, eps=1e-10)"])
            .lines()
            .nth(3)
            .unwrap_or(""),
        "ΔJ/ε = 0.333333360913"
    );
    // 0.7 is not 7/10: a descent step with the exact rate rounds once.
    check_in(
        &["H(w) = w**2/2"],
        "descent_steps(H, w=0.1, alpha=7/10, tol=1e-3)",
        "4",
    );
}

/// Functions of exact arguments no float holds: computed from the exact
/// value (mpmath's values, in the reference table too).
#[test]
fn functions_of_exact_arguments() {
    check("sin(10**30)", "-0.0901169019121");
    check("cos(2**70 + 1)", "0.872527256693");
    check("tan(10**17 + 1)", "11.3742496289");
    check("sin(2**70)", "-0.998179402193");
    check("log(1/10**400)", "-921.034037198");
    check("log(10**400)", "921.034037198");
    check("log(1 + 10**-20)", "1e-20");
    check("sqrt(10**401)", "3.16227766017e+200");
    check("sqrt(10**-401)", "3.16227766017e-201");
    check("sigmoid(10**400)", "1");
    check("sigmoid(-10**400)", "0");
    check("tanh(10**400)", "1");
    check("exp(-10**400)", "0");
    check("exp(10**400)", "inf");
    check(
        "log(-10**400)",
        "error: log(-inf) is undefined: log needs a positive number",
    );
    check(
        "sqrt(-10**400)",
        "error: sqrt(-inf) is undefined: a negative number has no real square root",
    );
    // A root still beyond the range is the exact number's overflow.
    check_in(
        &["a = 10**901"],
        "sqrt(a)",
        "error: an exact number of 902 digits is too large for a floating-point number (the largest is about 1.8e+308) — values print as floats; simplify(...) shows an exact result in full",
    );
    // The same values through a defined function and a compiled program.
    check_in(&["f(w) = w + sin(10**30)"], "f(0)", "-0.0901169019121");
    check_in(
        &["J(w) = w*log(10**400)"],
        "grad(J, w=1)",
        "[921.034037198]",
    );
}

#[test]
fn the_descents_and_plots_of_one_scope_share_their_work() {
    let mut scope = Scope::new();
    scope.run("J(w) = w**2").unwrap();
    assert_eq!(scope.work_left(), crate::MAX_WORK);
    scope.run("descent(J, w=3, alpha=0.1, steps=100)").unwrap();
    let spent = crate::MAX_WORK - scope.work_left();
    assert!(spent > 100, "a 100-step descent spends work: {spent}");
    // Room for about half of that run again: the same run stops with an
    // error that says why.
    scope.set_work_left(spent / 2);
    let err = scope
        .run("descent(J, w=3, alpha=0.1, steps=100)")
        .unwrap_err();
    assert!(
        err.message
            .contains("share 2000000000 stack-machine instructions"),
        "{}",
        err.message
    );
    // The stopped run spent what it did, so the next one cannot pass the
    // budget again.
    assert!(scope.work_left() < spent / 20, "{}", scope.work_left());
    // A run that reaches tol within what is left is fine (w shrinks by
    // 0.2 a step, so the gradient 6*0.2**k is below 1e-3 at k = 6).
    scope.set_work_left(spent / 2);
    let steps = scope
        .run("descent_steps(J, w=3, alpha=0.4, tol=1e-3)")
        .unwrap();
    assert_eq!(steps.to_text(12), "6");
    assert!(scope.work_left() < spent / 2);
    // A plot spends the same work.
    scope.set_work_left(10);
    let err = scope.run("plot(J, w=-1..1)").unwrap_err();
    assert!(
        err.message.contains("this plot would pass them"),
        "{}",
        err.message
    );
    // So does `descent_steps` inside an expression.
    let err = scope
        .run("descent_steps(J, w=3, alpha=0.01, tol=1e-9) + 1")
        .unwrap_err();
    assert!(err.message.contains("share"), "{}", err.message);
}
