//! Unit tests of the matching rules.

use super::ellipsis::*;
use super::numbers::*;
use super::tokens::*;
use super::*;

fn n(value: f64) -> Token {
    Token::Number {
        value,
        approx: None,
    }
}
fn t(s: &str) -> Token {
    Token::Text(s.to_string())
}

#[test]
fn a_plain_number_matches_what_prints_at_the_precision() {
    // Within half a unit of the 12th significant digit, at any magnitude.
    assert!(prints_as(6.0, 6.0, 12));
    assert!(prints_as(9.006001, 9.006001 + 1e-12, 12));
    assert!(prints_as(0.333333333333, 1.0 / 3.0, 12));
    assert!(!prints_as(0.33333333333, 1.0 / 3.0, 12));
    assert!(
        prints_as(0.33333333333333, 1.0 / 3.0, 12),
        "more digits than printed"
    );
    assert!(prints_as(6.02214076e23, 6.02214076e23, 12));
    assert!(prints_as(6.02214076e23, 6.022140760004e23, 12));
    assert!(!prints_as(6.022e23, 6.02214076e23, 12));
    assert!(!prints_as(1e20, 1e20 * (1.0 + 5e-10), 12));
    assert!(!prints_as(6.0, 6.001, 12));
    // Fewer digits at a lower precision.
    assert!(prints_as(0.3333, 1.0 / 3.0, 4));
    assert!(!prints_as(0.3333, 1.0 / 3.0, 5));
}

#[test]
fn the_last_bits_of_a_float_never_decide() {
    assert!(prints_as(2.4, 2.4000000000000004, 12));
    assert!(prints_as(2.4, 2.4000000000000004, 17));
    assert!(prints_as(0.3, 0.1 + 0.2, 17));
    assert!(!prints_as(2.4, 2.400000000000004, 17));
}

#[test]
fn small_numbers_are_not_all_equal() {
    assert!(!prints_as(1e-13, 0.0000001f64.powi(2), 12));
    assert!(prints_as(1e-14, 0.0000001f64.powi(2), 12));
    assert!(!prints_as(1e-14, 9e-13, 12));
    assert!(!prints_as(9e-13, 1e-14, 12));
    assert!(!prints_as(0.0, 2f64.powi(-40), 12));
    assert!(prints_as(9.09494701773e-13, 2f64.powi(-40), 12));
    assert!(!prints_as(9.09494701772e-13, 2f64.powi(-40), 12));
    // Zero matches only zero (of either sign).
    assert!(prints_as(0.0, 0.0, 12));
    assert!(prints_as(0.0, -0.0, 12));
    assert!(!prints_as(1e-300, 0.0, 12));
    assert!(!prints_as(0.0, 5e-324, 12));
    // Subnormals and the top of the range, without under- or overflow.
    assert!(prints_as(4.94065645841e-324, 5e-324, 12));
    assert!(prints_as(
        1.39067116157e-308,
        2.5 * 2f64.powi(-512) * 2f64.powi(-512),
        12
    ));
    assert!(prints_as(1.79769313486e308, f64::MAX, 12));
    assert!(!prints_as(1.79769313485e308, f64::MAX, 12));
    assert!(!prints_as(1e300, 1e-300, 12));
}

#[test]
fn infinities_and_nan_match_only_themselves() {
    assert!(prints_as(f64::INFINITY, f64::INFINITY, 12));
    assert!(!prints_as(f64::INFINITY, f64::NEG_INFINITY, 12));
    assert!(!prints_as(f64::INFINITY, f64::MAX, 12));
    assert!(prints_as(f64::NAN, f64::NAN, 12));
    assert!(!prints_as(f64::NAN, 1.0, 12));
    assert!(!prints_as(1.0, f64::NAN, 12));
    let w = parse_written_number("~inf").unwrap();
    assert!(w.matches(f64::INFINITY, 12));
    assert!(!w.matches(1e308, 12));
}

#[test]
fn extreme_exponents_in_expected_numbers_do_not_panic() {
    for written in [
        "~9e-2147483648",
        "~9e2147483647",
        "~1e-400",
        "≈1e999999999999",
    ] {
        assert!(run_check(&[], "9", &[written]).is_err(), "{written}");
    }
    assert!(run_check(&[], "0", &["~0e-2147483648"]).is_ok());
}

#[test]
fn approximate_numbers_round_to_the_decimals_written() {
    let w = parse_written_number("~0.006").unwrap();
    assert_eq!(w.approx, Some(3));
    assert!(w.matches(0.006001, 12));
    assert!(!w.matches(0.0071, 12));
    let w = parse_written_number("≈ 9.01").unwrap();
    assert!(w.matches(9.006001, 12));
    assert!(!w.matches(9.016, 12));
    let w = parse_written_number("~1.2e3").unwrap();
    assert_eq!(w.approx, Some(-2));
    assert!(w.matches(1234.0, 12));
    assert!(!w.matches(1260.0, 12));
    assert_eq!(decimals_written("1.5e-3"), Some(4));
    assert_eq!(decimals_written("-1200"), Some(0));
}

#[test]
fn approximate_numbers_round_at_every_magnitude() {
    let w = parse_written_number("~0").unwrap();
    assert!(w.matches(2f64.powi(-40), 12));
    assert!(w.matches(-0.4, 12));
    assert!(!w.matches(0.6, 12));
    let w = parse_written_number("~3e-20").unwrap();
    assert_eq!(w.approx, Some(20));
    assert!(w.matches(3.4e-20, 12));
    assert!(!w.matches(3.6e-20, 12));
    assert!(!w.matches(9e-13, 12), "rounding to 20 places keeps 9e-13");
    let w = parse_written_number("~6.022e23").unwrap();
    assert!(w.matches(6.02214076e23, 12));
    assert!(!w.matches(6.0235e23, 12));
    let w = parse_written_number("~1e-320").unwrap();
    assert!(w.matches(1.04e-320, 12));
    assert!(!w.matches(2e-320, 12));
    // The tie itself goes either way, as the float's own bits decide.
    assert!(parse_written_number("~0.13").unwrap().matches(0.125, 12));
    assert!(parse_written_number("~0.12").unwrap().matches(0.125, 12));
}

#[test]
fn plain_numbers_use_the_exact_value() {
    let w = parse_written_number("0.333333333333").unwrap();
    assert!(w.matches(1.0 / 3.0, 12));
    // Quoted at lower precision than computed: it matches where the site
    // prints 4 digits, not where it prints 12.
    let w = parse_written_number("0.3333").unwrap();
    assert!(w.matches(1.0 / 3.0, 4));
    assert!(!w.matches(1.0 / 3.0, 12));
    assert!(parse_written_number("6x").is_none());
    assert!(parse_written_number("2/3").is_none());
    assert!(parse_written_number("-inf").unwrap().value.is_infinite());
}

#[test]
fn tokenizer_separates_numbers_from_names() {
    assert_eq!(
        tokenize("J(3.001) = 9.006001"),
        [t("J("), n(3.001), t(")="), n(9.006001)]
    );
    assert_eq!(
        tokenize("step  w1  w2  L(w1, w2)  dL/dw1  dL/dw2"),
        [t("stepw1w2L(w1,w2)dL/dw1dL/dw2")]
    );
    assert_eq!(
        tokenize("2   -0.5  1e-10  -inf"),
        [n(2.0), n(-0.5), n(1e-10), n(f64::NEG_INFINITY)]
    );
    assert_eq!(
        tokenize("plot: J(w) for w in [-4, 4], tangent at w=3, slope 6"),
        [
            t("plot:J(w)forwin["),
            n(-4.0),
            t(","),
            n(4.0),
            t("],tangentatw="),
            n(3.0),
            t(",slope"),
            n(6.0)
        ]
    );
    assert_eq!(
        tokenize("ΔJ/ε = ~0.006"),
        [
            t("ΔJ/ε="),
            Token::Number {
                value: 0.006,
                approx: Some(3)
            }
        ]
    );
}

#[test]
fn table_rows_match_cell_by_cell_with_free_space() {
    let tm = |expected: &str, printed: &str| tokens_match(expected, printed, || None, 12);
    assert!(tm("1  2.4  5.76  4.8", "1     2.4    5.76   4.8").is_ok());
    assert!(tm("1 2.4 ~5.8 4.8", "1  2.4  5.76  4.8").is_ok());
    assert!(tm("step w J(w) dJ/dw", "step  w    J(w)   dJ/dw").is_ok());
    let err = tm("1  2.4  5.77  4.8", "1  2.4  5.76  4.8").unwrap_err();
    assert!(
        err.contains("number 3 differs: written 5.77, computed 5.76"),
        "{err}"
    );
    assert!(tm("1  2.4  5.76", "1  2.4  5.76  4.8").is_err());
    assert!(tm("step w L(w) dL/dw", "step  w  J(w)  dJ/dw").is_err());
    // Small cells are compared as strictly as large ones.
    assert!(tm("1  0", "1  9.09494701773e-13").is_err());
    assert!(tm("1  1e-14", "1  9e-13").is_err());
    assert!(tm("1  ~0", "1  9.09494701773e-13").is_ok());
    // The exact value decides a quote more precise than the print.
    let exact = || Some("x = 0.33333333333333331");
    assert!(tokens_match("x = 0.33333333333333", "x = 0.3333", exact, 4).is_ok());
    assert!(tokens_match("x = 0.33333333333", "x = 0.3333", exact, 12).is_err());
    // It is asked for only when a written number is not the printed one.
    let never = || -> Option<&'static str> { panic!("not needed") };
    assert!(tokens_match("x = 0.3333", "x = 0.3333", never, 4).is_ok());
}

#[test]
fn vectors_split_at_top_level_commas() {
    assert_eq!(split_vector("[2, 12]").unwrap(), ["2", "12"]);
    assert_eq!(
        split_vector("[ 2*w1 , f(a, b) ]").unwrap(),
        ["2*w1", "f(a, b)"]
    );
    assert_eq!(split_vector("[]").unwrap(), Vec::<&str>::new());
    assert!(split_vector("2, 12").is_none());
}

fn lines(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn eq_matcher<'a>(
    expected: &'a [&'a str],
    computed: &'a [String],
) -> impl FnMut(usize, usize) -> Result<(), String> + 'a {
    move |i, j| {
        if expected[i] == computed[j] {
            Ok(())
        } else {
            Err("differs".to_string())
        }
    }
}

#[test]
fn ellipsis_matches_any_number_of_lines() {
    let computed = lines(&["h", "0", "1", "2", "3", "4"]);
    for expected in [
        &["h", "...", "4"][..],
        &["h", "0", "...", "3", "4"],
        &["...", "4"],
        &["h", "..."],
        &["..."],
        &["h", "0", "...", "1", "2", "3", "4"],
    ] {
        assert!(
            ellipsis_match(expected, &computed, eq_matcher(expected, &computed)).is_ok(),
            "{expected:?}"
        );
    }
}

#[test]
fn ellipsis_failures_name_the_offending_line() {
    let computed = lines(&["h", "0", "1", "2"]);
    let expected = ["h", "...", "9"];
    let m = ellipsis_match(&expected, &computed, eq_matcher(&expected, &computed)).unwrap_err();
    assert_eq!(m.line, 2);
    assert_eq!(m.expected, "9");

    let expected = ["h", "0"];
    let m = ellipsis_match(&expected, &computed, eq_matcher(&expected, &computed)).unwrap_err();
    assert_eq!(m.line, 1);
    assert_eq!(m.computed, "1");
    assert!(m.message.contains("more than"), "{m:?}");

    let expected = ["h", "0", "1", "2", "3"];
    let m = ellipsis_match(&expected, &computed, eq_matcher(&expected, &computed)).unwrap_err();
    assert_eq!(m.line, 4);
    assert!(m.message.contains("expected more output"), "{m:?}");

    let expected = ["h", "x", "1", "2"];
    let m = ellipsis_match(&expected, &computed, eq_matcher(&expected, &computed)).unwrap_err();
    assert_eq!((m.line, m.computed.as_str()), (1, "0"));
}

#[test]
fn runs_between_ellipses_are_found_in_order() {
    let computed = lines(&["h", "0", "1", "2", "3", "4"]);
    for expected in [
        &["h", "...", "2", "...", "4"][..],
        &["...", "1", "2", "...", "4"],
        &["...", "0", "...", "3", "..."],
        &["h", "...", "...", "4"],
    ] {
        assert!(
            ellipsis_match(expected, &computed, eq_matcher(expected, &computed)).is_ok(),
            "{expected:?}"
        );
    }
    // Out of order, or overlapping the tail: no match.
    for expected in [
        &["...", "3", "...", "1", "..."][..],
        &["h", "...", "4", "...", "4"],
    ] {
        assert!(
            ellipsis_match(expected, &computed, eq_matcher(expected, &computed)).is_err(),
            "{expected:?}"
        );
    }
    // A run that almost matches is reported where it went wrong.
    let expected = ["h", "...", "2", "9", "...", "4"];
    let m = ellipsis_match(&expected, &computed, eq_matcher(&expected, &computed)).unwrap_err();
    assert_eq!(
        (m.line, m.expected.as_str(), m.computed.as_str()),
        (3, "9", "3")
    );
}

#[test]
fn long_outputs_match_in_constant_memory() {
    // A 200,000-row table once needed a 200,000 × 200,000 grid.
    let rows: Vec<String> = (0..200_000).map(|i| format!("{i}  {}", i * 2)).collect();
    let expected: Vec<&str> = rows.iter().map(String::as_str).collect();
    assert!(ellipsis_match(&expected, &rows, eq_matcher(&expected, &rows)).is_ok());
    let expected = [
        rows[0].as_str(),
        "...",
        rows[100_000].as_str(),
        "...",
        rows[199_999].as_str(),
    ];
    assert!(ellipsis_match(&expected, &rows, eq_matcher(&expected, &rows)).is_ok());
}

/// Runs `setup` then `input` in a fresh scope and checks `expected`.
fn run_check(setup: &[&str], input: &str, expected: &[&str]) -> Result<(), Mismatch> {
    let mut scope = Scope::new();
    for line in setup {
        scope.run(line).expect("setup");
    }
    let result = scope.run(input);
    let printed = match &result {
        Ok(value) => split_lines(&value.to_text(12)),
        Err(err) => vec![format!("error: {}", err.message)],
    };
    check(expected, result.as_ref(), &printed, &scope, 12)
}

#[test]
fn expressions_match_as_functions() {
    let j = ["J(w) = w**2"];
    for written in ["2*w", "w*2", "w + w", "2 * w", "4*w/2"] {
        assert!(
            run_check(&j, "diff(J(w), w)", &[written]).is_ok(),
            "{written}"
        );
    }
    let m = run_check(&j, "diff(J(w), w)", &["3*w"]).unwrap_err();
    assert!(m.detail.unwrap().contains("not the same function"));
    assert!(run_check(&j, "diff(J(w), w)", &["2*x"]).is_err());
    assert!(run_check(&j, "diff(J(w), w)", &["2*w +"]).is_err());
    // Defined functions of the scope may appear in the expected text.
    assert!(run_check(&[], "diff(sigmoid(z), z)", &["sigmoid(z)*(1 - sigmoid(z))"]).is_ok());
    assert!(run_check(&[], "diff(sigmoid(z), z)", &["exp(-z)/(1 + exp(-z))**2"]).is_ok());
    assert!(run_check(&["f(x) = x**3"], "diff(f(x), x)", &["3*x**2"]).is_ok());
    // Only the positive half is shared: points where one side is undefined are skipped.
    assert!(run_check(&[], "diff(log(x), x)", &["1/x"]).is_ok());
    assert!(run_check(&[], "diff(3*w**2 + 2*w, w, 2)", &["6"]).is_ok());
    // A domain far from the base points is still sampled.
    assert!(run_check(&[], "diff(2*sqrt(w - 10), w)", &["1/sqrt(w - 10)"]).is_ok());
    assert!(run_check(&[], "diff(2*sqrt(w - 10), w)", &["2/sqrt(w - 10)"]).is_err());
}

#[test]
fn numbers_in_every_form() {
    assert!(run_check(&[], "1/3", &["0.333333333333"]).is_ok());
    assert!(run_check(&[], "1/3", &["~0.33"]).is_ok());
    assert!(run_check(&[], "1/3", &["≈0.333"]).is_ok());
    assert!(run_check(&[], "1/3", &["~0.34"]).is_err());
    assert!(run_check(&[], "1/3", &["0.3334"]).is_err());
    assert!(run_check(&[], "3.001**2", &["9.006001"]).is_ok());
    assert!(run_check(&[], "1e-13", &["0"]).is_err());
    assert!(run_check(&[], "1e-13", &["~0"]).is_ok());
    assert!(run_check(&[], "1e-13", &["1e-13"]).is_ok());
    // Written as a constant expression, held to the same rule.
    assert!(run_check(&[], "1/3", &["1/3"]).is_ok());
    assert!(run_check(&[], "2**-40", &["2**-40"]).is_ok());
    assert!(run_check(&[], "2**-40", &["2**-41"]).is_err());
    assert!(run_check(&[], "0", &["2**-40"]).is_err());
    let m = run_check(&[], "2 + 2", &["5"]).unwrap_err();
    assert_eq!((m.expected.as_str(), m.computed.as_str()), ("5", "4"));
}

#[test]
fn vectors_cell_by_cell() {
    let l = ["L(w1, w2) = w1**2 + 3*w2**2"];
    assert!(run_check(&l, "grad(L, w1=1, w2=2)", &["[2, 12]"]).is_ok());
    assert!(run_check(&l, "grad(L, w1=1, w2=2)", &["[ 2 ,12 ]"]).is_ok());
    assert!(run_check(&l, "grad(L, w1=1, w2=2)", &["[2, ~12.0]"]).is_ok());
    assert!(run_check(&l, "grad(L)", &["[w1*2, 6*w2]"]).is_ok());
    let m = run_check(&l, "grad(L, w1=1, w2=2)", &["[2, 13]"]).unwrap_err();
    assert!(m.detail.unwrap().contains("component 2"));
    assert!(run_check(&l, "grad(L, w1=1, w2=2)", &["[2]"]).is_err());
    assert!(run_check(&l, "grad(L)", &["[2*w1, 6*w1]"]).is_err());
}

#[test]
fn nudge_lines_with_approximations() {
    let j = ["J(w) = w**2"];
    let written = [
        "J(3) = 9",
        "J(3.001) = ~9.006",
        "ΔJ = ~0.006",
        "ΔJ/ε = 6.001",
        "J'(3) = 6",
    ];
    assert!(run_check(&j, "nudge(J, w=3, eps=0.001)", &written).is_ok());
    let wrong = [
        "J(3) = 9",
        "J(3.001) = 9.006",
        "ΔJ = ~0.006",
        "ΔJ/ε = 6.001",
        "J'(3) = 6",
    ];
    let m = run_check(&j, "nudge(J, w=3, eps=0.001)", &wrong).unwrap_err();
    assert_eq!(m.line, 1);
    let renamed = ["K(3) = 9", "..."];
    assert_eq!(
        run_check(&j, "nudge(J, w=3, eps=0.001)", &renamed)
            .unwrap_err()
            .line,
        0
    );
}

#[test]
fn descent_tables_with_ellipsis() {
    let j = ["J(w) = w**2"];
    let input = "descent(J, w=3, alpha=0.1, steps=5)";
    let head_tail = [
        "step w J(w) dJ/dw",
        "0  3  9  6",
        "...",
        "5  0.98304  0.9663676416  1.96608",
    ];
    assert!(run_check(&j, input, &head_tail).is_ok());
    let approx = ["step  w  J(w)  dJ/dw", "...", "5  ~0.983  ~0.97  ~1.97"];
    assert!(run_check(&j, input, &approx).is_ok());
    let wrong = [
        "step w J(w) dJ/dw",
        "0  3  9  6",
        "1  2.5  5.76  4.8",
        "...",
    ];
    let m = run_check(&j, input, &wrong).unwrap_err();
    assert_eq!(m.line, 2);
    assert!(m.detail.unwrap().contains("number 2 differs"));
    let short = ["step w J(w) dJ/dw", "0  3  9  6"];
    assert!(
        run_check(&j, input, &short)
            .unwrap_err()
            .message
            .contains("more than")
    );
    let l = ["L(w1, w2) = w1**2 + 3*w2**2"];
    let two = [
        "step  w1  w2  L(w1,w2)  dL/dw1  dL/dw2",
        "0  1  -2  13  2  -12",
        "...",
    ];
    assert!(run_check(&l, "descent(L, w1=1, w2=-2, alpha=0.1, steps=4)", &two).is_ok());
}

#[test]
fn plots_and_definitions() {
    let j = ["J(w) = w**2"];
    assert!(
        run_check(
            &j,
            "plot(J, w=-4..4, at=3)",
            &["plot: J(w) for w in [-4, 4], tangent at w=3, slope 6"]
        )
        .is_ok()
    );
    assert!(
        run_check(
            &j,
            "plot(J, w=-4..4, at=3)",
            &["plot: J(w) for w in [-4, 4], tangent at w=3, slope 7"]
        )
        .is_err()
    );
    let m = run_check(&[], "K(w) = w", &["1"]).unwrap_err();
    assert!(m.message.contains("more output"), "{m:?}");
}

#[test]
fn error_lines() {
    assert!(run_check(&[], "sigmod(2)", &["error: unknown function 'sigmod'"]).is_ok());
    assert!(run_check(&[], "sigmod(2)", &["error:"]).is_ok());
    assert!(run_check(&[], "sigmod(2)", &["error: division by zero"]).is_err());
    let m = run_check(&[], "sigmoid(0)", &["error: unknown"]).unwrap_err();
    assert_eq!(m.computed, "0.5");
}

#[test]
fn the_reported_small_number_cases_fail() {
    let m = run_check(&[], "0.0000001**2", &["0.0000000000001"]).unwrap_err();
    assert!(m.detail.unwrap().contains("off by 9e-14"));
    assert!(run_check(&[], "0.0000001**2", &["1e-14"]).is_ok());
    assert!(run_check(&[], "1e-14", &["9e-13"]).is_err());
    let m = run_check(&[], "2**-40", &["0"]).unwrap_err();
    assert_eq!(m.computed, "9.09494701773e-13");
    let m = run_check(&[], "0", &["1e-300"]).unwrap_err();
    assert!(m.detail.unwrap().contains("exactly 0"));
    assert!(run_check(&[], "6.02214076e23", &["6.02214076e+23"]).is_ok());
    assert!(run_check(&[], "6.02214076e23", &["6.022e+23"]).is_err());
    assert!(run_check(&[], "6.02214076e23", &["~6.022e+23"]).is_ok());
}

#[test]
fn vector_cells_use_the_same_number_rule() {
    let l = ["L(a, b) = 2**-40*a + b"];
    let at = "grad(L, a=1, b=2)";
    assert!(run_check(&l, at, &["[9.09494701773e-13, 1]"]).is_ok());
    let m = run_check(&l, at, &["[0, 1]"]).unwrap_err();
    assert!(m.detail.unwrap().contains("component 1"));
    assert!(run_check(&l, at, &["[~0, 1]"]).is_ok());
}

#[test]
fn sampled_functions_of_small_magnitude_are_told_apart() {
    let e = |text: &str| Scope::new().parse_expr(text).expect("an expression");
    assert!(functions::same_function(&e("1e-12*w"), &e("1e-12*w")).is_ok());
    assert!(functions::same_function(&e("1e-12*w"), &e("2e-12*w")).is_err());
    assert!(functions::same_function(&e("1e-20*w**2"), &e("0*w")).is_err());
    assert!(functions::same_function(&e("1e-300*w"), &e("1.0000001e-300*w")).is_err());
    assert!(functions::same_function(&e("1e-300*w"), &e("1.0000000000001e-300*w")).is_ok());
    // Large ones too, with the relative tolerance.
    assert!(functions::same_function(&e("1e12*w"), &e("1.0000000000001e12*w")).is_ok());
    assert!(functions::same_function(&e("1e12*w"), &e("1.000001e12*w")).is_err());
    // Round-off where a function passes near 0 stays within the floor,
    // which scales with the values at the other points.
    assert!(functions::same_function(&e("(w - 0.7183)*1e-15"), &e("w*1e-15 - 0.7183e-15")).is_ok());
}
