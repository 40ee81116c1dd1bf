//! Timestamps as the backend and the receipt show them, without a date library.

use crate::prelude::*;

use crate::json::push_int;

/// Milliseconds since the Unix epoch as RFC 3339 UTC with milliseconds: `2026-11-26T12:00:00.000Z`.
pub fn iso8601(ms: u64) -> String {
    let secs = ms / 1000;
    let days = (secs / 86_400) as i64;
    let (year, month, day) = civil_from_days(days);
    let rem = secs % 86_400;
    let mut out = String::with_capacity(24);
    pad(&mut out, year, 4);
    out.push('-');
    pad(&mut out, month, 2);
    out.push('-');
    pad(&mut out, day, 2);
    out.push('T');
    pad(&mut out, (rem / 3600) as i64, 2);
    out.push(':');
    pad(&mut out, ((rem / 60) % 60) as i64, 2);
    out.push(':');
    pad(&mut out, (rem % 60) as i64, 2);
    out.push('.');
    pad(&mut out, (ms % 1000) as i64, 3);
    out.push('Z');
    out
}

fn pad(out: &mut String, value: i64, width: usize) {
    let mut digits = String::new();
    push_int(&mut digits, value);
    for _ in digits.len()..width {
        out.push('0');
    }
    out.push_str(&digits);
}

/// Howard Hinnant's days-to-civil algorithm (proleptic Gregorian calendar).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_known_instants() {
        assert_eq!(iso8601(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso8601(951_782_400_123), "2000-02-29T00:00:00.123Z");
        assert_eq!(iso8601(1_798_761_599_999), "2026-12-31T23:59:59.999Z");
        assert_eq!(iso8601(4_107_542_400_000), "2100-03-01T00:00:00.000Z");
    }
}
