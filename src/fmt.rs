//! Number and date formatting shared by the run log, the report and query output.

/// `6248` → `6 248`.
pub fn thousands(n: u64) -> String {
    group_digits(n, ' ')
}

/// Digits in groups of three with `sep` between them (the report uses a narrow no-break space).
pub fn group_digits(n: u64, sep: char) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

/// `YYYY-MM-DD` of a day count since 1970-01-01 (proleptic Gregorian).
pub fn civil_date(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + if m <= 2 { 1 } else { 0 };
    format!("{y:04}-{m:02}-{d:02}")
}

/// `HH:MM:SS[.ffffff]` of microseconds since midnight.
pub fn time_of_day(micros: i64) -> String {
    let secs = micros / 1_000_000;
    let frac = micros % 1_000_000;
    let base = format!("{:02}:{:02}:{:02}", secs / 3600, (secs / 60) % 60, secs % 60);
    if frac == 0 { base } else { format!("{base}.{frac:06}") }
}

/// `20261128T031500Z` of a Unix time in seconds.
pub fn compact_utc(secs: i64) -> String {
    let date = civil_date(secs.div_euclid(86_400)).replace('-', "");
    let t = secs.rem_euclid(86_400);
    format!("{date}T{:02}{:02}{:02}Z", t / 3600, (t / 60) % 60, t % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The run log groups digits by three with a space.
    #[test]
    fn thousands_groups_digits() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(613), "613");
        assert_eq!(thousands(6248), "6 248");
        assert_eq!(thousands(1_000_000), "1 000 000");
    }

    /// Day counts and microseconds read as calendar dates and times of day.
    #[test]
    fn dates_and_times() {
        assert_eq!(civil_date(0), "1970-01-01");
        assert_eq!(civil_date(20_785), "2026-11-28");
        assert_eq!(time_of_day(3_723_000_000), "01:02:03");
        assert_eq!(compact_utc(1_795_835_700), "20261128T031500Z");
    }
}
