//! Building [`MathError`]s: constructors, the engine's limits, and the one
//! rule for suggestions on unknown names ([`suggestion`]): tailored help for
//! other tools' functions, and "did you mean" only for a likely typo.

use std::ops::Range;

use super::MathError;

/// Deepest nesting of parentheses, calls and operators the parser accepts.
pub const MAX_NESTING: usize = 64;
/// Deepest expression tree any operation may produce.
pub const MAX_DEPTH: usize = 128;
/// Largest expression tree (in nodes) differentiation, substitution and
/// simplification may produce.
pub const MAX_NODES: usize = 200_000;
/// Most steps a `descent` may take.
pub const MAX_STEPS: usize = 1_000_000;
/// Most stack-machine instructions one `descent` or `plot` may execute
/// (steps or samples times the size of the compiled function).
pub const MAX_WORK: usize = 2_000_000_000;
/// Highest derivative order (`diff(f, x, n)`, `J''''(x)`).
pub const MAX_ORDER: usize = 12;
/// Most samples a `plot` may take.
pub const MAX_SAMPLES: usize = 10_000;
/// Most decimal digits in the numerator, and in the denominator, of an
/// exact number (`10**999` is the largest power of ten).
pub const MAX_DIGITS: usize = 1000;
/// Most cells (rows times columns) in a result table: a `descent` over
/// `n` variables has `2n + 2` columns, so a one-variable run may take
/// every one of its [`MAX_STEPS`] steps and a 50-variable one about 78,000.
pub const MAX_CELLS: usize = 8_000_000;
/// Longest printed form, in bytes, of an expression result.
pub const MAX_TEXT: usize = 4_000_000;

impl MathError {
    /// An error about `span` with no suggestion.
    pub fn new(message: impl Into<String>, span: Range<usize>) -> Self {
        MathError {
            message: message.into(),
            span,
            help: None,
            origin: None,
        }
    }

    /// Adds a suggested fix.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Replaces an empty span (an error raised without position) with `span`.
    pub fn at_least(mut self, span: Range<usize>) -> Self {
        if self.span.is_empty() && self.span.start == 0 {
            self.span = span;
        }
        self
    }
}

/// Names that are functions in NumPy, PyTorch, Python's `math` or other
/// tools, each with what to write instead. A name here never gets a "did
/// you mean": the nearest built-in by spelling (`tan` for `max`, `cos` for
/// `cosh`, `log` for `log10`) is a different function.
const FOREIGN: &[(&[&str], &str)] = &[
    (
        &["max", "maximum", "fmax", "amax"],
        "there is no max; for two values write relu(a - b) + b",
    ),
    (
        &["min", "minimum", "fmin", "amin"],
        "there is no min; for two values write b - relu(b - a)",
    ),
    (&["cosh"], "there is no cosh; write (exp(x) + exp(-x))/2"),
    (&["sinh"], "there is no sinh; write (exp(x) - exp(-x))/2"),
    (
        &["log10"],
        "log is the natural logarithm; write log(x)/log(10)",
    ),
    (
        &["log2"],
        "log is the natural logarithm; write log(x)/log(2)",
    ),
    (&["log1p"], "there is no log1p; write log(1 + x)"),
    (&["expm1"], "there is no expm1; write exp(x) - 1"),
    (&["exp2"], "there is no exp2; write 2**x"),
    (
        &["pow", "power", "float_power"],
        "there is no pow; write x**y (or x^y)",
    ),
    (&["square"], "there is no square; write x**2"),
    (
        &["sqr"],
        "there is no sqr; write x**2 for the square, or sqrt(x) for the square root",
    ),
    (&["cbrt"], "there is no cbrt; write x**(1/3)"),
    (&["cot"], "there is no cot; write cos(x)/sin(x)"),
    (&["sec"], "there is no sec; write 1/cos(x)"),
    (&["csc"], "there is no csc; write 1/sin(x)"),
    (
        &[
            "atan", "arctan", "atan2", "arctan2", "asin", "arcsin", "acos", "arccos", "atanh",
            "arctanh", "asinh", "arcsinh", "acosh", "arccosh",
        ],
        "the inverse trigonometric and hyperbolic functions are not available yet",
    ),
    (&["fabs", "absolute"], "did you mean 'abs'?"),
    (&["signum", "sgn"], "did you mean 'sign'?"),
    (
        &["heaviside"],
        "did you mean 'step'? step(x) is 1 for x > 0 and 0 otherwise",
    ),
    (&["logistic", "expit"], "did you mean 'sigmoid'?"),
    (
        &["log_sigmoid", "logsigmoid"],
        "there is no log_sigmoid; write -softplus(-x)",
    ),
    (
        &["leaky_relu"],
        "there is no leaky_relu; define it: leaky_relu(x) = relu(x) - 0.01*relu(-x)",
    ),
    (
        &[
            "gelu",
            "silu",
            "swish",
            "elu",
            "selu",
            "mish",
            "softmax",
            "logsumexp",
        ],
        "it is not a built-in; define it from exp, log, sigmoid or relu, e.g. silu(x) = x*sigmoid(x)",
    ),
    (
        &["sum", "mean", "prod", "dot", "norm", "len"],
        "there are no vectors in calc; write the terms out, e.g. a + b + c",
    ),
    (
        &["lambda", "def", "fn"],
        "define a function with its parameters: f(x) = x**2",
    ),
    (
        &["print", "float", "int"],
        "write the expression alone on its line; its value is printed",
    ),
];

/// Module prefixes of other tools (`np.exp`), answered with gradbook's
/// own name for the function.
pub(crate) const MODULES: &[&str] = &[
    "np", "numpy", "math", "torch", "F", "jnp", "tf", "sp", "sympy",
];

/// Tailored help for `name` when it is another tool's function (see
/// [`FOREIGN`]).
pub(crate) fn foreign(name: &str) -> Option<&'static str> {
    FOREIGN
        .iter()
        .find(|(names, _)| names.contains(&name))
        .map(|&(_, help)| help)
}

/// The help for an unknown `name`: the tailored help when it is another
/// tool's function, else "did you mean" with the [`closest`] candidate.
/// This is the one rule every "unknown name" and "unknown function" error
/// of the engine follows.
pub(crate) fn suggestion<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    if let Some(help) = foreign(name) {
        return Some(help.to_string());
    }
    closest(name, candidates).map(|c| format!("did you mean '{c}'?"))
}

/// True when `a` and `b` are a function and its hyperbolic (`tan`,
/// `tanh`) or inverse (`cos`, `acos`, `arccos`) relative: different
/// functions, however close their spelling.
fn related(a: &str, b: &str) -> bool {
    let (short, long) = if a.len() < b.len() { (a, b) } else { (b, a) };
    ["h"].iter().any(|s| long.strip_suffix(s) == Some(short))
        || ["a", "arc", "ar"]
            .iter()
            .any(|p| long.strip_prefix(p) == Some(short))
}

/// The candidate `name` is most likely a typo of, if one is: the same
/// letters but for case (`Sigmoid`), or within a small edit distance
/// (`strsim`'s optimal string alignment, so a swap of two letters is one
/// edit: one edit for names of up to five characters, two for longer
/// ones). A function's hyperbolic or inverse relative is not a typo of it
/// ([`related`]). Two candidates equally close are no suggestion (`sig` is as
/// near `sin` as `sign`). A candidate is never suggested when the digits differ (`w3`
/// and `w2`, `log2` and `log` are different names, not typos), and a
/// name of one or two characters is too short to guess from.
pub(crate) fn closest<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let length = name.chars().count();
    let limit = match length {
        0..=2 => 0,
        3..=5 => 1,
        _ => 2,
    };
    let digits = |s: &str| s.chars().filter(char::is_ascii_digit).collect::<String>();
    let own_digits = digits(name);
    candidates
        .into_iter()
        .filter(|c| *c != name && digits(c) == own_digits && !related(name, c))
        .map(|c| {
            let d = if c.to_lowercase() == name.to_lowercase() {
                0
            } else {
                strsim::osa_distance(name, c)
            };
            (d, c)
        })
        .filter(|(d, _)| *d <= limit)
        .fold(
            None,
            |best: Option<(usize, Option<&str>)>, (d, c)| match best {
                Some((b, _)) if b < d => best,
                Some((b, Some(prev))) if b == d && prev != c => Some((d, None)),
                Some((b, None)) if b == d => best,
                _ => Some((d, Some(c))),
            },
        )
        .and_then(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The functions and statements of calc, as `lower` offers them.
    fn built_ins() -> Vec<&'static str> {
        crate::lower::built_in_names()
    }

    #[test]
    fn typos_get_did_you_mean() {
        let table = [
            ("sigmod", "sigmoid"),
            ("sigmiod", "sigmoid"),
            ("sofplus", "softplus"),
            ("softpuls", "softplus"),
            ("sqtr", "sqrt"),
            ("Sigmoid", "sigmoid"),
            ("ReLU", "relu"),
            ("rleu", "relu"),
            ("lgo", "log"),
            ("exo", "exp"),
            ("simplfy", "simplify"),
            ("desent", "descent"),
            ("nuge", "nudge"),
        ];
        for (name, want) in table {
            assert_eq!(
                suggestion(name, built_ins()),
                Some(format!("did you mean '{want}'?")),
                "{name}"
            );
        }
    }

    #[test]
    fn other_functions_are_never_suggested_for_each_other() {
        let none = [
            "banana", "sig", "w3", "exp10", "log3", "tanh2", "x", "ab", "lr",
        ];
        for name in none {
            assert_eq!(suggestion(name, built_ins()), None, "{name}");
        }
        // Another tool's function: tailored help, never the nearest
        // spelling (tan for max, sin for min, cos for cosh, log for log10).
        let tailored = [
            ("max", "relu(a - b) + b"),
            ("min", "b - relu(b - a)"),
            ("cosh", "(exp(x) + exp(-x))/2"),
            ("sinh", "(exp(x) - exp(-x))/2"),
            ("log10", "log(x)/log(10)"),
            ("log2", "log(x)/log(2)"),
            ("log1p", "log(1 + x)"),
            ("expm1", "exp(x) - 1"),
            ("exp2", "2**x"),
            ("pow", "x**y"),
            ("sqr", "sqrt(x) for the square root"),
            ("atan", "not available yet"),
            ("arctan", "not available yet"),
            ("cot", "cos(x)/sin(x)"),
            ("fabs", "'abs'"),
            ("sgn", "'sign'"),
            ("heaviside", "'step'"),
            ("expit", "'sigmoid'"),
            ("lambda", "f(x) = x**2"),
            ("sum", "no vectors"),
            ("len", "no vectors"),
            ("leaky_relu", "relu(x) - 0.01*relu(-x)"),
        ];
        for (name, part) in tailored {
            let help = suggestion(name, built_ins()).unwrap_or_default();
            assert!(help.contains(part), "{name}: {help}");
            for other in built_ins() {
                assert!(
                    !help.contains(&format!("'{other}'?")) || part.contains(other),
                    "{name}: {help}"
                );
            }
        }
    }

    #[test]
    fn closest_needs_one_likely_candidate() {
        assert_eq!(closest("sig", ["sin", "sign"]), None, "a tie is no guess");
        assert_eq!(closest("signn", ["sin", "sign"]), Some("sign"));
        assert_eq!(closest("w3", ["w1", "w2"]), None, "digits differ");
        assert_eq!(closest("w_3", ["w_1"]), None);
        assert_eq!(closest("wieght", ["weight"]), Some("weight"));
        assert_eq!(closest("alpah", ["alpha", "beta"]), Some("alpha"));
        // A hyperbolic or inverse function is another function.
        let relatives = [
            ("tan", "tanh"),
            ("tanh", "tan"),
            ("acos", "cos"),
            ("arcos", "cos"),
            ("sinh", "sin"),
        ];
        for (name, other) in relatives {
            assert_eq!(closest(name, [other]), None, "{name}");
        }
        assert_eq!(closest("sigmoi", ["sigmoid"]), Some("sigmoid"));
        assert_eq!(closest("coss", ["cos"]), Some("cos"));
    }

    #[test]
    fn no_help_text_has_a_line_break() {
        for (_, help) in FOREIGN {
            assert!(!help.contains('\n'), "{help}");
        }
    }
}
