//! An Anki package (`.apkg`) of every flashcard of the site.
//!
//! A package is a zip holding `collection.anki2`, an SQLite database in
//! Anki's collection schema (version 11, which every Anki since 2.1 and
//! AnkiDroid import), and `media`, the JSON list of media files (none
//! here). The collection is built in memory and serialized, so nothing but
//! the finished package is ever written, and that by `output`.
//!
//! What Anki matches on import, and so what must stay the same from one
//! export to the next: a note's GUID ([`guid`]: the book's title, the
//! lesson's file and the card's id), the note type's id and the decks'
//! ids (both derived from the book's title). A note whose GUID Anki knows
//! is updated in place, keeping its review history, when the package's
//! copy is newer: every note is stamped with the time of the export.

use std::collections::{BTreeMap, HashSet};
use std::io::{Cursor, Write};

use anyhow::{Context, Result};
use rusqlite::{Connection, params};
use serde_json::{Value, json};

use super::fields::{mathml_to_tex, plain_text};
use crate::components::fnv1a;
use crate::content::slug::slugify;
use crate::site::{Site, SiteCard};

/// The note type's fields, in order.
const FIELDS: [&str; 3] = ["Front", "Back", "Lesson"];

/// A finished package and what is in it.
#[derive(Debug)]
pub struct Package {
    /// The `.apkg` file's bytes.
    pub bytes: Vec<u8>,
    /// One note (and one card) per flashcard.
    pub notes: usize,
    /// The full names of the decks that hold cards.
    pub decks: Vec<String>,
}

/// The file name an export gets when none is given: the book title's slug
/// with `.apkg` (`deck.apkg` for a title without letters or digits).
pub fn default_file_name(title: &str) -> String {
    let slug = slugify(title);
    if slug.is_empty() {
        "deck.apkg".to_string()
    } else {
        format!("{slug}.apkg")
    }
}

/// The GUID of a card's note: a hash of the book's title, the lesson's
/// file (relative to the content folder, `/`-separated) and the card's id
/// (the `{#id}` written on its front, else a hash of the front's text).
/// Nothing else goes in: editing a card's back, moving it within its
/// lesson or retitling its section keeps its GUID.
pub fn guid(book: &str, lesson_path: &str, card_id: &str) -> String {
    let key = format!("gradbook\u{0}{book}\u{0}{lesson_path}\u{0}{card_id}");
    format!("gb{:016x}", fnv1a(key.as_bytes()))
}

/// A stable id for Anki's tables (decks, the note type) from `key`: in
/// the range of Anki's own ids (millisecond timestamps, well below 2^53 so
/// JavaScript reads them exactly) and never 1, the default deck's.
fn stable_number(key: &str) -> i64 {
    const LOW: u64 = 1 << 40;
    let n = LOW + fnv1a(key.as_bytes()) % (1 << 52);
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// The deck name of a title: `::` separates sub-decks in Anki, so a
/// title's own `::` becomes `:`; control characters (Anki keeps U+001F
/// between a deck name's parts) are dropped.
fn deck_part(title: &str) -> String {
    let title = crate::html::drop_controls(title);
    let title = title.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut title = title.replace("::", ":");
    while title.contains("::") {
        title = title.replace("::", ":");
    }
    title
}

/// Anki tags hold no spaces: each of the lesson's tags as a slug, then the
/// section's, without repeats.
fn tags_of(card: &SiteCard) -> Vec<String> {
    let mut tags: Vec<String> = Vec::new();
    let section = slugify(&card.section_title);
    for tag in card.tags.iter().map(|t| slugify(t)).chain([section]) {
        if !tag.is_empty() && !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    tags
}

/// One note as it goes into the collection.
struct Note {
    guid: String,
    deck: i64,
    fields: [String; 3],
    tags: Vec<String>,
}

/// Builds the package of `cards` (every flashcard of `site`, in reading
/// order), stamped with `now` (seconds since the Unix epoch).
pub fn package(site: &Site, cards: &[SiteCard], now: i64) -> Result<Package> {
    let (decks, notes) = notes_of(site, cards);
    let used: Vec<String> = decks
        .iter()
        .filter(|(_, id)| notes.iter().any(|n| n.deck == **id))
        .map(|(name, _)| name.clone())
        .collect();
    let collection = collection(site, &decks, &notes, now).context("building the collection")?;
    let bytes = zip_package(&collection).context("packing the collection")?;
    Ok(Package {
        bytes,
        notes: notes.len(),
        decks: used,
    })
}

/// The decks (full name → id: the book's, and one per section that has
/// cards) and one note per card.
fn notes_of(site: &Site, cards: &[SiteCard]) -> (BTreeMap<String, i64>, Vec<Note>) {
    let book = site.config.book.title.as_str();
    let course = deck_part(book);
    let mut decks: BTreeMap<String, i64> = BTreeMap::new();
    decks.insert(course.clone(), stable_number(&format!("deck\u{0}{course}")));
    let mut seen: HashSet<(String, String)> = HashSet::new();
    let mut notes = Vec::with_capacity(cards.len());
    for card in cards {
        let section = deck_part(&card.section_title);
        let deck_name = if section.is_empty() {
            course.clone()
        } else {
            format!("{course}::{section}")
        };
        let deck = *decks
            .entry(deck_name.clone())
            .or_insert_with(|| stable_number(&format!("deck\u{0}{deck_name}")));
        let path = card.lesson_path.to_string_lossy().replace('\\', "/");
        // Ids are unique within a flashcards component; two components of
        // one lesson may share one, and the later card takes the first
        // free suffix (`-2`, `-3`, …) among the lesson's ids.
        let mut id = card.card.id.clone();
        let mut suffix = 1;
        while seen.contains(&(path.clone(), id.clone())) {
            suffix += 1;
            id = format!("{}-{suffix}", card.card.id);
        }
        seen.insert((path.clone(), id.clone()));
        notes.push(Note {
            guid: guid(book, &path, &id),
            deck,
            // U+001F separates a note's fields in Anki's `flds`: no
            // control character reaches a field.
            fields: [
                crate::html::drop_controls(&mathml_to_tex(&card.card.front)),
                crate::html::drop_controls(&mathml_to_tex(&card.card.back)),
                lesson_field(site, card),
            ],
            tags: tags_of(card),
        });
    }
    (decks, notes)
}

/// The third field: the lesson's title, a link to it when the site has an
/// absolute address.
fn lesson_field(site: &Site, card: &SiteCard) -> String {
    let title = crate::html::escape(&card.lesson_title);
    match site.config.book.absolute_base_url() {
        Some(base) => format!(
            "<a href=\"{}{}\">{title}</a>",
            crate::html::escape(base),
            crate::html::escape(&card.lesson_url)
        ),
        None => title,
    }
}

/// Anki's collection tables, schema 11.
const SCHEMA: &str = "
CREATE TABLE col (
    id integer PRIMARY KEY, crt integer NOT NULL, mod integer NOT NULL,
    scm integer NOT NULL, ver integer NOT NULL, dty integer NOT NULL,
    usn integer NOT NULL, ls integer NOT NULL, conf text NOT NULL,
    models text NOT NULL, decks text NOT NULL, dconf text NOT NULL,
    tags text NOT NULL
);
CREATE TABLE notes (
    id integer PRIMARY KEY, guid text NOT NULL, mid integer NOT NULL,
    mod integer NOT NULL, usn integer NOT NULL, tags text NOT NULL,
    flds text NOT NULL, sfld integer NOT NULL, csum integer NOT NULL,
    flags integer NOT NULL, data text NOT NULL
);
CREATE TABLE cards (
    id integer PRIMARY KEY, nid integer NOT NULL, did integer NOT NULL,
    ord integer NOT NULL, mod integer NOT NULL, usn integer NOT NULL,
    type integer NOT NULL, queue integer NOT NULL, due integer NOT NULL,
    ivl integer NOT NULL, factor integer NOT NULL, reps integer NOT NULL,
    lapses integer NOT NULL, left integer NOT NULL, odue integer NOT NULL,
    odid integer NOT NULL, flags integer NOT NULL, data text NOT NULL
);
CREATE TABLE revlog (
    id integer PRIMARY KEY, cid integer NOT NULL, usn integer NOT NULL,
    ease integer NOT NULL, ivl integer NOT NULL, lastIvl integer NOT NULL,
    factor integer NOT NULL, time integer NOT NULL, type integer NOT NULL
);
CREATE TABLE graves (
    usn integer NOT NULL, oid integer NOT NULL, type integer NOT NULL
);
CREATE INDEX ix_notes_usn ON notes (usn);
CREATE INDEX ix_cards_usn ON cards (usn);
CREATE INDEX ix_revlog_usn ON revlog (usn);
CREATE INDEX ix_cards_nid ON cards (nid);
CREATE INDEX ix_cards_sched ON cards (did, queue, due);
CREATE INDEX ix_revlog_cid ON revlog (cid);
CREATE INDEX ix_notes_csum ON notes (csum);
";

/// The collection database's bytes.
fn collection(
    site: &Site,
    decks: &BTreeMap<String, i64>,
    notes: &[Note],
    now: i64,
) -> rusqlite::Result<Vec<u8>> {
    let book = site.config.book.title.as_str();
    let model_id = stable_number(&format!("note type\u{0}{book}"));
    let now_ms = now.saturating_mul(1000);
    let mut conn = Connection::open_in_memory()?;
    conn.execute_batch(SCHEMA)?;
    let tx = conn.transaction()?;
    tx.execute(
        "INSERT INTO col VALUES (1, ?1, ?2, ?2, 11, 0, 0, 0, ?3, ?4, ?5, ?6, '{}')",
        params![
            now - now % 86_400,
            now_ms,
            collection_config(model_id, notes.len()).to_string(),
            json!({ model_id.to_string(): note_type(site, model_id, now) }).to_string(),
            decks_json(decks, now).to_string(),
            json!({ "1": deck_options() }).to_string(),
        ],
    )?;
    for (i, note) in notes.iter().enumerate() {
        let offset = i64::try_from(i).unwrap_or(i64::MAX);
        let id = now_ms.saturating_add(offset);
        let sort = plain_text(&note.fields[0]);
        let tags = if note.tags.is_empty() {
            String::new()
        } else {
            format!(" {} ", note.tags.join(" "))
        };
        tx.execute(
            "INSERT INTO notes VALUES (?1, ?2, ?3, ?4, -1, ?5, ?6, ?7, ?8, 0, '')",
            params![
                id,
                note.guid,
                model_id,
                now,
                tags,
                note.fields.join("\u{1f}"),
                sort,
                checksum(&sort),
            ],
        )?;
        // One new card per note, due in reading order.
        tx.execute(
            "INSERT INTO cards VALUES (?1, ?1, ?2, 0, ?3, -1, 0, 0, ?4, 0, 0, 0, 0, 0, 0, 0, 0, '')",
            params![id, note.deck, now, offset + 1],
        )?;
    }
    tx.commit()?;
    let data = conn.serialize(rusqlite::MAIN_DB)?;
    Ok(data.to_vec())
}

/// The first 8 hex digits of the SHA-1 of a note's first field, as a
/// number: Anki's duplicate check.
fn checksum(sort_field: &str) -> i64 {
    let digest = sha1_smol::Sha1::from(sort_field).digest().bytes();
    i64::from(u32::from_be_bytes([
        digest[0], digest[1], digest[2], digest[3],
    ]))
}

/// The collection's settings (`col.conf`).
fn collection_config(model_id: i64, notes: usize) -> Value {
    json!({
        "activeDecks": [1],
        "curDeck": 1,
        "newSpread": 0,
        "collapseTime": 1200,
        "timeLim": 0,
        "estTimes": true,
        "dueCounts": true,
        "curModel": model_id,
        "nextPos": notes + 1,
        "sortType": "noteFld",
        "sortBackwards": false,
        "addToCur": true,
    })
}

/// Every deck, the default one (which every collection has) included.
fn decks_json(decks: &BTreeMap<String, i64>, now: i64) -> Value {
    let mut all = serde_json::Map::new();
    all.insert("1".to_string(), deck_json(1, "Default", now));
    for (name, id) in decks {
        all.insert(id.to_string(), deck_json(*id, name, now));
    }
    Value::Object(all)
}

fn deck_json(id: i64, name: &str, now: i64) -> Value {
    json!({
        "id": id,
        "name": name,
        "mod": now,
        "usn": -1,
        "desc": "",
        "dyn": 0,
        "conf": 1,
        "collapsed": false,
        "browserCollapsed": false,
        "newToday": [0, 0],
        "revToday": [0, 0],
        "lrnToday": [0, 0],
        "timeToday": [0, 0],
        "extendNew": 0,
        "extendRev": 0,
    })
}

/// The options group the decks use: Anki's defaults.
fn deck_options() -> Value {
    json!({
        "id": 1,
        "name": "Default",
        "mod": 0,
        "usn": 0,
        "maxTaken": 60,
        "autoplay": true,
        "timer": 0,
        "replayq": true,
        "dyn": false,
        "new": {
            "bury": false,
            "delays": [1.0, 10.0],
            "initialFactor": 2500,
            "ints": [1, 4, 0],
            "order": 1,
            "perDay": 20,
        },
        "lapse": {
            "delays": [10.0],
            "leechAction": 1,
            "leechFails": 8,
            "minInt": 1,
            "mult": 0.0,
        },
        "rev": {
            "bury": false,
            "ease4": 1.3,
            "ivlFct": 1.0,
            "maxIvl": 36500,
            "perDay": 200,
            "hardFactor": 1.2,
        },
    })
}

/// The note type: front, back and the lesson, one card per note, styled
/// for code (the site's highlighting themes, the dark one in Anki's night
/// mode) and formulas.
fn note_type(site: &Site, id: i64, now: i64) -> Value {
    let fields: Vec<Value> = FIELDS
        .iter()
        .enumerate()
        .map(|(ord, name)| {
            json!({
                "name": name,
                "ord": ord,
                "sticky": false,
                "rtl": false,
                "font": "Arial",
                "size": 20,
                "media": [],
            })
        })
        .collect();
    json!({
        "id": id,
        "name": format!("gradbook: {}", crate::html::drop_controls(&site.config.book.title)),
        "type": 0,
        "mod": now,
        "usn": -1,
        "sortf": 0,
        "did": 1,
        "flds": fields,
        "tmpls": [{
            "name": "Card 1",
            "ord": 0,
            "qfmt": "<div class=\"front\">{{Front}}</div>",
            "afmt": "<div class=\"front\">{{Front}}</div>\n<hr id=\"answer\">\n<div class=\"back\">{{Back}}</div>\n{{#Lesson}}<p class=\"lesson\">{{Lesson}}</p>{{/Lesson}}",
            "bqfmt": "",
            "bafmt": "",
            "did": null,
            "bfont": "",
            "bsize": 0,
        }],
        "css": styling(site),
        "latexPre": "\\documentclass[12pt]{article}\n\\special{papersize=3in,5in}\n\\usepackage{amssymb,amsmath}\n\\pagestyle{empty}\n\\setlength{\\parindent}{0in}\n\\begin{document}\n",
        "latexPost": "\\end{document}",
        "latexsvg": false,
        "req": [[0, "any", [0]]],
        "tags": [],
        "vers": [],
    })
}

/// The note type's CSS.
fn styling(site: &Site) -> String {
    let theme = &site.config.theme;
    let light = crate::markdown::highlight::scoped_stylesheet(&theme.highlight_light, ".card")
        .unwrap_or_default();
    let dark = crate::markdown::highlight::scoped_stylesheet(&theme.highlight_dark, ".nightMode")
        .unwrap_or_default();
    format!(
        ".card {{ font-family: system-ui, sans-serif; font-size: 20px; line-height: 1.5; text-align: left; max-width: 40em; margin: 0 auto; }}\n\
         .front {{ font-weight: 600; }}\n\
         .lesson {{ font-size: 0.8em; opacity: 0.7; }}\n\
         pre.hl-code {{ font-size: 0.8em; padding: 0.6em 0.8em; border-radius: 6px; overflow-x: auto; }}\n\
         code {{ font-family: ui-monospace, Menlo, Consolas, monospace; }}\n\
         table {{ border-collapse: collapse; }} td, th {{ padding: 0.2em 0.6em; border: 1px solid #8888; }}\n\
         svg {{ max-width: 100%; height: auto; }}\n\
         /* Code colours: light, then Anki's night mode. */\n{light}{dark}"
    )
}

/// The `.apkg` zip: the collection and an empty media list.
fn zip_package(collection: &[u8]) -> zip::result::ZipResult<Vec<u8>> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("collection.anki2", options)?;
    zip.write_all(collection)?;
    zip.start_file("media", options)?;
    zip.write_all(b"{}")?;
    Ok(zip.finish()?.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guids_depend_on_the_book_the_lesson_and_the_card_only() {
        let g = guid("Gradients", "calculus/slopes.md", "slope");
        assert_eq!(g, guid("Gradients", "calculus/slopes.md", "slope"));
        assert_eq!(g.len(), 18);
        assert!(g.starts_with("gb"));
        for other in [
            guid("Other book", "calculus/slopes.md", "slope"),
            guid("Gradients", "calculus/other.md", "slope"),
            guid("Gradients", "calculus/slopes.md", "slope-2"),
            // The parts are kept apart: no shifting text between them.
            guid("Gradients", "calculus/slopes.mdslope", ""),
        ] {
            assert_ne!(g, other);
        }
        // Fixed forever: a change here duplicates every learner's cards.
        assert_eq!(
            guid("Gradients", "calculus/slopes.md", "slope"),
            format!(
                "gb{:016x}",
                fnv1a(b"gradbook\0Gradients\0calculus/slopes.md\0slope")
            )
        );
    }

    #[test]
    fn notes_come_with_their_deck_tags_and_a_unique_guid() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let write = |path: &str, text: &str| {
            let path = root.join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        };
        write(
            "book.toml",
            "[book]\ntitle = \"Course\"\nbase-url = \"https://example.org/c/\"\n",
        );
        write(
            "content/top.md",
            "+++\ntitle = \"Top\"\ntags = [\"A B\", \"a-b\"]\n+++\n\n::: flashcards One\n### Same\nx\n### Same\nw\n:::\n\n::: flashcards Two\n### Same\ny\n:::\n",
        );
        write(
            "content/part/_index.md",
            "+++\ntitle = \"Part :: One\"\n+++\n",
        );
        write(
            "content/part/a.md",
            "+++\ntitle = \"A & B\"\n+++\n\n::: flashcards\n### Same\nz\n:::\n",
        );
        let site = Site::load(root, false).unwrap();
        let outcome = site.render_into(&crate::output::Discard, &|_, _| {});
        assert!(outcome.diagnostics.is_empty(), "{:?}", outcome.diagnostics);
        let (decks, notes) = notes_of(&site, &outcome.cards);
        let names: Vec<&str> = decks.keys().map(String::as_str).collect();
        assert_eq!(names, ["Course", "Course::Part : One"]);
        let same = crate::components::stable_id("Same");
        // The component gave its second "Same" `-2`; the other
        // component's "Same" takes the next free suffix.
        let expected = [
            guid("Course", "top.md", &same),
            guid("Course", "top.md", &format!("{same}-2")),
            guid("Course", "top.md", &format!("{same}-3")),
            guid("Course", "part/a.md", &same),
        ];
        let guids: Vec<&str> = notes.iter().map(|n| n.guid.as_str()).collect();
        assert_eq!(guids, expected);
        assert_eq!(notes[0].deck, decks["Course"]);
        assert_eq!(notes[3].deck, decks["Course::Part : One"]);
        assert_eq!(notes[0].tags, ["a-b"], "tags as slugs, once each");
        assert_eq!(notes[3].tags, ["part-one"]);
        assert_eq!(notes[2].fields[1], "<p>y</p>\n");
        assert_eq!(
            notes[3].fields[2],
            "<a href=\"https://example.org/c/part/a/\">A &amp; B</a>"
        );
        let package = package(&site, &outcome.cards, 1_700_000_000).unwrap();
        assert_eq!(package.notes, 4);
        assert_eq!(package.decks, names);
        assert!(package.bytes.starts_with(b"PK\x03\x04"));
    }

    #[test]
    fn stable_numbers_look_like_anki_ids() {
        for key in ["a", "deck\u{0}Course", "note type\u{0}Course", ""] {
            let n = stable_number(key);
            assert!((1 << 40..1 << 53).contains(&n), "{n}");
            assert_eq!(n, stable_number(key));
        }
        assert_ne!(stable_number("a"), stable_number("b"));
    }

    #[test]
    fn deck_names_and_tags_fit_anki() {
        assert_eq!(deck_part("  C++ :: basics  "), "C++ : basics");
        assert_eq!(deck_part("a::::b"), "a:b");
        assert_eq!(deck_part("a\u{1f}b\u{0}::\u{1b}c"), "ab:c");
        assert_eq!(
            default_file_name("Gradients from Scratch"),
            "gradients-from-scratch.apkg"
        );
        assert_eq!(default_file_name("∑"), "deck.apkg");
    }

    #[test]
    fn checksum_is_the_first_32_bits_of_sha1() {
        // SHA-1("abc") = a9993e36…
        assert_eq!(checksum("abc"), 0xa999_3e36);
    }
}
