//! Reader for the vector files in `tests/vectors/`.
//!
//! Format: `#` starts a comment; `[section]` opens a section named after the
//! source (e.g. `[MS-NLMP 4.2.4.1.1 NTOWFv2() and LMOWFv2()]`); `name = value`
//! lines follow, where a value is either a quoted string (its UTF-8 bytes) or hex
//! digits, spaces allowed, continued on following lines that start with
//! whitespace.

use std::collections::BTreeMap;
use std::path::PathBuf;

/// One parsed vector file.
#[derive(Debug)]
pub struct VectorFile {
    sections: BTreeMap<String, BTreeMap<String, Vec<u8>>>,
}

impl VectorFile {
    /// Loads `tests/vectors/<name>`.
    pub fn load(name: &str) -> VectorFile {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("vectors")
            .join(name);
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        VectorFile::parse(&text)
    }

    /// Parses vector file text.
    pub fn parse(text: &str) -> VectorFile {
        let mut sections: BTreeMap<String, BTreeMap<String, Vec<u8>>> = BTreeMap::new();
        let mut section: Option<String> = None;
        let mut key: Option<String> = None;
        for (n, raw) in text.lines().enumerate() {
            let line = raw.split('#').next().unwrap_or("");
            if line.trim().is_empty() {
                continue;
            }
            let continued = line.starts_with(' ') || line.starts_with('\t');
            let line = line.trim();
            if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                section = Some(name.to_string());
                sections.entry(name.to_string()).or_default();
                key = None;
                continue;
            }
            let sec = section
                .clone()
                .unwrap_or_else(|| panic!("line {}: value outside a section", n + 1));
            let values = sections.get_mut(&sec).expect("section exists");
            if continued && !line.contains('=') {
                let k = key
                    .clone()
                    .unwrap_or_else(|| panic!("line {}: continuation without a value", n + 1));
                values
                    .get_mut(&k)
                    .expect("key exists")
                    .extend(hex_bytes(line, n));
                continue;
            }
            let (k, v) = line
                .split_once('=')
                .unwrap_or_else(|| panic!("line {}: expected name = value", n + 1));
            let (k, v) = (k.trim().to_string(), v.trim());
            let bytes = match v.strip_prefix('"').and_then(|v| v.strip_suffix('"')) {
                Some(s) => s.as_bytes().to_vec(),
                None => hex_bytes(v, n),
            };
            assert!(
                values.insert(k.clone(), bytes).is_none(),
                "line {}: duplicate {k}",
                n + 1
            );
            key = Some(k);
        }
        VectorFile { sections }
    }

    /// The value `key` of the one section whose name starts with `section`.
    pub fn get(&self, section: &str, key: &str) -> &[u8] {
        let mut found = self
            .sections
            .iter()
            .filter(|(name, _)| name.starts_with(section));
        let (name, values) = found
            .next()
            .unwrap_or_else(|| panic!("no section {section}"));
        assert!(
            found.next().is_none(),
            "section prefix {section} is ambiguous"
        );
        values
            .get(key)
            .unwrap_or_else(|| panic!("no {key} in [{name}]"))
    }

    /// A string value.
    pub fn text(&self, section: &str, key: &str) -> &str {
        std::str::from_utf8(self.get(section, key)).expect("UTF-8 value")
    }

    /// A value as a fixed-size array.
    pub fn array<const N: usize>(&self, section: &str, key: &str) -> [u8; N] {
        self.get(section, key)
            .try_into()
            .unwrap_or_else(|_| panic!("{section} {key}: not {N} bytes"))
    }
}

fn hex_bytes(s: &str, line: usize) -> Vec<u8> {
    let digits: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    hex_decode(&digits).unwrap_or_else(|| panic!("line {}: bad hex", line + 1))
}

fn hex_decode(s: &str) -> Option<Vec<u8>> {
    if s.len() % 2 != 0 {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_strings_hex_and_continuations() {
        let f = VectorFile::parse("# c\n[A 1]\nx = \"ab\"\ny = 01 02\n  03 # more\n[B]\nz=ff\n");
        assert_eq!(f.get("A", "x"), b"ab");
        assert_eq!(f.get("A", "y"), &[1, 2, 3]);
        assert_eq!(f.get("B", "z"), &[0xff]);
    }
}
