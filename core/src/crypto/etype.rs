//! Kerberos encryption types, keys and their checksums (RFC 3961 framework).
//!
//! SKELETON: signatures are the contract; bodies are being implemented.

use core::ops::Range;

use rand_core::CryptoRng;
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::{Error, Result};

/// Longest key of any supported etype (AES-256).
pub const MAX_KEY_LEN: usize = 32;
/// Longest checksum of any supported checksum type (hmac-sha384-192).
pub const MAX_CHECKSUM_LEN: usize = 24;
/// Largest `header_len + trailer_len` of any supported etype.
pub const MAX_OVERHEAD: usize = 40;

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
        Err(Error::UnsupportedEtype { etype: value })
    }

    /// The wire number.
    pub const fn as_i32(self) -> i32 {
        0
    }

    /// Key length in bytes.
    pub const fn key_len(self) -> usize {
        0
    }

    /// Bytes of ciphertext before the plaintext.
    pub const fn header_len(self) -> usize {
        0
    }

    /// Bytes of ciphertext after the plaintext.
    pub const fn trailer_len(self) -> usize {
        0
    }

    /// The checksum type keyed with this etype (RFC 3961 "required checksum mechanism").
    pub const fn checksum_type(self) -> ChecksumType {
        ChecksumType::HmacMd5
    }
}

/// A keyed checksum type (RFC 3961 section 8 numbers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum ChecksumType {
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
        Err(Error::UnsupportedChecksum { cksumtype: value })
    }
    /// The wire number.
    pub const fn as_i32(self) -> i32 {
        0
    }
    /// Checksum length in bytes.
    pub const fn size(self) -> usize {
        0
    }
}

/// A Kerberos key: a base key of an etype. Zeroized on drop.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct Key {
    #[zeroize(skip)]
    etype: Etype,
    bytes: [u8; MAX_KEY_LEN],
}

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
        let _ = bytes;
        Err(Error::UnsupportedEtype {
            etype: etype.as_i32(),
        })
    }

    /// RFC 3961 string-to-key. `params` is the etype's s2kparams (None = default).
    pub fn string_to_key(
        etype: Etype,
        password: &[u8],
        salt: &[u8],
        params: Option<&[u8]>,
    ) -> Result<Key> {
        let _ = (password, salt, params);
        Err(Error::UnsupportedEtype {
            etype: etype.as_i32(),
        })
    }

    /// RFC 3961 random-to-key from the caller's RNG (session keys, subkeys).
    pub fn random<R: CryptoRng + ?Sized>(etype: Etype, rng: &mut R) -> Result<Key> {
        let _ = rng;
        Err(Error::UnsupportedEtype {
            etype: etype.as_i32(),
        })
    }

    /// The key's etype.
    pub fn etype(&self) -> Etype {
        self.etype
    }

    /// The key bytes (`key_len` of them).
    pub fn as_bytes(&self) -> &[u8] {
        self.bytes.get(..self.etype.key_len()).unwrap_or(&[])
    }

    /// Derives (and returns ready to use) the keys of one key usage, so a context
    /// that protects many messages derives them once.
    pub fn derive(&self, usage: u32) -> Result<UsageKeys> {
        let _ = usage;
        Err(Error::UnsupportedEtype {
            etype: self.etype.as_i32(),
        })
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
        self.derive(usage)?.encrypt(rng, buf, plaintext_len)
    }

    /// Decrypts `buf` (the whole ciphertext) in place, verifies its checksum in
    /// constant time, and returns where the plaintext now lies in `buf`.
    pub fn decrypt(&self, usage: u32, buf: &mut [u8]) -> Result<Range<usize>> {
        self.derive(usage)?.decrypt(buf)
    }

    /// Keyed checksum over the concatenation of `data`; writes it to `out`, returns its length.
    pub fn checksum(&self, usage: u32, data: &[&[u8]], out: &mut [u8]) -> Result<usize> {
        self.derive(usage)?.checksum(data, out)
    }

    /// Verifies a keyed checksum in constant time.
    pub fn verify_checksum(&self, usage: u32, data: &[&[u8]], checksum: &[u8]) -> Result<()> {
        self.derive(usage)?.verify_checksum(data, checksum)
    }
}

/// The keys of one (base key, usage) pair, derived once. Zeroized on drop.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct UsageKeys {
    #[zeroize(skip)]
    etype: Etype,
}

impl UsageKeys {
    /// The etype these keys belong to.
    pub fn etype(&self) -> Etype {
        self.etype
    }
    /// See [`Key::encrypt`].
    pub fn encrypt<R: CryptoRng + ?Sized>(
        &self,
        rng: &mut R,
        buf: &mut [u8],
        plaintext_len: usize,
    ) -> Result<usize> {
        let _ = (rng, buf, plaintext_len);
        Err(Error::UnsupportedEtype {
            etype: self.etype.as_i32(),
        })
    }
    /// See [`Key::decrypt`].
    pub fn decrypt(&self, buf: &mut [u8]) -> Result<Range<usize>> {
        let _ = buf;
        Err(Error::UnsupportedEtype {
            etype: self.etype.as_i32(),
        })
    }
    /// See [`Key::checksum`].
    pub fn checksum(&self, data: &[&[u8]], out: &mut [u8]) -> Result<usize> {
        let _ = (data, out);
        Err(Error::UnsupportedEtype {
            etype: self.etype.as_i32(),
        })
    }
    /// See [`Key::verify_checksum`].
    pub fn verify_checksum(&self, data: &[&[u8]], checksum: &[u8]) -> Result<()> {
        let _ = (data, checksum);
        Err(Error::UnsupportedEtype {
            etype: self.etype.as_i32(),
        })
    }
}
