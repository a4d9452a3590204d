//! Kerberos encryption types, keys and their checksums (RFC 3961 framework).
//!
//! [`Key`] is a base key of one [`Etype`]; [`Key::derive`] turns it into the
//! [`UsageKeys`] of one key usage (Ke/Ki/Kc, or RC4-HMAC's K1 and Ksign), which
//! a security context keeps so it derives once and protects many messages.
//! Every operation dispatches on the etype to the module holding its profile:
//! [`super::aes_sha1`] (RFC 3962), [`super::aes_sha2`] (RFC 8009),
//! [`super::rc4_hmac`] (RFC 4757) and, with `legacy`, [`super::des`] (RFC 3961 6.2).

use core::ops::Range;

use rand_core::CryptoRng;
use zeroize::Zeroizing;

use super::aes_sha2::Variant;
use super::cts::{AesEnc, BLOCK_LEN};
use super::iov::Segments;
use super::mac::ct_eq;
use super::rfc3961::{layout, DkJob};
use super::{aes_sha1, aes_sha2, rc4_hmac, rfc3961};
use crate::{Error, Result};

/// Longest key of any supported etype (AES-256).
pub const MAX_KEY_LEN: usize = 32;
/// Longest checksum of any supported checksum type (hmac-sha384-192).
pub const MAX_CHECKSUM_LEN: usize = 24;
/// Largest `header_len + trailer_len` of any supported etype.
pub const MAX_OVERHEAD: usize = 40;
/// Longest confounder of any supported etype (one AES block).
pub const MAX_CONFOUNDER_LEN: usize = 16;
/// Largest PBKDF2 iteration count string-to-key accepts from s2kparams: the
/// parameters come from the KDC (ETYPE-INFO2), and a huge count would pin a
/// small CPU for hours.
pub const MAX_S2K_ITERATIONS: u32 = 0x0100_0000;
pub use super::aes_sha2::MAX_SALT_LEN;

/// A Kerberos encryption type (RFC 3961 section 8 numbers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Etype {
    /// des-cbc-md5 (3), `legacy` only.
    #[cfg(feature = "legacy")]
    DesCbcMd5,
    /// aes128-cts-hmac-sha1-96 (17), RFC 3962.
    Aes128CtsHmacSha196,
    /// aes256-cts-hmac-sha1-96 (18), RFC 3962.
    Aes256CtsHmacSha196,
    /// aes128-cts-hmac-sha256-128 (19), RFC 8009.
    Aes128CtsHmacSha256128,
    /// aes256-cts-hmac-sha384-192 (20), RFC 8009.
    Aes256CtsHmacSha384192,
    /// rc4-hmac (23), RFC 4757.
    Rc4Hmac,
}

impl Etype {
    /// The five modern etypes, strongest first (the order a client proposes them).
    pub const MODERN: [Etype; 5] = [
        Etype::Aes256CtsHmacSha384192,
        Etype::Aes128CtsHmacSha256128,
        Etype::Aes256CtsHmacSha196,
        Etype::Aes128CtsHmacSha196,
        Etype::Rc4Hmac,
    ];

    /// Parses the wire number; unknown or compiled-out etypes are an error.
    pub fn from_i32(value: i32) -> Result<Etype> {
        match value {
            #[cfg(feature = "legacy")]
            3 => Ok(Etype::DesCbcMd5),
            17 => Ok(Etype::Aes128CtsHmacSha196),
            18 => Ok(Etype::Aes256CtsHmacSha196),
            19 => Ok(Etype::Aes128CtsHmacSha256128),
            20 => Ok(Etype::Aes256CtsHmacSha384192),
            23 => Ok(Etype::Rc4Hmac),
            _ => Err(Error::UnsupportedEtype { etype: value }),
        }
    }

    /// The wire number.
    pub const fn as_i32(self) -> i32 {
        match self {
            #[cfg(feature = "legacy")]
            Etype::DesCbcMd5 => 3,
            Etype::Aes128CtsHmacSha196 => 17,
            Etype::Aes256CtsHmacSha196 => 18,
            Etype::Aes128CtsHmacSha256128 => 19,
            Etype::Aes256CtsHmacSha384192 => 20,
            Etype::Rc4Hmac => 23,
        }
    }

    /// The RFC name (`aes256-cts-hmac-sha1-96`, ...).
    pub const fn name(self) -> &'static str {
        match self {
            #[cfg(feature = "legacy")]
            Etype::DesCbcMd5 => "des-cbc-md5",
            Etype::Aes128CtsHmacSha196 => "aes128-cts-hmac-sha1-96",
            Etype::Aes256CtsHmacSha196 => "aes256-cts-hmac-sha1-96",
            Etype::Aes128CtsHmacSha256128 => "aes128-cts-hmac-sha256-128",
            Etype::Aes256CtsHmacSha384192 => "aes256-cts-hmac-sha384-192",
            Etype::Rc4Hmac => "rc4-hmac",
        }
    }

    /// Key length in bytes.
    pub const fn key_len(self) -> usize {
        match self {
            #[cfg(feature = "legacy")]
            Etype::DesCbcMd5 => 8,
            Etype::Aes128CtsHmacSha196 | Etype::Aes128CtsHmacSha256128 | Etype::Rc4Hmac => 16,
            Etype::Aes256CtsHmacSha196 | Etype::Aes256CtsHmacSha384192 => 32,
        }
    }

    /// Bytes of ciphertext before the plaintext.
    pub const fn header_len(self) -> usize {
        match self {
            #[cfg(feature = "legacy")]
            Etype::DesCbcMd5 => 24,
            Etype::Aes128CtsHmacSha196
            | Etype::Aes256CtsHmacSha196
            | Etype::Aes128CtsHmacSha256128
            | Etype::Aes256CtsHmacSha384192 => 16,
            Etype::Rc4Hmac => 24,
        }
    }

    /// Bytes of ciphertext after the plaintext (for des-cbc-md5 the most
    /// padding there can be; see [`Etype::ciphertext_len`] for the exact size).
    pub const fn trailer_len(self) -> usize {
        match self {
            #[cfg(feature = "legacy")]
            Etype::DesCbcMd5 => 7,
            Etype::Aes128CtsHmacSha196 | Etype::Aes256CtsHmacSha196 => 12,
            Etype::Aes128CtsHmacSha256128 => 16,
            Etype::Aes256CtsHmacSha384192 => 24,
            Etype::Rc4Hmac => 0,
        }
    }

    /// Length of the random confounder inside the header.
    pub const fn confounder_len(self) -> usize {
        match self {
            #[cfg(feature = "legacy")]
            Etype::DesCbcMd5 => 8,
            Etype::Rc4Hmac => 8,
            Etype::Aes128CtsHmacSha196
            | Etype::Aes256CtsHmacSha196
            | Etype::Aes128CtsHmacSha256128
            | Etype::Aes256CtsHmacSha384192 => 16,
        }
    }

    /// Exact ciphertext length for `plaintext_len` bytes of plaintext (None on overflow).
    pub const fn ciphertext_len(self, plaintext_len: usize) -> Option<usize> {
        match self {
            #[cfg(feature = "legacy")]
            Etype::DesCbcMd5 => super::des::ciphertext_len(plaintext_len),
            _ => match self.header_len().checked_add(plaintext_len) {
                Some(n) => n.checked_add(self.trailer_len()),
                None => None,
            },
        }
    }

    /// The checksum type keyed with this etype (RFC 3961 "required checksum mechanism").
    pub const fn checksum_type(self) -> ChecksumType {
        match self {
            #[cfg(feature = "legacy")]
            Etype::DesCbcMd5 => ChecksumType::RsaMd5Des,
            Etype::Aes128CtsHmacSha196 => ChecksumType::HmacSha196Aes128,
            Etype::Aes256CtsHmacSha196 => ChecksumType::HmacSha196Aes256,
            Etype::Aes128CtsHmacSha256128 => ChecksumType::HmacSha256128Aes128,
            Etype::Aes256CtsHmacSha384192 => ChecksumType::HmacSha384192Aes256,
            Etype::Rc4Hmac => ChecksumType::HmacMd5,
        }
    }

    fn sha2(self) -> Option<Variant> {
        match self {
            Etype::Aes128CtsHmacSha256128 => Some(Variant::Aes128Sha256),
            Etype::Aes256CtsHmacSha384192 => Some(Variant::Aes256Sha384),
            _ => None,
        }
    }

    const fn unsupported(self) -> Error {
        Error::UnsupportedEtype {
            etype: self.as_i32(),
        }
    }
}

/// A keyed checksum type (RFC 3961 section 8 numbers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum ChecksumType {
    /// rsa-md5-des (8), `legacy` only; verification only (see [`UsageKeys::checksum`]).
    #[cfg(feature = "legacy")]
    RsaMd5Des,
    /// hmac-sha1-96-aes128 (15).
    HmacSha196Aes128,
    /// hmac-sha1-96-aes256 (16).
    HmacSha196Aes256,
    /// hmac-sha256-128-aes128 (19).
    HmacSha256128Aes128,
    /// hmac-sha384-192-aes256 (20).
    HmacSha384192Aes256,
    /// hmac-md5 (-138), RFC 4757.
    HmacMd5,
}

impl ChecksumType {
    /// Parses the wire number.
    pub fn from_i32(value: i32) -> Result<ChecksumType> {
        match value {
            #[cfg(feature = "legacy")]
            8 => Ok(ChecksumType::RsaMd5Des),
            15 => Ok(ChecksumType::HmacSha196Aes128),
            16 => Ok(ChecksumType::HmacSha196Aes256),
            19 => Ok(ChecksumType::HmacSha256128Aes128),
            20 => Ok(ChecksumType::HmacSha384192Aes256),
            -138 => Ok(ChecksumType::HmacMd5),
            _ => Err(Error::UnsupportedChecksum { cksumtype: value }),
        }
    }
    /// The wire number.
    pub const fn as_i32(self) -> i32 {
        match self {
            #[cfg(feature = "legacy")]
            ChecksumType::RsaMd5Des => 8,
            ChecksumType::HmacSha196Aes128 => 15,
            ChecksumType::HmacSha196Aes256 => 16,
            ChecksumType::HmacSha256128Aes128 => 19,
            ChecksumType::HmacSha384192Aes256 => 20,
            ChecksumType::HmacMd5 => -138,
        }
    }
    /// Checksum length in bytes.
    pub const fn size(self) -> usize {
        match self {
            #[cfg(feature = "legacy")]
            ChecksumType::RsaMd5Des => 24,
            ChecksumType::HmacSha196Aes128 | ChecksumType::HmacSha196Aes256 => 12,
            ChecksumType::HmacSha256128Aes128 | ChecksumType::HmacMd5 => 16,
            ChecksumType::HmacSha384192Aes256 => 24,
        }
    }
}

/// Which key of a usage [`Key::derive_subkey`] computes (RFC 3961 section 5.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subkey {
    /// Ke, constant `usage | 0xAA`.
    Encryption,
    /// Ki, constant `usage | 0x55`.
    Integrity,
    /// Kc, constant `usage | 0x99`.
    Checksum,
}

impl Subkey {
    const fn constant(self) -> u8 {
        match self {
            Subkey::Encryption => rfc3961::KE,
            Subkey::Integrity => rfc3961::KI,
            Subkey::Checksum => rfc3961::KC,
        }
    }
}

/// The PBKDF2 iteration count from AES s2kparams: four bytes, big-endian.
fn iterations(params: Option<&[u8]>, default: u32) -> Result<u32> {
    let count = match params {
        None => return Ok(default),
        Some(p) => <[u8; 4]>::try_from(p)
            .map(u32::from_be_bytes)
            .map_err(|_| Error::Malformed {
                what: what!("s2kparams"),
            })?,
    };
    if count == 0 || count > MAX_S2K_ITERATIONS {
        return Err(Error::Policy {
            what: what!("string-to-key iteration count"),
        });
    }
    Ok(count)
}

/// A Kerberos key: a base key of an etype. Zeroized on drop.
#[derive(Clone)]
pub struct Key {
    etype: Etype,
    bytes: [u8; MAX_KEY_LEN],
}
super::wipe_fields!(Key { bytes }, drop);

impl core::fmt::Debug for Key {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Key")
            .field("etype", &self.etype)
            .finish_non_exhaustive()
    }
}

impl Key {
    /// A key from raw bytes (keytab, ccache, EncryptionKey); the length must match.
    pub fn from_bytes(etype: Etype, bytes: &[u8]) -> Result<Key> {
        let mut key = Key {
            etype,
            bytes: [0; MAX_KEY_LEN],
        };
        let dst = key
            .bytes
            .get_mut(..etype.key_len())
            .filter(|dst| dst.len() == bytes.len())
            .ok_or(Error::BadKeyLength { len: bytes.len() })?;
        crate::bytes::copy(dst, bytes);
        Ok(key)
    }

    /// A key as the wire carries it (an `EncryptionKey`'s keytype and
    /// keyvalue): [`Etype::from_i32`] then [`Key::from_bytes`], out of line
    /// for the tickets, authenticators and AP-REPs that all carry one.
    #[cfg(feature = "kerberos")]
    #[cfg_attr(not(authcore_host), inline(never))]
    pub(crate) fn from_wire(keytype: i32, keyvalue: &[u8]) -> Result<Key> {
        Key::from_bytes(Etype::from_i32(keytype)?, keyvalue)
    }

    fn key_mut(&mut self) -> &mut [u8] {
        let len = self.etype.key_len();
        self.bytes.get_mut(..len).unwrap_or(&mut [])
    }

    /// RFC 3961 string-to-key. `params` is the etype's s2kparams (None = default).
    ///
    /// AES etypes take a 4-byte big-endian iteration count (default 4096 for
    /// RFC 3962, 32768 for RFC 8009; 0 and counts above [`MAX_S2K_ITERATIONS`]
    /// are refused). rc4-hmac ignores the salt and takes no parameters; its
    /// password must be UTF-8 (it is hashed as UTF-16LE). des-cbc-md5 accepts
    /// no parameters or the single byte 0.
    pub fn string_to_key(
        etype: Etype,
        password: &[u8],
        salt: &[u8],
        params: Option<&[u8]>,
    ) -> Result<Key> {
        let mut key = Key {
            etype,
            bytes: [0; MAX_KEY_LEN],
        };
        match etype {
            Etype::Aes128CtsHmacSha196 | Etype::Aes256CtsHmacSha196 => {
                let count = iterations(params, aes_sha1::DEFAULT_ITERATIONS)?;
                aes_sha1::string_to_key(password, salt, count, key.key_mut())?;
            }
            Etype::Aes128CtsHmacSha256128 | Etype::Aes256CtsHmacSha384192 => {
                let variant = etype.sha2().ok_or(etype.unsupported())?;
                let count = iterations(params, aes_sha2::DEFAULT_ITERATIONS)?;
                aes_sha2::string_to_key(variant, password, salt, count, key.key_mut())?;
            }
            Etype::Rc4Hmac => {
                if params.is_some_and(|p| !p.is_empty()) {
                    return Err(Error::Malformed {
                        what: what!("s2kparams"),
                    });
                }
                rc4_hmac::string_to_key(password, key.key_mut())?;
            }
            #[cfg(feature = "legacy")]
            Etype::DesCbcMd5 => {
                if !matches!(params, None | Some([]) | Some([0])) {
                    return Err(Error::Malformed {
                        what: what!("s2kparams"),
                    });
                }
                let mut des_key = Zeroizing::new([0u8; super::des::KEY_LEN]);
                super::des::string_to_key(password, salt, &mut des_key)?;
                key.key_mut().copy_from_slice(des_key.as_slice());
            }
        }
        Ok(key)
    }

    /// RFC 3961 random-to-key from the caller's RNG (session keys, subkeys).
    pub fn random<R: CryptoRng + ?Sized>(etype: Etype, rng: &mut R) -> Result<Key> {
        let mut key = Key {
            etype,
            bytes: [0; MAX_KEY_LEN],
        };
        rng.fill_bytes(key.key_mut());
        #[cfg(feature = "legacy")]
        if etype == Etype::DesCbcMd5 {
            let mut des_key = Zeroizing::new([0u8; super::des::KEY_LEN]);
            des_key.copy_from_slice(key.key_mut());
            super::des::key_correction(&mut des_key);
            key.key_mut().copy_from_slice(des_key.as_slice());
        }
        Ok(key)
    }

    /// The key's etype.
    pub fn etype(&self) -> Etype {
        self.etype
    }

    /// The key bytes (`key_len` of them).
    pub fn as_bytes(&self) -> &[u8] {
        self.bytes.get(..self.etype.key_len()).unwrap_or(&[])
    }

    /// One derived key of a usage, written to `out` (Ke: key length; Ki and Kc:
    /// 16/32 bytes for RFC 3962, 16/24 for RFC 8009); returns its length. Only
    /// for the AES etypes, which derive keys; meant for published test vectors
    /// and interop debugging: protection goes through [`Key::derive`].
    pub fn derive_subkey(&self, usage: u32, which: Subkey, out: &mut [u8]) -> Result<usize> {
        let len = match (self.etype, which) {
            (Etype::Aes128CtsHmacSha196 | Etype::Aes256CtsHmacSha196, _) => self.etype.key_len(),
            (Etype::Aes128CtsHmacSha256128 | Etype::Aes256CtsHmacSha384192, Subkey::Encryption) => {
                self.etype.key_len()
            }
            (Etype::Aes128CtsHmacSha256128 | Etype::Aes256CtsHmacSha384192, _) => {
                self.etype.trailer_len()
            }
            _ => return Err(self.etype.unsupported()),
        };
        let out = out
            .get_mut(..len)
            .ok_or(Error::BufferTooSmall { needed: len })?;
        match self.etype.sha2() {
            Some(variant) => {
                aes_sha2::derive(variant, self.as_bytes(), usage, which.constant(), out)?
            }
            None => aes_sha1::derive(self.as_bytes(), usage, which.constant(), out)?,
        }
        Ok(len)
    }

    /// Derives (and returns ready to use) the keys of one key usage, so a context
    /// that protects many messages derives them once.
    ///
    /// AES etypes derive Ke, Ki and Kc; rc4-hmac derives K1 for the RFC 4757
    /// message type of `usage` (3 and 9 become 8, 23 becomes 13) and Ksign, and
    /// for usage 9 also accepts ciphertext made under the untranslated 9, as MIT
    /// sends it; des-cbc-md5 has no key usages and keeps the key as is.
    pub fn derive(&self, usage: u32) -> Result<UsageKeys> {
        self.parts(usage, Parts::ALL)
    }

    /// The keys `parts` of `usage`: the one expansion every one-shot method
    /// below goes through.
    // Kept out of line: inlined, each caller carried its own copy of the
    // expansion and of moving the Deriver and the keys through `?`.
    #[inline(never)]
    fn parts(&self, usage: u32, parts: Parts) -> Result<UsageKeys> {
        Deriver::new(self)?.usage_keys(usage, parts)
    }

    /// The encryption keys of `usage` alone (what [`Key::encrypt`] and
    /// [`Key::decrypt`] derive per call), for a caller that uses them twice
    /// or hands them on.
    #[cfg(feature = "kerberos")]
    pub(crate) fn cipher_keys(&self, usage: u32) -> Result<UsageKeys> {
        self.parts(usage, Parts::CIPHER)
    }

    /// [`Key::decrypt`] under `usage`, also returning the encryption keys of
    /// `next` (the usage of the answer about to be encrypted under this key):
    /// both from one expansion of this key, and for RFC 3962 all four derived
    /// keys in one cipher pass.
    #[cfg(feature = "kerberos")]
    pub(crate) fn decrypt_keeping(
        &self,
        usage: u32,
        buf: &mut [u8],
        next: u32,
    ) -> Result<(Range<usize>, UsageKeys)> {
        let d = Deriver::new(self)?;
        let (keys, next_keys) = if d.aes.is_some() {
            let mut keys = UsageKeys::empty(self.etype, usage);
            let mut next_keys = UsageKeys::empty(self.etype, next);
            d.derive(&mut [
                d.job(usage, Subkey::Encryption, &mut keys.ke)?,
                d.job(usage, Subkey::Integrity, &mut keys.ki)?,
                d.job(next, Subkey::Encryption, &mut next_keys.ke)?,
                d.job(next, Subkey::Integrity, &mut next_keys.ki)?,
            ])?;
            (keys, next_keys)
        } else {
            (
                d.usage_keys(usage, Parts::CIPHER)?,
                d.usage_keys(next, Parts::CIPHER)?,
            )
        };
        Ok((keys.decrypt(buf)?, next_keys))
    }

    /// Encrypts in place: plaintext at `buf[header_len..header_len + plaintext_len]`;
    /// returns the ciphertext length `header_len + plaintext_len + trailer_len`.
    pub fn encrypt<R: CryptoRng + ?Sized>(
        &self,
        usage: u32,
        rng: &mut R,
        buf: &mut [u8],
        plaintext_len: usize,
    ) -> Result<usize> {
        self.parts(usage, Parts::CIPHER)?
            .encrypt(rng, buf, plaintext_len)
    }

    /// [`Key::encrypt`] with a caller-chosen confounder, for reproducing
    /// published test vectors byte for byte. Real traffic must use a random
    /// confounder: call [`Key::encrypt`].
    pub fn encrypt_with_confounder(
        &self,
        usage: u32,
        confounder: &[u8],
        buf: &mut [u8],
        plaintext_len: usize,
    ) -> Result<usize> {
        self.parts(usage, Parts::CIPHER)?
            .encrypt_with_confounder(confounder, buf, plaintext_len)
    }

    /// Decrypts `buf` (the whole ciphertext) in place, verifies its checksum in
    /// constant time, and returns where the plaintext now lies in `buf`.
    pub fn decrypt(&self, usage: u32, buf: &mut [u8]) -> Result<Range<usize>> {
        self.parts(usage, Parts::CIPHER)?.decrypt(buf)
    }

    /// Keyed checksum over the concatenation of `data`; writes it to `out`, returns its length.
    pub fn checksum(&self, usage: u32, data: &[&[u8]], out: &mut [u8]) -> Result<usize> {
        self.parts(usage, Parts::CHECKSUM)?.checksum(data, out)
    }

    /// Verifies a keyed checksum in constant time.
    pub fn verify_checksum(&self, usage: u32, data: &[&[u8]], checksum: &[u8]) -> Result<()> {
        self.parts(usage, Parts::CHECKSUM)?
            .verify_checksum(data, checksum)
    }

    /// Verifies a checksum that names its type (a `Checksum` on the wire): the
    /// type must be the one keyed with this key's etype.
    pub fn verify_checksum_of_type(
        &self,
        cksumtype: ChecksumType,
        usage: u32,
        data: &[&[u8]],
        checksum: &[u8],
    ) -> Result<()> {
        if cksumtype != self.etype.checksum_type() {
            return Err(Error::UnsupportedChecksum {
                cksumtype: cksumtype.as_i32(),
            });
        }
        self.verify_checksum(usage, data, checksum)
    }
}

fn prefix(buf: &mut [u8; MAX_KEY_LEN], len: usize) -> Result<&mut [u8]> {
    buf.get_mut(..len)
        .ok_or(Error::BufferTooSmall { needed: len })
}

/// Which keys of a usage to derive: one-shot operations need only the
/// encryption keys or only the checksum key.
#[derive(Clone, Copy)]
pub(crate) struct Parts {
    /// AES: Ke and Ki. RC4: K1 (and the alternate K1). DES: the key.
    pub(crate) cipher: bool,
    /// AES: Kc. RC4: Ksign.
    pub(crate) checksum: bool,
}

impl Parts {
    pub(crate) const ALL: Parts = Parts {
        cipher: true,
        checksum: true,
    };
    pub(crate) const CIPHER: Parts = Parts {
        cipher: true,
        checksum: false,
    };
    pub(crate) const CHECKSUM: Parts = Parts {
        cipher: false,
        checksum: true,
    };
}

/// A base key prepared for deriving the keys of several usages: RFC 3962
/// derivation runs AES under the base key, so its schedule is expanded once
/// here rather than once per derived key.
pub(crate) struct Deriver<'a> {
    key: &'a Key,
    aes: Option<AesEnc>,
}

impl<'a> Deriver<'a> {
    pub(crate) fn new(key: &'a Key) -> Result<Deriver<'a>> {
        let aes = match key.etype {
            Etype::Aes128CtsHmacSha196 | Etype::Aes256CtsHmacSha196 => {
                Some(AesEnc::new(key.as_bytes())?)
            }
            _ => None,
        };
        Ok(Deriver { key, aes })
    }

    /// A job for one derived key of an AES etype, written to the front of
    /// `out` (Ke: key length; Ki and Kc: key length for RFC 3962, MAC length
    /// for RFC 8009).
    pub(crate) fn job<'o>(
        &self,
        usage: u32,
        which: Subkey,
        out: &'o mut [u8; MAX_KEY_LEN],
    ) -> Result<DkJob<'o>> {
        let etype = self.key.etype;
        let len = match (etype.sha2(), which) {
            (Some(variant), Subkey::Encryption) => variant.key_len(),
            (Some(variant), Subkey::Integrity | Subkey::Checksum) => variant.mac_len(),
            (None, _) => etype.key_len(),
        };
        Ok(DkJob {
            usage,
            kind: which.constant(),
            out: prefix(out, len)?,
        })
    }

    /// Runs the jobs: for RFC 3962 all in one pass of the cipher over the
    /// expanded base key.
    pub(crate) fn derive(&self, jobs: &mut [DkJob<'_>]) -> Result<()> {
        let etype = self.key.etype;
        match (&self.aes, etype.sha2()) {
            (Some(aes), _) => rfc3961::dk_aes_many(aes, jobs),
            (None, Some(variant)) => jobs.iter_mut().try_for_each(|job| {
                aes_sha2::derive(
                    variant,
                    self.key.as_bytes(),
                    job.usage,
                    job.kind,
                    &mut *job.out,
                )
            }),
            (None, None) => Err(etype.unsupported()),
        }
    }

    /// The keys of `usage` that `parts` names (see [`Key::derive`]); the others
    /// stay zero and must not be used.
    pub(crate) fn usage_keys(&self, usage: u32, parts: Parts) -> Result<UsageKeys> {
        let mut keys = UsageKeys::empty(self.key.etype, usage);
        let base = self.key.as_bytes();
        match self.key.etype {
            Etype::Aes128CtsHmacSha196
            | Etype::Aes256CtsHmacSha196
            | Etype::Aes128CtsHmacSha256128
            | Etype::Aes256CtsHmacSha384192 => {
                let (ke, ki, kc) = (&mut keys.ke, &mut keys.ki, &mut keys.kc);
                match (parts.cipher, parts.checksum) {
                    (true, true) => self.derive(&mut [
                        self.job(usage, Subkey::Encryption, ke)?,
                        self.job(usage, Subkey::Integrity, ki)?,
                        self.job(usage, Subkey::Checksum, kc)?,
                    ])?,
                    (true, false) => self.derive(&mut [
                        self.job(usage, Subkey::Encryption, ke)?,
                        self.job(usage, Subkey::Integrity, ki)?,
                    ])?,
                    (false, true) => {
                        self.derive(&mut [self.job(usage, Subkey::Checksum, kc)?])?
                    }
                    (false, false) => {}
                }
            }
            Etype::Rc4Hmac => {
                if parts.cipher {
                    let message_type = rc4_hmac::translate_usage(usage);
                    rc4_hmac::usage_key(
                        base,
                        message_type,
                        prefix(&mut keys.ki, rc4_hmac::KEY_LEN)?,
                    )?;
                    // RFC 4757 maps usage 9 to 8, but MIT and its errata keep 9:
                    // accept either on receipt (we send 8, as the RFC says).
                    if usage == 9 {
                        rc4_hmac::usage_key(base, usage, prefix(&mut keys.ke, rc4_hmac::KEY_LEN)?)?;
                        keys.rc4_alternate = true;
                    }
                }
                if parts.checksum {
                    rc4_hmac::signing_key(base, prefix(&mut keys.kc, rc4_hmac::KEY_LEN)?)?;
                }
            }
            #[cfg(feature = "legacy")]
            Etype::DesCbcMd5 => {
                prefix(&mut keys.ke, self.key.etype.key_len())?.copy_from_slice(base);
            }
        }
        Ok(keys)
    }
}

/// The keys of one (base key, usage) pair, derived once. Zeroized on drop.
///
/// Holds raw derived key bytes (104 bytes in all), not prepared cipher or HMAC
/// states: measured on x86-64, an `Aes256` key schedule is 480 bytes and an
/// `Hmac<Sha384>` 288, so prepared Ke + Ki + Kc would not fit a Kerberos
/// context's 512-byte budget. Re-keying per message costs one AES key expansion
/// and two hash compressions per HMAC key. (`sizes_fit_the_context_budget`
/// prints the numbers.)
#[derive(Clone)]
pub struct UsageKeys {
    etype: Etype,
    usage: u32,
    /// RC4-HMAC: `ke` holds K1 of the untranslated usage 9 (see `Key::derive`).
    rc4_alternate: bool,
    /// AES: Ke. RC4: the alternate K1. DES: the key.
    ke: [u8; MAX_KEY_LEN],
    /// AES: Ki. RC4: K1 (= K2).
    ki: [u8; MAX_KEY_LEN],
    /// AES: Kc. RC4: Ksign.
    kc: [u8; MAX_KEY_LEN],
}
super::wipe_fields!(UsageKeys { ke, ki, kc }, drop);

impl core::fmt::Debug for UsageKeys {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("UsageKeys")
            .field("etype", &self.etype)
            .field("usage", &self.usage)
            .finish_non_exhaustive()
    }
}

impl UsageKeys {
    const fn empty(etype: Etype, usage: u32) -> UsageKeys {
        UsageKeys {
            etype,
            usage,
            rc4_alternate: false,
            ke: [0; MAX_KEY_LEN],
            ki: [0; MAX_KEY_LEN],
            kc: [0; MAX_KEY_LEN],
        }
    }

    /// The etype these keys belong to.
    pub fn etype(&self) -> Etype {
        self.etype
    }

    /// The key usage these keys were derived for.
    pub fn usage(&self) -> u32 {
        self.usage
    }

    fn view(&self) -> KeysRef<'_> {
        KeysRef {
            etype: self.etype,
            usage: self.usage,
            rc4_alternate: self.rc4_alternate,
            ke: &self.ke,
            ki: &self.ki,
            kc: &self.kc,
        }
    }

    /// See [`Key::encrypt`]. The confounder comes from `rng`.
    pub fn encrypt<R: CryptoRng + ?Sized>(
        &self,
        rng: &mut R,
        buf: &mut [u8],
        plaintext_len: usize,
    ) -> Result<usize> {
        self.view().encrypt(rng, buf, plaintext_len)
    }

    /// See [`Key::encrypt_with_confounder`]: for test vectors only.
    pub fn encrypt_with_confounder(
        &self,
        confounder: &[u8],
        buf: &mut [u8],
        plaintext_len: usize,
    ) -> Result<usize> {
        self.view()
            .encrypt_with_confounder(confounder, buf, plaintext_len)
    }

    /// See [`Key::decrypt`]. For des-cbc-md5 the range includes the zero
    /// padding, which that etype cannot tell from plaintext.
    pub fn decrypt(&self, buf: &mut [u8]) -> Result<Range<usize>> {
        self.view().decrypt(buf)
    }

    /// The checksum type [`UsageKeys::checksum`] produces.
    pub fn checksum_type(&self) -> ChecksumType {
        self.etype.checksum_type()
    }

    /// See [`Key::checksum`]. rsa-md5-des (des-cbc-md5 keys) needs a random
    /// confounder this API has no RNG for: it returns
    /// [`Error::UnsupportedChecksum`]; verifying works.
    pub fn checksum(&self, data: &[&[u8]], out: &mut [u8]) -> Result<usize> {
        self.view().checksum(data, out)
    }

    /// See [`Key::verify_checksum`].
    pub fn verify_checksum(&self, data: &[&[u8]], checksum: &[u8]) -> Result<()> {
        self.view().verify_checksum(data, checksum)
    }
}

/// Borrowed keys of one usage: what every operation of [`UsageKeys`] runs on,
/// and what a context that stores its usages more compactly (the etype once,
/// only the keys each usage needs) lends out per message.
#[derive(Clone, Copy)]
pub(crate) struct KeysRef<'a> {
    pub(crate) etype: Etype,
    pub(crate) usage: u32,
    pub(crate) rc4_alternate: bool,
    pub(crate) ke: &'a [u8; MAX_KEY_LEN],
    pub(crate) ki: &'a [u8; MAX_KEY_LEN],
    pub(crate) kc: &'a [u8; MAX_KEY_LEN],
}

impl KeysRef<'_> {
    fn ke(&self, len: usize) -> &[u8] {
        self.ke.get(..len).unwrap_or(&[])
    }

    fn ki(&self, len: usize) -> &[u8] {
        self.ki.get(..len).unwrap_or(&[])
    }

    fn kc(&self, len: usize) -> &[u8] {
        self.kc.get(..len).unwrap_or(&[])
    }

    pub(crate) fn encrypt<R: CryptoRng + ?Sized>(
        &self,
        rng: &mut R,
        buf: &mut [u8],
        plaintext_len: usize,
    ) -> Result<usize> {
        let mut confounder = Zeroizing::new([0u8; MAX_CONFOUNDER_LEN]);
        let confounder =
            confounder
                .get_mut(..self.etype.confounder_len())
                .ok_or(Error::BufferTooSmall {
                    needed: MAX_CONFOUNDER_LEN,
                })?;
        rng.fill_bytes(confounder);
        self.encrypt_with_confounder(confounder, buf, plaintext_len)
    }

    pub(crate) fn encrypt_with_confounder(
        &self,
        confounder: &[u8],
        buf: &mut [u8],
        plaintext_len: usize,
    ) -> Result<usize> {
        match self.etype {
            Etype::Aes128CtsHmacSha196
            | Etype::Aes256CtsHmacSha196
            | Etype::Aes128CtsHmacSha256128
            | Etype::Aes256CtsHmacSha384192 => {
                let mac_len = self.etype.trailer_len();
                let (body, mac, total) = layout(buf, confounder, plaintext_len, mac_len)?;
                self.aes_body(true, &mut Segments::one(body), mac)?;
                Ok(total)
            }
            Etype::Rc4Hmac => {
                rc4_hmac::encrypt(self.ki(rc4_hmac::KEY_LEN), confounder, buf, plaintext_len)
            }
            #[cfg(feature = "legacy")]
            Etype::DesCbcMd5 => super::des::encrypt(
                self.ke(self.etype.key_len()),
                confounder,
                buf,
                plaintext_len,
            ),
        }
    }

    /// Encrypts `body` (`confounder | plaintext`, the confounder slot filled
    /// here from `rng`) in place, wherever its pieces lie, and writes the MAC
    /// (`etype.trailer_len()` bytes) to `mac`: the ciphertext
    /// [`KeysRef::encrypt`] produces, scattered. AES etypes only.
    #[cfg(feature = "kerberos")]
    pub(crate) fn seal_segments<R: CryptoRng + ?Sized>(
        &self,
        rng: &mut R,
        body: &mut Segments<'_>,
        mac: &mut [u8],
    ) -> Result<()> {
        let mut confounder = Zeroizing::new([0u8; BLOCK_LEN]);
        rng.fill_bytes(confounder.as_mut_slice());
        body.copy(0, confounder.as_mut_slice(), true)?;
        self.aes_body(true, body, mac)
    }

    /// Verifies and decrypts what [`KeysRef::seal_segments`] produced, in
    /// place; the plaintext follows the confounder. AES etypes only.
    #[cfg(feature = "kerberos")]
    pub(crate) fn open_segments(&self, body: &mut Segments<'_>, mac: &mut [u8]) -> Result<()> {
        self.aes_body(false, body, mac)
    }

    /// The AES profiles over `body` (`confounder | plaintext`) in place, one
    /// dispatch for single buffers and pieces alike: `seal` encrypts and
    /// writes the MAC to `mac`, else the MAC is checked and `body` decrypted.
    fn aes_body(&self, seal: bool, body: &mut Segments<'_>, mac: &mut [u8]) -> Result<()> {
        let key_len = self.etype.key_len();
        let ke = self.ke(key_len);
        match (self.etype, self.etype.sha2()) {
            (_, Some(variant)) => {
                let ki = self.ki(variant.mac_len());
                if seal {
                    aes_sha2::seal(variant, ke, ki, body, mac)
                } else {
                    aes_sha2::open(variant, ke, ki, body, mac)
                }
            }
            (Etype::Aes128CtsHmacSha196 | Etype::Aes256CtsHmacSha196, None) => {
                let ki = self.ki(key_len);
                if seal {
                    aes_sha1::seal(ke, ki, body, mac)
                } else {
                    aes_sha1::open(ke, ki, body, mac)
                }
            }
            _ => Err(self.etype.unsupported()),
        }
    }

    pub(crate) fn decrypt(&self, buf: &mut [u8]) -> Result<Range<usize>> {
        match self.etype {
            Etype::Aes128CtsHmacSha196
            | Etype::Aes256CtsHmacSha196
            | Etype::Aes128CtsHmacSha256128
            | Etype::Aes256CtsHmacSha384192 => {
                let len = buf.len();
                let body_len = len
                    .checked_sub(self.etype.trailer_len())
                    .filter(|body| *body >= BLOCK_LEN)
                    .ok_or(Error::BadCiphertextLength { len })?;
                let (body, mac) = buf
                    .split_at_mut_checked(body_len)
                    .ok_or(Error::BadCiphertextLength { len })?;
                self.aes_body(false, &mut Segments::one(body), mac)?;
                Ok(BLOCK_LEN..body_len)
            }
            Etype::Rc4Hmac => {
                let alternate = self.rc4_alternate.then(|| self.ke(rc4_hmac::KEY_LEN));
                rc4_hmac::decrypt(self.ki(rc4_hmac::KEY_LEN), alternate, buf)
            }
            #[cfg(feature = "legacy")]
            Etype::DesCbcMd5 => super::des::decrypt(self.ke(self.etype.key_len()), buf),
        }
    }

    pub(crate) fn checksum(&self, data: &[&[u8]], out: &mut [u8]) -> Result<usize> {
        let cksumtype = self.etype.checksum_type();
        let size = cksumtype.size();
        let out = out
            .get_mut(..size)
            .ok_or(Error::BufferTooSmall { needed: size })?;
        match self.etype {
            Etype::Aes128CtsHmacSha196 | Etype::Aes256CtsHmacSha196 => {
                aes_sha1::checksum(self.kc(self.etype.key_len()), data, out)?;
            }
            Etype::Aes128CtsHmacSha256128 | Etype::Aes256CtsHmacSha384192 => {
                let variant = self.etype.sha2().ok_or(self.etype.unsupported())?;
                aes_sha2::checksum(variant, self.kc(variant.mac_len()), data, out)?;
            }
            Etype::Rc4Hmac => {
                let message_type = rc4_hmac::translate_usage(self.usage);
                rc4_hmac::checksum(self.kc(rc4_hmac::KEY_LEN), message_type, data, out)?;
            }
            #[cfg(feature = "legacy")]
            Etype::DesCbcMd5 => {
                return Err(Error::UnsupportedChecksum {
                    cksumtype: cksumtype.as_i32(),
                });
            }
        }
        Ok(size)
    }

    pub(crate) fn verify_checksum(&self, data: &[&[u8]], checksum: &[u8]) -> Result<()> {
        let size = self.etype.checksum_type().size();
        if checksum.len() != size {
            return Err(Error::Malformed {
                what: what!("checksum length"),
            });
        }
        #[cfg(feature = "legacy")]
        if self.etype == Etype::DesCbcMd5 {
            return super::des::verify_checksum(self.ke(self.etype.key_len()), data, checksum);
        }
        let mut expected = Zeroizing::new([0u8; MAX_CHECKSUM_LEN]);
        let written = self.checksum(data, expected.as_mut_slice())?;
        let expected = expected.get(..written).unwrap_or(&[]);
        if ct_eq(expected, checksum) {
            Ok(())
        } else {
            Err(Error::Integrity {
                what: what!("checksum"),
            })
        }
    }
}
