//! `gradbook export anki`: the real binary writes a package, and the tests
//! open it as Anki would: a zip holding an SQLite collection.

use std::collections::BTreeMap;
use std::fs;
use std::io::Read;
use std::path::Path;

use crate::support::SiteTest;

const SLOPES: &str = "+++
title = \"Slopes\"
order = 1
tags = [\"Gradient Descent\", \"calculus\"]
+++

```calc
>>> J(w) = w**2
```

::: flashcards Slopes
### What is a slope? {#slope}
The rate of change, $\\frac{dJ}{dw}$.

### J(w) = w². What is the slope at w = 3?
It is `= J'(3)`.
:::
";

const PYTHON: &str = "+++
title = \"Python\"
tags = [\"python\"]
+++

::: flashcards
### How do you square every item?
```python
squares = [x**2 for x in range(3)]
```
:::
";

fn site() -> SiteTest {
    SiteTest::new()
        .file(
            "content/calculus/_index.md",
            "+++\ntitle = \"Calculus Basics\"\n+++\n",
        )
        .file("content/calculus/slopes.md", SLOPES)
        .file(
            "content/code/_index.md",
            "+++\ntitle = \"Code & Tools\"\n+++\n",
        )
        .file("content/code/python.md", PYTHON)
}

/// One note of a package, with its card's deck.
#[derive(Debug, Clone)]
struct Note {
    guid: String,
    front: String,
    back: String,
    lesson: String,
    tags: Vec<String>,
    deck: String,
    model: i64,
}

/// What the tests read from a package.
struct Package {
    /// Notes by their front.
    notes: BTreeMap<String, Note>,
    /// Deck names by id.
    decks: BTreeMap<i64, String>,
    /// The note type's styling.
    css: String,
}

/// Opens the package at `path` as Anki does: unzips `collection.anki2`
/// into a temporary folder and reads it with SQLite.
fn open(path: &Path) -> Package {
    let file = fs::File::open(path).expect("package written");
    let mut zip = zip::ZipArchive::new(file).expect("a zip file");
    let mut media = String::new();
    zip.by_name("media")
        .expect("a media list")
        .read_to_string(&mut media)
        .unwrap();
    assert_eq!(media, "{}");
    let (_dir, conn) = crate::support::anki_collection(&fs::read(path).unwrap());
    let (ver, decks, models): (i64, String, String) = conn
        .query_row("SELECT ver, decks, models FROM col", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .unwrap();
    assert_eq!(ver, 11);
    let decks: serde_json::Value = serde_json::from_str(&decks).unwrap();
    let decks: BTreeMap<i64, String> = decks
        .as_object()
        .unwrap()
        .values()
        .map(|d| {
            (
                d["id"].as_i64().unwrap(),
                d["name"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let models: serde_json::Value = serde_json::from_str(&models).unwrap();
    let models = models.as_object().unwrap();
    assert_eq!(models.len(), 1);
    let css = models.values().next().unwrap()["css"]
        .as_str()
        .unwrap()
        .to_string();
    let mut statement = conn
        .prepare(
            "SELECT n.guid, n.flds, n.tags, c.did, n.mid FROM notes n JOIN cards c ON c.nid = n.id",
        )
        .unwrap();
    let notes = statement
        .query_map([], |r| {
            let flds: String = r.get(1)?;
            let fields: Vec<String> = flds.split('\u{1f}').map(str::to_string).collect();
            let tags: String = r.get(2)?;
            let did: i64 = r.get(3)?;
            Ok(Note {
                guid: r.get(0)?,
                front: fields[0].clone(),
                back: fields[1].clone(),
                lesson: fields[2].clone(),
                tags: tags.split_whitespace().map(str::to_string).collect(),
                deck: decks.get(&did).cloned().unwrap_or_default(),
                model: r.get(4)?,
            })
        })
        .unwrap()
        .map(|n| {
            let n = n.unwrap();
            (n.front.clone(), n)
        })
        .collect();
    Package { notes, decks, css }
}

#[test]
fn every_card_becomes_a_note_in_its_sections_deck() {
    let site = site();
    site.run(&["export", "anki"])
        .success()
        .stdout_has("exported 3 cards in 2 decks");
    let package = open(&site.root().join("test-book.apkg"));
    let fronts: Vec<&str> = package.notes.keys().map(String::as_str).collect();
    assert_eq!(
        fronts,
        [
            "How do you square every item?",
            "J(w) = w². What is the slope at w = 3?",
            "What is a slope?",
        ],
        "the `{{#slope}}` is not part of the front"
    );
    let slope = &package.notes["What is a slope?"];
    assert_eq!(
        slope.back, "<p>The rate of change, \\(\\frac{dJ}{dw}\\).</p>\n",
        "TeX in MathJax's delimiters"
    );
    assert_eq!(slope.deck, "Test Book::Calculus Basics");
    assert_eq!(
        slope.tags,
        ["gradient-descent", "calculus", "calculus-basics"]
    );
    assert_eq!(slope.lesson, "Slopes");
    let value = &package.notes["J(w) = w². What is the slope at w = 3?"];
    assert!(
        value.back.contains(">6</span>"),
        "the inline value is computed: {}",
        value.back
    );
    let code = &package.notes["How do you square every item?"];
    assert_eq!(code.deck, "Test Book::Code & Tools");
    assert_eq!(code.tags, ["python", "code-tools"]);
    assert!(
        code.back
            .starts_with("<pre class=\"hl-code\"><code class=\"language-python\">")
            && code.back.contains("<span class=\"hl-"),
        "{}",
        code.back
    );
    assert!(
        package.css.contains(".card .hl-") && package.css.contains(".nightMode .hl-"),
        "the highlighting classes are styled, light and night: {}",
        package.css
    );
    let names: Vec<&str> = package.decks.values().map(String::as_str).collect();
    for deck in [
        "Test Book",
        "Test Book::Calculus Basics",
        "Test Book::Code & Tools",
    ] {
        assert!(names.contains(&deck), "{names:?}");
    }
}

#[test]
fn exporting_again_keeps_guids_unless_an_unnamed_front_changes() {
    let site = site();
    site.run(&["export", "anki", "--out", "first.apkg"])
        .success();
    site.run(&["export", "anki", "--out", "again.apkg"])
        .success();
    let first = open(&site.root().join("first.apkg"));
    let again = open(&site.root().join("again.apkg"));
    let guids = |p: &Package| -> Vec<String> { p.notes.values().map(|n| n.guid.clone()).collect() };
    assert_eq!(guids(&first), guids(&again), "same site, same GUIDs");
    assert_eq!(first.decks, again.decks, "same deck ids");

    // Edit a back, the front of the card with an explicit id, and the
    // front of a card without one.
    let edited = SLOPES
        .replace("The rate of change,", "How fast J changes,")
        .replace(
            "What is a slope? {#slope}",
            "What is the slope of J? {#slope}",
        )
        .replace("It is `= J'(3)`.", "It is `= J'(3)`, twice three.");
    site.write("content/calculus/slopes.md", edited);
    site.write(
        "content/code/python.md",
        PYTHON.replace("square every item", "square each item"),
    );
    site.run(&["export", "anki", "--out", "edited.apkg"])
        .success();
    let edited = open(&site.root().join("edited.apkg"));

    let value = &edited.notes["J(w) = w². What is the slope at w = 3?"];
    let old_value = &first.notes["J(w) = w². What is the slope at w = 3?"];
    assert_eq!(value.guid, old_value.guid, "a new back keeps the GUID");
    assert!(value.back.contains("twice three"), "{}", value.back);

    let slope = &edited.notes["What is the slope of J?"];
    assert_eq!(
        slope.guid, first.notes["What is a slope?"].guid,
        "an explicit id keeps the GUID through a new front"
    );
    assert!(slope.back.contains("How fast J changes"));

    let code = &edited.notes["How do you square each item?"];
    assert_ne!(
        code.guid, first.notes["How do you square every item?"].guid,
        "without an id, the front is the card's identity"
    );
    assert_eq!(first.decks, edited.decks, "the decks keep their ids");
    assert_eq!(slope.model, first.notes["What is a slope?"].model);
}

#[test]
fn an_existing_file_that_is_not_a_package_is_never_replaced() {
    let site = site().file("notes.apkg", "my own notes, not a zip");
    site.run(&["export", "anki", "--out", "notes.apkg"])
        .code(2)
        .stderr_has("is not a .apkg package");
    assert_eq!(
        fs::read_to_string(site.root().join("notes.apkg")).unwrap(),
        "my own notes, not a zip"
    );
    let lesson = site.root().join("content/code/python.md");
    site.run(&["export", "anki", "--out", "content/code/python.md"])
        .code(2)
        .stderr_has("does not end in .apkg");
    assert_eq!(fs::read_to_string(&lesson).unwrap(), PYTHON);
    // A folder named like a package is refused too.
    fs::create_dir(site.root().join("folder.apkg")).unwrap();
    site.run(&["export", "anki", "--out", "folder.apkg"])
        .code(2)
        .stderr_has("is not a file");

    // A package is replaced, through a temporary file: nothing else is
    // left beside it.
    site.run(&["export", "anki", "--out", "missing/deck.apkg"])
        .code(2)
        .stderr_has("does not exist");
    site.run(&["export", "anki", "--out", "deck.apkg"])
        .success();
    site.run(&["export", "anki", "--out", "deck.apkg"])
        .success();
    let leftovers: Vec<String> = fs::read_dir(site.root())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("gradbook"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    assert_eq!(open(&site.root().join("deck.apkg")).notes.len(), 3);
}

#[test]
fn a_deck_inside_the_content_or_static_folder_is_refused() {
    let site = site();
    fs::create_dir_all(site.root().join("static/decks")).unwrap();
    for (out, folder) in [
        ("content/deck.apkg", "content"),
        ("content/calculus/deck.apkg", "content"),
        ("static/decks/deck.apkg", "static"),
    ] {
        site.run(&["export", "anki", "--out", out])
            .code(2)
            .stderr_has(&format!("is inside the {folder} folder"))
            .stderr_has("the next build would publish the deck");
        assert!(!site.root().join(out).exists());
    }
    // A stale temporary of a killed export beside the deck is removed.
    let stale = ".deck.apkg.gradbook-tmp-4194303-00112233aabbccdd";
    site.write(stale, "half a deck");
    site.run(&["export", "anki", "--out", "deck.apkg"])
        .success();
    assert_eq!(
        std::path::Path::new("/proc/self").exists(),
        !site.root().join(stale).exists()
    );
}

#[test]
fn a_bad_lesson_stops_the_export_with_every_problem() {
    let site = site().file(
        "content/calculus/broken.md",
        "+++\ntitle = \"Broken\"\n+++\n\n::: flashcards\n### Slope at 2\n`= J'(2)`\n:::\n\n::: nope\n:::\n\n::: flashcards\n### A {#x}\na\n### B {#x}\nb\n:::\n",
    );
    let run = site.run(&["export", "anki"]);
    run.code(1)
        .stderr_has("content/calculus/broken.md:7")
        .stderr_has("content/calculus/broken.md:10")
        .stderr_has("content/calculus/broken.md:16")
        .stderr_has("two cards of this `flashcards` component have the id `x`")
        .stderr_has("nothing written");
    assert!(!site.root().join("test-book.apkg").exists());
}

#[test]
fn a_site_without_flashcards_writes_nothing() {
    let site = SiteTest::new().lesson("a.md", "A", "Just text.\n");
    site.run(&["export", "anki"])
        .code(1)
        .stderr_has("has no flashcards");
    let packages: Vec<_> = fs::read_dir(site.root())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "apkg"))
        .collect();
    assert!(packages.is_empty(), "{packages:?}");
}
