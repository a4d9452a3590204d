//! RFC 4121 per-message tokens: MIC (`04 04`) and Wrap (`05 04`), with and without
//! confidentiality, for the RFC 3961 etypes (AES-SHA1, AES-SHA2).
//!
//! Everything happens in the caller's buffer. A confidential Wrap token is laid out
//! (before rotation) as
//! `header(16) | confounder | plaintext | filler(EC) | header copy(16) | checksum`,
//! which is exactly the crypto layer's in-place ciphertext of
//! `plaintext | filler | header copy` placed after the token header. Tokens are
//! emitted with RRC 0; any RRC is accepted on input (Windows sends 28) and undone
//! with an in-place rotation.

use core::ops::Range;

use rand_core::CryptoRng;
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::crypto::{Deriver, Etype, Key, KeysRef, Subkey, MAX_CHECKSUM_LEN, MAX_KEY_LEN};
use crate::{Error, Result};

/// Length of the fixed token header of MIC and Wrap tokens.
pub const HEADER_LEN: usize = 16;

/// RFC 4121 section 2: key usages.
const KG_USAGE_ACCEPTOR_SEAL: u32 = 22;
const KG_USAGE_ACCEPTOR_SIGN: u32 = 23;
const KG_USAGE_INITIATOR_SEAL: u32 = 24;
const KG_USAGE_INITIATOR_SIGN: u32 = 25;

const TOK_MIC: [u8; 2] = [0x04, 0x04];
const TOK_WRAP: [u8; 2] = [0x05, 0x04];

/// RFC 4121 section 4.2.2 flags.
const FLAG_SENT_BY_ACCEPTOR: u8 = 0x01;
const FLAG_SEALED: u8 = 0x02;
const FLAG_ACCEPTOR_SUBKEY: u8 = 0x04;

/// Ke, Ki and Kc of a seal usage: Wrap tokens use the seal usage with and
/// without confidentiality (the latter through Kc).
#[derive(Zeroize)]
struct SealKeys {
    ke: [u8; MAX_KEY_LEN],
    ki: [u8; MAX_KEY_LEN],
    kc: [u8; MAX_KEY_LEN],
}

/// Stands in for the keys a sign usage never derives (MIC tokens need only Kc).
const NO_KEY: [u8; MAX_KEY_LEN] = [0; MAX_KEY_LEN];

/// The per-message state of an established krb5 context using RFC 4121 tokens.
///
/// The derived keys are computed once here (from one expansion of the context
/// key), so protecting a message costs only the cipher and MAC work. Only the
/// keys tokens use are kept, as raw bytes with the etype recorded once: Ke, Ki
/// and Kc of both seal usages, Kc of both sign usages (8 keys, 256 bytes for
/// AES-256), which keeps a whole Kerberos context small enough for a
/// microcontroller.
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct Cfx {
    #[zeroize(skip)]
    etype: Etype,
    seal_out: SealKeys,
    seal_in: SealKeys,
    /// Kc of our sign usage.
    sign_out: [u8; MAX_KEY_LEN],
    /// Kc of the peer's sign usage.
    sign_in: [u8; MAX_KEY_LEN],
    /// Flags of our tokens: sent-by-acceptor when we accept, acceptor-subkey when in use.
    out_flags: u8,
    send_seq: u64,
    recv_seq: u64,
    failed: bool,
}

impl Cfx {
    /// Per-message state for one side. `key` is the context key: the acceptor's
    /// subkey when `acceptor_subkey`, else the initiator's subkey or the ticket's
    /// session key. Sequence numbers start at the values exchanged in the
    /// authenticator and AP-REP. Only the AES etypes have RFC 4121 tokens;
    /// another key is [`Error::UnsupportedEtype`].
    // Out of line: inlined into the krb5 context setup it cost 440 B of
    // thumbv7em flash (boards/footprint.py).
    #[inline(never)]
    pub fn new(
        key: &Key,
        initiator: bool,
        acceptor_subkey: bool,
        send_seq: u64,
        recv_seq: u64,
    ) -> Result<Cfx> {
        let etype = key.etype();
        if !matches!(
            etype,
            Etype::Aes128CtsHmacSha196
                | Etype::Aes256CtsHmacSha196
                | Etype::Aes128CtsHmacSha256128
                | Etype::Aes256CtsHmacSha384192
        ) {
            return Err(Error::UnsupportedEtype {
                etype: etype.as_i32(),
            });
        }
        let mut out_flags = if initiator { 0 } else { FLAG_SENT_BY_ACCEPTOR };
        if acceptor_subkey {
            out_flags |= FLAG_ACCEPTOR_SUBKEY;
        }
        let mut cfx = Cfx {
            etype,
            seal_out: SealKeys {
                ke: NO_KEY,
                ki: NO_KEY,
                kc: NO_KEY,
            },
            seal_in: SealKeys {
                ke: NO_KEY,
                ki: NO_KEY,
                kc: NO_KEY,
            },
            sign_out: NO_KEY,
            sign_in: NO_KEY,
            out_flags,
            send_seq,
            recv_seq,
            failed: false,
        };
        let u = cfx.usages();
        let d = Deriver::new(key)?;
        let (out, inn) = (&mut cfx.seal_out, &mut cfx.seal_in);
        d.derive(&mut [
            d.job(u.seal_out, Subkey::Encryption, &mut out.ke)?,
            d.job(u.seal_out, Subkey::Integrity, &mut out.ki)?,
            d.job(u.seal_out, Subkey::Checksum, &mut out.kc)?,
            d.job(u.seal_in, Subkey::Encryption, &mut inn.ke)?,
            d.job(u.seal_in, Subkey::Integrity, &mut inn.ki)?,
            d.job(u.seal_in, Subkey::Checksum, &mut inn.kc)?,
            d.job(u.sign_out, Subkey::Checksum, &mut cfx.sign_out)?,
            d.job(u.sign_in, Subkey::Checksum, &mut cfx.sign_in)?,
        ])?;
        Ok(cfx)
    }

    /// RFC 4121 section 2: our usages and the peer's.
    fn usages(&self) -> Usages {
        if self.out_flags & FLAG_SENT_BY_ACCEPTOR == 0 {
            Usages {
                seal_out: KG_USAGE_INITIATOR_SEAL,
                seal_in: KG_USAGE_ACCEPTOR_SEAL,
                sign_out: KG_USAGE_INITIATOR_SIGN,
                sign_in: KG_USAGE_ACCEPTOR_SIGN,
            }
        } else {
            Usages {
                seal_out: KG_USAGE_ACCEPTOR_SEAL,
                seal_in: KG_USAGE_INITIATOR_SEAL,
                sign_out: KG_USAGE_ACCEPTOR_SIGN,
                sign_in: KG_USAGE_INITIATOR_SIGN,
            }
        }
    }

    fn seal_keys<'a>(&self, keys: &'a SealKeys, usage: u32) -> KeysRef<'a> {
        KeysRef {
            etype: self.etype,
            usage,
            rc4_alternate: false,
            ke: &keys.ke,
            ki: &keys.ki,
            kc: &keys.kc,
        }
    }

    fn seal_out(&self) -> KeysRef<'_> {
        self.seal_keys(&self.seal_out, self.usages().seal_out)
    }

    fn seal_in(&self) -> KeysRef<'_> {
        self.seal_keys(&self.seal_in, self.usages().seal_in)
    }

    fn sign_keys<'a>(&self, kc: &'a [u8; MAX_KEY_LEN], usage: u32) -> KeysRef<'a> {
        KeysRef {
            etype: self.etype,
            usage,
            rc4_alternate: false,
            ke: &NO_KEY,
            ki: &NO_KEY,
            kc,
        }
    }

    fn checksum_len(&self) -> usize {
        self.etype.checksum_type().size()
    }

    /// Length of a MIC token.
    pub fn mic_len(&self) -> usize {
        HEADER_LEN.saturating_add(self.checksum_len())
    }

    /// Bytes a Wrap token carries before the message.
    pub fn wrap_header_len(&self, confidential: bool) -> usize {
        if confidential {
            HEADER_LEN.saturating_add(self.etype.header_len())
        } else {
            HEADER_LEN
        }
    }

    /// Bytes a Wrap token carries after the message (as emitted, with RRC 0).
    pub fn wrap_trailer_len(&self, confidential: bool) -> usize {
        if confidential {
            HEADER_LEN.saturating_add(self.etype.trailer_len())
        } else {
            self.checksum_len()
        }
    }

    /// Runs `f` unless the context already failed; any error fails it for good.
    fn guard<T>(&mut self, f: impl FnOnce(&mut Cfx) -> Result<T>) -> Result<T> {
        if self.failed {
            return Err(Error::WrongState);
        }
        let r = f(self);
        if r.is_err() {
            self.failed = true;
        }
        r
    }

    fn next_send_seq(&mut self) -> u64 {
        let seq = self.send_seq;
        self.send_seq = seq.wrapping_add(1);
        seq
    }

    /// Strict ordering: the next token must carry exactly the expected number.
    fn check_recv_seq(&mut self, seq: u64) -> Result<()> {
        if seq == self.recv_seq {
            self.recv_seq = seq.wrapping_add(1);
            Ok(())
        } else if seq < self.recv_seq {
            Err(Error::Replay)
        } else {
            Err(Error::OutOfSequence)
        }
    }

    fn header(tok: [u8; 2], flags: u8, ec: u16, rrc: u16, seq: u64) -> [u8; HEADER_LEN] {
        let mut h = [0xffu8; HEADER_LEN];
        let [t0, t1, f, _, e0, e1, r0, r1, s @ ..] = &mut h;
        *t0 = tok[0];
        *t1 = tok[1];
        *f = flags;
        [*e0, *e1] = ec.to_be_bytes();
        [*r0, *r1] = rrc.to_be_bytes();
        *s = seq.to_be_bytes();
        h
    }

    /// Checks a received header's fixed fields and flags; returns (flags, ec, rrc, seq).
    fn parse_header(&self, tok: [u8; 2], h: &[u8; HEADER_LEN]) -> Result<(u8, u16, u16, u64)> {
        let [t0, t1, flags, filler, e0, e1, r0, r1, s @ ..] = *h;
        if [t0, t1] != tok {
            return Err(Error::Malformed {
                what: "GSS token id",
            });
        }
        if tok == TOK_MIC {
            if [filler, e0, e1, r0, r1] != [0xff; 5] {
                return Err(Error::Malformed {
                    what: "MIC token filler",
                });
            }
        } else if filler != 0xff {
            return Err(Error::Malformed {
                what: "Wrap token filler",
            });
        }
        // The peer's tokens carry the opposite direction bit from ours.
        let expect_acceptor = self.out_flags & FLAG_SENT_BY_ACCEPTOR == 0;
        if (flags & FLAG_SENT_BY_ACCEPTOR != 0) != expect_acceptor {
            return Err(Error::Integrity {
                what: "token direction (reflected token)",
            });
        }
        if flags & FLAG_ACCEPTOR_SUBKEY != self.out_flags & FLAG_ACCEPTOR_SUBKEY {
            return Err(Error::Malformed {
                what: "acceptor-subkey flag",
            });
        }
        if flags & !(FLAG_SENT_BY_ACCEPTOR | FLAG_SEALED | FLAG_ACCEPTOR_SUBKEY) != 0 {
            return Err(Error::Malformed {
                what: "GSS token flags",
            });
        }
        Ok((
            flags,
            u16::from_be_bytes([e0, e1]),
            u16::from_be_bytes([r0, r1]),
            u64::from_be_bytes(s),
        ))
    }

    /// GSS_GetMIC: writes a MIC token over `msg` into `out`; returns its length.
    pub fn get_mic(&mut self, msg: &[u8], out: &mut [u8]) -> Result<usize> {
        let len = self.mic_len();
        let out = out
            .get_mut(..len)
            .ok_or(Error::BufferTooSmall { needed: len })?;
        self.guard(|s| {
            let seq = s.next_send_seq();
            let h = Cfx::header(TOK_MIC, s.out_flags & !FLAG_SEALED, 0xffff, 0xffff, seq);
            let (head, cksum) = out.split_at_mut(HEADER_LEN);
            head.copy_from_slice(&h);
            s.sign_keys(&s.sign_out, s.usages().sign_out)
                .checksum(&[msg, &h], cksum)?;
            Ok(len)
        })
    }

    /// GSS_VerifyMIC: checks `token` over `msg`, in sequence.
    pub fn verify_mic(&mut self, msg: &[u8], token: &[u8]) -> Result<()> {
        self.guard(|s| {
            let (h, cksum) = token
                .split_first_chunk::<HEADER_LEN>()
                .ok_or(Error::Truncated { what: "MIC token" })?;
            let (_, _, _, seq) = s.parse_header(TOK_MIC, h)?;
            if cksum.len() != s.checksum_len() {
                return Err(Error::Malformed {
                    what: "MIC token length",
                });
            }
            s.sign_keys(&s.sign_in, s.usages().sign_in)
                .verify_checksum(&[msg, h], cksum)?;
            s.check_recv_seq(seq)
        })
    }

    /// GSS_Wrap in place. The message is at `buf[wrap_header_len(confidential)..]
    /// [..data_len]`; returns the token length (`header + data + trailer`).
    pub fn wrap<R: CryptoRng + ?Sized>(
        &mut self,
        rng: &mut R,
        confidential: bool,
        buf: &mut [u8],
        data_len: usize,
    ) -> Result<usize> {
        let total = self
            .wrap_header_len(confidential)
            .checked_add(data_len)
            .and_then(|n| n.checked_add(self.wrap_trailer_len(confidential)))
            .ok_or(Error::BufferTooSmall { needed: usize::MAX })?;
        let buf = buf
            .get_mut(..total)
            .ok_or(Error::BufferTooSmall { needed: total })?;
        self.guard(|s| {
            let seq = s.next_send_seq();
            let (head, body) = buf.split_at_mut(HEADER_LEN);
            if confidential {
                let flags = s.out_flags | FLAG_SEALED;
                let h = Cfx::header(TOK_WRAP, flags, 0, 0, seq);
                head.copy_from_slice(&h);
                // Encrypted: plaintext | header copy (EC = 0: CTS needs no filler).
                let inner = s.etype.header_len();
                let copy_at = inner.checked_add(data_len).ok_or(Error::WrongState)?;
                body.get_mut(copy_at..)
                    .and_then(|t| t.get_mut(..HEADER_LEN))
                    .ok_or(Error::BufferTooSmall { needed: total })?
                    .copy_from_slice(&h);
                let plain = data_len.checked_add(HEADER_LEN).ok_or(Error::WrongState)?;
                s.seal_out().encrypt(rng, body, plain)?;
            } else {
                let cklen = s.checksum_len();
                let ec = u16::try_from(cklen).map_err(|_| Error::WrongState)?;
                let h = Cfx::header(TOK_WRAP, s.out_flags, ec, 0, seq);
                head.copy_from_slice(&h);
                // The checksum covers the header with EC and RRC zeroed.
                let signed = Cfx::header(TOK_WRAP, s.out_flags, 0, 0, seq);
                let (data, cksum) = body.split_at_mut(data_len);
                // Wrap tokens use the SEAL usage with or without confidentiality
                // (as MIT and Heimdal do); SIGN is for MIC tokens only.
                s.seal_out().checksum(&[data, &signed], cksum)?;
            }
            Ok(total)
        })
    }

    /// GSS_Unwrap in place; returns where the message lies in `buf` and whether it
    /// was sealed.
    pub fn unwrap(&mut self, buf: &mut [u8]) -> Result<(Range<usize>, bool)> {
        self.guard(|s| {
            let (head, body) = buf
                .split_first_chunk_mut::<HEADER_LEN>()
                .ok_or(Error::Truncated { what: "Wrap token" })?;
            let h = *head;
            let (flags, ec, rrc, seq) = s.parse_header(TOK_WRAP, &h)?;
            let ec = usize::from(ec);
            // Undo the sender's right rotation (RFC 4121 section 4.2.5).
            if let Some(shift) = usize::from(rrc).checked_rem(body.len()) {
                crate::bytes::rotate_left(body, shift);
            }
            if flags & FLAG_SEALED != 0 {
                let pt = s.seal_in().decrypt(body)?;
                let plain = body.get(pt.clone()).ok_or(Error::WrongState)?;
                let data_len = plain
                    .len()
                    .checked_sub(HEADER_LEN)
                    .and_then(|n| n.checked_sub(ec))
                    .ok_or(Error::Malformed {
                        what: "Wrap token EC",
                    })?;
                let copy = plain
                    .get(data_len.saturating_add(ec)..)
                    .ok_or(Error::Malformed {
                        what: "Wrap token EC",
                    })?;
                // The encrypted header copy must match, RRC aside (it is 0 inside).
                let mut expect = h;
                let [.., r0, r1, _, _, _, _, _, _, _, _] = &mut expect;
                (*r0, *r1) = (0, 0);
                if !bool::from(copy.ct_eq(&expect)) {
                    return Err(Error::Integrity {
                        what: "Wrap token header copy",
                    });
                }
                s.check_recv_seq(seq)?;
                let start = HEADER_LEN.checked_add(pt.start).ok_or(Error::WrongState)?;
                Ok((start..start.saturating_add(data_len), true))
            } else {
                let cklen = s.checksum_len();
                if ec != cklen {
                    return Err(Error::Malformed {
                        what: "Wrap token EC",
                    });
                }
                let data_len = body
                    .len()
                    .checked_sub(cklen)
                    .ok_or(Error::Truncated { what: "Wrap token" })?;
                let (data, cksum) = body.split_at(data_len);
                let mut signed = h;
                let [.., e0, e1, r0, r1, _, _, _, _, _, _, _, _] = &mut signed;
                (*e0, *e1, *r0, *r1) = (0, 0, 0, 0);
                s.seal_in().verify_checksum(&[data, &signed], cksum)?;
                s.check_recv_seq(seq)?;
                Ok((HEADER_LEN..HEADER_LEN.saturating_add(data_len), false))
            }
        })
    }
}

/// Key usages of one side.
struct Usages {
    seal_out: u32,
    seal_in: u32,
    sign_out: u32,
    sign_in: u32,
}

/// Most bytes a MIC token can take.
pub const MAX_MIC_LEN: usize = HEADER_LEN + MAX_CHECKSUM_LEN;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::Etype;

    use crate::test_rng::Counter;

    const AES_ETYPES: [Etype; 4] = [
        Etype::Aes128CtsHmacSha196,
        Etype::Aes256CtsHmacSha196,
        Etype::Aes128CtsHmacSha256128,
        Etype::Aes256CtsHmacSha384192,
    ];

    fn pair(etype: Etype, subkey: bool) -> (Cfx, Cfx) {
        let key = Key::from_bytes(etype, &[0x42; 32][..etype.key_len()]).unwrap();
        (
            Cfx::new(&key, true, subkey, 1000, 2000).unwrap(),
            Cfx::new(&key, false, subkey, 2000, 1000).unwrap(),
        )
    }

    fn wrap(c: &mut Cfx, conf: bool, msg: &[u8]) -> ([u8; 256], usize) {
        let mut buf = [0u8; 256];
        let at = c.wrap_header_len(conf);
        buf[at..at + msg.len()].copy_from_slice(msg);
        let n = c.wrap(&mut Counter(0), conf, &mut buf, msg.len()).unwrap();
        (buf, n)
    }

    #[test]
    fn wrap_unwrap_both_ways_all_etypes() {
        for etype in AES_ETYPES {
            for subkey in [false, true] {
                let (mut ini, mut acc) = pair(etype, subkey);
                for conf in [true, false] {
                    for msg in [
                        &b""[..],
                        b"x",
                        b"sixteen byte msg",
                        b"a longer message of 41 bytes, not aligned",
                    ] {
                        let (mut buf, n) = wrap(&mut ini, conf, msg);
                        let (r, sealed) = acc.unwrap(&mut buf[..n]).unwrap();
                        assert_eq!(sealed, conf);
                        assert_eq!(&buf[r], msg);
                        let (mut buf, n) = wrap(&mut acc, conf, msg);
                        let (r, _) = ini.unwrap(&mut buf[..n]).unwrap();
                        assert_eq!(&buf[r], msg);
                    }
                }
            }
        }
    }

    #[test]
    fn any_rrc_is_accepted() {
        for etype in AES_ETYPES {
            for conf in [true, false] {
                for rrc in [1u16, 12, 16, 28, 200] {
                    let (mut ini, mut acc) = pair(etype, false);
                    let msg = b"rotate me, please";
                    let (mut buf, n) = wrap(&mut ini, conf, msg);
                    // Re-emit as a sender with this RRC would: rotate the body right.
                    let body = &mut buf[HEADER_LEN..n];
                    let len = body.len();
                    body.rotate_right(usize::from(rrc) % len);
                    buf[6..8].copy_from_slice(&rrc.to_be_bytes());
                    let (r, _) = acc.unwrap(&mut buf[..n]).unwrap();
                    assert_eq!(&buf[r], msg);
                }
            }
        }
    }

    #[test]
    fn mic_round_trip_and_tamper() {
        for etype in AES_ETYPES {
            let (mut ini, mut acc) = pair(etype, true);
            let mut tok = [0u8; MAX_MIC_LEN];
            let n = ini.get_mic(b"message", &mut tok).unwrap();
            assert_eq!(n, 16 + etype.checksum_type().size());
            acc.verify_mic(b"message", &tok[..n]).unwrap();
            let n = ini.get_mic(b"message", &mut tok).unwrap();
            assert!(matches!(
                acc.verify_mic(b"messagf", &tok[..n]),
                Err(Error::Integrity { .. })
            ));
            assert_eq!(
                acc.verify_mic(b"message", &tok[..n]),
                Err(Error::WrongState)
            );
        }
    }

    #[test]
    fn flipped_bytes_replay_and_reflection_fail() {
        for etype in AES_ETYPES {
            for conf in [true, false] {
                let (mut ini, _) = pair(etype, false);
                let (buf, n) = wrap(&mut ini, conf, b"payload bytes");
                for i in 0..n {
                    let (_, mut acc) = pair(etype, false);
                    let mut t = buf;
                    t[i] ^= 0x01;
                    assert!(acc.unwrap(&mut t[..n]).is_err(), "flip at {i} accepted");
                    // A failed context stays failed.
                    let mut t = buf;
                    assert_eq!(acc.unwrap(&mut t[..n]), Err(Error::WrongState));
                }
                // Replay: the same token twice.
                let (_, mut acc) = pair(etype, false);
                let mut t = buf;
                acc.unwrap(&mut t[..n]).unwrap();
                let mut t = buf;
                assert_eq!(acc.unwrap(&mut t[..n]), Err(Error::Replay));
                // Reflection: our own token back to us.
                let (mut ini2, _) = pair(etype, false);
                let mut t = buf;
                assert!(matches!(
                    ini2.unwrap(&mut t[..n]),
                    Err(Error::Integrity { .. })
                ));
            }
        }
    }

    #[test]
    fn only_aes_keys_make_rfc4121_state() {
        let rc4 = Key::from_bytes(Etype::Rc4Hmac, &[0x42; 16]).unwrap();
        assert!(matches!(
            Cfx::new(&rc4, true, false, 0, 0),
            Err(Error::UnsupportedEtype { etype: 23 })
        ));
    }

    #[test]
    fn gap_is_out_of_sequence() {
        let (mut ini, mut acc) = pair(Etype::Aes256CtsHmacSha196, false);
        let _ = wrap(&mut ini, true, b"lost");
        let (mut buf, n) = wrap(&mut ini, true, b"second");
        assert_eq!(acc.unwrap(&mut buf[..n]), Err(Error::OutOfSequence));
    }

    #[test]
    fn truncated_tokens_never_panic() {
        let (mut ini, _) = pair(Etype::Aes128CtsHmacSha256128, false);
        let (buf, n) = wrap(&mut ini, true, b"abc");
        for i in 0..n {
            let (_, mut acc) = pair(Etype::Aes128CtsHmacSha256128, false);
            let mut t = buf;
            assert!(acc.unwrap(&mut t[..i]).is_err());
        }
    }
}
