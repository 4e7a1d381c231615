//! Markup of other tools, found in a lesson's prose and named.
//!
//! Lessons are often moved in from d2l (Sphinx roles such as
//! `` :eqref:`eq_x` ``), MyST (`` {numref}`fig` ``, ```` ```{note} ````),
//! Jekyll (Liquid `{{ site.baseurl }}`, `{% post_url … %}`, kramdown's
//! `{: .class}`) or Hugo (`{{< figure >}}`). gradbook reads none of
//! these, so each would be published as written. This module finds them
//! in runs of prose text (never in code, math or raw HTML, which are other
//! events) and in code blocks' info strings, and turns each into a
//! warning that says how to write the same thing in gradbook.
//!
//! The rules are narrow on purpose, so that ordinary text is left alone:
//! a role needs a code span right after it, `{{ … }}` counts only when it
//! reads as a Liquid variable or filter, `{: … }` only when it holds
//! classes, ids, attributes or `toc`. A backslash before the brace or
//! colon (`\{{`) keeps the text without a warning.

use std::ops::Range;

use crate::content::slug::slugify;
use crate::diagnostics::{Diagnostic, SourceText};

/// A run of prose: consecutive text events that follow each other in the
/// source without a gap, so that markup split over several events (the
/// parser cuts text at `_`, quotes and the like) is seen whole.
#[derive(Debug, Default)]
pub(super) struct Prose {
    run: Option<Range<usize>>,
}

impl Prose {
    /// Takes in the span of a text event. Returns the run it ends, when it
    /// does not continue the one being read.
    pub(super) fn text(&mut self, span: &Range<usize>) -> Option<Range<usize>> {
        match &mut self.run {
            Some(run) if run.end == span.start => {
                run.end = span.end;
                None
            }
            _ => self.run.replace(span.clone()),
        }
    }

    /// Ends the run being read (any event other than text does), if any.
    pub(super) fn finish(&mut self) -> Option<Range<usize>> {
        self.run.take()
    }
}

/// One piece of foreign markup.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    /// A Sphinx or d2l role, `:name:` before a code span.
    Role {
        name: String,
        target: Option<String>,
    },
    /// A MyST role, `{name}` before a code span.
    MystRole {
        name: String,
        target: Option<String>,
    },
    /// Liquid output, `{{ … }}`.
    LiquidOutput { inner: String },
    /// A Liquid tag, `{% name … %}`.
    LiquidTag { name: String, argument: String },
    /// A kramdown attribute list, `{: … }` or `{:toc}`.
    Kramdown { inner: String },
    /// A Hugo shortcode, `{{< name … >}}` or `{{% name … %}}`.
    Shortcode { name: String },
    /// A MyST target, `(name)=` on a line of its own.
    MystTarget { name: String },
}

/// Foreign markup at `span` of the source.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Found {
    span: Range<usize>,
    kind: Kind,
}

/// A warning for each piece of foreign markup in the prose `run` of
/// `source` (a role's code span, just after the run, is looked at too).
pub(super) fn check_prose(source: &SourceText, run: Range<usize>) -> Vec<Diagnostic> {
    scan(&source.text, run)
        .into_iter()
        .map(|found| warning(source, &found))
        .collect()
}

/// A warning for the first formula in the raw HTML block at `block`,
/// which is passed through as written: math is read in Markdown only, and
/// a formula inside `<div>…</div>` on the tag's own lines would be shown
/// as its TeX. `$$…$$`, and `\(…\)` / `\[…\]` when backslash delimiters
/// are on, count; a single `$` does not (it is as often a price), nor does
/// anything inside `<script>`, `<style>`, `<pre>`, `<code>`, `<textarea>`
/// or a comment.
pub(super) fn check_html_block(
    source: &SourceText,
    block: Range<usize>,
    backslash: bool,
) -> Option<Diagnostic> {
    let text = source.text.get(block.clone())?;
    let at = html_formula(text, backslash)?;
    let span = block.start + at.start..block.start + at.end;
    Some(
        Diagnostic::at(
            source,
            span,
            "a formula inside a raw HTML block is shown as written, not as math",
        )
        .with_label("not rendered")
        .with_help(
            "leave a blank line after the opening tag and before the closing one, so that what is between them is Markdown, or move the formula out of the HTML",
        )
        .warning(),
    )
}

/// The first formula of raw HTML `text` outside verbatim elements and
/// comments, if any.
fn html_formula(text: &str, backslash: bool) -> Option<Range<usize>> {
    const VERBATIM: [&str; 5] = ["script", "style", "pre", "code", "textarea"];
    let lower = text.to_ascii_lowercase();
    let mut i = 0;
    while i < text.len() {
        let rest = &lower[i..];
        if rest.starts_with("<!--") {
            i += rest.find("-->").map_or(rest.len(), |end| end + 3);
            continue;
        }
        if let Some(tag) = VERBATIM.iter().find(|tag| {
            rest.strip_prefix('<')
                .and_then(|r| r.strip_prefix(**tag))
                .is_some_and(|r| r.starts_with(['>', ' ', '\t', '\n', '/']))
        }) {
            let close = format!("</{tag}");
            i += rest
                .find(&close)
                .map_or(rest.len(), |end| end + close.len());
            continue;
        }
        let pairs: &[(&str, &str)] = if backslash {
            &[("$$", "$$"), ("\\(", "\\)"), ("\\[", "\\]")]
        } else {
            &[("$$", "$$")]
        };
        for (open, close) in pairs {
            if rest.starts_with(open)
                && !text[..i].ends_with('\\')
                && let Some(end) = rest[open.len()..].find(close)
            {
                return Some(i..i + open.len() + end + close.len());
            }
        }
        i += rest.chars().next().map_or(1, char::len_utf8);
    }
    None
}

/// A warning when the info string `info` of the code block opening at
/// `block.start` is a MyST directive (```` ```{note} ````) or an R
/// Markdown / Quarto chunk (```` ```{python} ````), which gradbook shows as
/// plain code.
pub(super) fn check_info(
    source: &SourceText,
    block: &Range<usize>,
    info: &str,
) -> Option<Diagnostic> {
    let inner = info.trim().strip_prefix('{')?.split('}').next()?;
    let name: String = inner
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':'))
        .collect();
    // `{.python .input}` is a Pandoc attribute block, which gradbook reads.
    if name.is_empty() || !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return None;
    }
    let at = info_span(source, block, "{");
    let line_end = source.line_start(source.locate(at.start).0 + 1);
    let end = source.text[at.start..line_end]
        .find('}')
        .map_or(at.end, |i| at.start + i + 1);
    let at = at.start;
    let shown = format!("{{{inner}}}");
    let lower = name.to_ascii_lowercase();
    let plain = matches!(
        lower.as_str(),
        "math" | "calc" | "text" | "plain" | "plaintext" | "txt"
    );
    let d = if !plain && crate::markdown::highlight::is_known_language(&lower) {
        Diagnostic::at(
            source,
            at..end,
            format!(
                "`{shown}` after a code fence is an R Markdown or Quarto code chunk, which gradbook shows as plain text"
            ),
        )
        .with_label("not gradbook markup")
        .with_help(format!(
            "write ```{lower} to highlight it; to run a computation, use a `calc` block"
        ))
    } else {
        Diagnostic::at(
            source,
            at..end,
            format!(
                "`{shown}` after a code fence is a MyST directive, which gradbook shows as a code block"
            ),
        )
        .with_label("not gradbook markup")
        .with_help(directive_help(&lower))
    };
    Some(d.warning())
}

/// Where `needle` first is on the opening line of the code block at
/// `block` (the whole first line when it is not there).
pub(super) fn info_span(source: &SourceText, block: &Range<usize>, needle: &str) -> Range<usize> {
    let start = block.start.min(source.text.len());
    let line = source.locate(start).0;
    let line_end = source.line_start(line) + source.line_text(line).len();
    let first = &source.text[start..line_end.max(start)];
    let backticks = first.trim_start_matches([' ', '>', '-', '*', '+', '\t']);
    let fence = first.len() - backticks.len();
    match (!needle.is_empty())
        .then(|| first[fence..].find(needle))
        .flatten()
    {
        Some(i) => start + fence + i..start + fence + i + needle.len(),
        None => start..line_end.max(start),
    }
}

/// How to write MyST's directive `name` in gradbook.
fn directive_help(name: &str) -> String {
    let component = match name {
        "note" | "seealso" | "admonition" | "important" => Some("note"),
        "tip" | "hint" => Some("tip"),
        "warning" | "caution" | "attention" | "danger" | "error" => Some("warning"),
        "example" | "exercise" | "solution" | "prf:example" => Some("example"),
        _ => None,
    };
    if let Some(kind) = component {
        return format!(
            "write a component instead: a line `::: {kind}` (a title may follow), the text, and a line `:::`"
        );
    }
    match name {
        "math" => "write the formula in a ```math block, or between `$$` lines".to_string(),
        "code" | "code-block" | "code-cell" | "sourcecode" => {
            "write a fenced code block named by its language: ```python".to_string()
        }
        "figure" | "image" => "write an image: `![what it shows](img/figure.png)`".to_string(),
        "toctree" | "tableofcontents" | "contents" => {
            "leave it out: gradbook lists every lesson in the sidebar and on the section's page"
                .to_string()
        }
        _ => "write it as Markdown, or as a component (`::: note` … `:::`)".to_string(),
    }
}

/// Finds the foreign markup in the prose `run` of `text`.
fn scan(text: &str, run: Range<usize>) -> Vec<Found> {
    let mut found = Vec::new();
    let bytes = text.as_bytes();
    if let Some(target) = myst_target(text, &run) {
        found.push(target);
        return found;
    }
    let mut i = run.start;
    while i < run.end {
        let escaped = i > 0 && bytes[i - 1] == b'\\';
        let hit = match bytes[i] {
            b'{' if !escaped => brace(text, &run, i),
            b':' if !escaped => role(text, &run, i),
            _ => None,
        };
        match hit {
            Some(hit) => {
                i = hit.span.end.max(i + 1);
                found.push(hit);
            }
            None => i += 1,
        }
    }
    found
}

/// How far past its start a piece of markup may end: enough for any real
/// tag, and it keeps the scan of a long line linear.
const REACH: usize = 256;

/// `text[from..to]`, but no longer than [`REACH`] (cut at a character).
fn window(text: &str, from: usize, to: usize) -> &str {
    let mut end = to.min(from + REACH);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[from..end]
}

/// Foreign markup starting with the `{` at `at`.
fn brace(text: &str, run: &Range<usize>, at: usize) -> Option<Found> {
    let rest = window(text, at, run.end);
    let found = |len: usize, kind: Kind| {
        Some(Found {
            span: at..at + len,
            kind,
        })
    };
    for (open, close) in [("{{<", ">}}"), ("{{%", "%}}")] {
        if let Some(body) = rest.strip_prefix(open) {
            let end = body.find(close)?;
            let name = first_word(body[..end].trim_start().trim_start_matches('/'));
            if name.is_empty() {
                return None;
            }
            return found(open.len() + end + close.len(), Kind::Shortcode { name });
        }
    }
    if let Some(body) = rest.strip_prefix("{{") {
        let end = body.find("}}")?;
        let inner = body[..end].trim_matches('-').trim();
        return is_liquid_output(inner)
            .then(|| {
                found(
                    2 + end + 2,
                    Kind::LiquidOutput {
                        inner: inner.into(),
                    },
                )
            })
            .flatten();
    }
    if let Some(body) = rest.strip_prefix("{%") {
        let end = body.find("%}")?;
        let inner = body[..end].trim_matches('-').trim();
        let name = first_word(inner);
        let word_ends = inner[name.len()..]
            .chars()
            .next()
            .is_none_or(char::is_whitespace);
        if name.is_empty()
            || !name.starts_with(|c: char| c.is_ascii_alphabetic())
            || !word_ends
            || inner.contains("{%")
        {
            return None;
        }
        let argument = inner[name.len()..].trim().to_string();
        return found(2 + end + 2, Kind::LiquidTag { name, argument });
    }
    if let Some(body) = rest.strip_prefix("{:") {
        let end = body.find('}')?;
        let inner = body[..end].trim();
        return is_attribute_list(inner)
            .then(|| {
                found(
                    2 + end + 1,
                    Kind::Kramdown {
                        inner: inner.into(),
                    },
                )
            })
            .flatten();
    }
    // A MyST role: `{name}` right before a code span.
    let name = name_at(&rest[1..], |c| matches!(c, '-' | '_' | ':'));
    let end = 1 + name.len();
    let is_name = name.starts_with(|c: char| c.is_ascii_lowercase());
    let after = at + end + 1;
    // The code span is past the end of the run: look in `text`.
    if !is_name || !rest[end..].starts_with('}') || text.as_bytes().get(after) != Some(&b'`') {
        return None;
    }
    let (code_end, target) = code_span(text, after);
    Some(Found {
        span: at..code_end,
        kind: Kind::MystRole {
            name: name.to_string(),
            target,
        },
    })
}

/// A Sphinx or d2l role, `:name:` right before a code span, starting with
/// the `:` at `at` (not inside a word: `time:12:30:` is no role).
fn role(text: &str, run: &Range<usize>, at: usize) -> Option<Found> {
    let before = text[..at].chars().next_back();
    if before.is_some_and(|c| c.is_alphanumeric() || c == ':' || c == '`') {
        return None;
    }
    let rest = window(text, at + 1, run.end);
    let name = name_at(rest, |c| matches!(c, '-' | '_' | '.'));
    let end = name.len();
    let is_name =
        name.starts_with(|c: char| c.is_ascii_alphabetic()) && rest[end..].starts_with(':');
    let mut after = at + 1 + end + 1;
    let mut name = name.to_string();
    // A domain role, `:py:func:`.
    if is_name
        && text
            .as_bytes()
            .get(after)
            .is_some_and(u8::is_ascii_alphabetic)
    {
        let more = window(text, after, run.end);
        let inner = name_at(more, |c| matches!(c, '-' | '_'));
        let end = inner.len();
        if !more[end..].starts_with(':') {
            return None;
        }
        name = format!("{name}:{inner}");
        after += end + 1;
    }
    if !is_name || text.as_bytes().get(after) != Some(&b'`') {
        return None;
    }
    let (code_end, target) = code_span(text, after);
    Some(Found {
        span: at..code_end,
        kind: Kind::Role { name, target },
    })
}

/// The end of the code span opening at `at` and its text, trimmed (no
/// text when it is not closed on its line).
fn code_span(text: &str, at: usize) -> (usize, Option<String>) {
    let ticks = text[at..].bytes().take_while(|&b| b == b'`').count();
    let body = at + ticks;
    let line = window(text, body, text.len());
    let line_end = line.find('\n').map_or(body + line.len(), |i| body + i);
    let fence = "`".repeat(ticks);
    let mut from = body;
    while let Some(i) = text[from..line_end].find(&fence) {
        let close = from + i;
        let run = text[close..].bytes().take_while(|&b| b == b'`').count();
        if run == ticks {
            return (close + ticks, Some(text[body..close].trim().to_string()));
        }
        from = close + run;
    }
    (body, None)
}

/// Whether `inner`, between `{{` and `}}`, reads as Liquid: a filter
/// (`x | relative_url`), a dotted variable (`site.baseurl`), or one of
/// the variables Jekyll defines.
fn is_liquid_output(inner: &str) -> bool {
    let (value, filters) = match inner.split_once('|') {
        Some((value, filters)) => (value.trim(), Some(filters.trim())),
        None => (inner, None),
    };
    if let Some(filters) = filters {
        let filter = first_word(filters);
        return !value.is_empty()
            && !filter.is_empty()
            && filter.starts_with(|c: char| c.is_ascii_alphabetic());
    }
    let is_path = value.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    is_path
        && (value.contains('.')
            || matches!(
                value,
                "site" | "page" | "content" | "layout" | "paginator" | "include" | "jekyll"
            ))
}

/// Whether `inner`, between `{:` and `}`, is a kramdown attribute list:
/// `toc`, or words that are each `.class`, `#id` or `key="value"`.
fn is_attribute_list(inner: &str) -> bool {
    if inner == "toc" {
        return true;
    }
    let word_start = |s: &str| s.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_');
    !inner.is_empty()
        && inner.split_whitespace().all(|word| {
            if let Some(name) = word.strip_prefix(['.', '#']) {
                word_start(name)
            } else if let Some((key, _)) = word.split_once('=') {
                word_start(key)
            } else {
                false
            }
        })
}

/// A MyST target, `(name)=`, when it is the whole run (a line of its own).
fn myst_target(text: &str, run: &Range<usize>) -> Option<Found> {
    let line = &text[run.clone()];
    let name = line.strip_prefix('(')?.strip_suffix(")=")?;
    let ok = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | ':'));
    ok.then(|| Found {
        span: run.clone(),
        kind: Kind::MystTarget {
            name: name.to_string(),
        },
    })
}

/// The longest start of `text` made of ASCII letters and digits and the
/// characters `also` accepts.
fn name_at(text: &str, also: impl Fn(char) -> bool) -> &str {
    let end = text
        .find(|c: char| !(c.is_ascii_alphanumeric() || also(c)))
        .unwrap_or(text.len());
    &text[..end]
}

/// The first word of `text` (letters, digits, `_`, `-`).
fn first_word(text: &str) -> String {
    text.trim_start()
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'))
        .collect()
}

/// `text`, cut to a readable length for a message.
fn shorten(text: &str) -> String {
    const MAX: usize = 48;
    if text.chars().count() <= MAX {
        text.to_string()
    } else {
        let cut: String = text.chars().take(MAX - 1).collect();
        format!("{cut}…")
    }
}

/// The warning for `found`.
fn warning(source: &SourceText, found: &Found) -> Diagnostic {
    // A role is named without its code span, which would nest backticks.
    let written = match &found.kind {
        Kind::Role { name, .. } => format!(":{name}:"),
        Kind::MystRole { name, .. } => format!("{{{name}}}"),
        _ => shorten(&source.text[found.span.clone()]),
    };
    let (what, help) = describe(&found.kind);
    Diagnostic::at(
        source,
        found.span.clone(),
        format!("`{written}` is {what}, which gradbook shows as written"),
    )
    .with_label("not gradbook markup")
    .with_help(help)
    .warning()
}

/// What kind of markup `kind` is (after "is"), and how to write it in
/// gradbook.
fn describe(kind: &Kind) -> (&'static str, String) {
    match kind {
        Kind::Role { name, target } => ("a Sphinx or d2l role", role_help(name, target.as_deref())),
        Kind::MystRole { name, target } => ("a MyST role", role_help(name, target.as_deref())),
        Kind::LiquidOutput { inner } => ("Liquid (Jekyll) output", liquid_output_help(inner)),
        Kind::LiquidTag { name, argument } => {
            ("a Liquid (Jekyll) tag", liquid_tag_help(name, argument))
        }
        Kind::Kramdown { inner } => ("a kramdown attribute list", kramdown_help(inner)),
        Kind::Shortcode { name } => ("a Hugo shortcode", shortcode_help(name)),
        Kind::MystTarget { name } => (
            "a MyST target",
            format!(
                "give the heading below an id instead: `## Its title {{#{}}}`",
                slug_or(name, "name")
            ),
        ),
    }
}

/// `text` as an id, or `fallback` when nothing of it is left.
fn slug_or(text: &str, fallback: &str) -> String {
    let slug = slugify(text);
    if slug.is_empty() {
        fallback.to_string()
    } else {
        slug
    }
}

/// How to write the role `name` with `target` in gradbook.
fn role_help(name: &str, target: Option<&str>) -> String {
    let label = target.unwrap_or("name");
    let id = slug_or(label, "name");
    let plain = name.rsplit(':').next().unwrap_or(name);
    match plain {
        "eqref" | "eq" => format!(
            "refer to the equation inside math, `$\\eqref{{{label}}}$`, or link to it: `[the equation](#eq-{id})`"
        ),
        "eqlabel" => format!(
            "put `\\label{{{label}}}` inside the equation's `$$…$$`: it numbers the equation and gives it the id `eq-{id}`"
        ),
        "label" => format!(
            "give the heading an id, `## Its title {{#{id}}}`; for an equation, put `\\label{{{label}}}` inside its `$$…$$`"
        ),
        "numref" | "ref" | "any" | "sub-ref" => {
            format!("link to it: `[the figure](#{id})`, where a heading ends in `{{#{id}}}`")
        }
        "cite" | "citep" | "citet" | "p" | "t" | "footcite" => format!(
            "cite in a footnote: `[^{id}]` here, and `[^{id}]: the reference` at the end of the lesson"
        ),
        "math" => format!("write the formula between dollars: `${label}$`"),
        "doc" => format!("link to the lesson's Markdown file: `[its title]({label}.md)`"),
        "code" | "samp" | "file" | "command" | "program" | "func" | "class" | "meth" | "mod"
        | "attr" | "data" | "obj" | "exc" => format!("write code as code: `` `{label}` ``"),
        "term" | "abbr" | "dfn" | "emphasis" => format!("write the words themselves: *{label}*"),
        _ => "write a link, math or a footnote instead, or leave the markup out".to_string(),
    }
}

/// How to write Liquid output `{{ inner }}` in gradbook.
fn liquid_output_help(inner: &str) -> String {
    let value = inner.split('|').next().unwrap_or(inner).trim();
    if inner.contains("relative_url") || inner.contains("absolute_url") || value.contains("url") {
        let path = value.trim_matches(['"', '\'']).trim_start_matches('/');
        let example = if path.is_empty() || !value.starts_with(['"', '\'']) {
            "img/plot.png".to_string()
        } else {
            path.to_string()
        };
        let start = if value.starts_with(['"', '\'']) {
            "write the path relative to this lesson's file"
        } else {
            "leave it out and write the path relative to this lesson's file"
        };
        return format!(
            "{start} (`{example}`, `../other-section/lesson.md`): gradbook makes every such link work from the page, wherever the site is published"
        );
    }
    "gradbook fills in no variables in lessons: write the text itself (a site's own templates, in templates/, can show page data)".to_string()
}

/// How to write the Liquid tag `name` in gradbook.
fn liquid_tag_help(name: &str, argument: &str) -> String {
    let arg = first_word(argument.trim_matches(['"', '\'']));
    match name {
        "post_url" | "link" => {
            let file = argument.trim().trim_matches(['"', '\'']);
            let file = file.rsplit('/').next().unwrap_or(file);
            let stem = file.strip_suffix(".md").unwrap_or(file);
            let stem = if stem.is_empty() { "lesson" } else { stem };
            format!(
                "link to the lesson's Markdown file, as written from this one: `[its title]({stem}.md)`"
            )
        }
        "highlight" => {
            let lang = if arg.is_empty() { "python" } else { arg.as_str() };
            format!("write a fenced code block: a line ```{lang}, the code, and a line ```")
        }
        "endhighlight" => "end the fenced code block with a line ```".to_string(),
        "raw" | "endraw" => {
            "leave it out: gradbook runs no Liquid, so nothing needs protecting from it".to_string()
        }
        "include" | "include_relative" => {
            "copy the included text into the lesson; what every page shares belongs in a template (templates/)".to_string()
        }
        "cite" | "reference" | "bibliography" => {
            "cite in a footnote: `[^key]` here, and `[^key]: the reference` at the end of the lesson"
                .to_string()
        }
        "katex" | "endkatex" | "math" | "endmath" | "latex" | "endlatex" => {
            "write the formula between dollars: `$…$` inline, `$$…$$` on lines of its own".to_string()
        }
        "comment" | "endcomment" => "hide text in an HTML comment, `<!-- … -->`".to_string(),
        _ => "gradbook runs no Liquid: write the result as Markdown, or leave the tag out".to_string(),
    }
}

/// How to write the kramdown attribute list `{: inner }` in gradbook.
fn kramdown_help(inner: &str) -> String {
    if inner == "toc" {
        return "leave it out (with the list item before it): gradbook makes each page's table of contents itself".to_string();
    }
    if inner.split_whitespace().any(|w| w == ".no_toc") {
        return "leave it out: gradbook's table of contents lists the page's headings".to_string();
    }
    let keep: Vec<&str> = inner
        .split_whitespace()
        .filter(|w| w.starts_with(['.', '#']))
        .collect();
    if keep.is_empty() {
        return "leave it out, or write the element as raw HTML with its attributes".to_string();
    }
    format!(
        "on a heading, end the heading's line with `{{{}}}`; elsewhere leave it out",
        keep.join(" ")
    )
}

/// How to write the Hugo shortcode `name` in gradbook.
fn shortcode_help(name: &str) -> String {
    match name {
        "figure" | "img" | "image" => {
            "write an image: `![what it shows](img/figure.png)`".to_string()
        }
        "ref" | "relref" => {
            "link to the lesson's Markdown file: `[its title](lesson.md)`".to_string()
        }
        "highlight" | "code" => {
            "write a fenced code block: a line ```python, the code, and a line ```".to_string()
        }
        "notice" | "callout" | "hint" | "admonition" | "alert" | "note" | "tip" | "warning" => {
            "write a component: a line `::: note` (or `tip`, `warning`), the text, and a line `:::`"
                .to_string()
        }
        "katex" | "math" | "tex" => {
            "write the formula between dollars: `$…$` inline, `$$…$$` on lines of its own"
                .to_string()
        }
        _ => "gradbook runs no shortcodes: write Markdown (or HTML) instead".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The foreign markup in `text`, taken as one run, as written.
    fn found(text: &str) -> Vec<String> {
        scan(text, 0..text.len())
            .into_iter()
            .map(|f| text[f.span].to_string())
            .collect()
    }

    #[test]
    fn a_formula_in_raw_html_is_found_outside_verbatim_elements() {
        let at = |text: &str, backslash: bool| {
            html_formula(text, backslash).map(|r| text[r].to_string())
        };
        assert_eq!(
            at("<div>\\(x^2\\)</div>", true).as_deref(),
            Some("\\(x^2\\)")
        );
        assert_eq!(at("<p>\\[ y \\]</p>", true).as_deref(), Some("\\[ y \\]"));
        assert_eq!(at("<td>$$a$$</td>", false).as_deref(), Some("$$a$$"));
        // Off, or one-sided, or a price: nothing.
        assert_eq!(at("<div>\\(x^2\\)</div>", false), None);
        assert_eq!(at("<div>\\( and no close</div>", true), None);
        assert_eq!(at("<div>costs $5 or $6</div>", true), None);
        // Verbatim elements and comments keep their text.
        assert_eq!(at("<script>re = /\\(x\\)/;</script>", true), None);
        assert_eq!(at("<PRE>$$a$$</PRE>", true), None);
        assert_eq!(at("<code class=\"x\">\\(x\\)</code>", true), None);
        assert_eq!(at("<!-- $$a$$ -->", true), None);
        assert_eq!(
            at("<pre>$$a$$</pre><span>$$b$$</span>", true).as_deref(),
            Some("$$b$$")
        );
        // `<preview>` is no `<pre>`.
        assert_eq!(
            at("<preview>$$c$$</preview>", true).as_deref(),
            Some("$$c$$")
        );
    }

    #[test]
    fn finds_the_markup_of_other_tools() {
        let cases: &[(&str, &[&str])] = &[
            (":eqref:`eq_name`", &[":eqref:`eq_name`"]),
            ("see :numref:`fig_x` above", &[":numref:`fig_x`"]),
            (":label:`sec_intro`", &[":label:`sec_intro`"]),
            ("(:eqlabel:`eq_1`)", &[":eqlabel:`eq_1`"]),
            ("as in :cite:`Smith.2020`.", &[":cite:`Smith.2020`"]),
            ("the :py:func:`len` function", &[":py:func:`len`"]),
            (
                "{eq}`my-eq` and {numref}`fig`",
                &["{eq}`my-eq`", "{numref}`fig`"],
            ),
            ("{cite:p}`key`", &["{cite:p}`key`"]),
            ("[a]({{ site.baseurl }}/a)", &["{{ site.baseurl }}"]),
            (
                "![x]({{ \"/img/a.png\" | relative_url }})",
                &["{{ \"/img/a.png\" | relative_url }}"],
            ),
            (
                "{{site.url}}{{ page.title }}",
                &["{{site.url}}", "{{ page.title }}"],
            ),
            ("{{ content }}", &["{{ content }}"]),
            (
                "[p]({% post_url 2020-01-01-intro %})",
                &["{% post_url 2020-01-01-intro %}"],
            ),
            ("{% include figure.html %}", &["{% include figure.html %}"]),
            (
                "{% raw %}{{ x }}{% endraw %}",
                &["{% raw %}", "{% endraw %}"],
            ),
            ("{%- highlight py -%}", &["{%- highlight py -%}"]),
            ("{: .class}", &["{: .class}"]),
            ("{:toc}", &["{:toc}"]),
            ("{:.no_toc}", &["{:.no_toc}"]),
            ("{: #intro .lead}", &["{: #intro .lead}"]),
            ("{:target=\"_blank\"}", &["{:target=\"_blank\"}"]),
            (
                "{{< figure src=\"a.png\" >}}",
                &["{{< figure src=\"a.png\" >}}"],
            ),
            ("{{% notice note %}}", &["{{% notice note %}}"]),
            ("{{< /hint >}}", &["{{< /hint >}}"]),
            ("(sec-intro)=", &["(sec-intro)="]),
        ];
        for (text, expected) in cases {
            assert_eq!(found(text), *expected, "in {text:?}");
        }
    }

    #[test]
    fn leaves_ordinary_text_alone() {
        for text in [
            "the meeting is at time:12:30: sharp",
            "a ratio of 3:4:5 and note: `code` here",
            "key:value:`x`",
            "Note: this",
            "the set {1, 2, 3} and {{1}, {2}}",
            "a dict {:d} and a format {:.2f} or {:>8}",
            "{x} and {name} alone",
            "{{ 1 + 2 }} and {{ }} and {{",
            "{% alone, {%%} and 100 {%} sure",
            "escaped \\{{ site.baseurl }} and \\{: .x} and \\:eqref:`x`",
            "(a)= b",
            "an emoticon :-) and a smile :)",
            "::: note",
        ] {
            assert_eq!(found(text), Vec::<String>::new(), "in {text:?}");
        }
    }

    #[test]
    fn a_role_needs_its_code_span_right_after_the_run() {
        // The code span is another event: the run ends before it.
        let text = "see :eqref:`eq_x` here";
        let run = 0..text.find('`').unwrap();
        let hits = scan(text, run);
        assert_eq!(hits.len(), 1);
        assert_eq!(&text[hits[0].span.clone()], ":eqref:`eq_x`");
        let Kind::Role { name, target } = &hits[0].kind else {
            panic!("{:?}", hits[0]);
        };
        assert_eq!((name.as_str(), target.as_deref()), ("eqref", Some("eq_x")));
        // The same for a MyST role.
        let text = "see {numref}`fig` here";
        let hits = scan(text, 0..text.find('`').unwrap());
        assert_eq!(hits.len(), 1);
        assert_eq!(&text[hits[0].span.clone()], "{numref}`fig`");
        // An unclosed code span is still a role, without a target.
        assert_eq!(found(":eqref:`eq_x"), [":eqref:`"]);
    }

    #[test]
    fn prose_runs_join_adjacent_text() {
        let mut prose = Prose::default();
        assert_eq!(prose.text(&(0..3)), None);
        assert_eq!(prose.text(&(3..5)), None);
        assert_eq!(prose.text(&(7..9)), Some(0..5));
        assert_eq!(prose.finish(), Some(7..9));
        assert_eq!(prose.finish(), None);
    }

    #[test]
    fn warnings_say_how_to_write_it_in_gradbook() {
        let help = |text: &str| {
            let source = SourceText::new("a.md", text);
            let d = check_prose(&source, 0..text.len());
            assert_eq!(d.len(), 1, "{text:?}: {d:?}");
            assert!(d[0].is_warning());
            (d[0].message.clone(), d[0].help.clone().unwrap_or_default())
        };
        let (message, eqref) = help(":eqref:`eq_loss`");
        assert_eq!(
            message,
            "`:eqref:` is a Sphinx or d2l role, which gradbook shows as written"
        );
        assert!(
            eqref.contains("\\eqref{eq_loss}") && eqref.contains("#eq-eq-loss"),
            "{eqref}"
        );
        assert!(help(":label:`sec_a`").1.contains("{#sec-a}"));
        assert!(help(":numref:`fig_x`").1.contains("[the figure](#fig-x)"));
        assert!(help(":cite:`Key`").1.contains("footnote"));
        assert!(
            help("{{ \"/img/a.png\" | relative_url }}")
                .1
                .contains("`img/a.png`")
        );
        assert!(
            help("{% post_url 2020-01-01-intro %}")
                .1
                .contains("(2020-01-01-intro.md)")
        );
        assert!(help("{: .wide}").1.contains("`{.wide}`"));
        assert!(help("{:toc}").1.contains("table of contents"));
        assert!(help("{% highlight py %}").1.contains("```py"));
        assert!(help("{{< notice >}}").1.contains("::: note"));
    }

    #[test]
    fn code_block_info_strings() {
        let info = |line: &str| {
            let text = format!("{line}\nx\n```\n");
            let source = SourceText::new("a.md", text.as_str());
            let info = line.trim_start_matches('`');
            check_info(&source, &(0..text.len()), info).map(|d| (d.column, d.width, d.help))
        };
        let (column, width, help) = info("```{note}").expect("a directive");
        assert_eq!((column, width), (4, 6));
        assert!(help.unwrap().contains("::: note"));
        assert!(info("```{warning} Careful").is_some());
        assert!(
            info("```{python}")
                .unwrap()
                .2
                .unwrap()
                .contains("```python")
        );
        assert!(info("```{r, echo=FALSE}").is_some());
        assert!(info("```{.python .input}").is_none());
        assert!(info("```python").is_none());
        assert!(info("```{}").is_none());
    }
}
