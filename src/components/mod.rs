//! Learning components: `::: kind title` … `:::` fenced divs.
//!
//! Components are found in the lesson's one Markdown parse, not before
//! it, so code blocks, HTML, comments, lists and block quotes keep their
//! CommonMark meaning around them. [`scan`] finds the fence lines and
//! [`mask`] dresses each as a heading for the parser (see `fence`); after
//! the parse, [`find`] pairs the fence headings into components,
//! container by container (`tree`), and reads each component's content
//! according to its kind (`shape`). [`render`] turns one component into
//! HTML, asking a [`MarkdownSink`] to render the Markdown inside it, so
//! calc blocks and inline values inside components run in document order
//! like everything else.
//!
//! The pieces: `fence` knows the syntax of a fence line and masks it,
//! `tree` pairs fences and bounds the nesting depth, `shape` reads each
//! component's content into its [`Body`] (cards, questions, list items)
//! and reports content of the wrong shape, `html` writes the markup that
//! `templates/assets/components.{css,js}` style and bring to life, and
//! `seed` holds the stable hashes and the seeded shuffle.
//!
//! A component refers to its content by ranges of indices into the
//! lesson's event list (the parser's events with their byte ranges in the
//! file), never by copies, so rendering stays one pass over one parse.
//!
//! Invariants: finding never panics and always returns what it could read
//! together with every problem it found; rendering is a pure function of
//! the component and the page key, so two builds write identical pages.

use std::ops::Range;

use pulldown_cmark::Event;

use crate::diagnostics::{Diagnostic, SourceText};

mod fence;
mod html;
mod quiz;
mod seed;
mod shape;
mod tree;

pub use fence::{FenceLine, mask, scan, unmask};
pub(crate) use seed::fnv1a;
pub use seed::{shuffled_order, stable_id};
pub use tree::MAX_DEPTH;

/// Reads a quiz question's `answer:` line (the bytes `line` of `text`), as
/// the quiz component does; the message of the problem when it cannot.
pub fn read_answer(text: &str, line: Range<usize>) -> Result<TypedAnswer, String> {
    quiz::read_answer_line(text, line).map_err(|p| p.message)
}

/// A parser event with its byte range in the file.
pub type Spanned<'a> = (Event<'a>, Range<usize>);

/// Every component of a lesson, and every fence.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Found {
    /// The components, ordered by where they start.
    pub components: Vec<Component>,
    /// The events of every fence heading (opening or closing, whatever
    /// became of it), in order. None of them is shown as a heading.
    pub fences: Vec<Range<usize>>,
    /// Problems found: unknown kinds, unpaired fences, wrong shapes.
    pub diagnostics: Vec<Diagnostic>,
}

impl Found {
    /// The component whose events start at `event`, if any.
    pub fn starting_at(&self, event: usize) -> Option<&Component> {
        let i = self.components.partition_point(|c| c.events.start < event);
        self.components.get(i).filter(|c| c.events.start == event)
    }

    /// The events of the fence heading that starts at `event`, if any.
    pub fn fence_at(&self, event: usize) -> Option<Range<usize>> {
        let i = self.fences.partition_point(|f| f.start < event);
        self.fences.get(i).filter(|f| f.start == event).cloned()
    }

    /// How many flashcards, checklist items and quiz questions the lesson holds, nested
    /// components included, so templates can show "0 of 8 cards" for a
    /// lesson the reader has not opened yet.
    pub fn trackable(&self) -> Trackable {
        let mut total = Trackable::default();
        for component in &self.components {
            match &component.body {
                Shape::Flashcards(cards) => total.cards += cards.len(),
                Shape::Checklist(tasks) => total.tasks += tasks.len(),
                Shape::Quiz(questions) => total.questions += questions.len(),
                _ => {}
            }
        }
        total
    }
}

/// One `::: kind title` … `:::` component.
#[derive(Debug, Clone, PartialEq)]
pub struct Component {
    /// The bytes of the whole component, fence lines included.
    pub span: Range<usize>,
    /// The events the component takes the place of, fences included.
    pub events: Range<usize>,
    /// What kind of component this is.
    pub kind: Kind,
    /// The events of the title after the kind (inline Markdown); `None`
    /// when the fence has no title.
    pub title: Option<Range<usize>>,
    /// The content, read according to the kind.
    pub body: Shape,
    /// A stable identifier derived from the component's content (not its
    /// position), used to seed the reorder shuffle.
    pub key: String,
}

/// The kinds of component, in the order they are listed to authors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// Cards with a front (`###` heading) and a back.
    Flashcards,
    /// Questions with an answer and an optional hidden senior angle.
    Interview,
    /// An ordered list to be put back in order.
    Reorder,
    /// A task list whose ticks persist.
    Checklist,
    /// A callout: background a reader should know.
    Note,
    /// A callout: practical advice.
    Tip,
    /// A callout: a pitfall.
    Warning,
    /// A callout: a worked example.
    Example,
    /// A calc input run once per value of one parameter, with a slider.
    Explore,
    /// Questions with choices or a typed answer, graded on the page.
    Quiz,
}

impl Kind {
    /// Every kind, in the order they are listed to authors.
    pub const ALL: [Kind; 10] = [
        Kind::Flashcards,
        Kind::Interview,
        Kind::Reorder,
        Kind::Checklist,
        Kind::Note,
        Kind::Tip,
        Kind::Warning,
        Kind::Example,
        Kind::Explore,
        Kind::Quiz,
    ];

    /// The name authors write after `:::`.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Flashcards => "flashcards",
            Kind::Interview => "interview",
            Kind::Reorder => "reorder",
            Kind::Checklist => "checklist",
            Kind::Note => "note",
            Kind::Tip => "tip",
            Kind::Warning => "warning",
            Kind::Example => "example",
            Kind::Explore => "explore",
            Kind::Quiz => "quiz",
        }
    }

    /// The kind called `name`, if there is one (exact, lower case).
    pub fn from_name(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// The title shown when the author gave none.
    pub fn default_title(self) -> &'static str {
        match self {
            Kind::Flashcards => "Test yourself",
            Kind::Interview => "Interview questions",
            Kind::Reorder => "Put these in order",
            Kind::Checklist => "Checklist",
            Kind::Note => "Note",
            Kind::Tip => "Tip",
            Kind::Warning => "Warning",
            Kind::Example => "Example",
            Kind::Explore => "Explore",
            Kind::Quiz => "Quiz",
        }
    }

    /// Whether this kind is a callout (any Markdown inside).
    pub fn is_callout(self) -> bool {
        matches!(self, Kind::Note | Kind::Tip | Kind::Warning | Kind::Example)
    }
}

/// A component's content, read according to its kind. Every range is a
/// range of events.
#[derive(Debug, Clone, PartialEq)]
pub enum Shape {
    /// `flashcards`: the cards in order.
    Flashcards(Vec<Card>),
    /// `interview`: the questions in order.
    Interview(Vec<Question>),
    /// `reorder`: the items in the correct order.
    Reorder(Vec<Item>),
    /// `checklist`: the tasks in order.
    Checklist(Vec<Task>),
    /// `note`, `tip`, `warning`, `example`: any Markdown and components.
    Callout(Range<usize>),
    /// `explore`: one calc block and its `vary:` line; `None` when either
    /// could not be read (the problem is reported).
    Explore(Option<Vary>),
    /// `quiz`: the questions in order.
    Quiz(Vec<QuizQuestion>),
}

/// One question of a `quiz`.
#[derive(Debug, Clone, PartialEq)]
pub struct QuizQuestion {
    /// The content of the `###` heading (inline).
    pub prompt: Range<usize>,
    /// The choices of its task list, in order; empty for a typed answer.
    pub choices: Vec<Choice>,
    /// The `answer:` line of a typed answer.
    pub answer: Option<TypedAnswer>,
    /// Everything after the choices or the answer line, up to the next
    /// question (blocks); shown once the reader has answered.
    pub explanation: Range<usize>,
    /// Storage id, derived from the prompt's text (unique in its
    /// component).
    pub id: String,
}

/// One choice of a quiz question.
#[derive(Debug, Clone, PartialEq)]
pub struct Choice {
    /// The choice's text (inline), without the `[ ]` marker.
    pub text: Range<usize>,
    /// Whether the author marked it right with `[x]`.
    pub right: bool,
}

/// The `answer:` line of a quiz question, before the engine reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypedAnswer {
    /// The expression of an inline value (`J'(2)` for `` `= J'(2)` ``), or
    /// the number or expression as written (`~0.119`, `2*w`).
    pub text: String,
    /// The bytes of `text` in the file.
    pub span: Range<usize>,
    /// Whether it was written as an inline value, computed by the engine.
    pub computed: bool,
}

/// What the engine makes of a typed answer: what the page shows as the
/// answer, and what the browser grades a reader's input against.
#[derive(Debug, Clone, PartialEq)]
pub struct AnswerKey {
    /// The answer as HTML, for the answers shown after the questions.
    pub html: String,
    /// How a reader's input is graded.
    pub check: AnswerCheck,
}

/// How the browser grades a typed answer.
#[derive(Debug, Clone, PartialEq)]
pub enum AnswerCheck {
    /// A number: within the number rule, or, with `decimals`, when the
    /// reader's value rounds to `value` at that many decimal places.
    Number {
        /// The right value.
        value: f64,
        /// The decimal places of a `~` answer.
        decimals: Option<i32>,
    },
    /// An expression: the reader's expression must give `values` at
    /// `points` (one coordinate per variable of `vars`).
    Function {
        /// The answer's variables, sorted.
        vars: Vec<String>,
        /// The sample points, each with one value per variable.
        points: Vec<Vec<f64>>,
        /// The answer's value at each point.
        values: Vec<f64>,
    },
}

/// The most values one `vary:` line may list.
pub const MAX_VARIANTS: usize = 12;

/// What running an explorer's input once per value gives.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Variants {
    /// Each value's result as HTML, in the order of the values; empty when
    /// the input cannot be varied (that is reported).
    pub html: Vec<String>,
    /// The value shown first: the one the input is written with, if listed.
    pub start: usize,
}

/// An `explore` component's calc input and the parameter it varies.
#[derive(Debug, Clone, PartialEq)]
pub struct Vary {
    /// The bytes of the calc block's content (its `>>>` lines).
    pub code: Range<usize>,
    /// The keyword argument to vary, as written.
    pub name: String,
    /// The bytes of the name on the `vary:` line, for errors.
    pub name_span: Range<usize>,
    /// The values, as written, in order (each a number).
    pub values: Vec<String>,
}

/// One flashcard.
#[derive(Debug, Clone, PartialEq)]
pub struct Card {
    /// The content of the `###` heading (inline).
    pub front: Range<usize>,
    /// Everything up to the next card (blocks).
    pub back: Range<usize>,
    /// Storage id: the id written on the front's heading (`### Front
    /// {#id}`), else derived from the front's text; unique in its
    /// component.
    pub id: String,
}

/// One interview question.
#[derive(Debug, Clone, PartialEq)]
pub struct Question {
    /// The content of the `###` heading (inline).
    pub question: Range<usize>,
    /// What follows the question, up to its senior angle or the next
    /// question (blocks).
    pub answer: Range<usize>,
    /// The `#### Senior angle` part, hidden until the reader asks for it.
    pub senior: Option<Senior>,
}

/// The hidden part of an interview question.
#[derive(Debug, Clone, PartialEq)]
pub struct Senior {
    /// The content of the `####` heading, shown on the disclosure button.
    pub label: Range<usize>,
    /// What follows the heading, up to the next question (blocks).
    pub body: Range<usize>,
}

/// One item of a `reorder` list.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    /// The item's text (inline), without the list marker.
    pub text: Range<usize>,
    /// Derived from the text: items with the same text share a key, so
    /// either may stand in either place.
    pub key: String,
}

/// One item of a `checklist`.
#[derive(Debug, Clone, PartialEq)]
pub struct Task {
    /// The task's text (inline), without the `[ ]` marker.
    pub text: Range<usize>,
    /// Whether the author wrote `[x]` (the tick shown before any reader's).
    pub checked: bool,
    /// Storage id, derived from the text (unique in its component).
    pub id: String,
}

/// What a component asks of the Markdown renderer. Ranges are ranges of
/// events.
pub trait MarkdownSink {
    /// Renders inline content (no `<p>` around it).
    fn inline(&mut self, events: Range<usize>) -> String;
    /// Renders blocks (Markdown and nested components) in order.
    fn blocks(&mut self, events: Range<usize>) -> String;
    /// Runs the calc input of `vary` once per value and renders each
    /// result.
    fn variants(&mut self, vary: &Vary) -> Variants;
    /// Receives each flashcard as it is rendered, for what is built from
    /// every card of the site (the review page, deck exports); `front` is
    /// the events of its front, from which the sink sets `card.span`.
    fn flashcard(&mut self, front: Range<usize>, card: RenderedCard);
    /// Reads a quiz question's typed answer with the engine, in the
    /// page's scope as it stands; `None` when it cannot be graded (that is
    /// reported at the answer).
    fn quiz_key(&mut self, answer: &TypedAnswer) -> Option<AnswerKey>;
    /// Reports a problem found while rendering, at the events `events`.
    fn problem(&mut self, events: Range<usize>, message: String, label: &str, help: &str);
}

/// A flashcard as rendered on its page: its computed values are in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedCard {
    /// The card's id, unique in its component ([`Card::id`]); the page's
    /// storage keys its marks by it.
    pub id: String,
    /// The title of its flashcards component (HTML).
    pub deck: String,
    /// The front (inline HTML).
    pub front: String,
    /// The back (block HTML).
    pub back: String,
    /// Where the front is in the source (bytes).
    pub span: Range<usize>,
}

/// How much there is to track on a page: what the site-wide progress
/// display counts against.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Trackable {
    /// Flashcards, all components together.
    pub cards: usize,
    /// Checklist items, all components together.
    pub tasks: usize,
    /// Quiz questions, all components together.
    pub questions: usize,
}

/// Pairs the fence headings among `events` (the parse of the masked text,
/// see [`mask`]) into components and reads their content. `lines` are the
/// fence lines [`scan`] found; `end` is where the parsed text ends in the
/// file. Problems (unknown kinds, unpaired fences, content of the wrong
/// shape) are returned alongside whatever could be read.
pub fn find(source: &SourceText, events: &[Spanned<'_>], lines: &[FenceLine], end: usize) -> Found {
    tree::find(source, events, lines, end)
}

/// Renders one component to HTML. `page_key` is a stable identifier of the
/// page (its URL path), used for storage keys and the reorder shuffle.
/// A component's HTML; its title is a heading of `level` (1 to 6), one
/// below the heading it sits under, and its questions one below that.
pub fn render(
    component: &Component,
    page_key: &str,
    level: u8,
    sink: &mut dyn MarkdownSink,
) -> String {
    html::render(component, page_key, level, sink)
}

#[cfg(test)]
mod tests {
    use super::*;

    use pulldown_cmark::{Options, Parser};

    /// A lesson parsed as the Markdown renderer parses it: fence lines
    /// masked, one parse, masked text restored, then the components found.
    struct Doc {
        text: String,
        events: Vec<Spanned<'static>>,
        found: Found,
    }

    fn doc(text: &str) -> Doc {
        doc_in(text, 0..text.len())
    }

    /// [`doc`] for the part `range` of `text` (as a lesson body after its
    /// front matter).
    fn doc_in(text: &str, range: Range<usize>) -> Doc {
        let source = SourceText::new("lesson.md", text);
        let lines = scan(text, range.clone());
        let masked = mask(text, range.clone(), &lines);
        let options = Options::ENABLE_TABLES
            | Options::ENABLE_FOOTNOTES
            | Options::ENABLE_STRIKETHROUGH
            | Options::ENABLE_TASKLISTS
            | Options::ENABLE_MATH;
        let events: Vec<Spanned<'static>> = Parser::new_ext(&masked, options)
            .into_offset_iter()
            .map(|(e, span)| {
                let span = span.start + range.start..span.end + range.start;
                let e = unmask(e, &span, text, &masked, range.start, &lines);
                (e.into_static(), span)
            })
            .collect();
        let found = find(&source, &events, &lines, range.end);
        Doc {
            text: text.to_string(),
            events,
            found,
        }
    }

    impl Doc {
        /// The source text that the events `range` cover, squeezed.
        fn source_of(&self, range: Range<usize>) -> String {
            let spans: Vec<&Range<usize>> = self.events[range].iter().map(|(_, s)| s).collect();
            let (Some(first), Some(last)) = (
                spans.iter().map(|s| s.start).min(),
                spans.iter().map(|s| s.end).max(),
            ) else {
                return String::new();
            };
            short(&self.text[first..last])
        }

        /// The Markdown of `range` outside components and fences, one
        /// squeezed string per stretch between them.
        fn markdown(&self, range: Range<usize>) -> Vec<String> {
            let mut out = Vec::new();
            let mut i = range.start;
            let mut md_start = i;
            let mut flush = |from: usize, to: usize| {
                if from < to {
                    out.push(self.source_of(from..to));
                }
            };
            while i < range.end {
                if let Some(fence) = self.found.fence_at(i) {
                    flush(md_start, i);
                    i = self
                        .found
                        .starting_at(i)
                        .map_or(fence.end, |c| c.events.end);
                    md_start = i;
                } else {
                    i += 1;
                }
            }
            flush(md_start, range.end);
            out
        }

        /// The top-level blocks of `range` as `md` lines and nested
        /// components, in order.
        fn dump_range(&self, range: Range<usize>, depth: usize, out: &mut String) {
            let pad = "  ".repeat(depth);
            let mut i = range.start;
            let mut md_start = i;
            let flush = |from: usize, to: usize, out: &mut String| {
                for md in self.markdown(from..to) {
                    out.push_str(&format!("{pad}md {md:?}\n"));
                }
            };
            while i < range.end {
                if let Some(c) = self.found.starting_at(i) {
                    flush(md_start, i, out);
                    self.dump_component(c, depth, out);
                    i = c.events.end;
                    md_start = i;
                } else {
                    i += 1;
                }
            }
            flush(md_start, range.end, out);
        }

        fn dump_component(&self, c: &Component, depth: usize, out: &mut String) {
            let pad = "  ".repeat(depth);
            let title = c
                .title
                .clone()
                .map_or(String::new(), |t| format!(" {:?}", self.source_of(t)));
            out.push_str(&format!("{pad}{}{title}\n", c.kind.name()));
            match &c.body {
                Shape::Flashcards(cards) => {
                    for card in cards {
                        let front = self.source_of(card.front.clone());
                        out.push_str(&format!("{pad}  card {front:?}\n"));
                        self.dump_range(card.back.clone(), depth + 2, out);
                    }
                }
                Shape::Interview(questions) => {
                    for q in questions {
                        let question = self.source_of(q.question.clone());
                        out.push_str(&format!("{pad}  question {question:?}\n"));
                        self.dump_range(q.answer.clone(), depth + 2, out);
                        if let Some(s) = &q.senior {
                            let label = self.source_of(s.label.clone());
                            out.push_str(&format!("{pad}  senior {label:?}\n"));
                            self.dump_range(s.body.clone(), depth + 2, out);
                        }
                    }
                }
                Shape::Reorder(items) => {
                    for item in items {
                        let text = self.source_of(item.text.clone());
                        out.push_str(&format!("{pad}  item {text:?}\n"));
                    }
                }
                Shape::Checklist(tasks) => {
                    for t in tasks {
                        let mark = if t.checked { "x" } else { " " };
                        let text = self.source_of(t.text.clone());
                        out.push_str(&format!("{pad}  [{mark}] {text:?}\n"));
                    }
                }
                Shape::Callout(blocks) => self.dump_range(blocks.clone(), depth + 1, out),
                Shape::Quiz(questions) => {
                    for q in questions {
                        let prompt = self.source_of(q.prompt.clone());
                        out.push_str(&format!("{pad}  question {prompt:?}\n"));
                        for c in &q.choices {
                            let mark = if c.right { "x" } else { " " };
                            let text = self.source_of(c.text.clone());
                            out.push_str(&format!("{pad}    [{mark}] {text:?}\n"));
                        }
                        if let Some(a) = &q.answer {
                            let how = if a.computed { "computed" } else { "written" };
                            out.push_str(&format!("{pad}    answer {how} {:?}\n", a.text));
                        }
                        self.dump_range(q.explanation.clone(), depth + 2, out);
                    }
                }
                Shape::Explore(vary) => {
                    if let Some(v) = vary {
                        let code = short(&self.text[v.code.clone()]);
                        out.push_str(&format!("{pad}  calc {code:?}\n"));
                        out.push_str(&format!("{pad}  vary {} in {:?}\n", v.name, v.values));
                    }
                }
            }
        }
    }

    /// A compact outline of what was found, then the diagnostics, so a
    /// test states the whole result at once.
    fn dump(text: &str) -> String {
        let doc = doc(text);
        let mut out = String::new();
        doc.dump_range(0..doc.events.len(), 0, &mut out);
        for d in &doc.found.diagnostics {
            out.push_str(&format!("error {}:{}: {}", d.line, d.column, d.message));
            if let Some(help) = &d.help {
                out.push_str(&format!(" | help: {help}"));
            }
            for note in &d.notes {
                out.push_str(&format!(" | note: {note}"));
            }
            out.push('\n');
        }
        out
    }

    fn short(text: &str) -> String {
        text.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    fn check(input: &str, expected: &str) {
        let got = dump(input);
        let expected = expected
            .lines()
            .map(|l| l.strip_prefix("        ").unwrap_or(l))
            .collect::<Vec<_>>()
            .join("\n");
        assert_eq!(got.trim_end(), expected.trim(), "\n--- got ---\n{got}");
    }

    #[test]
    fn plain_markdown_is_one_block() {
        check(
            "# Title\n\nSome *text*.\n",
            r####"md "# Title Some *text*.""####,
        );
    }

    #[test]
    fn spec_example_parses() {
        check(
            "Intro.\n\n::: flashcards Test yourself\n### Informal definition of a derivative.\nIf nudging w by ε changes J(w) by k·ε, the derivative is k.\n\n### J(w) = w². What is the slope at w = 3?\n`= J'(3)`\n:::\n\n::: interview Questions an interviewer is likely to ask\n### Why does a fixed learning rate take steps of different sizes?\nThe update is α times the gradient.\n\n#### Senior angle\nNear a minimum the gradient shrinks.\n:::\n\n::: reorder Architecture flow\n1. Inputs\n2. Representations\n3. Scores\n4. Loss\n5. Decision through a threshold\n:::\n\n::: checklist \"Concept-to-code walkthrough\"\n- [ ] Write J(w) as a function\n- [x] Differentiate it symbolically\n:::\n\n::: note\nRead each model as a dataflow system.\n:::\nOutro.\n",
            r####"
        md "Intro."
        flashcards "Test yourself"
          card "Informal definition of a derivative."
            md "If nudging w by ε changes J(w) by k·ε, the derivative is k."
          card "J(w) = w². What is the slope at w = 3?"
            md "`= J'(3)`"
        interview "Questions an interviewer is likely to ask"
          question "Why does a fixed learning rate take steps of different sizes?"
            md "The update is α times the gradient."
          senior "Senior angle"
            md "Near a minimum the gradient shrinks."
        reorder "Architecture flow"
          item "Inputs"
          item "Representations"
          item "Scores"
          item "Loss"
          item "Decision through a threshold"
        checklist "Concept-to-code walkthrough"
          [ ] "Write J(w) as a function"
          [x] "Differentiate it symbolically"
        note
          md "Read each model as a dataflow system."
        md "Outro.""####,
        );
    }

    #[test]
    fn colons_inside_code_fences_are_code() {
        check(
            "::: example\n````markdown\n::: note\n```\n:::\n```\n````\n~~~\n:::\n~~~\n:::\n",
            r####"
        example
          md "````markdown ::: note ``` ::: ``` ```` ~~~ ::: ~~~""####,
        );
    }

    #[test]
    fn longer_fences_nest() {
        check(
            ":::: note Outer\nBefore.\n::: tip Inner\nInside.\n:::\nAfter.\n::::\n",
            r####"
        note "Outer"
          md "Before."
          tip "Inner"
            md "Inside."
          md "After.""####,
        );
    }

    #[test]
    fn nesting_is_bounded() {
        let depth = MAX_DEPTH + 3;
        let mut text = String::new();
        for level in 0..depth {
            text.push_str(&format!("{} note\n", ":".repeat(3 + depth - level)));
        }
        text.push_str("deep\n");
        for level in 0..depth {
            text.push_str(&format!("{}\n", ":".repeat(4 + level)));
        }
        let doc = doc(&text);
        assert_eq!(doc.found.components.len(), MAX_DEPTH);
        let innermost = &doc.found.components[MAX_DEPTH - 1];
        let Shape::Callout(inner) = &innermost.body else {
            panic!("a note holds Markdown")
        };
        assert_eq!(doc.markdown(inner.clone()), ["deep"]);
        let diagnostics = &doc.found.diagnostics;
        assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
        let d = &diagnostics[0];
        assert_eq!((d.line, d.column), (MAX_DEPTH + 1, 1));
        assert!(d.message.contains("nested too deeply"), "{}", d.message);
    }

    #[test]
    fn components_nest_inside_cards() {
        check(
            "::::: flashcards\n### Front\nBack.\n::: tip\nHint.\n:::\n### Second\nMore.\n:::::\n",
            r####"
        flashcards
          card "Front"
            md "Back."
            tip
              md "Hint."
          card "Second"
            md "More.""####,
        );
    }

    #[test]
    fn unknown_kind_suggests_and_lists() {
        check(
            "::: flashcard Cards\n### A\nB\n:::\n",
            r####"
        md "### A B"
        error 1:5: unknown component kind `flashcard` | help: did you mean `flashcards`? | note: known kinds: flashcards, interview, reorder, checklist, note, tip, warning, example, explore, quiz"####,
        );
        check(
            "::: Note\nx\n:::\n::: sidebar\ny\n:::\n",
            r####"
        md "x"
        md "y"
        error 1:5: unknown component kind `Note` | help: did you mean `note`? | note: known kinds: flashcards, interview, reorder, checklist, note, tip, warning, example, explore, quiz
        error 4:5: unknown component kind `sidebar` | help: use one of the known kinds after the colons | note: known kinds: flashcards, interview, reorder, checklist, note, tip, warning, example, explore, quiz"####,
        );
    }

    #[test]
    fn unclosed_and_mismatched_fences() {
        check(
            "::: note\nNever closed.\n",
            r####"
        note
          md "Never closed."
        error 1:1: unclosed `note` component | help: add a line `:::` where the component ends"####,
        );
        check(
            ":::: note\nText.\n:::\n",
            r####"
        note
          md "Text."
        error 3:1: closing fence `:::` does not match the `::::` that opened the `note` component on line 1 | help: close it with a line of 4 colons, the same number as its opening fence"####,
        );
        check(
            ":::: note\n::: tip\nInner.\n::::\n",
            r####"
        note
          tip
            md "Inner."
        error 2:1: unclosed `tip` component | help: add a line `:::` where the component ends | note: the `::::` on line 4 closes the `note` component opened on line 1 around it"####,
        );
        check(
            "Text\n:::\n",
            r####"
        md "Text"
        error 2:1: closing fence `:::` with no component open | help: remove this line, or open a component before it with a line like `::: note`"####,
        );
        check(
            "::: example\n```\n:::\n",
            r####"
        example
          md "``` :::"
        error 1:1: unclosed `example` component | help: add a line `:::` where the component ends | note: a code block opened on line 2 is never closed, so every `:::` line after it is code"####,
        );
    }

    #[test]
    fn fences_inside_code_and_html_are_explained() {
        check(
            "::: note\n<!--\n:::\n-->\n",
            r####"
        note
          md "<!-- ::: -->"
        error 1:1: unclosed `note` component | help: add a line `:::` where the component ends | note: the `:::` on line 3 is inside the HTML comment that starts on line 2, so it is not a fence"####,
        );
        check(
            "::: tip\n```\n:::\n```\n",
            r####"
        tip
          md "``` ::: ```"
        error 1:1: unclosed `tip` component | help: add a line `:::` where the component ends | note: the `:::` on line 3 is inside the code block that starts on line 2, so it is code, not a fence"####,
        );
        check(
            "::: tip\n<div>\n:::\n</div>\n",
            r####"
        tip
          md "<div> ::: </div>"
        error 1:1: unclosed `tip` component | help: add a line `:::` where the component ends | note: the `:::` on line 3 is inside the raw HTML that starts on line 2, so it is not a fence"####,
        );
    }

    #[test]
    fn fences_pair_within_their_container() {
        let errors = |text: &str| -> Vec<String> {
            let dump = dump(text);
            dump.lines()
                .filter(|l| l.starts_with("error"))
                .map(str::to_string)
                .collect()
        };
        assert_eq!(
            errors("- ::: tip\n  In the item.\n\n:::\n"),
            [
                "error 1:3: unclosed `tip` component | help: add a line `:::` where the component ends | note: it is inside a list item that ends on line 3; a component is closed inside the list item it was opened in",
                "error 4:1: closing fence `:::` with no component open | help: remove this line, or open a component before it with a line like `::: note` | note: the `tip` component opened on line 1 ended with the list item it was in (line 3), so it cannot be closed here",
            ]
        );
        assert_eq!(
            errors("::: checklist\n- [ ] a\n  :::\n- [ ] b\n:::\n"),
            [
                "error 3:3: closing fence `:::` with no component open | help: to close it, indent this line like its opening fence | note: the `checklist` component opened on line 1 is outside this list item, so this line cannot close it",
                "error 3:3: each item of a `checklist` is a single paragraph of text | help: shorten the item to one line, or move the details out of the component",
            ]
        );
        assert_eq!(
            errors("> ::: tip\n> Quoted.\n\n:::\n"),
            [
                "error 1:3: unclosed `tip` component | help: add a line `:::` where the component ends | note: it is inside a block quote that ends on line 2; a component is closed inside the block quote it was opened in",
                "error 4:1: closing fence `:::` with no component open | help: remove this line, or open a component before it with a line like `::: note` | note: the `tip` component opened on line 1 ended with the block quote it was in (line 2), so it cannot be closed here",
            ]
        );
        let doc = doc("> ::: note\n> In the quote.\n> :::\n\nAfter.\n");
        assert!(
            doc.found.diagnostics.is_empty(),
            "{:?}",
            doc.found.diagnostics
        );
        let [note] = doc.found.components.as_slice() else {
            panic!("{:?}", doc.found)
        };
        let Shape::Callout(body) = &note.body else {
            panic!("a note holds Markdown")
        };
        assert_eq!(doc.markdown(body.clone()), ["In the quote."]);
        assert_eq!(note.span, 0..33, "whole lines, quote markers included");
    }

    #[test]
    fn flashcard_shape_errors() {
        check(
            "::: flashcards\nIntro text.\n### Front\nBack\n### Empty\n:::\n",
            r####"
        flashcards
          card "Front"
            md "Back"
          card "Empty"
        error 2:1: text before the first card in `flashcards` | help: start every card with a `### front` heading, or move this text out of the component
        error 5:5: flashcard `Empty` has no back | help: write the answer on the lines after the heading"####,
        );
        check(
            "::: flashcards\n## Not a card\n:::\n",
            r####"
        flashcards
        error 1:1: `flashcards` component has no cards | help: write each card as a `### front` heading followed by its back
        error 2:1: text before the first card in `flashcards` | help: a card starts with a heading of exactly three `#`: write `###` instead of `##`"####,
        );
        check(
            "::: interview\n#### Too deep\nAnswer.\n:::\n",
            r####"
        interview
        error 1:1: `interview` component has no questions | help: write each question as a `### question` heading followed by its answer
        error 2:1: text before the first question in `interview` | help: a question starts with a heading of exactly three `#`: write `###` instead of `####`"####,
        );
    }

    #[test]
    fn interview_shape_errors() {
        check(
            "::: interview\n### Q1\n#### Senior angle\nDeep.\n#### Senior angle\nAgain.\n:::\n",
            r####"
        interview
          question "Q1"
          senior "Senior angle"
            md "Deep."
        error 2:5: interview question `Q1` has no answer | help: write the answer under the question, before any `#### Senior angle`
        error 5:1: a second `#### Senior angle` in one question | help: merge the two senior angles, or start a new `###` question"####,
        );
        check(
            "::: interview\n:::\n",
            r####"
        interview
        error 1:1: `interview` component has no questions | help: write each question as a `### question` heading followed by its answer"####,
        );
        check(
            "::: interview\n### \n:::\n",
            r####"
        interview
          question ""
        error 2:1: interview question with no text | help: write the question after `###`"####,
        );
    }

    #[test]
    fn reorder_shape_errors() {
        check(
            "::: reorder\n- a\n- b\n:::\n",
            r####"
        reorder
          item "a"
          item "b"
        error 2:1: the list in a `reorder` must be numbered | help: write the items as `1.`, `2.`, … in the correct order"####,
        );
        check(
            "::: reorder\nJust text.\n:::\n",
            r####"
        reorder
        error 1:1: `reorder` component without one ordered list | help: write the steps as a numbered list (`1. …`) in the correct order
        error 2:1: a `reorder` holds only one ordered list | help: move this text before or after the component, or into an item"####,
        );
        check(
            "::: reorder\n1. a\n2. b\n\nText.\n\n1) c\n:::\n",
            r####"
        reorder
          item "a"
          item "b"
        error 5:1: a `reorder` holds only one ordered list | help: move this text before or after the component, or into an item
        error 7:1: a `reorder` holds one ordered list; this is a second list | help: join the lists; note that changing the marker (`-` to `*`, `1.` to `1)`) starts a new list"####,
        );
        check(
            "::: reorder\n1. only\n   - nested\n:::\n",
            r####"
        reorder
          item "only"
        error 1:1: a `reorder` needs at least two items, found 1 | help: list every step of the flow, in the correct order
        error 3:4: each item of a `reorder` is a single paragraph of text | help: shorten the item to one line, or move the details out of the component"####,
        );
    }

    #[test]
    fn checklist_shape_errors() {
        check(
            "::: checklist\n- [ ] one\n- two\n:::\n",
            r####"
        checklist
          [ ] "one"
          [ ] "two"
        error 3:1: checklist item without a checkbox | help: start the item with `[ ]` (or `[x]` if it starts ticked): `- [ ] …`"####,
        );
        check(
            "::: checklist\n::: note\nx\n:::\n:::\n",
            r####"
        checklist
        error 1:1: `checklist` component without one task list | help: write the items as a task list: `- [ ] …`
        error 2:1: a `checklist` holds only one task list, not other components | help: move this component before or after the list"####,
        );
    }

    #[test]
    fn quiz_shape() {
        check(
            "::: quiz Check\n### Slope at 3?\n- [ ] 3\n- [x] `= J'(3)`\n\nTwice 3.\n\n### Type it.\nanswer: `= J'(2)`\n### Both?\n- [x] a\n- [x] b\n- [ ] c\n:::\n",
            r####"
        quiz "Check"
          question "Slope at 3?"
            [ ] "3"
            [x] "`= J'(3)`"
            md "Twice 3."
          question "Type it."
            answer computed "J'(2)"
          question "Both?"
            [x] "a"
            [x] "b"
            [ ] "c""####,
        );
    }

    #[test]
    fn quiz_shape_errors() {
        check(
            "::: quiz\nIntro.\n### No right one\n- [ ] a\n- [ ] b\n### Nothing\nJust prose.\n:::\n",
            r####"
        quiz
          question "No right one"
            [ ] "a"
            [ ] "b"
          question "Nothing"
            md "Just prose."
        error 2:1: text before the first question in `quiz` | help: start every question with a `### question` heading, or move this text out of the quiz
        error 3:5: quiz question `No right one` has no right choice | help: mark the right choice with `[x]` (several `[x]` make it "select all that apply")
        error 6:5: quiz question `Nothing` has no choices and no answer | help: right after the question, list the choices as a task list with `[x]` on the right ones, or write an `answer:` line"####,
        );
        check(
            "::: quiz\n### Twice\n- [x] 6\n- [ ]  6\n- [ ] 9\n:::\n",
            r####"
        quiz
          question "Twice"
            [x] "6"
            [ ] "9"
        error 4:8: the choice `6` is listed twice | help: make every choice of a question different, or remove this one"####,
        );
        check(
            "::: quiz\n### Empty\nanswer:\n### Open\nanswer: `= J'(2)\n### Tight\nanswer: `=J(2)`\n### Glued\nanswer: 3\nBecause.\n:::\n",
            r####"
        quiz
          question "Empty"
          question "Open"
          question "Tight"
          question "Glued"
        error 3:1: an `answer:` line with no answer | help: write the answer after `answer:`: a number (`6`, or `~0.119` to accept what rounds to it), an expression (`2*w`) or an inline value (`` `= J'(2)` ``)
        error 5:9: an `answer:` line whose code is not closed | help: write the answer after `answer:`: a number (`6`, or `~0.119` to accept what rounds to it), an expression (`2*w`) or an inline value (`` `= J'(2)` ``)
        error 7:10: an `answer:` inline value needs `=`, a space and an expression | help: write the answer as an inline value, `= ` then the expression: `` `= J'(2)` ``
        error 10:1: text on the lines right after an `answer:` line | help: leave a blank line between the `answer:` line and the explanation"####,
        );
    }

    #[test]
    fn quiz_counts_questions() {
        let text = "::: quiz\n### a\nanswer: 1\n### b\n- [x] y\n- [ ] n\n:::\n";
        let found = doc(text).found;
        assert!(found.diagnostics.is_empty(), "{:?}", found.diagnostics);
        assert_eq!(found.trackable().questions, 2);
    }

    #[test]
    fn every_problem_is_reported_in_one_run() {
        let text =
            "::: flashcard\nx\n:::\n::: reorder\n- a\n:::\n::: checklist\ntext\n:::\n::: note\n";
        let diagnostics = doc(text).found.diagnostics;
        let lines: Vec<usize> = diagnostics.iter().map(|d| d.line).collect();
        assert_eq!(lines, [1, 4, 5, 7, 8, 10], "{diagnostics:#?}");
        assert!(
            diagnostics
                .iter()
                .all(|d| d.file.to_str() == Some("lesson.md"))
        );
    }

    #[test]
    fn parses_a_sub_range_and_odd_line_endings() {
        let text = "skip me\r\n::: tip  \"Quoted\"\r\nBody\r\n:::\r\n";
        let doc = doc_in(text, 9..text.len());
        assert!(
            doc.found.diagnostics.is_empty(),
            "{:?}",
            doc.found.diagnostics
        );
        let [c] = doc.found.components.as_slice() else {
            panic!("{:?}", doc.found)
        };
        assert_eq!(doc.source_of(c.title.clone().expect("title")), "Quoted");
        assert_eq!(c.span, 9..text.len());
        let Shape::Callout(body) = &c.body else {
            panic!("a tip holds Markdown")
        };
        assert_eq!(doc.source_of(body.clone()), "Body");
    }

    #[test]
    fn never_panics_on_odd_input() {
        let pieces = [
            ":::",
            "::::",
            "::: note",
            ":::: tip x",
            "::: flashcards",
            "### q",
            "#### Senior angle",
            "1. a",
            "- [ ] b",
            "```",
            "~~~~",
            "text",
            "",
            "::: reorder",
            "::: checklist",
            "::: interview",
            "é:::",
            "::: ",
            "  :::",
            "\r",
            "> ::: tip",
            "- :::",
            "<!--",
            "    :::",
        ];
        // A deterministic walk over many combinations of the pieces.
        let mut state = 1u64;
        for _ in 0..3000 {
            let mut text = String::new();
            for _ in 0..12 {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                text.push_str(pieces[(state >> 33) as usize % pieces.len()]);
                text.push('\n');
            }
            let mut half = text.len() / 2;
            while !text.is_char_boundary(half) {
                half -= 1;
            }
            let second = text.chars().next().map_or(0, char::len_utf8);
            for range in [0..text.len(), second..text.len(), 0..half] {
                let found = doc_in(&text, range).found;
                let _ = found.trackable();
            }
        }
    }

    #[test]
    fn counts_what_can_be_tracked() {
        let text = "::: flashcards\n### a\nb\n### c\nd\n:::\n:::: note\n::: checklist\n- [ ] x\n- [ ] y\n:::\n::::\n";
        let found = doc(text).found;
        assert!(found.diagnostics.is_empty(), "{:?}", found.diagnostics);
        assert_eq!(
            found.trackable(),
            Trackable {
                cards: 2,
                tasks: 2,
                questions: 0
            }
        );
    }

    #[test]
    fn ids_are_stable_and_unique() {
        let text = "::: flashcards\n### Same\nx\n### Same\ny\n:::\n";
        let found = doc(text).found;
        let [
            Component {
                body: Shape::Flashcards(cards),
                ..
            },
        ] = found.components.as_slice()
        else {
            panic!("{found:?}")
        };
        assert_eq!(cards[0].id, stable_id("Same"));
        assert_eq!(cards[1].id, format!("{}-2", stable_id("Same")));
    }

    /// Records what a component asks of the renderer, in order.
    struct Recorder<'a> {
        doc: &'a Doc,
        calls: Vec<String>,
    }

    impl MarkdownSink for Recorder<'_> {
        fn quiz_key(&mut self, answer: &TypedAnswer) -> Option<AnswerKey> {
            self.calls.push(format!("key {}", answer.text));
            answer.text.parse::<f64>().ok().map(|value| AnswerKey {
                html: answer.text.clone(),
                check: AnswerCheck::Number {
                    value,
                    decimals: None,
                },
            })
        }
        fn problem(&mut self, events: Range<usize>, message: String, _: &str, _: &str) {
            let t = self.doc.source_of(events);
            self.calls.push(format!("problem {t}: {message}"));
        }
        fn flashcard(&mut self, _front: Range<usize>, _card: RenderedCard) {}
        fn variants(&mut self, vary: &Vary) -> Variants {
            self.calls
                .push(format!("variants {} {:?}", vary.name, vary.values));
            Variants {
                html: vary.values.iter().map(|v| format!("<run {v}>")).collect(),
                start: 0,
            }
        }
        fn inline(&mut self, range: Range<usize>) -> String {
            let t = self.doc.source_of(range);
            self.calls.push(format!("inline {t}"));
            format!("<i>{t}</i>")
        }
        fn blocks(&mut self, range: Range<usize>) -> String {
            let mut out = String::new();
            let mut i = range.start;
            let mut md_start = i;
            let doc = self.doc;
            let flush = |from: usize, to: usize, out: &mut String, calls: &mut Vec<String>| {
                if from < to {
                    let t = doc.source_of(from..to);
                    calls.push(format!("blocks {t}"));
                    out.push_str(&format!("<p>{t}</p>"));
                }
            };
            while i < range.end {
                if let Some(c) = doc.found.starting_at(i) {
                    flush(md_start, i, &mut out, &mut self.calls);
                    out.push_str(&render(c, "/p/", 3, self));
                    i = c.events.end;
                    md_start = i;
                } else {
                    i += 1;
                }
            }
            flush(md_start, range.end, &mut out, &mut self.calls);
            out
        }
    }

    fn render_all(text: &str) -> (String, Vec<String>) {
        let doc = doc(text);
        assert!(
            doc.found.diagnostics.is_empty(),
            "{:?}",
            doc.found.diagnostics
        );
        let mut sink = Recorder {
            doc: &doc,
            calls: Vec::new(),
        };
        let html = sink.blocks(0..doc.events.len());
        (html, sink.calls)
    }

    #[test]
    fn markdown_inside_is_rendered_once_in_document_order() {
        let (html, calls) = render_all(
            "::: flashcards Cards `= x`\n### F1\nB1\n### F2\nB2\n:::\n::: reorder\n1. first\n2. second\n3. third\n:::\n::: interview\n### Q\nA\n#### Senior angle\nS\n:::\n::: tip\nT\n:::\n",
        );
        let expected = [
            "inline Cards `= x`",
            "inline F1",
            "blocks B1",
            "inline F2",
            "blocks B2",
            "inline first",
            "inline second",
            "inline third",
            "inline Q",
            "blocks A",
            "inline Senior angle",
            "blocks S",
            "blocks T",
        ];
        assert_eq!(calls, expected);
        // Reorder items appear twice (exercise and solution) but were
        // rendered once.
        assert_eq!(html.matches("<i>first</i>").count(), 2);
        assert!(html.contains("<p class=\"gb-callout-title\" id=\"gb-"));
        assert!(html.contains(">Tip</span>"), "default title");
    }

    #[test]
    fn rendering_is_deterministic_and_uses_the_page_key() {
        let text = "::: reorder Flow\n1. a\n2. b\n3. c\n4. d\n:::\n::: checklist\n- [x] done\n- [ ] todo\n:::\n";
        let (first, _) = render_all(text);
        let (second, _) = render_all(text);
        assert_eq!(first, second);
        assert!(first.contains("data-gb-page=\"/p/\""));
        assert!(first.contains(" checked>"), "an author's [x] starts ticked");
        let shown: Vec<&str> = first
            .split("<li class=\"gb-item\" data-key=\"")
            .skip(1)
            .map(|s| &s[..10])
            .collect();
        let answer = ["a", "b", "c", "d"].map(stable_id);
        assert_eq!(shown.len(), 4);
        assert_ne!(shown, answer.iter().map(String::as_str).collect::<Vec<_>>());
    }

    proptest::proptest! {
        #[test]
        fn finding_never_panics_and_spans_stay_inside(text in "(:{2,5}( ?[a-z]{0,9}( [\"a-zé]{0,6})?)?|#{3,4} [a-z ]{0,5}|[0-9]\\. [a-z]{0,4}|- \\[[ x]\\] [a-z]{0,4}|`{3,4}|~{3}|[a-zé ]{0,8}|> |\r)?(\n(:{2,5}( ?[a-z]{0,9})?|#{3,4} [a-z ]{0,5}|[0-9]\\. [a-z]{0,4}|- \\[[ x]\\] [a-z]{0,4}|`{3,4}|~{3}|> |  |[a-zé ]{0,8}))*") {
            let doc = doc(&text);
            let n = doc.events.len();
            for c in &doc.found.components {
                proptest::prop_assert!(c.span.start <= c.span.end && c.span.end <= text.len());
                proptest::prop_assert!(c.events.start <= c.events.end && c.events.end <= n);
            }
            for d in &doc.found.diagnostics {
                proptest::prop_assert!(d.line >= 1 && d.column >= 1);
            }
            let mut sink = Recorder { doc: &doc, calls: Vec::new() };
            let _ = sink.blocks(0..n);
        }
    }
}
