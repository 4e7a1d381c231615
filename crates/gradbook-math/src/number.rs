//! Numbers of the symbolic engine: exact rationals while the input is exact,
//! floats as soon as a decimal enters, and a float fallback (never a wrap or
//! a panic) when an exact value outgrows 64 bits.

use std::cmp::Ordering;

/// A number inside an expression tree.
#[derive(Debug, Clone, Copy)]
pub enum Num {
    /// `num/den` in lowest terms with `den > 0`.
    Rat(i64, i64),
    /// A float (from a decimal literal, or an exact value that overflowed).
    Float(f64),
}

impl PartialEq for Num {
    fn eq(&self, other: &Self) -> bool {
        self.total_cmp(other) == Ordering::Equal
    }
}

impl Num {
    /// Zero.
    pub const ZERO: Num = Num::Rat(0, 1);
    /// One.
    pub const ONE: Num = Num::Rat(1, 1);
    /// Minus one.
    pub const MINUS_ONE: Num = Num::Rat(-1, 1);

    /// An integer.
    pub fn int(n: i64) -> Num {
        Num::rat(n as i128, 1)
    }

    /// The exact ratio `n/d`, reduced; falls back to a float when it does
    /// not fit in 64 bits. `d` must not be zero.
    pub fn rat(n: i128, d: i128) -> Num {
        if d == 0 {
            return Num::Float(f64::NAN);
        }
        let (mut n, mut d) = if d < 0 { (-n, -d) } else { (n, d) };
        let g = gcd128(n, d);
        if g > 1 {
            n /= g;
            d /= g;
        }
        match (i64::try_from(n), i64::try_from(d)) {
            (Ok(a), Ok(b)) if a != i64::MIN => Num::Rat(a, b),
            _ => Num::Float(n as f64 / d as f64),
        }
    }

    /// The value as an f64.
    pub fn to_f64(self) -> f64 {
        match self {
            Num::Rat(n, d) => {
                if d == 1 {
                    n as f64
                } else {
                    n as f64 / d as f64
                }
            }
            Num::Float(x) => x,
        }
    }

    /// True for exact numbers.
    pub fn is_exact(self) -> bool {
        matches!(self, Num::Rat(..))
    }

    /// True for an exact or float zero.
    pub fn is_zero(self) -> bool {
        match self {
            Num::Rat(n, _) => n == 0,
            Num::Float(x) => x == 0.0,
        }
    }

    /// True for an exact or float one.
    pub fn is_one(self) -> bool {
        match self {
            Num::Rat(n, d) => n == 1 && d == 1,
            Num::Float(x) => x == 1.0,
        }
    }

    /// True for an exact or float minus one.
    pub fn is_minus_one(self) -> bool {
        match self {
            Num::Rat(n, d) => n == -1 && d == 1,
            Num::Float(x) => x == -1.0,
        }
    }

    /// True when the value is below zero.
    pub fn is_negative(self) -> bool {
        match self {
            Num::Rat(n, _) => n < 0,
            Num::Float(x) => x < 0.0,
        }
    }

    /// The integer value, for an exact integer.
    pub fn as_int(self) -> Option<i64> {
        match self {
            Num::Rat(n, 1) => Some(n),
            _ => None,
        }
    }

    /// The integer value for an exact integer or an integral float.
    pub fn as_integral(self) -> Option<i64> {
        match self {
            Num::Rat(n, 1) => Some(n),
            Num::Float(x) if x.fract() == 0.0 && x.abs() < 9.0e15 => Some(x as i64),
            _ => None,
        }
    }

    /// `self + other`.
    pub fn add(self, other: Num) -> Num {
        match (self, other) {
            (Num::Rat(a, b), Num::Rat(c, d)) => {
                let (a, b, c, d) = (a as i128, b as i128, c as i128, d as i128);
                Num::rat(a * d + c * b, b * d)
            }
            _ => Num::Float(self.to_f64() + other.to_f64()),
        }
    }

    /// `self * other`.
    pub fn mul(self, other: Num) -> Num {
        match (self, other) {
            (Num::Rat(a, b), Num::Rat(c, d)) => {
                let (a, b, c, d) = (a as i128, b as i128, c as i128, d as i128);
                Num::rat(a * c, b * d)
            }
            _ => Num::Float(self.to_f64() * other.to_f64()),
        }
    }

    /// `-self`.
    pub fn neg(self) -> Num {
        match self {
            Num::Rat(a, b) => Num::rat(-(a as i128), b as i128),
            Num::Float(x) => Num::Float(-x),
        }
    }

    /// `1/self`, or `None` for zero.
    pub fn recip(self) -> Option<Num> {
        match self {
            Num::Rat(0, _) => None,
            Num::Rat(a, b) => Some(Num::rat(b as i128, a as i128)),
            Num::Float(0.0) => None,
            Num::Float(x) => Some(Num::Float(1.0 / x)),
        }
    }

    /// `self ** e` for an integer exponent, exact while it fits; `None`
    /// for zero to a negative power.
    pub fn powi(self, e: i64) -> Option<Num> {
        if e < 0 {
            return self.recip()?.powi(e.checked_neg()?);
        }
        match self {
            Num::Rat(n, d) => {
                let (Some(a), Some(b)) = (checked_pow(n, e), checked_pow(d, e)) else {
                    return Some(Num::Float(self.to_f64().powf(e as f64)));
                };
                Some(Num::rat(a as i128, b as i128))
            }
            Num::Float(x) => Some(Num::Float(if e <= i32::MAX as i64 {
                x.powi(e as i32)
            } else {
                x.powf(e as f64)
            })),
        }
    }

    /// `self ** e` when the result is a real number that can be written
    /// exactly (or as a float when either side is a float). Returns `None`
    /// when the power must stay symbolic: an irrational root such as
    /// `2**(1/2)`, a negative base to a non-integer power, or zero to a
    /// negative power.
    pub fn pow(self, e: Num) -> Option<Num> {
        if let Some(k) = e.as_int() {
            return self.powi(k);
        }
        match (self, e) {
            (Num::Rat(n, d), Num::Rat(p, q)) => {
                if n < 0 {
                    return None;
                }
                if n == 0 {
                    return if p > 0 { Some(Num::ZERO) } else { None };
                }
                let rn = exact_root(n, q)?;
                let rd = exact_root(d, q)?;
                Num::rat(rn as i128, rd as i128).powi(p)
            }
            _ => {
                let (b, x) = (self.to_f64(), e.to_f64());
                if b < 0.0 && x.fract() != 0.0 {
                    return None;
                }
                if b == 0.0 && x < 0.0 {
                    return None;
                }
                Some(Num::Float(b.powf(x)))
            }
        }
    }

    /// Total order by value; an exact number sorts before an equal float.
    pub fn total_cmp(&self, other: &Num) -> Ordering {
        match (self, other) {
            (Num::Rat(a, b), Num::Rat(c, d)) => {
                ((*a as i128) * (*d as i128)).cmp(&((*c as i128) * (*b as i128)))
            }
            (Num::Rat(..), Num::Float(_)) => self
                .to_f64()
                .total_cmp(&other.to_f64())
                .then(Ordering::Less),
            (Num::Float(_), Num::Rat(..)) => self
                .to_f64()
                .total_cmp(&other.to_f64())
                .then(Ordering::Greater),
            (Num::Float(a), Num::Float(b)) => a.total_cmp(b),
        }
    }
}

fn gcd128(a: i128, b: i128) -> i128 {
    let (mut a, mut b) = (a.unsigned_abs(), b.unsigned_abs());
    while b != 0 {
        let t = a % b;
        a = b;
        b = t;
    }
    a.min(i128::MAX as u128) as i128
}

fn checked_pow(base: i64, e: i64) -> Option<i64> {
    let e = u32::try_from(e).ok()?;
    base.checked_pow(e)
}

/// The exact `q`-th root of a non-negative integer, if there is one.
fn exact_root(n: i64, q: i64) -> Option<i64> {
    if n == 0 || n == 1 {
        return Some(n);
    }
    if !(2..=64).contains(&q) {
        return None;
    }
    let guess = (n as f64).powf(1.0 / q as f64).round() as i64;
    (guess.saturating_sub(1)..=guess + 1).find(|&r| r >= 0 && checked_pow(r, q) == Some(n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reduces_and_normalises_sign() {
        assert_eq!(Num::rat(2, -4), Num::Rat(-1, 2));
        assert_eq!(Num::rat(0, 5), Num::ZERO);
    }

    #[test]
    fn arithmetic_is_exact() {
        let third = Num::rat(1, 3);
        assert_eq!(third.add(third).add(third), Num::ONE);
        assert_eq!(third.mul(Num::int(3)), Num::ONE);
        assert_eq!(Num::int(2).powi(10), Some(Num::int(1024)));
        assert_eq!(Num::int(2).powi(-2), Some(Num::rat(1, 4)));
        assert_eq!(Num::int(0).powi(-1), None);
    }

    #[test]
    fn overflow_falls_back_to_float() {
        let big = Num::int(i64::MAX);
        match big.mul(big) {
            Num::Float(x) => assert!((x - (i64::MAX as f64).powi(2)).abs() / x < 1e-12),
            other => panic!("expected a float, got {other:?}"),
        }
        assert!(matches!(Num::int(2).powi(200), Some(Num::Float(_))));
        assert!(matches!(Num::int(i64::MIN + 1).neg(), Num::Rat(..)));
    }

    #[test]
    fn roots_are_exact_when_possible() {
        assert_eq!(Num::int(4).pow(Num::rat(1, 2)), Some(Num::int(2)));
        assert_eq!(Num::rat(8, 27).pow(Num::rat(2, 3)), Some(Num::rat(4, 9)));
        assert_eq!(Num::int(2).pow(Num::rat(1, 2)), None);
        assert_eq!(Num::int(-8).pow(Num::rat(1, 3)), None);
    }
}
