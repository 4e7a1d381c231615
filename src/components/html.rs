//! The markup of each component.
//!
//! The HTML is complete and readable on its own: with JavaScript off a
//! reader sees every card's front and back, each interview answer (and in
//! it the senior angle) behind a `<details>` to open after thinking, and a
//! reorder exercise followed by its solution.
//! Controls that only make sense with the script (marks, progress, check
//! buttons) carry `data-gb-js hidden`, and `components.js` reveals them and
//! wires them up. Markdown inside a component is rendered by the caller's
//! [`MarkdownSink`], in document order, so calc values inside cards work.

use std::fmt::Write;

use crate::html::escape;

use std::ops::Range;

use super::{
    Card, Component, Item, Kind, MarkdownSink, Question, RenderedCard, Shape, Task, Vary,
    shuffled_order,
};

pub(super) fn render(
    component: &Component,
    page_key: &str,
    level: u8,
    sink: &mut dyn MarkdownSink,
) -> String {
    let id = format!("gb-{}", component.span.start);
    let title = match &component.title {
        Some(range) => sink.inline(range.clone()),
        None => escape(component.kind.default_title()),
    };
    let mut out = String::new();
    let kind = component.kind;
    if let Shape::Callout(blocks) = &component.body {
        callout(&mut out, kind, &id, &title, blocks.clone(), sink);
        return out;
    }
    let page = escape(page_key);
    let name = kind.name();
    let _ = write!(
        out,
        "<section class=\"gb gb-{name}\" id=\"{id}\" data-gb=\"{name}\" data-gb-page=\"{page}\" aria-labelledby=\"{id}-t\">\n\
         <div class=\"gb-head\">{icon}<h{level} class=\"gb-title\" id=\"{id}-t\">{title}</h{level}>{label}</div>\n",
        icon = icon(kind),
        // Without a title, the default title already names the kind.
        label = match component.title {
            Some(_) => format!("<span class=\"gb-kind\">{}</span>", kind_label(kind)),
            None => String::new(),
        },
    );
    match &component.body {
        Shape::Flashcards(cards) => flashcards(&mut out, &id, &title, cards, sink),
        Shape::Interview(questions) => interview(&mut out, questions, (level + 1).min(6), sink),
        Shape::Reorder(items) => reorder(
            &mut out,
            &id,
            items,
            &format!("{page_key}#{}", component.key),
            sink,
        ),
        Shape::Checklist(tasks) => checklist(&mut out, &id, tasks, sink),
        Shape::Explore(Some(vary)) => explore(&mut out, &id, vary, (level + 1).min(6), sink),
        Shape::Quiz(questions) => super::quiz::render(&mut out, &id, questions, sink),
        Shape::Callout(_) | Shape::Explore(None) => {}
    }
    out.push_str("</section>\n");
    out
}

fn kind_label(kind: Kind) -> &'static str {
    match kind {
        Kind::Flashcards => "Flashcards",
        Kind::Interview => "Interview practice",
        Kind::Reorder => "Order the steps",
        Kind::Checklist => "Checklist",
        Kind::Note => "Note",
        Kind::Tip => "Tip",
        Kind::Warning => "Warning",
        Kind::Example => "Example",
        Kind::Explore => "Explorer",
        Kind::Quiz => "Quiz",
    }
}

fn flashcards(out: &mut String, id: &str, deck: &str, cards: &[Card], sink: &mut dyn MarkdownSink) {
    let n = cards.len();
    let _ = write!(
        out,
        "<p class=\"gb-help\" data-gb-js hidden>Flip each card to check yourself: click or tap it, or press Enter or Space. Then mark whether you knew it.</p>\n\
         <div class=\"gb-progress\" data-gb-js hidden>\
         <div class=\"gb-meter\" role=\"progressbar\" aria-labelledby=\"{id}-p\" aria-valuemin=\"0\" aria-valuemax=\"{n}\" aria-valuenow=\"0\"><span class=\"gb-meter-fill\"></span></div>\
         <p class=\"gb-progress-text\" id=\"{id}-p\" aria-live=\"polite\"><span data-gb-count>0 of {n} flipped</span> <span class=\"gb-known-count\" data-gb-known></span></p>\
         </div>\n<ol class=\"gb-cards\">\n"
    );
    for (i, card) in cards.iter().enumerate() {
        let front = sink.inline(card.front.clone());
        let back = sink.blocks(card.back.clone());
        let cid = format!("{id}-{}", i + 1);
        let _ = write!(
            out,
            "<li class=\"gb-card\" data-card-id=\"{card_id}\">\n\
             <div class=\"gb-card-inner\">\n\
             <div class=\"gb-face gb-front\" id=\"{cid}-f\"><span class=\"gb-face-label\">Card {num} of {n}</span>\
             <p class=\"gb-front-text\">{front}</p>\
             <span class=\"gb-flip-hint\" data-gb-js hidden aria-hidden=\"true\">\
             <span class=\"gb-hint-touch\">Tap to reveal</span><span class=\"gb-hint-pointer\">Click to reveal</span> {arrow}</span></div>\n\
             <div class=\"gb-face gb-back\" id=\"{cid}-b\"><span class=\"gb-face-label\">Answer</span>\n\
             <p class=\"gb-back-q\" data-gb-js hidden aria-hidden=\"true\">{front}</p>\n\
             <div class=\"gb-back-body\">\n{back}</div></div>\n\
             </div>\n\
             <div class=\"gb-marks\" data-gb-js hidden role=\"group\" aria-label=\"How well did you know card {num}?\">\
             <button type=\"button\" class=\"gb-btn gb-mark-known\" data-gb-mark=\"known\" aria-pressed=\"false\">{check}Know it</button>\
             <button type=\"button\" class=\"gb-btn gb-mark-again\" data-gb-mark=\"again\" aria-pressed=\"false\">{again}Again</button>\
             </div>\n</li>\n",
            card_id = escape(&card.id),
            num = i + 1,
            arrow = ICON_ARROW,
            check = ICON_CHECK,
            again = ICON_AGAIN,
        );
        sink.flashcard(
            card.front.clone(),
            RenderedCard {
                id: card.id.clone(),
                deck: deck.to_string(),
                front,
                back,
                span: 0..0,
            },
        );
    }
    out.push_str(
        "</ol>\n<div class=\"gb-actions\" data-gb-js hidden><button type=\"button\" class=\"gb-btn gb-btn-quiet\" data-gb-reset>Reset progress</button></div>\n",
    );
}

/// Each question with its answer behind a `<details>` (so the reader
/// thinks first, with or without JavaScript), and the senior angle behind
/// a second one inside it.
fn interview(out: &mut String, questions: &[Question], level: u8, sink: &mut dyn MarkdownSink) {
    out.push_str(
        "<p class=\"gb-help\">Think through your own answer first, then open the answer and, after it, the senior angle.</p>\n<ol class=\"gb-questions\">\n",
    );
    for question in questions {
        let text = sink.inline(question.question.clone());
        let answer = sink.blocks(question.answer.clone());
        let _ = write!(
            out,
            "<li class=\"gb-question\">\n<h{level} class=\"gb-q\">{text}</h{level}>\n\
             <details class=\"gb-reveal\"><summary>Show the answer</summary>\n\
             <div class=\"gb-answer\">\n{answer}</div>\n"
        );
        if let Some(senior) = &question.senior {
            let label = sink.inline(senior.label.clone());
            let body = sink.blocks(senior.body.clone());
            let _ = write!(
                out,
                "<details class=\"gb-senior\"><summary><span class=\"gb-senior-label\">{label}</span></summary>\n<div class=\"gb-senior-body\">\n{body}</div></details>\n"
            );
        }
        out.push_str("</details>\n</li>\n");
    }
    out.push_str("</ol>\n");
}

fn reorder(out: &mut String, id: &str, items: &[Item], seed: &str, sink: &mut dyn MarkdownSink) {
    // Render in document order once; show the same HTML twice.
    let texts: Vec<String> = items
        .iter()
        .map(|item| sink.inline(item.text.clone()))
        .collect();
    let keys: Vec<&str> = items.iter().map(|item| item.key.as_str()).collect();
    let order = shuffled_order(&keys, seed);
    let _ = write!(
        out,
        "<p class=\"gb-help\" id=\"{id}-h\">Put the steps in the correct order.<span data-gb-js hidden> Drag an item by its handle, or use its arrow buttons; on a focused item, the Up and Down arrow keys move it. Then check your order.</span></p>\n\
         <ol class=\"gb-reorder-list\" data-gb-order=\"{answer}\" aria-describedby=\"{id}-h\">\n",
        answer = escape(&keys.join(" ")),
    );
    for &i in &order {
        let _ = writeln!(
            out,
            "<li class=\"gb-item\" data-key=\"{key}\">\
             <span class=\"gb-grip\" data-gb-js hidden aria-hidden=\"true\">{grip}</span>\
             <span class=\"gb-item-text\">{text}</span>\
             <span class=\"gb-item-mark\"></span>\
             <span class=\"gb-item-moves\" data-gb-js hidden>\
             <button type=\"button\" class=\"gb-icon-btn\" data-gb-move=\"-1\" aria-label=\"Move up\">{up}</button>\
             <button type=\"button\" class=\"gb-icon-btn\" data-gb-move=\"1\" aria-label=\"Move down\">{down}</button></span>\
             </li>",
            key = escape(keys[i]),
            text = texts[i],
            grip = ICON_GRIP,
            up = ICON_UP,
            down = ICON_DOWN,
        );
    }
    out.push_str(
        "</ol>\n<div class=\"gb-actions\" data-gb-js hidden>\
         <button type=\"button\" class=\"gb-btn gb-btn-primary\" data-gb-check>Check order</button>\
         <button type=\"button\" class=\"gb-btn gb-btn-quiet\" data-gb-reset>Shuffle again</button></div>\n\
         <p class=\"gb-status\" role=\"status\" aria-live=\"polite\" data-gb-status></p>\n\
         <p class=\"gb-sr\" aria-live=\"polite\" data-gb-announce></p>\n\
         <details class=\"gb-solution\" open><summary>The correct order</summary>\n<ol class=\"gb-solution-list\">\n",
    );
    for text in &texts {
        let _ = writeln!(out, "<li>{text}</li>");
    }
    out.push_str("</ol></details>\n");
}

fn checklist(out: &mut String, id: &str, tasks: &[Task], sink: &mut dyn MarkdownSink) {
    let n = tasks.len();
    let _ = write!(
        out,
        "<div class=\"gb-progress\" data-gb-js hidden>\
         <div class=\"gb-meter\" role=\"progressbar\" aria-labelledby=\"{id}-p\" aria-valuemin=\"0\" aria-valuemax=\"{n}\" aria-valuenow=\"0\"><span class=\"gb-meter-fill\"></span></div>\
         <p class=\"gb-progress-text\" id=\"{id}-p\" aria-live=\"polite\"><span data-gb-count>0 of {n} done</span></p>\
         </div>\n<ul class=\"gb-tasks\">\n"
    );
    for (i, task) in tasks.iter().enumerate() {
        let text = sink.inline(task.text.clone());
        let _ = writeln!(
            out,
            "<li class=\"gb-task\"><input type=\"checkbox\" class=\"gb-tick\" id=\"{id}-{num}\" data-task-id=\"{task_id}\"{checked}>\
             <label for=\"{id}-{num}\">{text}</label></li>",
            num = i + 1,
            task_id = escape(&task.id),
            checked = if task.checked { " checked" } else { "" },
        );
    }
    out.push_str(
        "</ul>\n<div class=\"gb-actions\" data-gb-js hidden><button type=\"button\" class=\"gb-btn gb-btn-quiet\" data-gb-reset>Clear ticks</button></div>\n",
    );
}

/// A slider over the variants (shown by the script) and every variant in
/// order, each under a heading that names its value: without JavaScript
/// all are listed; with it, one at a time.
fn explore(out: &mut String, id: &str, vary: &Vary, level: u8, sink: &mut dyn MarkdownSink) {
    let runs = sink.variants(vary);
    let variants = runs.html;
    if variants.is_empty() {
        return;
    }
    let start = runs.start.min(variants.len() - 1);
    let name = escape(&vary.name);
    let first = escape(vary.values.get(start).map_or("", String::as_str));
    let _ = write!(
        out,
        "<div class=\"gb-explore-control\" data-gb-js hidden>\
         <label for=\"{id}-r\">{name}</label>\
         <input type=\"range\" id=\"{id}-r\" min=\"0\" max=\"{max}\" step=\"1\" value=\"{start}\" aria-valuetext=\"{name} = {first}\" data-gb-slider>\
         <output for=\"{id}-r\" id=\"{id}-o\" aria-live=\"polite\">{name} = {first}</output>\
         </div>\n<div class=\"gb-variants\">\n",
        max = variants.len() - 1,
    );
    for (i, (html, value)) in variants.iter().zip(&vary.values).enumerate() {
        let value = escape(value);
        let _ = write!(
            out,
            "<div class=\"gb-variant\" data-gb-variant=\"{i}\" data-gb-value=\"{name} = {value}\">\
             <h{level} class=\"gb-variant-title\">{name} = {value}</h{level}>\n{html}</div>\n"
        );
    }
    out.push_str("</div>\n");
}

fn callout(
    out: &mut String,
    kind: Kind,
    id: &str,
    title: &str,
    blocks: Range<usize>,
    sink: &mut dyn MarkdownSink,
) {
    let body = sink.blocks(blocks);
    let _ = write!(
        out,
        "<aside class=\"gb gb-callout gb-{name}\" id=\"{id}\" role=\"note\" aria-labelledby=\"{id}-t\">\n\
         <p class=\"gb-callout-title\" id=\"{id}-t\">{icon}<span>{title}</span></p>\n\
         <div class=\"gb-callout-body\">\n{body}</div>\n</aside>\n",
        name = kind.name(),
        icon = icon(kind),
    );
}

fn icon(kind: Kind) -> String {
    let paths = match kind {
        // Two stacked cards.
        Kind::Flashcards => {
            "<rect x=\"3\" y=\"6\" width=\"14\" height=\"14\" rx=\"2\"/><path d=\"M7 3h12a2 2 0 0 1 2 2v12\"/>"
        }
        // A speech bubble with a question mark.
        Kind::Interview => {
            "<path d=\"M4 5h16v11H9l-5 4z\"/><path d=\"M10 8.5a2 2 0 1 1 2.5 1.9c-.4.1-.5.4-.5.8V12\"/><circle cx=\"12\" cy=\"14\" r=\".6\" fill=\"currentColor\"/>"
        }
        // Arrows up and down beside three lines.
        Kind::Reorder => {
            "<path d=\"M4 6h9M4 12h9M4 18h9\"/><path d=\"M18 4v16M15 7l3-3 3 3M15 17l3 3 3-3\"/>"
        }
        // A box with a tick.
        Kind::Checklist => {
            "<rect x=\"3\" y=\"3\" width=\"18\" height=\"18\" rx=\"3\"/><path d=\"M7.5 12.5l3 3 6-7\"/>"
        }
        // An "i" in a circle.
        Kind::Note => {
            "<circle cx=\"12\" cy=\"12\" r=\"9\"/><path d=\"M12 11v6\"/><circle cx=\"12\" cy=\"7.5\" r=\".8\" fill=\"currentColor\"/>"
        }
        // A light bulb.
        Kind::Tip => {
            "<path d=\"M9 18h6M10 21h4\"/><path d=\"M12 3a6 6 0 0 0-3.6 10.8c.7.6 1.1 1.3 1.1 2.2h5c0-.9.4-1.6 1.1-2.2A6 6 0 0 0 12 3z\"/>"
        }
        // A triangle with an exclamation mark.
        Kind::Warning => {
            "<path d=\"M12 3.5l9.5 16.5h-19z\"/><path d=\"M12 10v4.5\"/><circle cx=\"12\" cy=\"17.3\" r=\".8\" fill=\"currentColor\"/>"
        }
        // A slider.
        Kind::Explore => {
            "<path d=\"M4 12h16\"/><circle cx=\"9\" cy=\"12\" r=\"2.5\"/><path d=\"M4 6h16M4 18h16\" opacity=\".4\"/>"
        }
        // A circle with a question mark and a tick.
        Kind::Quiz => {
            "<circle cx=\"12\" cy=\"12\" r=\"9\"/><path d=\"M9.5 9.5a2.5 2.5 0 1 1 3.2 2.4c-.5.2-.7.5-.7 1V14\"/><circle cx=\"12\" cy=\"17\" r=\".8\" fill=\"currentColor\"/>"
        }
        // A flask.
        Kind::Example => {
            "<path d=\"M9 3h6M10 3v6l-5.5 9.5A1.7 1.7 0 0 0 6 21h12a1.7 1.7 0 0 0 1.5-2.5L14 9V3\"/><path d=\"M7.5 15h9\"/>"
        }
    };
    format!(
        "<svg class=\"gb-icon\" viewBox=\"0 0 24 24\" width=\"20\" height=\"20\" aria-hidden=\"true\" focusable=\"false\">{paths}</svg>"
    )
}

const ICON_CHECK: &str = "<svg class=\"gb-icon\" viewBox=\"0 0 24 24\" width=\"16\" height=\"16\" aria-hidden=\"true\" focusable=\"false\"><path d=\"M5 12.5l4.5 4.5L19 7.5\"/></svg>";
const ICON_AGAIN: &str = "<svg class=\"gb-icon\" viewBox=\"0 0 24 24\" width=\"16\" height=\"16\" aria-hidden=\"true\" focusable=\"false\"><path d=\"M4 12a8 8 0 1 0 2.4-5.7\"/><path d=\"M4 4v5h5\"/></svg>";
const ICON_ARROW: &str = "<svg class=\"gb-icon\" viewBox=\"0 0 24 24\" width=\"14\" height=\"14\" aria-hidden=\"true\" focusable=\"false\"><path d=\"M5 12h14M13 6l6 6-6 6\"/></svg>";
const ICON_GRIP: &str = "<svg class=\"gb-icon\" viewBox=\"0 0 24 24\" width=\"18\" height=\"18\" aria-hidden=\"true\" focusable=\"false\"><g fill=\"currentColor\" stroke=\"none\"><circle cx=\"9\" cy=\"6\" r=\"1.6\"/><circle cx=\"15\" cy=\"6\" r=\"1.6\"/><circle cx=\"9\" cy=\"12\" r=\"1.6\"/><circle cx=\"15\" cy=\"12\" r=\"1.6\"/><circle cx=\"9\" cy=\"18\" r=\"1.6\"/><circle cx=\"15\" cy=\"18\" r=\"1.6\"/></g></svg>";
const ICON_UP: &str = "<svg class=\"gb-icon\" viewBox=\"0 0 24 24\" width=\"18\" height=\"18\" aria-hidden=\"true\" focusable=\"false\"><path d=\"M12 19V5M6 11l6-6 6 6\"/></svg>";
const ICON_DOWN: &str = "<svg class=\"gb-icon\" viewBox=\"0 0 24 24\" width=\"18\" height=\"18\" aria-hidden=\"true\" focusable=\"false\"><path d=\"M12 5v14M6 13l6 6 6-6\"/></svg>";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_an_icon_and_label() {
        for kind in Kind::ALL {
            assert!(icon(kind).starts_with("<svg"));
            assert!(!kind_label(kind).is_empty());
        }
    }
}
