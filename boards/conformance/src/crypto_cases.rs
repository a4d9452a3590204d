//! Kerberos crypto on target against the published vectors.

use authcore::crypto::{cts, nfold::nfold, Etype, Key, Subkey, MAX_CHECKSUM_LEN};
use authcore::Error;

use crate::vectors::{Record, MIT_KRB5_INTEROP, RFC3961_NFOLD, RFC3962_B, RFC8009_A};
use crate::{check, refused, Failure, Outcome, Runner};

/// Most bytes any record's ciphertext has.
const BUF: usize = 128;

fn etype(r: &Record) -> Result<Etype, Failure> {
    let n = r.num("etype").ok_or(Failure::Mismatch("etype field"))?;
    Ok(Etype::from_i32(n as i32)?)
}

#[inline(never)]
fn nfold_all() -> Outcome {
    for r in RFC3961_NFOLD {
        let bits = r.num("n").ok_or(Failure::Mismatch("n field"))? as usize;
        let mut out = [0u8; 32];
        let out = out
            .get_mut(..bits / 8)
            .ok_or(Failure::Mismatch("n too large"))?;
        nfold(r.bytes("input"), out)?;
        check(out == r.bytes("output"), "n-fold output")?;
    }
    check(!RFC3961_NFOLD.is_empty(), "records present")
}

#[inline(never)]
fn rfc3962_string_to_key() -> Outcome {
    let mut n = 0;
    for r in RFC3962_B.iter().filter(|r| r.is("string-to-key")) {
        let iterations = r.num("iterations").ok_or(Failure::Mismatch("iterations"))?;
        let params = iterations.to_be_bytes();
        for (etype, field) in [
            (Etype::Aes128CtsHmacSha196, "key128"),
            (Etype::Aes256CtsHmacSha196, "key256"),
        ] {
            let key =
                Key::string_to_key(etype, r.bytes("password"), r.bytes("salt"), Some(&params))?;
            check(key.as_bytes() == r.bytes(field), "string-to-key")?;
        }
        n += 1;
    }
    check(n == 7, "7 records")
}

#[inline(never)]
fn rfc3962_cts() -> Outcome {
    let mut n = 0;
    for r in RFC3962_B.iter().filter(|r| r.is("cts")) {
        let input = r.bytes("input");
        let mut buf = [0u8; 64];
        let buf = buf
            .get_mut(..input.len())
            .ok_or(Failure::Mismatch("size"))?;
        buf.copy_from_slice(input);
        let next = cts::encrypt(r.bytes("key"), &[0; 16], buf)?;
        check(buf == r.bytes("output"), "CTS output")?;
        check(next[..] == *r.bytes("next_iv"), "CTS next IV")?;
        cts::decrypt(r.bytes("key"), &[0; 16], buf)?;
        check(buf == input, "CTS decrypt")?;
        n += 1;
    }
    check(n == 6, "6 records")
}

/// A record's encryption with its confounder, byte for byte; its
/// ciphertext decrypted back; one flipped bit refused.
#[inline(never)]
fn encryption(r: &Record) -> Outcome {
    let key = Key::from_bytes(etype(r)?, r.bytes("base_key"))?;
    let usage = r.num("usage").ok_or(Failure::Mismatch("usage"))?;
    let (plain, expected) = (r.bytes("plaintext"), r.bytes("ciphertext"));
    let header = key.etype().header_len();
    let mut buf = [0u8; BUF];
    let buf = buf
        .get_mut(..expected.len())
        .ok_or(Failure::Mismatch("size"))?;
    buf.get_mut(header..header + plain.len())
        .ok_or(Failure::Mismatch("size"))?
        .copy_from_slice(plain);
    let n = key.encrypt_with_confounder(usage, r.bytes("confounder"), buf, plain.len())?;
    check(n == expected.len() && buf == expected, "ciphertext")?;
    buf.copy_from_slice(expected);
    let range = key.derive(usage)?.decrypt(buf)?;
    check(buf.get(range) == Some(plain), "decrypted")?;
    buf.copy_from_slice(expected);
    if let Some(last) = buf.last_mut() {
        *last ^= 1;
    }
    refused(
        key.decrypt(usage, buf),
        Error::Integrity {
            what: authcore::what!("ciphertext checksum"),
        },
        "flipped bit",
    )
}

#[inline(never)]
fn checksum(r: &Record) -> Outcome {
    let key = Key::from_bytes(etype(r)?, r.bytes("base_key"))?;
    let usage = r.num("usage").ok_or(Failure::Mismatch("usage"))?;
    let mut out = [0u8; MAX_CHECKSUM_LEN];
    let n = key.checksum(usage, &[r.bytes("plaintext")], &mut out)?;
    check(out.get(..n) == Some(r.bytes("checksum")), "checksum")?;
    let data = r.bytes("plaintext");
    let (a, b) = data.split_at(data.len() / 2);
    Ok(key.verify_checksum(usage, &[a, b], r.bytes("checksum"))?)
}

#[inline(never)]
fn all_of(records: &[Record], kind: &str, f: fn(&Record) -> Outcome, expect: usize) -> Outcome {
    let mut n = 0;
    for r in records.iter().filter(|r| r.is(kind)) {
        f(r)?;
        n += 1;
    }
    check(n == expect, "record count")
}

#[inline(never)]
fn rfc8009_key_derivation() -> Outcome {
    let mut n = 0;
    for r in RFC8009_A.iter().filter(|r| r.is("key-derivation")) {
        let key = Key::from_bytes(etype(r)?, r.bytes("base_key"))?;
        let usage = r.num("usage").ok_or(Failure::Mismatch("usage"))?;
        for (which, field) in [
            (Subkey::Checksum, "kc"),
            (Subkey::Encryption, "ke"),
            (Subkey::Integrity, "ki"),
        ] {
            let mut out = [0u8; 32];
            let len = key.derive_subkey(usage, which, &mut out)?;
            check(out.get(..len) == Some(r.bytes(field)), "derived key")?;
        }
        n += 1;
    }
    check(n == 2, "2 records")
}

#[inline(never)]
fn string_to_key(r: &Record) -> Outcome {
    let params = r.num("iterations").map(u32::to_be_bytes);
    let key = Key::string_to_key(
        etype(r)?,
        r.bytes("password"),
        r.bytes("salt"),
        params.as_ref().map(|p| &p[..]),
    )?;
    check(key.as_bytes() == r.bytes("key"), "string-to-key")
}

#[inline(never)]
pub(crate) fn run(runner: &mut Runner<'_>) {
    runner.case("RFC 3961 A.1 n-fold (11 records)", nfold_all());
    runner.case(
        "RFC 3962 B string-to-key (7 records, aes128 and aes256)",
        rfc3962_string_to_key(),
    );
    runner.case("RFC 3962 B AES-CTS (6 records)", rfc3962_cts());
    runner.case(
        "RFC 8009 A string-to-key (2 records, 32768 iterations)",
        all_of(RFC8009_A, "string-to-key", string_to_key, 2),
    );
    runner.case(
        "RFC 8009 A key derivation (2 records)",
        rfc8009_key_derivation(),
    );
    runner.case(
        "RFC 8009 A encryption (8 records)",
        all_of(RFC8009_A, "encryption", encryption, 8),
    );
    runner.case(
        "RFC 8009 A checksum (2 records)",
        all_of(RFC8009_A, "checksum", checksum, 2),
    );
    runner.case(
        "MIT krb5 aes/rc4 encryption (3 records)",
        all_of(MIT_KRB5_INTEROP, "encryption", encryption, 3),
    );
    runner.case(
        "MIT krb5 aes/rc4 checksum (3 records)",
        all_of(MIT_KRB5_INTEROP, "checksum", checksum, 3),
    );
    runner.case(
        "MIT krb5 rc4-hmac string-to-key",
        all_of(MIT_KRB5_INTEROP, "string-to-key", string_to_key, 1),
    );
}
