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

/// The order in which to show `keys` (the items' keys in their correct
/// order), as indices into `keys`: a Fisher–Yates shuffle seeded by `seed`.
/// For two or more items whose keys are not all equal the result never
/// reads in the correct order; the same inputs always give the same order.
pub fn shuffled_order(keys: &[&str], seed: &str) -> Vec<usize> {
    let n = keys.len();
    let mut order: Vec<usize> = (0..n).collect();
    if n < 2 || keys.iter().all(|k| *k == keys[0]) {
        return order;
    }
    let mut rng = SplitMix64(fnv1a(seed.as_bytes()));
    let reads_correct =
        |order: &[usize]| order.iter().enumerate().all(|(i, &j)| keys[i] == keys[j]);
    for _ in 0..16 {
        for i in (1..n).rev() {
            let j = rng.below(i + 1);
            order.swap(i, j);
        }
        if !reads_correct(&order) {
            return order;
        }
    }
    // Sixteen shuffles in a row that read correctly only happen with many
    // repeated keys; moving the first item to the end always helps, since
    // not every key is the same.
    let mut order: Vec<usize> = (0..n).collect();
    while reads_correct(&order) {
        order.rotate_left(1);
    }
    order
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
    }
}
