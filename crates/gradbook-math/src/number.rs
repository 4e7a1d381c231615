//! Numbers of the symbolic engine: exact rationals while the input is
//! exact, floats as soon as a decimal literal or an operation without an
//! exact result (`sqrt(2)`, `exp(1)`) enters.
//!
//! Exact numbers have two forms: [`Num::Rat`], a ratio of two `i64`s, the
//! fast path that nearly every lesson stays on, and [`Num::Big`], an
//! arbitrary-precision ratio for anything larger, bounded by
//! [`MAX_DIGITS`] digits in its numerator and in its denominator. The two
//! never overlap: a value that fits `Rat` is always stored as `Rat`.
//!
//! Nothing falls back silently to a float. An operation whose exact result
//! would pass the digit bound, or that would have to turn an exact number
//! beyond the float range into a float, gives [`Num::Overflow`]: a poison
//! value that every later operation keeps and that evaluation and the
//! limit checks turn into an error.
//!
//! Conversions of exact values to `f64` are correctly rounded (to nearest,
//! ties to even, subnormals included), so `10**-310` is `1e-310` and
//! `2**-1074` is the smallest positive double.
//!
//! A float meeting an exact number in a product or a quotient gives the
//! exact result of the two values rounded once ([`float_times_exact`]):
//! one IEEE operation when the exact number or its reciprocal is exactly
//! a float (`x/10` is Python's `x/10`), integer arithmetic on the float's
//! significand for other small ratios (`x*(7/10)`), and otherwise the
//! float taken as the exact ratio it is and the operation done exactly,
//! so `1e300/2**1100` is `7.36e-32`, not `0` (`2**-1100` alone is 0 as a
//! float). Never the exact number's float first: that rounds twice.

use std::cmp::Ordering;
use std::str::FromStr;
use std::sync::{Arc, OnceLock};

use num_bigint::{BigInt, BigUint, Sign};
use num_integer::Integer;
use num_rational::BigRational;
use num_traits::{One, Signed, ToPrimitive, Zero};

use super::error::MAX_DIGITS;

/// A number inside an expression tree.
#[derive(Debug, Clone)]
pub(crate) enum Num {
    /// `num/den` in lowest terms with `den > 0` and `num != i64::MIN`.
    Rat(i64, i64),
    /// An exact ratio that does not fit `Rat`, in lowest terms, with at
    /// most [`MAX_DIGITS`] digits above and below.
    Big(Arc<BigRational>),
    /// A float (from a decimal literal, or an operation on one).
    Float(f64),
    /// The result of an operation that could not be carried out exactly.
    Overflow(Overflow),
}

/// Why an exact operation has no result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Overflow {
    /// The exact result would need more than [`MAX_DIGITS`] digits.
    Digits,
    /// An exact number had to become a float but is beyond the float range;
    /// the field is the number of digits of its integer part.
    Float(u64),
    /// An infinite float (one that overflowed) met an exact factor outside
    /// the normal float range, which might have brought it back: the
    /// product has no reliable value.
    Infinite,
}

/// Why an exact power has no exact result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PowError {
    /// A root that is not rational (`2**(1/2)`): a float can give it.
    Irrational,
    /// A negative base to a non-integer power: not a real number.
    NegativeBase,
    /// Zero to a negative power.
    DivZero,
    /// The result cannot be computed (see [`Overflow`]).
    Overflow(Overflow),
}

/// 2**53: integers up to this size are exact in an `f64`.
const EXACT_IN_F64: i64 = 1 << 53;

impl PartialEq for Num {
    fn eq(&self, other: &Self) -> bool {
        self.total_cmp(other) == Ordering::Equal
    }
}

impl Num {
    /// Zero.
    pub(crate) const ZERO: Num = Num::Rat(0, 1);
    /// One.
    pub(crate) const ONE: Num = Num::Rat(1, 1);
    /// Minus one.
    pub(crate) const MINUS_ONE: Num = Num::Rat(-1, 1);

    /// An integer.
    pub(crate) fn int(n: i64) -> Num {
        Num::rat(n as i128, 1)
    }

    /// The exact ratio `n/d`, reduced. `d` must not be zero.
    pub(crate) fn rat(n: i128, d: i128) -> Num {
        debug_assert!(d != 0, "a ratio with a zero denominator");
        if d == 0 {
            return Num::Overflow(Overflow::Digits);
        }
        if d == 1 {
            return match i64::try_from(n) {
                Ok(a) if a != i64::MIN => Num::Rat(a, 1),
                _ => Num::from_big(BigRational::from_integer(BigInt::from(n))),
            };
        }
        let (n, d) = if d < 0 {
            // Negating i128::MIN overflows; such inputs cannot arise from
            // two i64s, but go through the big path to be safe.
            match (n.checked_neg(), d.checked_neg()) {
                (Some(n), Some(d)) => (n, d),
                _ => return Num::from_big(BigRational::new(BigInt::from(n), BigInt::from(d))),
            }
        } else {
            (n, d)
        };
        let g = gcd128(n, d);
        let (n, d) = if g > 1 { (n / g, d / g) } else { (n, d) };
        match (i64::try_from(n), i64::try_from(d)) {
            (Ok(a), Ok(b)) if a != i64::MIN => Num::Rat(a, b),
            _ => Num::from_big(BigRational::new_raw(BigInt::from(n), BigInt::from(d))),
        }
    }

    /// An exact integer of any size (within the digit bound).
    pub(crate) fn big_int(n: BigInt) -> Num {
        Num::from_big(BigRational::from_integer(n))
    }

    /// A reduced big ratio in its canonical form: `Rat` when it fits,
    /// `Overflow` when it has too many digits.
    fn from_big(r: BigRational) -> Num {
        if let (Some(n), Some(d)) = (r.numer().to_i64(), r.denom().to_i64())
            && n != i64::MIN
        {
            return Num::Rat(n, d);
        }
        if !within_digits(r.numer().magnitude()) || !within_digits(r.denom().magnitude()) {
            return Num::Overflow(Overflow::Digits);
        }
        Num::Big(Arc::new(r))
    }

    /// Parses a decimal integer literal of any length (digits only).
    pub(crate) fn parse_int(digits: &str) -> Option<Num> {
        if let Ok(n) = digits.parse::<i64>() {
            return Some(Num::int(n));
        }
        BigInt::from_str(digits).ok().map(Num::big_int)
    }

    /// The exact value as a big ratio, for exact numbers.
    fn to_big(&self) -> Option<BigRational> {
        match self {
            Num::Rat(n, d) => Some(BigRational::new_raw(BigInt::from(*n), BigInt::from(*d))),
            Num::Big(r) => Some((**r).clone()),
            Num::Float(_) | Num::Overflow(_) => None,
        }
    }

    /// The value as an f64, correctly rounded for exact numbers; `±inf`
    /// for an exact number beyond the float range and NaN for an overflow.
    /// [`Num::float`] reports those cases instead.
    pub(crate) fn to_f64(&self) -> f64 {
        match self {
            Num::Rat(n, 1) => *n as f64,
            Num::Rat(n, d) if n.abs() <= EXACT_IN_F64 && *d <= EXACT_IN_F64 => {
                // Both exact in f64: one correctly rounded division.
                *n as f64 / *d as f64
            }
            Num::Rat(n, d) => BigRational::new_raw(BigInt::from(*n), BigInt::from(*d))
                .to_f64()
                .unwrap_or(f64::NAN),
            Num::Big(r) => r.to_f64().unwrap_or(f64::NAN),
            Num::Float(x) => *x,
            Num::Overflow(_) => f64::NAN,
        }
    }

    /// The value as a float, or why it has none: an exact number beyond
    /// the float range (as Python's `float(10**400)` fails), or an overflow.
    pub(crate) fn float(&self) -> Result<f64, Overflow> {
        match self {
            Num::Overflow(o) => Err(*o),
            Num::Big(r) => {
                let x = r.to_f64().unwrap_or(f64::NAN);
                if x.is_finite() {
                    Ok(x)
                } else {
                    Err(Overflow::Float(int_digits(r)))
                }
            }
            other => Ok(other.to_f64()),
        }
    }

    /// The value as an `f64` when it is exactly one: a float, or an exact
    /// number that a float holds without rounding (`3`, `1/4`, `2**-1074`).
    pub(crate) fn exact_float(&self) -> Option<f64> {
        match self {
            Num::Float(x) => Some(*x),
            Num::Rat(n, 1) if n.abs() <= EXACT_IN_F64 => Some(*n as f64),
            Num::Rat(..) | Num::Big(_) => {
                let f = self.to_f64();
                let exact = f.is_finite() && BigRational::from_float(f) == self.to_big();
                exact.then_some(f)
            }
            Num::Overflow(_) => None,
        }
    }

    /// True for exact numbers.
    pub(crate) fn is_exact(&self) -> bool {
        matches!(self, Num::Rat(..) | Num::Big(_))
    }

    /// True for an exact integer of any size.
    pub(crate) fn is_integer(&self) -> bool {
        match self {
            Num::Rat(_, d) => *d == 1,
            Num::Big(r) => r.is_integer(),
            _ => false,
        }
    }

    /// True for an exact or float zero.
    pub(crate) fn is_zero(&self) -> bool {
        match self {
            Num::Rat(n, _) => *n == 0,
            Num::Float(x) => *x == 0.0,
            Num::Big(_) | Num::Overflow(_) => false,
        }
    }

    /// True for an exact or float one.
    pub(crate) fn is_one(&self) -> bool {
        match self {
            Num::Rat(n, d) => *n == 1 && *d == 1,
            Num::Float(x) => *x == 1.0,
            Num::Big(_) | Num::Overflow(_) => false,
        }
    }

    /// True for an exact or float minus one.
    pub(crate) fn is_minus_one(&self) -> bool {
        match self {
            Num::Rat(n, d) => *n == -1 && *d == 1,
            Num::Float(x) => *x == -1.0,
            Num::Big(_) | Num::Overflow(_) => false,
        }
    }

    /// True for exactly one half (the exponent of `sqrt`).
    pub(crate) fn is_half(&self) -> bool {
        matches!(self, Num::Rat(1, 2))
    }

    /// True when the value is below zero.
    pub(crate) fn is_negative(&self) -> bool {
        match self {
            Num::Rat(n, _) => *n < 0,
            Num::Big(r) => r.is_negative(),
            Num::Float(x) => *x < 0.0,
            Num::Overflow(_) => false,
        }
    }

    /// The sign: -1, 0 or 1 (NaN and overflows give 0).
    pub(crate) fn signum(&self) -> i64 {
        match self {
            Num::Rat(n, _) => n.signum(),
            Num::Big(r) => {
                if r.is_negative() {
                    -1
                } else {
                    1
                }
            }
            Num::Float(x) if *x > 0.0 => 1,
            Num::Float(x) if *x < 0.0 => -1,
            Num::Float(_) | Num::Overflow(_) => 0,
        }
    }

    /// The integer value, for an exact integer that fits an `i64`.
    pub(crate) fn as_int(&self) -> Option<i64> {
        match self {
            Num::Rat(n, 1) => Some(*n),
            _ => None,
        }
    }

    /// The integer value for an exact integer or an integral float that
    /// fits an `i64`.
    pub(crate) fn as_integral(&self) -> Option<i64> {
        match self {
            Num::Rat(n, 1) => Some(*n),
            Num::Float(x) if x.fract() == 0.0 && x.abs() < 9.0e15 => Some(*x as i64),
            _ => None,
        }
    }

    /// Numerator and denominator of an exact number, as exact integers.
    pub(crate) fn parts(&self) -> Option<(Num, Num)> {
        match self {
            Num::Rat(n, d) => Some((Num::int(*n), Num::int(*d))),
            Num::Big(r) => Some((
                Num::big_int(r.numer().clone()),
                Num::big_int(r.denom().clone()),
            )),
            Num::Float(_) | Num::Overflow(_) => None,
        }
    }

    /// An exact integer's parity and a stand-in `i64` for it: itself when
    /// it fits, otherwise ±(2**62 or 2**62 + 1) with the same sign and
    /// parity (a power of a float to such an exponent is 0, ±1 or ±inf
    /// whichever it is, so only sign and parity matter).
    pub(crate) fn integer_exponent(&self) -> Option<i64> {
        match self {
            Num::Rat(n, 1) => Some(*n),
            Num::Big(r) if r.is_integer() => {
                let n = r.numer();
                let odd = n.is_odd();
                let m = (1i64 << 62) + i64::from(odd);
                Some(if n.is_negative() { -m } else { m })
            }
            _ => None,
        }
    }

    /// `self + other`.
    pub(crate) fn add(&self, other: &Num) -> Num {
        match (self, other) {
            (Num::Rat(a, b), Num::Rat(c, d)) => {
                if b == d {
                    return Num::rat(*a as i128 + *c as i128, *b as i128);
                }
                let (a, b, c, d) = (*a as i128, *b as i128, *c as i128, *d as i128);
                Num::rat(a * d + c * b, b * d)
            }
            (Num::Overflow(o), _) | (_, Num::Overflow(o)) => Num::Overflow(*o),
            (Num::Float(_), _) | (_, Num::Float(_)) => float_op(self, other, |x, y| x + y),
            _ => match (self.to_big(), other.to_big()) {
                (Some(x), Some(y)) => Num::from_big(x + y),
                _ => Num::Overflow(Overflow::Digits),
            },
        }
    }

    /// `self * other`.
    pub(crate) fn mul(&self, other: &Num) -> Num {
        match (self, other) {
            (Num::Rat(a, b), Num::Rat(c, d)) => {
                let (a, b, c, d) = (*a as i128, *b as i128, *c as i128, *d as i128);
                Num::rat(a * c, b * d)
            }
            // An exact zero times a number too long to write is still zero.
            (Num::Overflow(Overflow::Digits), Num::Rat(0, _))
            | (Num::Rat(0, _), Num::Overflow(Overflow::Digits)) => Num::ZERO,
            (Num::Overflow(o), _) | (_, Num::Overflow(o)) => Num::Overflow(*o),
            (Num::Float(x), Num::Float(y)) => Num::Float(x * y),
            (Num::Float(x), e) | (e, Num::Float(x)) => {
                float_result(float_times_exact(*x, e, Mixed::Times))
            }
            _ => match (self.to_big(), other.to_big()) {
                (Some(x), Some(y)) => Num::from_big(x * y),
                _ => Num::Overflow(Overflow::Digits),
            },
        }
    }

    /// `-self`.
    pub(crate) fn neg(&self) -> Num {
        match self {
            Num::Rat(a, b) => Num::Rat(-a, *b),
            Num::Big(r) => Num::from_big(-(**r).clone()),
            Num::Float(x) => Num::Float(-x),
            Num::Overflow(o) => Num::Overflow(*o),
        }
    }

    /// `1/self`, or `None` for zero.
    pub(crate) fn recip(&self) -> Option<Num> {
        match self {
            Num::Rat(0, _) => None,
            Num::Rat(a, b) => Some(Num::rat(*b as i128, *a as i128)),
            Num::Big(r) => Some(Num::from_big(r.recip())),
            Num::Float(x) if *x == 0.0 => None,
            Num::Float(x) => Some(Num::Float(1.0 / x)),
            Num::Overflow(o) => Some(Num::Overflow(*o)),
        }
    }

    /// `self / other`: exact for exact numbers, one correctly rounded
    /// division for floats; `None` for a zero divisor.
    pub(crate) fn div(&self, other: &Num) -> Option<Num> {
        if other.is_zero() {
            return None;
        }
        match (self, other) {
            (Num::Overflow(o), _) | (_, Num::Overflow(o)) => Some(Num::Overflow(*o)),
            (Num::Float(x), Num::Float(y)) => Some(Num::Float(x / y)),
            (Num::Float(x), e) => Some(float_result(float_times_exact(*x, e, Mixed::Over))),
            (e, Num::Float(x)) => Some(float_result(float_times_exact(*x, e, Mixed::Under))),
            _ => Some(self.mul(&other.recip()?)),
        }
    }

    /// `self ** e` when the result is a real number that can be written
    /// exactly (or as a float when either side is a float), and otherwise
    /// why not. An exact integer power is computed only when its result
    /// stays within [`MAX_DIGITS`] digits; that is checked before any work.
    pub(crate) fn pow(&self, e: &Num) -> Result<Num, PowError> {
        if let Num::Overflow(o) = self {
            return Err(PowError::Overflow(*o));
        }
        if let Num::Overflow(o) = e {
            return Err(PowError::Overflow(*o));
        }
        if e.is_integer() {
            return self.pow_integer(e);
        }
        match (self, e) {
            (Num::Float(_), _) | (_, Num::Float(_)) => {
                let b = self.float().map_err(PowError::Overflow)?;
                let x = e.float().map_err(PowError::Overflow)?;
                float_power(b, x).map(Num::Float)
            }
            _ => self.pow_ratio(e),
        }
    }

    /// `self ** k` for an exact integer `k`.
    fn pow_integer(&self, k: &Num) -> Result<Num, PowError> {
        let negative_k = k.is_negative();
        if self.is_zero() {
            return match k.signum() {
                0 => Ok(Num::ONE),
                1 => Ok(self.clone()),
                _ => Err(PowError::DivZero),
            };
        }
        if let Num::Float(b) = self {
            let k = k.integer_exponent().unwrap_or(0);
            return Ok(Num::Float(powi(*b, k)));
        }
        // Exact base from here on.
        if self.is_one() {
            return Ok(Num::ONE);
        }
        if self.is_minus_one() {
            let odd = match k {
                Num::Rat(n, _) => n % 2 != 0,
                Num::Big(r) => r.numer().is_odd(),
                _ => false,
            };
            return Ok(if odd { Num::MINUS_ONE } else { Num::ONE });
        }
        let Some(k_abs) = k
            .as_int()
            .and_then(|n| u32::try_from(n.unsigned_abs()).ok())
        else {
            // |base| ≠ 0, 1 and |k| ≥ 2**32: far beyond any digit bound.
            return Err(PowError::Overflow(Overflow::Digits));
        };
        if let Num::Rat(n, d) = self
            && let (Some(a), Some(b)) = (n.checked_pow(k_abs), d.checked_pow(k_abs))
        {
            let r = Num::rat(a as i128, b as i128);
            return if negative_k {
                r.recip().ok_or(PowError::DivZero)
            } else {
                Ok(r)
            };
        }
        let Some(r) = self.to_big() else {
            return Err(PowError::Overflow(Overflow::Digits));
        };
        // Estimate the digits before computing: k * log10(|x|) for the
        // larger of numerator and denominator.
        let estimate = |x: &BigInt| log10_magnitude(x) * f64::from(k_abs);
        if estimate(r.numer()).max(estimate(r.denom())) > MAX_DIGITS as f64 + 1.0 {
            return Err(PowError::Overflow(Overflow::Digits));
        }
        let n = r.numer().pow(k_abs);
        let d = r.denom().pow(k_abs);
        // Powers of coprime numbers are coprime: the ratio stays in lowest
        // terms, and only the sign may need moving up.
        let (n, d) = if negative_k { (d, n) } else { (n, d) };
        let (n, d) = if d.is_negative() { (-n, -d) } else { (n, d) };
        match Num::from_big(BigRational::new_raw(n, d)) {
            Num::Overflow(o) => Err(PowError::Overflow(o)),
            other => Ok(other),
        }
    }

    /// `self ** (p/q)` for exact numbers with `q > 1`: exact when the
    /// `q`-th roots of numerator and denominator are integers.
    fn pow_ratio(&self, e: &Num) -> Result<Num, PowError> {
        if self.is_negative() {
            return Err(PowError::NegativeBase);
        }
        if self.is_zero() {
            return if e.is_negative() {
                Err(PowError::DivZero)
            } else {
                Ok(Num::ZERO)
            };
        }
        let (Some(r), Some(x)) = (self.to_big(), e.to_big()) else {
            return Err(PowError::Irrational);
        };
        let Some(q) = x.denom().to_u32() else {
            return Err(PowError::Irrational);
        };
        let root = |n: &BigInt| -> Option<BigInt> {
            if n.is_one() {
                return Some(n.clone());
            }
            if u64::from(q) >= n.bits() {
                return None; // 2**q > n > 1: no integer root
            }
            let r = n.nth_root(q);
            (r.pow(q) == *n).then_some(r)
        };
        let (Some(rn), Some(rd)) = (root(r.numer()), root(r.denom())) else {
            return Err(PowError::Irrational);
        };
        let base = Num::from_big(BigRational::new_raw(rn, rd));
        base.pow_integer(&Num::from_big(BigRational::from_integer(x.numer().clone())))
    }

    /// Total order by value; an exact number sorts before an equal float,
    /// and overflows after everything.
    pub(crate) fn total_cmp(&self, other: &Num) -> Ordering {
        match (self, other) {
            (Num::Rat(a, b), Num::Rat(c, d)) => {
                ((*a as i128) * (*d as i128)).cmp(&((*c as i128) * (*b as i128)))
            }
            (Num::Overflow(a), Num::Overflow(b)) => a.cmp(b),
            (Num::Overflow(_), _) => Ordering::Greater,
            (_, Num::Overflow(_)) => Ordering::Less,
            (Num::Float(a), Num::Float(b)) => a.total_cmp(b),
            (Num::Float(_), _) => self
                .to_f64()
                .total_cmp(&other.to_f64())
                .then(Ordering::Greater),
            (_, Num::Float(_)) => self
                .to_f64()
                .total_cmp(&other.to_f64())
                .then(Ordering::Less),
            _ => match (self.to_big(), other.to_big()) {
                (Some(x), Some(y)) => x.cmp(&y),
                _ => Ordering::Equal,
            },
        }
    }

    /// The decimal digits needed to print the number exactly, for size
    /// estimates.
    pub(crate) fn text_len(&self) -> usize {
        match self {
            Num::Rat(..) | Num::Float(_) | Num::Overflow(_) => 24,
            Num::Big(r) => {
                let d = |x: &BigInt| (x.bits() as f64 * std::f64::consts::LOG10_2) as usize + 2;
                d(r.numer()) + d(r.denom())
            }
        }
    }

    /// The exact integer numerator and denominator as decimal text.
    pub(crate) fn exact_text(&self) -> Option<(String, String)> {
        match self {
            Num::Rat(n, d) => Some((n.to_string(), d.to_string())),
            Num::Big(r) => Some((r.numer().to_string(), r.denom().to_string())),
            Num::Float(_) | Num::Overflow(_) => None,
        }
    }
}

/// A float operation on two numbers, either of which may be exact.
fn float_op(a: &Num, b: &Num, f: impl Fn(f64, f64) -> f64) -> Num {
    match (a.float(), b.float()) {
        (Ok(x), Ok(y)) => Num::Float(f(x, y)),
        (Err(o), _) | (_, Err(o)) => Num::Overflow(o),
    }
}

/// Which operation joins a float `x` and an exact `e`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mixed {
    /// `x * e`.
    Times,
    /// `x / e` (`e` not zero).
    Over,
    /// `e / x` (`x` not zero).
    Under,
}

fn float_result(r: Result<f64, Overflow>) -> Num {
    match r {
        Ok(x) => Num::Float(x),
        Err(o) => Num::Overflow(o),
    }
}

/// An exact factor prepared for meeting floats: how `x * e`, `x / e` and
/// `e / x` are rounded once. Computing it is cheap for the small ratios
/// nearly every lesson has; compiled programs compute it once per
/// constant.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Scale {
    /// `e` is exactly this normal float: one IEEE operation with it is the
    /// exact result rounded once (`x*3`, `x/4`, `x*(3/8)`).
    Float(f64),
    /// `e` is exactly one over this normal float (`1/10`, `-4/3`): `x*e`
    /// is one IEEE division, `x/e` one multiplication.
    Recip(f64),
    /// `e = p/q` in lowest terms with `q > 1`, neither of the above:
    /// integer arithmetic on the float's significand ([`times_ratio`]).
    Ratio(i64, i64),
    /// Anything else (zero, a big ratio, an overflow): exact arithmetic on
    /// the float's own ratio.
    Exact,
}

impl Scale {
    /// How `e` meets floats.
    pub(crate) fn of(e: &Num) -> Scale {
        let Num::Rat(n, d) = *e else {
            return match e {
                Num::Big(_) => match e.exact_float() {
                    Some(f) if f.is_normal() => Scale::Float(f),
                    _ => Scale::Exact,
                },
                _ => Scale::Exact,
            };
        };
        if n == 0 {
            return Scale::Exact;
        }
        let odd = |v: u64| v >> v.trailing_zeros();
        let fits = |v: u64| v <= EXACT_IN_F64 as u64;
        let (an, ud) = (n.unsigned_abs(), d.unsigned_abs());
        if ud.is_power_of_two() && fits(odd(an)) {
            // Both exact in a float, and the division by a power of two
            // loses nothing (|e| >= 2**-62).
            return Scale::Float(n as f64 / d as f64);
        }
        if an.is_power_of_two() && fits(odd(ud)) {
            let f = d as f64 / an as f64;
            return Scale::Recip(if n < 0 { -f } else { f });
        }
        Scale::Ratio(n, d)
    }

    /// `x op e` when integer or float arithmetic gives it rounded once,
    /// and `None` when the exact computation must (below the normal range
    /// for a ratio, `e / x` for a ratio, and [`Scale::Exact`]).
    #[inline]
    pub(crate) fn apply(self, x: f64, op: Mixed) -> Option<f64> {
        match (self, op) {
            (Scale::Float(f), Mixed::Times) | (Scale::Recip(f), Mixed::Over) => Some(x * f),
            (Scale::Float(f), Mixed::Over) | (Scale::Recip(f), Mixed::Times) => Some(x / f),
            (Scale::Float(f), Mixed::Under) => Some(f / x),
            (Scale::Ratio(p, q), Mixed::Times) => times_ratio(x, p, q),
            (Scale::Ratio(p, q), Mixed::Over) => times_ratio(x, q, p),
            (Scale::Recip(_) | Scale::Ratio(..), Mixed::Under) | (Scale::Exact, _) => None,
        }
    }
}

/// `x * a / b` rounded once (`b` not zero), for a float `x` and two
/// integers: the float's significand times `a` is exact in 128 bits, the
/// division keeps at least 57 bits of quotient and a sticky bit for the
/// remainder, and the conversion to `f64` rounds that once, to nearest
/// with ties to even, on the normal grid or the subnormal one. Zero, an
/// infinity and NaN follow IEEE's rules for multiplying by a nonzero
/// number.
pub(crate) fn times_ratio(x: f64, a: i64, b: i64) -> Option<f64> {
    if a == 0 {
        return Some(x * 0.0 * b.signum() as f64);
    }
    let negative = (a < 0) != (b < 0);
    if x == 0.0 || !x.is_finite() {
        return Some(if negative { -x } else { x });
    }
    let bits = x.to_bits();
    let negative = negative != (bits >> 63 == 1);
    let exp = ((bits >> 52) & 0x7ff) as i64;
    let frac = bits & ((1u64 << 52) - 1);
    let (m, k) = if exp == 0 {
        (frac, -1074)
    } else {
        (frac | (1u64 << 52), exp - 1075)
    };
    // x * a / b = (m * a / b) * 2**k.
    let n = u128::from(m) * u128::from(a.unsigned_abs());
    let d = u128::from(b.unsigned_abs());
    let bits_of = |v: u128| i64::from(128 - v.leading_zeros());
    // Shift so that the quotient has at least 57 bits: the numerator then
    // has at most max(117, 57 + 64) bits.
    let s = (57 + bits_of(d) - bits_of(n)).max(0);
    let num = n << s;
    let q = (num / d) | u128::from(num % d != 0);
    // The value is q * 2**shift, with q >= 2**56.
    let shift = k - s;
    let f = q as f64;
    let top = ((f.to_bits() >> 52) & 0x7ff) as i64 + shift;
    let magnitude = if top >= 0x7ff {
        f64::INFINITY
    } else if top >= 1 {
        f64::from_bits((f.to_bits() & ((1u64 << 52) - 1)) | ((top as u64) << 52))
    } else {
        // Below the normal range: units of 2**-1074, rounded from q itself
        // (q's sticky bit lies below the rounding bit: t > 4 here).
        let t = -(shift + 1074);
        if t >= 127 {
            0.0
        } else {
            let units = q >> t;
            let rest = q & ((1u128 << t) - 1);
            let half = 1u128 << (t - 1);
            let up = rest > half || (rest == half && units & 1 == 1);
            // At most 2**52 units: the largest subnormal or, rounded up,
            // the smallest normal number, which the bits spell too.
            f64::from_bits((units + u128::from(up)) as u64)
        }
    };
    Some(if negative { -magnitude } else { magnitude })
}

/// `x * e`, `x / e` or `e / x` for a float `x` and an exact `e`: the exact
/// result of the two values, rounded once, in every range.
///
/// The fast path is [`Scale::apply`]: one IEEE operation when `e` or its
/// reciprocal is exactly a float, integer arithmetic for other small
/// ratios. Otherwise (a big or tiny `e`, a ratio's result below the
/// normal range, a ratio over a float) the finite float becomes the exact
/// ratio it is, the operation is done exactly and rounded once:
/// `1e300/2**1100` is `7.36e-32`, and a result below the normal range is
/// the correctly rounded subnormal or zero.
///
/// Errors: a result beyond the float range when `e` itself is beyond it
/// (as [`Num::float`] of `e` is an error: `10**400*0.5`), and an infinite
/// `x` meeting an `e` outside the normal range, since the float's true
/// size is unknown and the exact factor may have brought it back
/// (`x*x/2**1100` at `x = 1e300`, whose float `x*x` overflowed).
#[inline]
pub(crate) fn float_times_exact(x: f64, e: &Num, op: Mixed) -> Result<f64, Overflow> {
    float_times_scaled(x, e, Scale::of(e), op)
}

/// [`float_times_exact`] with `e`'s [`Scale`] computed beforehand.
#[inline]
pub(crate) fn float_times_scaled(x: f64, e: &Num, s: Scale, op: Mixed) -> Result<f64, Overflow> {
    match s.apply(x, op) {
        Some(r) => Ok(r),
        None => float_times_exact_slow(x, e, op),
    }
}

#[cold]
fn float_times_exact_slow(x: f64, e: &Num, op: Mixed) -> Result<f64, Overflow> {
    if let Num::Overflow(o) = e {
        return Err(*o);
    }
    if x.is_nan() {
        return Ok(x);
    }
    if e.is_zero() {
        return Ok(match op {
            Mixed::Times => x * 0.0,
            Mixed::Over => f64::NAN, // callers reject a zero divisor first
            Mixed::Under => 0.0 / x,
        });
    }
    let ef = e.to_f64();
    let beyond = |e: &Num| match e.to_big() {
        Some(r) => Overflow::Float(int_digits(&r)),
        None => Overflow::Digits,
    };
    if x.is_infinite() {
        if ef.is_infinite() {
            return Err(beyond(e));
        }
        if op == Mixed::Under {
            // A finite exact number over an infinite float.
            return Ok(ef / x);
        }
        if ef.is_normal() {
            // Infinite whatever the normal factor is.
            return Ok(if op == Mixed::Times { x * ef } else { x / ef });
        }
        return Err(Overflow::Infinite);
    }
    let (Some(xr), Some(er)) = (BigRational::from_float(x), e.to_big()) else {
        return Err(Overflow::Digits);
    };
    if x == 0.0 {
        // ±0 times or over a nonzero exact number keeps IEEE's sign rule.
        let s = if er.is_negative() { -1.0 } else { 1.0 };
        return Ok(match op {
            Mixed::Times | Mixed::Over => x * s,
            Mixed::Under => s / x,
        });
    }
    let v = match op {
        Mixed::Times => xr * er,
        Mixed::Over => xr / er,
        Mixed::Under => er / xr,
    };
    match v.to_f64() {
        Some(r) if r.is_finite() => Ok(r),
        _ if ef.is_infinite() => Err(beyond(e)),
        // A normal exact factor takes a finite float beyond the range as
        // IEEE arithmetic does; only a tiny one divided into, or one
        // beyond the range, makes it an error.
        _ if ef.is_normal() => Ok(if v.is_negative() {
            f64::NEG_INFINITY
        } else {
            f64::INFINITY
        }),
        _ => Err(Overflow::Float(int_digits(&v))),
    }
}

/// True when the float `r` is exactly `x * e` (`x` a finite float, `e`
/// exact): the product lost nothing in rounding.
pub(crate) fn is_exact_product(x: f64, e: &Num, r: f64) -> bool {
    match (
        BigRational::from_float(x),
        e.to_big(),
        BigRational::from_float(r),
    ) {
        (Some(x), Some(e), Some(r)) => x * e == r,
        _ => false,
    }
}

/// `b ** x` for floats over the reals (the base and the exponent already
/// known not to be an exact pair).
fn float_power(b: f64, x: f64) -> Result<f64, PowError> {
    if b == 0.0 && x < 0.0 {
        return Err(PowError::DivZero);
    }
    if x.fract() == 0.0 {
        return Ok(powf_integral(b, x));
    }
    if b < 0.0 && x.is_finite() {
        return Err(PowError::NegativeBase);
    }
    if x == 0.5 {
        return Ok(b.sqrt());
    }
    Ok(b.powf(x))
}

/// `b ** k` for a float base and an integer exponent, accurate to about
/// one unit in the last place whatever `k` is.
///
/// Repeated squaring (`powi`) loses about one bit per squaring and
/// overflows in `1/b**k` where `b**-k` is representable, so only the
/// squares and cubes, which are exact to half a unit or one, are done by
/// multiplication; everything else goes through the system's `pow`, which
/// is correctly rounded or nearly so. The sign of a negative base comes
/// from the parity of the exact exponent.
pub(crate) fn powi(b: f64, k: i64) -> f64 {
    match k {
        0 => 1.0,
        1 => b,
        2 => b * b,
        3 => b * b * b,
        -1 => 1.0 / b,
        _ if k.unsigned_abs() <= EXACT_IN_F64 as u64 => b.powf(k as f64),
        _ => {
            let m = b.abs().powf(k as f64);
            if b < 0.0 && k % 2 != 0 { -m } else { m }
        }
    }
}

/// `b ** x` for a float exponent with no fractional part (finite).
pub(crate) fn powf_integral(b: f64, x: f64) -> f64 {
    if x.abs() <= EXACT_IN_F64 as f64 {
        powi(b, x as i64)
    } else {
        // Every float this large is even.
        b.powf(x)
    }
}

/// The greatest common divisor (binary: shifts and subtractions, much
/// cheaper than 128-bit division), on 64 bits when both fit.
fn gcd128(a: i128, b: i128) -> i128 {
    let (a, b) = (a.unsigned_abs(), b.unsigned_abs());
    if let (Ok(a), Ok(b)) = (u64::try_from(a), u64::try_from(b)) {
        return i128::from(binary_gcd(a, b));
    }
    let (mut a, mut b) = (a, b);
    if a == 0 || b == 0 {
        return (a | b).min(i128::MAX as u128) as i128;
    }
    let shift = (a | b).trailing_zeros();
    a >>= a.trailing_zeros();
    loop {
        b >>= b.trailing_zeros();
        if a > b {
            std::mem::swap(&mut a, &mut b);
        }
        b -= a;
        if b == 0 {
            break;
        }
    }
    (a << shift).min(i128::MAX as u128) as i128
}

fn binary_gcd(mut a: u64, mut b: u64) -> u64 {
    if a == 0 || b == 0 {
        return a | b;
    }
    let shift = (a | b).trailing_zeros();
    a >>= a.trailing_zeros();
    loop {
        b >>= b.trailing_zeros();
        if a > b {
            std::mem::swap(&mut a, &mut b);
        }
        b -= a;
        if b == 0 {
            return a << shift;
        }
    }
}

/// 10**MAX_DIGITS, the first number with too many digits.
fn digit_bound() -> &'static BigUint {
    static BOUND: OnceLock<BigUint> = OnceLock::new();
    BOUND.get_or_init(|| BigUint::from(10u32).pow(MAX_DIGITS as u32))
}

/// True when `n` has at most [`MAX_DIGITS`] decimal digits.
fn within_digits(n: &BigUint) -> bool {
    let bound = digit_bound();
    match n.bits().cmp(&bound.bits()) {
        Ordering::Less => true,
        Ordering::Greater => false,
        Ordering::Equal => n < bound,
    }
}

/// log10(|x|) for a nonzero big integer, to about 15 digits.
fn log10_magnitude(x: &BigInt) -> f64 {
    let bits = x.bits();
    if bits < 1000 {
        return x.to_f64().map_or(0.0, |v| v.abs().log10());
    }
    // Keep the top 64 bits: x ≈ top * 2**shift.
    let shift = bits - 64;
    let top = (x.magnitude() >> shift).to_f64().unwrap_or(1.0);
    top.log10() + shift as f64 * std::f64::consts::LOG10_2
}

/// Digits of the integer part of `|r|` (for messages about numbers too
/// large for a float, whose integer part is never zero).
fn int_digits(r: &BigRational) -> u64 {
    let int = r.numer().magnitude() / r.denom().magnitude();
    if int.is_zero() {
        1
    } else {
        int.to_string().len() as u64
    }
}

impl From<Sign> for Num {
    fn from(s: Sign) -> Num {
        match s {
            Sign::Minus => Num::MINUS_ONE,
            Sign::NoSign => Num::ZERO,
            Sign::Plus => Num::ONE,
        }
    }
}

/// Rounding for display (`round(x, digits)` in the calc language).
impl Num {
    /// The value rounded to `digits` places after the point, ties to even,
    /// computed on the exact value (a float's exact binary value, as
    /// Python's `round` does: `round(2.675, 2)` is 2.67): an exact integer
    /// for no digits, the nearest float otherwise. `None` for an overflow.
    pub(crate) fn round_to(&self, digits: u32) -> Option<Num> {
        let exact = match self {
            Num::Float(x) => BigRational::from_float(*x)?,
            other => other.to_big()?,
        };
        let scale = BigInt::from(10).pow(digits);
        let scaled = exact * BigRational::from_integer(scale.clone());
        let floor = scaled.floor();
        let rest = &scaled - &floor;
        let half = BigRational::new(BigInt::one(), BigInt::from(2));
        let mut rounded = floor.to_integer();
        if rest > half || (rest == half && rounded.is_odd()) {
            rounded += 1;
        }
        if digits == 0 {
            return Some(Num::big_int(rounded));
        }
        let value = BigRational::new(rounded, scale).to_f64()?;
        value.is_finite().then_some(Num::Float(value))
    }
}

/// Elementary functions of exact arguments that no float holds: computed
/// from the exact value, so the argument is not rounded first where that
/// rounding would be amplified (a huge angle), would leave the float range
/// (`log(10**400)`), or would lose everything (`log(1 + 10**-20)`).
impl Num {
    /// True when the exact number is exactly a normal float (cheap for
    /// the small ratios; see [`Num::exact_float`]).
    pub(crate) fn is_plain_float(&self) -> bool {
        match Scale::of(self) {
            Scale::Float(_) => true,
            _ => self.is_zero(),
        }
    }

    /// The exact number modulo 2π, in [-π, π], as a float: `sin(10**30)`
    /// is `sin` of this. π is known to [`PI_BITS`] bits, enough for the
    /// largest exact number (1000 digits) to leave an error below 2**-270.
    pub(crate) fn reduced_angle(&self) -> Option<f64> {
        let r = self.to_big()?;
        let x = (r.numer() << PI_BITS) / r.denom();
        let two_pi = pi_fixed() << 1u32;
        let k = (&x + (&two_pi >> 1u32)).div_floor(&two_pi);
        let rest = x - k * &two_pi;
        BigRational::new(rest, BigInt::one() << PI_BITS).to_f64()
    }

    /// `ln(self)` for a positive exact number: through `ln_1p` of the
    /// exact difference near 1, and through the exact scale (a mantissa
    /// near 1 times 2**k) where the number is outside the normal float
    /// range; `None` where the ordinary float path is as good.
    pub(crate) fn ln_exact(&self) -> Option<f64> {
        let r = self.to_big()?;
        if !r.is_positive() {
            return None;
        }
        let quarter = BigRational::new(BigInt::one(), BigInt::from(4));
        let d = &r - BigRational::one();
        if d.abs() < quarter {
            return d.to_f64().map(f64::ln_1p);
        }
        if self.to_f64().is_normal() {
            return None;
        }
        let k = r.numer().bits() as i64 - r.denom().bits() as i64;
        let m = scale_by_two(&r, -k).to_f64()?;
        // ln 2 in two parts (the high part's trailing zeros keep k*LN2_HI
        // exact).
        const LN2_HI: f64 = f64::from_bits(0x3fe6_2e42_fee0_0000);
        const LN2_LO: f64 = f64::from_bits(0x3dea_39ef_3579_3c76);
        let k = k as f64;
        Some(k * LN2_HI + (m.ln() + k * LN2_LO))
    }

    /// The square root of a positive exact number, correctly rounded
    /// (within one unit below the normal range): the integer square root
    /// of the scaled exact value, with a sticky bit for what it drops.
    /// Infinite when the root is beyond the float range.
    pub(crate) fn sqrt_exact(&self) -> Option<f64> {
        let r = self.to_big()?;
        if !r.is_positive() {
            return None;
        }
        let (p, q) = (r.numer().magnitude(), r.denom().magnitude());
        // sqrt(p/q) = sqrt(p * 2**(2t) / q) * 2**-t, the integer under the
        // root having at least 116 bits.
        let t = ((116 + q.bits() as i64 - p.bits() as i64).max(0) + 1) / 2;
        let (n, rem) = (p << (2 * t as u64)).div_rem(q);
        let s = n.sqrt();
        let mut sticky = !rem.is_zero() || &s * &s != n;
        // Keep 60 bits and the sticky bit.
        let extra = s.bits().saturating_sub(60);
        if extra > 0 {
            sticky |= s.trailing_zeros().is_none_or(|z| z < extra);
        }
        let top = (s >> extra).to_u64()? | u64::from(sticky);
        Some(ldexp(top as f64, extra as i64 - t))
    }
}

/// `r * 2**k`, exactly.
fn scale_by_two(r: &BigRational, k: i64) -> BigRational {
    let p = BigInt::one() << k.unsigned_abs();
    if k >= 0 {
        r * BigRational::from_integer(p)
    } else {
        r / BigRational::from_integer(p)
    }
}

/// `m * 2**k`, exact while the result is normal.
fn ldexp(m: f64, k: i64) -> f64 {
    let mut m = m;
    let mut k = k;
    let step = |e: i64| f64::from_bits(((e + 1023) as u64) << 52);
    while k > 1000 {
        m *= step(1000);
        k -= 1000;
        if m.is_infinite() {
            return m;
        }
    }
    while k < -1000 {
        m *= step(-1000);
        k += 1000;
        if m == 0.0 {
            return m;
        }
    }
    m * step(k)
}

/// The bits π is known to (see [`Num::reduced_angle`]).
const PI_BITS: u32 = 3600;

/// π times 2**[`PI_BITS`], within one unit, by Machin's formula
/// (π = 16 atan(1/5) - 4 atan(1/239)) in big integers, computed once.
fn pi_fixed() -> &'static BigInt {
    static PI: OnceLock<BigInt> = OnceLock::new();
    PI.get_or_init(|| {
        const GUARD: u32 = 32;
        let atan_inv = |n: u32| {
            let n2 = BigInt::from(n * n);
            let mut term = (BigInt::one() << (PI_BITS + GUARD)) / n;
            let mut sum = BigInt::zero();
            let mut k = 0u32;
            while !term.is_zero() {
                let t = &term / (2 * k + 1);
                if k.is_multiple_of(2) {
                    sum += t;
                } else {
                    sum -= t;
                }
                term /= &n2;
                k += 1;
            }
            sum
        };
        (atan_inv(5) * 16 - atan_inv(239) * 4) >> GUARD
    })
}

#[cfg(test)]
mod tests {

    #[test]
    fn rounding_is_to_even_on_the_exact_value() {
        let show = |n: Option<Num>| n.map(|n| n.to_f64());
        assert_eq!(show(Num::rat(98, 30).round_to(2)), Some(3.27));
        assert_eq!(show(Num::rat(5, 2).round_to(0)), Some(2.0));
        assert!(Num::rat(7, 2).round_to(0).is_some_and(|n| n.is_integer()));
        assert_eq!(show(Num::rat(7, 2).round_to(0)), Some(4.0));
        assert_eq!(show(Num::rat(-5, 2).round_to(0)), Some(-2.0));
        // 2.675 is 2.67499999999999982236431605997495353221893310546875.
        assert_eq!(show(Num::Float(2.675).round_to(2)), Some(2.67));
        assert_eq!(show(Num::Float(0.125).round_to(2)), Some(0.12));
        assert_eq!(
            show(Num::Float(1e300).round_to(0)).map(|x| x == 1e300),
            Some(true)
        );
        assert!(Num::Overflow(Overflow::Digits).round_to(2).is_none());
    }
    use super::*;

    fn int(s: &str) -> Num {
        Num::parse_int(s).unwrap()
    }

    fn pow(b: &Num, e: &Num) -> Num {
        b.pow(e)
            .unwrap_or_else(|err| panic!("{b:?}**{e:?}: {err:?}"))
    }

    #[test]
    fn gcd() {
        assert_eq!(gcd128(12, 18), 6);
        assert_eq!(gcd128(-12, 18), 6);
        assert_eq!(gcd128(0, 7), 7);
        assert_eq!(gcd128(7, 0), 7);
        assert_eq!(gcd128(0, 0), 0);
        let big = (1i128 << 100) * 3;
        assert_eq!(gcd128(big, (1i128 << 90) * 9), (1i128 << 90) * 3);
        assert_eq!(
            gcd128(i64::MAX as i128 * 2, i64::MAX as i128),
            i64::MAX as i128
        );
    }

    #[test]
    fn reduces_and_normalises_sign() {
        assert_eq!(Num::rat(2, -4), Num::Rat(-1, 2));
        assert_eq!(Num::rat(0, 5), Num::ZERO);
        assert!(matches!(Num::int(i64::MIN), Num::Big(_)));
        assert!(matches!(Num::int(i64::MIN).neg(), Num::Big(_)));
        assert_eq!(Num::int(i64::MIN + 1).neg(), Num::int(i64::MAX));
    }

    #[test]
    fn arithmetic_is_exact() {
        let third = Num::rat(1, 3);
        assert_eq!(third.add(&third).add(&third), Num::ONE);
        assert_eq!(third.mul(&Num::int(3)), Num::ONE);
        assert_eq!(pow(&Num::int(2), &Num::int(10)), Num::int(1024));
        assert_eq!(pow(&Num::int(2), &Num::int(-2)), Num::rat(1, 4));
        assert_eq!(Num::ZERO.pow(&Num::int(-1)), Err(PowError::DivZero));
    }

    #[test]
    fn large_values_stay_exact() {
        let big = Num::int(i64::MAX);
        let square = big.mul(&big);
        assert!(matches!(square, Num::Big(_)));
        assert_eq!(square.add(&big.mul(&big).neg()), Num::ZERO);
        let two53 = pow(&Num::int(2), &Num::int(53));
        assert_eq!(two53.add(&Num::ONE).add(&two53.neg()), Num::ONE);
        let t400 = pow(&Num::int(10), &Num::int(400));
        assert!(matches!(t400, Num::Big(_)));
        assert_eq!(t400.add(&t400.neg()), Num::ZERO);
        assert_eq!(
            pow(&Num::int(2), &Num::int(100)),
            int("1267650600228229401496703205376")
        );
        // Back to the small form when the value fits again.
        assert!(matches!(t400.div(&t400), Some(Num::Rat(1, 1))));
    }

    #[test]
    fn conversions_to_float_are_correctly_rounded() {
        let p = |b: i64, e: i64| pow(&Num::int(b), &Num::int(e)).to_f64();
        assert_eq!(p(10, -310), 1e-310);
        assert_eq!(p(2, -1074), f64::from_bits(1));
        assert_eq!(p(2, -1075), 0.0); // a tie, to even
        assert_eq!(p(10, 308), 1e308);
        assert_eq!(Num::rat(1, 3).to_f64(), 1.0 / 3.0);
        let third_minus = Num::rat(1, 3).add(&Num::rat(-333_333_333_333, 1_000_000_000_000));
        assert_eq!(third_minus.to_f64(), 1.0 / 3e12);
        // 2**60 + 1 over 3: numerator beyond 2**53.
        let n = (1i128 << 60) + 1;
        assert_eq!(
            Num::rat(n, 3).to_f64(),
            BigRational::new(BigInt::from(n), BigInt::from(3))
                .to_f64()
                .unwrap()
        );
    }

    #[test]
    fn float_range_and_digit_bound() {
        let t400 = pow(&Num::int(10), &Num::int(400));
        assert_eq!(t400.float(), Err(Overflow::Float(401)));
        assert_eq!(
            t400.mul(&Num::Float(0.5)),
            Num::Overflow(Overflow::Float(401))
        );
        let t999 = pow(&Num::int(10), &Num::int(999));
        assert!(matches!(t999, Num::Big(_)));
        assert_eq!(pow(&Num::int(10), &Num::int(MAX_DIGITS as i64 - 1)), {
            let mut s = "1".to_string();
            s.push_str(&"0".repeat(MAX_DIGITS - 1));
            int(&s)
        });
        assert_eq!(
            Num::int(10).pow(&Num::int(MAX_DIGITS as i64)),
            Err(PowError::Overflow(Overflow::Digits))
        );
        assert_eq!(t999.mul(&t999), Num::Overflow(Overflow::Digits));
        assert_eq!(Num::Overflow(Overflow::Digits).mul(&Num::ZERO), Num::ZERO);
        assert_eq!(
            Num::Overflow(Overflow::Digits).add(&Num::ONE),
            Num::Overflow(Overflow::Digits)
        );
        // Checked before computing: this would take minutes.
        let huge = pow(&Num::int(10), &Num::int(6));
        assert_eq!(
            Num::int(10).pow(&huge),
            Err(PowError::Overflow(Overflow::Digits))
        );
        assert_eq!(
            Num::int(3).pow(&pow(&Num::int(10), &Num::int(30))),
            Err(PowError::Overflow(Overflow::Digits))
        );
        assert_eq!(
            Num::MINUS_ONE.pow(&pow(&Num::int(10), &Num::int(30)).add(&Num::ONE)),
            Ok(Num::MINUS_ONE)
        );
    }

    #[test]
    fn roots_are_exact_when_possible() {
        assert_eq!(Num::int(4).pow(&Num::rat(1, 2)), Ok(Num::int(2)));
        assert_eq!(Num::rat(8, 27).pow(&Num::rat(2, 3)), Ok(Num::rat(4, 9)));
        assert_eq!(Num::int(2).pow(&Num::rat(1, 2)), Err(PowError::Irrational));
        assert_eq!(
            Num::int(-8).pow(&Num::rat(1, 3)),
            Err(PowError::NegativeBase)
        );
        let big_square = pow(&Num::int(10), &Num::int(600));
        assert_eq!(
            big_square.pow(&Num::rat(1, 2)),
            Ok(pow(&Num::int(10), &Num::int(300)))
        );
        assert_eq!(
            Num::int(3).pow(&Num::rat(1, 100_000)),
            Err(PowError::Irrational)
        );
    }

    #[test]
    fn float_powers_with_integer_exponents_are_accurate() {
        // The audit's case: repeated squaring drifted by 4e-9.
        let x = powi(1.00000001, 100_000_000);
        assert!((x - 2.718_281_798_347_358_5).abs() < 1e-15 * x, "{x}");
        // No overflow in an intermediate reciprocal.
        assert_eq!(powi(1e160, -2), 1e-320);
        assert_eq!(powi(-1.0, (1 << 62) + 1), -1.0);
        assert_eq!(powi(-2.0, 3), -8.0);
        assert_eq!(powi(0.0, 0), 1.0);
    }

    #[test]
    fn order_is_total() {
        let nums = [
            Num::int(-3),
            Num::rat(1, 3),
            Num::Float(1.0 / 3.0),
            Num::int(2),
            pow(&Num::int(2), &Num::int(64)),
            Num::Float(f64::INFINITY),
            pow(&Num::int(10), &Num::int(400)),
            Num::Overflow(Overflow::Digits),
        ];
        for a in &nums {
            for b in &nums {
                assert_eq!(a.total_cmp(b), b.total_cmp(a).reverse(), "{a:?} {b:?}");
            }
        }
        assert_eq!(
            Num::rat(1, 3).total_cmp(&Num::Float(1.0 / 3.0)),
            Ordering::Less
        );
    }

    #[test]
    fn scales_of_exact_factors() {
        assert_eq!(Scale::of(&Num::int(3)), Scale::Float(3.0));
        assert_eq!(Scale::of(&Num::rat(-3, 8)), Scale::Float(-0.375));
        assert_eq!(Scale::of(&Num::rat(1, 10)), Scale::Recip(10.0));
        assert_eq!(Scale::of(&Num::rat(-4, 3)), Scale::Recip(-0.75));
        assert_eq!(Scale::of(&Num::rat(7, 10)), Scale::Ratio(7, 10));
        assert_eq!(Scale::of(&Num::ZERO), Scale::Exact);
        assert_eq!(
            Scale::of(&pow(&Num::int(2), &Num::int(100))),
            Scale::Float(2f64.powi(100))
        );
        assert_eq!(
            Scale::of(&pow(&Num::int(2), &Num::int(-1100))),
            Scale::Exact
        );
        // 2**60 + 1 needs 61 bits.
        assert_eq!(
            Scale::of(&Num::rat((1i128 << 60) + 1, 3)),
            Scale::Ratio((1i64 << 60) + 1, 3)
        );
        // 0.1/10 is Python's 0.01; 0.1 times the float 0.1 is not.
        let tenth = Num::rat(1, 10);
        assert_eq!(Num::Float(0.1).mul(&tenth).to_f64(), 0.01);
        assert_eq!(
            Num::Float(0.1).div(&Num::int(10)).map(|n| n.to_f64()),
            Some(0.01)
        );
        assert_ne!(0.1 * 0.1, 0.01);
    }

    #[test]
    fn ratios_round_once_in_every_range() {
        let want = |x: f64, a: i64, b: i64| {
            (BigRational::from_float(x).unwrap()
                * BigRational::new(BigInt::from(a), BigInt::from(b)))
            .to_f64()
            .unwrap()
        };
        for (x, a, b) in [
            (0.1, 7, 10),
            (1e300, 10, 3),
            (3e-320, 1, 3),
            (f64::from_bits(1), 3, 2),
            (f64::from_bits(3), 1, 2),
            (f64::MIN_POSITIVE, 2, 3),
            (-2.5e-310, 1_000_000_007, 999_999_937),
            (1.7e308, i64::MAX, i64::MAX - 1),
        ] {
            let got = times_ratio(x, a, b).unwrap();
            assert_eq!(got.to_bits(), want(x, a, b).to_bits(), "{x:e} * {a}/{b}");
        }
        assert_eq!(times_ratio(1.7e308, 10, 3), Some(f64::INFINITY));
        assert_eq!(
            times_ratio(-0.0, 7, 10).map(f64::to_bits),
            Some((-0.0f64).to_bits())
        );
        assert_eq!(times_ratio(1.0, 7, -10), Some(-0.7));
        assert!(times_ratio(f64::NAN, 7, 10).is_some_and(f64::is_nan));
    }

    #[test]
    fn functions_of_exact_values() {
        // pi to 3600 bits: its first digits and its size.
        let pi = BigRational::new(pi_fixed().clone(), BigInt::one() << PI_BITS);
        assert_eq!(pi.to_f64(), Some(std::f64::consts::PI));
        // sin(10**30) from mpmath: -0.090116901912138058…
        let angle = pow(&Num::int(10), &Num::int(30)).reduced_angle().unwrap();
        assert!((angle.sin() + 0.090_116_901_912_138_06).abs() < 1e-15);
        // Reduction stays within [-pi, pi] for the largest exact numbers.
        let big = pow(&Num::int(10), &Num::int(999)).reduced_angle().unwrap();
        assert!(big.abs() <= std::f64::consts::PI);
        let ln = |n: Num| n.ln_exact();
        let t400 = pow(&Num::int(10), &Num::int(400));
        assert!((ln(t400.clone()).unwrap() - 921.034_037_197_618_3).abs() < 1e-12);
        assert!((ln(t400.recip().unwrap()).unwrap() + 921.034_037_197_618_3).abs() < 1e-12);
        assert_eq!(
            ln(Num::int(3)),
            None,
            "an ordinary number takes the float path"
        );
        assert_eq!(
            ln(Num::ONE.add(&pow(&Num::int(10), &Num::int(-20)))),
            Some(1e-20)
        );
        assert_eq!(Num::int(2).sqrt_exact(), Some(std::f64::consts::SQRT_2));
        assert_eq!(Num::rat(1, 3).sqrt_exact(), Some(0.577_350_269_189_625_7));
        assert_eq!(Num::int(16).sqrt_exact(), Some(4.0));
        let root = pow(&Num::int(10), &Num::int(401)).sqrt_exact().unwrap();
        assert!((root / 3.162_277_660_168_379_4e200 - 1.0).abs() < 1e-15);
        assert_eq!(
            pow(&Num::int(10), &Num::int(901)).sqrt_exact(),
            Some(f64::INFINITY)
        );
        assert_eq!(Num::int(-4).sqrt_exact(), None);
    }
}
