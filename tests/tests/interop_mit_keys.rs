//! Cross-checks against MIT Kerberos 1.20 (Debian's krb5-kdc/krb5-user):
//!
//! 1. authcore's string-to-key gives, for every etype of a principal, the key
//!    MIT's `kadmin` derived from the same password and default salt (read from
//!    `ktadd -norandkey` keytabs by authcore's own keytab reader).
//! 2. MIT reads keytabs written by authcore's keytab writer (`klist -kteK`), and
//!    authcore's writer reproduces MIT's keytab file byte for byte.
//!
//! Both need the realm of `tests/interop/mit-realm.sh`; `tests/run` starts it and
//! runs them with `--ignored`.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use authcore::crypto::{Etype, Key};
use authcore_std::keytab::{Entry, Keytab, Principal, NT_PRINCIPAL, NT_SRV_HST, NT_SRV_INST};
use authcore_tests::interop::{klist_time, require_env, require_file};

/// The etypes the realm is configured with; each must be in every keytab.
const REQUIRED_ENCTYPES: [i32; 5] = [17, 18, 19, 20, 23];

fn enctype_name(enctype: i32) -> &'static str {
    match enctype {
        17 => "aes128-cts-hmac-sha1-96",
        18 => "aes256-cts-hmac-sha1-96",
        19 => "aes128-cts-hmac-sha256-128",
        20 => "aes256-cts-hmac-sha384-192",
        23 => "arcfour-hmac",
        _ => "unknown",
    }
}

/// Compares every key of `keytab` with authcore's string-to-key of `password`;
/// returns one line per mismatch or failure.
fn check_keytab(keytab: &Path, password: &str) -> Vec<String> {
    let kt = Keytab::read(keytab).unwrap_or_else(|e| panic!("reading MIT keytab: {e}"));
    let present: BTreeSet<i32> = kt.entries.iter().map(|e| e.enctype).collect();
    let missing: Vec<i32> = REQUIRED_ENCTYPES
        .iter()
        .copied()
        .filter(|e| !present.contains(e))
        .collect();
    assert!(
        missing.is_empty(),
        "{}: MIT keytab lacks enctypes {missing:?} (has {present:?})",
        keytab.display()
    );
    let mut failures = Vec::new();
    for entry in &kt.entries {
        let what = format!(
            "{} {} ({})",
            entry.principal,
            enctype_name(entry.enctype),
            entry.enctype
        );
        let salt = entry.principal.default_salt();
        let derived = Etype::from_i32(entry.enctype)
            .and_then(|etype| Key::string_to_key(etype, password.as_bytes(), &salt, None));
        match derived {
            Err(e) => failures.push(format!("{what}: string_to_key failed: {e}")),
            Ok(key) if key.as_bytes() != entry.key_bytes() => failures.push(format!(
                "{what}: authcore {} != MIT {}",
                hex::encode(key.as_bytes()),
                hex::encode(entry.key_bytes())
            )),
            Ok(_) => {}
        }
    }
    failures
}

#[test]
#[ignore = "needs MIT krb5: run by tests/run"]
fn string_to_key_matches_mit_for_all_five_etypes() {
    let realm = require_env("AUTHCORE_MIT_REALM");
    let cases = [
        (
            "AUTHCORE_MIT_SERVICE_KEYTAB",
            "AUTHCORE_MIT_SERVICE_PASSWORD",
            "AUTHCORE_MIT_SERVICE",
        ),
        (
            "AUTHCORE_MIT_USER_KEYTAB",
            "AUTHCORE_MIT_USER_PASSWORD",
            "AUTHCORE_MIT_USER",
        ),
    ];
    let mut failures = Vec::new();
    for (keytab_var, password_var, principal_var) in cases {
        let keytab = require_file(keytab_var);
        let password = require_env(password_var);
        let principal = Principal::parse(&format!("{}@{realm}", require_env(principal_var)))
            .unwrap_or_else(|e| panic!("{principal_var}: {e}"));
        let kt = Keytab::read(&keytab).unwrap_or_else(|e| panic!("{e}"));
        assert!(
            kt.entries
                .iter()
                .all(|e| e.principal.components == principal.components
                    && e.principal.realm == principal.realm),
            "{} holds keys of other principals than {principal}",
            keytab.display()
        );
        failures.extend(check_keytab(&keytab, &password));
    }
    assert!(
        failures.is_empty(),
        "{} key(s) differ from MIT's:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// One `klist -kteK` entry line: kvno, timestamp, principal, enctype, key.
#[derive(Debug, PartialEq, Eq)]
struct KlistLine {
    kvno: u32,
    time: String,
    principal: String,
    enctype: String,
    key_hex: String,
}

fn parse_klist(out: &str) -> Vec<KlistLine> {
    out.lines()
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            let kvno = words.next()?.parse().ok()?;
            let date = words.next()?;
            let time = words.next()?;
            let principal = words.next()?.to_owned();
            let enctype = words.next()?.trim_start_matches('(').trim_end_matches(')');
            let key = words
                .next()?
                .trim_start_matches("(0x")
                .trim_end_matches(')');
            Some(KlistLine {
                kvno,
                time: format!("{date} {time}"),
                principal,
                enctype: enctype.trim_start_matches("DEPRECATED:").to_owned(),
                key_hex: key.to_owned(),
            })
        })
        .collect()
}

fn klist(path: &Path) -> Vec<KlistLine> {
    let out = Command::new("klist")
        .arg("-kteK")
        .arg(format!("FILE:{}", path.display()))
        .env("TZ", "UTC")
        .env("LC_ALL", "C")
        .output()
        .unwrap_or_else(|e| panic!("running MIT klist (krb5-user): {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "klist -kteK {} failed: {}{}",
        path.display(),
        stdout,
        String::from_utf8_lossy(&out.stderr)
    );
    parse_klist(&stdout)
}

#[test]
#[ignore = "needs MIT krb5: run by tests/run"]
fn mit_reads_keytabs_we_write_and_we_rewrite_theirs_exactly() {
    let realm = require_env("AUTHCORE_MIT_REALM");
    let dir = std::path::PathBuf::from(require_env("AUTHCORE_MIT_DIR"));

    // Our writer, MIT's reader: every field of every entry must come back.
    let mut entries = Vec::new();
    for (i, enctype) in REQUIRED_ENCTYPES.into_iter().enumerate() {
        let len = if matches!(enctype, 18 | 20) { 32 } else { 16 };
        let key: Vec<u8> = (0..len).map(|b| (b * 7 + i * 31) as u8).collect();
        let principal = Principal::new(&realm, &["host", "localhost"], NT_SRV_HST);
        entries.push(Entry::new(
            principal,
            1_700_000_000 + i as u32,
            1,
            enctype,
            &key,
        ));
    }
    // kvno 300 needs the 32-bit kvno (the 8-bit field holds 44).
    entries.push(Entry::new(
        Principal::new(&realm, &["alice"], NT_PRINCIPAL),
        0,
        300,
        18,
        &[0xa5; 32],
    ));
    entries.push(Entry::new(
        Principal::new(&realm, &["HTTP", "web.example", "extra"], NT_SRV_INST),
        u32::MAX,
        7,
        17,
        &[0x3c; 16],
    ));
    let ours = Keytab { entries };
    let path = dir.join("authcore-written.keytab");
    ours.write(&path).unwrap_or_else(|e| panic!("{e}"));
    let lines = klist(&path);
    let expected: Vec<KlistLine> = ours
        .entries
        .iter()
        .map(|e| KlistLine {
            kvno: e.kvno,
            time: klist_time(e.timestamp),
            principal: e.principal.to_string(),
            enctype: enctype_name(e.enctype).to_owned(),
            key_hex: hex::encode(e.key_bytes()),
        })
        .collect();
    assert_eq!(
        lines, expected,
        "MIT klist disagrees with the keytab authcore wrote"
    );

    // MIT's writer, our reader and writer: a fresh ktadd file has no holes, so
    // re-encoding must give the same bytes.
    for var in ["AUTHCORE_MIT_SERVICE_KEYTAB", "AUTHCORE_MIT_USER_KEYTAB"] {
        let mit_path = require_file(var);
        let mit_bytes = std::fs::read(&mit_path).unwrap_or_else(|e| panic!("{e}"));
        let parsed = Keytab::parse(&mit_bytes).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(parsed.entries.len(), REQUIRED_ENCTYPES.len(), "{var}");
        assert_eq!(
            parsed.to_bytes().unwrap(),
            mit_bytes,
            "{var}: re-encoding differs from MIT's file"
        );
        // And what klist says of MIT's own file is what our reader says.
        let from_klist = klist(&mit_path);
        let from_us: Vec<(u32, String, String)> = parsed
            .entries
            .iter()
            .map(|e| (e.kvno, e.principal.to_string(), hex::encode(e.key_bytes())))
            .collect();
        let from_klist: Vec<(u32, String, String)> = from_klist
            .into_iter()
            .map(|l| (l.kvno, l.principal, l.key_hex))
            .collect();
        assert_eq!(
            from_us, from_klist,
            "{var}: our reader disagrees with klist"
        );
    }
}
