//! `...` lines: where runs of expected lines fall in the output, and how
//! to describe the first line that cannot be placed.

use super::*;

/// Whether an expected line is the ellipsis `...`.
pub(super) fn is_ellipsis(line: &str) -> bool {
    matches!(line.trim(), "..." | "…")
}

/// Matches `expected` lines against `computed` lines where `...` stands
/// for any number of lines, with `line_matches(i, j)` deciding whether
/// expected line `i` matches computed line `j`. On failure, names the
/// first expected line that cannot be matched.
///
/// As in doctest, the lines before the first `...` must match the start of
/// the output, the lines after the last one its end, and each run between
/// two `...` is placed at its leftmost match after the previous run. Taking
/// the leftmost match is never wrong (it leaves the most room for the runs
/// after it), so this needs no backtracking: memory is constant and time
/// linear in the output unless runs between two `...` must be searched for.
pub(super) fn ellipsis_match(
    expected: &[&str],
    computed: &[String],
    mut line_matches: impl FnMut(usize, usize) -> Result<(), String>,
) -> Result<(), Mismatch> {
    let n = expected.len();
    let m = computed.len();
    let lines = Lines { expected, computed };

    let ellipses: Vec<usize> = (0..n).filter(|&i| is_ellipsis(expected[i])).collect();
    let (Some(&first), Some(&last)) = (ellipses.first(), ellipses.last()) else {
        lines.in_step(&mut line_matches, 0, n, 0)?;
        if m > n {
            return Err(Mismatch {
                line: n.saturating_sub(1),
                message: "the input printed more than the expected output shows".to_string(),
                expected: expected.last().map(|s| s.to_string()).unwrap_or_default(),
                computed: lines.show(n),
                detail: Some("end the expected output with `...` to skip the rest".to_string()),
            });
        }
        return Ok(());
    };

    // The head: the start of the output.
    lines.in_step(&mut line_matches, 0, first, 0)?;
    let mut pos = first;
    let tail_len = n - last - 1;
    let room = m.saturating_sub(tail_len);

    // The runs between two `...`, each at its leftmost match.
    for pair in ellipses.windows(2) {
        let (from, to) = (pair[0] + 1, pair[1]);
        if from == to {
            continue;
        }
        // The attempt that got furthest, to explain a failure: (lines
        // matched, similarity, expected line, computed line, reason).
        let mut best: Option<(usize, usize, usize, usize, String)> = None;
        let mut found = None;
        let mut start = pos;
        while start + (to - from) <= room {
            let failure = (from..to).enumerate().find_map(|(k, i)| {
                line_matches(i, start + k)
                    .err()
                    .map(|reason| (k, i, start + k, reason))
            });
            match failure {
                None => {
                    found = Some(start);
                    break;
                }
                Some((k, i, j, reason)) => {
                    let alike = similarity(expected[i], &computed[j]);
                    if best.as_ref().is_none_or(|b| (k, alike) > (b.0, b.1)) {
                        best = Some((k, alike, i, j, reason));
                    }
                }
            }
            start += 1;
        }
        match (found, best) {
            (Some(start), _) => pos = start + (to - from),
            (None, Some((_, _, i, j, reason))) => return Err(lines.mismatch(i, j, reason)),
            (None, None) => return Err(lines.too_short(from)),
        }
    }

    // The tail: the end of the output, but never before what is matched.
    lines.in_step(&mut line_matches, last + 1, n, room.max(pos))
}

/// The two sides of a comparison, for building [`Mismatch`]es.
pub(super) struct Lines<'a> {
    expected: &'a [&'a str],
    computed: &'a [String],
}

impl Lines<'_> {
    /// Computed line `j`, or a stand-in past the end.
    fn show(&self, j: usize) -> String {
        self.computed
            .get(j)
            .cloned()
            .unwrap_or_else(|| "(no more output)".to_string())
    }

    fn mismatch(&self, i: usize, j: usize, reason: String) -> Mismatch {
        Mismatch {
            line: i,
            message: "output does not match".to_string(),
            expected: self.expected[i].to_string(),
            computed: self.show(j),
            detail: Some(reason).filter(|r| !r.is_empty()),
        }
    }

    fn too_short(&self, i: usize) -> Mismatch {
        Mismatch {
            line: i,
            message: "expected more output than the input printed".to_string(),
            expected: self.expected[i].to_string(),
            computed: self.show(self.computed.len()),
            detail: None,
        }
    }

    /// Expected lines `from..to` against computed lines from `at` on, in
    /// step; the first line without a match or a counterpart is the error.
    fn in_step(
        &self,
        line_matches: &mut impl FnMut(usize, usize) -> Result<(), String>,
        from: usize,
        to: usize,
        at: usize,
    ) -> Result<(), Mismatch> {
        for (k, i) in (from..to).enumerate() {
            let j = at + k;
            if j >= self.computed.len() {
                return Err(self.too_short(i));
            }
            line_matches(i, j).map_err(|reason| self.mismatch(i, j, reason))?;
        }
        Ok(())
    }
}

/// How alike two lines look: the number of white-space-separated cells
/// that are equal at the same position.
pub(super) fn similarity(a: &str, b: &str) -> usize {
    a.split_whitespace()
        .zip(b.split_whitespace())
        .filter(|(x, y)| x == y)
        .count()
}
