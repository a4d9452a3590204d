//! KerberosTime: GeneralizedTime restricted to `YYYYMMDDHHMMSSZ` (RFC 4120
//! section 5.2.3), converted to and from Unix seconds on the proleptic
//! Gregorian calendar.

/// Length of the only KerberosTime form.
pub const KERBEROS_TIME_LEN: usize = 15;

/// Unix seconds of 0000-01-01T00:00:00Z, the earliest four-digit year.
pub const MIN_UNIX_SECS: i64 = -62_167_219_200;
/// Unix seconds of 9999-12-31T23:59:59Z, the latest four-digit year.
pub const MAX_UNIX_SECS: i64 = 253_402_300_799;

/// Parses `YYYYMMDDHHMMSSZ`; `None` for any other form or an impossible date.
// The time-of-day sum runs only after hour <= 23, minute <= 59, second <= 59
// were checked: at most 86_399, far inside u32.
#[allow(clippy::arithmetic_side_effects)]
pub fn parse_generalized(s: &[u8]) -> Option<i64> {
    let digits: &[u8; KERBEROS_TIME_LEN] = s.try_into().ok()?;
    let (body, zone) = digits.split_at(KERBEROS_TIME_LEN - 1);
    if zone != b"Z" {
        return None;
    }
    let num = |range: core::ops::Range<usize>| -> Option<u32> {
        body.get(range)?.iter().try_fold(0u32, |acc, &c| {
            let d = char::from(c).to_digit(10)?;
            acc.checked_mul(10)?.checked_add(d)
        })
    };
    let year = num(0..4)?;
    let month = num(4..6)?;
    let day = num(6..8)?;
    let hour = num(8..10)?;
    let minute = num(10..12)?;
    let second = num(12..14)?;
    // No leap second: POSIX time cannot represent it, and DER peers do not send it.
    if !(1..=12).contains(&month)
        || day < 1
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 59
    {
        return None;
    }
    let days = i64::from(days_from_civil(year, month, day));
    days.checked_mul(86_400)?
        .checked_add(i64::from(hour * 3600 + minute * 60 + second))
}

/// Formats Unix seconds as `YYYYMMDDHHMMSSZ`; `None` outside years 0000..=9999.
// `secs` is range-checked first: year 0..=9999 and second-of-day 0..86_400 keep
// the divisions and the digit arithmetic on small non-negative values, and
// `at + width` is at most 14. Past the one 64-bit division the calendar runs
// on 32-bit values: on 32-bit MCUs every 64-bit division is a library call.
#[allow(clippy::arithmetic_side_effects)]
pub fn format_generalized(secs: i64) -> Option<[u8; KERBEROS_TIME_LEN]> {
    if !(MIN_UNIX_SECS..=MAX_UNIX_SECS).contains(&secs) {
        return None;
    }
    let days = i32::try_from(secs.div_euclid(86_400)).ok()?;
    let sod = u32::try_from(secs.rem_euclid(86_400)).ok()?;
    let (year, month, day) = civil_from_days(days);
    let mut out = [b'0'; KERBEROS_TIME_LEN];
    let fields: [(usize, usize, u32); 6] = [
        (0, 4, year),
        (4, 2, month),
        (6, 2, day),
        (8, 2, sod / 3600),
        (10, 2, sod / 60 % 60),
        (12, 2, sod % 60),
    ];
    for (at, width, mut value) in fields {
        for slot in out.get_mut(at..at + width)?.iter_mut().rev() {
            *slot = b'0' + (value % 10) as u8;
            value /= 10;
        }
    }
    *out.last_mut()? = b'Z';
    Some(out)
}

fn is_leap(year: u32) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a valid date with year 0..=9999 (H. Hinnant's
/// `days_from_civil`).
// Inputs are bounded (year <= 9999, month 1..=12, day 1..=31): eras are
// -1..=24, day-of-era values 0..=146_096, the result within +-3.7 million,
// all inside i32/u32.
#[allow(clippy::arithmetic_side_effects)]
fn days_from_civil(year: u32, month: u32, day: u32) -> i32 {
    let y = year as i32 - i32::from(month <= 2);
    let era = y.div_euclid(400);
    let yoe = (y - era * 400) as u32;
    let mp = if month > 2 { month - 3 } else { month + 9 };
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe as i32 - 719_468
}

/// Inverse of [`days_from_civil`] for days within years 0..=9999.
// The caller bounds `days` to years 0..=9999 (about +-3.7 million days), so
// eras are -1..=24 and day-of-era values 0..=146_096: no i32/u32 overflow,
// and the year is 0..=9999.
#[allow(clippy::arithmetic_side_effects)]
fn civil_from_days(days: i32) -> (u32, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = (z - era * 146_097) as u32;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe as i32 + era * 400 + i32::from(month <= 2);
    (year as u32, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc4120_example() {
        // RFC 4120 section 5.2.3: "19851106210627Z" is 1985-11-06 21:06:27 UTC.
        assert_eq!(parse_generalized(b"19851106210627Z"), Some(500_159_187));
        assert_eq!(
            &format_generalized(500_159_187).unwrap(),
            b"19851106210627Z"
        );
    }

    #[test]
    fn bounds_and_epoch() {
        assert_eq!(parse_generalized(b"19700101000000Z"), Some(0));
        assert_eq!(parse_generalized(b"00000101000000Z"), Some(MIN_UNIX_SECS));
        assert_eq!(parse_generalized(b"99991231235959Z"), Some(MAX_UNIX_SECS));
        assert_eq!(format_generalized(MIN_UNIX_SECS - 1), None);
        assert_eq!(format_generalized(MAX_UNIX_SECS + 1), None);
        assert_eq!(&format_generalized(-1).unwrap(), b"19691231235959Z");
    }

    #[test]
    fn rejects_bad_forms() {
        for bad in [
            &b"19851106210627"[..],
            b"1985110621062Z",
            b"19851106210627.5Z",
            b"19851106210627z",
            b"19851306210627Z",
            b"19850229000000Z",
            b"19851100210627Z",
            b"19851106240000Z",
            b"19851106216000Z",
            b"19851106210660Z",
            b"1985110621062+Z",
            b"-9851106210627Z",
        ] {
            assert_eq!(parse_generalized(bad), None, "{bad:?}");
        }
        assert!(parse_generalized(b"20000229000000Z").is_some());
        assert!(parse_generalized(b"19000229000000Z").is_none());
    }

    #[test]
    fn every_year_round_trips_around_february() {
        // Each year 0000..=9999: Feb 28 23:59:59 and Mar 1 00:00:00 format back
        // to their text, one second apart unless Feb 29 (a leap year) lies
        // between; and Jan 1 follows the previous Dec 31 by one day.
        let mut previous_dec31: Option<i64> = None;
        for year in 0..=9999u32 {
            let text = |md: &str| {
                let mut t = heapless::String::<15>::new();
                core::fmt::Write::write_fmt(&mut t, format_args!("{year:04}{md}Z")).unwrap();
                t
            };
            let feb28 = text("0228235959");
            let mar1 = text("0301000000");
            let a = parse_generalized(feb28.as_bytes()).unwrap();
            let b = parse_generalized(mar1.as_bytes()).unwrap();
            assert_eq!(&format_generalized(a).unwrap(), feb28.as_bytes());
            assert_eq!(&format_generalized(b).unwrap(), mar1.as_bytes());
            let gap = if is_leap(year) { 86_401 } else { 1 };
            assert_eq!(b - a, gap, "{year}");
            let jan1 = parse_generalized(text("0101000000").as_bytes()).unwrap();
            if let Some(dec31) = previous_dec31 {
                assert_eq!(jan1 - dec31, 86_400, "{year}");
            }
            previous_dec31 = Some(parse_generalized(text("1231000000").as_bytes()).unwrap());
        }
    }

    #[test]
    fn round_trips_every_day_of_some_years() {
        let mut secs = parse_generalized(b"19990101000000Z").unwrap();
        let end = parse_generalized(b"20010301000000Z").unwrap();
        while secs < end {
            let text = format_generalized(secs + 86_399).unwrap();
            assert_eq!(parse_generalized(&text), Some(secs + 86_399));
            secs += 86_400;
        }
    }
}
