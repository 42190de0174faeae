//! The rules a schema states beyond types — `minimum`, `maximum`, `exclusiveMinimum`,
//! `exclusiveMaximum`, `minLength`, `maxLength`, `minItems`, `maxItems` — checked on a
//! parsed configuration, so a value the Admin UI would refuse also fails the start.
//! `#[derive(ConfigSchema)]` calls these with the bounds it wrote into the schema:
//! one source for both.

use std::fmt::{self, Write as _};

/// A configuration value that breaks a rule of its schema: the member's JSON path and
/// what is wrong.
///
/// ```
/// use signalk_plugin::config::schema::rules::{self, Bound};
/// let err = rules::minimum(&5.0, Bound::float(10.0, "10")).unwrap_err().at_member("maxRadius");
/// assert_eq!(err.to_string(), "`maxRadius` must be at least 10, got 5");
/// assert_eq!(err.path(), "maxRadius");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleError {
    /// `zones[1].upper`; empty while the error has not left the value it is about.
    path: String,
    message: String,
}

impl RuleError {
    /// A broken rule of the value itself (its path is filled in on the way out).
    ///
    /// ```
    /// let err = signalk_plugin::config::schema::rules::RuleError::new("must be even");
    /// assert_eq!((err.path(), err.message()), (".", "must be even"));
    /// ```
    #[must_use]
    pub fn new(message: impl Into<String>) -> Self {
        RuleError {
            path: String::new(),
            message: message.into(),
        }
    }

    /// The error as seen from the object that holds the value as member `name`.
    ///
    /// ```
    /// use signalk_plugin::config::schema::rules::RuleError;
    /// let err = RuleError::new("x").at_member("upper").at_member("zone");
    /// assert_eq!(err.path(), "zone.upper");
    /// ```
    #[must_use]
    pub fn at_member(mut self, name: &str) -> Self {
        self.path = match self.path.as_bytes().first() {
            None => name.to_owned(),
            Some(b'[') => format!("{name}{}", self.path),
            Some(_) => format!("{name}.{}", self.path),
        };
        self
    }

    /// The error as seen from the array that holds the value at `index`.
    ///
    /// ```
    /// use signalk_plugin::config::schema::rules::RuleError;
    /// let err = RuleError::new("x").at_member("upper").at_index(1).at_member("zones");
    /// assert_eq!(err.path(), "zones[1].upper");
    /// ```
    #[must_use]
    pub fn at_index(mut self, index: usize) -> Self {
        self.path = match self.path.as_bytes().first() {
            None | Some(b'[') => format!("[{index}]{}", self.path),
            Some(_) => format!("[{index}].{}", self.path),
        };
        self
    }

    /// The member's path (`zones[1].upper`), or `.` for the document itself.
    ///
    /// ```
    /// use signalk_plugin::config::schema::rules::RuleError;
    /// assert_eq!(RuleError::new("x").at_index(0).path(), "[0]");
    /// ```
    #[must_use]
    pub fn path(&self) -> &str {
        if self.path.is_empty() {
            "."
        } else {
            &self.path
        }
    }

    /// What is wrong (`must be at least 10, got 5`).
    ///
    /// ```
    /// use signalk_plugin::config::schema::rules::RuleError;
    /// assert_eq!(RuleError::new("must be odd").at_member("n").message(), "must be odd");
    /// ```
    #[must_use]
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` {}", self.path(), self.message)
    }
}

impl std::error::Error for RuleError {}

/// A number as the rules compare it: integers exactly, floats as `f64`.
///
/// ```
/// use signalk_plugin::config::schema::rules::{Num, Number};
/// assert_eq!(7u8.number(), Some(Num::Int(7)));
/// assert_eq!(Num::Float(1e308).to_string(), "1e308");
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Num {
    /// Any integer type (`u128` above `i128::MAX` is compared as a float).
    Int(i128),
    /// `f32` or `f64`.
    Float(f64),
}

impl Num {
    /// `self < other`, exact for two integers. NaN compares as neither below nor above,
    /// so it breaks every bound (serde_json never produces it from JSON).
    fn cmp(self, other: Num) -> Option<std::cmp::Ordering> {
        match (self, other) {
            (Num::Int(a), Num::Int(b)) => Some(a.cmp(&b)),
            (a, b) => a.as_f64().partial_cmp(&b.as_f64()),
        }
    }

    fn as_f64(self) -> f64 {
        match self {
            #[allow(clippy::cast_precision_loss)]
            Num::Int(n) => n as f64,
            Num::Float(x) => x,
        }
    }
}

impl fmt::Display for Num {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Num::Int(n) => write_int(f, n),
            // `{}` writes 1e308 with 308 digits, so these get an exponent, as `{:?}` gives.
            Num::Float(x) if x.is_finite() && (x.abs() >= 1e16 || (x != 0.0 && x.abs() < 1e-5)) => {
                write_exponent_form(f, x)
            }
            Num::Float(x) => write!(f, "{x}"),
        }
    }
}

/// Writes `n` as `{}` does, without core's 128-bit integer formatter (about 1.5 KB of
/// wasm): a number that fits `i64` is written as one, a wider one in groups of nine
/// digits, each found with 64-bit divisions.
fn write_int(f: &mut fmt::Formatter<'_>, n: i128) -> fmt::Result {
    if let Ok(small) = i64::try_from(n) {
        return write!(f, "{small}");
    }
    if n < 0 {
        f.write_char('-')?;
    }
    // |i128::MIN| = 2^127 has 39 digits: five groups of nine, least significant first.
    let mut groups = [0u32; 5];
    let mut len = 0;
    let mut rest = n.unsigned_abs();
    while rest != 0 && len < groups.len() {
        let (quotient, group) = div_rem_billion(rest);
        groups[len] = group;
        len += 1;
        rest = quotient;
    }
    let Some((top, lower)) = groups[..len].split_last() else {
        return f.write_char('0');
    };
    write!(f, "{top}")?;
    for group in lower.iter().rev() {
        write!(f, "{group:09}")?;
    }
    Ok(())
}

/// `n / 10^9` and `n % 10^9`, by long division over 32-bit limbs: each step divides a
/// `u64` below `10^9 * 2^32`, so each quotient limb fits 32 bits.
fn div_rem_billion(n: u128) -> (u128, u32) {
    const BILLION: u64 = 1_000_000_000;
    let mut quotient = 0u128;
    let mut remainder = 0u64;
    for shift in [96, 64, 32, 0] {
        #[allow(clippy::cast_possible_truncation)] // keeps one 32-bit limb, as meant
        let limb = u64::from((n >> shift) as u32);
        let current = (remainder << 32) | limb;
        quotient = (quotient << 32) | u128::from(current / BILLION);
        remainder = current % BILLION;
    }
    #[allow(clippy::cast_possible_truncation)] // below 10^9
    (quotient, remainder as u32)
}

/// Writes a finite, non-zero `x` as `{:?}` does out of its decimal range (`1e308`,
/// `-2.5e-7`), rebuilt from the shortest digits `{}` writes. `{:?}` would pull a second
/// float formatter (about 1 KB of wasm) into every plugin with a numeric config rule.
fn write_exponent_form(f: &mut fmt::Formatter<'_>, x: f64) -> fmt::Result {
    let plain = x.to_string();
    let (sign, body) = match plain.as_bytes() {
        [b'-', body @ ..] => ("-", body),
        body => ("", body),
    };
    // Where the decimal point is, or would be: the exponent counts from there.
    let point = body.iter().position(|&b| b == b'.').unwrap_or(body.len());
    let significant = |b: &u8| *b != b'0' && *b != b'.';
    let (Some(first), Some(last)) = (
        body.iter().position(significant),
        body.iter().rposition(significant),
    ) else {
        // Zero has no significant digit; the caller never passes it.
        return write!(f, "{x}");
    };
    f.write_str(sign)?;
    f.write_char(char::from(body[first]))?;
    if last > first {
        f.write_char('.')?;
        for &digit in body[first + 1..=last].iter().filter(|&&b| b != b'.') {
            f.write_char(char::from(digit))?;
        }
    }
    // Both are at most a few hundred (the digits of a subnormal), so the casts are exact.
    #[allow(clippy::cast_possible_wrap)]
    let exponent = if first < point {
        point as isize - first as isize - 1
    } else {
        point as isize - first as isize
    };
    write!(f, "e{exponent}")
}

/// A bound of a rule: its value, and its text as the schema has it (for messages).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bound {
    value: Num,
    text: &'static str,
}

impl Bound {
    /// An integer bound.
    ///
    /// ```
    /// let b = signalk_plugin::config::schema::rules::Bound::int(300, "300");
    /// assert!(signalk_plugin::config::schema::rules::maximum(&300u32, b).is_ok());
    /// ```
    #[must_use]
    pub const fn int(value: i128, text: &'static str) -> Self {
        Bound {
            value: Num::Int(value),
            text,
        }
    }

    /// A float bound.
    ///
    /// ```
    /// let b = signalk_plugin::config::schema::rules::Bound::float(0.5, "0.5");
    /// assert!(signalk_plugin::config::schema::rules::minimum(&0.25, b).is_err());
    /// ```
    #[must_use]
    pub const fn float(value: f64, text: &'static str) -> Self {
        Bound {
            value: Num::Float(value),
            text,
        }
    }
}

/// A value `minimum`, `maximum` and their exclusive forms apply to: a number, or an
/// `Option` of one (`None` passes: the member is absent).
///
/// ```
/// use signalk_plugin::config::schema::rules::{Num, Number};
/// assert_eq!(Some(2.5f64).number(), Some(Num::Float(2.5)));
/// assert_eq!(None::<i32>.number(), None);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a number: `minimum`, `maximum`, `exclusive_minimum` and `exclusive_maximum` apply to numbers",
    label = "this rule needs a number"
)]
pub trait Number {
    /// The value, or `None` when there is none to check.
    fn number(&self) -> Option<Num>;
}

macro_rules! ints {
    ($($t:ty)*) => {$(
        impl Number for $t {
            fn number(&self) -> Option<Num> {
                Some(Num::Int(i128::from(*self)))
            }
        }
    )*};
}
ints!(u8 u16 u32 u64 i8 i16 i32 i64 i128);

impl Number for usize {
    fn number(&self) -> Option<Num> {
        // usize is at most 64 bits on every target Rust supports.
        Some(Num::Int(i128::try_from(*self).unwrap_or(i128::MAX)))
    }
}

impl Number for isize {
    fn number(&self) -> Option<Num> {
        Some(Num::Int(i128::try_from(*self).unwrap_or(i128::MAX)))
    }
}

impl Number for u128 {
    fn number(&self) -> Option<Num> {
        #[allow(clippy::cast_precision_loss)]
        Some(i128::try_from(*self).map_or(Num::Float(*self as f64), Num::Int))
    }
}

impl Number for f64 {
    fn number(&self) -> Option<Num> {
        Some(Num::Float(*self))
    }
}

impl Number for f32 {
    fn number(&self) -> Option<Num> {
        Some(Num::Float(f64::from(*self)))
    }
}

impl<T: Number> Number for Option<T> {
    fn number(&self) -> Option<Num> {
        self.as_ref().and_then(Number::number)
    }
}

/// A value `minLength` and `maxLength` apply to: a string (counted in characters, as
/// JSON Schema counts), or an `Option` of one.
///
/// ```
/// use signalk_plugin::config::schema::rules::Length;
/// assert_eq!("Åland".to_owned().length(), Some(5));
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a string: `min_length` and `max_length` apply to strings",
    label = "this rule needs a string"
)]
pub trait Length {
    /// The number of characters, or `None` when there is no value.
    fn length(&self) -> Option<usize>;
}

impl Length for String {
    fn length(&self) -> Option<usize> {
        Some(self.chars().count())
    }
}

impl Length for Box<str> {
    fn length(&self) -> Option<usize> {
        Some(self.chars().count())
    }
}

impl<T: Length> Length for Option<T> {
    fn length(&self) -> Option<usize> {
        self.as_ref().and_then(Length::length)
    }
}

/// A value `minItems` and `maxItems` apply to: a sequence or set, or an `Option` of one.
///
/// ```
/// use signalk_plugin::config::schema::rules::Items;
/// assert_eq!([1, 2, 3].items(), Some(3));
/// assert_eq!(Some(vec![1]).items(), Some(1));
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an array: `min_items` and `max_items` apply to arrays (Vec, sets, [T; N])",
    label = "this rule needs an array"
)]
pub trait Items {
    /// The number of items, or `None` when there is no value.
    fn items(&self) -> Option<usize>;
}

impl<T> Items for Vec<T> {
    fn items(&self) -> Option<usize> {
        Some(self.len())
    }
}

impl<T> Items for std::collections::VecDeque<T> {
    fn items(&self) -> Option<usize> {
        Some(self.len())
    }
}

impl<T> Items for std::collections::BTreeSet<T> {
    fn items(&self) -> Option<usize> {
        Some(self.len())
    }
}

impl<T, S> Items for std::collections::HashSet<T, S> {
    fn items(&self) -> Option<usize> {
        Some(self.len())
    }
}

impl<T, const N: usize> Items for [T; N] {
    fn items(&self) -> Option<usize> {
        Some(N)
    }
}

impl<T: Items> Items for Option<T> {
    fn items(&self) -> Option<usize> {
        self.as_ref().and_then(Items::items)
    }
}

/// The number rules, one function each so the derive's code stays one call per rule.
fn compare(
    value: &impl Number,
    bound: Bound,
    holds: fn(std::cmp::Ordering) -> bool,
    words: &str,
) -> Result<(), RuleError> {
    let Some(n) = value.number() else {
        return Ok(());
    };
    if n.cmp(bound.value).is_some_and(holds) {
        Ok(())
    } else {
        Err(RuleError::new(format!(
            "must be {words} {}, got {n}",
            bound.text
        )))
    }
}

/// `minimum`: the value is at least `bound`.
///
/// ```
/// use signalk_plugin::config::schema::rules::{minimum, Bound};
/// assert!(minimum(&10.0, Bound::int(10, "10")).is_ok());
/// assert_eq!(minimum(&9u8, Bound::int(10, "10")).unwrap_err().message(), "must be at least 10, got 9");
/// assert!(minimum(&None::<f64>, Bound::int(10, "10")).is_ok());
/// ```
///
/// # Errors
/// When the value is below the bound (or NaN).
pub fn minimum(value: &impl Number, bound: Bound) -> Result<(), RuleError> {
    compare(value, bound, std::cmp::Ordering::is_ge, "at least")
}

/// `maximum`: the value is at most `bound`.
///
/// ```
/// use signalk_plugin::config::schema::rules::{maximum, Bound};
/// assert_eq!(maximum(&1e308, Bound::int(1000, "1000")).unwrap_err().message(), "must be at most 1000, got 1e308");
/// ```
///
/// # Errors
/// When the value is above the bound (or NaN).
pub fn maximum(value: &impl Number, bound: Bound) -> Result<(), RuleError> {
    compare(value, bound, std::cmp::Ordering::is_le, "at most")
}

/// `exclusiveMinimum`: the value is above `bound`.
///
/// ```
/// use signalk_plugin::config::schema::rules::{exclusive_minimum, Bound};
/// assert_eq!(exclusive_minimum(&0.0, Bound::int(0, "0")).unwrap_err().message(), "must be greater than 0, got 0");
/// ```
///
/// # Errors
/// When the value is not above the bound.
pub fn exclusive_minimum(value: &impl Number, bound: Bound) -> Result<(), RuleError> {
    compare(value, bound, std::cmp::Ordering::is_gt, "greater than")
}

/// `exclusiveMaximum`: the value is below `bound`.
///
/// ```
/// use signalk_plugin::config::schema::rules::{exclusive_maximum, Bound};
/// assert!(exclusive_maximum(&0.99, Bound::int(1, "1")).is_ok());
/// ```
///
/// # Errors
/// When the value is not below the bound.
pub fn exclusive_maximum(value: &impl Number, bound: Bound) -> Result<(), RuleError> {
    compare(value, bound, std::cmp::Ordering::is_lt, "less than")
}

fn count(n: Option<usize>, limit: usize, at_least: bool, what: &str) -> Result<(), RuleError> {
    match n {
        Some(n) if at_least && n < limit => Err(RuleError::new(format!(
            "must have at least {limit} {what}, got {n}"
        ))),
        Some(n) if !at_least && n > limit => Err(RuleError::new(format!(
            "must have at most {limit} {what}, got {n}"
        ))),
        _ => Ok(()),
    }
}

/// `minLength`: at least `limit` characters.
///
/// ```
/// use signalk_plugin::config::schema::rules::min_length;
/// assert_eq!(min_length(&"é".to_owned(), 2).unwrap_err().message(), "must have at least 2 characters, got 1");
/// ```
///
/// # Errors
/// When the string is shorter.
pub fn min_length(value: &impl Length, limit: usize) -> Result<(), RuleError> {
    count(value.length(), limit, true, "characters")
}

/// `maxLength`: at most `limit` characters.
///
/// ```
/// use signalk_plugin::config::schema::rules::max_length;
/// assert!(max_length(&"ab".to_owned(), 2).is_ok());
/// ```
///
/// # Errors
/// When the string is longer.
pub fn max_length(value: &impl Length, limit: usize) -> Result<(), RuleError> {
    count(value.length(), limit, false, "characters")
}

/// `minItems`: at least `limit` items.
///
/// ```
/// use signalk_plugin::config::schema::rules::min_items;
/// assert!(min_items(&Vec::<u8>::new(), 1).is_err());
/// ```
///
/// # Errors
/// When there are fewer items.
pub fn min_items(value: &impl Items, limit: usize) -> Result<(), RuleError> {
    count(value.items(), limit, true, "items")
}

/// `maxItems`: at most `limit` items.
///
/// ```
/// use signalk_plugin::config::schema::rules::max_items;
/// assert_eq!(max_items(&vec![1, 2, 3], 2).unwrap_err().message(), "must have at most 2 items, got 3");
/// ```
///
/// # Errors
/// When there are more items.
pub fn max_items(value: &impl Items, limit: usize) -> Result<(), RuleError> {
    count(value.items(), limit, false, "items")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The next of a fixed pseudo-random sequence (xorshift64), so failures repeat.
    fn xorshift(state: &mut u64) -> u64 {
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        *state
    }

    /// Integers are written as `{}` writes them, also beyond 64 bits.
    #[test]
    fn integers_are_written_like_rust_writes_them() {
        let mut samples = vec![
            0,
            1,
            -1,
            i128::MAX,
            i128::MIN,
            i128::from(i64::MAX),
            i128::from(i64::MAX) + 1,
            i128::from(i64::MIN),
            i128::from(i64::MIN) - 1,
            i128::from(u64::MAX),
            10i128.pow(18),
            10i128.pow(27),
            10i128.pow(36),
            -(10i128.pow(36)) - 7,
        ];
        let mut state = 0x2545_F491_4F6C_DD1D_u64;
        for _ in 0..20_000 {
            let (high, low) = (xorshift(&mut state), xorshift(&mut state));
            // Vary the width too, so every group count is met.
            let wide = (u128::from(high) << 64 | u128::from(low)) >> (high % 128);
            samples.push(wide.cast_signed());
        }
        for n in samples {
            assert_eq!(Num::Int(n).to_string(), n.to_string());
        }
    }

    /// Outside `1e-5..1e16` a float is written as `{:?}` writes it; inside, as `{}`.
    #[test]
    fn floats_are_written_like_rust_writes_them() {
        let mut samples = vec![
            1e16,
            1e308,
            -1e16,
            1.2345e17,
            1e16 - 2.0,
            1e-5,
            9.99e-6,
            5e-324,
            -2.5e-7,
            f64::MAX,
            f64::MIN_POSITIVE,
            0.0,
            -0.0,
            2.5,
            1e15,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            123_456.789,
            0.000_012_5,
        ];
        // Pseudo-random bit patterns over the whole range, fixed so failures repeat.
        let mut state = 0x9E37_79B9_7F4A_7C15_u64;
        for _ in 0..20_000 {
            samples.push(f64::from_bits(xorshift(&mut state)));
        }
        for x in samples {
            let expected = if x.is_finite() && (x.abs() >= 1e16 || (x != 0.0 && x.abs() < 1e-5)) {
                format!("{x:?}")
            } else {
                format!("{x}")
            };
            assert_eq!(
                Num::Float(x).to_string(),
                expected,
                "bits {:#x}",
                x.to_bits()
            );
        }
    }

    #[test]
    fn paths_compose_like_config_errors() {
        let err = RuleError::new("x")
            .at_member("upper")
            .at_index(1)
            .at_member("zones");
        assert_eq!(err.path(), "zones[1].upper");
        let err = RuleError::new("x")
            .at_index(2)
            .at_index(0)
            .at_member("grid");
        assert_eq!(err.path(), "grid[0][2]");
        assert_eq!(RuleError::new("x").path(), ".");
    }

    #[test]
    fn integers_compare_exactly_and_floats_as_floats() {
        let big = Bound::int(9_007_199_254_740_993, "9007199254740993");
        assert!(
            minimum(&9_007_199_254_740_992u64, big).is_err(),
            "2^53 is below 2^53+1"
        );
        assert!(minimum(&9_007_199_254_740_993u64, big).is_ok());
        assert!(minimum(&0.5f32, Bound::float(0.5, "0.5")).is_ok());
        assert!(maximum(&f64::NAN, Bound::int(1, "1")).is_err());
        assert!(minimum(&u128::MAX, Bound::int(0, "0")).is_ok());
        assert!(exclusive_maximum(&-1i8, Bound::int(-1, "-1")).is_err());
    }

    #[test]
    fn absent_optional_values_pass_every_rule() {
        assert!(minimum(&None::<u8>, Bound::int(1, "1")).is_ok());
        assert!(min_length(&None::<String>, 1).is_ok());
        assert!(min_items(&None::<Vec<u8>>, 1).is_ok());
        assert!(min_items(&Some(Vec::<u8>::new()), 1).is_err());
    }
}
