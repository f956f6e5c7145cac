//! Dates as registries write them.
//!
//! One tokenising parser rather than a list of format strings: the text is
//! cut into numbers, words and separators, a clock time (`hh:mm[:ss[.f]]`)
//! and a zone (`Z`, `UTC`, `+09:00`, `-0700`, `(JST)`) are taken out, and the
//! remaining numbers and month name are read as a date by their shape:
//!
//! | shape                                  | read as           |
//! |----------------------------------------|-------------------|
//! | 4-digit first (`2019-09-09`, `2008.03.16`, `2005/05/30`, `2012. 05. 19.`) | year month day |
//! | 8 digits (`19990717`)                  | yyyymmdd          |
//! | 4-digit last (`28/08/2020`, `01.02.2003`) | day month year (month day year when the middle number is over 12) |
//! | a month name (`11-Jun-2014`, `Jun 11 2014`, `Tue Sep 15 00:00:00 1997`, `before Aug-1996`) | with the day and year around it (day 1 when absent) |
//!
//! Two-digit years are 19xx from 50 up and 20xx below. Epoch numbers are not
//! dates here. Times without a zone are UTC.

/// Whether a date is unambiguously month-first (`12/18/2001`: the middle
/// number is over 12).
fn month_first(toks: &[Tok]) -> bool {
    let nums: Vec<(u64, usize)> = toks
        .iter()
        .filter_map(|t| match t {
            Tok::Num(v, l) => Some((*v, *l)),
            _ => None,
        })
        .collect();
    matches!(nums.as_slice(), [(a, 1..=2), (b, 1..=2), (_, 4), ..] if *a <= 12 && *b > 12)
}

/// Parses a registry date to epoch seconds (UTC), or `None`. `month_first`
/// reads an ambiguous `01/02/2003` as January 2 (the record's other dates
/// showed US order); otherwise day-first, as most registries write it.
pub(crate) fn parse_date(s: &str, month_first: bool) -> Option<i64> {
    parse_date_order(s, month_first).map(|(t, _)| t)
}

/// [`parse_date`], and whether the date is unambiguously month-first
/// (`12/18/2001`), from one pass over the text.
pub(crate) fn parse_date_order(s: &str, month_first_order: bool) -> Option<(i64, bool)> {
    let s = s.trim();
    if s.is_empty() || s.len() > 80 {
        return None;
    }
    if let Some(t) = iso_basic(s) {
        return Some((t, false));
    }
    let toks = tokenize(s);
    let mdy = month_first(&toks);
    parse_toks(&toks, month_first_order).map(|t| (t, mdy))
}

/// `2019-09-09T15:39:04Z` (or a space for the `T`), with or without a
/// fraction of a second, and with `Z`, nothing or a numeric offset
/// (`-0700`, `+09:00`, `+03`) after it (the ICANN template's forms, most
/// dates seen), and a bare `2019-09-09`: read in place, giving what the
/// tokenising parser gives; anything else is left to it.
fn iso_basic(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    let num = |from: usize, to: usize| -> Option<u32> {
        b[from..to].iter().try_fold(0u32, |v, &c| {
            c.is_ascii_digit().then(|| v * 10 + u32::from(c - b'0'))
        })
    };
    if b.len() == 10 && b[4] == b'-' && b[7] == b'-' {
        // `2019-09-09`: midnight UTC.
        let (y, mo, d) = (num(0, 4)?, num(5, 7)?, num(8, 10)?);
        return Some(days_from_civil(i64::from(y), mo, d)? * 86_400);
    }
    if b.len() < 19
        || b[4] != b'-'
        || b[7] != b'-'
        || !(b[10] == b'T' || b[10] == b' ')
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let (y, mo, d) = (num(0, 4)?, num(5, 7)?, num(8, 10)?);
    let (h, mi, sec) = (num(11, 13)?, num(14, 16)?, num(17, 19)?);
    let mut rest = &b[19..];
    if let Some(frac) = rest.strip_prefix(b".") {
        let n = frac.iter().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 {
            return None;
        }
        rest = &frac[n..];
    }
    let digits = |x: &[u8]| {
        x.iter().try_fold(0i64, |v, &c| {
            c.is_ascii_digit().then(|| v * 10 + i64::from(c - b'0'))
        })
    };
    // The offset as the tokenising parser reads it after a time: `hh:mm`,
    // four digits (`hhmm`) or two (`hh`).
    let offset = match rest {
        [] | [b'Z'] => 0,
        [sign @ (b'+' | b'-'), off @ ..] => {
            let sign = if *sign == b'-' { -1 } else { 1 };
            let secs = match off {
                [_, _, b':', _, _] => digits(&off[..2])? * 3600 + digits(&off[3..])? * 60,
                [_, _, _, _] => digits(&off[..2])? * 3600 + digits(&off[2..])? * 60,
                [_, _] => digits(off)? * 3600,
                _ => return None,
            };
            sign * secs
        }
        _ => return None,
    };
    if h > 24 || mi > 59 || sec > 60 {
        return None;
    }
    let days = days_from_civil(i64::from(y), mo, d)?;
    Some(days * 86_400 + i64::from(h) * 3600 + i64::from(mi) * 60 + i64::from(sec.min(59)) - offset)
}

fn parse_toks(toks: &[Tok], month_first: bool) -> Option<i64> {
    let mut used = vec![false; toks.len()];
    // Clock time.
    let mut hms = (0u32, 0u32, 0u32);
    let mut time_end = None;
    for i in 0..toks.len() {
        if let (Tok::Num(h, hl), Some(Tok::Sep(':')), Some(Tok::Num(m, 2))) =
            (&toks[i], toks.get(i + 1), toks.get(i + 2))
        {
            if *hl > 2 {
                continue;
            }
            let (h, m) = (*h as u32, *m as u32);
            used[i] = true;
            used[i + 1] = true;
            used[i + 2] = true;
            let mut end = i + 3;
            let mut sec = 0;
            if let (Some(Tok::Sep(':')), Some(Tok::Num(sv, 2))) = (toks.get(end), toks.get(end + 1))
            {
                sec = *sv as u32;
                used[end] = true;
                used[end + 1] = true;
                end += 2;
                if let (Some(Tok::Sep('.' | ',')), Some(Tok::Num(_, _))) =
                    (toks.get(end), toks.get(end + 1))
                {
                    used[end] = true;
                    used[end + 1] = true;
                    end += 2;
                }
            }
            if h > 24 || m > 59 || sec > 60 {
                return None;
            }
            hms = (h, m, sec.min(59));
            time_end = Some(end);
            break;
        }
    }
    // Zone: numeric offset right after the time, or a zone word anywhere.
    let mut offset: i64 = 0;
    if let Some(end) = time_end
        && let Some(Tok::Sep(c @ ('+' | '-'))) = toks.get(end)
    {
        let sign = if *c == '-' { -1 } else { 1 };
        match (toks.get(end + 1), toks.get(end + 2), toks.get(end + 3)) {
            (Some(Tok::Num(hh, 2)), Some(Tok::Sep(':')), Some(Tok::Num(mm, 2))) => {
                offset = sign * (*hh as i64 * 3600 + *mm as i64 * 60);
                used[end..end + 4].iter_mut().for_each(|u| *u = true);
            }
            (Some(Tok::Num(v, 4)), _, _) => {
                offset = sign * ((*v as i64 / 100) * 3600 + (*v as i64 % 100) * 60);
                used[end] = true;
                used[end + 1] = true;
            }
            (Some(Tok::Num(hh, 2)), _, _) => {
                offset = sign * (*hh as i64 * 3600);
                used[end] = true;
                used[end + 1] = true;
            }
            _ => {}
        }
    }
    let mut month_word = None;
    let mut words = 0;
    for (i, t) in toks.iter().enumerate() {
        if let Tok::Word(w) = t {
            words += 1;
            if let Some(z) = zone_offset(w) {
                offset = z;
                used[i] = true;
                // `GMT+2`, `UTC+09:00`
                if let (Some(Tok::Sep(c @ ('+' | '-'))), Some(Tok::Num(hh, l))) =
                    (toks.get(i + 1), toks.get(i + 2))
                    && *l <= 2
                {
                    let sign = if *c == '-' { -1 } else { 1 };
                    offset += sign * (*hh as i64) * 3600;
                }
            } else if month_word.is_none() {
                month_word = month_from_word(w);
            }
        }
    }
    if words > 6 {
        // Prose with a number in it, not a date.
        return None;
    }
    let nums: Vec<(u64, usize)> = toks
        .iter()
        .zip(&used)
        .filter_map(|(t, u)| match t {
            Tok::Num(v, l) if !*u => Some((*v, *l)),
            _ => None,
        })
        .collect();
    let (y, mo, d) = if let Some(mo) = month_word {
        let year = nums.iter().find(|(_, l)| *l == 4).map(|(v, _)| *v as i64);
        let day = nums.iter().find(|(v, l)| *l <= 2 && *v >= 1 && *v <= 31);
        match (year, day) {
            (Some(y), Some((d, _))) => (y, mo, *d as u32),
            (Some(y), None) => (y, mo, 1),
            (None, _) => {
                // `15-Sep-97`: day then two-digit year.
                let two: Vec<u64> = nums
                    .iter()
                    .filter(|(_, l)| *l <= 2)
                    .map(|(v, _)| *v)
                    .collect();
                match two.as_slice() {
                    [d, y] => (two_digit_year(*y), mo, *d as u32),
                    _ => return None,
                }
            }
        }
    } else {
        match nums.as_slice() {
            [(v, 8), ..] => (
                (v / 10_000) as i64,
                ((v / 100) % 100) as u32,
                (v % 100) as u32,
            ),
            [(y, 4), (m, 1..=2), (d, 1..=2), ..] => (*y as i64, *m as u32, *d as u32),
            [(a, 1..=2), (b, 1..=2), (y, 4), ..] => {
                let (a, b) = (*a as u32, *b as u32);
                if (b > 12 || month_first) && a <= 12 {
                    (*y as i64, a, b)
                } else {
                    (*y as i64, b, a)
                }
            }
            _ => return None,
        }
    };
    let days = days_from_civil(y, mo, d)?;
    Some(days * 86_400 + hms.0 as i64 * 3600 + hms.1 as i64 * 60 + hms.2 as i64 - offset)
}

fn two_digit_year(y: u64) -> i64 {
    if y >= 50 {
        1900 + y as i64
    } else {
        2000 + y as i64
    }
}

#[derive(Debug)]
enum Tok {
    /// Value and digit count.
    Num(u64, usize),
    /// Lower-case letters.
    Word(String),
    /// Any other single non-space character.
    Sep(char),
}

fn tokenize(s: &str) -> Vec<Tok> {
    // Dates are short (at most 80 bytes here): room for the usual dozen
    // tokens at once.
    let mut out = Vec::with_capacity(16);
    let mut chars = s.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_ascii_digit() {
            let mut v: u64 = 0;
            let mut n = 0;
            while let Some(&d) = chars.peek() {
                let Some(dv) = d.to_digit(10) else { break };
                if n < 18 {
                    v = v * 10 + u64::from(dv);
                }
                n += 1;
                chars.next();
            }
            out.push(Tok::Num(v, n));
        } else if c.is_alphabetic() {
            let mut w = String::with_capacity(16);
            while let Some(&d) = chars.peek() {
                if !d.is_alphabetic() {
                    break;
                }
                w.extend(d.to_lowercase());
                chars.next();
            }
            out.push(Tok::Word(w));
        } else {
            if !c.is_whitespace() {
                out.push(Tok::Sep(c));
            }
            chars.next();
        }
    }
    out
}

fn month_from_word(w: &str) -> Option<u32> {
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    if w.len() < 3 {
        return None;
    }
    let p = w.get(..3)?;
    let i = MONTHS.iter().position(|m| *m == p)?;
    // Whole word must be a month name or its abbreviation (not `mars`).
    const FULL: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    (w.len() == 3 || FULL[i].starts_with(w) || w == "sept").then_some(i as u32 + 1)
}

fn zone_offset(w: &str) -> Option<i64> {
    Some(match w {
        "z" | "utc" | "gmt" | "ut" => 0,
        "jst" | "kst" => 9 * 3600,
        "cst" => -6 * 3600,
        "cet" | "bst" | "wat" => 3600,
        "cest" | "eet" | "sast" => 2 * 3600,
        // East Africa Time (.ke and other East African registries).
        "eest" | "msk" | "eat" => 3 * 3600,
        "est" => -5 * 3600,
        "edt" => -4 * 3600,
        "cdt" => -5 * 3600,
        "mst" => -7 * 3600,
        "mdt" => -6 * 3600,
        "pst" => -8 * 3600,
        "pdt" => -7 * 3600,
        "aest" => 10 * 3600,
        "aedt" => 11 * 3600,
        "hkt" | "sgt" | "awst" => 8 * 3600,
        "nzst" => 12 * 3600,
        "nzdt" => 13 * 3600,
        _ => return None,
    })
}

/// Days since 1970-01-01 for a proleptic Gregorian date, or `None` when the
/// date does not exist or is outside 1900..=9999.
pub(crate) fn days_from_civil(y: i64, m: u32, d: u32) -> Option<i64> {
    if !(1900..=9999).contains(&y) || !(1..=12).contains(&m) || d == 0 {
        return None;
    }
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let dim = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if d > dim[(m - 1) as usize] {
        return None;
    }
    // Howard Hinnant's days_from_civil.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (i64::from(m) + 9) % 12;
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::{iso_basic, parse_date_order, parse_toks, tokenize};

    proptest! {
        /// The in-place reading of ISO dates agrees with the tokenising
        /// parser wherever it answers (out-of-range parts included).
        #[test]
        fn iso_basic_agrees_with_the_tokeniser(
            y in 1890u32..2100, mo in 0u32..14, d in 0u32..33,
            h in 0u32..26, mi in 0u32..61, sec in 0u32..62,
            frac in proptest::option::of(0u32..1000), z in 0u8..6,
            oh in 0u32..100, om in 0u32..100, neg in any::<bool>(), form in 0u8..3,
        ) {
            let mut s = match form {
                0 => format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{sec:02}"),
                1 => format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{sec:02}"),
                _ => format!("{y:04}-{mo:02}-{d:02}"),
            };
            if let Some(f) = frac {
                s.push_str(&format!(".{f}"));
            }
            let sign = if neg { '-' } else { '+' };
            match z {
                0 => {}
                1 => s.push('Z'),
                2 => s.push_str(&format!("{sign}{oh:02}{om:02}")),
                3 => s.push_str(&format!("{sign}{oh:02}:{om:02}")),
                4 => s.push_str(&format!("{sign}{oh:02}")),
                _ => s.push_str(&format!("{sign}{oh}")),
            }
            let slow = parse_toks(&tokenize(&s), false);
            // Where it answers it agrees; where it declines, the tokeniser
            // reads the date (so `parse_date_order` always agrees).
            if let Some(t) = iso_basic(&s) {
                prop_assert_eq!(Some(t), slow, "{}", s);
            }
            prop_assert_eq!(parse_date_order(&s, false).map(|(t, _)| t), slow, "{}", s);
        }
    }
}
