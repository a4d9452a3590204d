//! Turns the published vector files of `tests/vectors/` (the same files the
//! host tests read) into Rust statics, so the firmware carries bytes, not
//! hex text, and a firmware pays only for the records it uses.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::{env, fs};

/// Record files (format: tests/vectors/README.md) and the static each becomes.
const RECORD_FILES: &[(&str, &str)] = &[
    ("ms-nlmp-4.2.txt", "MS_NLMP_4_2"),
    ("rfc3961-nfold.txt", "RFC3961_NFOLD"),
    ("rfc3962-appendix-b.txt", "RFC3962_B"),
    ("rfc8009-appendix-a.txt", "RFC8009_A"),
    ("mit-krb5-interop.txt", "MIT_KRB5_INTEROP"),
];

/// Fields whose values are decimal numbers, kept as text.
const DECIMAL: &[&str] = &["iterations", "usage", "etype", "n", "test"];

fn hex(s: &str, at: &str) -> Vec<u8> {
    let digits: Vec<u8> = s.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    assert!(digits.len() % 2 == 0, "{at}: odd hex length");
    digits
        .chunks(2)
        .map(|p| {
            u8::from_str_radix(std::str::from_utf8(p).unwrap(), 16)
                .unwrap_or_else(|_| panic!("{at}: bad hex"))
        })
        .collect()
}

fn value(name: &str, raw: &str, at: &str) -> Vec<u8> {
    let raw = raw.trim();
    if let Some(text) = raw.strip_prefix('"').and_then(|r| r.strip_suffix('"')) {
        text.as_bytes().to_vec()
    } else if DECIMAL.contains(&name) || raw.bytes().any(|b| !b.is_ascii_hexdigit() && b != b' ') {
        raw.as_bytes().to_vec()
    } else {
        hex(raw, at)
    }
}

fn bytes_lit(b: &[u8]) -> String {
    let mut s = String::from("&[");
    for x in b {
        write!(s, "{x},").unwrap();
    }
    s.push(']');
    s
}

/// MS-NLMP 4.2 fields emitted as statics of their own: (section, field, name).
const FIELD_STATICS: &[(&str, &str, &str)] = &[
    ("4.2.1", "user", "NLMP_USER"),
    ("4.2.1", "domain", "NLMP_DOMAIN"),
    ("4.2.1", "password", "NLMP_PASSWORD"),
    ("4.2.1", "server_challenge", "NLMP_SERVER_CHALLENGE"),
    ("4.2.4.3", "challenge", "NLMP_4_2_4_CHALLENGE"),
    ("4.2.4.3", "authenticate", "NLMP_4_2_4_AUTHENTICATE"),
    ("4.2.4.4", "plaintext", "NLMP_4_2_4_PLAINTEXT"),
    ("4.2.4.4", "signature", "NLMP_4_2_4_SIGNATURE"),
    ("4.2.4.4", "data", "NLMP_4_2_4_SEALED"),
];

fn main() {
    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap());
    let dir = manifest.join("../../tests/vectors");
    let mut out = String::new();
    for (file, name) in RECORD_FILES {
        let path = dir.join(file);
        println!("cargo::rerun-if-changed={}", path.display());
        let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let mut records: Vec<Vec<(String, Vec<u8>)>> = vec![vec![]];
        for (i, line) in text.lines().enumerate() {
            let at = format!("{file}:{}", i + 1);
            let line = line.trim();
            if line.starts_with('#') {
                continue;
            }
            if line.is_empty() {
                if !records.last().unwrap().is_empty() {
                    records.push(vec![]);
                }
                continue;
            }
            let (k, v) = line
                .split_once('=')
                .unwrap_or_else(|| panic!("{at}: no '='"));
            let k = k.trim();
            records
                .last_mut()
                .unwrap()
                .push((k.to_string(), value(k, v, &at)));
        }
        records.retain(|r| !r.is_empty());
        // Single fields as their own statics, for firmware that must not link
        // the whole table (the one-sided NTLM footprint firmware).
        let statics = if *name == "MS_NLMP_4_2" {
            FIELD_STATICS
        } else {
            &[]
        };
        for (section, field, ident) in statics {
            let v = records
                .iter()
                .find(|r| {
                    r.iter()
                        .any(|(k, v)| k == "test" && v == section.as_bytes())
                })
                .and_then(|r| r.iter().find(|(k, _)| k == field))
                .map(|(_, v)| v)
                .unwrap_or_else(|| panic!("{file}: no {field} in {section}"));
            writeln!(out, "/// `{field}` of {section} in `tests/vectors/{file}`.").unwrap();
            writeln!(out, "pub static {ident}: &[u8] = {};", bytes_lit(v)).unwrap();
        }
        writeln!(
            out,
            "/// `tests/vectors/{file}`, {} records.",
            records.len()
        )
        .unwrap();
        writeln!(out, "pub static {name}: &[Record] = &[").unwrap();
        for r in &records {
            out.push_str("    Record { fields: &[");
            for (k, v) in r {
                write!(out, "({k:?}, {}),", bytes_lit(v)).unwrap();
            }
            out.push_str("] },\n");
        }
        out.push_str("];\n\n");
    }

    // The MIT krb5 capture: one static per `name: hex` line.
    let path = dir.join("mit-krb5-captures.txt");
    println!("cargo::rerun-if-changed={}", path.display());
    let text = fs::read_to_string(&path).unwrap();
    for (i, line) in text.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let at = format!("mit-krb5-captures.txt:{}", i + 1);
        let (k, v) = line
            .split_once(": ")
            .unwrap_or_else(|| panic!("{at}: no ': '"));
        let ident = format!("CAPTURE_{}", k.to_uppercase().replace('-', "_"));
        writeln!(out, "/// `{k}` of `tests/vectors/mit-krb5-captures.txt`.").unwrap();
        writeln!(
            out,
            "pub static {ident}: &[u8] = {};",
            bytes_lit(&hex(v, &at))
        )
        .unwrap();
    }
    fs::write(
        Path::new(&env::var("OUT_DIR").unwrap()).join("vectors.rs"),
        out,
    )
    .unwrap();
}
