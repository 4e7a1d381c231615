//! Exports of a site's content to other tools: today, every flashcard as
//! an Anki deck (`gradbook export anki`). An export is made from what a
//! render hands back (`Outcome::cards`, computed values included) and is
//! returned as bytes; `output` writes it.

pub mod anki;
pub mod fields;
