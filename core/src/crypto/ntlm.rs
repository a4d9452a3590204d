//! NTLM primitives (MS-NLMP section 3.3 and section 6): the one-way functions
//! NTOWF/LMOWF, HMAC-MD5 with a prepared key, MD5, and the RC4 stream whose state
//! runs on across messages.
//!
//! Nothing here allocates: strings are encoded to UTF-16LE on the fly and streamed
//! into the hash. The `legacy` feature adds the DES-based NTLMv1 pieces (LMOWFv1,
//! DESL) that only old peers need.

use super::hash::{Md4, Md5};
use digest::block_api::{Buffer, CoreProxy};
use digest::{Digest, KeyInit, Mac};
use hmac::block_api::HmacCore;
use hmac::Hmac;
use rc4::{Rc4, StreamCipher};
use zeroize::{Zeroize, ZeroizeOnDrop};

/// Bytes of an NT hash, a response key and every NTLM session key.
pub const KEY_LEN: usize = 16;

/// The NT hash of a password: NTOWFv1 = MD4(UTF-16LE(password)) (MS-NLMP 3.3.1).
///
/// This is the long-term secret of an NTLM account, so it is zeroized on drop and
/// its `Debug` does not show it.
#[derive(Clone, PartialEq, Eq)]
pub struct NtHash([u8; KEY_LEN]);
super::wipe_fields!(NtHash { 0 }, drop);

impl NtHash {
    /// NTOWFv1 of `password`.
    pub fn from_password(password: &str) -> NtHash {
        let mut md4 = Md4::new();
        let mut chunk = [0u8; 64];
        // Cannot fail: the closure never does.
        let _ = utf16le_chunks(password, false, &mut chunk, &mut |c| {
            md4.update(c);
            Ok(())
        });
        chunk.zeroize();
        NtHash(md4.finalize().into())
    }

    /// An NT hash stored elsewhere (a users file, a directory).
    pub const fn from_bytes(hash: [u8; KEY_LEN]) -> NtHash {
        NtHash(hash)
    }

    /// The 16 bytes of the hash.
    pub fn as_bytes(&self) -> &[u8; KEY_LEN] {
        &self.0
    }
}

impl core::fmt::Debug for NtHash {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("NtHash(..)")
    }
}

/// A 16-byte secret key (response key, session key, signing or sealing key),
/// zeroized on drop and never printed.
#[derive(Clone)]
pub struct Key16(pub(crate) [u8; KEY_LEN]);
super::wipe_fields!(Key16 { 0 }, drop);

impl Key16 {
    /// Wraps raw key bytes.
    pub const fn from_bytes(key: [u8; KEY_LEN]) -> Key16 {
        Key16(key)
    }

    /// The key bytes.
    pub fn as_bytes(&self) -> &[u8; KEY_LEN] {
        &self.0
    }
}

impl core::fmt::Debug for Key16 {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Key16(..)")
    }
}

/// NTOWFv1 (MS-NLMP 3.3.1): MD4 of the UTF-16LE password.
pub fn ntowfv1(password: &str) -> NtHash {
    NtHash::from_password(password)
}

/// NTOWFv2 (MS-NLMP 3.3.2): HMAC_MD5(NT hash, UTF-16LE(Uppercase(user) || domain)).
///
/// Upper-casing maps each UTF-16 code unit on its own, as Windows'
/// `RtlUpcaseUnicodeString` does: a character whose Unicode upper case is more
/// than one character (German sharp s, ligatures) stays as it is, because
/// Windows never lengthens a name, and so does one outside the BMP (a surrogate
/// pair), see [`simple_uppercase`].
pub fn ntowfv2(nt_hash: &NtHash, user: &str, domain: &str) -> Key16 {
    let mut mac = HmacMd5Key::new(nt_hash.as_bytes()).start();
    let mut absorb = |chunk: &[u8]| {
        mac.update(chunk);
        Ok(())
    };
    let mut chunk = [0; 64];
    // Cannot fail: the closure never does.
    let _ = utf16le_chunks(user, true, &mut chunk, &mut absorb)
        .and_then(|()| utf16le_chunks(domain, false, &mut chunk, &mut absorb));
    Key16(mac.finalize())
}

/// Hands `s` to `f` as UTF-16LE bytes (each character upper-cased on its own
/// first when `upper`, see [`ntowfv2`]), up to 32 units at a time, staged in
/// `chunk`: hashes and sinks pay per call, so a name goes in one or two calls
/// instead of one per character. Stops at the first error of `f`. A caller
/// streaming a secret wipes `chunk` afterwards. A trait object, not a type
/// parameter: one copy for every caller (flash).
pub(crate) fn utf16le_chunks(
    s: &str,
    upper: bool,
    chunk: &mut [u8; 64],
    f: &mut dyn FnMut(&[u8]) -> crate::Result<()>,
) -> crate::Result<()> {
    let mut n = 0usize;
    for c in s.chars() {
        let c = if upper { simple_uppercase(c) } else { c };
        for unit in c.encode_utf16(&mut [0; 2]) {
            if n >= chunk.len() {
                f(chunk)?;
                n = 0;
            }
            let end = n.wrapping_add(2);
            if let Some(slot) = chunk.get_mut(n..end) {
                slot.copy_from_slice(&unit.to_le_bytes());
            }
            n = end;
        }
    }
    if n == 0 {
        return Ok(());
    }
    f(chunk.get(..n).unwrap_or(&[]))
}

/// LMOWFv2 (MS-NLMP 3.3.2) is defined to be NTOWFv2.
pub fn lmowfv2(nt_hash: &NtHash, user: &str, domain: &str) -> Key16 {
    ntowfv2(nt_hash, user, domain)
}

/// The UTF-16 code units of `s` upper-cased character by character (see [`ntowfv2`]).
pub fn uppercase_utf16(s: &str) -> impl Iterator<Item = u16> + '_ {
    s.chars().flat_map(|c| {
        let mut buf = [0u16; 2];
        let up = simple_uppercase(c);
        let n = up.encode_utf16(&mut buf).len();
        buf.into_iter().take(n)
    })
}

pub use super::upcase::simple_uppercase;

/// MD5 over the concatenation of `parts`.
pub fn md5(parts: &[&[u8]]) -> [u8; 16] {
    // Out of line: the same machine code as HMAC-MD5's update (a 64-byte
    // buffer in front of MD5's blocks), which the boards' linker folds into
    // one copy (--icf=all).
    #[inline(never)]
    fn absorb(h: &mut Md5, p: &[u8]) {
        h.update(p);
    }
    let mut h = Md5::new();
    for p in parts {
        absorb(&mut h, p);
    }
    h.finalize().into()
}

/// HMAC_MD5(`key`, concatenation of `parts`) for a one-off key.
pub fn hmac_md5(key: &[u8; KEY_LEN], parts: &[&[u8]]) -> [u8; 16] {
    HmacMd5Key::new(key).mac(parts)
}

/// An HMAC-MD5 key after key setup: the inner and outer MD5 states have already
/// absorbed `key ^ ipad` and `key ^ opad`, so each message costs only its own
/// blocks. Cloned per message; 48 bytes; zeroized on drop (md-5's `zeroize`).
#[derive(Clone)]
pub struct HmacMd5Key {
    core: HmacCore<Md5>,
}

impl HmacMd5Key {
    /// Prepares `key` (every NTLM HMAC key is 16 bytes).
    pub fn new(key: &[u8; KEY_LEN]) -> HmacMd5Key {
        // HMAC pads a short key with zeros to the block size, so a zero-padded
        // 64-byte block is the same key and fits the infallible `KeyInit::new`.
        let mut block = hmac::digest::common::Key::<HmacCore<Md5>>::default();
        for (b, k) in block.iter_mut().zip(key.iter()) {
            *b = *k;
        }
        let core = HmacCore::<Md5>::new(&block);
        block.zeroize();
        HmacMd5Key { core }
    }

    /// A running MAC under this key.
    // One copy for every MAC (flash).
    #[inline(never)]
    pub fn start(&self) -> HmacMd5 {
        HmacMd5(Hmac::<Md5>::compose(
            self.core.clone(),
            Buffer::<HmacCore<Md5>>::default(),
        ))
    }

    /// The MAC of the concatenation of `parts`.
    pub fn mac(&self, parts: &[&[u8]]) -> [u8; 16] {
        let mut m = self.start();
        for p in parts {
            m.update(p);
        }
        m.finalize()
    }
}

impl ZeroizeOnDrop for HmacMd5Key {}

impl core::fmt::Debug for HmacMd5Key {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("HmacMd5Key(..)")
    }
}

/// A running HMAC-MD5 computation.
pub struct HmacMd5(Hmac<Md5>);

impl HmacMd5 {
    /// Absorbs `data`.
    pub fn update(&mut self, data: &[u8]) {
        Mac::update(&mut self.0, data);
    }

    /// The 16-byte MAC.
    pub fn finalize(self) -> [u8; 16] {
        self.0.finalize().into_bytes().into()
    }
}

/// An RC4 keystream whose state continues from one call to the next (NTLM's sealing
/// "handle", MS-NLMP 3.4.3). 258 bytes, zeroized on drop: the state is equivalent
/// to the key. rc4 0.2 wipes its state in `Drop` only with its `zeroize` feature,
/// which core's Cargo.toml enables.
pub struct Rc4Stream(Rc4);

impl Rc4Stream {
    /// A fresh stream keyed with a 16-byte key.
    pub fn new(key: &[u8; KEY_LEN]) -> Rc4Stream {
        // Through rc4's fixed-size (32-byte) constructor: no fallible path to
        // carry, and one key schedule in the binary.
        Rc4Stream(Rc4Stream::via_32_bytes(key))
    }

    /// RC4 with a 16-byte key is RC4 of those 16 bytes: the key schedule cycles
    /// over the key, so an RC4 declared with a 32-byte key is keyed with the 16
    /// bytes repeated twice, which is exactly the same schedule.
    fn via_32_bytes(key: &[u8; KEY_LEN]) -> Rc4 {
        let mut k = rc4::cipher::Key::<Rc4>::default();
        for (dst, src) in k.iter_mut().zip(key.iter().cycle()) {
            *dst = *src;
        }
        let rc4 = Rc4::new(&k);
        k.zeroize();
        rc4
    }

    /// Encrypts or decrypts `buf` in place, advancing the stream.
    pub fn apply(&mut self, buf: &mut [u8]) {
        self.0.apply_keystream(buf);
    }
}

impl ZeroizeOnDrop for Rc4Stream {}

impl core::fmt::Debug for Rc4Stream {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Rc4Stream(..)")
    }
}

/// One-shot RC4 of `data` in place under `key` (key exchange, MS-NLMP 3.1.5.1.2).
pub fn rc4_once(key: &[u8; KEY_LEN], data: &mut [u8]) {
    Rc4Stream::new(key).apply(data);
}

#[cfg(feature = "legacy")]
pub use legacy::*;

#[cfg(feature = "legacy")]
mod legacy {
    //! DES-based NTLMv1 primitives (MS-NLMP 3.3.1 and section 6).

    use cipher::{Array, BlockCipherEncrypt, KeyInit};
    use des::Des;

    use super::NtHash;
    use crate::{Error, Result};

    /// The LM hash: LMOWFv1 (MS-NLMP 3.3.1).
    ///
    /// Defined only for passwords of at most 14 characters from the ASCII subset of
    /// the OEM code page (the OEM mapping of anything else is locale-dependent);
    /// other passwords are [`Error::Policy`].
    pub fn lmowfv1(password: &str) -> Result<[u8; 16]> {
        const MAGIC: [u8; 8] = *b"KGS!@#$%";
        if !password.is_ascii() {
            return Err(Error::Policy {
                what: what!("LM hash of a non-ASCII password"),
            });
        }
        let mut upper = [0u8; 14];
        if password.len() > upper.len() {
            return Err(Error::Policy {
                what: what!("LM hash of a password over 14 characters"),
            });
        }
        for (dst, src) in upper.iter_mut().zip(password.bytes()) {
            *dst = src.to_ascii_uppercase();
        }
        let (a, b) = upper.split_at(7);
        let mut out = [0u8; 16];
        let (lo, hi) = out.split_at_mut(8);
        lo.copy_from_slice(&des_7(a, &MAGIC));
        hi.copy_from_slice(&des_7(b, &MAGIC));
        upper.fill(0);
        Ok(out)
    }

    /// DES-ECB of one block under a 7-byte key spread over the 8 DES key bytes
    /// (MS-NLMP section 6, "DES"). `key7` shorter than 7 bytes is zero-padded.
    pub fn des_7(key7: &[u8], block: &[u8; 8]) -> [u8; 8] {
        let mut k = [0u8; 7];
        for (dst, src) in k.iter_mut().zip(key7.iter()) {
            *dst = *src;
        }
        // Each DES key byte carries 7 key bits in its high bits; the low bit is
        // parity, which DES ignores.
        let mut key = [0u8; 8];
        let mut acc: u64 = 0;
        for b in k {
            acc = acc.wrapping_shl(8) | u64::from(b);
        }
        for (i, out) in key.iter_mut().enumerate() {
            // i < 8, so the shift is at most 49 bits.
            let shift = 49u32.wrapping_sub((i as u32).wrapping_mul(7));
            *out = ((acc.wrapping_shr(shift) & 0x7f) as u8).wrapping_shl(1);
        }
        k.fill(0);
        let des = Des::new(&Array::from(key));
        key.fill(0);
        let mut blk = Array::from(*block);
        des.encrypt_block(&mut blk);
        blk.into()
    }

    /// DESL (MS-NLMP section 6): three DES encryptions of `data` under the 16-byte
    /// key split into 7 + 7 + 2 (zero-padded) bytes.
    pub fn desl(key: &[u8; 16], data: &[u8; 8]) -> [u8; 24] {
        let (k1, rest) = key.split_at(7);
        let (k2, k3) = rest.split_at(7);
        let mut out = [0u8; 24];
        for (chunk, k) in out.chunks_exact_mut(8).zip([k1, k2, k3]) {
            chunk.copy_from_slice(&des_7(k, data));
        }
        out
    }

    /// The NTLMv1 response (MS-NLMP 3.3.1): DESL(NT hash, challenge) where the
    /// challenge is the server challenge, or, with extended session security, the
    /// first 8 bytes of MD5(server challenge || client challenge).
    pub fn ntlmv1_response(
        nt_hash: &NtHash,
        server_challenge: &[u8; 8],
        client_challenge: Option<&[u8; 8]>,
    ) -> [u8; 24] {
        match client_challenge {
            None => desl(nt_hash.as_bytes(), server_challenge),
            Some(cc) => {
                let h = super::md5(&[server_challenge, cc]);
                let mut c = [0u8; 8];
                c.copy_from_slice(h.get(..8).unwrap_or(&[0u8; 8]));
                desl(nt_hash.as_bytes(), &c)
            }
        }
    }

    /// The NTLMv1 session base key (MS-NLMP 3.3.1): MD4(NT hash).
    pub fn ntlmv1_session_base_key(nt_hash: &NtHash) -> super::Key16 {
        use digest::Digest;
        super::Key16(crate::crypto::hash::Md4::digest(nt_hash.as_bytes()).into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hex_literal::hex;

    // Section-named vectors live in tests/tests/vectors_ntlm.rs; these pin the
    // primitives' own contracts.

    #[test]
    fn prepared_hmac_equals_one_shot_rfc2202() {
        // RFC 2202 test case 2 uses a 4-byte key; HMAC zero-pads keys, so the
        // 16-byte zero-padded key gives the same MAC.
        let mut key = [0u8; 16];
        key[..4].copy_from_slice(b"Jefe");
        let k = HmacMd5Key::new(&key);
        let expect = hex!("750c783e6ab0b503eaa86e310a5db738");
        assert_eq!(k.mac(&[b"what do ya want ", b"for nothing?"]), expect);
        // A clone per message: the prepared state is not consumed.
        assert_eq!(k.mac(&[b"what do ya want for nothing?"]), expect);
    }

    #[test]
    fn rc4_16_byte_key_rfc6229() {
        // RFC 6229, key 0x0102...10 (128 bits), keystream at offset 0.
        let key = hex!("0102030405060708090a0b0c0d0e0f10");
        let mut s = Rc4Stream::new(&key);
        let mut buf = [0u8; 16];
        s.apply(&mut buf[..7]);
        s.apply(&mut buf[7..]);
        assert_eq!(buf, hex!("9ac7cc9a609d1ef7b2932899cde41b97"));
    }

    #[test]
    fn utf16le_chunks_cover_every_length() {
        // Lengths around the 32-unit staging buffer, and a surrogate pair split
        // across its boundary.
        for n in [0usize, 1, 31, 32, 33, 64, 65, 100] {
            for tail in ["", "\u{10428}"] {
                let s: heapless::String<256> =
                    core::iter::repeat_n('a', n).chain(tail.chars()).collect();
                let mut got: heapless::Vec<u8, 512> = heapless::Vec::new();
                let mut calls = 0;
                let r = utf16le_chunks(&s, false, &mut [0; 64], &mut |c| {
                    calls += 1;
                    assert!(c.len() <= 64 && !c.is_empty());
                    got.extend_from_slice(c)
                        .map_err(|_| crate::Error::WrongState)
                });
                r.unwrap();
                let want: heapless::Vec<u8, 512> =
                    s.encode_utf16().flat_map(u16::to_le_bytes).collect();
                assert_eq!(got, want, "{n} + {tail:?}");
                assert_eq!(calls, want.len().div_ceil(64));
                // The NT hash streams the same bytes.
                assert_eq!(
                    NtHash::from_password(&s).as_bytes()[..],
                    md4::Md4::digest(&want)[..]
                );
            }
        }
    }

    #[test]
    fn utf16le_chunks_stop_at_first_error() {
        let s: heapless::String<128> = core::iter::repeat_n('x', 100).collect();
        let mut calls = 0;
        let r = utf16le_chunks(&s, false, &mut [0; 64], &mut |_| {
            calls += 1;
            Err(crate::Error::WrongState)
        });
        assert_eq!((r, calls), (Err(crate::Error::WrongState), 1));
    }

    #[test]
    fn rc4_16_byte_key_equals_it_repeated_to_32() {
        let key = hex!("0102030405060708090a0b0c0d0e0f10");
        let mut a = Rc4Stream::new(&key);
        let mut b = Rc4Stream(Rc4Stream::via_32_bytes(&key));
        let (mut x, mut y) = ([0u8; 64], [0u8; 64]);
        a.apply(&mut x);
        b.apply(&mut y);
        assert_eq!(x, y);
    }

    #[test]
    fn uppercase_is_one_to_one() {
        // Outside the BMP nothing changes: Windows upper-cases code units.
        let v: heapless::Vec<u16, 8> = uppercase_utf16("aß\u{10428}").collect();
        assert_eq!(&v[..], &[u16::from(b'A'), 0xdf, 0xd801, 0xdc28]);
    }
}
