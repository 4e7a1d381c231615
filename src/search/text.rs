//! The searchable text of a rendered page body, section by section.
//!
//! The input is HTML that gradbook wrote itself (pulldown-cmark's output,
//! the components' and calc results' markup) plus whatever raw HTML an
//! author put in a lesson, so this is a small tag scanner, not a full HTML
//! parser: it tracks open elements to know what to leave out, treats
//! quoted attribute values, comments and raw-text elements (`script`,
//! `style`) correctly, and tolerates stray end tags. What it leaves out:
//!
//! - calc blocks: anything with `data-calc` or a class `calc` / `calc-…`
//!   (transcripts, result tables, figures), so computed numbers are never
//!   search terms;
//! - what a reader does not see as text: `svg`, display formulas, buttons,
//!   form controls, scripts, anything `hidden` or `aria-hidden="true"`,
//!   and the script-only controls of components (`data-gb-js`);
//! - the fixed wording of components ([`SKIP_CLASSES`]): instructions,
//!   "Card 1 of 3" labels, the repeated solution of a reorder exercise.
//!
//! A page heading (one listed in the page's table of contents, so not a
//! heading inside a component) starts a new [`Passage`]; its text is the
//! table of contents' plain form, with math written out.
//!
//! Inline formulas and inline calc values (`calc-inline`) stay in the text,
//! so that a snippet reads "the slope at w=3 is 6" rather than "the slope
//! at is", but they are *display-only*: their ranges are listed in
//! [`Passage::display_only`] and the index takes no words from them.
//! MathML is flattened to its characters, with `^`, `_` and `/` between
//! the parts of powers, subscripts and fractions (`w^2`, `dJ/dw`).
//!
//! Text inside
//! elements of [`QUESTION_CLASSES`] (flashcard fronts, interview
//! questions, component titles) is remembered as question text, which
//! ranks above plain prose.
//!
//! **Adding a component.** Its prompts go into [`QUESTION_CLASSES`] (as a
//! quiz's questions do), its fixed wording into [`SKIP_CLASSES`], and
//! controls that exist only with JavaScript carry `data-gb-js` as the
//! other components' do; nothing else in the index needs to change.

use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;

/// Classes whose elements hold a question or prompt: flashcard fronts,
/// interview and quiz questions and component titles. Their words rank
/// between headings and prose.
pub const QUESTION_CLASSES: &[&str] = &["gb-front-text", "gb-q", "gb-quiz-prompt", "gb-title"];

/// Classes of component chrome that is the same on every page (or repeats
/// text already indexed), left out of the index.
pub const SKIP_CLASSES: &[&str] = &[
    "gb-help",
    "gb-face-label",
    "gb-kind",
    "gb-solution",
    "gb-quiz-num",
    "gb-quiz-hint",
    "gb-quiz-typed",
    "gb-quiz-summary",
    "math-error",
];

/// Elements whose content is not searchable text.
const SKIP_ELEMENTS: &[&str] = &[
    "audio", "button", "canvas", "head", "math", "object", "select", "svg", "template", "video",
];

/// Elements whose content is raw text, not markup: skipped to their end
/// tag without looking inside.
const RAW_TEXT_ELEMENTS: &[&str] = &[
    "iframe", "noembed", "noframes", "noscript", "script", "style", "textarea", "title", "xmp",
];

/// Elements with no end tag.
const VOID_ELEMENTS: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr",
];

/// Elements that do not separate words: `gra<em>di</em>ent` is one word.
/// Every other element's start and end tags separate words.
const INLINE_ELEMENTS: &[&str] = &[
    "a", "abbr", "b", "bdi", "bdo", "button", "cite", "code", "data", "del", "dfn", "em", "font",
    "i", "img", "ins", "kbd", "label", "mark", "math", "q", "s", "samp", "small", "span", "strong",
    "sub", "sup", "svg", "time", "u", "var",
];

/// A part of a page between two of its headings.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Passage {
    /// The heading's id; empty for the text before the first heading.
    pub id: String,
    /// The heading as plain text; empty for the first section.
    pub heading: String,
    /// The section's text, white space collapsed to single spaces.
    pub text: String,
    /// Byte ranges of `text` that are questions or prompts.
    pub questions: Vec<Range<usize>>,
    /// Byte ranges of `text` shown in snippets but not indexed: inline
    /// formulas and calc values.
    pub display_only: Vec<Range<usize>>,
}

impl Passage {
    /// `text` with its display-only ranges blanked out (same length, so
    /// the ranges of `questions` still apply): the text to take words
    /// from.
    pub fn indexed_text(&self) -> std::borrow::Cow<'_, str> {
        if self.display_only.is_empty() {
            return self.text.as_str().into();
        }
        let mut bytes = self.text.clone().into_bytes();
        for range in &self.display_only {
            bytes[range.clone()].fill(b' ');
        }
        // Whole characters were replaced by ASCII spaces.
        String::from_utf8(bytes)
            .unwrap_or_else(|_| String::new())
            .into()
    }
}

/// Splits the body `html` into sections at the page headings `headings`
/// (id and plain text, in any order). The first section, before any
/// heading, is always there (possibly empty).
pub fn sections(html: &str, headings: &[(&str, &str)]) -> Vec<Passage> {
    let mut scan = Scanner {
        html,
        headings: headings.iter().copied().collect(),
        sections: vec![Passage::default()],
        stack: Vec::new(),
        skipping: 0,
        questions: Marked::default(),
        display_only: Marked::default(),
        math: 0,
        in_heading: 0,
        space: false,
    };
    scan.run();
    scan.sections
}

/// An open element.
struct Open {
    name: String,
    skip: bool,
    question: bool,
    display_only: bool,
    heading: bool,
    /// Child elements seen so far (counted inside formulas only).
    children: usize,
}

/// Nested elements that mark the text inside them, and where the marked
/// text being read started.
#[derive(Default)]
struct Marked {
    open: usize,
    start: Option<usize>,
}

struct Scanner<'h> {
    html: &'h str,
    headings: HashMap<&'h str, &'h str>,
    sections: Vec<Passage>,
    stack: Vec<Open>,
    /// How many open elements leave their content out.
    skipping: usize,
    /// Open elements holding question text.
    questions: Marked,
    /// Open elements holding display-only text.
    display_only: Marked,
    /// How many open elements are `math`.
    math: usize,
    /// How many open elements are page headings (their text is taken from
    /// the table of contents instead).
    in_heading: usize,
    /// A word separator is due before the next character.
    space: bool,
}

/// A start tag's name, the attributes that matter here, and where it ends.
#[derive(Default)]
struct StartTag {
    name: String,
    id: Option<String>,
    classes: String,
    hides: bool,
    display_block: bool,
    self_closing: bool,
    end: usize,
}

impl Scanner<'_> {
    fn run(&mut self) {
        let html = self.html;
        let mut at = 0;
        while at < html.len() {
            let Some(offset) = html[at..].find('<') else {
                self.text(&html[at..]);
                break;
            };
            let lt = at + offset;
            self.text(&html[at..lt]);
            at = self.tag(lt);
        }
        self.close_marks();
    }

    /// Handles the markup starting at `lt` (a `<`); returns where to go on.
    fn tag(&mut self, lt: usize) -> usize {
        let html = self.html;
        let rest = &html[lt..];
        let bytes = rest.as_bytes();
        if let Some(comment) = rest.strip_prefix("<!--") {
            return comment.find("-->").map_or(html.len(), |e| lt + 4 + e + 3);
        }
        match bytes.get(1) {
            Some(b'/') => {
                let name = tag_name(&rest[2..]);
                let end = rest.find('>').map_or(html.len(), |e| lt + e + 1);
                if !name.is_empty() {
                    self.end_tag(&name);
                }
                end
            }
            Some(b) if b.is_ascii_alphabetic() => {
                let tag = parse_start_tag(html, lt);
                let end = tag.end;
                self.start_tag(tag, end)
            }
            Some(b'!' | b'?') => rest.find('>').map_or(html.len(), |e| lt + e + 1),
            _ => {
                self.text("<");
                lt + 1
            }
        }
    }

    fn start_tag(&mut self, tag: StartTag, end: usize) -> usize {
        let name = tag.name.as_str();
        if self.skipping == 0 && self.math == 0 && !INLINE_ELEMENTS.contains(&name) {
            self.space = true;
        }
        if RAW_TEXT_ELEMENTS.contains(&name) {
            return skip_raw_text(self.html, end, name);
        }
        if self.math > 0 && self.skipping == 0 {
            self.math_separator();
        }
        if tag.self_closing || VOID_ELEMENTS.contains(&name) {
            return end;
        }
        let has_class =
            |wanted: &dyn Fn(&str) -> bool| tag.classes.split_ascii_whitespace().any(wanted);
        let display_only =
            (name == "math" && !tag.display_block) || has_class(&|c| c == "calc-inline");
        let skip = !display_only
            && (SKIP_ELEMENTS.contains(&name)
                || tag.hides
                || has_class(&|c| {
                    c == "calc" || c.starts_with("calc-") || SKIP_CLASSES.contains(&c)
                }));
        if skip {
            // Nothing inside matters: jump to the element's end.
            return skip_element(self.html, end, name);
        }
        let question = has_class(&|c| QUESTION_CLASSES.contains(&c));
        let mut heading = false;
        if self.skipping == 0 && is_heading(name) {
            let title = tag
                .id
                .as_deref()
                .and_then(|id| self.headings.get(id))
                .copied();
            if let Some(title) = title {
                self.close_marks();
                self.sections.push(Passage {
                    id: tag.id.clone().unwrap_or_default(),
                    heading: title.to_string(),
                    ..Passage::default()
                });
                heading = true;
            }
        }
        self.skipping += usize::from(skip);
        self.questions.open += usize::from(question);
        self.display_only.open += usize::from(display_only);
        self.math += usize::from(name == "math");
        self.in_heading += usize::from(heading);
        self.stack.push(Open {
            name: tag.name,
            skip,
            question,
            display_only,
            heading,
            children: 0,
        });
        end
    }

    /// Inside a formula, the character that separates an element from the
    /// one before it: the exponent of a power, the index of a subscript,
    /// the denominator of a fraction.
    fn math_separator(&mut self) {
        let Some(parent) = self.stack.last_mut() else {
            return;
        };
        parent.children += 1;
        let separator = match (parent.name.as_str(), parent.children) {
            ("msup", 2) | ("msubsup", 3) | ("mover", 2) => "^",
            ("msub", 2) | ("msubsup", 2) | ("munder", 2) => "_",
            ("mfrac", 2) => "/",
            _ => return,
        };
        self.text(separator);
    }

    fn end_tag(&mut self, name: &str) {
        let index = self.stack.iter().rposition(|open| open.name == name);
        if let Some(index) = index {
            self.close(index);
        }
        if self.skipping == 0 && self.math == 0 && !INLINE_ELEMENTS.contains(&name) {
            self.space = true;
        }
    }

    /// Closes the open element at `index` and every one inside it.
    fn close(&mut self, index: usize) {
        for open in self.stack.split_off(index) {
            self.skipping -= usize::from(open.skip);
            self.in_heading -= usize::from(open.heading);
            self.math -= usize::from(open.name == "math");
            let section = self.sections.last_mut().expect("there is always a section");
            if open.question {
                self.questions
                    .close(&mut section.questions, section.text.len());
            }
            if open.display_only {
                self.display_only
                    .close(&mut section.display_only, section.text.len());
            }
        }
    }

    /// Ends the marked text being read, at the end of a section.
    fn close_marks(&mut self) {
        let section = self.sections.last_mut().expect("there is always a section");
        let end = section.text.len();
        for (marked, ranges) in [
            (&mut self.questions, &mut section.questions),
            (&mut self.display_only, &mut section.display_only),
        ] {
            if let Some(start) = marked.start.take()
                && start < end
            {
                ranges.push(start..end);
            }
        }
    }

    /// Adds text (still with its character references) to the section.
    fn text(&mut self, raw: &str) {
        if raw.is_empty() || self.skipping > 0 || self.in_heading > 0 {
            return;
        }
        let decoded: Cow<'_, str> = if raw.contains('&') {
            Cow::Owned(decoded(raw))
        } else {
            Cow::Borrowed(raw)
        };
        let section = self.sections.last_mut().expect("there is always a section");
        // White space inside a formula separates nothing.
        let in_math = self.math > 0;
        let mut rest = decoded.as_ref();
        while !rest.is_empty() {
            let start = rest
                .find(|c: char| !c.is_whitespace())
                .unwrap_or(rest.len());
            if start > 0 && !in_math {
                self.space = true;
            }
            rest = &rest[start..];
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            if end == 0 {
                break;
            }
            if self.space && !section.text.is_empty() {
                section.text.push(' ');
            }
            self.space = false;
            let at = section.text.len();
            for marked in [&mut self.questions, &mut self.display_only] {
                if marked.open > 0 && marked.start.is_none() {
                    marked.start = Some(at);
                }
            }
            section.text.push_str(&rest[..end]);
            rest = &rest[end..];
        }
    }
}

impl Marked {
    /// One marking element closes at `end`; the outermost one ends the
    /// marked range.
    fn close(&mut self, ranges: &mut Vec<Range<usize>>, end: usize) {
        self.open -= 1;
        if self.open == 0
            && let Some(start) = self.start.take()
            && start < end
        {
            ranges.push(start..end);
        }
    }
}

fn is_heading(name: &str) -> bool {
    matches!(name, "h1" | "h2" | "h3" | "h4" | "h5" | "h6")
}

/// The lower-cased tag name at the start of `text`.
fn tag_name(text: &str) -> String {
    text.bytes()
        .take_while(|b| b.is_ascii_alphanumeric() || *b == b'-' || *b == b':')
        .map(|b| char::from(b.to_ascii_lowercase()))
        .collect()
}

/// Reads the start tag at `lt`: its name, the attributes that matter, and
/// the position just after its `>`.
fn parse_start_tag(html: &str, lt: usize) -> StartTag {
    let bytes = html.as_bytes();
    let mut tag = StartTag {
        name: tag_name(&html[lt + 1..]),
        ..StartTag::default()
    };
    let mut i = lt + 1 + tag.name.len();
    loop {
        while i < bytes.len() && (bytes[i].is_ascii_whitespace() || bytes[i] == b'/') {
            tag.self_closing = bytes[i] == b'/';
            i += 1;
        }
        if i >= bytes.len() {
            tag.end = bytes.len();
            return tag;
        }
        if bytes[i] == b'>' {
            tag.end = i + 1;
            return tag;
        }
        tag.self_closing = false;
        let name_start = i;
        while i < bytes.len()
            && !matches!(bytes[i], b'=' | b'>' | b'/')
            && !bytes[i].is_ascii_whitespace()
        {
            i += 1;
        }
        let name = html[name_start..i].to_ascii_lowercase();
        let mut value = "";
        let mut j = i;
        while j < bytes.len() && bytes[j].is_ascii_whitespace() {
            j += 1;
        }
        if j < bytes.len() && bytes[j] == b'=' {
            j += 1;
            while j < bytes.len() && bytes[j].is_ascii_whitespace() {
                j += 1;
            }
            let (v, next) = attribute_value(html, j);
            value = v;
            i = next;
        }
        match name.as_str() {
            "id" => tag.id = Some(decoded(value)),
            "class" => tag.classes = value.to_string(),
            "hidden" | "data-gb-js" | "data-calc" => tag.hides = true,
            "display" => tag.display_block = value.eq_ignore_ascii_case("block"),
            "aria-hidden" if value.eq_ignore_ascii_case("true") => tag.hides = true,
            _ => {}
        }
    }
}

/// An attribute value starting at `at` (quoted or not) and the position
/// after it.
fn attribute_value(html: &str, at: usize) -> (&str, usize) {
    let bytes = html.as_bytes();
    match bytes.get(at) {
        Some(&quote @ (b'"' | b'\'')) => {
            let start = at + 1;
            match bytes[start..].iter().position(|&b| b == quote) {
                Some(len) => (&html[start..start + len], start + len + 1),
                None => (&html[start..], html.len()),
            }
        }
        _ => {
            let len = bytes[at..]
                .iter()
                .position(|&b| b.is_ascii_whitespace() || b == b'>')
                .unwrap_or(bytes.len() - at);
            (&html[at..at + len], at + len)
        }
    }
}

/// The position after the end tag of the raw-text element `name` whose
/// content starts at `from`.
fn skip_raw_text(html: &str, from: usize, name: &str) -> usize {
    let mut at = from;
    while let Some(offset) = html[at..].find("</") {
        let start = at + offset + 2;
        let candidate = html.get(start..start + name.len());
        if candidate.is_some_and(|c| c.eq_ignore_ascii_case(name)) {
            return html[start..]
                .find('>')
                .map_or(html.len(), |e| start + e + 1);
        }
        at = start;
    }
    html.len()
}

/// The position after the end tag that closes the element `name` whose
/// start tag ends at `from`, counting nested elements of the same name.
/// Everything in between is skipped unread, which is what makes leaving
/// out a large plot or result table cheap.
fn skip_element(html: &str, from: usize, name: &str) -> usize {
    let bytes = html.as_bytes();
    let mut depth = 1usize;
    let mut at = from;
    while let Some(offset) = html[at..].find('<') {
        let lt = at + offset;
        let closing = bytes.get(lt + 1) == Some(&b'/');
        let start = lt + 1 + usize::from(closing);
        let end = start + name.len();
        let same = html
            .get(start..end)
            .is_some_and(|n| n.eq_ignore_ascii_case(name))
            && bytes
                .get(end)
                .is_none_or(|b| b.is_ascii_whitespace() || matches!(b, b'>' | b'/'));
        let gt = html[lt..].find('>').map_or(html.len(), |e| lt + e + 1);
        if same {
            if closing {
                depth -= 1;
                if depth == 0 {
                    return gt;
                }
            } else if !html[lt..gt].ends_with("/>") {
                depth += 1;
            }
        }
        at = if same { gt } else { lt + 1 };
    }
    html.len()
}

/// `text` with its character references decoded.
fn decoded(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    decode(text, |c| out.push(c));
    out
}

/// Calls `push` for each character of `text`, character references
/// decoded: numeric ones and the named ones gradbook, pulldown-cmark and
/// typical hand-written HTML use. An unknown reference is kept as written.
fn decode(text: &str, mut push: impl FnMut(char)) {
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        rest[..amp].chars().for_each(&mut push);
        let after = &rest[amp + 1..];
        let semi = after.bytes().take(32).position(|b| b == b';');
        let decoded = semi.and_then(|semi| reference(&after[..semi]).map(|c| (c, semi)));
        match decoded {
            Some((c, semi)) => {
                push(c);
                rest = &after[semi + 1..];
            }
            None => {
                push('&');
                rest = after;
            }
        }
    }
    rest.chars().for_each(push);
}

/// The character a reference (between `&` and `;`) stands for.
fn reference(name: &str) -> Option<char> {
    if let Some(number) = name.strip_prefix('#') {
        let code = match number.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => number.parse().ok()?,
        };
        return char::from_u32(code);
    }
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => '\u{a0}',
        "ndash" => '–',
        "mdash" => '—',
        "hellip" => '…',
        "lsquo" => '‘',
        "rsquo" => '’',
        "ldquo" => '“',
        "rdquo" => '”',
        "laquo" => '«',
        "raquo" => '»',
        "middot" => '·',
        "times" => '×',
        "minus" => '−',
        "deg" => '°',
        "copy" => '©',
        "shy" => '\u{ad}',
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(html: &str, headings: &[(&str, &str)]) -> Vec<(String, String, String)> {
        sections(html, headings)
            .into_iter()
            .map(|s| (s.id, s.heading, s.text))
            .collect()
    }

    #[test]
    fn headings_split_sections_and_inline_markup_keeps_words_whole() {
        let html = "<p>Intro <em>gra</em>dient.</p>\n<h2 id=\"slopes\">Slopes of <math><mi>x</mi></math></h2>\n<p>One</p><p>two &amp; three&nbsp;four</p><h3 id=\"x\">Other</h3>";
        assert_eq!(
            texts(html, &[("slopes", "Slopes of x"), ("elsewhere", "E")]),
            [
                ("".into(), "".into(), "Intro gradient.".into()),
                (
                    "slopes".into(),
                    "Slopes of x".into(),
                    "One two & three four Other".into()
                ),
            ]
        );
    }

    #[test]
    fn calc_output_formulas_and_script_only_controls_are_left_out() {
        let html = concat!(
            "<p>Before <span class=\"calc-inline calc-number\">6</span> after</p>",
            "<div class=\"calc\" data-calc><ol class=\"calc-steps\"><li><div>myloss 42</div></li></ol>",
            "<details class=\"calc-raw\"><pre>descent</pre></details></div>",
            "<p>Formula <math><mi>w</mi><mo>=</mo></math> here<svg><title>plot</title></svg>.</p>",
            "<p data-gb-js hidden>Flip each card</p><button>Check</button>",
            "<p aria-hidden=\"true\">&gt;&gt;&gt;</p><p class=\"gb-help\">Think first</p>",
            "<script>var x = '<p>inside</p>';</script><style>p{}</style><!-- <p>comment</p> -->",
            "<p>End</p>"
        );
        assert_eq!(texts(html, &[])[0].2, "Before 6 after Formula w= here. End");
        let s = &sections(html, &[])[0];
        assert_eq!(
            s.indexed_text()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" "),
            "Before after Formula here. End"
        );
    }

    #[test]
    fn inline_formulas_read_as_text_and_display_formulas_are_left_out() {
        let html = concat!(
            "<p>Take <math><mi>J</mi><mo>(</mo><mi>w</mi><mo>)</mo><mo>=</mo><msup><mi>w</mi><mn>2</mn></msup></math>",
            " and <math><mfrac><mrow><mi>d</mi><mi>J</mi></mrow><mrow><mi>d</mi><mi>w</mi></mrow></mfrac></math>",
            " and <math><msub><mi>x</mi><mi>i</mi></msub></math>.</p>",
            "<math display=\"block\"><mi>long</mi></math><p>then <span class=\"calc-inline calc-number\">0.5</span>.</p>",
        );
        let s = &sections(html, &[])[0];
        assert_eq!(s.text, "Take J(w)=w^2 and dJ/dw and x_i. then 0.5.");
        let shown: Vec<&str> = s.display_only.iter().map(|r| &s.text[r.clone()]).collect();
        assert_eq!(shown, ["J(w)=w^2", "dJ/dw", "x_i", "0.5"]);
    }

    #[test]
    fn quiz_questions_choices_and_explanations_are_indexed_without_chrome() {
        let html = concat!(
            "<section class=\"gb gb-quiz\"><div class=\"gb-head\"><h3 class=\"gb-title\" id=\"gb-1-t\">Check</h3></div>",
            "<p class=\"gb-help\" data-gb-js hidden>Answer a question</p>",
            "<ol class=\"gb-quiz-list\"><li class=\"gb-quiz-q\"><fieldset class=\"gb-quiz-set\">",
            "<legend class=\"gb-quiz-legend\"><span class=\"gb-quiz-num\">Question 1 of 2. </span><span class=\"gb-quiz-prompt\">Which slope is steeper?</span></legend>",
            "<p class=\"gb-quiz-hint\">Select all that apply.</p>",
            "<ul class=\"gb-quiz-choices\"><li><input type=\"radio\"><label>gentle</label></li><li><input type=\"radio\"><label>steep</label></li></ul></fieldset>",
            "<div class=\"gb-quiz-actions\" data-gb-js hidden><button>Check</button></div>",
            "<p class=\"gb-quiz-feedback\" role=\"status\"></p>",
            "<details class=\"gb-quiz-key\"><summary class=\"gb-quiz-summary\">Show the answer</summary>",
            "<p class=\"gb-quiz-answer\">Answer: steep</p><div class=\"gb-quiz-explanation\"><p>Rise over run.</p></div></details></li>",
            "<li class=\"gb-quiz-q\"><fieldset><legend><span class=\"gb-quiz-prompt\">Type it.</span></legend>",
            "<p class=\"gb-quiz-typed\"><label>Your answer (a number)</label> <input type=\"text\"></p></fieldset></li></ol></section>",
        );
        let s = &sections(html, &[])[0];
        assert_eq!(
            s.text,
            "Check Which slope is steeper? gentle steep Answer: steep Rise over run. Type it."
        );
        let questions: Vec<&str> = s.questions.iter().map(|r| &s.text[r.clone()]).collect();
        assert_eq!(questions, ["Check", "Which slope is steeper?", "Type it."]);
    }

    #[test]
    fn questions_are_marked() {
        let html = concat!(
            "<section class=\"gb gb-flashcards\"><div class=\"gb-head\"><h3 class=\"gb-title\" id=\"gb-1-t\">Test yourself</h3></div>",
            "<ol><li><div class=\"gb-face gb-front\"><span class=\"gb-face-label\">Card 1 of 1</span>",
            "<p class=\"gb-front-text\">What is a <em>slope</em>?</p></div>",
            "<div class=\"gb-back\"><span class=\"gb-face-label\">Answer</span><p>Rise over run.</p></div></li></ol></section>",
        );
        let s = &sections(html, &[])[0];
        assert_eq!(s.text, "Test yourself What is a slope? Rise over run.");
        let questions: Vec<&str> = s.questions.iter().map(|r| &s.text[r.clone()]).collect();
        assert_eq!(questions, ["Test yourself", "What is a slope?"]);
    }

    #[test]
    fn headings_inside_skipped_parts_or_components_do_not_split() {
        let html = "<p>a1</p><div hidden><div><h2 id=\"h\">Hidden</h2></div><svg/></div><h4 id=\"inner\">Inner</h4><p>b1</p>";
        let s = texts(html, &[("h", "Hidden")]);
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].2, "a1 Inner b1");
    }

    #[test]
    fn malformed_markup_does_not_lose_or_leak_text() {
        // A stray end tag, an unclosed element, `<` as text, an attribute
        // value holding `>`, an unknown reference and a truncated tag.
        let html = "<p>one</span> two <b>three < four <a title=\"x > y\" href=x>five</a> &bogus; six &#x1F600; &#99999999;<p class=\"gb-help";
        assert_eq!(
            texts(html, &[])[0].2,
            "one two three < four five &bogus; six 😀 &#99999999;"
        );
        for cut in 0..html.len() {
            if html.is_char_boundary(cut) {
                let _ = sections(&html[..cut], &[]);
            }
        }
    }

    #[test]
    fn unquoted_and_single_quoted_attributes_are_read() {
        let html =
            "<div class=calc-table-wrap>9</div><div class='gb-help'>help</div><h2 id=top>T</h2>x";
        let s = texts(html, &[("top", "T")]);
        assert_eq!(s[0].2, "");
        assert_eq!(s[1], ("top".into(), "T".into(), "x".into()));
    }
}
