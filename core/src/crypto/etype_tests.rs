//! Behaviour of the etype layer that published vectors do not pin: tampering,
//! impossible lengths, every error path, and garbage that must not panic.
//! (The vectors themselves live in the `authcore-tests` package.)

use core::convert::Infallible;

use rand_core::{TryCryptoRng, TryRng};

use super::etype::*;
use super::usage;
use crate::Error;

/// Deterministic test generator (xorshift64*): not for real use.
struct TestRng(u64);

impl TryRng for TestRng {
    type Error = Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        Ok(self.try_next_u64()? as u32)
    }
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        Ok(self.0.wrapping_mul(0x2545_F491_4F6C_DD1D))
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        for chunk in dst.chunks_mut(8) {
            let v = self.try_next_u64()?.to_le_bytes();
            chunk.copy_from_slice(&v[..chunk.len()]);
        }
        Ok(())
    }
}
impl TryCryptoRng for TestRng {}

fn all_etypes() -> &'static [Etype] {
    &[
        Etype::Aes128CtsHmacSha196,
        Etype::Aes256CtsHmacSha196,
        Etype::Aes128CtsHmacSha256128,
        Etype::Aes256CtsHmacSha384192,
        Etype::Rc4Hmac,
        #[cfg(feature = "legacy")]
        Etype::DesCbcMd5,
    ]
}

fn key(etype: Etype, rng: &mut TestRng) -> Key {
    Key::random(etype, rng).unwrap()
}

/// Encrypts `plain` with `keys` into a fresh buffer; returns buffer and length.
fn seal(keys: &UsageKeys, rng: &mut TestRng, plain: &[u8]) -> ([u8; 128], usize) {
    let etype = keys.etype();
    let mut buf = [0u8; 128];
    buf[etype.header_len()..etype.header_len() + plain.len()].copy_from_slice(plain);
    let len = keys.encrypt(rng, &mut buf, plain.len()).unwrap();
    assert_eq!(Some(len), etype.ciphertext_len(plain.len()));
    (buf, len)
}

#[test]
fn wire_numbers_round_trip() {
    for &etype in all_etypes() {
        assert_eq!(Etype::from_i32(etype.as_i32()), Ok(etype));
        let ck = etype.checksum_type();
        assert_eq!(ChecksumType::from_i32(ck.as_i32()), Ok(ck));
        assert!(ck.size() <= MAX_CHECKSUM_LEN);
        assert!(etype.key_len() <= MAX_KEY_LEN);
        assert!(etype.confounder_len() <= MAX_CONFOUNDER_LEN);
        assert!(etype.header_len() + etype.trailer_len() <= MAX_OVERHEAD);
        assert!(!etype.name().is_empty());
    }
    for bad in [0, 1, 16, 24, 26, -1, i32::MAX, i32::MIN] {
        assert_eq!(
            Etype::from_i32(bad),
            Err(Error::UnsupportedEtype { etype: bad })
        );
    }
    for bad in [0, 7, 12, 17, -137, i32::MIN] {
        assert_eq!(
            ChecksumType::from_i32(bad),
            Err(Error::UnsupportedChecksum { cksumtype: bad })
        );
    }
    #[cfg(not(feature = "legacy"))]
    {
        assert_eq!(
            Etype::from_i32(3),
            Err(Error::UnsupportedEtype { etype: 3 })
        );
        assert_eq!(
            ChecksumType::from_i32(8),
            Err(Error::UnsupportedChecksum { cksumtype: 8 })
        );
    }
    assert_eq!(Etype::Aes256CtsHmacSha196.ciphertext_len(usize::MAX), None);
}

#[test]
fn round_trip_every_etype_and_length() {
    let mut rng = TestRng(0x1234_5678_9abc_def0);
    let plain: [u8; 64] = core::array::from_fn(|i| (i * 7) as u8);
    for &etype in all_etypes() {
        let k = key(etype, &mut rng);
        let keys = k.derive(usage::AP_REQ_AUTHENTICATOR).unwrap();
        for len in 0..=plain.len() {
            let (mut buf, total) = seal(&keys, &mut rng, &plain[..len]);
            let range = keys.decrypt(&mut buf[..total]).unwrap();
            assert_eq!(range.start, etype.header_len());
            assert!(
                range.len() >= len && range.len() < len + 8,
                "{etype:?} {len}"
            );
            assert_eq!(
                &buf[range.start..range.start + len],
                &plain[..len],
                "{etype:?} {len}"
            );
            // The one-shot Key methods agree with the cached UsageKeys.
            let (mut again, total) = seal(&keys, &mut rng, &plain[..len]);
            assert_eq!(
                k.decrypt(usage::AP_REQ_AUTHENTICATOR, &mut again[..total])
                    .map(|r| r.start),
                Ok(etype.header_len())
            );
        }
    }
}

#[test]
fn every_flipped_bit_position_is_an_integrity_error() {
    let mut rng = TestRng(42);
    for &etype in all_etypes() {
        let keys = key(etype, &mut rng)
            .derive(usage::GSS_INITIATOR_SEAL)
            .unwrap();
        let (sealed, total) = seal(&keys, &mut rng, b"attack at dawn, bring snacks");
        for i in 0..total {
            for bit in [0x01u8, 0x80] {
                let mut buf = sealed;
                buf[i] ^= bit;
                assert_eq!(
                    keys.decrypt(&mut buf[..total]),
                    Err(Error::Integrity {
                        what: what!("ciphertext checksum")
                    }),
                    "{etype:?} byte {i}"
                );
            }
        }
    }
}

#[test]
fn failed_decrypt_releases_no_plaintext() {
    let mut rng = TestRng(7);
    let secret = b"the plaintext must not survive a bad MAC";
    for &etype in all_etypes() {
        let keys = key(etype, &mut rng)
            .derive(usage::KRB_PRIV_ENC_PART)
            .unwrap();
        let (mut buf, total) = seal(&keys, &mut rng, secret);
        // Break only the MAC (AES: trailer; RC4: checksum in front; DES: padding
        // is covered too, so break the last byte).
        let at = if etype == Etype::Rc4Hmac {
            0
        } else {
            total - 1
        };
        buf[at] ^= 1;
        assert!(keys.decrypt(&mut buf[..total]).is_err());
        assert!(
            !buf[..total]
                .windows(8)
                .any(|w| secret.windows(8).any(|s| s == w)),
            "{etype:?} left plaintext behind"
        );
    }
}

#[test]
fn wrong_key_or_usage_does_not_decrypt() {
    let mut rng = TestRng(99);
    for &etype in all_etypes() {
        let k = key(etype, &mut rng);
        let other = key(etype, &mut rng);
        let keys = k.derive(usage::AP_REP_ENC_PART).unwrap();
        let (sealed, total) = seal(&keys, &mut rng, b"hello");
        let mut buf = sealed;
        assert_eq!(
            other.decrypt(usage::AP_REP_ENC_PART, &mut buf[..total]),
            Err(Error::Integrity {
                what: what!("ciphertext checksum")
            })
        );
        let mut buf = sealed;
        let wrong_usage = k.decrypt(usage::AP_REQ_AUTHENTICATOR, &mut buf[..total]);
        // des-cbc-md5 has no key usage: it decrypts under any.
        #[cfg(feature = "legacy")]
        if etype == Etype::DesCbcMd5 {
            assert!(wrong_usage.is_ok());
            continue;
        }
        assert_eq!(
            wrong_usage,
            Err(Error::Integrity {
                what: what!("ciphertext checksum")
            })
        );
    }
}

#[test]
fn impossible_ciphertext_lengths() {
    let mut rng = TestRng(5);
    for &etype in all_etypes() {
        let keys = key(etype, &mut rng).derive(1).unwrap();
        let min = etype.ciphertext_len(0).unwrap();
        for len in 0..min {
            let mut buf = [0u8; 64];
            assert_eq!(
                keys.decrypt(&mut buf[..len]),
                Err(Error::BadCiphertextLength { len }),
                "{etype:?} {len}"
            );
        }
    }
    #[cfg(feature = "legacy")]
    {
        let keys = key(Etype::DesCbcMd5, &mut rng).derive(1).unwrap();
        let mut buf = [0u8; 33];
        assert_eq!(
            keys.decrypt(&mut buf),
            Err(Error::BadCiphertextLength { len: 33 })
        );
    }
}

#[test]
fn small_buffers_and_bad_confounders() {
    let mut rng = TestRng(11);
    for &etype in all_etypes() {
        let keys = key(etype, &mut rng).derive(1).unwrap();
        let needed = etype.ciphertext_len(10).unwrap();
        let mut buf = [0u8; 96];
        assert_eq!(
            keys.encrypt(&mut rng, &mut buf[..needed - 1], 10),
            Err(Error::BufferTooSmall { needed })
        );
        assert_eq!(
            keys.encrypt(&mut rng, &mut buf, usize::MAX),
            Err(Error::BufferTooSmall { needed: usize::MAX })
        );
        let short = [0u8; 3];
        assert_eq!(
            keys.encrypt_with_confounder(&short, &mut buf, 10),
            Err(Error::Malformed {
                what: what!("confounder length")
            })
        );
        let mut out = [0u8; MAX_CHECKSUM_LEN];
        let size = etype.checksum_type().size();
        #[cfg(feature = "legacy")]
        if etype == Etype::DesCbcMd5 {
            assert_eq!(
                keys.checksum(&[b"x"], &mut out),
                Err(Error::UnsupportedChecksum { cksumtype: 8 })
            );
            continue;
        }
        assert_eq!(
            keys.checksum(&[b"x"], &mut out[..size - 1]),
            Err(Error::BufferTooSmall { needed: size })
        );
    }
}

#[test]
fn checksums_verify_and_detect_tampering() {
    let mut rng = TestRng(13);
    for &etype in all_etypes() {
        #[cfg(feature = "legacy")]
        if etype == Etype::DesCbcMd5 {
            continue; // covered by des_checksum_round_trip
        }
        let k = key(etype, &mut rng);
        let mut out = [0u8; MAX_CHECKSUM_LEN];
        let n = k
            .checksum(
                usage::KRB_SAFE_CKSUM,
                &[b"split ", b"", b"message"],
                &mut out,
            )
            .unwrap();
        assert_eq!(n, etype.checksum_type().size());
        // Pieces are just a concatenation.
        k.verify_checksum(usage::KRB_SAFE_CKSUM, &[b"split message"], &out[..n])
            .unwrap();
        k.verify_checksum_of_type(
            etype.checksum_type(),
            usage::KRB_SAFE_CKSUM,
            &[b"split message"],
            &out[..n],
        )
        .unwrap();
        for i in 0..n {
            let mut bad = out;
            bad[i] ^= 0x10;
            assert_eq!(
                k.verify_checksum(usage::KRB_SAFE_CKSUM, &[b"split message"], &bad[..n]),
                Err(Error::Integrity {
                    what: what!("checksum")
                })
            );
        }
        assert_eq!(
            k.verify_checksum(usage::KRB_SAFE_CKSUM, &[b"split messagf"], &out[..n]),
            Err(Error::Integrity {
                what: what!("checksum")
            })
        );
        assert_eq!(
            k.verify_checksum(usage::AP_REQ_AUTH_CKSUM, &[b"split message"], &out[..n]),
            Err(Error::Integrity {
                what: what!("checksum")
            })
        );
        assert_eq!(
            k.verify_checksum(usage::KRB_SAFE_CKSUM, &[b"split message"], &out[..n - 1]),
            Err(Error::Malformed {
                what: what!("checksum length")
            })
        );
        let foreign = if etype == Etype::Rc4Hmac {
            ChecksumType::HmacSha196Aes128
        } else {
            ChecksumType::HmacMd5
        };
        assert_eq!(
            k.verify_checksum_of_type(
                foreign,
                usage::KRB_SAFE_CKSUM,
                &[b"split message"],
                &out[..n]
            ),
            Err(Error::UnsupportedChecksum {
                cksumtype: foreign.as_i32()
            })
        );
    }
}

#[test]
fn garbage_never_panics() {
    let mut rng = TestRng(0xdead_beef);
    for &etype in all_etypes() {
        let keys = key(etype, &mut rng).derive(3).unwrap();
        for len in 0..100 {
            for _ in 0..4 {
                let mut buf = [0u8; 100];
                rng.try_fill_bytes(&mut buf).unwrap();
                let r = keys.decrypt(&mut buf[..len]);
                assert!(matches!(
                    r,
                    Err(Error::BadCiphertextLength { .. }) | Err(Error::Integrity { .. })
                ));
                let mut cksum = [0u8; 100];
                rng.try_fill_bytes(&mut cksum).unwrap();
                assert!(keys
                    .verify_checksum(&[&buf[..len]], &cksum[..len.min(30)])
                    .is_err());
            }
        }
    }
}

#[test]
fn key_lengths_and_params() {
    assert_eq!(
        Key::from_bytes(Etype::Aes256CtsHmacSha196, &[0; 16]).unwrap_err(),
        Error::BadKeyLength { len: 16 }
    );
    assert_eq!(
        Key::from_bytes(Etype::Rc4Hmac, &[0; 33]).unwrap_err(),
        Error::BadKeyLength { len: 33 }
    );
    let k = Key::from_bytes(Etype::Aes128CtsHmacSha256128, &[9; 16]).unwrap();
    assert_eq!(k.as_bytes(), &[9; 16]);
    assert_eq!(k.etype(), Etype::Aes128CtsHmacSha256128);

    let s2k = |etype, params: Option<&[u8]>| {
        Key::string_to_key(etype, b"pw", b"salt", params).map(|_| ())
    };
    for etype in [Etype::Aes128CtsHmacSha196, Etype::Aes256CtsHmacSha384192] {
        assert_eq!(
            s2k(etype, Some(&[0, 0, 1])),
            Err(Error::Malformed {
                what: what!("s2kparams")
            })
        );
        assert_eq!(
            s2k(etype, Some(&[0, 0, 0, 0])),
            Err(Error::Policy {
                what: what!("string-to-key iteration count")
            })
        );
        assert_eq!(
            s2k(etype, Some(&[1, 0, 0, 1])),
            Err(Error::Policy {
                what: what!("string-to-key iteration count")
            })
        );
        assert_eq!(s2k(etype, Some(&[0, 0, 0, 1])), Ok(()));
    }
    assert_eq!(
        s2k(Etype::Rc4Hmac, Some(&[1])),
        Err(Error::Malformed {
            what: what!("s2kparams")
        })
    );
    assert_eq!(s2k(Etype::Rc4Hmac, Some(&[])), Ok(()));
    assert_eq!(
        Key::string_to_key(Etype::Rc4Hmac, &[0xff, 0xfe], b"", None).map(|_| ()),
        Err(Error::Malformed {
            what: what!("password (not UTF-8)")
        })
    );
    let long_salt = [b'a'; MAX_SALT_LEN + 1];
    assert_eq!(
        Key::string_to_key(
            Etype::Aes128CtsHmacSha256128,
            b"pw",
            &long_salt,
            Some(&[0, 0, 0, 1])
        )
        .map(|_| ()),
        Err(Error::CapacityExceeded {
            what: what!("string-to-key salt")
        })
    );
    assert!(Key::string_to_key(
        Etype::Aes128CtsHmacSha256128,
        b"pw",
        &long_salt[1..],
        Some(&[0, 0, 0, 1])
    )
    .is_ok());
    #[cfg(feature = "legacy")]
    {
        assert_eq!(
            s2k(Etype::DesCbcMd5, Some(&[1])),
            Err(Error::Malformed {
                what: what!("s2kparams")
            })
        );
        assert_eq!(s2k(Etype::DesCbcMd5, Some(&[0])), Ok(()));
        assert_eq!(
            Key::string_to_key(Etype::DesCbcMd5, b"", b"", None).map(|_| ()),
            Err(Error::Malformed {
                what: what!("password and salt (empty)")
            })
        );
    }
}

#[test]
fn subkeys_only_for_aes() {
    let mut out = [0u8; 32];
    let rc4 = Key::from_bytes(Etype::Rc4Hmac, &[1; 16]).unwrap();
    assert_eq!(
        rc4.derive_subkey(2, Subkey::Checksum, &mut out),
        Err(Error::UnsupportedEtype { etype: 23 })
    );
    let aes = Key::from_bytes(Etype::Aes256CtsHmacSha384192, &[1; 32]).unwrap();
    assert_eq!(aes.derive_subkey(2, Subkey::Encryption, &mut out), Ok(32));
    assert_eq!(aes.derive_subkey(2, Subkey::Integrity, &mut out), Ok(24));
    assert_eq!(
        aes.derive_subkey(2, Subkey::Encryption, &mut out[..31]),
        Err(Error::BufferTooSmall { needed: 32 })
    );
}

#[test]
fn rc4_usage_translation_and_erratum() {
    use super::rc4_hmac::translate_usage;
    assert_eq!(translate_usage(3), 8);
    assert_eq!(translate_usage(9), 8);
    assert_eq!(translate_usage(23), 13);
    for u in [1, 2, 4, 7, 8, 10, 11, 12, 13, 22, 24, 1024] {
        assert_eq!(translate_usage(u), u);
    }
    let mut rng = TestRng(3);
    let k = key(Etype::Rc4Hmac, &mut rng);
    // AS-REP (3) and TGS-REP session part (8) share message type 8.
    let (mut buf, total) = seal(&k.derive(3).unwrap(), &mut rng, b"enc-part");
    assert!(k.decrypt(8, &mut buf[..total]).is_ok());
    // A peer that keeps usage 9 untranslated (MIT) is still understood...
    let mut buf = [0u8; 64];
    buf[24..29].copy_from_slice(b"hello");
    let k1_9 = {
        let mut k1 = [0u8; 16];
        super::rc4_hmac::usage_key(k.as_bytes(), 9, &mut k1).unwrap();
        k1
    };
    let total = super::rc4_hmac::encrypt(&k1_9, &[7; 8], &mut buf, 5).unwrap();
    let range = k
        .decrypt(usage::TGS_REP_ENC_PART_SUBKEY, &mut buf[..total])
        .unwrap();
    assert_eq!(&buf[range], b"hello");
    // ...but not under another usage.
    let total = super::rc4_hmac::encrypt(&k1_9, &[7; 8], &mut buf, 5).unwrap();
    assert!(k
        .decrypt(usage::TGS_REQ_AUTHENTICATOR, &mut buf[..total])
        .is_err());
}

#[cfg(feature = "legacy")]
#[test]
fn des_checksum_round_trip_and_weak_key_correction() {
    let k = Key::from_bytes(
        Etype::DesCbcMd5,
        &[0x13, 0x34, 0x57, 0x79, 0x9b, 0xbc, 0xdf, 0xf1],
    )
    .unwrap();
    let keys = k.derive(usage::KRB_SAFE_CKSUM).unwrap();
    let cksum = super::des::checksum_with_confounder(
        k.as_bytes(),
        &[1, 2, 3, 4, 5, 6, 7, 8],
        &[b"some ", b"data"],
    );
    keys.verify_checksum(&[b"some data"], &cksum).unwrap();
    let mut bad = cksum;
    bad[20] ^= 1;
    assert_eq!(
        keys.verify_checksum(&[b"some data"], &bad),
        Err(Error::Integrity {
            what: what!("checksum")
        })
    );
    assert_eq!(
        keys.verify_checksum(&[b"some data"], &cksum[..16]),
        Err(Error::Malformed {
            what: what!("checksum length")
        })
    );

    let mut weak = [0x01u8; 8];
    super::des::key_correction(&mut weak);
    assert_eq!(weak, [0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0xF1]);
    let mut parity = [0x00u8, 0x02, 0x03, 0xFE, 0xFF, 0x10, 0x20, 0x30];
    super::des::key_correction(&mut parity);
    assert!(parity.iter().all(|b| b.count_ones() % 2 == 1));
}

#[test]
fn sizes_fit_the_context_budget() {
    let usage_keys = core::mem::size_of::<UsageKeys>();
    let key = core::mem::size_of::<Key>();
    // Asserted against the budget of a Kerberos context (512 B) that holds a
    // key and two usages; the numbers are printed by tests/tests/kerberos_ap.rs
    // (core's tests use no heap). Prepared states would not fit: on x86-64
    // an Aes256 key schedule is 480 B and an Hmac<Sha384> 288 B.
    assert!(usage_keys <= 104, "UsageKeys grew to {usage_keys}");
    assert!(key <= 33, "Key grew to {key}");
    assert!(key + 2 * usage_keys <= 512);
}
