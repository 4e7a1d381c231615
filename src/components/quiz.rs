//! The `quiz` component: reading a question's `answer:` line, and the
//! markup that `templates/assets/quiz.js` grades.
//!
//! The answer key is computed at build time: choices and answers may be
//! inline values, which the engine evaluates like any other on the page,
//! and a typed answer reaches the engine through
//! [`MarkdownSink::quiz_key`], which gives back either a number or an
//! expression's values at sample points. The browser never needs the
//! engine: it evaluates only what the reader types, at those points.

use std::fmt::Write;
use std::ops::Range;

use super::{AnswerCheck, MarkdownSink, QuizQuestion, TypedAnswer};
use crate::html::escape;

/// A problem with an `answer:` line, to be reported at `span`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Problem {
    pub span: Range<usize>,
    pub message: String,
    pub label: &'static str,
    pub help: &'static str,
}

const PREFIX: &str = "answer:";

const ANSWER_HELP: &str = "write the answer after `answer:`: a number (`6`, or `~0.119` to accept what rounds to it), an expression (`2*w`) or an inline value (`` `= J'(2)` ``)";

/// Whether a paragraph is an `answer:` line (the prefix in any case).
pub(super) fn is_answer_line(paragraph: &str) -> bool {
    paragraph
        .get(..PREFIX.len())
        .is_some_and(|p| p.eq_ignore_ascii_case(PREFIX))
}

/// Reads the `answer:` paragraph at `span` of `text`.
pub(super) fn read_answer_line(text: &str, span: Range<usize>) -> Result<TypedAnswer, Problem> {
    let paragraph = &text[span.clone()];
    let line_len = paragraph.find(['\n', '\r']).unwrap_or(paragraph.len());
    let line = &paragraph[..line_len];
    if !paragraph[line_len..].trim().is_empty() {
        let next = span.start
            + line_len
            + (paragraph[line_len..].len() - paragraph[line_len..].trim_start().len());
        let end = text[next..]
            .find(['\n', '\r'])
            .map_or(text.len(), |i| next + i);
        return Err(Problem {
            span: next..end,
            message: "text on the lines right after an `answer:` line".into(),
            label: "part of the answer's paragraph",
            help: "leave a blank line between the `answer:` line and the explanation",
        });
    }
    let rest = &line[PREFIX.len()..];
    let value = rest.trim();
    let value_start = span.start + PREFIX.len() + (rest.len() - rest.trim_start().len());
    let whole = span.start..span.start + line.trim_end().len();
    if value.is_empty() {
        return Err(Problem {
            span: whole,
            message: "an `answer:` line with no answer".into(),
            label: "nothing after `answer:`",
            help: ANSWER_HELP,
        });
    }
    let ticks = value.bytes().take_while(|&b| b == b'`').count();
    if ticks == 0 {
        return Ok(TypedAnswer {
            text: value.to_string(),
            span: value_start..value_start + value.len(),
            computed: false,
        });
    }
    let fence = &value[..ticks];
    let inner = value[ticks..]
        .strip_suffix(fence)
        .filter(|i| !i.ends_with('`'));
    let Some(inner) = inner.filter(|i| !i.trim().is_empty()) else {
        return Err(Problem {
            span: value_start..value_start + value.len(),
            message: "an `answer:` line whose code is not closed".into(),
            label: "expected one code span",
            help: ANSWER_HELP,
        });
    };
    let lead = inner.len() - inner.trim_start().len();
    let inner_start = value_start + ticks + lead;
    let trimmed = inner.trim();
    let Some(expr) = trimmed.strip_prefix('=') else {
        return Ok(TypedAnswer {
            text: trimmed.to_string(),
            span: inner_start..inner_start + trimmed.len(),
            computed: false,
        });
    };
    if !expr.starts_with([' ', '\t']) || expr.trim().is_empty() {
        return Err(Problem {
            span: inner_start..inner_start + trimmed.len(),
            message: "an `answer:` inline value needs `=`, a space and an expression".into(),
            label: "not an inline value",
            help: "write the answer as an inline value, `= ` then the expression: `` `= J'(2)` ``",
        });
    }
    let expr_start = inner_start + 1 + (expr.len() - expr.trim_start().len());
    let expr = expr.trim();
    Ok(TypedAnswer {
        text: expr.to_string(),
        span: expr_start..expr_start + expr.len(),
        computed: true,
    })
}

/// The questions of a quiz, each in its own fieldset, with the score and
/// the reset button the script shows, and each question's answer and
/// explanation in a `<details>` after it.
pub(super) fn render(
    out: &mut String,
    id: &str,
    questions: &[QuizQuestion],
    sink: &mut dyn MarkdownSink,
) {
    let n = questions.len();
    let _ = write!(
        out,
        "<p class=\"gb-help\" data-gb-js hidden>Answer a question, then press Check to see whether you are right and why. You can try again as often as you like.</p>\n\
         <p class=\"gb-quiz-score\" data-gb-js hidden data-gb-score aria-live=\"polite\">0 of {n} answered right</p>\n\
         <ol class=\"gb-quiz-list\">\n"
    );
    for (i, question) in questions.iter().enumerate() {
        let qid = format!("{id}-{}", i + 1);
        let prompt = sink.inline(question.prompt.clone());
        let (kind, data, inputs, answer) = match &question.answer {
            Some(typed) => typed_answer(&qid, typed, sink),
            None => choices(&qid, question, sink),
        };
        let explanation = sink.blocks(question.explanation.clone());
        let explanation = if explanation.trim().is_empty() {
            String::new()
        } else {
            format!("<div class=\"gb-quiz-explanation\">\n{explanation}</div>\n")
        };
        let _ = write!(
            out,
            "<li class=\"gb-quiz-q\" data-q-id=\"{q}\" data-q-kind=\"{kind}\"{data}>\n\
             <fieldset class=\"gb-quiz-set\">\n\
             <legend class=\"gb-quiz-legend\"><span class=\"gb-quiz-num\">Question {num} of {n}. </span><span class=\"gb-quiz-prompt\">{prompt}</span></legend>\n\
             {inputs}</fieldset>\n\
             <div class=\"gb-quiz-actions\" data-gb-js hidden>\
             <button type=\"button\" class=\"gb-btn gb-btn-primary\" data-gb-check>Check</button>\
             <button type=\"button\" class=\"gb-btn gb-btn-quiet\" data-gb-retry hidden>Try again</button></div>\n\
             <p class=\"gb-quiz-feedback\" id=\"{qid}-fb\" role=\"status\" aria-live=\"polite\" data-gb-feedback></p>\n\
             <details class=\"gb-quiz-key\" data-gb-key><summary class=\"gb-quiz-summary\">Show the answer</summary>\n\
             <p class=\"gb-quiz-answer\" data-gb-answer>{answer}</p>\n{explanation}</details>\n</li>\n",
            q = escape(&question.id),
            num = i + 1,
        );
    }
    out.push_str(
        "</ol>\n<div class=\"gb-actions\" data-gb-js hidden><button type=\"button\" class=\"gb-btn gb-btn-quiet\" data-gb-reset>Clear answers</button></div>\n",
    );
}

/// The question's kind, its data attributes, its inputs and its answer as
/// shown in the key, for a question with choices.
fn choices(
    qid: &str,
    question: &QuizQuestion,
    sink: &mut dyn MarkdownSink,
) -> (&'static str, String, String, String) {
    let texts: Vec<String> = question
        .choices
        .iter()
        .map(|c| sink.inline(c.text.clone()))
        .collect();
    let shown: Vec<String> = texts.iter().map(|t| plain_text(t)).collect();
    for (k, text) in shown.iter().enumerate() {
        if shown[..k].contains(text) {
            sink.problem(
                question.choices[k].text.clone(),
                "two choices of this question show the same text once computed".into(),
                "the same as an earlier choice",
                "make every choice of a question different, or remove this one",
            );
        }
    }
    let right: Vec<usize> = (0..texts.len())
        .filter(|&k| question.choices[k].right)
        .collect();
    let multiple = right.len() > 1;
    let (kind, input) = if multiple {
        ("multiple", "checkbox")
    } else {
        ("single", "radio")
    };
    let mut inputs = String::new();
    if multiple {
        inputs.push_str("<p class=\"gb-quiz-hint\">Select all that apply.</p>\n");
    }
    inputs.push_str("<ul class=\"gb-quiz-choices\">\n");
    for (k, text) in texts.iter().enumerate() {
        // Accessibility checkers do not read a name out of MathML, so a
        // choice with a formula also gets its text as a plain name.
        let name = if text.contains("<math") {
            format!(" aria-label=\"{}\"", escape(&shown[k]))
        } else {
            String::new()
        };
        let _ = writeln!(
            inputs,
            "<li class=\"gb-quiz-choice\"><input type=\"{input}\" id=\"{qid}-{c}\" name=\"{qid}\" value=\"{c}\"{name} data-gb-choice>\
             <label for=\"{qid}-{c}\">{text}</label></li>",
            c = k + 1,
        );
    }
    inputs.push_str("</ul>\n");
    let numbers: Vec<String> = right.iter().map(|k| (k + 1).to_string()).collect();
    let data = format!(" data-gb-right=\"{}\"", numbers.join(" "));
    let shown: Vec<&str> = right.iter().map(|&k| texts[k].as_str()).collect();
    let answer = match shown.as_slice() {
        [one] => format!("Answer: {one}"),
        many => format!("Answers: {}", many.join("; ")),
    };
    (kind, data, inputs, answer)
}

/// The same for a typed answer: its data attributes hold what the script
/// grades against.
fn typed_answer(
    qid: &str,
    typed: &TypedAnswer,
    sink: &mut dyn MarkdownSink,
) -> (&'static str, String, String, String) {
    let key = sink.quiz_key(typed);
    let (kind, data, hint) = match key.as_ref().map(|k| &k.check) {
        Some(AnswerCheck::Number { value, decimals }) => {
            let mut data = format!(" data-gb-value=\"{}\"", number(*value));
            if let Some(d) = decimals {
                let _ = write!(data, " data-gb-decimals=\"{d}\"");
            }
            ("number", data, "a number".to_string())
        }
        Some(AnswerCheck::Function {
            vars,
            points,
            values,
        }) => {
            let points: Vec<String> = points
                .iter()
                .map(|p| p.iter().map(|x| number(*x)).collect::<Vec<_>>().join(","))
                .collect();
            let values: Vec<String> = values.iter().map(|x| number(*x)).collect();
            let data = format!(
                " data-gb-vars=\"{}\" data-gb-points=\"{}\" data-gb-values=\"{}\"",
                escape(&vars.join(" ")),
                points.join(";"),
                values.join(";")
            );
            let hint = format!("an expression in {}", escape(&vars.join(", ")));
            ("expression", data, hint)
        }
        // Reported at the answer; the page shows the question ungraded.
        None => ("number", String::new(), "a number".to_string()),
    };
    let inputs = format!(
        "<p class=\"gb-quiz-typed\"><label for=\"{qid}-in\">Your answer ({hint})</label> \
         <input type=\"text\" class=\"gb-quiz-input\" id=\"{qid}-in\" autocomplete=\"off\" autocapitalize=\"off\" spellcheck=\"false\" data-gb-input></p>\n"
    );
    let answer = format!(
        "Answer: {}",
        key.map_or_else(|| escape(&typed.text), |k| k.html)
    );
    (kind, data, inputs, answer)
}

/// The text a reader sees in inline HTML, formulas written out (`w^2`),
/// as the search index reads it: a computed `6` and a written 6 read the
/// same.
fn plain_text(html: &str) -> String {
    crate::search::text::sections(html, &[])
        .into_iter()
        .map(|section| section.text)
        .collect::<Vec<_>>()
        .join(" ")
}

/// A number as the script reads it back exactly (shortest round trip).
fn number(x: f64) -> String {
    format!("{x:?}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(line: &str) -> Result<(String, bool, String), (String, String)> {
        let text = format!("x\n{line}\n");
        let span = 2..2 + line.len();
        read_answer_line(&text, span)
            .map(|a| (a.text, a.computed, text[a.span].to_string()))
            .map_err(|p| (p.message, text[p.span].to_string()))
    }

    #[test]
    fn answer_lines() {
        let ok = |t: &str, c: bool| Ok((t.to_string(), c, t.to_string()));
        assert_eq!(read("answer: 6"), ok("6", false));
        assert_eq!(read("Answer:  ~0.119 "), ok("~0.119", false));
        assert_eq!(read("answer: 2*w"), ok("2*w", false));
        assert_eq!(read("answer: `2*w`"), ok("2*w", false));
        assert_eq!(read("answer: `= J'(2)`"), ok("J'(2)", true));
        assert_eq!(read("answer: `` =  J'(2) ``"), ok("J'(2)", true));
        assert!(is_answer_line("ANSWER: 3"));
        assert!(!is_answer_line("answers 3"));
    }

    #[test]
    fn malformed_answer_lines() {
        let err = |m: &str, at: &str| Err((m.to_string(), at.to_string()));
        assert_eq!(
            read("answer:"),
            err("an `answer:` line with no answer", "answer:")
        );
        assert_eq!(
            read("answer: `= J'(2)"),
            err("an `answer:` line whose code is not closed", "`= J'(2)")
        );
        assert_eq!(
            read("answer: `=J(2)`"),
            err(
                "an `answer:` inline value needs `=`, a space and an expression",
                "=J(2)"
            )
        );
        assert_eq!(
            read("answer: 3\nBecause."),
            err(
                "text on the lines right after an `answer:` line",
                "Because."
            )
        );
    }
}
