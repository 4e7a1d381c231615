//! Reading a component's content according to its kind.
//!
//! The pairing walk hands over the events between a component's fences.
//! Here only their top level is looked at: the `###` headings that start
//! cards and questions, the `#### Senior angle` headings, the one list of
//! a `reorder` or `checklist`, and nested components, each taken as one
//! block. Content of the wrong shape is reported with the place it is at,
//! and what could be read is kept.

use std::collections::HashMap;
use std::ops::Range;

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Tag};

use super::{
    Card, Choice, Component, Item, Kind, MAX_VARIANTS, Question, QuizQuestion, Senior, Shape,
    Spanned, Task, Vary, quiz, stable_id,
};
use crate::diagnostics::{Diagnostic, SourceText};

/// What the pairing walk knows about a component.
pub(super) struct Fenced<'c> {
    pub kind: Kind,
    /// From the first colon to the end of the kind's name.
    pub head: Range<usize>,
    /// The title's events.
    pub title: Option<Range<usize>>,
    /// The component's bytes.
    pub span: Range<usize>,
    /// The component's events, fences included.
    pub events: Range<usize>,
    /// The events between the fences.
    pub inner: Range<usize>,
    /// The bytes between the fence lines.
    pub inner_span: Range<usize>,
    /// The events of the components directly inside, in order.
    pub children: &'c [Range<usize>],
}

pub(super) fn build(
    source: &SourceText,
    events: &[Spanned<'_>],
    fences: &[Range<usize>],
    fenced: &Fenced<'_>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Component {
    let mut reader = Reader {
        source,
        outline: Outline {
            events,
            fences,
            children: fenced.children,
        },
        fenced,
        diagnostics,
    };
    let inner = fenced.inner.clone();
    let body = match fenced.kind {
        Kind::Flashcards => Shape::Flashcards(reader.flashcards(inner)),
        Kind::Interview => Shape::Interview(reader.interview(inner)),
        Kind::Reorder => Shape::Reorder(reader.reorder(inner)),
        Kind::Checklist => Shape::Checklist(reader.checklist(inner)),
        Kind::Note | Kind::Tip | Kind::Warning | Kind::Example => Shape::Callout(inner),
        Kind::Explore => Shape::Explore(reader.explore(inner)),
        Kind::Quiz => Shape::Quiz(reader.quiz(inner)),
    };
    let key = stable_id(&format!(
        "{}\n{}",
        fenced.kind.name(),
        source
            .text
            .get(fenced.inner_span.clone())
            .unwrap_or_default()
    ));
    Component {
        span: fenced.span.clone(),
        events: fenced.events.clone(),
        kind: fenced.kind,
        title: fenced.title.clone(),
        body,
        key,
    }
}

struct Reader<'a, 'e> {
    source: &'a SourceText,
    outline: Outline<'a, 'e>,
    fenced: &'a Fenced<'a>,
    diagnostics: &'a mut Vec<Diagnostic>,
}

/// A stretch of a component that starts with a heading (a card, a
/// question).
struct Part {
    /// The heading's bytes.
    heading: Range<usize>,
    /// The heading's text, as written.
    text: Range<usize>,
    /// The heading's content events.
    inline: Range<usize>,
    /// The id the author gave the heading (`### Front {#id}`), which the
    /// Markdown parse has already taken out of its text.
    id: Option<String>,
    /// The events after the heading, up to the next section.
    body: Range<usize>,
}

impl<'a> Reader<'a, '_> {
    fn text(&self) -> &'a str {
        &self.source.text
    }

    fn name(&self) -> &'static str {
        self.fenced.kind.name()
    }

    /// An error pointing at the opening fence.
    fn at_fence(&mut self, message: String, help: &str) {
        let diagnostic = Diagnostic::at(self.source, self.fenced.head.clone(), message)
            .with_label(format!("this `{}` component", self.name()))
            .with_help(help.to_string());
        self.diagnostics.push(diagnostic);
    }

    fn at(&mut self, span: Range<usize>, message: String, label: &str, help: &str) {
        let diagnostic = Diagnostic::at(self.source, span, message)
            .with_label(label.to_string())
            .with_help(help.to_string());
        self.diagnostics.push(diagnostic);
    }

    /// The rest of the line from `start`, for underlining stray content.
    fn line_from(&self, start: usize) -> Range<usize> {
        start..line_end(self.text(), start)
    }

    fn flashcards(&mut self, inner: Range<usize>) -> Vec<Card> {
        let (before, sections) = self.split(inner, HeadingLevel::H3, &|_| true);
        if let Some(start) = self.outline.first_content(before) {
            let help = wrong_level_help(self.text(), start, "a card")
                .unwrap_or_else(|| "start every card with a `### front` heading, or move this text out of the component".into());
            self.at(
                self.line_from(start),
                "text before the first card in `flashcards`".into(),
                "not part of any card",
                &help,
            );
        }
        if sections.is_empty() {
            self.at_fence(
                "`flashcards` component has no cards".into(),
                "write each card as a `### front` heading followed by its back",
            );
        }
        let mut ids = Ids::default();
        let mut explicit = HashMap::new();
        let mut cards = Vec::new();
        for section in sections {
            let front = &self.text()[section.text.clone()];
            if section.text.is_empty() {
                self.at(
                    section.heading.clone(),
                    "flashcard with an empty front".into(),
                    "no text after `###`",
                    "write the card's question or term after `###`",
                );
            } else if self.outline.first_content(section.body.clone()).is_none() {
                let message = format!("flashcard `{}` has no back", front.trim());
                self.at(
                    section.text.clone(),
                    message,
                    "nothing follows this front",
                    "write the answer on the lines after the heading",
                );
            }
            // An id the author wrote (`### Front {#id}`) names the card for
            // good, so its front can be reworded without losing it.
            let id = match section.id {
                Some(id) => {
                    let line = self.source.locate(section.heading.start).0;
                    if let Some(first) = explicit.get(&id).copied() {
                        self.at(
                            section.heading.clone(),
                            format!("two cards of this `flashcards` component have the id `{id}`"),
                            "the second card with this id",
                            &format!("the card on line {first} has it already: give each card its own `{{#id}}`"),
                        );
                    } else {
                        explicit.insert(id.clone(), line);
                    }
                    ids.unique(id)
                }
                None => ids.unique(stable_id(front)),
            };
            cards.push(Card {
                front: section.inline,
                back: section.body,
                id,
            });
        }
        cards
    }

    fn interview(&mut self, inner: Range<usize>) -> Vec<Question> {
        let (before, sections) = self.split(inner, HeadingLevel::H3, &|_| true);
        if let Some(start) = self.outline.first_content(before) {
            let help = wrong_level_help(self.text(), start, "a question").unwrap_or_else(|| {
                "start every question with a `### question` heading, or move this text out of the component".into()
            });
            self.at(
                self.line_from(start),
                "text before the first question in `interview`".into(),
                "not part of any question",
                &help,
            );
        }
        if sections.is_empty() {
            self.at_fence(
                "`interview` component has no questions".into(),
                "write each question as a `### question` heading followed by its answer",
            );
        }
        sections
            .into_iter()
            .map(|section| self.question(section))
            .collect()
    }

    fn question(&mut self, section: Part) -> Question {
        let (answer, mut seniors) =
            self.split(section.body.clone(), HeadingLevel::H4, &is_senior_angle);
        // As with flashcards, a missing question is the one problem
        // reported for its heading.
        if section.text.is_empty() {
            self.at(
                section.heading.clone(),
                "interview question with no text".into(),
                "no text after `###`",
                "write the question after `###`",
            );
        } else if self.outline.first_content(answer.clone()).is_none() {
            let message = format!(
                "interview question `{}` has no answer",
                self.text()[section.text.clone()].trim()
            );
            self.at(
                section.text.clone(),
                message,
                "nothing answers this question",
                "write the answer under the question, before any `#### Senior angle`",
            );
        }
        for extra in seniors.iter().skip(1) {
            self.at(
                extra.heading.clone(),
                "a second `#### Senior angle` in one question".into(),
                "already has a senior angle",
                "merge the two senior angles, or start a new `###` question",
            );
        }
        let senior = (!seniors.is_empty())
            .then(|| seniors.swap_remove(0))
            .map(|s| {
                if self.outline.first_content(s.body.clone()).is_none() {
                    self.at(
                        s.heading.clone(),
                        "empty senior angle".into(),
                        "nothing follows this heading",
                        "write the senior angle under the heading, or remove the heading",
                    );
                }
                Senior {
                    label: s.inline,
                    body: s.body,
                }
            });
        Question {
            question: section.inline,
            answer,
            senior,
        }
    }

    fn reorder(&mut self, inner: Range<usize>) -> Vec<Item> {
        let Some((ordered, list_span, items)) = self.one_list(inner, "one ordered list") else {
            return Vec::new();
        };
        if !ordered {
            self.at(
                self.line_from(list_span.start),
                "the list in a `reorder` must be numbered".into(),
                "a bulleted list",
                "write the items as `1.`, `2.`, … in the correct order",
            );
        }
        let mut out = Vec::new();
        for item in items {
            if let Some((text, inline)) = self.item_text(&item) {
                out.push(Item {
                    key: stable_id(&self.text()[text]),
                    text: inline,
                });
            }
        }
        if out.len() < 2 {
            self.at_fence(
                format!("a `reorder` needs at least two items, found {}", out.len()),
                "list every step of the flow, in the correct order",
            );
        }
        out
    }

    fn checklist(&mut self, inner: Range<usize>) -> Vec<Task> {
        let Some((_, _, items)) = self.one_list(inner, "one task list") else {
            return Vec::new();
        };
        let mut ids = Ids::default();
        let mut tasks = Vec::new();
        for item in items {
            if item.task.is_none() {
                self.at(
                    self.line_from(item.span.start),
                    "checklist item without a checkbox".into(),
                    "no `[ ]` here",
                    "start the item with `[ ]` (or `[x]` if it starts ticked): `- [ ] …`",
                );
            }
            if let Some((text, inline)) = self.item_text(&item) {
                let id = ids.unique(stable_id(&self.text()[text]));
                tasks.push(Task {
                    text: inline,
                    checked: item.task == Some(true),
                    id,
                });
            }
        }
        tasks
    }

    fn quiz(&mut self, inner: Range<usize>) -> Vec<QuizQuestion> {
        let (before, sections) = self.split(inner, HeadingLevel::H3, &|_| true);
        if let Some(start) = self.outline.first_content(before) {
            let help = wrong_level_help(self.text(), start, "a question").unwrap_or_else(|| {
                "start every question with a `### question` heading, or move this text out of the quiz".into()
            });
            self.at(
                self.line_from(start),
                "text before the first question in `quiz`".into(),
                "not part of any question",
                &help,
            );
        }
        if sections.is_empty() {
            self.at_fence(
                "`quiz` component has no questions".into(),
                "write each question as a `### question` heading followed by its choices (`- [ ] …`, `- [x] …`) or an `answer:` line",
            );
        }
        let mut ids = Ids::default();
        sections
            .into_iter()
            .map(|section| {
                let id = ids.unique(stable_id(&self.text()[section.text.clone()]));
                self.quiz_question(&section, id)
            })
            .collect()
    }

    /// One quiz question: its choices or `answer:` line right after the
    /// heading, then its explanation.
    fn quiz_question(&mut self, section: &Part, id: String) -> QuizQuestion {
        let blocks = self.outline.blocks(section.body.clone());
        let mut question = QuizQuestion {
            prompt: section.inline.clone(),
            choices: Vec::new(),
            answer: None,
            explanation: section.body.clone(),
            id,
        };
        let prompt = self.text()[section.text.clone()].trim().to_string();
        if prompt.is_empty() {
            self.at(
                section.heading.clone(),
                "quiz question with no text".into(),
                "no text after `###`",
                "write the question after `###`",
            );
        }
        let mut blocks = blocks.into_iter();
        // A malformed `answer:` line is the one problem reported for it.
        let mut answer_line = false;
        match blocks.next() {
            Some(block) if Self::is_choice_list(&block) => {
                question.explanation.start = block.events.end;
                if let Top::List { items, .. } = block.top {
                    question.choices = self.quiz_choices(items);
                }
            }
            Some(block) if self.is_answer_line(&block) => {
                question.explanation.start = block.events.end;
                question.answer = self.answer_line(block.span);
                answer_line = true;
            }
            _ => {}
        }
        let right = question.choices.iter().any(|c| c.right);
        if !right && !answer_line && !prompt.is_empty() {
            let (message, help) = if question.choices.is_empty() {
                (
                    format!("quiz question `{prompt}` has no choices and no answer"),
                    "right after the question, list the choices as a task list with `[x]` on the right ones, or write an `answer:` line",
                )
            } else {
                (
                    format!("quiz question `{prompt}` has no right choice"),
                    "mark the right choice with `[x]` (several `[x]` make it \"select all that apply\")",
                )
            };
            self.at(
                section.text.clone(),
                message,
                "no way to grade this question",
                help,
            );
        }
        for block in blocks {
            if Self::is_choice_list(&block) || self.is_answer_line(&block) {
                self.at(
                    self.line_from(block.span.start),
                    "a quiz question has one list of choices or one `answer:` line, right after the question".into(),
                    "after the question's choices or answer",
                    "keep one list of choices or one `answer:` line under each `###` question; start a new question for another",
                );
            }
        }
        question
    }

    fn is_choice_list(block: &Block) -> bool {
        matches!(&block.top, Top::List { items, .. } if items.iter().any(|i| i.task.is_some()))
    }

    fn is_answer_line(&self, block: &Block) -> bool {
        matches!(block.top, Top::Other) && quiz::is_answer_line(&self.text()[block.span.clone()])
    }

    fn quiz_choices(&mut self, items: Vec<ListItem>) -> Vec<Choice> {
        let mut choices = Vec::new();
        let mut seen: Vec<String> = Vec::new();
        for item in items {
            if item.task.is_none() {
                self.at(
                    self.line_from(item.span.start),
                    "quiz choice without a checkbox".into(),
                    "no `[ ]` or `[x]` here",
                    "start each choice with `[ ]`, or `[x]` for a right one: `- [x] …`",
                );
            }
            let Some((text, inline)) = self.item_text(&item) else {
                continue;
            };
            let written = self.text()[text.clone()]
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            if seen.contains(&written) {
                self.at(
                    text,
                    format!("the choice `{written}` is listed twice"),
                    "the same as an earlier choice",
                    "make every choice of a question different, or remove this one",
                );
                continue;
            }
            seen.push(written);
            choices.push(Choice {
                text: inline,
                right: item.task == Some(true),
            });
        }
        if choices.len() == 1 {
            self.at(
                self.line_from(choices_start(&self.outline, &choices)),
                "a quiz question with choices needs at least two".into(),
                "the only choice",
                "add the wrong answers a learner might pick, or write an `answer:` line instead",
            );
        }
        choices
    }

    /// Reads the `answer:` paragraph at `span`.
    fn answer_line(&mut self, span: Range<usize>) -> Option<super::TypedAnswer> {
        match quiz::read_answer_line(self.text(), span) {
            Ok(answer) => Some(answer),
            Err(problem) => {
                self.at(problem.span, problem.message, problem.label, problem.help);
                None
            }
        }
    }

    /// An `explore`: one calc block and one `vary:` paragraph, in either
    /// order; anything else inside is reported.
    fn explore(&mut self, inner: Range<usize>) -> Option<Vary> {
        let mut code = None;
        let mut vary = None;
        for block in self.outline.blocks(inner) {
            let events = self.outline.events;
            let calc = matches!(&events[block.events.start].0,
                Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) if info.trim() == "calc");
            let text = &self.text()[block.span.clone()];
            if calc && code.is_none() {
                let content = block.events.start + 1..block.events.end - 1;
                code = Some(self.outline.text_span(content));
            } else if text.starts_with("vary:") && vary.is_none() {
                vary = Some(block.span.clone());
            } else {
                self.at(
                    self.line_from(block.span.start),
                    "an `explore` holds one calc block and one `vary:` line, nothing else".into(),
                    "not part of the explorer",
                    "move this text before or after the component",
                );
            }
        }
        let code = code.filter(|c| !c.is_empty());
        if code.is_none() {
            self.at_fence(
                "an `explore` needs a calc block with one `>>>` input".into(),
                "write the input to vary in a ```calc block inside the component",
            );
        }
        let Some(line) = vary else {
            self.at_fence(
                "an `explore` needs a `vary:` line".into(),
                "write the parameter and its values after the calc block: `vary: alpha in [0.01, 0.1, 0.5]`",
            );
            return None;
        };
        let vary = self.vary_line(line);
        Some(Vary {
            code: code?,
            ..vary?
        })
    }

    /// Reads `vary: NAME in [v1, v2, …]` at `line`.
    fn vary_line(&mut self, line: Range<usize>) -> Option<Vary> {
        const SYNTAX: &str =
            "write `vary: NAME in [v1, v2, …]`, as in `vary: alpha in [0.01, 0.1, 0.5]`";
        let text = &self.text()[line.clone()];
        let after = text["vary:".len()..].trim_start();
        let name_start = line.start + (text.len() - after.len());
        let name_len = after
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(after.len());
        let name = &after[..name_len];
        let rest = after[name_len..].trim_start();
        let list = rest.strip_prefix("in").map(str::trim);
        let Some(list) = list
            .filter(|_| !name.is_empty())
            .and_then(|l| l.strip_prefix('['))
            .and_then(|l| l.strip_suffix(']'))
        else {
            self.at(
                line,
                "a `vary:` line that cannot be read".into(),
                "here",
                SYNTAX,
            );
            return None;
        };
        let list_start = line.start + text.rfind(list).unwrap_or(0);
        let mut values = Vec::new();
        let mut offset = 0;
        for part in list.split(',') {
            let value = part.trim();
            let at = list_start + offset + (part.len() - part.trim_start().len());
            offset += part.len() + 1;
            let number = value.parse::<f64>().ok().filter(|n| n.is_finite());
            let problem = match number {
                None if value.is_empty() => Some("an empty value in `vary:`".to_string()),
                None => Some(format!("`{value}` is not a number")),
                Some(n)
                    if values
                        .iter()
                        .any(|v: &String| v.parse::<f64>().ok() == Some(n)) =>
                {
                    Some(format!("`{value}` is listed twice in `vary:`"))
                }
                Some(_) => None,
            };
            if let Some(message) = problem {
                self.at(
                    at..at + value.len().max(1),
                    message,
                    "each value of `vary:` is a different number",
                    "write decimal numbers, as in `0.5`, `1e-3` or `-2`, each once",
                );
                return None;
            }
            values.push(value.to_string());
        }
        if !(2..=MAX_VARIANTS).contains(&values.len()) {
            self.at(
                line,
                format!(
                    "`vary:` lists {} values; an explorer shows 2 to {MAX_VARIANTS}",
                    values.len()
                ),
                "here",
                "keep the values that show something different",
            );
            return None;
        }
        Some(Vary {
            code: 0..0,
            name: name.to_string(),
            name_span: name_start..name_start + name.len(),
            values,
        })
    }

    /// The text of a list item (its bytes and its events), reporting items
    /// that are empty or hold more than one paragraph of text.
    fn item_text(&mut self, item: &ListItem) -> Option<(Range<usize>, Range<usize>)> {
        let name = self.name();
        if let Some(extra) = &item.extra {
            self.at(
                self.line_from(extra.start),
                format!("each item of a `{name}` is a single paragraph of text"),
                "a second block inside the item",
                "shorten the item to one line, or move the details out of the component",
            );
        }
        if item.text.is_none() {
            self.at(
                self.line_from(item.span.start),
                format!("empty item in a `{name}`"),
                "nothing after the marker",
                "write the item's text, or remove the line",
            );
        }
        item.text.clone().map(|text| (text, item.inline.clone()))
    }

    /// The one list a `reorder` or `checklist` holds: whether it is ordered,
    /// its span and its items. Anything else inside is reported.
    fn one_list(
        &mut self,
        inner: Range<usize>,
        what: &str,
    ) -> Option<(bool, Range<usize>, Vec<ListItem>)> {
        let name = self.name();
        let mut found: Option<(bool, Range<usize>, Vec<ListItem>)> = None;
        for block in self.outline.blocks(inner) {
            let line = self.line_from(block.span.start);
            match block.top {
                Top::List { ordered, items } if found.is_none() => {
                    found = Some((ordered, block.span, items));
                }
                Top::List { .. } => self.at(
                    line,
                    format!("a `{name}` holds {what}; this is a second list"),
                    "a second list",
                    "join the lists; note that changing the marker (`-` to `*`, `1.` to `1)`) starts a new list",
                ),
                Top::Component => self.at(
                    line,
                    format!("a `{name}` holds only {what}, not other components"),
                    "a nested component",
                    "move this component before or after the list",
                ),
                Top::Heading { .. } | Top::Other => self.at(
                    line,
                    format!("a `{name}` holds only {what}"),
                    "not part of the list",
                    "move this text before or after the component, or into an item",
                ),
            }
        }
        if found.is_none() {
            let help = match self.fenced.kind {
                Kind::Reorder => "write the steps as a numbered list (`1. …`) in the correct order",
                _ => "write the items as a task list: `- [ ] …`",
            };
            self.at_fence(format!("`{name}` component without {what}"), help);
        }
        found
    }

    /// Splits `range` at the top-level headings of `level` that `accept`
    /// takes: the events before the first one, and a section per heading.
    fn split(
        &self,
        range: Range<usize>,
        level: HeadingLevel,
        accept: &dyn Fn(&str) -> bool,
    ) -> (Range<usize>, Vec<Part>) {
        let mut sections: Vec<Part> = Vec::new();
        let mut before = range.clone();
        for block in self.outline.blocks(range.clone()) {
            let Top::Heading { level: l, text, id } = block.top else {
                continue;
            };
            if l != level || !accept(&self.text()[text.clone()]) {
                continue;
            }
            match sections.last_mut() {
                Some(last) => last.body.end = block.events.start,
                None => before.end = block.events.start,
            }
            sections.push(Part {
                heading: block.span,
                text,
                inline: block.events.start + 1..block.events.end - 1,
                id,
                body: block.events.end..range.end,
            });
        }
        (before, sections)
    }
}

/// Where the first choice's events start, in bytes.
fn choices_start(outline: &Outline<'_, '_>, choices: &[Choice]) -> usize {
    choices
        .first()
        .and_then(|c| outline.events.get(c.text.start))
        .map_or(0, |(_, span)| span.start)
}

/// Hands out ids, suffixing repeats so every id in a component is unique.
#[derive(Default)]
struct Ids(HashMap<String, usize>);

impl Ids {
    fn unique(&mut self, id: String) -> String {
        let seen = self.0.entry(id.clone()).or_insert(0);
        *seen += 1;
        if *seen == 1 {
            id
        } else {
            format!("{id}-{seen}")
        }
    }
}

/// When the stray text at `start` is an ATX heading of another level, a
/// hint that `what` needs exactly three `#`.
fn wrong_level_help(text: &str, start: usize, what: &str) -> Option<String> {
    let line = &text[start..line_end(text, start)];
    let hashes = line.bytes().take_while(|&b| b == b'#').count();
    let heading = (1..=6).contains(&hashes)
        && matches!(line.as_bytes().get(hashes), None | Some(b' ' | b'\t'));
    (heading && hashes != 3).then(|| {
        format!(
            "{what} starts with a heading of exactly three `#`: write `###` instead of `{}`",
            &line[..hashes]
        )
    })
}

fn is_senior_angle(heading: &str) -> bool {
    let lower = heading.trim().to_lowercase();
    lower.starts_with("senior angle")
}

fn line_end(text: &str, from: usize) -> usize {
    let from = from.min(text.len());
    text[from..]
        .find(['\n', '\r'])
        .map_or(text.len(), |i| from + i)
}

/// One top-level block of a component's content.
struct Block {
    /// Its events.
    events: Range<usize>,
    /// Its bytes.
    span: Range<usize>,
    top: Top,
}

/// What a top-level block is.
enum Top {
    /// A heading, with its text as written.
    Heading {
        level: HeadingLevel,
        text: Range<usize>,
        /// Its explicit id (`{#id}`), if any.
        id: Option<String>,
    },
    List {
        ordered: bool,
        items: Vec<ListItem>,
    },
    /// A nested component.
    Component,
    /// Anything else: a paragraph, code, a table, a rule, raw HTML.
    Other,
}

struct ListItem {
    /// The item's bytes.
    span: Range<usize>,
    /// `Some(checked)` for a task-list item.
    task: Option<bool>,
    /// The bytes of the inline text, without marker and checkbox.
    text: Option<Range<usize>>,
    /// The events of the inline text.
    inline: Range<usize>,
    /// The bytes of the first block inside the item beyond its one
    /// paragraph.
    extra: Option<Range<usize>>,
}

/// The top level of a stretch of events, nested components taken whole.
struct Outline<'a, 'e> {
    events: &'a [Spanned<'e>],
    /// Every fence heading: those that are not a nested component's
    /// (unknown kinds) are skipped.
    fences: &'a [Range<usize>],
    /// The nested components.
    children: &'a [Range<usize>],
}

impl Outline<'_, '_> {
    /// The top-level blocks of `range`, in order.
    fn blocks(&self, range: Range<usize>) -> Vec<Block> {
        let mut blocks = Vec::new();
        let mut i = range.start;
        while i < range.end {
            if let Some(child) = starting_at(self.children, i) {
                blocks.push(Block {
                    span: self.span_of(child.clone()),
                    events: child.clone(),
                    top: Top::Component,
                });
                i = child.end;
                continue;
            }
            if let Some(fence) = starting_at(self.fences, i) {
                i = fence.end;
                continue;
            }
            let end = self.block_end(i, range.end);
            let top = match &self.events[i].0 {
                Event::Start(Tag::Heading { level, id, .. }) => Top::Heading {
                    level: *level,
                    text: self.text_span(i + 1..end - 1),
                    id: id.as_ref().map(|id| id.to_string()),
                },
                Event::Start(Tag::List(first)) => Top::List {
                    ordered: first.is_some(),
                    items: self.items(i + 1..end - 1),
                },
                _ => Top::Other,
            };
            blocks.push(Block {
                span: self.span_of(i..end),
                events: i..end,
                top,
            });
            i = end;
        }
        blocks
    }

    /// Where the first content of `range` starts, if it has any.
    fn first_content(&self, range: Range<usize>) -> Option<usize> {
        self.blocks(range).first().map(|b| b.span.start)
    }

    /// The index after the block that starts at `i` (a run of inline
    /// events counts as one block), at most `limit`.
    fn block_end(&self, i: usize, limit: usize) -> usize {
        match &self.events[i].0 {
            Event::Start(tag) if !is_inline(tag) => matching_end(self.events, i).min(limit),
            _ => {
                let mut j = i;
                while j < limit && is_inline_event(&self.events[j].0) {
                    j = matching_end(self.events, j).min(limit);
                }
                j.max(i + 1)
            }
        }
    }

    fn items(&self, range: Range<usize>) -> Vec<ListItem> {
        let mut items = Vec::new();
        let mut i = range.start;
        while i < range.end {
            let end = matching_end(self.events, i).min(range.end);
            if matches!(self.events[i].0, Event::Start(Tag::Item)) {
                items.push(self.item(i, end));
            }
            i = end;
        }
        items
    }

    /// Reads the item whose events are `start..end` (its own start and end
    /// events included).
    fn item(&self, start: usize, end: usize) -> ListItem {
        let inner_end = end.saturating_sub(1).max(start + 1);
        let mut j = start + 1;
        let mut task = None;
        let mut take_task = |j: &mut usize| {
            if let Some((Event::TaskListMarker(checked), _)) = self.events.get(*j)
                && *j < inner_end
            {
                task = Some(*checked);
                *j += 1;
            }
        };
        take_task(&mut j);
        let mut inline = j..j;
        if j < inner_end {
            match &self.events[j].0 {
                Event::Start(Tag::Paragraph) => {
                    let para_end = matching_end(self.events, j).min(inner_end);
                    let mut k = j + 1;
                    take_task(&mut k);
                    inline = k..para_end.saturating_sub(1).max(k);
                    j = para_end;
                }
                e if is_inline_event(e) => {
                    let run_end = self.block_end(j, inner_end);
                    inline = j..run_end;
                    j = run_end;
                }
                _ => {}
            }
        }
        ListItem {
            span: self.events[start].1.clone(),
            task,
            text: (!inline.is_empty()).then(|| self.text_span(inline.clone())),
            inline,
            extra: (j < inner_end).then(|| self.events[j].1.clone()),
        }
    }

    /// The bytes that the events `range` cover.
    fn span_of(&self, range: Range<usize>) -> Range<usize> {
        let spans = self.events[range].iter().map(|(_, s)| s);
        let start = spans.clone().map(|s| s.start).min().unwrap_or(0);
        let end = spans.map(|s| s.end).max().unwrap_or(start);
        start..end
    }

    /// The bytes of the inline events `range`: the text as written. Empty
    /// (at the first event) when there are none.
    fn text_span(&self, range: Range<usize>) -> Range<usize> {
        if range.is_empty() {
            let at = self.events.get(range.start).map_or(0, |(_, s)| s.start);
            return at..at;
        }
        self.span_of(range)
    }
}

/// The range in `ranges` (sorted) that starts at `i`.
fn starting_at(ranges: &[Range<usize>], i: usize) -> Option<&Range<usize>> {
    let k = ranges.partition_point(|r| r.start < i);
    ranges.get(k).filter(|r| r.start == i)
}

/// The index after the end event matching the start event at `i` (or
/// `i + 1` for any other event).
fn matching_end(events: &[Spanned<'_>], i: usize) -> usize {
    if !matches!(events[i].0, Event::Start(_)) {
        return i + 1;
    }
    let mut depth = 0usize;
    for (k, (event, _)) in events.iter().enumerate().skip(i) {
        match event {
            Event::Start(_) => depth += 1,
            Event::End(_) => {
                depth -= 1;
                if depth == 0 {
                    return k + 1;
                }
            }
            _ => {}
        }
    }
    events.len()
}

fn is_inline(tag: &Tag) -> bool {
    matches!(
        tag,
        Tag::Emphasis
            | Tag::Strong
            | Tag::Strikethrough
            | Tag::Superscript
            | Tag::Subscript
            | Tag::Link { .. }
            | Tag::Image { .. }
    )
}

/// Whether `event` is part of inline content.
fn is_inline_event(event: &Event<'_>) -> bool {
    match event {
        Event::Start(tag) => is_inline(tag),
        Event::Text(_)
        | Event::Code(_)
        | Event::InlineMath(_)
        | Event::DisplayMath(_)
        | Event::InlineHtml(_)
        | Event::FootnoteReference(_)
        | Event::SoftBreak
        | Event::HardBreak => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn senior_angle_headings() {
        assert!(is_senior_angle("Senior angle"));
        assert!(is_senior_angle("senior angle: scaling"));
        assert!(!is_senior_angle("Junior angle"));
    }

    #[test]
    fn wrong_levels_get_a_hint() {
        let text = "## Two\n#### Four\n### Three\nplain\n";
        let hint = |at| wrong_level_help(text, at, "a card");
        assert!(hint(0).is_some_and(|h| h.contains("instead of `##`")));
        assert!(hint(7).is_some_and(|h| h.contains("instead of `####`")));
        assert_eq!(hint(17), None);
        assert_eq!(hint(27), None);
    }
}
