//! Stable hashes and the seeded shuffle.
//!
//! Everything here must give the same answer on every machine and every
//! build, forever: storage ids derived from a card's text must not change
//! between releases, or readers lose their progress, and a reorder
//! exercise must not reshuffle itself each time the site is rebuilt. So
//! the hash (64-bit FNV-1a) and the generator (SplitMix64) are written out
//! here rather than taken from `std` (whose `DefaultHasher` may change) or
//! a random-number crate.

/// 64-bit FNV-1a of `bytes`.
pub(crate) fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

/// A short, stable id for a piece of text: white space is collapsed first,
/// so re-wrapping a line does not change it. Ten lower-case hex digits.
pub fn stable_id(text: &str) -> String {
    let normalized = text.split_whitespace().collect::<Vec<_>>().join(" ");
    format!("{:010x}", fnv1a(normalized.as_bytes()) >> 24)
}

/// SplitMix64: a tiny, well-mixed generator with a 64-bit state.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..bound` (`bound` > 0), without modulo bias.
    fn below(&mut self, bound: usize) -> usize {
        let bound = bound as u64;
        let zone = u64::MAX - (u64::MAX % bound);
        loop {
            let x = self.next();
            if x < zone {
                return (x % bound) as usize;
            }
        }
    }
}

/// The longest run of items already in their correct relative order: the
/// length of the longest increasing subsequence of `order` (patience
/// sorting, O(n log n)). One item more than this run has to move before
/// the order is right, so the smaller it is, the more work the exercise is.
fn longest_ordered_run(order: &[usize]) -> usize {
    let mut tails: Vec<usize> = Vec::new();
    for &x in order {
        match tails.binary_search(&x) {
            Ok(_) => {}
            Err(at) if at == tails.len() => tails.push(x),
            Err(at) => tails[at] = x,
        }
    }
    tails.len()
}

/// How many positions show the item (by key) that belongs there.
fn in_place(keys: &[&str], order: &[usize]) -> usize {
    order
        .iter()
        .enumerate()
        .filter(|&(i, &j)| keys[i] == keys[j])
        .count()
}

/// The most items a shuffle of `n` may leave in correct relative order:
/// half of them, rounded up.
fn ordered_run_limit(n: usize) -> usize {
    n.div_ceil(2)
}

/// The order in which to show `keys` (the items' keys in their correct
/// order), as indices into `keys`: a seeded shuffle that is far from the
/// answer. For two or more items whose keys are not all equal:
///
/// - no item is in its place (no position shows the key that belongs
///   there), whenever the keys allow it;
/// - at most half of the items, rounded up, are in correct relative order
///   ([`longest_ordered_run`] ≤ [`ordered_run_limit`]), so no single move
///   or short series of moves solves it;
/// - the result never reads in the correct order.
///
/// The same inputs always give the same order. Fisher–Yates shuffles are
/// drawn until one meets both rules; keys repeated so often that no
/// shuffle can (one key on more than half the items) get the closest one.
pub fn shuffled_order(keys: &[&str], seed: &str) -> Vec<usize> {
    let n = keys.len();
    let mut order: Vec<usize> = (0..n).collect();
    if n < 2 || keys.iter().all(|k| *k == keys[0]) {
        return order;
    }
    let limit = ordered_run_limit(n);
    let score = |order: &[usize]| {
        (
            in_place(keys, order),
            longest_ordered_run(order).saturating_sub(limit),
        )
    };
    let mut rng = SplitMix64(fnv1a(seed.as_bytes()));
    // Half the items rotated to the front: nothing in place (for distinct
    // keys) and a longest ordered run of exactly the limit. The fallback.
    let mut best: Vec<usize> = (0..n).map(|i| (i + n / 2) % n).collect();
    let mut best_score = score(&best);
    for _ in 0..256 {
        for i in (1..n).rev() {
            let j = rng.below(i + 1);
            order.swap(i, j);
        }
        let s = score(&order);
        if s == (0, 0) {
            return order;
        }
        if s < best_score {
            best_score = s;
            best.clone_from(&order);
        }
    }
    // Only heavily repeated keys get here; moving the first item to the
    // end always changes what is read, since not every key is the same.
    while in_place(keys, &best) == n {
        best.rotate_left(1);
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a_matches_published_vectors() {
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a(b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn stable_ids_ignore_wrapping_and_are_fixed_forever() {
        assert_eq!(
            stable_id("Informal  definition\nof a derivative."),
            stable_id("Informal definition of a derivative.")
        );
        assert_ne!(stable_id("a"), stable_id("b"));
        assert_eq!(stable_id("foobar").len(), 10);
        // Pinned: changing this breaks every reader's stored progress.
        assert_eq!(
            stable_id("foobar"),
            format!("{:010x}", 0x8594_4171_f739_67e8_u64 >> 24)
        );
    }

    /// Every permutation of `0..n`, in lexicographic order.
    fn permutations(n: usize) -> Vec<Vec<usize>> {
        if n == 0 {
            return vec![Vec::new()];
        }
        let mut all = Vec::new();
        for rest in permutations(n - 1) {
            for at in 0..=rest.len() {
                let mut p = rest.clone();
                p.insert(at, n - 1);
                all.push(p);
            }
        }
        all
    }

    /// The longest increasing subsequence by brute force, for checking.
    fn lis_brute(order: &[usize]) -> usize {
        let n = order.len();
        (0u32..1 << n)
            .filter(|mask| {
                let picked: Vec<usize> = (0..n)
                    .filter(|i| mask & (1 << i) != 0)
                    .map(|i| order[i])
                    .collect();
                picked.windows(2).all(|w| w[0] < w[1])
            })
            .map(u32::count_ones)
            .max()
            .unwrap_or(0) as usize
    }

    #[test]
    fn longest_ordered_run_matches_brute_force() {
        for n in 0..=6 {
            for p in permutations(n) {
                assert_eq!(longest_ordered_run(&p), lis_brute(&p), "{p:?}");
            }
        }
        assert_eq!(longest_ordered_run(&[4, 0, 1, 2, 3]), 4);
        assert_eq!(longest_ordered_run(&[2, 3, 4, 0, 1]), 3);
    }

    #[test]
    fn shuffles_are_far_from_the_answer() {
        // The old shuffle of the bundled lesson moved only the last step to
        // the front: one move solved it.
        for n in 2..=12 {
            let keys: Vec<String> = (0..n).map(|i| format!("step {i}")).collect();
            let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
            for seed in 0..300 {
                let order = shuffled_order(&keys, &format!("/page/#k{seed}"));
                let mut sorted = order.clone();
                sorted.sort_unstable();
                assert_eq!(sorted, (0..n).collect::<Vec<_>>(), "a permutation");
                assert_eq!(in_place(&keys, &order), 0, "n={n} seed={seed}: {order:?}");
                assert!(
                    longest_ordered_run(&order) <= ordered_run_limit(n),
                    "n={n} seed={seed}: {order:?}"
                );
            }
        }
    }

    #[test]
    fn the_fallback_meets_the_rules_too() {
        for n in 2..=12 {
            let rotated: Vec<usize> = (0..n).map(|i| (i + n / 2) % n).collect();
            assert!(
                rotated.iter().enumerate().all(|(i, &j)| i != j),
                "{rotated:?}"
            );
            assert_eq!(longest_ordered_run(&rotated), ordered_run_limit(n));
        }
    }

    #[test]
    fn shuffle_is_deterministic_and_never_the_answer() {
        let keys = ["inputs", "representations", "scores", "loss", "decision"];
        let a = shuffled_order(&keys, "/calculus/what-is-a-derivative/#k");
        let b = shuffled_order(&keys, "/calculus/what-is-a-derivative/#k");
        assert_eq!(a, b);
        let mut sorted = a.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, vec![0, 1, 2, 3, 4], "a permutation");
        for seed in 0..500 {
            for n in 2..7 {
                let keys: Vec<String> = (0..n).map(|i| format!("item {i}")).collect();
                let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
                let order = shuffled_order(&keys, &format!("page{seed}"));
                assert_ne!(order, (0..n).collect::<Vec<_>>(), "n={n} seed={seed}");
            }
        }
    }

    #[test]
    fn shuffle_with_repeated_keys_still_moves_something() {
        let keys = ["x", "x", "x", "y"];
        for seed in 0..200 {
            let order = shuffled_order(&keys, &seed.to_string());
            let shown: Vec<&str> = order.iter().map(|&i| keys[i]).collect();
            assert_ne!(shown, keys, "seed {seed}");
        }
        assert_eq!(shuffled_order(&["same", "same"], "s"), vec![0, 1]);
        assert_eq!(shuffled_order(&["one"], "s"), vec![0]);
        assert!(shuffled_order(&[], "s").is_empty());
    }

    #[test]
    fn different_seeds_give_different_orders() {
        let keys = ["a", "b", "c", "d", "e", "f"];
        let distinct: std::collections::HashSet<Vec<usize>> = (0..50)
            .map(|s| shuffled_order(&keys, &format!("s{s}")))
            .collect();
        assert!(distinct.len() > 30, "{}", distinct.len());
        // Three items have exactly two shuffles that move every item; both
        // appear.
        let three: std::collections::HashSet<Vec<usize>> = (0..50)
            .map(|s| shuffled_order(&["a", "b", "c"], &format!("s{s}")))
            .collect();
        assert_eq!(
            three,
            [vec![1, 2, 0], vec![2, 0, 1]].into_iter().collect(),
            "{three:?}"
        );
    }
}
