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
            self.report.passed += 1;
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
