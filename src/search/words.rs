//! Words for the index: the one rule that turns text into search terms.
//!
//! `templates/assets/search.js` applies the same rule to what a reader
//! types and to the text it highlights, so the two must stay in step; the
//! rule is spelled out in SPEC (section "Search") and here:
//!
//! 1. A *run* is a maximal stretch of letters, digits and combining marks
//!    (Unicode `Alphabetic`, `Numeric` or `Mark`). Each Chinese or Japanese
//!    character ([`is_cjk`]) is a run of its own, since those languages do
//!    not put spaces between words.
//! 2. Each run is decomposed (NFKD), its combining marks are dropped (so
//!    "naïve" is "naive" and "ﬁ" is "fi"), it is lower-cased, and it is
//!    split again wherever decomposition made a character that is neither
//!    a letter nor a digit.
//! 3. A piece is a word unless it is only digits (numbers are not
//!    searchable), a single character other than a CJK one, or longer than
//!    [`MAX_WORD`] characters.
//! 4. With English stemming on (a site whose `book.language` is `en` or
//!    `en-…`), a word of four characters or more loses its plural ending
//!    by Harman's "S" rule ([`stem`]).

use std::borrow::Cow;
use std::ops::Range;

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Words longer than this many characters (hashes, long identifiers) are
/// not indexed.
pub const MAX_WORD: usize = 40;

/// How words are reduced to terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stemming {
    /// Words are terms as they are.
    None,
    /// English plurals are folded by Harman's "S" rule.
    English,
}

impl Stemming {
    /// The stemming for a site in `language` (a BCP 47 tag such as `en`,
    /// `en-GB` or `fr`).
    pub fn for_language(language: &str) -> Stemming {
        let primary = language.split(['-', '_']).next().unwrap_or_default();
        if primary.eq_ignore_ascii_case("en") {
            Stemming::English
        } else {
            Stemming::None
        }
    }

    /// The name the search script knows this stemming by.
    pub fn name(self) -> &'static str {
        match self {
            Stemming::None => "",
            Stemming::English => "s",
        }
    }
}

/// Calls `each(term, range)` for every word of `text`, in order; `range`
/// is the byte range in `text` of the run the word came from (several
/// words can share one run in rare cases, see rule 2).
pub fn each_word(text: &str, stemming: Stemming, mut each: impl FnMut(&str, Range<usize>)) {
    let mut start: Option<usize> = None;
    let mut piece = String::new();
    let mut flush = |run: Range<usize>, piece: &mut String| {
        normalize_run(&text[run.clone()], stemming, piece, |term| {
            each(term, run.clone())
        });
    };
    for (i, c) in text.char_indices() {
        if is_cjk(c) {
            if let Some(s) = start.take() {
                flush(s..i, &mut piece);
            }
            flush(i..i + c.len_utf8(), &mut piece);
        } else if is_word_char(c) {
            start.get_or_insert(i);
        } else if let Some(s) = start.take() {
            flush(s..i, &mut piece);
        }
    }
    if let Some(s) = start {
        flush(s..text.len(), &mut piece);
    }
}

/// The terms of `text`, in order (repeats kept).
pub fn terms(text: &str, stemming: Stemming) -> Vec<String> {
    let mut out = Vec::new();
    each_word(text, stemming, |term, _| out.push(term.to_string()));
    out
}

/// Steps 2 to 4 for one run, with `buffer` as scratch space.
fn normalize_run(run: &str, stemming: Stemming, buffer: &mut String, mut each: impl FnMut(&str)) {
    buffer.clear();
    if run.is_ascii() {
        // Most text: nothing to decompose, and every piece is the run.
        buffer.push_str(run);
        buffer.make_ascii_lowercase();
        if let Some(word) = keep(buffer) {
            each(&stem_with(stemming, word));
        }
        return;
    }
    buffer.extend(run.nfkd().filter(|&c| !is_combining_mark(c)));
    let lowered = buffer.to_lowercase();
    for piece in lowered.split(|c: char| !c.is_alphanumeric()) {
        if let Some(word) = keep(piece) {
            each(&stem_with(stemming, word));
        }
    }
}

fn stem_with(stemming: Stemming, word: &str) -> Cow<'_, str> {
    match stemming {
        Stemming::None => Cow::Borrowed(word),
        Stemming::English => stem(word),
    }
}

/// Rule 3: whether a lower-cased piece is a word.
fn keep(piece: &str) -> Option<&str> {
    let mut chars = piece.chars();
    let first = chars.next()?;
    let count = 1 + chars.count();
    if count > MAX_WORD || piece.chars().all(char::is_numeric) {
        return None;
    }
    if count == 1 && !is_cjk(first) {
        return None;
    }
    Some(piece)
}

/// Letters, digits and combining marks (rule 1).
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || is_combining_mark(c)
}

/// Chinese characters (the CJK unified ideographs, their extensions and
/// compatibility forms) and Japanese kana: each is a word of its own.
pub fn is_cjk(c: char) -> bool {
    matches!(
        u32::from(c),
        0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x3134F
    )
}

/// Harman's "S" stemmer (1991), for words of four characters or more:
/// `-ies` becomes `-y` (not after `e` or `a`), `-es` becomes `-e` (not
/// after `a`, `e` or `o`), and a final `-s` goes (not after `u` or `s`).
pub fn stem(word: &str) -> Cow<'_, str> {
    if !word.ends_with('s') || word.chars().nth(3).is_none() {
        return Cow::Borrowed(word);
    }
    if let Some(base) = word.strip_suffix("ies")
        && !base.ends_with(['e', 'a'])
    {
        return Cow::Owned(format!("{base}y"));
    }
    if let Some(base) = word.strip_suffix("es")
        && !base.ends_with(['a', 'e', 'o'])
    {
        return Cow::Borrowed(&word[..word.len() - 1]);
    }
    if let Some(base) = word.strip_suffix('s')
        && !base.ends_with(['u', 's'])
    {
        return Cow::Borrowed(base);
    }
    Cow::Borrowed(word)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn en(text: &str) -> Vec<String> {
        terms(text, Stemming::English)
    }

    #[test]
    fn words_are_folded_and_plurals_stemmed() {
        assert_eq!(
            en("Gradients, derivatives & the chain-rule's proofs."),
            ["gradient", "derivative", "the", "chain", "rule", "proof"]
        );
        assert_eq!(
            en("Naïve Schrödinger ﬁnds ÉCOLES"),
            ["naive", "schrodinger", "find", "ecole"]
        );
        assert_eq!(terms("Gradients", Stemming::None), ["gradients"]);
    }

    #[test]
    fn numbers_and_single_letters_are_not_words() {
        assert_eq!(en("J(w) = 3 + 2.5, x1 and 1e-3 ½"), ["x1", "and", "1e"]);
        // A superscript is a digit once decomposed.
        assert_eq!(en("w² and x₁"), ["w2", "and", "x1"]);
    }

    #[test]
    fn chinese_and_japanese_characters_are_words_of_their_own() {
        assert_eq!(en("梯度下降とは"), ["梯", "度", "下", "降", "と", "は"]);
        assert_eq!(en("ML梯度"), ["ml", "梯", "度"]);
        // Korean puts spaces between words; syllables decompose to jamo.
        let jamo = |s: &str| s.nfkd().collect::<String>();
        assert_eq!(en("한국어 단어"), [jamo("한국어"), jamo("단어")]);
    }

    #[test]
    fn ranges_point_at_the_runs_in_the_text() {
        let text = "the Naïve 梯 way";
        let mut seen = Vec::new();
        each_word(text, Stemming::English, |term, range| {
            seen.push((term.to_string(), &text[range]));
        });
        assert_eq!(
            seen,
            [
                ("the".to_string(), "the"),
                ("naive".to_string(), "Naïve"),
                ("梯".to_string(), "梯"),
                ("way".to_string(), "way")
            ]
        );
    }

    #[test]
    fn the_s_stemmer_follows_harman() {
        for (word, stemmed) in [
            ("queries", "query"),
            // Harman's rule is crude on purpose: the same crudeness on both
            // sides of a search is what matters.
            ("series", "sery"),
            ("aies", "aie"),
            ("cases", "case"),
            ("shoes", "shoe"),
            ("goes", "goe"),
            ("gradients", "gradient"),
            ("loss", "loss"),
            ("calculus", "calculus"),
            ("is", "is"),
            ("gas", "gas"),
        ] {
            assert_eq!(stem(word), stemmed, "{word}");
        }
    }

    #[test]
    fn language_picks_the_stemming() {
        assert_eq!(Stemming::for_language("en"), Stemming::English);
        assert_eq!(Stemming::for_language("en-GB"), Stemming::English);
        assert_eq!(Stemming::for_language("EN_us"), Stemming::English);
        assert_eq!(Stemming::for_language("fr"), Stemming::None);
        assert_eq!(Stemming::for_language(""), Stemming::None);
    }

    #[test]
    fn overlong_words_are_dropped() {
        let long = "a".repeat(MAX_WORD + 1);
        assert!(en(&long).is_empty());
        assert_eq!(en(&"b".repeat(MAX_WORD)).len(), 1);
    }
}
