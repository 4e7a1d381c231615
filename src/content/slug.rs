//! Slugs: turning file names and heading text into URL pieces and ids.
//!
//! A slug keeps letters (any script, lower-cased) and digits, and turns
//! every run of anything else into a single `-`, trimmed at both ends.

use std::collections::{BTreeSet, HashMap};

/// The slug of `text`; may be empty when `text` has no letter or digit.
pub fn slugify(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_dash = false;
    for c in text.chars() {
        if c.is_alphanumeric() {
            if pending_dash && !out.is_empty() {
                out.push('-');
            }
            pending_dash = false;
            out.extend(c.to_lowercase());
        } else if c == '\'' || c == '’' {
            // "Newton's" reads better as "newtons" than "newton-s".
        } else {
            pending_dash = true;
        }
    }
    out
}

/// Title-cases a folder name for a section without a title:
/// `linear-algebra` becomes "Linear algebra".
pub fn humanize(name: &str) -> String {
    let spaced: String = name
        .chars()
        .map(|c| if c == '-' || c == '_' { ' ' } else { c })
        .collect();
    let mut words = spaced.split_whitespace();
    let mut out = String::new();
    if let Some(first) = words.next() {
        let mut chars = first.chars();
        if let Some(c) = chars.next() {
            out.extend(c.to_uppercase());
            out.push_str(chars.as_str());
        }
    }
    for word in words {
        out.push(' ');
        out.push_str(word);
    }
    out
}

/// Hands out ids that are unique within one page: the first "intro" is
/// `intro`, the next `intro-1`, then `intro-2`.
#[derive(Debug, Default, Clone)]
pub struct IdSet {
    used: BTreeSet<String>,
    /// For each base, the suffix to try first: every smaller one is taken,
    /// so a page with thousands of equal headings stays linear.
    next_suffix: HashMap<String, usize>,
}

impl IdSet {
    /// A fresh set.
    pub fn new() -> Self {
        Self::default()
    }

    /// A unique id based on `wanted` (already a slug or an explicit id);
    /// `section` when `wanted` is empty.
    pub fn unique(&mut self, wanted: &str) -> String {
        let base = if wanted.is_empty() { "section" } else { wanted };
        let mut id = base.to_string();
        if self.used.contains(&id) {
            let mut n = self.next_suffix.get(base).copied().unwrap_or(1);
            loop {
                id = format!("{base}-{n}");
                n += 1;
                if !self.used.contains(&id) {
                    break;
                }
            }
            self.next_suffix.insert(base.to_string(), n);
        }
        self.used.insert(id.clone());
        id
    }

    /// Records an id the page has already (from raw HTML), so that links
    /// to it count and later ids avoid it.
    pub fn insert(&mut self, id: &str) {
        self.used.insert(id.to_string());
    }

    /// Whether `id` was handed out.
    pub fn contains(&self, id: &str) -> bool {
        self.used.contains(id)
    }

    /// Every id handed out, sorted.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.used.iter().map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(slugify("What is a Derivative?"), "what-is-a-derivative");
        assert_eq!(slugify("  J(w) = w² "), "j-w-w²");
        assert_eq!(slugify("Newton's method"), "newtons-method");
        assert_eq!(slugify("Übung 2: Gradient"), "übung-2-gradient");
        assert_eq!(slugify("what-is-a-derivative"), "what-is-a-derivative");
        assert_eq!(slugify("???"), "");
    }

    #[test]
    fn humanized_folder_names() {
        assert_eq!(humanize("linear-algebra"), "Linear algebra");
        assert_eq!(humanize("calculus"), "Calculus");
        assert_eq!(humanize("01_intro"), "01 intro");
    }

    #[test]
    fn ids_are_unique_and_stable() {
        let mut ids = IdSet::new();
        assert_eq!(ids.unique("intro"), "intro");
        assert_eq!(ids.unique("intro"), "intro-1");
        assert_eq!(ids.unique("intro"), "intro-2");
        assert_eq!(ids.unique("intro-1"), "intro-1-1");
        assert_eq!(ids.unique(""), "section");
        assert!(ids.contains("intro-2"));
        assert_eq!(ids.unique("intro-3"), "intro-3");
        assert_eq!(ids.unique("intro"), "intro-4");
    }

    #[test]
    fn many_equal_headings_stay_fast() {
        let mut ids = IdSet::new();
        let started = std::time::Instant::now();
        for _ in 0..20_000 {
            ids.unique("a");
        }
        assert_eq!(ids.unique("a"), "a-20000");
        assert!(
            started.elapsed() < std::time::Duration::from_secs(5),
            "{:?}",
            started.elapsed()
        );
    }
}
