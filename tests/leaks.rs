//! Nothing private is published and nothing from content becomes markup:
//! links into `.git`, the output folder, a build's staging folders or a
//! hidden folder are errors naming the link and its target; operator names
//! and control characters in formulas, front matter and `book.toml` reach
//! pages only escaped or dropped; an Anki note always has its three fields.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use crate::support::SiteTest;

#[cfg(unix)]
fn link(site: &SiteTest, target: &str, at: &str) {
    let at = site.root().join(at);
    fs::create_dir_all(at.parent().unwrap()).unwrap();
    std::os::unix::fs::symlink(site.root().join(target), at).unwrap();
}

fn with_git() -> SiteTest {
    SiteTest::new()
        .lesson("a.md", "A", "Text.\n")
        .file(
            ".git/config",
            "[remote \"origin\"]\n\turl = https://user:hunter2@example.com/r.git\n",
        )
        .file(".git/HEAD", "ref: refs/heads/main\n")
}

#[cfg(unix)]
#[test]
fn links_into_git_are_errors_and_publish_nothing() {
    let site = with_git();
    link(&site, ".git/config", "content/config.txt");
    link(&site, ".git", "static/git");
    link(&site, ".git/HEAD", "templates/assets/head.css");
    let run = site.build();
    run.code(1)
        .stderr_has("content/config.txt")
        .stderr_has("symbolic link to .git/config, in .git, a Git folder")
        .stderr_has("static/git")
        .stderr_has("templates/assets/head.css")
        .stderr_has("symbolic link to .git/HEAD");
    assert!(!site.root().join("site").exists());
    site.check()
        .code(1)
        .stdout_has("content/config.txt: error: symbolic link to .git/config")
        .stdout_has("static/git: error: symbolic link to .git, in .git");
}

#[cfg(unix)]
#[test]
fn a_link_to_the_output_folder_is_an_error_and_the_site_is_not_copied_into_itself() {
    let site = SiteTest::new().lesson("a.md", "A", "Text.\n");
    site.build().success();
    let before = site.tree("site");
    link(&site, "site", "content/old");
    link(&site, "site/index.html", "static/home.html");
    site.build()
        .code(1)
        .stderr_has("content/old")
        .stderr_has("symbolic link to site, in site, a site gradbook built")
        .stderr_has("static/home.html")
        .stderr_has("symbolic link to site/index.html");
    assert_eq!(site.tree("site"), before);
    // A built site reached through a linked folder is refused too.
    fs::create_dir_all(site.root().join("archive")).unwrap();
    fs::remove_file(site.root().join("content/old")).unwrap();
    fs::remove_file(site.root().join("static/home.html")).unwrap();
    site.run(&["build", "--dest", "archive/v1"]).success();
    link(&site, "archive", "static/archive");
    site.check()
        .code(1)
        .stdout_has("static/archive/v1: error: this folder, reached through a symbolic link, is archive/v1, a site gradbook built");
}

#[cfg(unix)]
#[test]
fn links_into_staging_and_hidden_folders_are_errors() {
    let site = SiteTest::new()
        .lesson("a.md", "A", "Text.\n")
        .file(".site.gradbook-staging-7/index.html", "half a site")
        .file(
            ".private/notes.md",
            "+++\ntitle = \"Secret\"\n+++\nsecret\n",
        )
        .file(".env", "TOKEN=hunter2\n")
        .file(
            ".theme/page.html",
            "{% extends \"__builtin__/page.html\" %}",
        );
    link(&site, ".site.gradbook-staging-7", "static/staging");
    link(&site, ".private", "content/private");
    link(&site, ".env", "static/env.txt");
    link(&site, ".theme/page.html", "templates/page.html");
    let run = site.check();
    run.code(1)
        .stdout_has("static/staging: error: symbolic link to .site.gradbook-staging-7, in .site.gradbook-staging-7, a folder of a build in progress or replaced")
        .stdout_has("content/private: error: symbolic link to .private, in .private, which is hidden")
        .stdout_has("static/env.txt: error: symbolic link to .env, in .env, which is hidden")
        .stdout_has("templates/page.html: error: symbolic link to .theme/page.html, in .theme, which is hidden");
    assert!(!run.stdout.contains("Secret"));
    site.build().code(1);
    assert!(!site.root().join("site").exists());
}

#[test]
fn a_content_folder_in_a_private_place_is_refused() {
    let site = with_git()
        .file(
            "book.toml",
            "[book]\ntitle = \"T\"\n[build]\ncontent-dir = \".git\"\n",
        )
        .file(".git/lesson.md", "+++\ntitle = \"L\"\n+++\nx\n");
    site.check().code(1).stdout_has(
        ".git: error: this folder is in .git, a Git folder; gradbook never reads or publishes it",
    );
    site.build().code(1);
    assert!(!site.root().join("site").exists());
}

const OPERATORS: &str = r"+++
title = 'Operators'
+++

Inline $\operatorname{a<b}(x)$ and $\operatorname*{<script>alert(1)</script>}_x f$.

$$
\DeclareMathOperator{\cmp}{x<y}
\DeclareMathOperator*{\Cmp}{u>v}
\cmp z + \Cmp_w + \operatorname\lt + \operatorname{\&}
$$
";

#[test]
fn operator_names_reach_the_page_escaped() {
    let site = SiteTest::new().file("content/ops.md", OPERATORS);
    site.build().success();
    let page = site.page("ops/");
    assert!(!page.has("math script, math mo *"), "{}", page.source);
    let names = page.text("mo[lspace='0']");
    for name in ["a<b", "<script>alert(1)</script>", "x<y", "u>v", "<"] {
        assert!(names.iter().any(|n| n == name), "{name}: {names:?}");
    }
    assert!(page.source.contains("a&lt;b"));
    assert!(page.source.contains(">&amp;</mo>"), "{}", page.source);
}

#[test]
fn control_characters_in_front_matter_and_book_toml_never_reach_a_page() {
    let site = SiteTest::new()
        .file(
            "book.toml",
            "[book]\ntitle = \"Book\\u0000\\u001b[31m\"\ndescription = \"D\\u0007\\u001f\"\nbase-url = \"https://example.com/\"\n",
        )
        .file(
            "content/a.md",
            "+++\ntitle = \"A\\u0000B\\u001b[2JC\"\nsummary = \"S\\u0008\\u001f\"\ntags = [\"t\\u001bag\"]\n+++\nText with $\\text{x\u{1b}y}$.\n",
        );
    site.build().success();
    let files = crate::support::read_tree(&site.root().join("site"));
    for (path, bytes) in &files {
        let is_text = path
            .extension()
            .is_some_and(|e| ["html", "xml", "txt", "js"].iter().any(|x| e == *x));
        if is_text {
            assert!(
                !bytes
                    .iter()
                    .any(|&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r')),
                "{} holds a control character",
                path.display()
            );
        }
    }
    let page = site.page("a/");
    assert_eq!(page.text("h1"), ["AB[2JC"]);
    assert!(page.source.contains("<title>AB[2JC"), "{}", page.source);
    assert!(page.source.contains("<mtext>xy</mtext>"));
}

/// The fields of every note of the package at `path`, as Anki splits them.
fn note_fields(path: &Path) -> (Vec<Vec<String>>, Vec<String>) {
    let (_dir, conn) = crate::support::anki_collection(&fs::read(path).unwrap());
    let mut statement = conn.prepare("SELECT flds FROM notes").unwrap();
    let notes = statement
        .query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .map(|f| f.unwrap().split('\u{1f}').map(str::to_string).collect())
        .collect();
    let decks: String = conn
        .query_row("SELECT decks FROM col", [], |r| r.get(0))
        .unwrap();
    let decks: BTreeMap<String, serde_json::Value> = serde_json::from_str(&decks).unwrap();
    let names = decks
        .values()
        .map(|d| d["name"].as_str().unwrap().to_string())
        .collect();
    (notes, names)
}

#[test]
fn the_field_separator_in_a_title_or_card_shifts_no_field() {
    let site = SiteTest::new()
        .file(
            "book.toml",
            "[book]\ntitle = \"Deck\\u001fBook\"\n",
        )
        .file(
            "content/s/_index.md",
            "+++\ntitle = \"Sec\\u001ftion\"\n+++\n",
        )
        .file(
            "content/s/a.md",
            "+++\ntitle = \"Less\\u001fon\\u0000\"\n+++\n\n::: flashcards\n### Front\u{1f}one\u{1b}\nBack\u{1f}two $\\text{a\u{1f}b}$\n:::\n",
        );
    site.run(&["export", "anki", "--out", "deck.apkg"])
        .success();
    let (notes, decks) = note_fields(&site.root().join("deck.apkg"));
    assert_eq!(notes.len(), 1);
    let fields = &notes[0];
    assert_eq!(fields.len(), 3, "{fields:?}");
    assert!(fields[0].contains("Frontone"), "{fields:?}");
    assert!(fields[1].contains("Backtwo"), "{fields:?}");
    assert_eq!(fields[2], "Lesson");
    for field in fields {
        assert!(
            !field.contains(|c: char| c.is_control() && c != '\n'),
            "{field:?}"
        );
    }
    for deck in &decks {
        assert!(!deck.contains(|c: char| c.is_control()), "{deck:?}");
    }
    assert!(
        decks.contains(&"DeckBook::Section".to_string()),
        "{decks:?}"
    );
}
