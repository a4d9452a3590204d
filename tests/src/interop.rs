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
