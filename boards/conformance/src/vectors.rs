//! The published vectors, compiled in by `build.rs` from `tests/vectors/`.
#![allow(dead_code)]

/// One record of a vector file: its `name = value` fields in file order.
/// Quoted values are their UTF-8 bytes, hex values their bytes, decimal
/// numbers (and `test`) their text.
pub struct Record {
    pub fields: &'static [(&'static str, &'static [u8])],
}

impl Record {
    /// The value of field `name`.
    pub fn get(&self, name: &str) -> Option<&'static [u8]> {
        self.fields
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| *v)
    }

    /// The value of field `name`, or empty.
    pub fn bytes(&self, name: &str) -> &'static [u8] {
        self.get(name).unwrap_or(&[])
    }

    /// True when the record's `test` field is `kind`.
    pub fn is(&self, kind: &str) -> bool {
        self.get("test") == Some(kind.as_bytes())
    }

    /// A decimal field.
    pub fn num(&self, name: &str) -> Option<u32> {
        core::str::from_utf8(self.get(name)?).ok()?.parse().ok()
    }

    /// A text field.
    pub fn text(&self, name: &str) -> Option<&'static str> {
        core::str::from_utf8(self.get(name)?).ok()
    }
}

/// The record of `records` whose `test` is `section`.
pub fn section(records: &'static [Record], section: &str) -> Option<&'static Record> {
    records.iter().find(|r| r.is(section))
}

include!(concat!(env!("OUT_DIR"), "/vectors.rs"));
