//! Learning components: `::: kind title` … `:::` fenced divs.
//!
//! [`parse`] splits a stretch of Markdown into plain Markdown and
//! components (line by line, aware of code fences, before pulldown-cmark
//! sees anything) and checks each component's shape. [`render`] turns one
//! component into HTML, asking a [`MarkdownSink`] to render the Markdown
//! inside it, so calc blocks and inline values inside components run in
//! document order like everything else.
//!
//! The pieces: `fence` finds the `:::` lines and builds the tree of
//! [`Block`]s, `shape` reads each component's content into its [`Body`]
//! (cards, questions, list items) and reports content of the wrong shape,
//! `html` writes the markup that `templates/assets/components.{css,js}`
//! style and bring to life, and `seed` holds the stable hashes and the
//! seeded shuffle.
//!
//! Invariants: parsing never panics and always returns what it could read
//! together with every problem it found; rendering is a pure function of
//! the component and the page key, so two builds write identical pages.

use std::ops::Range;

use crate::diagnostics::{Diagnostic, SourceText};

mod fence;
mod html;
mod seed;
mod shape;

pub use seed::{shuffled_order, stable_id};

/// A piece of a lesson body, in document order.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// Plain Markdown: bytes of the source file.
    Markdown(Range<usize>),
    /// A learning component.
    Component(Component),
}

/// One `::: kind title` … `:::` component.
#[derive(Debug, Clone, PartialEq)]
pub struct Component {
    /// The bytes of the whole component, fences included.
    pub span: Range<usize>,
    /// What kind of component this is.
    pub kind: Kind,
    /// The title after the kind (quotes removed), as a source range to be
    /// rendered as inline Markdown; `None` when the fence has no title.
    pub title: Option<Range<usize>>,
    /// The bytes between the opening and the closing fence lines.
    pub inner: Range<usize>,
    /// The content, read according to the kind.
    pub body: Body,
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
}

impl Kind {
    /// Every kind, in the order they are listed to authors.
    pub const ALL: [Kind; 8] = [
        Kind::Flashcards,
        Kind::Interview,
        Kind::Reorder,
        Kind::Checklist,
        Kind::Note,
        Kind::Tip,
        Kind::Warning,
        Kind::Example,
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
        }
    }

    /// Whether this kind is a callout (any Markdown inside).
    pub fn is_callout(self) -> bool {
        matches!(self, Kind::Note | Kind::Tip | Kind::Warning | Kind::Example)
    }
}

/// A component's content, read according to its kind.
#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    /// `flashcards`: the cards in order.
    Flashcards(Vec<Card>),
    /// `interview`: the questions in order.
    Interview(Vec<Question>),
    /// `reorder`: the items in the correct order.
    Reorder(Vec<Item>),
    /// `checklist`: the tasks in order.
    Checklist(Vec<Task>),
    /// `note`, `tip`, `warning`, `example`: any Markdown and components.
    Callout(Vec<Block>),
}

/// One flashcard.
#[derive(Debug, Clone, PartialEq)]
pub struct Card {
    /// The text of the `###` heading (inline Markdown).
    pub front: Range<usize>,
    /// Everything up to the next card.
    pub back: Vec<Block>,
    /// Storage id, derived from the front's text (unique in its component).
    pub id: String,
}

/// One interview question.
#[derive(Debug, Clone, PartialEq)]
pub struct Question {
    /// The text of the `###` heading (inline Markdown).
    pub question: Range<usize>,
    /// What follows the question, up to its senior angle or the next question.
    pub answer: Vec<Block>,
    /// The `#### Senior angle` part, hidden until the reader asks for it.
    pub senior: Option<Senior>,
}

/// The hidden part of an interview question.
#[derive(Debug, Clone, PartialEq)]
pub struct Senior {
    /// The text of the `####` heading, shown on the disclosure button.
    pub label: Range<usize>,
    /// What follows the heading, up to the next question.
    pub body: Vec<Block>,
}

/// One item of a `reorder` list.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    /// The item's text (inline Markdown), without the list marker.
    pub text: Range<usize>,
    /// Derived from the text: items with the same text share a key, so
    /// either may stand in either place.
    pub key: String,
}

/// One item of a `checklist`.
#[derive(Debug, Clone, PartialEq)]
pub struct Task {
    /// The task's text (inline Markdown), without the `[ ]` marker.
    pub text: Range<usize>,
    /// Whether the author wrote `[x]` (the tick shown before any reader's).
    pub checked: bool,
    /// Storage id, derived from the text (unique in its component).
    pub id: String,
}

/// What a component asks of the Markdown renderer.
pub trait MarkdownSink {
    /// Renders `range` of the source as inline Markdown (no `<p>`).
    fn inline(&mut self, range: Range<usize>) -> String;
    /// Renders blocks (Markdown and nested components) in order.
    fn blocks(&mut self, blocks: &[Block]) -> String;
}

/// How much there is to track on a page: what the site-wide progress
/// display counts against.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Trackable {
    /// Flashcards, all components together.
    pub cards: usize,
    /// Checklist items, all components together.
    pub tasks: usize,
}

/// Splits `range` of `source` into Markdown and components. Problems
/// (unknown kinds, unclosed fences, content of the wrong shape) are
/// returned alongside whatever could be parsed.
pub fn parse(source: &SourceText, range: Range<usize>) -> (Vec<Block>, Vec<Diagnostic>) {
    fence::parse(source, range)
}

/// Renders one component to HTML. `page_key` is a stable identifier of the
/// page (its URL path), used for storage keys and the reorder shuffle.
pub fn render(component: &Component, page_key: &str, sink: &mut dyn MarkdownSink) -> String {
    html::render(component, page_key, sink)
}

/// Counts the flashcards and checklist items in `blocks`, nested
/// components included, so templates can show "0 of 8 cards" for a lesson
/// the reader has not opened yet.
pub fn trackable(blocks: &[Block]) -> Trackable {
    let mut total = Trackable::default();
    for block in blocks {
        if let Block::Component(component) = block {
            let nested = |blocks: &[Block]| trackable(blocks);
            let mut add = |t: Trackable| {
                total.cards += t.cards;
                total.tasks += t.tasks;
            };
            match &component.body {
                Body::Flashcards(cards) => {
                    add(Trackable {
                        cards: cards.len(),
                        tasks: 0,
                    });
                    cards.iter().for_each(|c| add(nested(&c.back)));
                }
                Body::Interview(questions) => {
                    for q in questions {
                        add(nested(&q.answer));
                        if let Some(senior) = &q.senior {
                            add(nested(&senior.body));
                        }
                    }
                }
                Body::Reorder(_) => {}
                Body::Checklist(tasks) => add(Trackable {
                    cards: 0,
                    tasks: tasks.len(),
                }),
                Body::Callout(blocks) => add(nested(blocks)),
            }
        }
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A compact outline of what `parse` read, then its diagnostics, so a
    /// test states the whole result at once.
    fn dump(text: &str) -> String {
        let source = SourceText::new("lesson.md", text);
        let (blocks, diagnostics) = parse(&source, 0..text.len());
        let mut out = String::new();
        dump_blocks(text, &blocks, 0, &mut out);
        for d in diagnostics {
            out.push_str(&format!("error {}:{}: {}", d.line, d.column, d.message));
            if let Some(help) = d.help {
                out.push_str(&format!(" | help: {help}"));
            }
            for note in d.notes {
                out.push_str(&format!(" | note: {note}"));
            }
            out.push('\n');
        }
        out
    }

    fn short(text: &str) -> String {
        text.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    fn dump_blocks(text: &str, blocks: &[Block], depth: usize, out: &mut String) {
        let pad = "  ".repeat(depth);
        for block in blocks {
            match block {
                Block::Markdown(r) => {
                    out.push_str(&format!("{pad}md {:?}\n", short(&text[r.clone()])))
                }
                Block::Component(c) => {
                    let title = c
                        .title
                        .clone()
                        .map_or(String::new(), |t| format!(" {:?}", &text[t]));
                    out.push_str(&format!("{pad}{}{title}\n", c.kind.name()));
                    match &c.body {
                        Body::Flashcards(cards) => {
                            for card in cards {
                                out.push_str(&format!(
                                    "{pad}  card {:?}\n",
                                    &text[card.front.clone()]
                                ));
                                dump_blocks(text, &card.back, depth + 2, out);
                            }
                        }
                        Body::Interview(questions) => {
                            for q in questions {
                                out.push_str(&format!(
                                    "{pad}  question {:?}\n",
                                    &text[q.question.clone()]
                                ));
                                dump_blocks(text, &q.answer, depth + 2, out);
                                if let Some(s) = &q.senior {
                                    out.push_str(&format!(
                                        "{pad}  senior {:?}\n",
                                        &text[s.label.clone()]
                                    ));
                                    dump_blocks(text, &s.body, depth + 2, out);
                                }
                            }
                        }
                        Body::Reorder(items) => {
                            for item in items {
                                out.push_str(&format!(
                                    "{pad}  item {:?}\n",
                                    &text[item.text.clone()]
                                ));
                            }
                        }
                        Body::Checklist(tasks) => {
                            for t in tasks {
                                let mark = if t.checked { "x" } else { " " };
                                out.push_str(&format!(
                                    "{pad}  [{mark}] {:?}\n",
                                    &text[t.text.clone()]
                                ));
                            }
                        }
                        Body::Callout(blocks) => dump_blocks(text, blocks, depth + 1, out),
                    }
                }
            }
        }
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
        let depth = fence::MAX_DEPTH + 3;
        let mut text = String::new();
        for level in 0..depth {
            text.push_str(&format!("{} note\n", ":".repeat(3 + depth - level)));
        }
        text.push_str("deep\n");
        for level in 0..depth {
            text.push_str(&format!("{}\n", ":".repeat(4 + level)));
        }
        let source = SourceText::new("lesson.md", text.as_str());
        let (blocks, diagnostics) = parse(&source, 0..text.len());
        let mut levels = 0;
        let mut current = &blocks;
        while let [Block::Component(c)] = current.as_slice() {
            levels += 1;
            let Body::Callout(inner) = &c.body else {
                panic!("a note holds Markdown")
            };
            current = inner;
        }
        assert_eq!(levels, fence::MAX_DEPTH);
        assert!(
            matches!(current.as_slice(), [Block::Markdown(_)]),
            "{current:?}"
        );
        assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
        let d = &diagnostics[0];
        assert_eq!((d.line, d.column), (fence::MAX_DEPTH + 1, 1));
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
        error 1:5: unknown component kind `flashcard` | help: did you mean `flashcards`? | note: known kinds: flashcards, interview, reorder, checklist, note, tip, warning, example"####,
        );
        check(
            "::: Note\nx\n:::\n::: sidebar\ny\n:::\n",
            r####"
        md "x"
        md "y"
        error 1:5: unknown component kind `Note` | help: did you mean `note`? | note: known kinds: flashcards, interview, reorder, checklist, note, tip, warning, example
        error 4:5: unknown component kind `sidebar` | help: use one of the known kinds after the colons | note: known kinds: flashcards, interview, reorder, checklist, note, tip, warning, example"####,
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
    fn every_problem_is_reported_in_one_run() {
        let text =
            "::: flashcard\nx\n:::\n::: reorder\n- a\n:::\n::: checklist\ntext\n:::\n::: note\n";
        let source = SourceText::new("lesson.md", text);
        let (_, diagnostics) = parse(&source, 0..text.len());
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
        let source = SourceText::new("a.md", text);
        let (blocks, diagnostics) = parse(&source, 9..text.len());
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        let [Block::Component(c)] = blocks.as_slice() else {
            panic!("{blocks:?}")
        };
        assert_eq!(&text[c.title.clone().expect("title")], "Quoted");
        assert_eq!(c.span, 9..text.len());
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
            let source = SourceText::new("f.md", text.as_str());
            #[allow(clippy::reversed_empty_ranges)]
            let ranges = [0..text.len(), 1..text.len(), 0..text.len() / 2, 3..2];
            for range in ranges {
                let (blocks, _) = parse(&source, range);
                let _ = trackable(&blocks);
            }
        }
    }

    #[test]
    fn counts_what_can_be_tracked() {
        let text = "::: flashcards\n### a\nb\n### c\nd\n:::\n:::: note\n::: checklist\n- [ ] x\n- [ ] y\n:::\n::::\n";
        let source = SourceText::new("a.md", text);
        let (blocks, diagnostics) = parse(&source, 0..text.len());
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        assert_eq!(trackable(&blocks), Trackable { cards: 2, tasks: 2 });
    }

    #[test]
    fn ids_are_stable_and_unique() {
        let text = "::: flashcards\n### Same\nx\n### Same\ny\n:::\n";
        let source = SourceText::new("a.md", text);
        let (blocks, _) = parse(&source, 0..text.len());
        let [
            Block::Component(Component {
                body: Body::Flashcards(cards),
                ..
            }),
        ] = blocks.as_slice()
        else {
            panic!("{blocks:?}")
        };
        assert_eq!(cards[0].id, stable_id("Same"));
        assert_eq!(cards[1].id, format!("{}-2", stable_id("Same")));
    }

    /// Records what a component asks of the renderer, in order.
    struct Recorder<'a> {
        text: &'a str,
        calls: Vec<String>,
    }

    impl MarkdownSink for Recorder<'_> {
        fn inline(&mut self, range: Range<usize>) -> String {
            let t = short(&self.text[range]);
            self.calls.push(format!("inline {t}"));
            format!("<i>{t}</i>")
        }
        fn blocks(&mut self, blocks: &[Block]) -> String {
            let mut out = String::new();
            for block in blocks {
                match block {
                    Block::Markdown(r) => {
                        let t = short(&self.text[r.clone()]);
                        self.calls.push(format!("blocks {t}"));
                        out.push_str(&format!("<p>{t}</p>"));
                    }
                    Block::Component(c) => out.push_str(&render(c, "/p/", self)),
                }
            }
            out
        }
    }

    fn render_all(text: &str) -> (String, Vec<String>) {
        let source = SourceText::new("a.md", text);
        let (blocks, diagnostics) = parse(&source, 0..text.len());
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        let mut sink = Recorder {
            text,
            calls: Vec::new(),
        };
        let html = sink.blocks(&blocks);
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
        fn parse_never_panics_and_spans_stay_inside(text in "(:{2,5}( ?[a-z]{0,9}( [\"a-zé]{0,6})?)?|#{3,4} [a-z ]{0,5}|[0-9]\\. [a-z]{0,4}|- \\[[ x]\\] [a-z]{0,4}|`{3,4}|~{3}|[a-zé ]{0,8}|\r)?(\n(:{2,5}( ?[a-z]{0,9})?|#{3,4} [a-z ]{0,5}|[0-9]\\. [a-z]{0,4}|- \\[[ x]\\] [a-z]{0,4}|`{3,4}|~{3}|[a-zé ]{0,8}))*") {
            let source = SourceText::new("p.md", text.as_str());
            let (blocks, diagnostics) = parse(&source, 0..text.len());
            fn inside(blocks: &[Block], len: usize) -> bool {
                blocks.iter().all(|b| match b {
                    Block::Markdown(r) => r.start <= r.end && r.end <= len,
                    Block::Component(c) => c.span.end <= len && c.inner.end <= len,
                })
            }
            proptest::prop_assert!(inside(&blocks, text.len()));
            for d in diagnostics {
                proptest::prop_assert!(d.line >= 1 && d.column >= 1);
            }
            let mut sink = Recorder { text: &text, calls: Vec::new() };
            let _ = sink.blocks(&blocks);
        }
    }
}
