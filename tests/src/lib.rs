//! Shared helpers for the integration tests and benches: the reader of the
//! published vector files in `tests/vectors/` (format: `tests/vectors/README.md`),
//! the benches' RNG, the scripted RNG vector tests inject fixed "random" values
//! with, the interop tests' environment ([`interop`]) and the Python peers
//! ([`peer`], [`krb_peer`]).

pub mod bench_rng;
pub mod interop;
pub mod krb_peer;
pub mod peer;
pub mod script_rng;

use std::path::PathBuf;
use std::str::FromStr;

/// One record of a vector file: `name = value` lines between blank lines.
#[derive(Debug, Clone)]
pub struct Record {
    /// File the record came from (for failure messages).
    pub file: String,
    /// Line number of the record's first field.
    pub line: usize,
    fields: Vec<(String, String)>,
}

impl Record {
    /// Whether the record has the field.
    pub fn has(&self, name: &str) -> bool {
        self.fields.iter().any(|(k, _)| k == name)
    }

    /// The raw text of a field. Panics (failing the test) when it is missing.
    pub fn text(&self, name: &str) -> &str {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or_else(|| panic!("{}:{}: no field `{name}`", self.file, self.line))
    }

    /// A field decoded as bytes: `"text"` is the UTF-8 of text, anything
    /// else hex (spaces allowed), and an empty value is empty.
    pub fn bytes(&self, name: &str) -> Vec<u8> {
        decode_value(self.text(name))
            .unwrap_or_else(|e| panic!("{}:{}: field `{name}`: {e}", self.file, self.line))
    }

    /// A field parsed as a decimal number.
    pub fn num<T: FromStr>(&self, name: &str) -> T {
        self.text(name).parse().unwrap_or_else(|_| {
            panic!(
                "{}:{}: field `{name}` is not a number",
                self.file, self.line
            )
        })
    }

    /// Where the record is, for assertion messages.
    pub fn at(&self) -> String {
        format!("{}:{}", self.file, self.line)
    }
}

/// Decodes one value (see [`Record::bytes`]).
pub fn decode_value(value: &str) -> Result<Vec<u8>, String> {
    if let Some(text) = value.strip_prefix('"') {
        let text = text.strip_suffix('"').ok_or("unterminated string")?;
        return Ok(text.as_bytes().to_vec());
    }
    let digits: Vec<u8> = value.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    if digits.len() % 2 != 0 {
        return Err("odd number of hex digits".into());
    }
    digits
        .chunks(2)
        .map(|pair| {
            let hi = (pair[0] as char).to_digit(16).ok_or("not hex")?;
            let lo = (pair[1] as char).to_digit(16).ok_or("not hex")?;
            Ok((hi * 16 + lo) as u8)
        })
        .collect()
}

/// Parses vector-file text into records.
pub fn parse(file: &str, text: &str) -> Result<Vec<Record>, String> {
    let mut records = Vec::new();
    let mut current: Option<Record> = None;
    for (index, line) in text.lines().enumerate() {
        let line_no = index + 1;
        let trimmed = line.trim();
        if trimmed.starts_with('#') {
            continue;
        }
        if trimmed.is_empty() {
            records.extend(current.take());
            continue;
        }
        let (name, value) = trimmed
            .split_once('=')
            .ok_or_else(|| format!("{file}:{line_no}: expected `name = value`"))?;
        let record = current.get_or_insert_with(|| Record {
            file: file.to_string(),
            line: line_no,
            fields: Vec::new(),
        });
        let name = name.trim().to_string();
        if record.has(&name) {
            return Err(format!(
                "{file}:{line_no}: field `{name}` repeated in one record"
            ));
        }
        record.fields.push((name, value.trim().to_string()));
    }
    records.extend(current);
    Ok(records)
}

/// Loads `tests/vectors/<name>`.
pub fn load(name: &str) -> Vec<Record> {
    let path: PathBuf = [env!("CARGO_MANIFEST_DIR"), "vectors", name]
        .iter()
        .collect();
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    parse(name, &text).unwrap_or_else(|e| panic!("{e}"))
}

/// Loads the records of `name` whose `test` field is `kind`.
pub fn load_kind(name: &str, kind: &str) -> Vec<Record> {
    load(name)
        .into_iter()
        .filter(|r| r.has("test") && r.text("test") == kind)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_records_comments_and_values() {
        let text = "# header\n\na = \"x y\"\nb = 00 ff\nc =\n\n# between\nd = 12\n";
        let records = parse("t", text).unwrap();
        assert_eq!(records.len(), 2);
        assert_eq!(records[0].bytes("a"), b"x y");
        assert_eq!(records[0].bytes("b"), [0x00, 0xff]);
        assert_eq!(records[0].bytes("c"), b"");
        assert_eq!(records[0].line, 3);
        assert_eq!(records[1].num::<u32>("d"), 12);
        assert!(!records[1].has("a"));
    }

    #[test]
    fn rejects_bad_input() {
        assert!(parse("t", "no equals sign\n").is_err());
        assert!(parse("t", "a = 1\na = 2\n").is_err());
        assert!(decode_value("abc").is_err());
        assert!(decode_value("zz").is_err());
        assert!(decode_value("\"open").is_err());
    }
}
