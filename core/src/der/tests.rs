use super::*;
use crate::Error;

fn written(f: impl FnOnce(&mut Writer<'_>) -> Result<()>) -> ([u8; 64], usize) {
    let mut buf = [0u8; 64];
    let mut w = Writer::new(&mut buf);
    f(&mut w).unwrap();
    let n = w.finish().unwrap();
    (buf, n)
}

#[test]
fn lengths_short_and_long_form() {
    let mut buf = [0u8; 300];
    for len in [0usize, 1, 127, 128, 255, 256, 290] {
        let content = [0x41u8; 290];
        let mut w = Writer::new(&mut buf);
        w.primitive(tag::OCTET_STRING, &content[..len]);
        let n = w.finish().unwrap();
        let expected_header: &[u8] = match len {
            0..=127 => &[0x04, len as u8],
            128..=255 => &[0x04, 0x81, len as u8],
            _ => &[0x04, 0x82, (len >> 8) as u8, len as u8],
        };
        assert_eq!(&buf[..expected_header.len()], expected_header, "len {len}");
        assert_eq!(n, expected_header.len() + len);
        let mut r = Reader::new(&buf[..n]);
        assert_eq!(
            r.octet_string(what!("Kerberos message")).unwrap().len(),
            len
        );
        r.finish(what!("Kerberos message")).unwrap();
    }
}

#[test]
fn rejects_indefinite_and_non_minimal_lengths() {
    let cases: &[&[u8]] = &[
        // Indefinite length (BER).
        &[0x30, 0x80, 0x02, 0x01, 0x05, 0x00, 0x00],
        // Long form for a length below 128.
        &[0x04, 0x81, 0x05, 1, 2, 3, 4, 5],
        // Leading zero length octet.
        &[0x04, 0x82, 0x00, 0x81],
        // Reserved 0xff length.
        &[0x04, 0xff],
        // Five length octets.
        &[0x04, 0x85, 1, 0, 0, 0, 0],
        // High-tag-number form.
        &[0x1f, 0x20, 0x00],
        &[0xbf, 0x20, 0x00],
    ];
    for case in cases {
        let err = Reader::new(case)
            .read_any(what!("Kerberos message"))
            .unwrap_err();
        assert_eq!(
            err,
            Error::Malformed {
                what: what!("Kerberos message")
            },
            "{case:02x?}"
        );
    }
}

#[test]
fn rejects_lengths_beyond_buffer() {
    for case in [
        &[0x04u8, 0x05, 1, 2, 3, 4][..],
        &[0x04, 0x81],
        &[0x04, 0x82, 0x01],
        &[0x04, 0x84, 0x7f, 0xff, 0xff, 0xff, 0],
        &[0x04],
        &[],
    ] {
        let err = Reader::new(case)
            .read_any(what!("Kerberos message"))
            .unwrap_err();
        assert_eq!(
            err,
            Error::Truncated {
                what: what!("Kerberos message")
            },
            "{case:02x?}"
        );
    }
}

#[test]
fn integers_minimal_and_ranges() {
    for (value, bytes) in [
        (0i64, &[0x00u8][..]),
        (127, &[0x7f]),
        (128, &[0x00, 0x80]),
        (256, &[0x01, 0x00]),
        (-1, &[0xff]),
        (-128, &[0x80]),
        (-129, &[0xff, 0x7f]),
        (i64::from(u32::MAX), &[0x00, 0xff, 0xff, 0xff, 0xff]),
        (i64::MIN, &[0x80, 0, 0, 0, 0, 0, 0, 0]),
        (i64::MAX, &[0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
    ] {
        let (buf, n) = written(|w| {
            w.integer(value);
            Ok(())
        });
        assert_eq!(buf[0], tag::INTEGER);
        assert_eq!(&buf[2..n], bytes, "{value}");
        assert_eq!(
            Reader::new(&buf[..n])
                .i64(what!("Kerberos message"))
                .unwrap(),
            value
        );
    }
    // Non-minimal encodings.
    for bad in [
        &[0x02u8, 0x02, 0x00, 0x05][..],
        &[0x02, 0x02, 0xff, 0x80],
        &[0x02, 0x00],
        &[0x02, 0x09, 0x01, 0, 0, 0, 0, 0, 0, 0, 0],
    ] {
        assert_eq!(
            Reader::new(bad).i64(what!("Kerberos message")).unwrap_err(),
            Error::Malformed {
                what: what!("Kerberos message")
            },
            "{bad:02x?}"
        );
    }
    // Range errors.
    let big = [0x02u8, 0x05, 0x00, 0xff, 0xff, 0xff, 0xff];
    assert_eq!(
        Reader::new(&big).u32(what!("Kerberos message")).unwrap(),
        u32::MAX
    );
    assert_eq!(
        Reader::new(&big)
            .i32(what!("Kerberos message"))
            .unwrap_err(),
        Error::Malformed {
            what: what!("Kerberos message")
        }
    );
    assert_eq!(
        Reader::new(&[0x02, 0x01, 0xff])
            .u32(what!("Kerberos message"))
            .unwrap_err(),
        Error::Malformed {
            what: what!("Kerberos message")
        }
    );
    // RFC 4120 section 5.3.2: negative UInt32 accepted as its u32 twin.
    assert_eq!(
        Reader::new(&[0x02, 0x01, 0xff])
            .uint32(what!("Kerberos message"))
            .unwrap(),
        u32::MAX
    );
    assert_eq!(
        Reader::new(&[0x02, 0x05, 0x01, 0, 0, 0, 0])
            .uint32(what!("Kerberos message"))
            .unwrap_err(),
        Error::Malformed {
            what: what!("Kerberos message")
        }
    );
    assert_eq!(
        Reader::new(&[0x02, 0x03, 0x0f, 0x42, 0x40])
            .microseconds(what!("Kerberos message"))
            .unwrap_err(),
        Error::Malformed {
            what: what!("Kerberos message")
        }
    );
}

#[test]
fn wrong_tag_is_malformed() {
    let mut r = Reader::new(&[0x04, 0x01, 0x05]);
    assert_eq!(
        r.i32(what!("Kerberos message")).unwrap_err(),
        Error::Malformed {
            what: what!("Kerberos message")
        }
    );
    // A primitive tag never opens a nested reader.
    assert_eq!(
        Reader::new(&[0x04, 0x00])
            .nested(0x04, what!("Kerberos message"))
            .unwrap_err(),
        Error::Malformed {
            what: what!("Kerberos message")
        }
    );
}

#[test]
fn trailing_bytes_rejected() {
    let mut r = Reader::new(&[0x30, 0x03, 0x02, 0x01, 0x05, 0x00]);
    let mut seq = r.sequence(what!("Kerberos message")).unwrap();
    assert_eq!(seq.i32(what!("Kerberos message")).unwrap(), 5);
    seq.finish(what!("Kerberos message")).unwrap();
    assert_eq!(
        r.finish(what!("Kerberos message")).unwrap_err(),
        Error::Malformed {
            what: what!("Kerberos message")
        }
    );
    // Extra element inside an explicit tag.
    let mut r = Reader::new(&[0xa0, 0x06, 0x02, 0x01, 0x05, 0x02, 0x01, 0x06]);
    assert_eq!(
        r.field(0, what!("Kerberos message"), Reader::i32)
            .unwrap_err(),
        Error::Malformed {
            what: what!("Kerberos message")
        }
    );
}

#[test]
fn optional_fields() {
    let bytes = [0xa1, 0x03, 0x02, 0x01, 0x07];
    let mut r = Reader::new(&bytes);
    assert_eq!(
        r.optional_field(0, what!("Kerberos message"), Reader::i32)
            .unwrap(),
        None
    );
    assert_eq!(
        r.optional_field(1, what!("Kerberos message"), Reader::i32)
            .unwrap(),
        Some(7)
    );
    assert_eq!(
        r.optional_field(2, what!("Kerberos message"), Reader::i32)
            .unwrap(),
        None
    );
    r.finish(what!("Kerberos message")).unwrap();
}

#[test]
fn nesting_depth_bounded() {
    // 40 nested empty-ended SEQUENCEs: 0x30 L 0x30 L ... built backwards.
    let mut buf = [0u8; 200];
    let mut w = Writer::new(&mut buf);
    fn nest(w: &mut Writer<'_>, n: usize) -> Result<()> {
        if n == 0 {
            return Ok(());
        }
        w.sequence(|w| nest(w, n - 1))
    }
    nest(&mut w, 40).unwrap();
    let n = w.finish().unwrap();
    let mut r = Reader::new(&buf[..n]);
    let mut opened = 0;
    let err = loop {
        match r.sequence(what!("Kerberos message")) {
            Ok(inner) => {
                r = inner;
                opened += 1;
            }
            Err(e) => break e,
        }
    };
    assert_eq!(opened, MAX_DEPTH);
    assert_eq!(
        err,
        Error::CapacityExceeded {
            what: what!("DER nesting depth")
        }
    );
    assert!(Reader::with_depth(&[], MAX_DEPTH as u8 + 1).is_err());
}

#[test]
fn kerberos_flags() {
    let (buf, n) = written(|w| {
        w.kerberos_flags(0x2000_0000);
        Ok(())
    });
    assert_eq!(&buf[..n], &[0x03, 0x05, 0x00, 0x20, 0x00, 0x00, 0x00]);
    assert_eq!(
        Reader::new(&buf[..n])
            .kerberos_flags(what!("Kerberos message"))
            .unwrap(),
        0x2000_0000
    );
    // More than 32 bits: the first 32 count.
    assert_eq!(
        Reader::new(&[0x03, 0x06, 0x07, 0x40, 0, 0, 1, 0x80])
            .kerberos_flags(what!("Kerberos message"))
            .unwrap(),
        0x4000_0001
    );
    for bad in [
        &[0x03u8, 0x04, 0x00, 0x40, 0, 0][..],
        &[0x03, 0x05, 0x01, 0x40, 0, 0, 0],
        &[0x03, 0x06, 0x08, 0x40, 0, 0, 0, 0],
        &[0x03, 0x00],
        // Unused bits that are not zero.
        &[0x03, 0x06, 0x07, 0x40, 0, 0, 1, 0x81],
    ] {
        assert_eq!(
            Reader::new(bad)
                .kerberos_flags(what!("Kerberos message"))
                .unwrap_err(),
            Error::Malformed {
                what: what!("Kerberos message")
            },
            "{bad:02x?}"
        );
    }
}

#[test]
fn booleans_strings_times_oids() {
    assert!(Reader::new(&[0x01, 0x01, 0xff])
        .boolean(what!("Kerberos message"))
        .unwrap());
    assert!(!Reader::new(&[0x01, 0x01, 0x00])
        .boolean(what!("Kerberos message"))
        .unwrap());
    assert!(Reader::new(&[0x01, 0x01, 0x01])
        .boolean(what!("Kerberos message"))
        .is_err());
    assert!(Reader::new(&[0x01, 0x02, 0x00, 0x00])
        .boolean(what!("Kerberos message"))
        .is_err());

    assert_eq!(
        Reader::new(b"\x1b\x03abc")
            .general_str(what!("Kerberos message"))
            .unwrap(),
        "abc"
    );
    assert!(Reader::new(b"\x1b\x03a\x00c")
        .general_string(what!("Kerberos message"))
        .is_err());
    assert!(Reader::new(b"\x1b\x02\xc3\x28")
        .general_str(what!("Kerberos message"))
        .is_err());
    assert!(Reader::new(b"\x1b\x02\xc3\x28")
        .general_string(what!("Kerberos message"))
        .is_ok());

    let (buf, n) = written(|w| w.kerberos_time(0));
    assert_eq!(&buf[..n], b"\x18\x0f19700101000000Z");
    assert_eq!(
        Reader::new(&buf[..n])
            .kerberos_time(what!("Kerberos message"))
            .unwrap(),
        0
    );
    assert!(Reader::new(b"\x18\x0d700101000000Z")
        .kerberos_time(what!("Kerberos message"))
        .is_err());
    let mut w = Writer::counting();
    assert!(w.kerberos_time(time::MAX_UNIX_SECS + 1).is_err());

    // 1.2.840.113554.1.2.2 (RFC 1964 krb5 mechanism).
    let krb5 = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02];
    let (buf, n) = written(|w| {
        w.oid(&krb5);
        Ok(())
    });
    assert_eq!(
        Reader::new(&buf[..n])
            .oid(what!("Kerberos message"))
            .unwrap(),
        &krb5
    );
    assert!(Reader::new(&[0x06, 0x02, 0x2a, 0x86])
        .oid(what!("Kerberos message"))
        .is_err());
    assert!(Reader::new(&[0x06, 0x02, 0x80, 0x01])
        .oid(what!("Kerberos message"))
        .is_err());
    assert!(Reader::new(&[0x06, 0x00])
        .oid(what!("Kerberos message"))
        .is_err());
}

#[test]
fn buffer_too_small_reports_exact_size() {
    let mut big = [0u8; 64];
    let mut w = Writer::new(&mut big);
    w.sequence(|w| {
        w.integer(300);
        w.octet_string(b"hello");
        Ok(())
    })
    .unwrap();
    let full = w.finish().unwrap();
    for size in 0..full {
        let mut small = [0u8; 64];
        let mut w = Writer::new(&mut small[..size]);
        w.sequence(|w| {
            w.integer(300);
            w.octet_string(b"hello");
            Ok(())
        })
        .unwrap();
        assert_eq!(
            w.finish().unwrap_err(),
            Error::BufferTooSmall { needed: full }
        );
    }
}

#[test]
fn offset_in_finds_subslices() {
    let outer = [1u8, 2, 3, 4, 5];
    assert_eq!(offset_in(&outer, &outer[1..4]), Some(1..4));
    assert_eq!(offset_in(&outer, &outer[5..]), Some(5..5));
    let other = [1u8, 2];
    assert_eq!(offset_in(&outer[..2], &outer[1..4]), None);
    let _ = offset_in(&outer, &other);
}
