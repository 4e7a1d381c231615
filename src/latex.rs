//! `$…$` and `$$…$$` math, converted to MathML at build time.
//!
//! The conversion is done by the `math-core` crate, which emits MathML Core
//! that browsers lay out without fonts, CSS or JavaScript. One converter is
//! built lazily and shared by every page (it is `Sync`); its errors carry a
//! byte span into the formula, which the Markdown renderer maps to a file
//! position.
//!
//! math-core parses recursively, so a deeply nested formula (`{{{…}}}`,
//! `\sqrt\sqrt…`) could overflow the stack of the thread converting it,
//! which aborts the process. A formula can nest at most about half as deep
//! as it is long, so short formulas are converted where they are, longer
//! ones on a helper thread with a stack sized for the longest formula
//! accepted, and anything longer than that is an error.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::LazyLock;

use math_core::{ConvertResult, LatexToMathML, MathCoreConfig, MathDisplay, PrettyPrint};

/// Why a formula could not be converted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LatexError {
    /// What is wrong.
    pub message: String,
    /// Byte range within the formula.
    pub span: Range<usize>,
}

/// Formulas up to this many bytes nest at most a few hundred levels deep,
/// which any thread's stack holds; they are converted on the caller's.
const SMALL_FORMULA: usize = 512;
/// The longest formula accepted, in bytes.
const MAX_FORMULA: usize = 16 * 1024;
/// The stack of the helper thread for longer formulas: room for
/// `MAX_FORMULA` bytes nested as deeply as they can be, several times over.
/// Only the pages it touches are ever allocated.
const HELPER_STACK: usize = 64 << 20;

fn config() -> MathCoreConfig {
    MathCoreConfig {
        pretty_print: PrettyPrint::Never,
        ..MathCoreConfig::default()
    }
}

/// The shared converter; `None` only if math-core rejected its own
/// configuration, which has no custom macros and so cannot fail.
static CONVERTER: LazyLock<Option<LatexToMathML>> =
    LazyLock::new(|| LatexToMathML::new(config()).ok());

/// Converts a LaTeX formula (without its `$` delimiters) to a `<math>`
/// element on its own, unnumbered; `display` selects block layout.
pub fn to_mathml(tex: &str, display: bool) -> Result<String, LatexError> {
    let Some(converter) = CONVERTER.as_ref() else {
        return Err(LatexError {
            message: "the LaTeX converter could not be set up".to_string(),
            span: 0..tex.len(),
        });
    };
    run(tex, display, |tex, mode| {
        converter.convert_with_local_state(tex, mode)
    })
    .map(|mathml| with_tex(&mathml, tex))
}

/// `mathml` with its TeX source kept in the `<math>` element's `alttext`
/// attribute (standard MathML, as LaTeXML writes it too): what a deck
/// export hands to MathJax, and a textual alternative for tools that want
/// one. An attribute, unlike an `<annotation>`, adds nothing that the
/// site's text scanners (search, descriptions) would read as text.
fn with_tex(mathml: &str, tex: &str) -> String {
    match mathml.strip_prefix("<math") {
        Some(rest) if !mathml.contains(" alttext=\"") => {
            let tex = tex.split_whitespace().collect::<Vec<_>>().join(" ");
            format!("<math alttext=\"{}\"{rest}", crate::html::escape(&tex))
        }
        _ => mathml.to_string(),
    }
}

/// Converts a formula with a page's converter, which numbers equations.
fn to_mathml_with(
    converter: &mut LatexToMathML,
    tex: &str,
    display: bool,
) -> Result<String, LatexError> {
    run(tex, display, |tex, mode| {
        converter.convert_with_global_state(tex, mode)
    })
}

type Converted = Result<ConvertResult, Box<math_core::LatexError>>;

/// Checks a formula's size and converts it, on a helper thread with a big
/// stack when it is long.
fn run(
    tex: &str,
    display: bool,
    convert_with: impl FnOnce(&str, MathDisplay) -> Converted + Send,
) -> Result<String, LatexError> {
    if tex.trim().is_empty() {
        return Err(LatexError {
            message: "empty formula".to_string(),
            span: 0..tex.len(),
        });
    }
    if tex.len() > MAX_FORMULA {
        return Err(LatexError {
            message: format!("formula too long (more than {MAX_FORMULA} bytes)"),
            span: 0..tex.len(),
        });
    }
    let mode = if display {
        MathDisplay::Block
    } else {
        MathDisplay::Inline
    };
    let guarded = guard_operator_names(tex);
    let source = guarded.as_ref().map_or(tex, |g| g.text.as_str());
    let back = |err: LatexError| match &guarded {
        Some(g) => {
            let start = floor_boundary(tex, g.original(err.span.start).min(tex.len()));
            let end = floor_boundary(tex, g.original(err.span.end).clamp(start, tex.len()));
            LatexError {
                message: err.message,
                span: start..end,
            }
        }
        None => err,
    };
    run_guarded(tex, source, mode, convert_with)
        .map_err(back)
        .and_then(|mathml| seal(&mathml, tex))
}

/// Converts `source` (the formula `tex` with its operator names marked);
/// errors are at offsets into `source`.
fn run_guarded(
    tex: &str,
    source: &str,
    mode: MathDisplay,
    convert_with: impl FnOnce(&str, MathDisplay) -> Converted + Send,
) -> Result<String, LatexError> {
    // math-core panics on a few inputs (a command or script whose
    // argument is a cell's `&` or a row's `\\`, inside an environment);
    // that is an error in the formula, not the end of the build.
    let guarded = move || {
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            convert_with(source, mode)
        })) {
            Ok(result) => convert(source, result),
            Err(_) => Err(LatexError {
                message: "invalid LaTeX: a command or script in a matrix or aligned rows takes a `&` or `\\\\` as its argument".to_string(),
                span: 0..source.len(),
            }),
        }
    };
    if tex.len() <= SMALL_FORMULA {
        return guarded();
    }
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("latex".to_string())
            .stack_size(HELPER_STACK)
            .spawn_scoped(scope, guarded)
            .ok()
            .and_then(|helper| helper.join().ok())
            .unwrap_or_else(|| {
                Err(LatexError {
                    message: "the formula could not be converted".to_string(),
                    span: 0..source.len(),
                })
            })
    })
}

fn convert(tex: &str, result: Converted) -> Result<String, LatexError> {
    match result {
        Ok(result) => Ok(result.mathml),
        Err(err) => {
            let start = floor_boundary(tex, err.0.start.min(tex.len()));
            let end = floor_boundary(tex, err.0.end.clamp(start, tex.len()));
            let label = err.label();
            let mut message = err.error_message();
            if message.is_empty() {
                message = label.to_string();
            }
            Err(LatexError {
                message: format!("invalid LaTeX: {message}"),
                span: start..end,
            })
        }
    }
}

/// Marks the start of an operator name's text in the TeX handed to
/// math-core, and [`NAME_END`] its end (private-use characters).
const NAME_START: char = '\u{E010}';
/// See [`NAME_START`].
const NAME_END: char = '\u{E011}';

/// math-core writes the text of `\operatorname{…}` (and so of
/// `\operatorname*`, `\operatornamewithlimits` and every
/// `\DeclareMathOperator`) into its `<mo>` without escaping it, so
/// `\operatorname{a<b}` would put markup on the page. Each such argument
/// is marked with [`NAME_START`] and [`NAME_END`], which [`seal`]
/// replaces by escaping what lies between them. The marks themselves in
/// the author's TeX become U+FFFD (as long, so offsets hold). `None` when
/// the formula has neither.
fn guard_operator_names(tex: &str) -> Option<Rewritten> {
    let has_marks = tex.contains([NAME_START, NAME_END]);
    let mut ops = commands(tex)
        .filter(|(_, _, name)| matches!(*name, "operatorname" | "operatornamewithlimits"))
        .peekable();
    if ops.peek().is_none() && !has_marks {
        return None;
    }
    let mut out = Rewritten::new();
    let mut copied = 0;
    let copy_to = |out: &mut Rewritten, copied: &mut usize, to: usize| {
        if to > *copied {
            let piece = tex[*copied..to].replace([NAME_START, NAME_END], "\u{FFFD}");
            out.pieces.push((out.text.len(), *copied..to, true));
            out.text.push_str(&piece);
            *copied = to;
        }
    };
    for (_, name_end, name) in ops {
        if name_end < copied {
            continue;
        }
        let mut at = name_end;
        if name == "operatorname" && tex[at..].starts_with('*') {
            at += 1;
        }
        at = skip_blanks(tex, at);
        let Some(arg) = argument_token(tex, at) else {
            continue;
        };
        copy_to(&mut out, &mut copied, arg.start);
        let braced = tex[arg.clone()].starts_with('{');
        let (open, inner) = if braced {
            ("{", arg.start + 1..arg.end - 1)
        } else {
            ("", arg.clone())
        };
        out.replace(
            &format!("{{{NAME_START}"),
            arg.start..arg.start + open.len(),
        );
        copied = inner.start;
        copy_to(&mut out, &mut copied, inner.end);
        out.replace(&format!("{NAME_END}}}"), inner.end..arg.end);
        copied = arg.end;
    }
    copy_to(&mut out, &mut copied, tex.len());
    Some(out)
}

/// Where the white space and `%` comments after `at` end.
fn skip_blanks(tex: &str, mut at: usize) -> usize {
    loop {
        let rest = &tex[at..];
        let trimmed = rest.trim_start();
        at += rest.len() - trimmed.len();
        if trimmed.starts_with('%') {
            at += trimmed.find('\n').map_or(trimmed.len(), |i| i + 1);
        } else {
            return at;
        }
    }
}

/// The argument that starts at `at`: a balanced `{…}` group, a command,
/// or one character.
fn argument_token(tex: &str, at: usize) -> Option<Range<usize>> {
    let c = tex[at..].chars().next()?;
    match c {
        '{' => {
            let mut depth = 0usize;
            let mut i = at;
            while i < tex.len() {
                match tex.as_bytes()[i] {
                    b'\\' => {
                        i = command_at(tex, i).1;
                        continue;
                    }
                    b'{' => depth += 1,
                    b'}' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(at..i + 1);
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
            None
        }
        '\\' => Some(at..command_at(tex, at).1),
        '}' => None,
        c => Some(at..at + c.len_utf8()),
    }
}

/// math-core's MathML made safe to put in a page: operator names between
/// [`NAME_START`] and [`NAME_END`] escaped, stray marks and C0 control
/// characters (but tab, line feed and carriage return) dropped, and then
/// the markup checked ([`well_formed`]), so that no formula text can
/// become an element or an attribute.
fn seal(mathml: &str, tex: &str) -> Result<String, LatexError> {
    let mut out = String::with_capacity(mathml.len());
    let mut rest = mathml;
    while let Some(start) = rest.find(NAME_START) {
        out.push_str(&rest[..start]);
        let after = &rest[start + NAME_START.len_utf8()..];
        let end = after.find(NAME_END).unwrap_or(after.len());
        out.push_str(&crate::html::escape(&after[..end]));
        rest = after.get(end + NAME_END.len_utf8()..).unwrap_or("");
    }
    out.push_str(rest);
    out.retain(|c| c != NAME_END && !crate::html::is_hidden_control(c));
    if well_formed(&out) {
        Ok(out)
    } else {
        Err(LatexError {
            message: "invalid LaTeX: the formula's text would make markup on the page".to_string(),
            span: 0..tex.len(),
        })
    }
}

/// Whether `mathml` is one tree of balanced elements whose text holds no
/// `<`, and whose token elements other than `<mtext>` hold text only.
fn well_formed(mathml: &str) -> bool {
    let mut open: Vec<&str> = Vec::new();
    let mut rest = mathml;
    while let Some(lt) = rest.find('<') {
        if rest[..lt].contains('>') {
            return false;
        }
        let Some(gt) = rest[lt..].find('>') else {
            return false;
        };
        let tag = &rest[lt + 1..lt + gt];
        rest = &rest[lt + gt + 1..];
        if let Some(name) = tag.strip_prefix('/') {
            if open.pop() != Some(name) {
                return false;
            }
            continue;
        }
        let name_len = tag
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(tag.len());
        let name = &tag[..name_len];
        let attributes = &tag[name_len..];
        if name.is_empty()
            || tag.contains('<')
            || !attributes.matches('"').count().is_multiple_of(2)
            || !(attributes.is_empty() || attributes.starts_with([' ', '/']))
        {
            return false;
        }
        if open
            .last()
            .is_some_and(|parent| matches!(*parent, "mi" | "mo" | "mn" | "ms"))
        {
            return false;
        }
        if !tag.ends_with('/') {
            open.push(name);
        }
    }
    open.is_empty() && !rest.contains('>')
}

/// The first character of a placeholder for an equation reference: a
/// private-use character, which no lesson's TeX has reason to hold.
const REF_MARK: char = '\u{E000}';

/// One page's numbered equations: `equation` and `align` rows are numbered
/// in order across the page, `\label{…}` gives the equation an id and
/// `\eqref{…}`/`\ref{…}` become links once the whole page is known.
///
/// math-core numbers environments and keeps labels itself but reads only
/// `\tag` inside an environment, resolves only references to labels seen
/// before, and has no `\ref`; so a display formula with `\tag` or `\label`
/// outside an environment is wrapped in `equation`, labels are renamed to
/// the ids the page gives them, and references are left as placeholders
/// that [`PageMath::resolve`] replaces.
#[derive(Default)]
pub struct PageMath {
    /// The converter, holding the page's equation counter.
    converter: Option<LatexToMathML>,
    /// Each label: its id, and its number once converted.
    labels: HashMap<String, (String, Option<String>)>,
    /// Each reference, by its placeholder's number.
    refs: Vec<EquationRef>,
    /// The book's macros.
    macros: Macros,
}

/// An `\eqref{…}` or `\ref{…}` waiting for the page's labels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EquationRef {
    /// The label referred to.
    pub label: String,
    /// Whether the number is shown in parentheses (`\eqref`).
    pub parens: bool,
    /// Byte range of the reference within its formula.
    pub span: Range<usize>,
}

/// A reference to a label that no numbered equation on the page has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingLabel {
    /// The reference, by its number in the order formulas were converted.
    pub index: usize,
    /// What is wrong.
    pub message: String,
}

/// A formula rewritten before conversion, with the way back to the
/// author's offsets.
#[derive(Debug)]
struct Rewritten {
    text: String,
    /// Pieces of `text` (their start) and where each came from: a copied
    /// piece maps offset by offset, a replaced one to its source's start.
    pieces: Vec<(usize, Range<usize>, bool)>,
}

impl Rewritten {
    fn new() -> Self {
        Self {
            text: String::new(),
            pieces: Vec::new(),
        }
    }

    fn copy(&mut self, source: &str, from: Range<usize>) {
        self.pieces.push((self.text.len(), from.clone(), true));
        self.text.push_str(&source[from]);
    }

    fn replace(&mut self, with: &str, from: Range<usize>) {
        self.pieces.push((self.text.len(), from, false));
        self.text.push_str(with);
    }

    /// The author's offset for an offset into the rewritten text.
    fn original(&self, at: usize) -> usize {
        let Some((start, from, copied)) = self.pieces.iter().rev().find(|p| p.0 <= at) else {
            return 0;
        };
        if *copied {
            (from.start + (at - start)).min(from.end)
        } else {
            from.start
        }
    }
}

/// Reads the `{name}` after a command ending at `at`: the name and the end
/// of the group.
fn braced_name(tex: &str, at: usize) -> Option<(&str, usize)> {
    let rest = tex[at..].strip_prefix('{')?;
    let close = rest.find('}')?;
    Some((rest[..close].trim(), at + close + 2))
}

/// A formula being rewritten.
struct Scan<'t> {
    tex: &'t str,
    out: Rewritten,
    /// How much of `tex` is in `out`.
    copied: usize,
    /// How many groups, environments and `\left` enclose the position.
    depth: usize,
    /// The depth of each `\color` switch still open.
    colors: Vec<usize>,
    /// Tags and labels to put after the rows, in an `equation`.
    moved: Vec<(String, Range<usize>)>,
}

impl Scan<'_> {
    fn replace(&mut self, with: &str, span: Range<usize>) {
        self.out.copy(self.tex, self.copied..span.start);
        self.out.replace(with, span.clone());
        self.copied = span.end;
    }

    /// Ends the groups of the colour switches opened at `depth` (or all)
    /// where a cell, row, group or formula ends.
    fn close_colors(&mut self, at: usize, depth: usize, all: bool) {
        while self.colors.last().is_some_and(|d| all || *d >= depth) {
            self.colors.pop();
            self.replace("}", at..at);
        }
    }
}

/// The command whose backslash is at `at`: its name (`\\` for a line
/// break) and where the name ends.
fn command_at(tex: &str, at: usize) -> (&str, usize) {
    let after = at + 1;
    let letters = tex[after..]
        .find(|c: char| !c.is_ascii_alphabetic())
        .map_or(tex.len(), |i| after + i);
    if letters > after {
        return (&tex[after..letters], letters);
    }
    let next = tex[after..].chars().next().map_or(0, char::len_utf8);
    (&tex[after..after + next], after + next)
}

/// Every command in a formula: where it starts and ends, and its name.
fn commands(tex: &str) -> impl Iterator<Item = (usize, usize, &str)> {
    let mut at = 0;
    std::iter::from_fn(move || {
        let start = at + tex.get(at..)?.find('\\')?;
        let (name, end) = command_at(tex, start);
        at = end.max(start + 1);
        Some((start, end, name))
    })
}

/// The book's macros: each name (with its backslash) and its body.
pub type Macros = std::collections::BTreeMap<String, String>;

/// How many arguments a macro body takes: its highest `#n`.
fn arity(body: &str) -> usize {
    body.as_bytes()
        .windows(2)
        .filter(|w| w[0] == b'#' && w[1].is_ascii_digit())
        .map(|w| usize::from(w[1] - b'0'))
        .max()
        .unwrap_or(0)
}

/// Problems with the book's macros, each with the macro's name: a name
/// that is not `\` and letters, or a macro that uses itself, directly or
/// through others.
pub fn check_macros(macros: &Macros) -> Vec<(String, String)> {
    let mut problems = Vec::new();
    for (name, body) in macros {
        let letters = name.strip_prefix('\\').unwrap_or("");
        if letters.is_empty() || !letters.chars().all(|c| c.is_ascii_alphabetic()) {
            problems.push((
                name.clone(),
                format!("the macro name '{name}' is not a backslash and letters"),
            ));
            continue;
        }
        let mut path = vec![name.as_str()];
        if let Some(cycle) = cycle_from(macros, body, &mut path) {
            problems.push((
                name.clone(),
                format!("the macro '{name}' expands to itself: {cycle}"),
            ));
        }
    }
    problems
}

/// Looks for a use of `path[0]` in `body`, through the macros it uses.
fn cycle_from<'m>(macros: &'m Macros, body: &str, path: &mut Vec<&'m str>) -> Option<String> {
    for (_, _, used) in commands(body) {
        let Some((key, inner)) = macros.get_key_value(&format!("\\{used}")) else {
            continue;
        };
        if key == path[0] {
            let mut names = path.clone();
            names.push(key);
            return Some(names.join(" → "));
        }
        if path.contains(&key.as_str()) || path.len() > macros.len() {
            continue;
        }
        path.push(key);
        let found = cycle_from(macros, inner, path);
        path.pop();
        if found.is_some() {
            return found;
        }
    }
    None
}

/// Where the argument starting at `at` (after spaces) ends: a balanced
/// `{…}` group (given without its braces) or a single command or
/// character.
fn argument(tex: &str, at: usize) -> Option<(Range<usize>, usize)> {
    let start = at + (tex[at..].len() - tex[at..].trim_start().len());
    let c = tex[start..].chars().next()?;
    if c == '\\' {
        let (_, end) = command_at(tex, start);
        return Some((start..end, end));
    }
    if c != '{' {
        return Some((start..start + c.len_utf8(), start + c.len_utf8()));
    }
    let mut depth = 0usize;
    let mut i = start;
    while i < tex.len() {
        match tex.as_bytes()[i] {
            b'\\' => i += 1,
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return Some((start + 1..i, i + 1));
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// A definition whose command name ends at `at`: the macro's name, its
/// body and where the definition ends. `[n]` may say how many arguments
/// the body takes (its `#n` say it anyway).
fn definition(tex: &str, at: usize, operator: bool) -> Option<(String, String, usize)> {
    let mut at = at;
    let starred = operator && tex[at..].starts_with('*');
    if starred {
        at += 1;
    }
    let (name, after_name) = argument(tex, at)?;
    let name = tex[name].trim().to_string();
    at = after_name;
    let rest = tex[at..].trim_start();
    if !operator && rest.starts_with('[') {
        let close = rest.find(']')?;
        at = tex.len() - rest.len() + close + 1;
    }
    let (body, end) = argument(tex, at)?;
    let body = &tex[body];
    let body = match (operator, starred) {
        (false, _) => body.to_string(),
        (true, false) => format!("\\operatorname{{{body}}}"),
        (true, true) => format!("\\operatorname*{{{body}}}"),
    };
    Some((name, body, end))
}

/// How many macro uses one formula may expand, counting the uses inside
/// macro bodies: far more than any formula needs, few enough that macros
/// which double their argument at each level stop at once (as TeX stops at
/// its own capacity limits) instead of running for minutes.
const MAX_EXPANSIONS: usize = 4096;

/// Why a macro use could not be expanded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Overrun {
    /// An argument is missing.
    Argument,
    /// The formula would use more than [`MAX_EXPANSIONS`] macros.
    Steps,
    /// The expansion would be longer than [`MAX_FORMULA`] bytes.
    Size,
}

/// Expands the macros in `tex`, whose offsets are kept in the result's map.
fn expand(tex: &str, macros: &Macros) -> Result<Rewritten, LatexError> {
    let mut out = Rewritten::new();
    let mut copied = 0;
    let mut at = 0;
    let mut budget = MAX_EXPANSIONS;
    while let Some(found) = tex.get(at..).and_then(|rest| rest.find('\\')) {
        let start = at + found;
        let (name, name_end) = command_at(tex, start);
        at = name_end.max(start + 1);
        let Some(body) = macros.get(&format!("\\{name}")) else {
            continue;
        };
        let room = MAX_FORMULA.saturating_sub(out.text.len() + start - copied);
        let (text, end) = expand_use(tex, name_end, body, macros, 0, &mut budget, room)
            .map_err(|overrun| overrun_error(overrun, name, start..name_end))?;
        out.copy(tex, copied..start);
        out.replace(&text, start..end);
        copied = end;
        at = end;
    }
    out.copy(tex, copied..tex.len());
    Ok(out)
}

/// The error for a macro use at `span` that could not be expanded.
fn overrun_error(overrun: Overrun, name: &str, span: Range<usize>) -> LatexError {
    let message = match overrun {
        Overrun::Argument => format!("the macro '\\{name}' is missing an argument"),
        Overrun::Steps => format!(
            "the macros in this formula expand more than {MAX_EXPANSIONS} times, from '\\{name}' on; \
             a macro that uses its argument twice doubles the formula at each level: \
             use fewer levels or a macro that uses its argument once"
        ),
        Overrun::Size => format!(
            "formula too long once its macros are expanded (more than {MAX_FORMULA} bytes), \
             from '\\{name}' on; a macro that uses its argument twice doubles the formula \
             at each level: use fewer levels or a shorter macro"
        ),
    };
    LatexError { message, span }
}

/// One use of a macro whose name ends at `at`: its expansion, fully, and
/// the end of its arguments. Each use spends one of `budget`, and the
/// expansion may be at most `room` bytes long.
fn expand_use(
    tex: &str,
    at: usize,
    body: &str,
    macros: &Macros,
    depth: usize,
    budget: &mut usize,
    room: usize,
) -> Result<(String, usize), Overrun> {
    *budget = budget.checked_sub(1).ok_or(Overrun::Steps)?;
    let mut end = at;
    let mut args = Vec::new();
    for _ in 0..arity(body) {
        let (arg, after) = argument(tex, end).ok_or(Overrun::Argument)?;
        args.push(&tex[arg]);
        end = after;
    }
    let mut text = String::new();
    let mut rest = body;
    while let Some(i) = rest.find('#') {
        text.push_str(&rest[..i]);
        let digit = rest[i + 1..].chars().next().and_then(|c| c.to_digit(10));
        match digit.and_then(|d| args.get((d as usize).checked_sub(1)?)) {
            Some(arg) => {
                text.push_str(arg);
                rest = &rest[i + 2..];
            }
            None => {
                text.push('#');
                rest = &rest[i + 1..];
            }
        }
        if text.len() > room {
            return Err(Overrun::Size);
        }
    }
    text.push_str(rest);
    if text.len() > room {
        return Err(Overrun::Size);
    }
    // Macros are checked for cycles when the book is read; the depth limit
    // is a last guard.
    if depth > 32 {
        return Ok((text, end));
    }
    let mut expanded = String::new();
    let mut i = 0;
    while let Some(found) = text.get(i..).and_then(|r| r.find('\\')) {
        let start = i + found;
        let (name, name_end) = command_at(&text, start);
        expanded.push_str(&text[i..start]);
        match macros.get(&format!("\\{name}")) {
            Some(inner) => {
                let left = room.saturating_sub(expanded.len());
                let (sub, after) =
                    expand_use(&text, name_end, inner, macros, depth + 1, budget, left)?;
                expanded.push_str(&sub);
                i = after;
            }
            None => {
                expanded.push_str(&text[start..name_end.max(start + 1)]);
                i = name_end.max(start + 1);
            }
        }
        if expanded.len() > room {
            return Err(Overrun::Size);
        }
    }
    expanded.push_str(text.get(i..).unwrap_or(""));
    if expanded.len() > room {
        return Err(Overrun::Size);
    }
    Ok((expanded, end))
}

/// The text commands whose argument may switch back to math with `$…$`,
/// as in LaTeX and KaTeX: every one math-core knows, and `\mbox` (which
/// it does not know, and which is `\text` in a formula).
const TEXT_COMMANDS: [&str; 10] = [
    "text", "textrm", "textbf", "textit", "textsf", "texttt", "textsc", "emph", "mbox", "hbox",
];

/// How deeply `\text{… $… \text{… $…$} …$ …}` may nest.
const MAX_TEXT_DEPTH: usize = 8;

/// Rewrites math inside text (`\text{for any $C$}`), which math-core shows
/// as dollar signs, into a form it reads: the text group split around
/// the math, `{\text{for any }{C}}`; and `\mbox`/`\hbox` into `\text`.
fn text_math(tex: &str) -> Result<Rewritten, LatexError> {
    let mut out = Rewritten::new();
    let mut copied = 0;
    text_math_in(tex, 0..tex.len(), &mut out, &mut copied, 0)?;
    out.copy(tex, copied..tex.len());
    Ok(out)
}

/// [`text_math`] over `range` of `tex`, which is copied up to `copied`.
fn text_math_in(
    tex: &str,
    range: Range<usize>,
    out: &mut Rewritten,
    copied: &mut usize,
    depth: usize,
) -> Result<(), LatexError> {
    let mut at = range.start;
    while let Some(found) = tex.get(at..range.end).and_then(|rest| rest.find('\\')) {
        let start = at + found;
        let (name, name_end) = command_at(tex, start);
        at = name_end.max(start + 1);
        if !TEXT_COMMANDS.contains(&name) || !tex[name_end..].trim_start().starts_with('{') {
            continue;
        }
        let Some((inner, end)) = argument(tex, name_end).filter(|(_, end)| *end <= range.end)
        else {
            continue;
        };
        let command = if matches!(name, "mbox" | "hbox") {
            "text"
        } else {
            name
        };
        let dollars = text_dollars(tex, inner.clone())?;
        if dollars.is_empty() {
            if command != name {
                out.copy(tex, *copied..start);
                out.replace("\\text", start..name_end);
                *copied = name_end;
            }
            at = end;
            continue;
        }
        if depth >= MAX_TEXT_DEPTH {
            return Err(LatexError {
                message: "math inside text is nested too deeply".to_string(),
                span: start..end,
            });
        }
        // The text before, between and after the formulas: each piece
        // that is not empty keeps the command.
        let starts =
            std::iter::once(inner.start).chain(dollars.iter().skip(1).step_by(2).map(|d| d + 1));
        let ends = dollars
            .iter()
            .step_by(2)
            .copied()
            .chain(std::iter::once(inner.end));
        let pieces: Vec<bool> = starts.zip(ends).map(|(a, b)| a < b).collect();
        let text = |k: usize| pieces[k];
        let open_text = format!("\\{command}{{");
        out.copy(tex, *copied..start);
        let first = if text(0) { open_text.as_str() } else { "" };
        out.replace(&format!("{{{first}"), start..inner.start);
        *copied = inner.start;
        for (k, pair) in dollars.chunks(2).enumerate() {
            let (open, close) = (pair[0], pair[1]);
            out.copy(tex, *copied..open);
            out.replace(if text(k) { "}{" } else { "{" }, open..open + 1);
            *copied = open + 1;
            text_math_in(tex, open + 1..close, out, copied, depth + 1)?;
            out.copy(tex, *copied..close);
            let after = if text(k + 1) { open_text.as_str() } else { "" };
            out.replace(&format!("}}{after}"), close..close + 1);
            *copied = close + 1;
        }
        out.copy(tex, *copied..inner.end);
        let last = if text(dollars.len() / 2) { "}}" } else { "}" };
        out.replace(last, inner.end..end);
        *copied = end;
        at = end;
    }
    Ok(())
}

/// The dollar signs (not `\$`) that switch to math in the text group
/// `inner`, in pairs; an unpaired one, or one inside braces of the text,
/// is an error.
fn text_dollars(tex: &str, inner: Range<usize>) -> Result<Vec<usize>, LatexError> {
    let bytes = tex.as_bytes();
    let mut dollars = Vec::new();
    let mut braces = 0usize;
    let mut in_math = false;
    let mut i = inner.start;
    while i < inner.end {
        match bytes[i] {
            b'\\' => i += 1,
            b'{' => braces += 1,
            b'}' => braces = braces.saturating_sub(1),
            b'$' if braces > 0 && !in_math => {
                return Err(LatexError {
                    message: "math inside braces inside text cannot be read".to_string(),
                    span: i..i + 1,
                });
            }
            b'$' if braces == 0 => {
                dollars.push(i);
                in_math = !in_math;
            }
            _ => {}
        }
        i += 1;
    }
    if let (true, Some(&last)) = (in_math, dollars.last()) {
        return Err(LatexError {
            message: "this `$` in text opens math that is never closed".to_string(),
            span: last..last + 1,
        });
    }
    Ok(dollars)
}

impl PageMath {
    /// A page's equations, with the book's macros.
    pub fn new(macros: &Macros) -> Self {
        Self {
            macros: macros.clone(),
            ..Self::default()
        }
    }

    /// Converts one formula of the page; `make_id` gives a label its id.
    pub fn convert(
        &mut self,
        tex: &str,
        display: bool,
        make_id: &mut dyn FnMut(&str) -> String,
    ) -> Result<String, LatexError> {
        let mut new_labels = Vec::new();
        let defined = self.take_definitions(tex)?;
        let tex = defined.as_deref().unwrap_or(tex);
        if defined.is_some() && tex.trim().is_empty() {
            return Ok(String::new());
        }
        let expanded = expand(tex, &self.macros)?;
        let first_ref = self.refs.len();
        let texts = text_math(&expanded.text).map_err(|err| {
            let start = expanded.original(err.span.start);
            LatexError {
                span: start..expanded.original(err.span.end).max(start),
                ..err
            }
        })?;
        let back = |span: &Range<usize>| {
            let start = expanded.original(texts.original(span.start));
            start..expanded.original(texts.original(span.end)).max(start)
        };
        let rewritten = self
            .rewrite(&texts.text, display, make_id, &mut new_labels)
            .map_err(|err| LatexError {
                span: back(&err.span),
                ..err
            })?;
        for r in &mut self.refs[first_ref..] {
            r.span = back(&r.span);
        }
        if self.converter.is_none() {
            self.converter = LatexToMathML::new(config()).ok();
        }
        let Some(converter) = self.converter.as_mut() else {
            return Err(LatexError {
                message: "the LaTeX converter could not be set up".to_string(),
                span: 0..tex.len(),
            });
        };
        let html = to_mathml_with(converter, &rewritten.text, display).map_err(|err| {
            let start = rewritten.original(err.span.start);
            let end = rewritten.original(err.span.end).max(start);
            LatexError {
                message: err.message,
                span: back(&(start..end)),
            }
        })?;
        let html = with_tex(&html, &expanded.text);
        for label in new_labels {
            let Some((id, number)) = self.labels.get_mut(&label) else {
                continue;
            };
            let needle = format!("id=\"{id}\"><mtext>(");
            *number = html.find(&needle).and_then(|at| {
                let rest = &html[at + needle.len()..];
                rest.find(")</mtext>").map(|end| rest[..end].to_string())
            });
        }
        Ok(html)
    }

    /// Reads the `\newcommand`, `\renewcommand` and `\DeclareMathOperator`
    /// definitions of a formula into the page's macros, for the rest of the
    /// page; the formula comes back with them blanked out (offsets kept),
    /// or `None` when it has none.
    fn take_definitions(&mut self, tex: &str) -> Result<Option<String>, LatexError> {
        let mut blanked: Option<String> = None;
        for (start, name_end, name) in commands(tex).collect::<Vec<_>>() {
            let operator = name == "DeclareMathOperator";
            if !operator && name != "newcommand" && name != "renewcommand" {
                continue;
            }
            if blanked
                .as_deref()
                .is_some_and(|b| b.as_bytes()[start] == b' ')
            {
                continue;
            }
            let (macro_name, body, end) = definition(tex, name_end, operator).ok_or_else(|| {
                LatexError {
                    message: format!("'\\{name}' needs a name and a definition, as in \\{name}{{\\R}}{{\\mathbb{{R}}}}"),
                    span: start..name_end,
                }
            })?;
            let mut macros = self.macros.clone();
            macros.insert(macro_name.clone(), body);
            if let Some((_, message)) = check_macros(&macros)
                .into_iter()
                .find(|(n, _)| *n == macro_name)
            {
                return Err(LatexError {
                    message,
                    span: start..end,
                });
            }
            self.macros = macros;
            let text = blanked.get_or_insert_with(|| tex.to_string());
            text.replace_range(start..end, &" ".repeat(end - start));
        }
        Ok(blanked)
    }

    /// Rewrites a formula for math-core: labels renamed, placeholders for
    /// references, colour switches made groups, and a displayed formula
    /// outside any environment wrapped in `equation` when tagged or
    /// labelled and in `gathered`/`aligned` when it has `\\` rows.
    fn rewrite(
        &mut self,
        tex: &str,
        display: bool,
        make_id: &mut dyn FnMut(&str) -> String,
        new_labels: &mut Vec<String>,
    ) -> Result<Rewritten, LatexError> {
        let plain = display && !tex.contains("\\begin");
        let numbered = plain && (tex.contains("\\tag") || tex.contains("\\label"));
        let rows = plain && commands(tex).any(|(_, _, name)| name == "\\");
        let rows_env = if tex.contains('&') {
            "aligned"
        } else {
            "gathered"
        };
        let mut scan = Scan {
            tex,
            out: Rewritten::new(),
            copied: 0,
            depth: 0,
            colors: Vec::new(),
            moved: Vec::new(),
        };
        if numbered {
            scan.out.replace("\\begin{equation}", 0..0);
        }
        if rows {
            scan.out.replace(&format!("\\begin{{{rows_env}}}"), 0..0);
        }
        let mut at = 0;
        while at < tex.len() {
            at = self.step(&mut scan, at, rows && numbered, make_id, new_labels)?;
        }
        scan.close_colors(tex.len(), 0, true);
        scan.out.copy(tex, scan.copied..tex.len());
        if rows {
            scan.out
                .replace(&format!("\\end{{{rows_env}}}"), tex.len()..tex.len());
        }
        for (text, span) in std::mem::take(&mut scan.moved) {
            scan.out.replace(&text, span);
        }
        if numbered {
            scan.out.replace("\\end{equation}", tex.len()..tex.len());
        }
        Ok(scan.out)
    }

    /// Reads what starts at `at` and returns where the next thing starts.
    fn step(
        &mut self,
        scan: &mut Scan<'_>,
        at: usize,
        move_tags: bool,
        make_id: &mut dyn FnMut(&str) -> String,
        new_labels: &mut Vec<String>,
    ) -> Result<usize, LatexError> {
        let tex = scan.tex;
        let Some(c) = tex[at..].chars().next() else {
            return Ok(tex.len());
        };
        match c {
            '{' => scan.depth += 1,
            '}' => {
                scan.close_colors(at, scan.depth, false);
                scan.depth = scan.depth.saturating_sub(1);
            }
            '&' => scan.close_colors(at, scan.depth, false),
            '\\' => return self.command(scan, at, move_tags, make_id, new_labels),
            _ => {}
        }
        Ok(at + c.len_utf8())
    }

    /// Reads the command at `at`.
    fn command(
        &mut self,
        scan: &mut Scan<'_>,
        at: usize,
        move_tags: bool,
        make_id: &mut dyn FnMut(&str) -> String,
        new_labels: &mut Vec<String>,
    ) -> Result<usize, LatexError> {
        let tex = scan.tex;
        let (name, name_end) = command_at(tex, at);
        match name {
            "\\" | "end" | "right" | "middle" => {
                scan.close_colors(at, scan.depth, false);
                if matches!(name, "end" | "right") {
                    scan.depth = scan.depth.saturating_sub(1);
                }
                return Ok(braced_name(tex, name_end).map_or(name_end, |(_, end)| end));
            }
            "begin" | "left" => {
                scan.depth += 1;
                return Ok(braced_name(tex, name_end).map_or(name_end, |(_, end)| end));
            }
            _ => {}
        }
        let Some((arg, end)) = braced_name(tex, name_end) else {
            return Ok(name_end);
        };
        let span = at..end;
        match name {
            "color" => {
                scan.replace(&format!("{{\\color{{{arg}}}"), span);
                scan.colors.push(scan.depth);
            }
            "textcolor" if tex[end..].starts_with('{') => {
                scan.replace(&format!("{{\\color{{{arg}}}"), at..end + 1);
                scan.depth += 1;
                return Ok(end + 1);
            }
            "tag" if move_tags => {
                scan.replace("", span.clone());
                scan.moved.push((tex[span.clone()].to_string(), span));
            }
            "label" => {
                if self.labels.contains_key(arg) {
                    return Err(LatexError {
                        message: format!("the label '{arg}' is already used on this page"),
                        span,
                    });
                }
                let id = make_id(arg);
                let label = format!("\\label{{{id}}}");
                if move_tags {
                    scan.replace("", span.clone());
                    scan.moved.push((label, span));
                } else {
                    scan.replace(&label, span);
                }
                self.labels.insert(arg.to_string(), (id, None));
                new_labels.push(arg.to_string());
            }
            "eqref" | "ref" => {
                let index = self.refs.len();
                scan.replace(
                    &format!("\\text{{{REF_MARK}{index}{REF_MARK}}}"),
                    span.clone(),
                );
                self.refs.push(EquationRef {
                    label: arg.to_string(),
                    parens: name == "eqref",
                    span,
                });
            }
            _ => return Ok(name_end),
        }
        Ok(end)
    }

    /// Replaces the placeholders in a page's HTML with links to the
    /// equations; a reference to a missing label is reported and shown as
    /// `(??)`.
    pub fn resolve(&self, html: &str) -> (String, Vec<MissingLabel>) {
        let mut missing = Vec::new();
        if self.refs.is_empty() {
            return (html.to_string(), missing);
        }
        let mut out = String::with_capacity(html.len());
        let mut rest = html;
        let open = format!("<mtext>{REF_MARK}");
        while let Some(at) = rest.find(&open) {
            out.push_str(&rest[..at]);
            let after = &rest[at + open.len()..];
            let parsed = after.split_once(REF_MARK).and_then(|(n, tail)| {
                Some((n.parse::<usize>().ok()?, tail.strip_prefix("</mtext>")?))
            });
            let Some((index, tail)) = parsed.filter(|(i, _)| *i < self.refs.len()) else {
                out.push_str(&open);
                rest = after;
                continue;
            };
            let r = &self.refs[index];
            let (open_paren, close_paren) = if r.parens { ("(", ")") } else { ("", "") };
            match self.labels.get(&r.label) {
                Some((id, Some(number))) => out.push_str(&format!(
                    "<mtext><a href=\"#{id}\">{open_paren}{number}{close_paren}</a></mtext>"
                )),
                found => {
                    let message = if found.is_some() {
                        format!("the equation labelled '{}' has no number", r.label)
                    } else {
                        format!("no equation on this page is labelled '{}'", r.label)
                    };
                    missing.push(MissingLabel { index, message });
                    out.push_str(&format!("<mtext>{open_paren}??{close_paren}</mtext>"));
                }
            }
            rest = tail;
        }
        out.push_str(rest);
        (out, missing)
    }

    /// The references met so far, by placeholder number.
    pub fn refs(&self) -> &[EquationRef] {
        &self.refs
    }
}

fn floor_boundary(s: &str, mut offset: usize) -> usize {
    while offset > 0 && !s.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_formula_becomes_math_element() {
        let out = to_mathml(r"J(w) = w^2", false).unwrap();
        assert!(out.starts_with("<math"), "{out}");
        assert!(!out.contains("display=\"block\""), "{out}");
        assert!(out.contains("<msup>"), "{out}");
        assert!(out.ends_with("</math>"), "{out}");
    }

    #[test]
    fn every_formula_keeps_its_tex_with_macros_expanded() {
        let out = to_mathml("a <  \\frac{1}{2}", false).unwrap();
        assert!(
            out.starts_with("<math alttext=\"a &lt; \\frac{1}{2}\""),
            "{out}"
        );
        let macros: Macros = [("\\R".to_string(), "\\mathbb{R}".to_string())]
            .into_iter()
            .collect();
        let mut page = PageMath::new(&macros);
        let out = page_convert(&mut page, "x \\in \\R").unwrap();
        assert!(
            out.starts_with("<math alttext=\"x \\in \\mathbb{R}\""),
            "{out}"
        );
        assert_eq!(out.matches("alttext").count(), 1);
    }

    #[test]
    fn display_formula_is_block() {
        let out = to_mathml(r"\frac{\partial J}{\partial w_j}", true).unwrap();
        assert!(out.contains("display=\"block\""), "{out}");
        assert!(out.contains("<mfrac>"), "{out}");
    }

    #[test]
    fn unknown_command_is_an_error_with_a_span() {
        let tex = r"a + \frac{1}{2} + \sigmaa";
        let err = to_mathml(tex, false).unwrap_err();
        assert!(err.message.contains("sigmaa"), "{err:?}");
        assert_eq!(&tex[err.span.start..err.span.start + 1], "\\", "{err:?}");
    }

    #[test]
    fn unclosed_group_is_an_error() {
        let err = to_mathml(r"\frac{1}{2", false).unwrap_err();
        assert!(err.span.end <= 10, "{err:?}");
        assert!(!err.message.is_empty());
    }

    #[test]
    fn empty_formula_is_an_error() {
        let err = to_mathml("  ", false).unwrap_err();
        assert_eq!(err.message, "empty formula");
        assert_eq!(err.span, 0..2);
    }

    /// Runs `to_mathml` on a thread with the stack a page-rendering thread
    /// gets, so that a conversion needing more would abort the test run.
    fn on_small_stack(tex: String) -> Result<String, LatexError> {
        std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(move || to_mathml(&tex, true))
            .unwrap()
            .join()
            .unwrap()
    }

    #[test]
    fn deep_nesting_does_not_overflow_the_stack() {
        let half = (MAX_FORMULA - 1) / 2;
        let braces = format!("{}x{}", "{".repeat(half), "}".repeat(half));
        assert!(on_small_stack(braces).unwrap().contains("<mi>x</mi>"));
        let roots = format!("{}x", "\\sqrt ".repeat((MAX_FORMULA - 1) / 6));
        assert!(on_small_stack(roots).unwrap().contains("<msqrt>"));
        let fractions = format!("{}x{}", "\\frac{1}{".repeat(1600), "}".repeat(1600));
        assert!(on_small_stack(fractions).unwrap().contains("<mfrac>"));
        let fences = format!("{}x{}", "\\left(".repeat(1200), "\\right)".repeat(1200));
        assert!(on_small_stack(fences).is_ok());
        let matrices = format!(
            "{}x{}",
            "\\begin{matrix}".repeat(580),
            "\\end{matrix}".repeat(580)
        );
        assert!(on_small_stack(matrices).is_ok());
    }

    #[test]
    fn what_math_core_cannot_lay_out_is_an_error() {
        for tex in [
            r"\begin{aligned}a^& b\end{aligned}",
            r"\begin{matrix}\hat\\a\end{matrix}",
        ] {
            let err = to_mathml(tex, true).unwrap_err();
            assert!(err.message.starts_with("invalid LaTeX"), "{err:?}");
        }
        // Rows outside an environment are put in one.
        let err = page_convert(&mut PageMath::default(), r"^\\]").unwrap_err();
        assert!(err.message.starts_with("invalid LaTeX"), "{err:?}");
    }

    #[test]
    fn overlong_formula_is_an_error() {
        let err = to_mathml(&"x+".repeat(MAX_FORMULA), false).unwrap_err();
        assert!(err.message.contains("too long"), "{err:?}");
        assert_eq!(err.span, 0..2 * MAX_FORMULA);
    }

    fn page_convert(page: &mut PageMath, tex: &str) -> Result<String, LatexError> {
        page.convert(tex, true, &mut |label: &str| format!("eq-{label}"))
    }

    #[test]
    fn a_rewritten_formula_reports_errors_at_the_authors_offsets() {
        let mut page = PageMath::default();
        let tex = r"\label{a} x + \sigmaa \tag{1}";
        let err = page_convert(&mut page, tex).unwrap_err();
        assert_eq!(
            &tex[err.span.start..err.span.start + 7],
            r"\sigmaa",
            "{err:?}"
        );
    }

    #[test]
    fn references_resolve_forwards_and_missing_ones_are_reported() {
        let mut page = PageMath::default();
        let before = page.convert(r"\eqref{b} \ref{c}", false, &mut |l| l.to_string());
        let before = before.unwrap();
        page_convert(&mut page, r"\begin{equation}x\label{b}\end{equation}").unwrap();
        let (html, missing) = page.resolve(&before);
        assert!(html.contains("<a href=\"#eq-b\">(1)</a>"), "{html}");
        assert_eq!(missing.len(), 1);
        assert_eq!(missing[0].index, 1);
        assert!(missing[0].message.contains("'c'"), "{missing:?}");
        assert_eq!(page.refs()[1].span, 10..17);
    }

    #[test]
    fn a_colour_switch_in_an_environment_ends_with_its_cell() {
        let mut page = PageMath::default();
        let tex = r"\begin{aligned} a &= \color{red}{b} \\ c &= d \end{aligned}";
        let out = page_convert(&mut page, tex).unwrap();
        assert_eq!(out.matches("<mtr>").count(), 2, "{out}");
        let red = out.split("color:#FF0000;\">").nth(1).unwrap();
        assert!(red.starts_with("<mi>b</mi></mrow></mtd></mtr>"), "{out}");
        let out = page_convert(&mut page, r"\textcolor{blue}{x} + y").unwrap();
        assert!(
            out.contains("color:#0000FF;\"><mi>x</mi></mrow><mo>+</mo>"),
            "{out}"
        );
    }

    #[test]
    fn rows_outside_an_environment_are_kept() {
        let mut page = PageMath::default();
        let out = page_convert(&mut page, r"a \\ b").unwrap();
        assert_eq!(out.matches("<mtr>").count(), 2, "{out}");
        let out = page_convert(&mut page, r"a &= b \\ c &= d \tag{T}").unwrap();
        assert_eq!(out.matches("<mtr>").count(), 3, "{out}");
        assert!(out.contains("<mtext>(T)</mtext>"), "{out}");
        let inline = page
            .convert(r"a \\ b", false, &mut |l| l.to_string())
            .unwrap();
        assert!(!inline.contains("<mtable"), "{inline}");
    }

    #[test]
    fn macros_expand_with_arguments_and_errors_point_at_the_use() {
        let macros: Macros = [
            (r"\R".to_string(), r"\mathbb{R}".to_string()),
            (
                r"\pd".to_string(),
                r"\frac{\partial #1}{\partial #2}".to_string(),
            ),
            (r"\J".to_string(), r"\pd{J}{w}".to_string()),
        ]
        .into();
        assert!(check_macros(&macros).is_empty());
        let out = expand(r"x \in \R, \J = \pd f x", &macros).unwrap();
        assert_eq!(
            out.text,
            r"x \in \mathbb{R}, \frac{\partial J}{\partial w} = \frac{\partial f}{\partial x}"
        );
        let mut page = PageMath::new(&macros);
        let tex = r"\R + \sigmaa";
        let err = page
            .convert(tex, false, &mut |l| l.to_string())
            .unwrap_err();
        assert_eq!(
            &tex[err.span.start..err.span.start + 7],
            r"\sigmaa",
            "{err:?}"
        );
        let err = expand(r"a + \pd{f}", &macros).unwrap_err();
        assert_eq!(err.span, 4..7);
        assert!(err.message.contains("argument"), "{err:?}");
    }

    #[test]
    fn math_inside_text_is_math() {
        let mut page = PageMath::default();
        let mut id = |l: &str| l.to_string();
        let out = page
            .convert(r"\text{for any constant $C$}", true, &mut id)
            .unwrap();
        let shown = &out[out.find("\">").unwrap()..];
        assert!(!shown.contains('$'), "{out}");
        assert!(!shown.contains("<mrow></mrow>"), "{out}");
        assert!(shown.contains("<mi>C</mi>"), "{out}");
        assert!(out.contains("for any constant"), "{out}");
        // Every text command math-core knows, `\mbox` too, and text in the
        // math inside text.
        let out = page
            .convert(
                r"x_{\textbf{if $a \text{ and $b$}$}} + \mbox{$y$ or \$}",
                false,
                &mut id,
            )
            .unwrap();
        let shown = &out[out.find("\">").unwrap()..];
        assert_eq!(shown.matches('$').count(), 1, "only the `\\$`: {out}");
        for part in ["<mi>a</mi>", "<mi>b</mi>", "<mi>y</mi>", "$</mtext>"] {
            assert!(out.contains(part), "{part}: {out}");
        }
        assert_eq!(
            text_math(r"\mbox{a}").unwrap().text,
            r"\text{a}",
            r"an \mbox is text"
        );
        // Errors point at the author's bytes.
        let tex = r"\text{a $\sigmaa$ b}";
        let err = page.convert(tex, false, &mut id).unwrap_err();
        assert_eq!(
            &tex[err.span.start..err.span.start + 7],
            r"\sigmaa",
            "{err:?}"
        );
        let tex = r"1 + \text{a $b}";
        let err = page.convert(tex, false, &mut id).unwrap_err();
        assert_eq!(err.span, 12..13, "{err:?}");
        assert!(err.message.contains("never closed"), "{err:?}");
        let err = page.convert(r"\text{a {$b$}}", false, &mut id).unwrap_err();
        assert_eq!(err.span, 9..10, "{err:?}");
    }

    #[test]
    fn doubling_macros_stop_at_a_limit() {
        let macros: Macros = [("\\d".to_string(), "#1#1".to_string())]
            .into_iter()
            .collect();
        let nested = format!("{}x{}", "\\d{".repeat(30), "}".repeat(30));
        let err = expand(&nested, &macros).unwrap_err();
        assert!(err.message.contains("4096 times"), "{}", err.message);
        assert_eq!(err.span, 0..2);
        let long = format!("{}{}{}", "\\d{".repeat(30), "x".repeat(999), "}".repeat(30));
        let err = expand(&long, &macros).unwrap_err();
        assert!(err.message.contains("16384 bytes"), "{}", err.message);
        assert!(err.message.contains("'\\d'"), "{}", err.message);
        assert_eq!(err.span, 0..2);
        // Many short uses run out of steps before they run out of room.
        let macros: Macros = [
            ("\\e".to_string(), String::new()),
            ("\\f".to_string(), "\\e\\e\\e\\e\\e\\e\\e\\e".to_string()),
            ("\\g".to_string(), "\\f\\f\\f\\f\\f\\f\\f\\f".to_string()),
            ("\\h".to_string(), "\\g\\g\\g\\g\\g\\g\\g\\g".to_string()),
            ("\\i".to_string(), "\\h\\h\\h\\h\\h\\h\\h\\h".to_string()),
        ]
        .into_iter()
        .collect();
        let err = expand("a \\i", &macros).unwrap_err();
        assert!(err.message.contains("4096 times"), "{}", err.message);
        assert_eq!(err.span, 2..4);
        // A few levels are fine.
        let out = expand(
            &format!("{}x{}", "\\d{".repeat(3), "}".repeat(3)),
            &[("\\d".to_string(), "#1#1".to_string())]
                .into_iter()
                .collect(),
        )
        .unwrap();
        assert_eq!(out.text, "x".repeat(8));
    }

    #[test]
    fn recursive_and_badly_named_macros_are_reported() {
        let macros: Macros = [
            (r"\a".to_string(), r"\b + 1".to_string()),
            (r"\b".to_string(), r"\c{\a}".to_string()),
            (r"\c".to_string(), r"#1".to_string()),
            ("R".to_string(), "x".to_string()),
        ]
        .into();
        let problems = check_macros(&macros);
        let names: Vec<&str> = problems.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["R", r"\a", r"\b"], "{problems:?}");
        assert!(problems[1].1.ends_with(r"\a → \b → \a"), "{problems:?}");
    }

    #[test]
    fn definitions_in_a_formula_hold_for_the_rest_of_the_page() {
        let mut page = PageMath::default();
        let mut id = |l: &str| l.to_string();
        let defs = r"\newcommand{\R}{\mathbb{R}} \newcommand\sq[1]{#1^2} \DeclareMathOperator*{\argmin}{arg\,min}";
        assert_eq!(page.convert(defs, true, &mut id).unwrap(), "");
        let out = page
            .convert(r"\argmin_x \sq{x} \in \R", false, &mut id)
            .unwrap();
        assert!(out.contains("ℝ"), "{out}");
        assert!(out.contains("<msup><mi>x</mi><mn>2</mn></msup>"), "{out}");
        assert!(out.contains("arg"), "{out}");
        let err = page
            .convert(r"x \newcommand{\loop}{\loop}", false, &mut id)
            .unwrap_err();
        assert_eq!(err.span, 2..27, "{err:?}");
        assert!(err.message.contains("expands to itself"), "{err:?}");
        let err = page
            .convert(r"\newcommand{\x}", false, &mut id)
            .unwrap_err();
        assert_eq!(err.span, 0..11, "{err:?}");
    }

    #[test]
    fn operator_names_are_escaped_however_they_are_written() {
        for (tex, name) in [
            (r"\operatorname{a<b}", "a&lt;b"),
            (r"\operatorname*{a<b}_x", "a&lt;b"),
            (r"\operatornamewithlimits{a>b}", "a&gt;b"),
            (r"\operatorname<b", "&lt;"),
            (r"\operatorname \lt b", "&lt;"),
            (r"\operatorname{\&}", "&amp;"),
            (r"\operatorname{\text{<script>}}", "&lt;script&gt;"),
            (r"\operatorname{a{<}b}", "a&lt;b"),
            ("\\operatorname % note\n {a<b}", "a&lt;b"),
        ] {
            let html = to_mathml(tex, false).unwrap();
            assert!(html.contains(&format!(">{name}</mo>")), "{tex}: {html}");
            assert!(well_formed(&html), "{tex}: {html}");
            assert!(!html.contains([NAME_START, NAME_END]), "{tex}: {html}");
        }
        let mut page = PageMath::new(&Macros::from([(
            r"\lt".to_string(),
            r"\operatorname{lt<}".to_string(),
        )]));
        let mut id = |l: &str| l.to_string();
        let defs = r"\DeclareMathOperator{\cmp}{a<b} \DeclareMathOperator*{\Cmp}{a>b}";
        assert_eq!(page.convert(defs, true, &mut id).unwrap(), "");
        let html = page
            .convert(r"\cmp x + \Cmp_y + \lt", true, &mut id)
            .unwrap();
        for name in ["a&lt;b", "a&gt;b", "lt&lt;"] {
            assert!(html.contains(&format!(">{name}</mo>")), "{html}");
        }
    }

    #[test]
    fn marks_and_control_characters_never_reach_the_page() {
        let html = to_mathml("\\text{a\u{1b}b\u{1f}c} + \u{1b}x", false).unwrap();
        assert!(html.contains("<mtext>abc</mtext>"), "{html}");
        assert!(!html.contains(['\u{1b}', '\u{1f}']), "{html}");
        // The author's own private-use marks are not taken for ours.
        let tex = format!("\\operatorname{{{NAME_END}<{NAME_START}}}");
        let html = to_mathml(&tex, false).unwrap();
        assert!(html.contains(">\u{FFFD}&lt;\u{FFFD}</mo>"), "{html}");
    }

    #[test]
    fn errors_after_an_operator_name_point_at_the_authors_offsets() {
        let tex = r"\operatorname{a<b} + \nosuch";
        let err = to_mathml(tex, false).unwrap_err();
        assert_eq!(&tex[err.span.clone()], r"\nosuch", "{err:?}");
        let tex = r"\operatorname\lt + \nosuch";
        let err = to_mathml(tex, false).unwrap_err();
        assert_eq!(&tex[err.span.clone()], r"\nosuch", "{err:?}");
    }

    #[test]
    fn markup_from_formula_text_is_caught() {
        for bad in [
            "<math><mo><script></mo></math>",
            "<math><mo><mi>x</mi></mo></math>",
            "<math><mo>a<b</mo></math>",
            "<math><mo>a>b</mo></math>",
            "<math><mi x=\"a>b\">x</mi></math>",
            "<math><mi>x</mi>",
        ] {
            assert!(!well_formed(bad), "{bad}");
        }
        for good in [
            "<math display=\"block\"><mrow><mspace/><mi>ab</mi></mrow></math>",
            "<math><mtext><b>x &lt; y</b></mtext><mo lspace=\"0\">&amp;</mo></math>",
        ] {
            assert!(well_formed(good), "{good}");
        }
    }
}
