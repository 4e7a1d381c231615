//! Quizzes in the generated HTML: the quiz fixture (`tests/fixtures/quiz`)
//! and small sites built with the real binary, read with an HTML parser.
//! The structure is what a reader without JavaScript, a screen reader and
//! `quiz.js` rely on: a fieldset and legend per question, radio buttons
//! for one right choice and checkboxes for several, the key computed by
//! the engine in data attributes, and the answers in a `<details>`.

use crate::support::{Page, SiteTest};

const LESSON: &str = "practice/quiz/";

fn fixture() -> (SiteTest, Page) {
    let site = SiteTest::fixture("quiz/site");
    site.build().success();
    let page = site.page(LESSON);
    (site, page)
}

#[test]
fn each_question_is_a_fieldset_with_a_legend() {
    let (_site, page) = fixture();
    assert_eq!(page.select("[data-gb=\"quiz\"]").len(), 1);
    assert_eq!(
        page.text(".gb-quiz .gb-title"),
        ["Check your understanding"]
    );
    let questions = page.select(".gb-quiz-q");
    assert_eq!(questions.len(), 6);
    assert_eq!(page.select(".gb-quiz-q > fieldset").len(), 6);
    assert_eq!(
        page.text(".gb-quiz-q > fieldset > legend .gb-quiz-prompt"),
        [
            "What is the slope of J at w = 3?",
            "Type the slope of J at w = 2.",
            "Write the derivative of J as an expression in w.",
            "What is sigmoid(2), to three decimal places?",
            "Which points have a positive slope?",
            "One descent step from w = 3 with α = 0.1 lands where?",
        ]
    );
    assert_eq!(
        page.attr(".gb-quiz-q", "data-q-kind"),
        [
            "single",
            "number",
            "expression",
            "number",
            "multiple",
            "number"
        ]
    );
    // Every question has a live region for its feedback, named by id.
    assert_eq!(
        page.select(".gb-quiz-q [role=\"status\"][aria-live=\"polite\"]")
            .len(),
        6
    );
    // Every input has a label.
    for input in page.attr(".gb-quiz input", "id") {
        assert_eq!(
            page.select(&format!("label[for=\"{input}\"]")).len(),
            1,
            "no label for {input}"
        );
    }
    // The script and the stylesheets it needs are linked.
    assert!(page.has("script[src$=\"assets/quiz.js\"]"));
    assert!(page.has("link[href$=\"assets/components.css\"]"));
}

#[test]
fn one_right_choice_is_a_radio_group_and_several_are_checkboxes() {
    let (_site, page) = fixture();
    let radios = page.select(".gb-quiz-q:nth-child(1) input[type=\"radio\"]");
    assert_eq!(radios.len(), 3);
    let names: Vec<&str> = radios
        .iter()
        .filter_map(|r| r.value().attr("name"))
        .collect();
    assert!(names.iter().all(|n| *n == names[0]), "{names:?}");
    assert_eq!(
        page.text(".gb-quiz-q:nth-child(1) .gb-quiz-choice label"),
        ["3", "6", "9"],
        "the inline value is computed"
    );
    assert_eq!(page.attr(".gb-quiz-q:nth-child(1)", "data-gb-right"), ["2"]);
    let boxes = page.select(".gb-quiz-q:nth-child(5) input[type=\"checkbox\"]");
    assert_eq!(boxes.len(), 4);
    assert_eq!(
        page.attr(".gb-quiz-q:nth-child(5)", "data-gb-right"),
        ["1 3"]
    );
    assert_eq!(
        page.text(".gb-quiz-q:nth-child(5) .gb-quiz-hint"),
        ["Select all that apply."]
    );
}

#[test]
fn typed_answers_carry_the_computed_key() {
    let (_site, page) = fixture();
    let number = |n: usize, attr: &str| page.attr(&format!(".gb-quiz-q:nth-child({n})"), attr);
    assert_eq!(number(2, "data-gb-value"), ["4.0"]);
    assert!(number(2, "data-gb-decimals").is_empty());
    assert_eq!(number(4, "data-gb-value"), ["0.881"]);
    assert_eq!(number(4, "data-gb-decimals"), ["3"]);
    // 3 − 0.1·6, computed by the engine.
    let step: f64 = number(6, "data-gb-value")[0].parse().expect("a number");
    assert!((step - 2.4).abs() < 1e-12, "{step}");

    assert_eq!(number(3, "data-gb-vars"), ["w"]);
    let points: Vec<f64> = number(3, "data-gb-points")[0]
        .split(';')
        .map(|p| p.parse().expect("one coordinate"))
        .collect();
    let values: Vec<f64> = number(3, "data-gb-values")[0]
        .split(';')
        .map(|v| v.parse().expect("a value"))
        .collect();
    assert_eq!(points.len(), values.len());
    assert!(points.len() >= 5);
    for (w, v) in points.iter().zip(&values) {
        assert!((v - 2.0 * w).abs() < 1e-12, "2*w at {w} is not {v}");
    }
    assert_eq!(
        page.text(".gb-quiz-q:nth-child(2) .gb-quiz-typed label"),
        ["Your answer (a number)"]
    );
    assert_eq!(
        page.text(".gb-quiz-q:nth-child(3) .gb-quiz-typed label"),
        ["Your answer (an expression in w)"]
    );
}

#[test]
fn without_javascript_answers_and_explanations_are_in_details() {
    let (_site, page) = fixture();
    assert_eq!(page.select(".gb-quiz-q > details.gb-quiz-key").len(), 6);
    assert_eq!(
        page.text(".gb-quiz-key .gb-quiz-answer"),
        [
            "Answer: 6",
            "Answer: 4",
            // MathML: 2, invisible times, w.
            "Answer: 2\u{2062}w",
            "Answer: ≈ 0.881",
            "Answers: w = 1; w = 3",
            "Answer: 2.4",
        ]
    );
    let explanations = page.text(".gb-quiz-key .gb-quiz-explanation");
    assert_eq!(explanations.len(), 5, "{explanations:?}");
    assert!(explanations[0].starts_with("The derivative of w² is 2w"));
    // Controls that need the script are hidden until it runs.
    for control in page.select(".gb-quiz-actions, .gb-quiz-score") {
        assert!(control.value().attr("hidden").is_some());
        assert!(control.value().attr("data-gb-js").is_some());
    }
}

#[test]
fn questions_count_in_the_site_wide_progress() {
    let (site, page) = fixture();
    assert_eq!(
        page.attr(
            &format!(".nav-progress[data-progress-page=\"/{LESSON}\"]"),
            "data-progress-questions"
        ),
        ["6"]
    );
    let home = site.page("");
    assert_eq!(
        home.attr(".lesson-progress", "data-progress-questions"),
        ["6"]
    );
    assert_eq!(
        home.text(".lesson-progress"),
        ["Take the quiz to track your progress"]
    );
}

#[test]
fn quiz_problems_are_reported_together_at_their_lines() {
    let site = SiteTest::new().lesson(
        "a.md",
        "A",
        "```calc\n>>> J(w) = w**2\n```\n\n::: quiz\n### No right one\n- [ ] 1\n- [ ] 2\n### Broken\nanswer: `= K(2)`\n### Twice\n- [x] `= J'(3)`\n- [ ] 6\n### Not an answer\nanswer: 3 +\n:::\n",
    );
    let run = site.check();
    run.code(1)
        .stderr_has("content/a.md:9:5")
        .stderr_has("quiz question `No right one` has no right choice")
        .stderr_has("content/a.md:13:12")
        .stderr_has("the quiz answer does not compute: unknown function 'K'")
        .stderr_has("content/a.md:16:7")
        .stderr_has("two choices of this question show the same text once computed")
        .stderr_has("content/a.md:18:11")
        .stderr_has("the quiz answer `3 +` is not a number or an expression")
        .stderr_has("help: mark the right choice with `[x]`");
}

#[test]
fn search_indexes_questions_and_explanations_but_not_the_chrome() {
    let (site, _page) = fixture();
    let text = std::fs::read_dir(site.root().join("site/search"))
        .expect("a search folder")
        .flat_map(|entry| {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                std::fs::read_dir(&path)
                    .expect("a folder")
                    .map(|e| e.expect("an entry").path())
                    .collect::<Vec<_>>()
            } else {
                vec![path]
            }
        })
        .filter_map(|path| std::fs::read_to_string(path).ok())
        .collect::<String>();
    assert!(text.contains("Which points have a positive slope?"));
    assert!(text.contains("The slope 2w is positive exactly where w is."));
    assert!(!text.contains("Select all that apply"));
    assert!(!text.contains("Show the answer"));
    assert!(!text.contains("Your answer (a number)"));
}

#[test]
fn a_choice_that_is_a_formula_has_a_plain_name() {
    let site = SiteTest::new().lesson(
        "a.md",
        "A",
        "::: quiz\n### Which grows faster?\n- [x] $w^2$\n- [ ] $w$, for large $w$\n:::\n",
    );
    site.build().success();
    let page = site.page("a/");
    assert_eq!(
        page.attr(".gb-quiz-choice input", "aria-label"),
        ["w^2", "w, for large w"]
    );
    assert!(page.has(".gb-quiz-choice label math"));
}
