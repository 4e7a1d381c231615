//! A property: whatever string an author puts in a front-matter field, a
//! `book.toml` string, a formula's text or a flashcard, the pages keep the
//! same elements and attributes as with a harmless string (it is escaped,
//! dropped or refused, never markup), and every Anki note keeps its three
//! fields. Sites are rendered in-process through the library, which is
//! much faster than running the binary for each case.

use std::collections::BTreeMap;

use gradbook::site::Site;
use proptest::prelude::*;

/// Where a case puts its string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    BookTitle,
    Description,
    Language,
    BaseUrl,
    Title,
    Summary,
    Tag,
    Extra,
    OperatorName,
    Text,
    Tag2,
    Label,
    MacroBody,
    Card,
}

const SLOTS: [Slot; 14] = [
    Slot::BookTitle,
    Slot::Description,
    Slot::Language,
    Slot::BaseUrl,
    Slot::Title,
    Slot::Summary,
    Slot::Tag,
    Slot::Extra,
    Slot::OperatorName,
    Slot::Text,
    Slot::Tag2,
    Slot::Label,
    Slot::MacroBody,
    Slot::Card,
];

/// A TOML string literal holding `s` (control characters as escapes).
fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// The site with `value` in `slot` and harmless text everywhere else.
fn write_site(root: &std::path::Path, slot: Slot, value: &str) {
    let pick = |s: Slot, default: &str| {
        if s == slot {
            value.to_string()
        } else {
            default.to_string()
        }
    };
    let book = format!(
        "[book]\ntitle = {}\ndescription = {}\nlanguage = {}\nbase-url = {}\n\n[math.macros]\n\"\\\\m\" = {}\n",
        toml_string(&pick(Slot::BookTitle, "Book")),
        toml_string(&pick(Slot::Description, "About")),
        toml_string(&pick(Slot::Language, "en")),
        toml_string(&format!(
            "https://example.com/{}/",
            pick(Slot::BaseUrl, "course")
        )),
        toml_string(&pick(Slot::MacroBody, "k")),
    );
    let lesson = format!(
        "+++\ntitle = {}\nsummary = {}\ntags = [{}]\n[extra]\nnote = {}\n+++\n\n\
         Inline $\\operatorname{{{}}}(x)$ and $\\text{{{}}}$ and $\\m$.\n\n\
         $$\nx \\tag{{{}}}\n$$\n\n$$\ny \\label{{{}}}\n$$\n\n\
         ::: flashcards\n### Q {} end\nA {} end\n:::\n",
        toml_string(&pick(Slot::Title, "Lesson")),
        toml_string(&pick(Slot::Summary, "Sum")),
        toml_string(&pick(Slot::Tag, "tag")),
        toml_string(&pick(Slot::Extra, "note")),
        pick(Slot::OperatorName, "op"),
        pick(Slot::Text, "text"),
        pick(Slot::Tag2, "tg"),
        pick(Slot::Label, "lbl"),
        pick(Slot::Card, "front"),
        pick(Slot::Card, "back"),
    );
    std::fs::create_dir_all(root.join("content")).unwrap();
    std::fs::write(root.join("book.toml"), book).unwrap();
    std::fs::write(root.join("content/a.md"), lesson).unwrap();
}

/// The elements and attribute names of every HTML page, in document
/// order; inside `<math>` only when the string is not a macro body (which
/// is TeX, so it may well make other MathML).
type Skeleton = BTreeMap<String, Vec<String>>;

/// A render's skeleton and the number of fields of each Anki note.
type Rendered = (Skeleton, Vec<usize>);

/// What rendering `slot` = `value` gives: `None` when the site was refused
/// (a configuration or content error), else the pages' skeleton and the
/// number of fields of each Anki note.
fn render(slot: Slot, value: &str) -> Option<Rendered> {
    let dir = tempfile::tempdir().unwrap();
    write_site(dir.path(), slot, value);
    let site = Site::load(dir.path(), false).ok()?;
    if !site.load_diagnostics.is_empty() {
        return None;
    }
    let (outcome, files) = site.render();
    if !outcome.diagnostics.is_empty() {
        return None;
    }
    let with_math = slot != Slot::MacroBody;
    let mut skeleton = Skeleton::new();
    for (path, bytes) in &files.generated {
        if !std::path::Path::new(path)
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("html"))
        {
            continue;
        }
        let text = String::from_utf8(bytes.to_vec()).unwrap();
        // Front matter, book.toml and formulas lose their control
        // characters; a lesson's own text is Markdown's to render.
        assert!(
            slot == Slot::Card
                || !text
                    .contains(|c: char| c.is_ascii_control() && !matches!(c, '\t' | '\n' | '\r')),
            "{path} holds a control character"
        );
        skeleton.insert(path.clone(), shape(&text, with_math));
    }
    let package = gradbook::export::anki::package(&site, &outcome.cards, 0).unwrap();
    Some((skeleton, fields_per_note(&package.bytes)))
}

/// Every element of `html` as `name[attr,attr]`.
fn shape(html: &str, with_math: bool) -> Vec<String> {
    let document = scraper::Html::parse_document(html);
    let mut out = Vec::new();
    for node in document.root_element().descendants() {
        let Some(element) = scraper::ElementRef::wrap(node) else {
            continue;
        };
        let in_math = element
            .ancestors()
            .filter_map(scraper::ElementRef::wrap)
            .any(|a| a.value().name() == "math");
        if in_math && !with_math {
            // Whatever TeX makes, it makes MathML only.
            assert!(
                element.value().name().starts_with('m')
                    || ["semantics", "annotation"].contains(&element.value().name()),
                "{} inside <math>",
                element.value().name()
            );
            continue;
        }
        let mut attributes: Vec<&str> = element.value().attrs().map(|(n, _)| n).collect();
        attributes.sort_unstable();
        out.push(format!(
            "{}[{}]",
            element.value().name(),
            attributes.join(",")
        ));
    }
    out
}

/// How many fields each note of an `.apkg` splits into.
fn fields_per_note(apkg: &[u8]) -> Vec<usize> {
    let (_dir, conn) = crate::support::anki_collection(apkg);
    let mut statement = conn.prepare("SELECT flds FROM notes").unwrap();
    statement
        .query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .map(|f| f.unwrap().split('\u{1f}').count())
        .collect()
}

/// The site with a harmless string in `slot`, rendered once per slot.
fn baseline(slot: Slot) -> Rendered {
    static DONE: std::sync::Mutex<Vec<(Slot, Rendered)>> = std::sync::Mutex::new(Vec::new());
    let mut done = DONE
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some((_, found)) = done.iter().find(|(s, _)| *s == slot) {
        return found.clone();
    }
    let made = render(slot, "kk").expect("the harmless site renders");
    done.push((slot, made.clone()));
    made
}

/// Strings made of what breaks markup and Anki's fields, among letters.
fn nasty() -> impl Strategy<Value = String> {
    let piece = prop::sample::select(vec![
        "<b>",
        "</mo>",
        "<i title=x>",
        "<script>",
        "<",
        ">",
        "&",
        "&lt;",
        "\"",
        "'",
        "\u{0}",
        "\u{1b}",
        "\u{1f}",
        "\u{7}",
        "k",
        " ",
    ]);
    prop::collection::vec(piece, 1..5).prop_map(|pieces| format!("k{}", pieces.concat()))
}

/// Where the skeletons of two renders first differ, if they do.
fn difference(got: &Skeleton, want: &Skeleton) -> Option<String> {
    if got.keys().ne(want.keys()) {
        return Some(format!(
            "pages {:?} instead of {:?}",
            got.keys(),
            want.keys()
        ));
    }
    for (path, shape) in got {
        let other = &want[path];
        if let Some(i) = (0..shape.len().max(other.len())).find(|&i| shape.get(i) != other.get(i)) {
            return Some(format!(
                "{path}: element {i} is {:?} instead of {:?}",
                shape.get(i),
                other.get(i)
            ));
        }
    }
    None
}

/// The harmless sites render, and a string with markup in each slot
/// renders too (so the property is not met by refusing everything).
#[test]
fn nasty_strings_are_rendered_not_only_refused() {
    for slot in SLOTS {
        let value = match slot {
            // math-core refuses `&` and `"` there (and control characters
            // in a tag), and a macro body is TeX.
            Slot::OperatorName | Slot::Text | Slot::MacroBody => "k<b>\u{1f}\u{1b}",
            Slot::Tag2 => "k<b>",
            Slot::Card => "k< b>&\u{1f}\u{1b}\"'",
            _ => "k<b>&\u{1f}\u{1b}\"'",
        };
        let (skeleton, fields) = render(slot, value).unwrap_or_else(|| panic!("{slot:?} refused"));
        assert_eq!(fields, [3]);
        if let Some(differs) = difference(&skeleton, &baseline(slot).0) {
            panic!("{slot:?}: {differs}");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn no_string_makes_markup_or_shifts_a_field(value in nasty()) {
        for slot in SLOTS {
            // In a flashcard, `<` before a letter or `/` is Markdown's raw
            // HTML, which the author may write on purpose.
            let value = if slot == Slot::Card { value.replace('<', "< ") } else { value.clone() };
            let (want, _) = baseline(slot);
            if let Some((got, fields)) = render(slot, &value) {
                prop_assert_eq!(&fields, &vec![3], "{:?} = {:?}", slot, value);
                let differs = difference(&got, &want);
                prop_assert!(differs.is_none(), "{:?} = {:?}: {}", slot, value, differs.unwrap_or_default());
            }
        }
    }
}
