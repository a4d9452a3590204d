//! What interop tests share: the environment `tests/interop/mit-realm.sh` exports.
//!
//! Interop tests are `#[ignore]`d so that a plain `cargo test` never counts them as
//! passed without their peer; `tests/run` starts the peer, exports its variables and
//! runs them with `--ignored`. A missing variable is a loud failure, never a skip.

use std::path::PathBuf;

/// The value of `name`, or a panic that says how to get it.
pub fn require_env(name: &str) -> String {
    match std::env::var(name) {
        Ok(v) if !v.is_empty() => v,
        _ => panic!(
            "{name} is not set: this interop test needs the MIT realm of \
             tests/interop/mit-realm.sh; run it through tests/run, or \
             `eval \"$(tests/interop/mit-realm.sh start)\"` first"
        ),
    }
}

/// A file named by `name`, which must exist.
pub fn require_file(name: &str) -> PathBuf {
    let path = PathBuf::from(require_env(name));
    assert!(path.is_file(), "{name}={} does not exist", path.display());
    path
}

/// A Unix time as MIT's `klist` prints it in the C locale (`MM/DD/YY HH:MM:SS`,
/// UTC when TZ=UTC), from core's own KerberosTime formatter.
pub fn klist_time(unix: u32) -> String {
    let g = authcore::der::time::format_generalized(i64::from(unix)).expect("a four-digit year");
    let g = std::str::from_utf8(&g).expect("ASCII digits");
    // YYYYMMDDHHMMSSZ
    format!(
        "{}/{}/{} {}:{}:{}",
        &g[4..6],
        &g[6..8],
        &g[2..4],
        &g[8..10],
        &g[10..12],
        &g[12..14]
    )
}

#[cfg(test)]
mod tests {
    use super::klist_time;

    #[test]
    fn klist_time_matches_known_dates() {
        assert_eq!(klist_time(0), "01/01/70 00:00:00");
        assert_eq!(klist_time(951_782_400), "02/29/00 00:00:00");
        assert_eq!(klist_time(1_795_699_866), "11/26/26 13:31:06");
        assert_eq!(klist_time(u32::MAX), "02/07/06 06:28:15");
    }
}
