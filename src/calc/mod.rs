//! Executable examples: `calc` blocks and inline `= expr` values.
//!
//! A [`PageCalc`] lives for the rendering of one lesson. The Markdown
//! renderer calls it (through [`crate::markdown::Hooks`]) for every calc
//! block and inline value in document order; it runs each input through one
//! [`gradbook_math::Scope`], compares computed output with what the author
//! wrote, renders the result, and at the end reports what it verified,
//! what it only computed, its failures and the text `check --bless` would
//! write back.
//!
//! The pieces: [`transcript`] parses a block into inputs and expected lines
//! with their file positions, [`matching`] applies SPEC's matching rules,
//! [`bless`] computes the rewritten file, `render` and `svg` turn results
//! into HTML.
//!
//! **Invariants:** every input and inline value counts at most once: as
//! verified (its expected output was compared and matched), as computed
//! (it printed output that nothing was compared with: an input without an
//! expected output, or an inline value), or as failed; a definition that
//! prints nothing counts in none (a stray output line before any input
//! counts as a failure too). Every failure has a [`Diagnostic`] at the
//! line of the offending expected output or input; the blessed text
//! differs from the source only inside expected outputs, and only when
//! every input could be evaluated.

use std::ops::Range;
use std::panic::{AssertUnwindSafe, catch_unwind};

use crate::components::{Variants, Vary};
use crate::diagnostics::{Diagnostic, SourceText};
use crate::markdown::Hooks;
use gradbook_math::{MathError, Scope, Value};

pub mod bless;
pub mod matching;
mod quiz;
mod render;
mod svg;
pub mod transcript;

use render::{Status, Step};
use transcript::Entry;

/// What running a page's calc content found.
#[derive(Debug, Clone, Default)]
pub struct CalcReport {
    /// Inputs whose expected output was compared with the computed one
    /// and matched (an asserted `error:` included).
    pub verified: usize,
    /// Outputs computed and shown but compared with nothing: inputs that
    /// printed output under which the author wrote none, and inline values
    /// (and computed quiz answers).
    pub computed: usize,
    /// Inputs and inline values that failed.
    pub failed: usize,
    /// One per failure, in document order.
    pub diagnostics: Vec<Diagnostic>,
    /// The whole file with expected outputs rewritten to the computed ones,
    /// when that differs from the file; `None` when nothing would change
    /// or the page could not be evaluated.
    pub blessed: Option<String>,
}

/// The calc state of one page being rendered.
pub struct PageCalc<'a> {
    source: &'a SourceText,
    precision: usize,
    scope: Scope,
    report: CalcReport,
    edits: Vec<bless::Edit>,
    /// False once an input or inline value failed in a way bless must not
    /// paper over (an error nobody asserted).
    blessable: bool,
    /// Whether an input that prints output without an expected output is
    /// an error (`check --strict`) rather than counted as computed.
    strict: bool,
    /// Blocks seen so far, for element ids.
    blocks: usize,
    /// The names of the page's labelled regions so far.
    regions: render::RegionNames,
}

impl<'a> PageCalc<'a> {
    /// Starts a page; `precision` is `calc.precision` from `book.toml`.
    pub fn new(source: &'a SourceText, precision: usize) -> Self {
        Self {
            source,
            precision: precision.clamp(1, 17),
            scope: Scope::new(),
            report: CalcReport::default(),
            edits: Vec::new(),
            blessable: true,
            strict: false,
            blocks: 0,
            regions: render::RegionNames::default(),
        }
    }

    /// Makes an input that prints output but has no expected output an
    /// error, as `check --strict` does.
    #[must_use]
    pub fn strict(mut self, strict: bool) -> Self {
        self.strict = strict;
        self
    }

    /// Ends the page and returns what was found.
    pub fn finish(mut self) -> CalcReport {
        if self.blessable {
            self.report.blessed = bless::apply(&self.source.text, std::mem::take(&mut self.edits));
        }
        self.report
    }

    /// Runs one input; a panic inside the engine becomes an error rather
    /// than taking the whole build down.
    fn run(&mut self, input: &str) -> Result<Value, MathError> {
        self.run_at(input, None)
    }

    /// Runs one input tagged with its offset in the file, so that a
    /// definition of it that fails can be located from later errors.
    fn run_at(&mut self, input: &str, at: Option<usize>) -> Result<Value, MathError> {
        let scope = &mut self.scope;
        let run = || match at {
            Some(offset) => scope.run_tagged(input, offset),
            None => scope.run(input),
        };
        catch_unwind(AssertUnwindSafe(run)).unwrap_or_else(|_| {
            Err(MathError {
                message: "internal error in the math engine".to_string(),
                span: 0..input.len(),
                help: Some("this is a bug in gradbook; please report the input".to_string()),
                origin: None,
            })
        })
    }

    /// Runs the inputs of one explorer variant in a copy of the page's
    /// scope (so a variant leaves no definitions behind, though its tables
    /// spend the page's cells) and renders them; errors are part of the
    /// result, not failures.
    fn run_variant(&mut self, inputs: &[String]) -> String {
        self.blocks += 1;
        let id = format!("calc_{}", self.blocks);
        let saved = self.scope.clone();
        let results: Vec<_> = inputs
            .iter()
            .map(|input| {
                let result = self.run(input);
                let computed = computed_lines(&result, self.precision);
                (result, computed)
            })
            .collect();
        let (cells_left, work_left) = (self.scope.cells_left(), self.scope.work_left());
        self.scope = saved;
        self.scope.set_cells_left(cells_left);
        self.scope.set_work_left(work_left);
        let steps: Vec<Step<'_>> = inputs
            .iter()
            .zip(&results)
            .map(|(input, (result, computed))| Step {
                input,
                result,
                computed,
                status: Status::Filled,
                expected: Vec::new(),
            })
            .collect();
        let transcript = steps
            .iter()
            .map(|s| format!(">>> {}\n{}\n", s.input, s.computed.join("\n")))
            .collect::<String>();
        render::block(&steps, &transcript, &id, self.precision, &mut self.regions)
    }

    fn fail(&mut self, diagnostic: Diagnostic) {
        self.report.failed += 1;
        self.report.diagnostics.push(diagnostic);
    }

    /// Compares an entry's expected output with its result (printed as
    /// `computed`), records the outcome, and returns its status.
    fn judge(
        &mut self,
        entry: &Entry,
        result: &Result<Value, MathError>,
        computed: &[String],
    ) -> Status {
        if let Err(err) = result
            && !entry.expects_error()
        {
            self.blessable = false;
            let diagnostic = self.input_error(entry, err);
            self.fail(diagnostic);
            return Status::Failed;
        }
        if entry.is_open() {
            if let Some(edit) = bless::fill(&self.source.text, entry, computed) {
                self.edits.push(edit);
            }
            // A definition prints nothing: there is nothing to verify.
            if !computed.is_empty() {
                if self.strict {
                    let diagnostic = self.unverified(entry, computed);
                    self.fail(diagnostic);
                } else {
                    self.report.computed += 1;
                }
            }
            return Status::Filled;
        }
        let expected = entry.expected_texts();
        let (scope, precision) = (&self.scope, self.precision);
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            matching::check(&expected, result.as_ref(), computed, scope, precision)
        }))
        .unwrap_or_else(|_| {
            Err(matching::Mismatch {
                line: 0,
                message: "internal error while comparing the output".to_string(),
                expected: expected.first().map(|s| s.to_string()).unwrap_or_default(),
                computed: computed.join(" / "),
                detail: None,
            })
        });
        match outcome {
            Ok(()) => {
                self.report.verified += 1;
                Status::Passed
            }
            Err(mismatch) => {
                let diagnostic = self.mismatch(entry, &mismatch);
                self.fail(diagnostic);
                if let Some(edit) = bless::replace(&self.source.text, entry, computed) {
                    self.edits.push(edit);
                }
                Status::Failed
            }
        }
    }

    /// An input failed and nothing asserted it.
    fn input_error(&self, entry: &Entry, err: &MathError) -> Diagnostic {
        let span = clamp_span(&err.span, &entry.input);
        let start = entry.input_start + span.start;
        let end = entry.input_start + span.end;
        let mut d = Diagnostic::at(self.source, start..end, err.message.clone());
        d = d.with_label(label_for(err));
        // The message is the computed error itself; what the author
        // expected instead is the useful note.
        if !entry.is_open() {
            d = d.with_note(format!("expected: {}", entry.expected_texts().join(" / ")));
        }
        if let Some(note) = self.origin_note(err) {
            d = d.with_note(note);
        }
        match &err.help {
            Some(help) => d.with_help(help.clone()),
            None if entry.is_open() => d.with_help(
                "if the error is intended, write `error: <part of the message>` under the input",
            ),
            None => d,
        }
    }

    /// An input that printed `computed` with no expected output under it,
    /// under `check --strict`.
    fn unverified(&self, entry: &Entry, computed: &[String]) -> Diagnostic {
        let input = entry.input_start..entry.input_start + entry.input.len();
        let shown = match computed {
            [one] => shorten(&collapse_spaces(one)),
            [first, ..] => format!(
                "{} … ({} lines)",
                shorten(&collapse_spaces(first)),
                computed.len()
            ),
            [] => String::new(),
        };
        Diagnostic::at(
            self.source,
            input,
            "no expected output under this input, so its output is not checked",
        )
        .with_label("computed, not verified")
        .with_note(format!("computed: {shown}"))
        .with_note("`check --strict` (or `[check] strict = true` in book.toml) requires an expected output under every input that prints one")
        .with_help("write the expected output under the input, or run `gradbook check --bless` to write the computed one in")
    }

    /// Where the failed definition an error points back to is.
    fn origin_note(&self, err: &MathError) -> Option<String> {
        let origin = err.origin.as_ref()?;
        let (line, column) = self.source.locate(origin.tag? + origin.span.start);
        Some(format!(
            "the definition of {} failed at {}:{line}:{column}",
            origin.name,
            self.source.path.display()
        ))
    }

    /// An expected output that does not match.
    fn mismatch(&self, entry: &Entry, m: &matching::Mismatch) -> Diagnostic {
        let expected = entry.expected.get(m.line).or(entry.expected.last());
        let mut d = match expected {
            Some(e) => Diagnostic::at(
                self.source,
                e.line.text.clone(),
                format!(
                    "{}: expected `{}`, computed `{}`",
                    m.message,
                    shorten(&collapse_spaces(&m.expected)),
                    shorten(&collapse_spaces(&m.computed))
                ),
            ),
            None => Diagnostic::at(
                self.source,
                entry.input_start..entry.input_start + entry.input.len(),
                m.message.clone(),
            ),
        };
        d = d
            .with_label("expected output")
            .with_note(format!(
                "input:    {} (line {})",
                entry.input, entry.line.number
            ))
            .with_note(format!("expected: {}", m.expected))
            .with_note(format!("computed: {}", m.computed));
        if let Some(detail) = &m.detail {
            d = d.with_note(detail.clone());
        }
        d.with_help(
            "if the computed output is right, `gradbook check --bless` writes it into the lesson",
        )
    }

    /// The text shown in the block's raw transcript: the inputs, with what
    /// the author wrote where it matched and the computed output elsewhere.
    fn transcript_text(entries: &[Entry], steps: &[Step<'_>]) -> String {
        let mut out = String::new();
        for (entry, step) in entries.iter().zip(steps) {
            out.push_str(">>> ");
            out.push_str(&entry.input);
            out.push('\n');
            let lines: Vec<&str> = match step.status {
                Status::Passed => entry.expected_texts(),
                Status::Filled | Status::Failed => {
                    step.computed.iter().map(String::as_str).collect()
                }
            };
            for line in lines {
                out.push_str(line);
                out.push('\n');
            }
        }
        out.truncate(out.trim_end().len());
        out
    }
}

impl Hooks for PageCalc<'_> {
    fn calc_block(&mut self, code: Range<usize>) -> String {
        self.blocks += 1;
        // Slugs never contain `_`, so these ids cannot collide with heading ids.
        let id = format!("calc_{}", self.blocks);
        let parsed = transcript::parse(self.source, code);
        for line in &parsed.stray {
            let d = Diagnostic::at(
                self.source,
                line.text.clone(),
                "output line before the first `>>>` input of the calc block",
            )
            .with_label("no input to belong to")
            .with_help("start each input with `>>> `; write comments as inputs: `>>> # …`");
            self.fail(d);
        }
        let mut outcomes = Vec::with_capacity(parsed.entries.len());
        for entry in &parsed.entries {
            let result = self.run_at(&entry.input, Some(entry.input_start));
            let computed = computed_lines(&result, self.precision);
            let status = self.judge(entry, &result, &computed);
            outcomes.push((result, computed, status));
        }
        let steps: Vec<Step<'_>> = parsed
            .entries
            .iter()
            .zip(&outcomes)
            .map(|(entry, (result, computed, status))| Step {
                input: &entry.input,
                result,
                computed,
                status: *status,
                expected: if *status == Status::Failed {
                    entry
                        .expected_texts()
                        .iter()
                        .map(|s| s.to_string())
                        .collect()
                } else {
                    Vec::new()
                },
            })
            .collect();
        let transcript = Self::transcript_text(&parsed.entries, &steps);
        render::block(&steps, &transcript, &id, self.precision, &mut self.regions)
    }

    fn variants(&mut self, vary: &Vary) -> Variants {
        let parsed = transcript::parse(self.source, vary.code.clone());
        if let Some(entry) = parsed.entries.iter().find(|e| !e.is_open()) {
            let d = Diagnostic::at(
                self.source,
                entry.expected[0].line.text.clone(),
                "output in the calc block of an `explore`",
            )
            .with_label("not checked: each value gets its own result")
            .with_help("remove the output lines; an explorer's calc block holds `>>>` inputs only");
            self.fail(d);
            return Variants::default();
        }
        let inputs: Vec<&str> = parsed.entries.iter().map(|e| e.input.as_str()).collect();
        let Some(written) = inputs
            .iter()
            .find_map(|i| keyword_value(i, &vary.name).map(|at| i[at].trim().parse::<f64>().ok()))
        else {
            let d = Diagnostic::at(
                self.source,
                vary.name_span.clone(),
                format!("no input of the calc block has a `{}=` argument", vary.name),
            )
            .with_label("unknown parameter")
            .with_help("vary a keyword argument the input passes, as `alpha` in `descent(J, w=3, alpha=0.1)`");
            self.fail(d);
            return Variants::default();
        };
        let html = vary
            .values
            .iter()
            .map(|value| {
                let varied: Vec<String> = inputs
                    .iter()
                    .map(|i| substitute(i, &vary.name, value).unwrap_or_else(|| i.to_string()))
                    .collect();
                self.run_variant(&varied)
            })
            .collect();
        // The slider starts at the value the input is written with.
        let start = vary
            .values
            .iter()
            .position(|v| v.parse::<f64>().ok() == written)
            .unwrap_or(0);
        Variants { html, start }
    }

    fn quiz_key(
        &mut self,
        answer: &crate::components::TypedAnswer,
    ) -> Option<crate::components::AnswerKey> {
        self.answer_key(answer)
    }

    fn inline_value(&mut self, span: Range<usize>, expr: &str) -> String {
        let expr_start = locate_inline(&self.source.text, &span, expr);
        if expr.trim().is_empty() {
            let d = Diagnostic::at(self.source, span.clone(), "empty inline value")
                .with_help("write an expression after `=`, as in `= J'(3)`");
            self.fail(d);
            return render::inline_error(
                expr,
                &MathError {
                    message: "empty inline value".to_string(),
                    span: 0..0,
                    help: None,
                    origin: None,
                },
            );
        }
        match self.run(expr) {
            Ok(value) => {
                // Shown, not compared with anything.
                self.report.computed += 1;
                render::inline_html(&value, self.precision)
            }
            Err(err) => {
                self.blessable = false;
                let s = clamp_span(&err.span, expr);
                let mut d = Diagnostic::at(
                    self.source,
                    expr_start + s.start..expr_start + s.end,
                    err.message.clone(),
                )
                .with_label(label_for(&err))
                .with_note(format!("in the inline value `= {expr}`"));
                if let Some(note) = self.origin_note(&err) {
                    d = d.with_note(note);
                }
                if let Some(help) = &err.help {
                    d = d.with_help(help.clone());
                }
                self.fail(d);
                render::inline_error(expr, &err)
            }
        }
    }
}

/// `input` with the value of its keyword argument `name` (at any depth,
/// as in `f(x, name=1)`) replaced by `value`; `None` when there is none.
fn substitute(input: &str, name: &str, value: &str) -> Option<String> {
    let at = keyword_value(input, name)?;
    Some(format!("{}{value}{}", &input[..at.start], &input[at.end..]))
}

/// The bytes of the value `input` passes for its keyword argument `name`.
fn keyword_value(input: &str, name: &str) -> Option<Range<usize>> {
    let bytes = input.as_bytes();
    let is_word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'(' | b'[' => depth += 1,
            b')' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
        let starts_word = i == 0 || !is_word(bytes[i - 1]);
        if depth > 0 && starts_word && input[i..].starts_with(name) {
            let before = input[..i].trim_end();
            let after = &input[i + name.len()..];
            let rest = after.trim_start();
            if (before.ends_with('(') || before.ends_with(','))
                && rest.starts_with('=')
                && !rest.starts_with("==")
                && !after.bytes().next().is_some_and(is_word)
            {
                let value_start = input.len() - rest[1..].trim_start().len();
                return Some(value_start..argument_end(input, value_start));
            }
        }
        i += 1;
    }
    None
}

/// Where the argument that starts at `start` ends: the `,` or closing
/// bracket at its own depth, or the end of the input.
fn argument_end(input: &str, start: usize) -> usize {
    let mut depth = 0usize;
    for (k, b) in input.bytes().enumerate().skip(start) {
        match b {
            b'(' | b'[' => depth += 1,
            b')' | b']' if depth == 0 => return k,
            b')' | b']' => depth -= 1,
            b',' if depth == 0 => return k,
            _ => {}
        }
    }
    input.len()
}

/// A result's printed lines: the value's text, or one `error:` line.
fn computed_lines(result: &Result<Value, MathError>, precision: usize) -> Vec<String> {
    match result {
        Ok(value) => matching::split_lines(&value.to_text(precision)),
        Err(err) => vec![format!("error: {}", err.message)],
    }
}

/// An error span limited to the input and to character boundaries.
fn clamp_span(span: &Range<usize>, input: &str) -> Range<usize> {
    let floor = |mut i: usize| {
        i = i.min(input.len());
        while !input.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let start = floor(span.start);
    let end = floor(span.end.max(start));
    start..end
}

fn label_for(err: &MathError) -> &'static str {
    if err.span.is_empty() {
        "here"
    } else {
        "this part"
    }
}

/// Where `expr` starts in the file, given the code span that holds it: the
/// first occurrence after the `=`, or just after the `=` when the renderer
/// normalised the text (line breaks inside code spans).
fn locate_inline(text: &str, span: &Range<usize>, expr: &str) -> usize {
    let Some(code) = text.get(span.clone()) else {
        return span.start.min(text.len());
    };
    let after_eq = code.find('=').map_or(0, |i| i + 1);
    match code[after_eq..].find(expr) {
        Some(i) if !expr.is_empty() => span.start + after_eq + i,
        _ => {
            let rest = &code[after_eq..];
            span.start + after_eq + (rest.len() - rest.trim_start().len())
        }
    }
}

/// Runs of spaces (table padding) shortened to two, for one-line messages.
fn collapse_spaces(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut run = 0;
    for c in text.chars() {
        if c == ' ' {
            run += 1;
            if run <= 2 {
                out.push(c);
            }
        } else {
            run = 0;
            out.push(c);
        }
    }
    out
}

/// A value cut to a readable length for a one-line message.
fn shorten(text: &str) -> String {
    const MAX: usize = 60;
    if text.chars().count() <= MAX {
        text.to_string()
    } else {
        let cut: String = text.chars().take(MAX - 1).collect();
        format!("{cut}…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs a page the way the Markdown renderer does: calc fences and
    /// inline `= ` code spans, in document order. Returns the HTML pieces.
    fn run_page(text: &str) -> (Vec<String>, CalcReport) {
        run_page_with(text, false)
    }

    /// [`run_page`], strict or not.
    fn run_page_with(text: &str, strict: bool) -> (Vec<String>, CalcReport) {
        let source = SourceText::new("lesson.md", text);
        let mut calc = PageCalc::new(&source, 12).strict(strict);
        let mut html = Vec::new();
        let mut offset = 0;
        let mut in_fence: Option<usize> = None;
        for line in text.split_inclusive('\n') {
            let trimmed = line.trim();
            match in_fence {
                Some(start) if trimmed == "```" => {
                    html.push(calc.calc_block(start..offset));
                    in_fence = None;
                }
                Some(_) => {}
                None if trimmed == "```calc" => in_fence = Some(offset + line.len()),
                None => {
                    let mut from = 0;
                    while let Some(open) = line[from..].find("`=") {
                        let open = from + open;
                        let Some(close) = line[open + 1..].find('`') else {
                            break;
                        };
                        let close = open + 1 + close;
                        let expr = line[open + 2..close].trim();
                        html.push(calc.inline_value(offset + open..offset + close + 1, expr));
                        from = close + 1;
                    }
                }
            }
            offset += line.len();
        }
        (html, calc.finish())
    }

    /// Checks how many inputs were verified, computed and failed, showing
    /// every diagnostic when the counts are off.
    #[track_caller]
    fn assert_counts(report: &CalcReport, verified: usize, computed: usize, failed: usize) {
        let messages: Vec<String> = report.diagnostics.iter().map(|d| d.one_line()).collect();
        assert_eq!(
            (report.verified, report.computed, report.failed),
            (verified, computed, failed),
            "{messages:?}"
        );
    }

    #[test]
    fn spec_example_passes_and_fills_nothing() {
        let page = "# J\n\n```calc\n>>> J(w) = w**2\n>>> diff(J(w), w)\n2*w\n>>> J'(3)\n6\n\
>>> nudge(J, w=3, eps=0.001)\nJ(3) = 9\nJ(3.001) = 9.006001\nΔJ = 0.006001\nΔJ/ε = 6.001\nJ'(3) = 6\n```\n";
        let (html, report) = run_page(page);
        // The definition prints nothing and counts in neither.
        assert_counts(&report, 3, 0, 0);
        assert!(report.blessed.is_none());
        assert!(html[0].contains("<math"), "{}", html[0]);
        assert!(html[0].contains("calc-nudge"));
    }

    #[test]
    fn a_wrong_number_fails_at_its_line_and_bless_fixes_it() {
        let page = "Intro\n\n```calc\n>>> J(w) = w**2\n>>> J'(3)\n7\n```\n";
        let (_, report) = run_page(page);
        assert_counts(&report, 0, 0, 1);
        let d = &report.diagnostics[0];
        assert_eq!(d.location(), "lesson.md:6:1");
        assert!(
            d.message.contains("expected `7`, computed `6`"),
            "{}",
            d.message
        );
        assert!(d.notes.iter().any(|n| n == "expected: 7"), "{:?}", d.notes);
        assert!(d.notes.iter().any(|n| n == "computed: 6"), "{:?}", d.notes);
        let blessed = report.blessed.unwrap();
        assert_eq!(blessed, page.replace("\n7\n", "\n6\n"));
        let (_, again) = run_page(&blessed);
        assert_eq!((again.failed, again.blessed), (0, None));
    }

    #[test]
    fn open_inputs_are_filled_and_blessed_idempotently_with_crlf() {
        let page = "+++\r\ntitle = \"x\"\r\n+++\r\n```calc\r\n>>> J(w) = w**2\r\n>>> J(3)\r\n>>> grad(J, w=3)\r\n```\r\ntail\r\n";
        let (html, report) = run_page(page);
        assert_counts(&report, 0, 2, 0);
        assert!(html[0].contains(">9<"), "{}", html[0]);
        let blessed = report.blessed.unwrap();
        assert_eq!(
            blessed,
            "+++\r\ntitle = \"x\"\r\n+++\r\n```calc\r\n>>> J(w) = w**2\r\n>>> J(3)\r\n9\r\n>>> grad(J, w=3)\r\n[6]\r\n```\r\ntail\r\n"
        );
        let (_, again) = run_page(&blessed);
        assert_counts(&again, 2, 0, 0);
        assert_eq!(again.blessed, None);
    }

    #[test]
    fn scope_is_shared_across_blocks_and_inline_values() {
        let page = "```calc\n>>> J(w) = w**2\n```\n\nAt 3 the slope is `= J'(3)` and J is `= diff(J(w), w)`.\n\n```calc\n>>> J(2)\n4\n```\n";
        let (html, report) = run_page(page);
        // Inline values are computed and shown, never compared.
        assert_counts(&report, 1, 2, 0);
        assert!(html[1].contains(">6<"), "{}", html[1]);
        assert!(html[2].contains("<math"), "{}", html[2]);
    }

    #[test]
    fn strict_makes_each_unverified_input_an_error_at_its_input() {
        let page = "```calc\n>>> J(w) = w**2\n>>> J(3)\n>>> descent(J, w=1, alpha=0.1, steps=2)\n>>> J(2)\n4\n```\n\nSlope `= J'(3)`.\n";
        let (_, report) = run_page_with(page, true);
        // The definition prints nothing and the inline value is shown, not
        // compared: neither is an error.
        assert_counts(&report, 1, 1, 2);
        let at: Vec<String> = report.diagnostics.iter().map(|d| d.location()).collect();
        assert_eq!(at, ["lesson.md:3:5", "lesson.md:4:5"]);
        let d = &report.diagnostics[0];
        assert!(d.message.contains("no expected output"), "{}", d.message);
        assert!(d.notes.iter().any(|n| n == "computed: 9"), "{:?}", d.notes);
        assert!(d.help.as_deref().unwrap().contains("--bless"));
        assert!(
            report.diagnostics[1]
                .notes
                .iter()
                .any(|n| n.starts_with("computed: step") && n.ends_with("(4 lines)")),
            "{:?}",
            report.diagnostics[1].notes
        );
        // Blessing fills them in, and then strict finds nothing.
        let blessed = report.blessed.expect("blessable");
        let (_, again) = run_page_with(&blessed, true);
        assert_counts(&again, 3, 1, 0);
    }

    #[test]
    fn unasserted_errors_do_not_repeat_the_headline_as_a_note() {
        let (_, report) = run_page("```calc\n>>> sigmod(2)\n>>> sigmod(3)\n1\n```\n");
        assert_counts(&report, 0, 0, 2);
        let open = &report.diagnostics[0];
        assert!(open.notes.is_empty(), "{:?}", open.notes);
        let written = &report.diagnostics[1];
        assert_eq!(written.notes, ["expected: 1"]);
    }

    #[test]
    fn inline_errors_point_at_the_column() {
        let page = "Slope: `= sigmod(3)`.\n";
        let (_, report) = run_page(page);
        assert_eq!(report.failed, 1);
        let d = &report.diagnostics[0];
        assert_eq!(d.location(), "lesson.md:1:11");
        assert!(d.message.contains("sigmod"), "{}", d.message);
        assert!(report.blessed.is_none());
    }

    #[test]
    fn unasserted_errors_point_into_the_input_and_block_bless() {
        let page = "```calc\n>>> J(w) = w**2\n>>> J(3) + sigmod(2)\n>>> J(1)\n```\n";
        let (_, report) = run_page(page);
        assert_counts(&report, 0, 1, 1);
        assert_eq!(report.diagnostics[0].location(), "lesson.md:3:12");
        assert!(
            report.blessed.is_none(),
            "a page with an error is not blessed"
        );
    }

    #[test]
    fn error_assertions_match_on_a_part_of_the_message() {
        let page = "```calc\n>>> log(0)\nerror: log(0) is undefined\n>>> 1/0\nerror: square root\n>>> 2\nerror: anything\n```\n";
        let (_, report) = run_page(page);
        assert_counts(&report, 1, 0, 2);
        assert_eq!(report.diagnostics[0].line, 5);
        assert!(
            report.diagnostics[0]
                .message
                .contains("error message does not match")
        );
        assert_eq!(report.diagnostics[1].line, 7);
        assert!(report.diagnostics[1].message.contains("expected an error"));
    }

    #[test]
    fn indented_blocks_point_at_the_text_of_their_lines() {
        let page = "- item\r\n\r\n  ```calc\r\n  stray\r\n  >>> 1 + 1\r\n  3\r\n  ```\r\n";
        let (_, report) = run_page(page);
        assert_counts(&report, 0, 0, 2);
        let at: Vec<(String, usize)> = report
            .diagnostics
            .iter()
            .map(|d| (d.location(), d.width))
            .collect();
        assert_eq!(
            at,
            [
                ("lesson.md:4:3".to_string(), 5),
                ("lesson.md:6:3".to_string(), 1)
            ]
        );
    }

    #[test]
    fn stray_output_is_reported() {
        let (_, report) = run_page("```calc\n6\n>>> 1\n1\n```\n");
        assert_eq!(report.diagnostics.len(), 1);
        assert_eq!(report.diagnostics[0].location(), "lesson.md:2:1");
    }

    #[test]
    fn inline_values_are_located_after_the_equals_sign() {
        let text = "At 3 the slope is `=  J'(3)`.";
        let start = text.find('`').unwrap();
        let end = text.rfind('`').unwrap() + 1;
        let at = locate_inline(text, &(start..end), "J'(3)");
        assert_eq!(&text[at..at + 5], "J'(3)");
    }

    #[test]
    fn keyword_arguments_are_substituted() {
        let s = |i, n, v| substitute(i, n, v);
        assert_eq!(
            s("descent(J, w=3, alpha=0.1, steps=10)", "alpha", "0.5").as_deref(),
            Some("descent(J, w=3, alpha=0.5, steps=10)")
        );
        assert_eq!(
            s("descent(J, w=3, alpha = f(1, 2))", "alpha", "1").as_deref(),
            Some("descent(J, w=3, alpha = 1)")
        );
        assert_eq!(s("alpha = 0.1", "alpha", "1"), None);
        assert_eq!(s("f(myalpha=1)", "alpha", "1"), None);
        assert_eq!(s("f(alpha == 1)", "alpha", "1"), None);
        assert_eq!(s("f(x, alpha2=1)", "alpha", "1"), None);
    }

    #[test]
    fn spans_are_clamped_to_the_input() {
        assert_eq!(clamp_span(&(3..99), "abcd"), 3..4);
        let reversed = Range { start: 9, end: 2 };
        assert_eq!(clamp_span(&reversed, "abcd"), 4..4);
        assert_eq!(clamp_span(&(1..2), "αβ"), 0..2);
    }

    #[test]
    fn long_values_are_shortened() {
        assert_eq!(shorten("6"), "6");
        assert_eq!(shorten(&"x".repeat(100)).chars().count(), 60);
    }

    fn transcript_line() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        prop_oneof![
            Just(">>> J(w) = w**2".to_string()),
            Just(">>> J(3)".to_string()),
            Just("  >>>   J'(2)".to_string()),
            Just("9".to_string()),
            Just("~4".to_string()),
            Just("...".to_string()),
            Just("error: unknown".to_string()),
            Just(">>> diff(J(w), w)".to_string()),
            Just("w + w".to_string()),
            Just(">>> descent(J, w=1, alpha=0.1, steps=3)".to_string()),
            Just(">>> nudge(J, w=1)".to_string()),
            Just(">>> grad(J, w=1)".to_string()),
            Just(">>> sigmod(1)".to_string()),
            Just(String::new()),
            "[ -~]{0,14}",
            "\\PC{0,6}",
        ]
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]

        /// No block panics; blessing is idempotent and touches only the block.
        #[test]
        fn any_block_is_safe_and_bless_is_idempotent(
            lines in proptest::collection::vec(transcript_line(), 0..12),
            crlf in proptest::bool::ANY,
        ) {
            let eol = if crlf { "\r\n" } else { "\n" };
            let page = format!("intro{eol}```calc{eol}{}{eol}```{eol}outro{eol}", lines.join(eol));
            let (_, report) = run_page(&page);
            proptest::prop_assert_eq!(report.diagnostics.len(), report.failed);
            if let Some(blessed) = report.blessed {
                let head = format!("intro{eol}```calc{eol}");
                let tail = format!("```{eol}outro{eol}");
                proptest::prop_assert!(blessed.starts_with(&head));
                proptest::prop_assert!(blessed.ends_with(&tail));
                if crlf {
                    proptest::prop_assert_eq!(blessed.matches('\n').count(), blessed.matches("\r\n").count());
                }
                let (_, again) = run_page(&blessed);
                proptest::prop_assert_eq!(again.blessed, None, "not idempotent:\n{}", blessed);
            }
        }
    }
}
