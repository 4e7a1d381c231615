//! Reading a component's content according to its kind.
//!
//! The fence scanner hands over the blocks between a component's fences
//! (Markdown ranges and nested components). Here pulldown-cmark looks at
//! the top level of those Markdown ranges only, to find the `###` headings
//! that start cards and questions, the `#### Senior angle` headings, and
//! the one list of a `reorder` or `checklist`. Content of the wrong shape
//! is reported with the place it is at, and what could be read is kept.

use std::collections::HashMap;
use std::ops::Range;

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use super::fence::push_markdown;
use super::{Block, Body, Card, Component, Item, Kind, Question, Senior, Task, stable_id};
use crate::diagnostics::{Diagnostic, SourceText};

/// What the fence scanner knows about a component.
pub(super) struct Fenced {
    pub kind: Kind,
    /// From the first colon to the end of the kind's name.
    pub head: Range<usize>,
    pub title: Option<Range<usize>>,
    pub span: Range<usize>,
    pub inner: Range<usize>,
}

pub(super) fn build(
    source: &SourceText,
    fenced: Fenced,
    blocks: Vec<Block>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Component {
    let text = source.text.as_str();
    let mut reader = Reader {
        source,
        fenced: &fenced,
        diagnostics,
    };
    let body = match fenced.kind {
        Kind::Flashcards => Body::Flashcards(reader.flashcards(blocks)),
        Kind::Interview => Body::Interview(reader.interview(blocks)),
        Kind::Reorder => Body::Reorder(reader.reorder(blocks)),
        Kind::Checklist => Body::Checklist(reader.checklist(blocks)),
        Kind::Note | Kind::Tip | Kind::Warning | Kind::Example => Body::Callout(blocks),
    };
    let key = stable_id(&format!(
        "{}\n{}",
        fenced.kind.name(),
        &text[fenced.inner.clone()]
    ));
    Component {
        span: fenced.span,
        kind: fenced.kind,
        title: fenced.title,
        inner: fenced.inner,
        body,
        key,
    }
}

struct Reader<'a> {
    source: &'a SourceText,
    fenced: &'a Fenced,
    diagnostics: &'a mut Vec<Diagnostic>,
}

/// A stretch of content that starts with a heading.
struct Section {
    /// The heading line(s).
    heading: Range<usize>,
    /// The heading's text.
    text: Range<usize>,
    blocks: Vec<Block>,
}

impl<'a> Reader<'a> {
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

    fn flashcards(&mut self, blocks: Vec<Block>) -> Vec<Card> {
        let (before, sections) = split(self.text(), blocks, HeadingLevel::H3, &|_| true);
        if let Some(start) = first_content(self.text(), &before) {
            let help = wrong_level_help(self.text(), start, "a card")
                .unwrap_or_else(|| "start every card with a `### front` heading, or move this text out of the component".into());
            self.at(
                start..line_end(self.text(), start),
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
            } else if first_content(self.text(), &section.blocks).is_none() {
                let message = format!("flashcard `{}` has no back", front.trim());
                self.at(
                    section.text.clone(),
                    message,
                    "nothing follows this front",
                    "write the answer on the lines after the heading",
                );
            }
            let id = ids.unique(stable_id(front));
            cards.push(Card {
                front: section.text,
                back: section.blocks,
                id,
            });
        }
        cards
    }

    fn interview(&mut self, blocks: Vec<Block>) -> Vec<Question> {
        let (before, sections) = split(self.text(), blocks, HeadingLevel::H3, &|_| true);
        if let Some(start) = first_content(self.text(), &before) {
            let help = wrong_level_help(self.text(), start, "a question").unwrap_or_else(|| {
                "start every question with a `### question` heading, or move this text out of the component".into()
            });
            self.at(
                start..line_end(self.text(), start),
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
        let mut questions = Vec::new();
        for section in sections {
            let (answer, mut seniors) = split(
                self.text(),
                section.blocks,
                HeadingLevel::H4,
                &is_senior_angle,
            );
            // As with flashcards, a missing question is the one problem
            // reported for its heading.
            if section.text.is_empty() {
                self.at(
                    section.heading.clone(),
                    "interview question with no text".into(),
                    "no text after `###`",
                    "write the question after `###`",
                );
            } else if first_content(self.text(), &answer).is_none() {
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
                    if first_content(self.text(), &s.blocks).is_none() {
                        self.at(
                            s.heading.clone(),
                            "empty senior angle".into(),
                            "nothing follows this heading",
                            "write the senior angle under the heading, or remove the heading",
                        );
                    }
                    Senior {
                        label: s.text,
                        body: s.blocks,
                    }
                });
            questions.push(Question {
                question: section.text,
                answer,
                senior,
            });
        }
        questions
    }

    fn reorder(&mut self, blocks: Vec<Block>) -> Vec<Item> {
        let Some((ordered, list_span, items)) = self.one_list(blocks, "one ordered list") else {
            return Vec::new();
        };
        if !ordered {
            self.at(
                list_span.start..line_end(self.text(), list_span.start),
                "the list in a `reorder` must be numbered".into(),
                "a bulleted list",
                "write the items as `1.`, `2.`, … in the correct order",
            );
        }
        let mut out = Vec::new();
        for item in items {
            if let Some(text) = self.item_text(&item) {
                out.push(Item {
                    key: stable_id(&self.text()[text.clone()]),
                    text,
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

    fn checklist(&mut self, blocks: Vec<Block>) -> Vec<Task> {
        let Some((_, _, items)) = self.one_list(blocks, "one task list") else {
            return Vec::new();
        };
        let mut ids = Ids::default();
        let mut tasks = Vec::new();
        for item in items {
            if item.task.is_none() {
                self.at(
                    item.span.start..line_end(self.text(), item.span.start),
                    "checklist item without a checkbox".into(),
                    "no `[ ]` here",
                    "start the item with `[ ]` (or `[x]` if it starts ticked): `- [ ] …`",
                );
            }
            if let Some(text) = self.item_text(&item) {
                let id = ids.unique(stable_id(&self.text()[text.clone()]));
                tasks.push(Task {
                    text,
                    checked: item.task == Some(true),
                    id,
                });
            }
        }
        tasks
    }

    /// The inline text of a list item, reporting items that are empty or
    /// hold more than one line of text.
    fn item_text(&mut self, item: &ListItem) -> Option<Range<usize>> {
        let name = self.name();
        if let Some(extra) = &item.extra {
            self.at(
                extra.start..line_end(self.text(), extra.start),
                format!("each item of a `{name}` is a single paragraph of text"),
                "a second block inside the item",
                "shorten the item to one line, or move the details out of the component",
            );
        }
        if item.text.is_none() {
            self.at(
                item.span.start..line_end(self.text(), item.span.start),
                format!("empty item in a `{name}`"),
                "nothing after the marker",
                "write the item's text, or remove the line",
            );
        }
        item.text.clone()
    }

    /// The one list a `reorder` or `checklist` holds: whether it is ordered,
    /// its span and its items. Anything else inside is reported.
    fn one_list(
        &mut self,
        blocks: Vec<Block>,
        what: &str,
    ) -> Option<(bool, Range<usize>, Vec<ListItem>)> {
        let name = self.name();
        let mut found: Option<(bool, Range<usize>, Vec<ListItem>)> = None;
        for block in blocks {
            let range = match block {
                Block::Markdown(range) => range,
                Block::Component(c) => {
                    let span = c.span.start..line_end(self.text(), c.span.start);
                    self.at(
                        span,
                        format!("a `{name}` holds only {what}, not other components"),
                        "a nested component",
                        "move this component before or after the list",
                    );
                    continue;
                }
            };
            for top in outline(self.text(), range) {
                match top {
                    Top::List { ordered, span, items } if found.is_none() => {
                        found = Some((ordered, span, items));
                    }
                    Top::List { span, .. } => self.at(
                        span.start..line_end(self.text(), span.start),
                        format!("a `{name}` holds {what}; this is a second list"),
                        "a second list",
                        "join the lists; note that changing the marker (`-` to `*`, `1.` to `1)`) starts a new list",
                    ),
                    Top::Heading { span, .. } | Top::Other { span } => self.at(
                        span.start..line_end(self.text(), span.start),
                        format!("a `{name}` holds only {what}"),
                        "not part of the list",
                        "move this text before or after the component, or into an item",
                    ),
                }
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

/// Splits blocks at the top-level headings of `level` that `accept`
/// takes: what comes before the first one, and a section per heading.
fn split(
    text: &str,
    blocks: Vec<Block>,
    level: HeadingLevel,
    accept: &dyn Fn(&str) -> bool,
) -> (Vec<Block>, Vec<Section>) {
    let mut before = Vec::new();
    let mut sections: Vec<Section> = Vec::new();
    for block in blocks {
        match block {
            Block::Markdown(range) => {
                let mut pos = range.start;
                for top in outline(text, range.clone()) {
                    if let Top::Heading {
                        level: l,
                        span,
                        text: heading,
                    } = top
                        && l == level
                        && accept(&text[heading.clone()])
                    {
                        let current = sections.last_mut().map_or(&mut before, |s| &mut s.blocks);
                        push_markdown(text, current, pos..span.start);
                        pos = span.end;
                        sections.push(Section {
                            heading: span,
                            text: heading,
                            blocks: Vec::new(),
                        });
                    }
                }
                let current = sections.last_mut().map_or(&mut before, |s| &mut s.blocks);
                push_markdown(text, current, pos..range.end);
            }
            component => sections
                .last_mut()
                .map_or(&mut before, |s| &mut s.blocks)
                .push(component),
        }
    }
    (before, sections)
}

/// Where the first visible content of `blocks` starts, if any.
fn first_content(text: &str, blocks: &[Block]) -> Option<usize> {
    blocks.iter().find_map(|block| match block {
        Block::Markdown(r) => {
            let s = &text[r.clone()];
            let lead = s.len() - s.trim_start().len();
            (lead < s.len()).then_some(r.start + lead)
        }
        Block::Component(c) => Some(c.span.start),
    })
}

fn line_end(text: &str, from: usize) -> usize {
    text[from..]
        .find(['\n', '\r'])
        .map_or(text.len(), |i| from + i)
}

/// A top-level element of a Markdown range.
enum Top {
    Heading {
        level: HeadingLevel,
        span: Range<usize>,
        text: Range<usize>,
    },
    List {
        ordered: bool,
        span: Range<usize>,
        items: Vec<ListItem>,
    },
    Other {
        span: Range<usize>,
    },
}

struct ListItem {
    span: Range<usize>,
    /// `Some(checked)` for a task-list item.
    task: Option<bool>,
    /// The inline text, without marker and checkbox.
    text: Option<Range<usize>>,
    /// The first block inside the item beyond its one paragraph.
    extra: Option<Range<usize>>,
}

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_MATH
}

/// The top-level headings, lists and other blocks of `range`.
fn outline(text: &str, range: Range<usize>) -> Vec<Top> {
    let base = range.start;
    let mut tops = Vec::new();
    let mut depth = 0usize;
    // The list being read, and the item being read inside it.
    let mut list: Option<(bool, Range<usize>, Vec<ListItem>)> = None;
    let mut paragraphs = 0;
    for (event, r) in Parser::new_ext(&text[range], options()).into_offset_iter() {
        let r = r.start + base..r.end + base;
        match event {
            Event::Start(tag) => {
                if depth == 0 {
                    match &tag {
                        Tag::Heading { level, .. } => tops.push(Top::Heading {
                            level: *level,
                            span: r.clone(),
                            text: heading_text(text, r.clone()),
                        }),
                        Tag::List(start) => list = Some((start.is_some(), r.clone(), Vec::new())),
                        _ => tops.push(Top::Other { span: r.clone() }),
                    }
                } else if let Some((_, _, items)) = &mut list {
                    if depth == 1 && matches!(tag, Tag::Item) {
                        paragraphs = 0;
                        items.push(ListItem {
                            span: r.clone(),
                            task: None,
                            text: None,
                            extra: None,
                        });
                    } else if let Some(item) = items.last_mut() {
                        let block = !is_inline(&tag);
                        if matches!(tag, Tag::Paragraph) && depth == 2 {
                            paragraphs += 1;
                            if paragraphs > 1 && item.extra.is_none() {
                                item.extra = Some(r.clone());
                            }
                        } else if block && item.extra.is_none() {
                            item.extra = Some(r.clone());
                        } else if item.extra.is_none() {
                            grow(&mut item.text, r.clone());
                        }
                    }
                }
                depth += 1;
            }
            Event::End(tag) => {
                depth = depth.saturating_sub(1);
                if depth == 0
                    && matches!(tag, TagEnd::List(_))
                    && let Some((ordered, span, items)) = list.take()
                {
                    tops.push(Top::List {
                        ordered,
                        span,
                        items,
                    });
                }
            }
            Event::TaskListMarker(checked) => {
                if let Some((_, _, items)) = &mut list
                    && let Some(item) = items.last_mut()
                    && item.text.is_none()
                    && item.extra.is_none()
                    && depth <= 3
                {
                    item.task = Some(checked);
                }
            }
            _ if depth == 0 => {
                // A rule, or HTML outside any block.
                if !text[r.clone()].trim().is_empty() {
                    tops.push(Top::Other { span: r });
                }
            }
            _ => {
                if let Some((_, _, items)) = &mut list
                    && let Some(item) = items.last_mut()
                    && item.extra.is_none()
                {
                    grow(&mut item.text, r);
                }
            }
        }
    }
    tops
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

fn grow(slot: &mut Option<Range<usize>>, r: Range<usize>) {
    *slot = Some(match slot.take() {
        Some(s) => s.start.min(r.start)..s.end.max(r.end),
        None => r,
    });
}

/// The text of an ATX heading that starts at `span`: after the `#`s,
/// without a closing `#` sequence, trimmed.
fn heading_text(text: &str, span: Range<usize>) -> Range<usize> {
    let line_end = line_end(text, span.start).min(span.end.max(span.start));
    let line = &text[span.start..line_end];
    let after_indent = line.trim_start_matches(' ');
    let hashes = after_indent.len() - after_indent.trim_start_matches('#').len();
    if hashes == 0 {
        // A setext heading: its text is the first line.
        let lead = line.len() - line.trim_start().len();
        return span.start + lead..span.start + line.trim_end().len();
    }
    let content_start = span.start + (line.len() - after_indent.len()) + hashes;
    let mut content = &text[content_start..line_end];
    let lead = content.len() - content.trim_start().len();
    content = content.trim();
    let without = content.trim_end_matches('#');
    if without.len() < content.len() && (without.is_empty() || without.ends_with([' ', '\t'])) {
        content = without.trim_end();
    }
    // Heading attributes (`### Front {#id .class}`) are not part of the text.
    if content.ends_with('}')
        && let Some(open) = content.rfind(" {")
        && content[open + 2..].starts_with(['#', '.'])
    {
        content = content[..open].trim_end();
    }
    let start = content_start + lead;
    start..start + content.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heading_texts() {
        let t = "### Front text ###\n";
        assert_eq!(&t[heading_text(t, 0..t.len())], "Front text");
        let t = "  ###   C# is a language\n";
        assert_eq!(&t[heading_text(t, 0..t.len())], "C# is a language");
        let t = "###\n";
        assert_eq!(heading_text(t, 0..t.len()), 3..3);
        let t = "#### Senior angle #\n";
        assert_eq!(&t[heading_text(t, 0..t.len())], "Senior angle");
        let t = "### Card {#card-one .hard}\n";
        assert_eq!(&t[heading_text(t, 0..t.len())], "Card");
        let t = "### Sets like {1, 2}\n";
        assert_eq!(&t[heading_text(t, 0..t.len())], "Sets like {1, 2}");
    }

    #[test]
    fn outline_finds_lists_items_and_tasks() {
        let t = "- [ ] one *two*\n- [x] three\n- four\n\n1. a\n   - nested\n";
        let tops = outline(t, 0..t.len());
        assert_eq!(tops.len(), 2);
        let Top::List { ordered, items, .. } = &tops[0] else {
            panic!("list")
        };
        assert!(!ordered);
        let texts: Vec<&str> = items
            .iter()
            .map(|i| &t[i.text.clone().expect("text")])
            .collect();
        assert_eq!(texts, ["one *two*", "three", "four"]);
        assert_eq!(
            items.iter().map(|i| i.task).collect::<Vec<_>>(),
            [Some(false), Some(true), None]
        );
        let Top::List { ordered, items, .. } = &tops[1] else {
            panic!("list")
        };
        assert!(ordered);
        assert!(items[0].extra.is_some(), "nested list is extra content");
    }

    #[test]
    fn senior_angle_headings() {
        assert!(is_senior_angle("Senior angle"));
        assert!(is_senior_angle("senior angle: scaling"));
        assert!(!is_senior_angle("Junior angle"));
    }
}
