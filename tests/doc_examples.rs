//! Every example in README.md and docs/SPEC.md works: a fenced block whose
//! info string is `markdown lesson` is written as a lesson of its own in a
//! fresh site (front matter added when it has none) and built with the
//! real binary; one whose info string is `toml book` becomes the
//! `book.toml` of a small site that is checked. A failure names the
//! document and the line of the example's opening fence.

use std::path::Path;

use crate::support::SiteTest;

/// A marked block of a document.
#[derive(Debug, PartialEq)]
struct Example {
    /// The line of its opening fence, from 1.
    line: usize,
    /// `lesson` or `book`.
    kind: &'static str,
    /// What is between the fences.
    text: String,
}

/// The marked blocks of `doc`, by CommonMark's fence rules: a fence is
/// three or more backticks or tildes, closed by a line of at least as many
/// of the same character; blocks inside a longer fence are content.
fn examples(doc: &str) -> Vec<Example> {
    let mut found = Vec::new();
    let mut open: Option<(char, usize, usize, Option<&'static str>, String)> = None;
    for (index, line) in doc.lines().enumerate() {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        let fence_char = trimmed.chars().next().filter(|c| *c == '`' || *c == '~');
        let run = fence_char.map_or(0, |c| trimmed.chars().take_while(|&x| x == c).count());
        match &mut open {
            Some((c, len, start, kind, text)) => {
                if indent < 4
                    && fence_char == Some(*c)
                    && run >= *len
                    && trimmed[run..].trim().is_empty()
                {
                    if let Some(kind) = kind {
                        found.push(Example {
                            line: *start,
                            kind,
                            text: std::mem::take(text),
                        });
                    }
                    open = None;
                } else {
                    text.push_str(line);
                    text.push('\n');
                }
            }
            None => {
                if indent < 4
                    && let Some(c) = fence_char
                    && run >= 3
                {
                    let info: Vec<&str> = trimmed[run..].split_whitespace().collect();
                    let kind = match info.as_slice() {
                        ["markdown", "lesson"] => Some("lesson"),
                        ["toml", "book"] => Some("book"),
                        _ => None,
                    };
                    open = Some((c, run, index + 1, kind, String::new()));
                }
            }
        }
    }
    found
}

/// Builds or checks `example` of `doc`; the error says what went wrong.
fn try_example(doc: &str, example: &Example) -> Result<(), String> {
    let site = match example.kind {
        "lesson" => {
            let lesson = if example.text.trim_start().starts_with("+++")
                || example.text.trim_start().starts_with("---")
            {
                example.text.clone()
            } else {
                format!(
                    "+++\ntitle = \"Example at {doc} line {}\"\n+++\n\n{}",
                    example.line, example.text
                )
            };
            SiteTest::new().file("content/example.md", lesson)
        }
        _ => SiteTest::empty().file("book.toml", &example.text).file(
            "content/example.md",
            "+++\ntitle = \"Example\"\n+++\n\nText.\n",
        ),
    };
    let command: &[&str] = match example.kind {
        "lesson" => &["build"],
        _ => &["check"],
    };
    let run = site.run(command);
    if run.code == 0 {
        Ok(())
    } else {
        Err(format!(
            "{doc}:{}: the {} example fails `gradbook {}`:\n{}{}",
            example.line,
            example.kind,
            command.join(" "),
            run.stdout,
            run.stderr
        ))
    }
}

#[test]
fn every_example_in_the_readme_and_the_spec_works() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut failures = Vec::new();
    for (doc, at_least) in [("README.md", 1), ("docs/SPEC.md", 4)] {
        let text = std::fs::read_to_string(root.join(doc)).expect("the document");
        let found = examples(&text);
        // The marks are what makes an example tested; losing them in an
        // edit must not pass silently.
        assert!(
            found.len() >= at_least,
            "{doc} has {} marked examples (```markdown lesson or ```toml book), expected at least {at_least}",
            found.len()
        );
        for example in &found {
            if let Err(e) = try_example(doc, example) {
                failures.push(e);
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn a_failing_example_is_named_by_its_document_and_line() {
    // The README's example once used `= J'(3)` before the calc block that
    // defines J.
    let doc = "# Doc\n\n````markdown lesson\nThe slope is `= J'(3)`.\n\n```calc\n>>> J(w) = w**2\n```\n````\n";
    let found = examples(doc);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].line, 3);
    let error = try_example("DOC.md", &found[0]).unwrap_err();
    assert!(
        error.starts_with("DOC.md:3: the lesson example fails"),
        "{error}"
    );
    assert!(error.contains("unknown function 'J'"), "{error}");
}

#[test]
fn only_marked_blocks_are_examples_and_fences_nest() {
    let doc = "\
```sh
cargo test
```

````markdown
```markdown lesson
not an example: inside an unmarked fence
```
````

~~~toml book
[book]
title = \"T\"
~~~

````markdown lesson
```calc
>>> 1 + 1
2
```
````
";
    let found = examples(doc);
    assert_eq!(
        found,
        [
            Example {
                line: 11,
                kind: "book",
                text: "[book]\ntitle = \"T\"\n".to_string(),
            },
            Example {
                line: 16,
                kind: "lesson",
                text: "```calc\n>>> 1 + 1\n2\n```\n".to_string(),
            },
        ]
    );
}
