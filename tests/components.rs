//! Learning components in the generated HTML: builds the fixture sites in
//! `tests/fixtures/components/` with the real binary and reads the pages
//! with an HTML parser, so the tests check structure (roles, ids, what is
//! hidden, what the script will find) rather than exact strings.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use scraper::{ElementRef, Html, Selector};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/components")
        .join(name)
}

fn gradbook() -> Command {
    Command::new(env!("CARGO_BIN_EXE_gradbook"))
}

/// Builds the fixture site `name` into a fresh temporary folder.
fn build(name: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temporary folder");
    let dest = dir.path().join("site");
    let output = gradbook()
        .arg("build")
        .arg(fixture(name))
        .arg("--dest")
        .arg(&dest)
        .arg("--quiet")
        .output()
        .expect("run gradbook");
    assert!(
        output.status.success(),
        "build of {name} failed:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (dir, dest)
}

fn page(dest: &Path, url: &str) -> Html {
    let path = dest.join(url.trim_matches('/')).join("index.html");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    Html::parse_document(&text)
}

fn sel(css: &str) -> Selector {
    Selector::parse(css).unwrap_or_else(|e| panic!("bad selector {css}: {e:?}"))
}

fn all<'a>(root: ElementRef<'a>, css: &str) -> Vec<ElementRef<'a>> {
    root.select(&sel(css)).collect()
}

fn one<'a>(root: ElementRef<'a>, css: &str) -> ElementRef<'a> {
    let found = all(root, css);
    assert_eq!(
        found.len(),
        1,
        "expected one `{css}`, found {}",
        found.len()
    );
    found[0]
}

fn text(el: ElementRef<'_>) -> String {
    el.text()
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn attr<'a>(el: ElementRef<'a>, name: &str) -> &'a str {
    el.value()
        .attr(name)
        .unwrap_or_else(|| panic!("no {name} on {}", el.html()))
}

const LESSON: &str = "/practice/derivatives/";

#[test]
fn flashcards_render_front_and_back_with_stable_ids() {
    let (_dir, dest) = build("site");
    let html = page(&dest, LESSON);
    let deck = one(
        html.root_element(),
        "section.gb-flashcards[data-gb=flashcards]",
    );
    assert_eq!(attr(deck, "data-gb-page"), LESSON);
    let title_id = attr(deck, "aria-labelledby");
    assert_eq!(text(one(deck, &format!("#{title_id}"))), "Test yourself");

    let cards = all(deck, "li.gb-card");
    assert_eq!(cards.len(), 4);
    let ids: HashSet<&str> = cards.iter().map(|c| attr(*c, "data-card-id")).collect();
    assert_eq!(ids.len(), 4, "card ids are unique");
    assert!(
        ids.contains(
            gradbook::components::stable_id("Write the gradient descent update.").as_str()
        )
    );

    // With no script, both faces are in the page and readable; the copy of
    // the question on the back is for a turned card only.
    let second = cards[1];
    let asked = one(second, ".gb-back .gb-back-q");
    assert_eq!(text(asked), text(one(second, ".gb-front-text")));
    assert_eq!(attr(asked, "aria-hidden"), "true");
    assert!(asked.value().attr("data-gb-js").is_some());
    assert_eq!(
        text(one(second, ".gb-front-text")),
        "J(w) = w². What is the slope at w = 3?"
    );
    let back = one(second, ".gb-back");
    assert!(
        text(back).contains("6, since the derivative of w² is 2w"),
        "{}",
        text(back)
    );
    assert!(back.value().attr("hidden").is_none() && back.value().attr("aria-hidden").is_none());
    let back_id = attr(back, "id");
    assert!(!back_id.is_empty());

    // Script-only controls start hidden; the count reads sensibly.
    for control in all(deck, "[data-gb-js]") {
        assert!(
            control.value().attr("hidden").is_some(),
            "visible without script: {}",
            control.html()
        );
    }
    assert_eq!(text(one(deck, "[data-gb-count]")), "0 of 4 flipped");
    let meter = one(deck, "[role=progressbar]");
    assert_eq!(attr(meter, "aria-valuemax"), "4");
    assert_eq!(all(second, "button[data-gb-mark]").len(), 2);
    assert_eq!(all(deck, "button[data-gb-reset]").len(), 1);
}

#[test]
fn interview_hides_the_answer_and_then_the_senior_angle_in_details() {
    let (_dir, dest) = build("site");
    let html = page(&dest, LESSON);
    let block = one(
        html.root_element(),
        "section.gb-interview[data-gb=interview]",
    );
    let questions = all(block, "li.gb-question");
    assert_eq!(questions.len(), 2);
    for q in &questions {
        assert!(!text(one(*q, "h4.gb-q")).is_empty());
        // The answer waits behind a <details>, closed, so the reader thinks
        // first (with or without JavaScript).
        let reveal = one(*q, "details.gb-reveal");
        assert!(
            reveal.value().attr("open").is_none(),
            "answer starts closed"
        );
        assert_eq!(text(one(reveal, ":scope > summary")), "Show the answer");
        assert!(!text(one(reveal, ".gb-answer")).is_empty());
        let details = one(reveal, "details.gb-senior");
        assert!(
            details.value().attr("open").is_none(),
            "senior angle starts closed"
        );
        assert_eq!(text(one(details, "summary")), "Senior angle");
        assert!(!text(one(details, ".gb-senior-body")).is_empty());
        assert!(
            all(*q, ".gb-answer details").is_empty(),
            "the answer itself is not hidden"
        );
    }
    assert!(text(questions[0]).contains("a zero derivative marks a flat point"));
}

#[test]
fn reorder_is_shuffled_deterministically_with_the_answer_after_it() {
    let (_dir, dest) = build("site");
    let (_dir2, dest2) = build("site");
    let html = page(&dest, LESSON);
    let flow = one(html.root_element(), "section.gb-reorder[data-gb=reorder]");
    let list = one(flow, "ol.gb-reorder-list");
    let answer: Vec<&str> = attr(list, "data-gb-order").split(' ').collect();
    let shown: Vec<&str> = all(list, "li.gb-item")
        .iter()
        .map(|li| attr(*li, "data-key"))
        .collect();
    assert_eq!(shown.len(), 5);
    assert_ne!(shown, answer, "never shown in the correct order");
    // Far from the answer: no step in its place, and no more than three of
    // the five in the right order relative to each other.
    assert!(
        shown.iter().zip(&answer).all(|(s, a)| s != a),
        "{shown:?} vs {answer:?}"
    );
    let places: Vec<usize> = shown
        .iter()
        .map(|k| answer.iter().position(|a| a == k).unwrap())
        .collect();
    let mut longest = vec![1; places.len()];
    for i in 0..places.len() {
        for j in 0..i {
            if places[j] < places[i] {
                longest[i] = longest[i].max(longest[j] + 1);
            }
        }
    }
    assert!(
        longest.iter().max().copied().unwrap_or(0) <= 3,
        "{places:?}"
    );
    let mut sorted = shown.clone();
    sorted.sort_unstable();
    let mut expected = answer.clone();
    expected.sort_unstable();
    assert_eq!(sorted, expected, "the same items");
    assert!(attr(list, "aria-describedby").ends_with("-h"));

    // The same shuffle on every build.
    let again = page(&dest2, LESSON);
    let list2 = one(again.root_element(), "ol.gb-reorder-list");
    assert_eq!(list.html(), list2.html());

    // With no script the flow reads in order, after the exercise.
    let solution = one(flow, "details.gb-solution");
    assert!(solution.value().attr("open").is_some());
    let steps: Vec<String> = all(solution, "li").into_iter().map(text).collect();
    assert_eq!(
        steps,
        [
            "Inputs",
            "Representations",
            "Scores",
            "Loss",
            "Decision through a threshold"
        ]
    );
    let status = one(flow, "[data-gb-status]");
    assert_eq!(attr(status, "role"), "status");
    assert_eq!(attr(status, "aria-live"), "polite");
    assert_eq!(all(flow, "button[data-gb-move]").len(), 10);
    assert_eq!(all(flow, "button[data-gb-check]").len(), 1);
}

#[test]
fn checklist_items_are_labelled_checkboxes() {
    let (_dir, dest) = build("site");
    let html = page(&dest, LESSON);
    let list = one(
        html.root_element(),
        "section.gb-checklist[data-gb=checklist]",
    );
    let boxes = all(list, "input.gb-tick[type=checkbox]");
    assert_eq!(boxes.len(), 5);
    let ids: HashSet<&str> = boxes.iter().map(|b| attr(*b, "data-task-id")).collect();
    assert_eq!(ids.len(), 5);
    for b in &boxes {
        let id = attr(*b, "id");
        let label = one(list, &format!("label[for='{id}']"));
        assert!(!text(label).is_empty());
        assert!(b.value().attr("checked").is_none());
    }
    assert_eq!(text(one(list, "[data-gb-count]")), "0 of 5 done");
}

#[test]
fn callouts_have_titles_icons_and_roles() {
    let (_dir, dest) = build("site");
    let html = page(&dest, LESSON);
    let root = html.root_element();
    let titles: Vec<(String, String)> = all(root, "aside.gb-callout")
        .into_iter()
        .map(|aside| {
            assert_eq!(attr(aside, "role"), "note");
            let svg = one(aside, ":scope > .gb-callout-title > svg");
            assert_eq!(attr(svg, "aria-hidden"), "true");
            let class = attr(aside, "class")
                .split(' ')
                .next_back()
                .unwrap_or_default()
                .to_string();
            (class, text(one(aside, ":scope > .gb-callout-title")))
        })
        .collect();
    let expected = [
        ("gb-note", "First-time learner note"),
        ("gb-tip", "Production note"),
        ("gb-warning", "Warning"),
        ("gb-example", "Fences inside components"),
        ("gb-tip", "Nested tip"),
    ];
    let got: Vec<(&str, &str)> = titles
        .iter()
        .map(|(c, t)| (c.as_str(), t.as_str()))
        .collect();
    assert_eq!(got, expected);

    // The `:::` lines inside the code block stayed code; the nested tip is
    // inside the example.
    let example = one(root, "aside.gb-example");
    let code = text(one(example, "pre"));
    assert!(
        code.contains("::: note This stays a code sample. :::"),
        "{code}"
    );
    assert_eq!(all(example, "aside.gb-tip").len(), 1);
    assert!(
        !html.html().contains("<dd>"),
        "no stray colon line became a definition"
    );
}

#[test]
fn index_and_sidebar_carry_progress_hooks() {
    let (_dir, dest) = build("site");
    for url in ["/", LESSON] {
        let html = page(&dest, url);
        let hooks = all(
            html.root_element(),
            &format!("[data-progress-page='{LESSON}']"),
        );
        assert!(!hooks.is_empty(), "no progress hook on {url}");
    }
    let index = page(&dest, "/");
    assert_eq!(
        all(index.root_element(), ".lesson-card [data-progress-page]").len(),
        1
    );
    // In the sidebar the progress line sits beside the lesson's link, not
    // in it: the link's accessible name is the title alone.
    let hook = one(index.root_element(), ".sidebar [data-progress-page]");
    assert!(all(index.root_element(), ".sidebar a [data-progress-page]").is_empty());
    let item = ElementRef::wrap(hook.parent().unwrap()).unwrap();
    assert_eq!(text(one(item, "a.nav-lesson")), "Derivatives in Practice");
}

#[test]
fn progress_hooks_carry_the_lessons_totals() {
    let (_dir, dest) = build("site");
    let lesson = page(&dest, LESSON);
    let cards = all(lesson.root_element(), ".gb-card").len();
    let tasks = all(lesson.root_element(), ".gb-tick[data-task-id]").len();
    assert!(cards > 0 && tasks > 0);
    // Lists of lessons carry each lesson's totals, and so does a lesson's
    // own entry in its sidebar. Other sidebar entries carry none: pages
    // are rendered one at a time, so the browser takes those totals from
    // the progress saved on the lesson itself.
    let hooks_on = |url: &str, css: &str| {
        let html = page(&dest, url);
        all(
            html.root_element(),
            &format!("{css} [data-progress-page='{LESSON}']"),
        )
        .iter()
        .map(|hook| {
            (
                hook.value().attr("data-progress-cards").map(str::to_string),
                hook.value().attr("data-progress-tasks").map(str::to_string),
            )
        })
        .collect::<Vec<_>>()
    };
    let totals = (Some(cards.to_string()), Some(tasks.to_string()));
    for (url, css) in [
        ("/", ".lesson-card"),
        ("/practice/", ".lesson-card"),
        (LESSON, ".sidebar"),
    ] {
        assert_eq!(
            hooks_on(url, css),
            std::slice::from_ref(&totals),
            "{url} {css}"
        );
    }
    assert_eq!(hooks_on("/", ".sidebar"), [(None, None)]);
    // Until the reader starts, the index invites them to; the sidebar,
    // being compact, stays empty.
    let index = page(&dest, "/");
    let card_hook = one(index.root_element(), ".lesson-card [data-progress-page]");
    assert_eq!(
        text(card_hook),
        "Start flipping cards to track your progress"
    );
    let sidebar_hook = one(index.root_element(), ".sidebar [data-progress-page]");
    assert_eq!(text(sidebar_hook), "");
}

#[test]
fn lessons_without_cards_or_tasks_have_no_progress_line_and_checklists_get_their_own_prompt() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let root = dir.path();
    let write = |rel: &str, body: &str| {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, body).expect("write");
    };
    write("book.toml", "[book]\ntitle = \"T\"\n");
    write(
        "content/plain.md",
        "+++\ntitle = \"Plain\"\norder = 1\n+++\nJust prose.\n\n::: note\nA note.\n:::\n",
    );
    write(
        "content/tasks.md",
        "+++\ntitle = \"Tasks\"\norder = 2\n+++\n::: tip\n::: checklist\n- [ ] a\n- [x] b\n:::\n:::\n",
    );
    let dest = root.join("out");
    let output = gradbook()
        .arg("build")
        .arg(root)
        .arg("--dest")
        .arg(&dest)
        .arg("--quiet")
        .output()
        .expect("run gradbook");
    assert!(output.status.success(), "{output:?}");
    let index = page(&dest, "/");
    assert!(
        all(
            index.root_element(),
            ".lesson-card [data-progress-page='/plain/']"
        )
        .is_empty()
    );
    let hook = one(
        index.root_element(),
        ".lesson-card [data-progress-page='/tasks/']",
    );
    assert_eq!(attr(hook, "data-progress-cards"), "0");
    assert_eq!(
        attr(hook, "data-progress-tasks"),
        "2",
        "nested checklist counted"
    );
    let own = page(&dest, "/tasks/");
    let sidebar = one(
        own.root_element(),
        ".sidebar [data-progress-page='/tasks/']",
    );
    assert_eq!(attr(sidebar, "data-progress-tasks"), "2");
    let card = one(index.root_element(), ".lesson-card [data-progress-page]");
    assert_eq!(text(card), "Tick off the checklist to track your progress");
}

#[test]
fn scripts_and_styles_load_nothing_from_other_hosts() {
    let (_dir, dest) = build("site");
    for asset in ["components.js", "components.css"] {
        let text = std::fs::read_to_string(dest.join("assets").join(asset)).expect(asset);
        assert!(text.len() > 1000, "{asset} is a placeholder");
        for needle in [
            "http://",
            "https://",
            "//cdn",
            "@import",
            "fetch(",
            "XMLHttpRequest",
        ] {
            assert!(!text.contains(needle), "{asset} contains {needle}");
        }
    }
    let css = std::fs::read_to_string(dest.join("assets/components.css")).expect("css");
    assert!(css.contains("prefers-reduced-motion"));
    assert!(css.contains(":focus-visible"));
}

#[test]
fn every_component_error_is_reported_with_its_place() {
    let output = gradbook()
        .arg("check")
        .arg(fixture("errors"))
        .output()
        .expect("run gradbook");
    assert_eq!(output.status.code(), Some(1));
    let all_output = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    for expected in [
        "content/broken.md:5:5: error: unknown component kind `flashcard`",
        "did you mean `flashcards`?",
        "known kinds: flashcards, interview, reorder, checklist, note, tip, warning, example, explore",
        "content/broken.md:10:1: error: `flashcards` component has no cards",
        "content/broken.md:11:1: error: text before the first card in `flashcards`",
        "content/broken.md:15:1: error: the list in a `reorder` must be numbered",
        "content/broken.md:20:1: error: checklist item without a checkbox",
        "content/broken.md:24:1: error: text before the first question in `interview`",
        "content/broken.md:30:1: error: `checklist` component without one task list",
        "content/broken.md:31:1: error: a `checklist` holds only one task list",
        "content/broken.md:35:1: error: closing fence `:::` with no component open",
        "content/broken.md:39:1: error: closing fence `:::` does not match the `::::` that opened the `note` component on line 37",
        "content/broken.md:41:1: error: unclosed `tip` component",
    ] {
        assert!(
            all_output.contains(expected),
            "missing `{expected}` in:\n{all_output}"
        );
    }
}

#[test]
fn a_build_with_component_errors_writes_nothing() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let dest = dir.path().join("out");
    let output = gradbook()
        .arg("build")
        .arg(fixture("errors"))
        .arg("--dest")
        .arg(&dest)
        .output()
        .expect("run gradbook");
    assert_eq!(output.status.code(), Some(1));
    assert!(!dest.exists(), "a failed build left {}", dest.display());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("5 | ::: flashcard Typo in the kind"),
        "{stderr}"
    );
}
