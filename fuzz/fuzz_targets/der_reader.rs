//! The strict DER reader's primitives over arbitrary bytes.
//!
//! Input: a selector byte, then DER. Three passes over the DER:
//! - a tree walk: every element through `read_any`, every constructed one opened
//!   with `nested` down to `MAX_DEPTH` (deeper must be `CapacityExceeded`); the
//!   writer must reproduce each element's identifier and length octets exactly
//!   (the reader accepts minimal lengths only), and `offset_in` must find it;
//! - one primitive, picked by the selector, read repeatedly: what it accepts is
//!   canonical DER, so the writer re-encodes it byte for byte (the lenient
//!   Kerberos forms, negative UInt32 and long KerberosFlags, re-encode to a
//!   value that reads back the same);
//! - KerberosTime text and Unix seconds converted both ways.
#![no_main]

use authcore::der::time::{format_generalized, parse_generalized, KERBEROS_TIME_LEN};
use authcore::der::{check_tlv, offset_in, tag, Reader, Writer, MAX_DEPTH};
use authcore::Error;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&sel, input)) = data.split_first() else {
        return;
    };
    walk(input, Reader::new(input));
    let depth = sel % (MAX_DEPTH as u8 + 4);
    match Reader::with_depth(input, depth) {
        Ok(r) => {
            assert!(usize::from(depth) <= MAX_DEPTH);
            assert_eq!(r.depth(), depth);
            walk(input, r);
        }
        Err(e) => {
            assert!(usize::from(depth) > MAX_DEPTH);
            assert!(matches!(e, Error::CapacityExceeded { .. }));
        }
    }
    if let Ok(tlv) = check_tlv(input, authcore::what!("Kerberos message")) {
        assert_eq!(tlv.raw, input);
    }
    primitives(sel, input);
    times(input);
});

/// Encodes with `f` and returns the bytes.
fn encode(f: impl FnOnce(&mut Writer<'_>)) -> Vec<u8> {
    let mut buf = vec![0u8; 64 * 1024];
    let mut w = Writer::new(&mut buf);
    f(&mut w);
    let n = w.finish().expect("writer buffer");
    buf.truncate(n);
    buf
}

fn walk<'a>(input: &'a [u8], mut r: Reader<'a>) {
    while !r.is_empty() {
        let before = r;
        let Ok(tlv) = r.read_any(authcore::what!("Kerberos message")) else {
            return;
        };
        assert_eq!(before.peek_tag(), Some(tlv.tag));
        assert!(before.remaining().starts_with(tlv.raw));
        assert!(tlv.raw.ends_with(tlv.content));
        assert_eq!(r.remaining(), &before.remaining()[tlv.raw.len()..]);
        let header = &tlv.raw[..tlv.raw.len() - tlv.content.len()];
        let mut w = Writer::counting();
        w.header(tlv.tag, tlv.content.len());
        assert_eq!(w.len(), header.len(), "header length is not minimal");
        let mut buf = [0u8; 8];
        let mut w = Writer::new(&mut buf);
        w.header(tlv.tag, tlv.content.len());
        let n = w.finish().unwrap();
        assert_eq!(&buf[..n], header, "reader accepted a non-DER header");
        let range = offset_in(input, tlv.raw).expect("element outside its input");
        assert_eq!(&input[range], tlv.raw);

        let mut again = before;
        assert_eq!(
            again.read_tlv(tlv.tag, authcore::what!("Kerberos message")),
            Ok(tlv)
        );
        if tlv.tag & tag::CONSTRUCTED != 0 {
            let mut probe = before;
            match probe.nested(tlv.tag, authcore::what!("Kerberos message")) {
                Ok(inner) => {
                    assert_eq!(inner.remaining(), tlv.content);
                    assert_eq!(usize::from(inner.depth()), usize::from(r.depth()) + 1);
                    assert!(usize::from(inner.depth()) <= MAX_DEPTH);
                    walk(input, inner);
                }
                Err(Error::CapacityExceeded { .. }) => {
                    assert_eq!(usize::from(r.depth()), MAX_DEPTH);
                }
                Err(e) => panic!("nested refused an element read_any took: {e:?}"),
            }
        } else {
            let mut probe = before;
            assert!(probe
                .nested(tlv.tag, authcore::what!("Kerberos message"))
                .is_err());
        }
    }
}

/// The bytes `before` held that `after` no longer does.
fn consumed<'a>(before: &Reader<'a>, after: &Reader<'a>) -> &'a [u8] {
    let b = before.remaining();
    &b[..b.len() - after.remaining().len()]
}

fn primitives(sel: u8, input: &[u8]) {
    let mut r = Reader::new(input);
    for _ in 0..64 {
        if r.is_empty() {
            return;
        }
        let before = r;
        let expected: Vec<u8> = match sel % 16 {
            0 => match r.i64(authcore::what!("Kerberos message")) {
                Ok(v) => encode(|w| w.integer(v)),
                Err(_) => return,
            },
            1 => match r.i32(authcore::what!("Kerberos message")) {
                Ok(v) => encode(|w| w.integer(i64::from(v))),
                Err(_) => return,
            },
            2 => match r.u32(authcore::what!("Kerberos message")) {
                Ok(v) => encode(|w| w.integer(i64::from(v))),
                Err(_) => return,
            },
            3 => match r.uint32(authcore::what!("Kerberos message")) {
                Ok(v) => {
                    let canonical = encode(|w| w.integer(i64::from(v)));
                    assert_eq!(
                        Reader::new(&canonical).uint32(authcore::what!("Kerberos message")),
                        Ok(v)
                    );
                    if consumed(&before, &r) != canonical.as_slice() {
                        // Only the negative form of a value above i32::MAX differs.
                        assert!(v > i32::MAX as u32);
                        assert_eq!(
                            {
                                let mut b = before;
                                b.i64(authcore::what!("Kerberos message"))
                            },
                            Ok(i64::from(v as i32))
                        );
                    }
                    continue;
                }
                Err(_) => return,
            },
            4 => match r.microseconds(authcore::what!("Kerberos message")) {
                Ok(v) => {
                    assert!(v <= 999_999);
                    encode(|w| w.integer(i64::from(v)))
                }
                Err(_) => return,
            },
            5 => match r.octet_string(authcore::what!("Kerberos message")) {
                Ok(c) => encode(|w| w.octet_string(c)),
                Err(_) => return,
            },
            6 => match r.general_string(authcore::what!("Kerberos message")) {
                Ok(c) => {
                    assert!(!c.contains(&0));
                    encode(|w| w.general_string(c))
                }
                Err(_) => return,
            },
            7 => match r.general_str(authcore::what!("Kerberos message")) {
                Ok(s) => encode(|w| w.general_string(s.as_bytes())),
                Err(_) => return,
            },
            8 => match r.boolean(authcore::what!("Kerberos message")) {
                Ok(b) => encode(|w| w.boolean(b)),
                Err(_) => return,
            },
            9 => match r.kerberos_flags(authcore::what!("Kerberos message")) {
                Ok(f) => {
                    let canonical = encode(|w| w.kerberos_flags(f));
                    assert_eq!(
                        Reader::new(&canonical).kerberos_flags(authcore::what!("Kerberos message")),
                        Ok(f)
                    );
                    let raw = consumed(&before, &r);
                    // More than 32 bits re-encode as exactly 32.
                    if raw != canonical.as_slice() {
                        assert!(raw.len() > canonical.len());
                    }
                    continue;
                }
                Err(_) => return,
            },
            10 => match r.kerberos_time(authcore::what!("Kerberos message")) {
                Ok(t) => {
                    let text = format_generalized(t).expect("parsed time formats");
                    encode(|w| w.primitive(tag::GENERALIZED_TIME, &text))
                }
                Err(_) => return,
            },
            11 => match r.oid(authcore::what!("Kerberos message")) {
                Ok(c) => {
                    assert!(!c.is_empty() && c.last().unwrap() & 0x80 == 0);
                    encode(|w| w.oid(c))
                }
                Err(_) => return,
            },
            12 => match r.integer_bytes(authcore::what!("Kerberos message")) {
                Ok(c) => {
                    if c.len() <= 8 {
                        let v = {
                            let mut b = before;
                            b.i64(authcore::what!("Kerberos message"))
                        }
                        .expect("short minimal INTEGER");
                        assert_eq!(encode(|w| w.integer(v)), consumed(&before, &r));
                    }
                    encode(|w| w.primitive(tag::INTEGER, c))
                }
                Err(_) => return,
            },
            n => {
                // `[n] INTEGER`, optional, with n from the input's next tag.
                let field = r.peek_tag().unwrap_or(0) & 0x1f;
                let field = if n == 13 { field } else { n };
                match r.optional_field(field, authcore::what!("Kerberos message"), Reader::i64) {
                    Ok(Some(v)) => encode(|w| {
                        w.field(field, |w| {
                            w.integer(v);
                            Ok(())
                        })
                        .unwrap()
                    }),
                    Ok(None) => {
                        assert_ne!(before.peek_tag(), Some(tag::context(field)));
                        assert_eq!(r.remaining(), before.remaining());
                        return;
                    }
                    Err(_) => return,
                }
            }
        };
        assert_eq!(
            consumed(&before, &r),
            expected.as_slice(),
            "reader accepted a non-canonical encoding (selector {})",
            sel % 16
        );
    }
}

fn times(input: &[u8]) {
    if let Some(text) = input.get(..KERBEROS_TIME_LEN) {
        if let Some(t) = parse_generalized(text) {
            assert_eq!(format_generalized(t).as_ref().map(|a| &a[..]), Some(text));
        }
    }
    if let Some(b) = input.first_chunk::<8>() {
        let t = i64::from_be_bytes(*b);
        // Spread over the representable years, and sometimes outside them.
        let t = if t & 1 == 0 {
            t.rem_euclid(253_402_300_800 + 62_167_219_200) - 62_167_219_200
        } else {
            t
        };
        match format_generalized(t) {
            Some(text) => assert_eq!(parse_generalized(&text), Some(t)),
            None => assert!(!(-62_167_219_200..=253_402_300_799).contains(&t)),
        }
    }
}
