//! Kerberos crypto against published vectors (files in `tests/vectors/`).

use authcore::crypto::{cts, nfold::nfold, Etype, Key, Subkey};
use authcore::Error;
use authcore_tests::{load, load_kind, Record};

fn etype(r: &Record) -> Etype {
    Etype::from_i32(r.num("etype")).unwrap_or_else(|e| panic!("{}: {e}", r.at()))
}

fn base_key(r: &Record) -> Key {
    Key::from_bytes(etype(r), &r.bytes("base_key")).unwrap()
}

/// Encrypts a record's plaintext with its confounder, compares byte for byte,
/// then decrypts the published ciphertext back (with the one-shot Key API and
/// with cached UsageKeys).
fn check_encryption(r: &Record) {
    let key = base_key(r);
    let usage = r.num("usage");
    let plain = r.bytes("plaintext");
    let expected = r.bytes("ciphertext");
    let header = key.etype().header_len();

    let mut buf = vec![0u8; expected.len()];
    buf[header..header + plain.len()].copy_from_slice(&plain);
    let len = key
        .encrypt_with_confounder(usage, &r.bytes("confounder"), &mut buf, plain.len())
        .unwrap();
    assert_eq!(len, expected.len(), "{}", r.at());
    assert_eq!(hex::encode(&buf), hex::encode(&expected), "{}", r.at());

    let mut buf = expected.clone();
    let range = key.decrypt(usage, &mut buf).unwrap();
    assert_eq!(&buf[range], &plain[..], "{}", r.at());

    let keys = key.derive(usage).unwrap();
    let mut buf = expected.clone();
    let range = keys.decrypt(&mut buf).unwrap();
    assert_eq!(&buf[range], &plain[..], "{}", r.at());

    let mut tampered = expected.clone();
    let last = tampered.len() - 1;
    tampered[last] ^= 1;
    assert_eq!(
        keys.decrypt(&mut tampered),
        Err(Error::Integrity {
            what: authcore::what!("ciphertext checksum")
        }),
        "{}",
        r.at()
    );
}

fn check_checksum(r: &Record) {
    let key = base_key(r);
    let usage = r.num("usage");
    let data = r.bytes("plaintext");
    let expected = r.bytes("checksum");
    let mut out = [0u8; authcore::crypto::MAX_CHECKSUM_LEN];
    let n = key.checksum(usage, &[&data], &mut out).unwrap();
    assert_eq!(hex::encode(&out[..n]), hex::encode(&expected), "{}", r.at());
    // The same bytes given in pieces.
    let (a, b) = data.split_at(data.len() / 2);
    key.verify_checksum(usage, &[a, b], &expected).unwrap();
    key.verify_checksum_of_type(key.etype().checksum_type(), usage, &[&data], &expected)
        .unwrap();
}

#[test]
fn rfc3961_a1_nfold() {
    let records = load("rfc3961-nfold.txt");
    assert_eq!(records.len(), 11);
    for r in &records {
        let n: usize = r.num("n");
        let mut out = vec![0u8; n / 8];
        nfold(&r.bytes("input"), &mut out).unwrap();
        assert_eq!(hex::encode(&out), r.text("output"), "{}", r.at());
    }
}

#[test]
fn rfc3961_a2_des_string_to_key() {
    let records = load("rfc3961-des-string-to-key.txt");
    assert_eq!(records.len(), 6);
    for r in &records {
        let key = Key::string_to_key(
            Etype::DesCbcMd5,
            &r.bytes("password"),
            &r.bytes("salt"),
            None,
        )
        .unwrap();
        assert_eq!(hex::encode(key.as_bytes()), r.text("key"), "{}", r.at());
    }
}

#[test]
fn rfc3962_b_string_to_key() {
    let records = load_kind("rfc3962-appendix-b.txt", "string-to-key");
    assert_eq!(records.len(), 7);
    for r in &records {
        let iterations: u32 = r.num("iterations");
        let params = iterations.to_be_bytes();
        for (etype, field) in [
            (Etype::Aes128CtsHmacSha196, "key128"),
            (Etype::Aes256CtsHmacSha196, "key256"),
        ] {
            let key =
                Key::string_to_key(etype, &r.bytes("password"), &r.bytes("salt"), Some(&params))
                    .unwrap();
            assert_eq!(
                hex::encode(key.as_bytes()),
                r.text(field),
                "{} {field}",
                r.at()
            );
        }
    }
}

#[test]
fn rfc3962_b_default_iteration_count_is_4096() {
    // RFC 3962 section 4: no s2kparams means 4096 iterations.
    let explicit = Key::string_to_key(
        Etype::Aes128CtsHmacSha196,
        b"password",
        b"EXAMPLE.COMuser",
        Some(&[0, 0, 0x10, 0]),
    )
    .unwrap();
    let default = Key::string_to_key(
        Etype::Aes128CtsHmacSha196,
        b"password",
        b"EXAMPLE.COMuser",
        None,
    )
    .unwrap();
    assert_eq!(explicit.as_bytes(), default.as_bytes());
}

#[test]
fn rfc3962_b_cts() {
    let records = load_kind("rfc3962-appendix-b.txt", "cts");
    assert_eq!(records.len(), 6);
    for r in &records {
        let key = r.bytes("key");
        let input = r.bytes("input");
        let mut buf = input.clone();
        let next = cts::encrypt(&key, &[0; 16], &mut buf).unwrap();
        assert_eq!(hex::encode(&buf), r.text("output"), "{}", r.at());
        assert_eq!(hex::encode(next), r.text("next_iv"), "{}", r.at());
        let next = cts::decrypt(&key, &[0; 16], &mut buf).unwrap();
        assert_eq!(buf, input, "{}", r.at());
        assert_eq!(hex::encode(next), r.text("next_iv"), "{}", r.at());
    }
}

/// The kerberos bench's floor encrypts with RustCrypto's `cts` crate
/// (CBC-CS3) as the etype's own cipher: it must be RFC 3962's CTS.
#[test]
fn rfc3962_b_cts_crate_agrees() {
    use ::cts::{Decrypt, Encrypt};
    use aes::cipher::{InnerIvInit, KeyInit};
    let records = load_kind("rfc3962-appendix-b.txt", "cts");
    assert_eq!(records.len(), 6);
    for r in &records {
        let key: [u8; 16] = r.bytes("key").try_into().unwrap();
        let input = r.bytes("input");
        let mut buf = input.clone();
        ::cts::CbcCs3::inner_iv_init(aes::Aes128Enc::new(&key.into()), &[0; 16].into())
            .encrypt(&mut buf)
            .unwrap();
        assert_eq!(hex::encode(&buf), r.text("output"), "{}", r.at());
        ::cts::CbcCs3::inner_iv_init(aes::Aes128Dec::new(&key.into()), &[0; 16].into())
            .decrypt(&mut buf)
            .unwrap();
        assert_eq!(buf, input, "{}", r.at());
    }
}

#[test]
fn rfc8009_a_string_to_key() {
    let records = load_kind("rfc8009-appendix-a.txt", "string-to-key");
    assert_eq!(records.len(), 2);
    for r in &records {
        let iterations: u32 = r.num("iterations");
        let params = iterations.to_be_bytes();
        let key = Key::string_to_key(
            etype(r),
            &r.bytes("password"),
            &r.bytes("salt"),
            Some(&params),
        )
        .unwrap();
        assert_eq!(hex::encode(key.as_bytes()), r.text("key"), "{}", r.at());
        // 32768 is also the default (RFC 8009 section 4).
        let default =
            Key::string_to_key(etype(r), &r.bytes("password"), &r.bytes("salt"), None).unwrap();
        assert_eq!(default.as_bytes(), key.as_bytes(), "{}", r.at());
    }
}

#[test]
fn rfc8009_a_key_derivation() {
    let records = load_kind("rfc8009-appendix-a.txt", "key-derivation");
    assert_eq!(records.len(), 2);
    for r in &records {
        let key = base_key(r);
        let usage = r.num("usage");
        for (which, field) in [
            (Subkey::Checksum, "kc"),
            (Subkey::Encryption, "ke"),
            (Subkey::Integrity, "ki"),
        ] {
            let mut out = [0u8; 32];
            let n = key.derive_subkey(usage, which, &mut out).unwrap();
            assert_eq!(hex::encode(&out[..n]), r.text(field), "{} {field}", r.at());
        }
    }
}

#[test]
fn rfc8009_a_encryption() {
    let records = load_kind("rfc8009-appendix-a.txt", "encryption");
    assert_eq!(records.len(), 8);
    records.iter().for_each(check_encryption);
}

#[test]
fn rfc8009_a_checksum() {
    let records = load_kind("rfc8009-appendix-a.txt", "checksum");
    assert_eq!(records.len(), 2);
    records.iter().for_each(check_checksum);
}

#[test]
fn rfc4757_string_to_key_is_ms_nlmp_ntowfv1() {
    let records = load("ms-nlmp-ntowfv1.txt");
    assert_eq!(records.len(), 1);
    for r in &records {
        // RFC 4757 section 2: the salt is ignored.
        for salt in [&b""[..], b"EXAMPLE.COMuser"] {
            let key = Key::string_to_key(Etype::Rc4Hmac, &r.bytes("password"), salt, None).unwrap();
            assert_eq!(hex::encode(key.as_bytes()), r.text("key"), "{}", r.at());
        }
    }
}

#[test]
fn rfc4757_string_to_key_of_non_ascii_is_utf16le() {
    // "é" is U+00E9: UTF-16LE e9 00, so the key equals NTOWFv1 of the
    // one-unit string, and the g-clef is a surrogate pair (two units).
    let e_acute = Key::string_to_key(Etype::Rc4Hmac, "é".as_bytes(), b"", None).unwrap();
    let e_plain = Key::string_to_key(Etype::Rc4Hmac, b"e", b"", None).unwrap();
    assert_ne!(e_acute.as_bytes(), e_plain.as_bytes());
    let gclef = Key::string_to_key(Etype::Rc4Hmac, "\u{1D11E}".as_bytes(), b"", None).unwrap();
    assert_eq!(gclef.as_bytes().len(), 16);
}

#[test]
fn mit_krb5_interop_encryption() {
    let records = load_kind("mit-krb5-interop.txt", "encryption");
    assert_eq!(records.len(), 3);
    records.iter().for_each(check_encryption);
}

#[test]
fn mit_krb5_interop_checksum() {
    let records = load_kind("mit-krb5-interop.txt", "checksum");
    assert_eq!(records.len(), 3);
    records.iter().for_each(check_checksum);
}

#[test]
fn mit_krb5_interop_rc4_string_to_key() {
    let records = load_kind("mit-krb5-interop.txt", "string-to-key");
    assert_eq!(records.len(), 1);
    for r in &records {
        let key =
            Key::string_to_key(etype(r), &r.bytes("password"), &r.bytes("salt"), None).unwrap();
        assert_eq!(hex::encode(key.as_bytes()), r.text("key"), "{}", r.at());
    }
}
