//! Damerau-Levenshtein distance (optimal string alignment: insertions,
//! deletions, substitutions and adjacent transpositions, each costing 1),
//! bounded so that far-apart strings are rejected early.

/// Longest string [`osa_within`] compares without allocating.
const STACK: usize = 72;

/// The OSA distance between `a` and `b` if it is at most `max`, else `None`.
pub(crate) fn osa_within<T: PartialEq + Copy>(a: &[T], b: &[T], max: usize) -> Option<usize> {
    let (n, m) = (a.len(), b.len());
    if n.abs_diff(m) > max {
        return None;
    }
    if n == 0 || m == 0 {
        return Some(n.max(m));
    }
    if m < STACK {
        let mut rows = [[0usize; STACK]; 3];
        return osa_rows(a, b, max, &mut rows);
    }
    let mut rows = vec![vec![0usize; m + 1]; 3];
    let [r0, r1, r2] = &mut rows[..] else {
        return None;
    };
    osa_core(a, b, max, r0, r1, r2)
}

fn osa_rows<T: PartialEq + Copy>(
    a: &[T],
    b: &[T],
    max: usize,
    rows: &mut [[usize; STACK]; 3],
) -> Option<usize> {
    let [r0, r1, r2] = rows;
    osa_core(a, b, max, r0, r1, r2)
}

/// Three rolling rows: `prev2` (i-2), `prev` (i-1), `cur` (i).
fn osa_core<'r, T: PartialEq + Copy>(
    a: &[T],
    b: &[T],
    max: usize,
    mut prev2: &'r mut [usize],
    mut prev: &'r mut [usize],
    mut cur: &'r mut [usize],
) -> Option<usize> {
    let (n, m) = (a.len(), b.len());
    for (j, v) in prev.iter_mut().enumerate().take(m + 1) {
        *v = j;
    }
    for i in 1..=n {
        cur[0] = i;
        let mut row_min = cur[0];
        for j in 1..=m {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(prev2[j - 2] + 1);
            }
            cur[j] = v;
            row_min = row_min.min(v);
        }
        if row_min > max {
            return None;
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    let d = prev[m];
    (d <= max).then_some(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(a: &str, b: &str, max: usize) -> Option<usize> {
        let a: Vec<char> = a.chars().collect();
        let b: Vec<char> = b.chars().collect();
        osa_within(&a, &b, max)
    }

    #[test]
    fn distances() {
        let cases = [
            ("paypal", "paypal", 2, Some(0)),
            ("paypal", "paypa", 2, Some(1)),
            ("paypal", "pyapal", 2, Some(1)),
            ("paypal", "paypall", 2, Some(1)),
            ("paypal", "paxpal", 2, Some(1)),
            ("paypal", "apypla", 2, Some(2)),
            ("paypal", "google", 2, None),
            ("ca", "abc", 3, Some(3)), // OSA, not unrestricted DL
            ("", "abc", 3, Some(3)),
            ("abc", "", 2, None),
            ("ааа", "аба", 1, Some(1)),
            (&"a".repeat(100), &"a".repeat(99), 1, Some(1)), // beyond the stack rows
        ];
        for (a, b, max, want) in cases {
            assert_eq!(d(a, b, max), want, "{a} {b}");
        }
    }
}
