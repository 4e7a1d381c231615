//! The answer keys of quiz questions with typed answers.
//!
//! An `answer:` line is read here, in the page's scope as it stands at
//! the quiz: a written number (`6`, `~0.119`) as it is, a written
//! expression (`2*w`) parsed in the scope, an inline value (`` `= J'(2)` ``)
//! computed. A number is graded in the browser against its value; an
//! expression against its values at sample points where it is defined,
//! so the browser never needs the engine.

use gradbook_math::{MathError, Value};

use super::{PageCalc, clamp_span, label_for, matching, render};
use crate::components::{AnswerCheck, AnswerKey, TypedAnswer};
use crate::diagnostics::Diagnostic;
use crate::html::escape;

impl PageCalc<'_> {
    /// The key of a typed answer; `None`, with the problem reported at the
    /// answer, when it cannot be graded.
    pub(super) fn answer_key(&mut self, answer: &TypedAnswer) -> Option<AnswerKey> {
        if !answer.computed
            && let Some((value, decimals)) = matching::written_number(&answer.text)
        {
            let shown = answer.text.trim_start_matches(['~', '≈']).trim();
            let html = match decimals {
                Some(_) => format!("≈ {}", escape(&shown.replace('-', "\u{2212}"))),
                None => render::inline_html(&Value::Number(value), self.precision),
            };
            return Some(AnswerKey {
                html,
                check: AnswerCheck::Number { value, decimals },
            });
        }
        let value = if answer.computed {
            self.run(&answer.text)
        } else {
            self.scope.parse_expr(&answer.text).map(Value::Expr)
        };
        let value = match value {
            Ok(value) => value,
            Err(err) => {
                self.answer_error(answer, &err);
                return None;
            }
        };
        let key = self.key_of(&value);
        if key.is_none() {
            self.not_gradable(answer, &value);
        } else if answer.computed {
            // Computed like an inline value, and compared with nothing.
            self.report.computed += 1;
        }
        key
    }

    fn key_of(&self, value: &Value) -> Option<AnswerKey> {
        let check = match value {
            Value::Number(x) if x.is_finite() => AnswerCheck::Number {
                value: *x,
                decimals: None,
            },
            Value::Expr(e) => {
                let vars = e.free_vars();
                if vars.is_empty() {
                    let x = e.eval(&[]).ok().filter(|x| x.is_finite())?;
                    let html = render::inline_html(&Value::Number(x), self.precision);
                    return Some(AnswerKey {
                        html,
                        check: AnswerCheck::Number {
                            value: x,
                            decimals: None,
                        },
                    });
                }
                let (points, values) = matching::sample_points(e, &vars);
                if points.is_empty() {
                    return None;
                }
                AnswerCheck::Function {
                    vars,
                    points,
                    values,
                }
            }
            _ => return None,
        };
        Some(AnswerKey {
            html: render::inline_html(value, self.precision),
            check,
        })
    }

    /// The answer does not compute or does not parse.
    fn answer_error(&mut self, answer: &TypedAnswer, err: &MathError) {
        let span = clamp_span(&err.span, &answer.text);
        let start = answer.span.start + span.start;
        let end = answer.span.start + span.end;
        let (message, help) = if answer.computed {
            (
                format!("the quiz answer does not compute: {}", err.message),
                err.help.clone().unwrap_or_else(|| {
                    "fix the expression, or define what it uses in a calc block above the quiz"
                        .to_string()
                }),
            )
        } else {
            (
                format!(
                    "the quiz answer `{}` is not a number or an expression: {}",
                    answer.text, err.message
                ),
                err.help.clone().unwrap_or_else(|| {
                    "write a number (`6`, `~0.119`), an expression in the calc language (`2*w`) or an inline value (`` `= J'(2)` ``)".to_string()
                }),
            )
        };
        let d = Diagnostic::at(self.source, start..end, message)
            .with_label(label_for(err))
            .with_note(format!("in the answer `{}`", answer.text))
            .with_help(help);
        self.blessable = false;
        self.fail(d);
    }

    /// The answer computes, but to something a reader cannot type.
    fn not_gradable(&mut self, answer: &TypedAnswer, value: &Value) {
        let what = match value {
            Value::Number(_) => "a number that is not finite",
            Value::Expr(_) => "an expression with no point where it is defined",
            Value::Vector(_) => "a vector",
            Value::Nothing => "nothing (a definition)",
            Value::Nudge(_) => "a nudge",
            Value::Descent(_) => "a descent table",
            Value::Plot(_) => "a plot",
        };
        let d = Diagnostic::at(
            self.source,
            answer.span.clone(),
            format!("the quiz answer `{}` gives {what}", answer.text),
        )
        .with_label("cannot be typed as an answer")
        .with_help("a typed answer is a number or an expression; ask for one part of it, or use choices instead");
        self.fail(d);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::SourceText;
    use crate::markdown::Hooks;

    /// A page whose first lines are a calc block, then `answer:` lines; each
    /// answer is keyed as the quiz would key it. Returns the keys and the
    /// diagnostics as `line:column: message`.
    fn keys(text: &str) -> (Vec<Option<AnswerCheck>>, Vec<String>) {
        let source = SourceText::new("lesson.md", text);
        let mut calc = PageCalc::new(&source, 12);
        let code_start = text.find(">>>").expect("a calc block");
        let code_end = text.find("```\n").expect("a closing fence");
        calc.calc_block(code_start..code_end);
        let mut out = Vec::new();
        let mut offset = 0;
        for line in text.split_inclusive('\n') {
            if line.starts_with("answer:") {
                let answer =
                    crate::components::read_answer(text, offset..offset + line.trim_end().len())
                        .expect("a readable answer line");
                out.push(calc.answer_key(&answer).map(|k| k.check));
            }
            offset += line.len();
        }
        let report = calc.finish();
        let problems = report
            .diagnostics
            .iter()
            .map(|d| format!("{}:{}: {}", d.line, d.column, d.message))
            .collect();
        (out, problems)
    }

    const PAGE: &str = "```calc\n>>> J(w) = w**2\n```\n";

    #[test]
    fn numbers_rounded_numbers_and_expressions() {
        let text = format!(
            "{PAGE}answer: `= J'(3)`\nanswer: ~0.119\nanswer: -2.5\nanswer: `= diff(J(w), w)`\nanswer: w*2 + 1\nanswer: `2/4`\n"
        );
        let (keys, problems) = keys(&text);
        assert!(problems.is_empty(), "{problems:?}");
        let number = |value, decimals| Some(AnswerCheck::Number { value, decimals });
        assert_eq!(keys[0], number(6.0, None));
        assert_eq!(keys[1], number(0.119, Some(3)));
        assert_eq!(keys[2], number(-2.5, None));
        assert_eq!(keys[5], number(0.5, None));
        for (k, f) in [(3, 2.0), (4, 2.0)] {
            let Some(AnswerCheck::Function {
                vars,
                points,
                values,
            }) = &keys[k]
            else {
                panic!("{:?}", keys[k])
            };
            assert_eq!(vars, &["w"]);
            assert_eq!(points.len(), 8);
            let extra = if k == 4 { 1.0 } else { 0.0 };
            for (p, v) in points.iter().zip(values) {
                assert!((v - (f * p[0] + extra)).abs() < 1e-12);
            }
        }
    }

    #[test]
    fn sample_points_avoid_where_the_answer_is_undefined() {
        let (keys, problems) = keys(&format!("{PAGE}answer: sqrt(w - 2)\n"));
        assert!(problems.is_empty(), "{problems:?}");
        let Some(AnswerCheck::Function { points, .. }) = &keys[0] else {
            panic!("{keys:?}")
        };
        assert!(points.len() >= 3, "{points:?}");
        assert!(points.iter().all(|p| p[0] > 2.0), "{points:?}");
    }

    #[test]
    fn answers_that_cannot_be_graded_are_errors_at_their_place() {
        let text = format!(
            "{PAGE}answer: `= K(2)`\nanswer: `= J'(3`\nanswer: 2w\nanswer: ~abc\nanswer: `= grad(J, w=1)`\nanswer: `= 1/0`\n"
        );
        let (keys, problems) = keys(&text);
        assert!(keys.iter().all(Option::is_none), "{keys:?}");
        assert_eq!(
            problems,
            [
                "4:12: the quiz answer does not compute: unknown function 'K'",
                "5:14: the quiz answer does not compute: unclosed '('",
                "6:9: the quiz answer `2w` is not a number or an expression: implicit multiplication is not supported",
                "7:9: the quiz answer `~abc` is not a number or an expression: unexpected character '~'",
                "8:12: the quiz answer `grad(J, w=1)` gives a vector",
                "9:14: the quiz answer does not compute: division by zero",
            ]
        );
    }
}
