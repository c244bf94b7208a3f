//! Number formatting shared by every file accord writes.
//!
//! A number is written as Rust's `Display` writes an `f64` (`format!("{x}")`): the shortest
//! digits that read back as the same number, laid out without an exponent (`1e16` is
//! `10000000000000000`, `1e-7` is `0.0000001`) and without `.0` on a whole number. The digits
//! come from `zmij`, which finds shortest digits faster than the standard library but writes
//! large and small numbers with an exponent (`1e+16`, `1e-7`, `1.5e-5`) and whole numbers with
//! `.0`; [`write_number`] lays them out again as `Display` does.
//!
//! The two differ in one choice: a number exactly halfway between the two closest decimals of
//! the shortest length (2^-25 = 2.98023223876953125e-8 between ...5312e-8 and ...5313e-8, both
//! read back as it) is written by `zmij` with the even last digit and by `Display` with the
//! larger one, so [`write_number`] finds those numbers and writes the larger.

use std::fmt::Write as _;

/// A number in shortest round-trip form; unknown is `NA`; -0 is written as 0.
pub fn number(x: f64) -> String {
    let mut out = String::with_capacity(24);
    write_number(&mut out, x);
    out
}

/// An optional number.
pub fn opt_number(x: Option<f64>) -> String {
    x.map_or_else(|| "NA".to_string(), number)
}

/// Appends `x` to `out` as [`number`] writes it, for a writer that formats many numbers into
/// one reused buffer.
pub(crate) fn write_number(out: &mut String, x: f64) {
    if x == 0.0 {
        out.push('0');
    } else if !x.is_finite() {
        out.push_str("NA");
    } else {
        MEMO.with_borrow_mut(|memo| memo.write(out, x));
    }
}

/// The texts of numbers written lately on this thread: a results table repeats a few thousand
/// distinct scores and coverages over millions of rows, and a number met again is copied
/// instead of formatted again. The same text either way: the memo only keeps what
/// [`write_finite`] wrote.
struct Memo {
    slots: Vec<MemoSlot>,
}

/// A number's bits and its text (`len` 0: empty).
#[derive(Clone, Copy)]
struct MemoSlot {
    bits: u64,
    len: u8,
    text: [u8; MEMO_TEXT],
}

/// The longest text kept: `-0.00012345678901234567` has 23 characters.
const MEMO_TEXT: usize = 23;
/// Slots (a power of two): 128 KiB a thread.
const MEMO_SLOTS: usize = 4096;

thread_local! {
    static MEMO: std::cell::RefCell<Memo> = const { std::cell::RefCell::new(Memo { slots: Vec::new() }) };
}

impl Memo {
    /// Appends a finite, non-zero `x`, from the memo when it holds it.
    fn write(&mut self, out: &mut String, x: f64) {
        if self.slots.is_empty() {
            self.slots = vec![
                MemoSlot {
                    bits: 0,
                    len: 0,
                    text: [0; MEMO_TEXT],
                };
                MEMO_SLOTS
            ];
        }
        let bits = x.to_bits();
        let Some(slot) = self.slots.get_mut(memo_slot(bits)) else {
            write_any(out, x);
            return;
        };
        if slot.len > 0
            && slot.bits == bits
            && let Ok(text) = std::str::from_utf8(&slot.text[..usize::from(slot.len)])
        {
            out.push_str(text);
            return;
        }
        let start = out.len();
        write_any(out, x);
        let text = &out.as_bytes()[start..];
        if let Ok(len) = u8::try_from(text.len())
            && text.len() <= MEMO_TEXT
        {
            slot.text[..text.len()].copy_from_slice(text);
            slot.len = len;
            slot.bits = bits;
        }
    }
}

/// The memo's slot for a number's bits: the top bits of their product with 2^64 / phi
/// (Fibonacci hashing).
fn memo_slot(bits: u64) -> usize {
    (bits.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - MEMO_SLOTS.trailing_zeros())) as usize
}

/// Appends a finite, non-zero `x`.
fn write_any(out: &mut String, x: f64) {
    if !write_finite(out, x) {
        // Not reached: zmij writes every finite number in the form `display` reads.
        let _ = write!(out, "{x}");
    }
}

/// Appends a finite, non-zero `x` as `Display` writes it; `false`, with nothing appended, if
/// zmij's text is not in the form expected.
fn write_finite(out: &mut String, x: f64) -> bool {
    let mut buffer = zmij::Buffer::new();
    let text = buffer.format_finite(x);
    if let Some((exact, scale)) = halfway(x)
        && let Some(len) = significant_digits(text)
        && decimal_len(exact) == len + 1
    {
        // |x| = exact / 10^scale, and its last digit is a 5: zmij wrote one of the two
        // decimals of `len` digits beside it, `Display` writes the larger.
        let mut digits = Digits::new();
        digits.push_u64(exact / 10 + 1);
        let point = digits.len as isize + 1 - scale as isize;
        if x < 0.0 {
            out.push('-');
        }
        place(out, digits.trimmed(), point);
        return true;
    }
    display(out, text)
}

/// `|x|` as `exact / 10^scale` when that decimal is exact, has fewer than 19 digits and ends in
/// 5 after the point (`scale` > 0): only such a number can lie halfway between two decimals of
/// at most 17 digits. `x` is finite and not zero.
fn halfway(x: f64) -> Option<(u64, u32)> {
    let bits = x.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i32;
    let fraction = bits & ((1 << 52) - 1);
    // |x| = mantissa * 2^exponent.
    let (mantissa, exponent) = if biased == 0 {
        (fraction, -1074)
    } else {
        (fraction | 1 << 52, biased - 1075)
    };
    let twos = mantissa.trailing_zeros();
    // |x| = odd * 2^-scale = odd * 5^scale / 10^scale, which ends in 5 when scale > 0.
    let scale = u32::try_from(-(exponent + twos as i32))
        .ok()
        .filter(|&s| s > 0)?;
    let odd = mantissa >> twos;
    let exact = odd.checked_mul(5u64.checked_pow(scale)?)?;
    (exact < 1_000_000_000_000_000_000).then_some((exact, scale))
}

/// How many decimal digits `n` (> 0) has.
fn decimal_len(n: u64) -> usize {
    n.ilog10() as usize + 1
}

/// How many significant digits zmij's text of a number has (`0.00150` and `1.5e-3` have 2).
fn significant_digits(text: &str) -> Option<usize> {
    let mantissa = text.split('e').next()?;
    let digits = mantissa.trim_start_matches(['-', '0', '.']);
    let digits = digits.trim_end_matches(['0', '.']);
    Some(digits.bytes().filter(u8::is_ascii_digit).count())
}

/// Zeros to pad with: the most a finite `f64` needs is 323, after the point of 5e-324.
const ZEROS: &str = concat!(
    "0000000000000000000000000000000000000000000000000000000000000000",
    "0000000000000000000000000000000000000000000000000000000000000000",
    "0000000000000000000000000000000000000000000000000000000000000000",
    "0000000000000000000000000000000000000000000000000000000000000000",
    "0000000000000000000000000000000000000000000000000000000000000000",
    "0000000000000000000000000000000000000000000000000000000000000000",
);

/// Appends `n` zeros.
fn zeros(out: &mut String, mut n: usize) {
    while n > 0 {
        let k = n.min(ZEROS.len());
        out.push_str(&ZEROS[..k]);
        n -= k;
    }
}

/// The significant digits of a number, at most 20 (a `u64`; zmij writes at most 17).
struct Digits {
    bytes: [u8; 20],
    len: usize,
}

impl Digits {
    fn new() -> Digits {
        Digits {
            bytes: [b'0'; 20],
            len: 0,
        }
    }

    /// Appends the ASCII digits of `s`, as many as there is room for.
    fn push_str(&mut self, s: &str) {
        for b in s.bytes().filter(u8::is_ascii_digit) {
            if let Some(slot) = self.bytes.get_mut(self.len) {
                *slot = b;
                self.len += 1;
            }
        }
    }

    /// Appends the decimal digits of `n` (> 0).
    fn push_u64(&mut self, mut n: u64) {
        let start = self.len;
        while n > 0 && self.len < self.bytes.len() {
            self.bytes[self.len] = b'0' + (n % 10) as u8;
            self.len += 1;
            n /= 10;
        }
        self.bytes[start..self.len].reverse();
    }

    /// The digits without trailing zeros.
    fn trimmed(&self) -> &str {
        let s = std::str::from_utf8(&self.bytes[..self.len]).unwrap_or("");
        s.trim_end_matches('0')
    }
}

/// Appends `digits` (no leading or trailing zero) with the point `point` digits after their
/// start, as `Display` lays them out: `0.00ddd`, `ddd00` or `dd.d`.
fn place(out: &mut String, digits: &str, point: isize) {
    let len = digits.len() as isize;
    if point <= 0 {
        out.push_str("0.");
        zeros(out, point.unsigned_abs());
        out.push_str(digits);
    } else if point >= len {
        out.push_str(digits);
        zeros(out, (point - len).unsigned_abs());
    } else {
        let (int, frac) = digits.split_at(point.unsigned_abs());
        out.push_str(int);
        out.push('.');
        out.push_str(frac);
    }
}

/// Appends shortest digits written as `zmij` writes them (`-1.5e-7`, `2.5e+20`, `43210.0`,
/// `0.001`) as `Display` writes the same digits; `false`, with nothing appended, for text not in
/// that form.
fn display(out: &mut String, text: &str) -> bool {
    let (sign, unsigned) = match text.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", text),
    };
    let Some((mantissa, exponent)) = unsigned.split_once('e') else {
        // Already without an exponent: only a whole number's `.0` differs.
        out.push_str(sign);
        out.push_str(unsigned.strip_suffix(".0").unwrap_or(unsigned));
        return true;
    };
    let Ok(exponent) = exponent.parse::<isize>() else {
        return false;
    };
    // `d.ddd`: one digit before the point.
    let int_len = mantissa.split('.').next().map_or(0, str::len);
    let mut digits = Digits::new();
    digits.push_str(mantissa);
    out.push_str(sign);
    place(out, digits.trimmed(), int_len as isize + exponent);
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// What `number` must write: the standard library's `Display`, with zero of either sign as
    /// `0` and a value that is not finite as `NA`.
    fn expected(x: f64) -> String {
        if x == 0.0 {
            "0".to_string()
        } else if x.is_finite() {
            format!("{x}")
        } else {
            "NA".to_string()
        }
    }

    fn check(x: f64) {
        assert_eq!(number(x), expected(x), "bits {:#018x}", x.to_bits());
        assert_eq!(number(-x), expected(-x), "bits {:#018x}", (-x).to_bits());
    }

    #[test]
    fn hand_written_texts() {
        // Written out by hand from the digits, not taken from either formatter.
        let cases = [
            (1e16, "10000000000000000"),
            (1e-7, "0.0000001"),
            (1.5e-5, "0.000015"),
            (0.1, "0.1"),
            (123456.789, "123456.789"),
            (-2.5, "-2.5"),
            (100.0, "100"),
            (2.5e20, "250000000000000000000"),
            (1.0 / 3.0, "0.3333333333333333"),
            (9007199254740993.0, "9007199254740992"),
            (0.0, "0"),
            (-0.0, "0"),
            (f64::NAN, "NA"),
            (f64::INFINITY, "NA"),
            (f64::NEG_INFINITY, "NA"),
        ];
        for (x, text) in cases {
            assert_eq!(number(x), text, "{x:e}");
        }
        // The smallest subnormal: 323 zeros after the point, then its one digit.
        assert_eq!(number(5e-324), format!("0.{}5", "0".repeat(323)));
        // Halfway between two shortest decimals, written with the larger: 2^-25 is exactly
        // 0.0000000298023223876953125 and 2^50 + 1/4 is 1125899906842624.25.
        assert_eq!(number(2f64.powi(-25)), "0.000000029802322387695313");
        assert_eq!(number(2f64.powi(50) + 0.25), "1125899906842624.3");
        assert_eq!(number(-(2f64.powi(50) + 0.25)), "-1125899906842624.3");
        assert_eq!(opt_number(None), "NA");
        assert_eq!(opt_number(Some(0.25)), "0.25");
        let mut out = String::from("a,");
        write_number(&mut out, -0.0);
        write_number(&mut out, 1e21);
        assert_eq!(out, "a,01000000000000000000000");
    }

    #[test]
    fn a_number_met_again_is_written_the_same() {
        // Random bits (a fixed sequence), each number written twice: the second time from the
        // memo when its text was short enough to keep.
        let mut state = 0x0123_4567_89ab_cdefu64;
        for _ in 0..50_000 {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let x = f64::from_bits(state);
            // And a short decimal, the kind a table repeats.
            let short = f64::from((state >> 40) as u32 % 10_000) / 64.0;
            for x in [x, short] {
                check(x);
                check(x);
            }
        }
        // Two numbers that share a slot, written in turn, each taking it from the other.
        let x = 0.7222222222222223f64;
        let y = (1..)
            .map(|k: u32| f64::from(k) / 7.0)
            .find(|y| memo_slot(y.to_bits()) == memo_slot(x.to_bits()) && *y != x)
            .unwrap();
        for _ in 0..3 {
            assert_eq!(number(x), expected(x));
            assert_eq!(number(y), expected(y));
        }
    }

    #[test]
    fn powers_of_ten_and_their_neighbours() {
        for k in -320..=308 {
            let x: f64 = format!("1e{k}").parse().unwrap();
            check(x);
            check(x.next_up());
            check(x.next_down());
        }
    }

    #[test]
    fn powers_of_two_and_whole_numbers() {
        let mut x = 1.0f64;
        while x.is_finite() {
            check(x);
            check(x.next_up());
            check(x.next_down());
            check(x * 3.0);
            x *= 2.0;
        }
        let mut x = 1.0f64;
        while x > 0.0 {
            check(x);
            check(x * 3.0);
            x /= 2.0;
        }
        let two53 = 9007199254740992.0f64;
        for d in -5..=5 {
            check(two53 + f64::from(d));
            check(two53 * 2.0 + f64::from(d) * 2.0);
        }
        for i in 0..100_000u32 {
            check(f64::from(i));
            check(f64::from(i) * 1_000_000_007.0);
        }
    }

    #[test]
    fn extremes_and_subnormals() {
        for x in [
            f64::MAX,
            f64::MIN_POSITIVE,
            f64::MIN_POSITIVE.next_down(),
            f64::MIN_POSITIVE.next_up(),
            f64::EPSILON,
            f64::from_bits(1),
            f64::from_bits(2),
            f64::from_bits(0x000f_ffff_ffff_ffff),
            f64::from_bits(0x0008_0000_0000_0000),
            1e-323,
            1.2e-322,
            1.234e-320,
            2.2250738585072004e-308,
            5.444310685350916e14,
            0.3,
            0.7,
            1.1,
            2.0 / 3.0,
            std::f64::consts::PI,
            123456.789,
            0.000123456789,
        ] {
            check(x);
        }
        for bits in 1..10_000u64 {
            check(f64::from_bits(bits));
        }
    }

    #[test]
    fn every_binary_exponent() {
        // Each exponent with the smallest, largest, middle and a scattered mantissa.
        for exponent in 0..2047u64 {
            for mantissa in [
                0,
                1,
                0x000f_ffff_ffff_ffff,
                0x0008_0000_0000_0000,
                0x0001_2345_6789_abcd,
            ] {
                check(f64::from_bits(exponent << 52 | mantissa));
            }
        }
    }

    /// Numbers as they come, drawn from random bits: the bits themselves (every exponent alike),
    /// whole numbers up to 2^60, decimals of up to eight digits, and values between -1 and 1.
    fn numbers() -> impl Strategy<Value = f64> {
        (any::<u64>(), 0u8..4).prop_map(|(bits, kind)| match kind {
            0 => f64::from_bits(bits),
            1 => (bits >> 4) as f64,
            2 => {
                // m / 10^k and m * 10^k are correctly rounded, as reading `{m}e-{k}` would be:
                // m and 10^k (k <= 22) are exact.
                let m = ((bits >> 8) % 100_000_000) as f64;
                let p = 10f64.powi((bits % 23) as i32);
                if bits & 0x80 == 0 { m / p } else { m * p }
            }
            _ => (bits >> 11) as f64 / (1u64 << 52) as f64 - 1.0,
        })
    }

    proptest! {
        // 1,200 cases of 256 numbers, 307,200 numbers; a wider run sets the count, for example
        // `PROPTEST_CASES=200000 cargo test --release --lib base::format` (51 million numbers,
        // all equal to `Display`).
        #![proptest_config(proptest::test_runner::Config {
            cases: proptest::test_runner::Config::default().cases.max(1_200),
            rng_seed: proptest::test_runner::RngSeed::Fixed(0x0f0f_d15b_1a7e),
            failure_persistence: None,
            ..proptest::test_runner::Config::default()
        })]

        #[test]
        fn equals_display(xs in proptest::collection::vec(numbers(), 256)) {
            for x in xs {
                prop_assert_eq!(number(x), expected(x), "bits {:#018x}", x.to_bits());
            }
        }
    }
}
