//! RFC 4757 section 7 per-message tokens for contexts keyed with rc4-hmac: MIC
//! (`01 01`) and Wrap (`02 01`) in the RFC 1964 layout, each inside the RFC 2743
//! section 3.1 framing (`60 <DER length> 06 09 2a 86 48 86 f7 12 01 02 02 <token>`).
//!
//! A MIC token is `framing | TOK_ID SGN_ALG Filler | SND_SEQ | SGN_CKSUM` (37 bytes);
//! a Wrap token is `framing | TOK_ID SGN_ALG SEAL_ALG Filler | SND_SEQ | SGN_CKSUM |
//! Confounder | data | padding`.
//!
//! Where the RFC's pseudo-code and the deployed implementations (Windows, MIT,
//! Heimdal) disagree, this module does what the implementations do:
//! - the four direction bytes after the big-endian sequence number are `00` when the
//!   initiator sends and `ff` when the acceptor sends, as in RFC 1964 section
//!   1.2.1.2; the pseudo-code (RFC 4757 sections 7.2 and 7.3, inherited from
//!   draft-brezak-win2k-krb-rc4-hmac-04 section 8) has them the other way round;
//! - the Wrap checksum uses key usage 13 and the MIC checksum key usage 15, each
//!   entering MD5 as four little-endian bytes (RFC 4757 section 4).
//!
//! A Wrap token always carries one byte of padding (`01`): the stream cipher needs
//! no block alignment and RFC 4757 rounds "all padding up to 1 byte". Any RFC 1964
//! section 1.2.2.3 padding (1 to 8 bytes each holding the count) is accepted.
//!
//! The `GSS_C_DCE_STYLE` variants (no framing, no padding, header sent apart from
//! the data) are out of scope, as is the 56-bit "fortybits" export key.

use core::ops::Range;

use crate::crypto::hash::Md5;
use digest::Digest;
use rand_core::CryptoRng;
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, Zeroizing};

use crate::crypto::ntlm::Rc4Stream;
use crate::gss::IovLayout;
use crate::{Error, IovSplit, Result};

/// The rc4-hmac context key length.
pub const KEY_LEN: usize = 16;

/// DER encoding of the Kerberos V5 mechanism OID 1.2.840.113554.1.2.2 (RFC 1964 section 1).
const KRB5_OID: [u8; 11] = [
    0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02,
];
/// RFC 2743 section 3.1: `[APPLICATION 0]` constructed.
const FRAMING_TAG: u8 = 0x60;
/// Tag, the longest DER length this module writes (`84` and four octets), and the OID.
const MAX_FRAMING_LEN: usize = 1 + 5 + KRB5_OID.len();

const TOK_MIC: [u8; 2] = [0x01, 0x01];
const TOK_WRAP: [u8; 2] = [0x02, 0x01];
const SGN_ALG_HMAC_MD5: [u8; 2] = [0x11, 0x00];
const SEAL_ALG_RC4: [u8; 2] = [0x10, 0x00];
const SEAL_ALG_NONE: [u8; 2] = [0xff, 0xff];

/// Key usages that salt the checksum (RFC 4757 sections 7.2 and 7.3).
const USAGE_WRAP: u32 = 13;
const USAGE_MIC: u32 = 15;

const CKSUM_LEN: usize = 8;
const CONFOUNDER_LEN: usize = 8;
/// TOK_ID, SGN_ALG, SND_SEQ, SGN_CKSUM and the filler.
const MIC_TOKEN_LEN: usize = 24;
/// The Wrap token's fixed part: the MIC layout plus SEAL_ALG and the confounder.
const WRAP_TOKEN_LEN: usize = 32;
/// The one byte of padding this module writes.
const PAD_LEN: usize = 1;
/// The longest RFC 1964 padding accepted.
const MAX_PAD: u8 = 8;

/// Length of a MIC token, framing included (its DER length always fits one octet).
pub const MIC_LEN: usize = 2 + KRB5_OID.len() + MIC_TOKEN_LEN;
/// Bytes [`Rc4Hmac::wrap`] wants before the message: the fixed token part after the
/// longest framing. The finished token starts at `buf[0]`, so for framings shorter
/// than the longest the message moves down by the difference.
pub const WRAP_HEADER_LEN: usize = MAX_FRAMING_LEN + WRAP_TOKEN_LEN;
/// Bytes a Wrap token carries after the message.
pub const WRAP_TRAILER_LEN: usize = PAD_LEN;

/// The three keys every token derives its per-message keys from.
struct Keys {
    /// Ksign = HMAC(K, "signaturekey\0").
    sign: [u8; 16],
    /// HMAC(K, 0): salted with each token's checksum to encrypt its SND_SEQ.
    seq: [u8; 16],
    /// HMAC(K XOR F0, 0): salted with each token's sequence number to encrypt its data.
    crypt: [u8; 16],
}
crate::crypto::wipe_fields!(Keys { sign, seq, crypt }, drop);

/// The per-message state of an established krb5 context whose key is rc4-hmac.
pub struct Rc4Hmac {
    keys: Keys,
    initiator: bool,
    send_seq: u32,
    recv_seq: u32,
    failed: bool,
}

/// HMAC-MD5 over the concatenation of `parts`.
// Every key here is 16 bytes: NTLM's HMAC-MD5 and RC4 (`Rc4Stream`) for
// 16-byte keys serve both, infallible and one copy of each in the image.
fn hmac_md5(key: &[u8; KEY_LEN], parts: &[&[u8]]) -> Zeroizing<[u8; 16]> {
    Zeroizing::new(crate::crypto::ntlm::hmac_md5(key, parts))
}

/// The four bytes after the sequence number in SND_SEQ.
fn direction(sent_by_initiator: bool) -> [u8; 4] {
    if sent_by_initiator {
        [0x00; 4]
    } else {
        [0xff; 4]
    }
}

/// Writes `parts` one after the other at the start of `dst`; returns the bytes written.
fn concat_into(dst: &mut [u8], parts: &[&[u8]]) -> Result<usize> {
    let total = dst.len();
    let mut rest = dst;
    for part in parts {
        let (head, tail) = rest
            .split_at_mut_checked(part.len())
            .ok_or(Error::WrongState)?;
        head.copy_from_slice(part);
        rest = tail;
    }
    total.checked_sub(rest.len()).ok_or(Error::WrongState)
}

/// The RFC 2743 framing for an inner token of `tok_len` bytes: tag, minimal DER
/// length of OID plus token, OID. Returns the bytes and how many of them are used.
fn framing(tok_len: usize) -> Result<([u8; MAX_FRAMING_LEN], usize)> {
    let body = tok_len
        .checked_add(KRB5_OID.len())
        .and_then(|n| u32::try_from(n).ok())
        .ok_or(Error::CapacityExceeded {
            what: what!("GSS token length"),
        })?;
    let be = body.to_be_bytes();
    let mut out = [0u8; MAX_FRAMING_LEN];
    let used = if let Ok(short @ 0..=0x7f) = u8::try_from(body) {
        concat_into(&mut out, &[&[FRAMING_TAG, short], &KRB5_OID])?
    } else {
        // Long form: a count octet, then the length's significant octets (body >= 0x80,
        // so between one and four of them).
        let skip = body
            .leading_zeros()
            .checked_div(8)
            .and_then(|n| usize::try_from(n).ok())
            .ok_or(Error::WrongState)?;
        let significant = be.get(skip..).ok_or(Error::WrongState)?;
        let count = u8::try_from(significant.len()).map_err(|_| Error::WrongState)?;
        concat_into(
            &mut out,
            &[&[FRAMING_TAG, 0x80 | count], significant, &KRB5_OID],
        )?
    };
    Ok((out, used))
}

/// Checks the RFC 2743 framing at the start of `token`, a token of `total`
/// bytes in all (strict DER: minimal definite length that covers exactly the
/// rest of the token; `None`: the length is not checked) and returns the
/// framing's length.
fn parse_framing(token: &[u8], total: Option<usize>) -> Result<usize> {
    const WHAT: crate::What = what!("GSS token framing");
    let (&tag, rest) = token.split_first().ok_or(Error::Truncated { what: WHAT })?;
    if tag != FRAMING_TAG {
        return Err(Error::Malformed { what: WHAT });
    }
    let (&first, rest) = rest.split_first().ok_or(Error::Truncated { what: WHAT })?;
    let (len, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        // 0x80 is BER's indefinite length; more than four octets is no real token.
        let count = usize::from(first & 0x7f);
        if count == 0 || count > 4 {
            return Err(Error::Malformed { what: WHAT });
        }
        let (octets, rest) = rest
            .split_at_checked(count)
            .ok_or(Error::Truncated { what: WHAT })?;
        if octets.first() == Some(&0) {
            return Err(Error::Malformed { what: WHAT });
        }
        let len = octets
            .iter()
            .try_fold(0u32, |acc, &b| {
                acc.checked_mul(256).map(|a| a | u32::from(b))
            })
            .ok_or(Error::Malformed { what: WHAT })?;
        if len < 0x80 {
            return Err(Error::Malformed { what: WHAT });
        }
        (
            usize::try_from(len).map_err(|_| Error::Malformed { what: WHAT })?,
            rest,
        )
    };
    if let Some(total) = total {
        let remaining = token
            .len()
            .checked_sub(rest.len())
            .and_then(|used| total.checked_sub(used))
            .ok_or(Error::Truncated { what: WHAT })?;
        match remaining.cmp(&len) {
            core::cmp::Ordering::Less => return Err(Error::Truncated { what: WHAT }),
            core::cmp::Ordering::Greater => return Err(Error::Malformed { what: WHAT }),
            core::cmp::Ordering::Equal => {}
        }
    }
    let (oid, inner) = rest
        .split_at_checked(KRB5_OID.len())
        .ok_or(Error::Truncated { what: WHAT })?;
    if oid != KRB5_OID {
        return Err(Error::Malformed {
            what: what!("GSS mechanism OID"),
        });
    }
    token
        .len()
        .checked_sub(inner.len())
        .ok_or(Error::WrongState)
}

fn split8(b: &[u8], what: crate::What) -> Result<(&[u8; 8], &[u8])> {
    b.split_first_chunk::<8>().ok_or(Error::Truncated { what })
}

impl Rc4Hmac {
    /// Per-message state for one side. `key` is the context key (the subkey in use,
    /// else the ticket's session key; an rc4-hmac key is its 16 bytes, e.g.
    /// `Key::as_bytes()`). Sequence numbers start at the values exchanged in the
    /// authenticator and AP-REP.
    pub fn new(
        key: &[u8; KEY_LEN],
        initiator: bool,
        send_seq: u32,
        recv_seq: u32,
    ) -> Result<Rc4Hmac> {
        let mut local = Zeroizing::new(*key);
        local.iter_mut().for_each(|b| *b ^= 0xf0);
        let zero = 0u32.to_le_bytes();
        let keys = Keys {
            sign: *hmac_md5(key, &[b"signaturekey\0"]),
            seq: *hmac_md5(key, &[&zero]),
            crypt: *hmac_md5(&local, &[&zero]),
        };
        Ok(Rc4Hmac {
            keys,
            initiator,
            send_seq,
            recv_seq,
            failed: false,
        })
    }

    /// Length of a MIC token.
    pub fn mic_len(&self) -> usize {
        MIC_LEN
    }

    /// Bytes [`Rc4Hmac::wrap`] wants before the message (the same either way: a
    /// token without confidentiality still carries its confounder).
    pub fn wrap_header_len(&self, _confidential: bool) -> usize {
        WRAP_HEADER_LEN
    }

    /// Bytes a Wrap token carries after the message.
    pub fn wrap_trailer_len(&self, _confidential: bool) -> usize {
        WRAP_TRAILER_LEN
    }

    /// Runs `f` unless the context already failed; any error fails it for good.
    fn guard<T>(&mut self, f: impl FnOnce(&mut Rc4Hmac) -> Result<T>) -> Result<T> {
        if self.failed {
            return Err(Error::WrongState);
        }
        let r = f(self);
        if r.is_err() {
            self.failed = true;
        }
        r
    }

    fn next_send_seq(&mut self) -> u32 {
        let seq = self.send_seq;
        self.send_seq = seq.wrapping_add(1);
        seq
    }

    /// Strict ordering: the next token must carry exactly the expected number.
    /// Numbers are 32 bits and wrap, so "lower" means up to 2^31 behind.
    fn check_recv_seq(&mut self, seq: u32) -> Result<()> {
        let ahead = seq.wrapping_sub(self.recv_seq);
        if ahead == 0 {
            self.recv_seq = seq.wrapping_add(1);
            Ok(())
        } else if ahead >= 0x8000_0000 {
            Err(Error::Replay)
        } else {
            Err(Error::OutOfSequence)
        }
    }

    /// SGN_CKSUM: HMAC(Ksign, MD5(usage as 4 little-endian bytes | parts)), first 8 bytes.
    fn checksum(&self, usage: u32, parts: &[&[u8]]) -> Result<[u8; CKSUM_LEN]> {
        let mut md5 = Md5::new();
        md5.update(usage.to_le_bytes());
        for part in parts {
            md5.update(part);
        }
        let digest: [u8; 16] = md5.finalize().into();
        let full = hmac_md5(&self.keys.sign, &[&digest]);
        full.first_chunk::<CKSUM_LEN>()
            .copied()
            .ok_or(Error::WrongState)
    }

    /// SND_SEQ as sent: RC4 under HMAC(HMAC(K, 0), checksum) of `seq | direction`.
    fn seal_seq(&self, seq: u32, cksum: &[u8; CKSUM_LEN]) -> Result<[u8; 8]> {
        let kseq = hmac_md5(&self.keys.seq, &[cksum]);
        let mut out = [0u8; 8];
        concat_into(&mut out, &[&seq.to_be_bytes(), &direction(self.initiator)])?;
        Rc4Stream::new(&kseq).apply(&mut out);
        Ok(out)
    }

    /// Decrypts a received SND_SEQ; returns the sequence number and the direction bytes.
    fn open_seq(&self, snd_seq: &[u8; 8], cksum: &[u8; CKSUM_LEN]) -> Result<(u32, [u8; 4])> {
        let kseq = hmac_md5(&self.keys.seq, &[cksum]);
        let mut plain = *snd_seq;
        Rc4Stream::new(&kseq).apply(&mut plain);
        let [s0, s1, s2, s3, dir @ ..] = plain;
        Ok((u32::from_be_bytes([s0, s1, s2, s3]), dir))
    }

    /// The peer's tokens carry the direction opposite to ours.
    fn check_direction(&self, dir: [u8; 4]) -> Result<()> {
        if dir == direction(!self.initiator) {
            Ok(())
        } else {
            Err(Error::Integrity {
                what: what!("token direction (reflected or corrupted token)"),
            })
        }
    }

    /// The data cipher of the token with sequence number `seq`:
    /// RC4 under HMAC(HMAC(K XOR F0, 0), seq as 4 big-endian bytes).
    fn data_cipher(&self, seq: u32) -> Rc4Stream {
        let kcrypt = hmac_md5(&self.keys.crypt, &[&seq.to_be_bytes()]);
        Rc4Stream::new(&kcrypt)
    }

    /// GSS_GetMIC: writes a MIC token over `msg` into `out`; returns its length.
    pub fn get_mic(&mut self, msg: &[u8], out: &mut [u8]) -> Result<usize> {
        let out = out
            .get_mut(..MIC_LEN)
            .ok_or(Error::BufferTooSmall { needed: MIC_LEN })?;
        self.guard(|s| {
            let seq = s.next_send_seq();
            let mut h = [0xffu8; 8];
            concat_into(&mut h, &[&TOK_MIC, &SGN_ALG_HMAC_MD5])?;
            let cksum = s.checksum(USAGE_MIC, &[&h, msg])?;
            let snd_seq = s.seal_seq(seq, &cksum)?;
            let (frame, used) = framing(MIC_TOKEN_LEN)?;
            let frame = frame.get(..used).ok_or(Error::WrongState)?;
            concat_into(out, &[frame, &h, &snd_seq, &cksum])
        })
    }

    /// GSS_VerifyMIC: checks `token` over `msg`, in sequence.
    pub fn verify_mic(&mut self, msg: &[u8], token: &[u8]) -> Result<()> {
        const WHAT: crate::What = what!("MIC token");
        self.guard(|s| {
            let at = parse_framing(token, Some(token.len()))?;
            let inner = token.get(at..).ok_or(Error::WrongState)?;
            let (h, rest) = split8(inner, WHAT)?;
            let (snd_seq, rest) = split8(rest, WHAT)?;
            let (cksum, rest) = split8(rest, WHAT)?;
            if !rest.is_empty() {
                return Err(Error::Malformed {
                    what: what!("MIC token length"),
                });
            }
            let [t0, t1, g0, g1, filler @ ..] = *h;
            if [t0, t1] != TOK_MIC {
                return Err(Error::Malformed {
                    what: what!("GSS token id"),
                });
            }
            if [g0, g1] != SGN_ALG_HMAC_MD5 {
                return Err(Error::Malformed {
                    what: what!("MIC token SGN_ALG"),
                });
            }
            if filler != [0xff; 4] {
                return Err(Error::Malformed {
                    what: what!("MIC token filler"),
                });
            }
            let expect = s.checksum(USAGE_MIC, &[h, msg])?;
            if !bool::from(expect.as_slice().ct_eq(cksum.as_slice())) {
                return Err(Error::Integrity {
                    what: what!("MIC token checksum"),
                });
            }
            let (seq, dir) = s.open_seq(snd_seq, cksum)?;
            s.check_direction(dir)?;
            s.check_recv_seq(seq)
        })
    }

    /// Header and trailer lengths of an IOV Wrap token: the longest header (the
    /// framing's length depends on the message's) and the one byte of
    /// padding. rc4-hmac tokens are not rotated: `layout` changes nothing.
    pub fn wrap_iov_lens(&self, _confidential: bool, _layout: IovLayout) -> (usize, usize) {
        (WRAP_HEADER_LEN, WRAP_TRAILER_LEN)
    }

    /// The framing of a Wrap token around `data_len` bytes of message, and the
    /// length of everything before the message (framing and fixed part).
    fn wrap_framing(data_len: usize) -> Result<([u8; MAX_FRAMING_LEN], usize, usize)> {
        let (frame, frame_len) = framing(
            WRAP_TOKEN_LEN
                .checked_add(data_len)
                .and_then(|n| n.checked_add(PAD_LEN))
                .ok_or(Error::BufferTooSmall { needed: usize::MAX })?,
        )?;
        let head = frame_len
            .checked_add(WRAP_TOKEN_LEN)
            .ok_or(Error::WrongState)?;
        Ok((frame, frame_len, head))
    }

    /// Protects `data` in place as the Wrap token `fixed | data | pad`:
    /// writes `frame`, the fixed part (`fixed`, 32 bytes after the framing)
    /// and the padding (`pad`, one byte).
    fn seal_split<R: CryptoRng + ?Sized>(
        &mut self,
        rng: &mut R,
        confidential: bool,
        frame: &[u8],
        fixed: &mut [u8],
        data: &mut [u8],
        pad: &mut [u8],
    ) -> Result<()> {
        pad.fill(0x01);
        let seq = self.next_send_seq();
        let mut h = [0xffu8; 8];
        let seal_alg = if confidential {
            SEAL_ALG_RC4
        } else {
            SEAL_ALG_NONE
        };
        concat_into(&mut h, &[&TOK_WRAP, &SGN_ALG_HMAC_MD5, &seal_alg])?;
        let mut confounder = Zeroizing::new([0u8; CONFOUNDER_LEN]);
        rng.fill_bytes(&mut *confounder);
        let cksum = self.checksum(USAGE_WRAP, &[&h, &*confounder, data, pad])?;
        if confidential {
            // One keystream over confounder, data and padding.
            let mut cipher = self.data_cipher(seq);
            cipher.apply(&mut *confounder);
            cipher.apply(data);
            cipher.apply(pad);
        }
        let snd_seq = self.seal_seq(seq, &cksum)?;
        concat_into(fixed, &[frame, &h, &snd_seq, &cksum, &*confounder])?;
        Ok(())
    }

    /// GSS_Wrap in place. The message is at `buf[wrap_header_len(confidential)..]
    /// [..data_len]`; returns the token length, the token being `buf[..len]`.
    pub fn wrap<R: CryptoRng + ?Sized>(
        &mut self,
        rng: &mut R,
        confidential: bool,
        buf: &mut [u8],
        data_len: usize,
    ) -> Result<usize> {
        let needed = WRAP_HEADER_LEN
            .checked_add(data_len)
            .and_then(|n| n.checked_add(WRAP_TRAILER_LEN))
            .ok_or(Error::BufferTooSmall { needed: usize::MAX })?;
        let buf = buf
            .get_mut(..needed)
            .ok_or(Error::BufferTooSmall { needed })?;
        let (frame, frame_len, head) = Rc4Hmac::wrap_framing(data_len)?;
        self.guard(|s| {
            // Move the message down to right after the fixed part under the actual
            // framing. `region` is `shift + data_len` long, so `shift..` is in bounds.
            let shift = WRAP_HEADER_LEN.checked_sub(head).ok_or(Error::WrongState)?;
            let region = buf
                .get_mut(head..WRAP_HEADER_LEN.saturating_add(data_len))
                .ok_or(Error::WrongState)?;
            crate::bytes::shift_to_front(region, shift);
            let total = head
                .checked_add(data_len)
                .and_then(|n| n.checked_add(PAD_LEN))
                .ok_or(Error::WrongState)?;
            let token = buf.get_mut(..total).ok_or(Error::WrongState)?;
            let (fixed, body) = token.split_at_mut_checked(head).ok_or(Error::WrongState)?;
            let (data, pad) = body
                .split_at_mut_checked(data_len)
                .ok_or(Error::WrongState)?;
            let frame = frame.get(..frame_len).ok_or(Error::WrongState)?;
            s.seal_split(rng, confidential, frame, fixed, data, pad)?;
            Ok(total)
        })
    }

    /// GSS_Wrap on a message in `data`, protected (with confidentiality,
    /// encrypted) in place, with the framing and fixed part written to the
    /// front of `header` and the padding to `trailer` (lengths from
    /// [`Rc4Hmac::wrap_iov_lens`]; the header used is shorter for short
    /// messages): the token is `header[..h] | data | trailer[..t]`, `(h, t)`
    /// returned, byte for byte what [`Rc4Hmac::wrap`] emits.
    pub fn wrap_iov<R: CryptoRng + ?Sized>(
        &mut self,
        rng: &mut R,
        confidential: bool,
        _layout: IovLayout,
        header: &mut [u8],
        data: &mut [u8],
        trailer: &mut [u8],
    ) -> Result<(usize, usize)> {
        let (frame, frame_len, head) = Rc4Hmac::wrap_framing(data.len())?;
        let fixed = header
            .get_mut(..head)
            .ok_or(Error::BufferTooSmall { needed: head })?;
        let pad = trailer.get_mut(..PAD_LEN).ok_or(Error::BufferTooSmall {
            needed: WRAP_TRAILER_LEN,
        })?;
        self.guard(|s| {
            let frame = frame.get(..frame_len).ok_or(Error::WrongState)?;
            s.seal_split(rng, confidential, frame, fixed, data, pad)?;
            Ok((head, PAD_LEN))
        })
    }

    /// Verifies (and decrypts in place) the token `fixed | data | pad` whose
    /// framing is checked: `fixed` is the 32 bytes after the framing. An
    /// empty `pad` means the padding ends `data`; returns the message length
    /// in `data` and whether it was sealed. On failure nothing unverified is
    /// left in `data` or `pad`.
    fn open_split(
        &mut self,
        fixed: &[u8],
        data: &mut [u8],
        pad: &mut [u8],
    ) -> Result<(usize, bool)> {
        const WHAT: crate::What = what!("Wrap token");
        let (h, rest) = split8(fixed, WHAT)?;
        let (snd_seq, rest) = split8(rest, WHAT)?;
        let (cksum, rest) = split8(rest, WHAT)?;
        let (confounder, _) = split8(rest, WHAT)?;
        let [t0, t1, g0, g1, e0, e1, f0, f1] = *h;
        if [t0, t1] != TOK_WRAP {
            return Err(Error::Malformed {
                what: what!("GSS token id"),
            });
        }
        if [g0, g1] != SGN_ALG_HMAC_MD5 {
            return Err(Error::Malformed {
                what: what!("Wrap token SGN_ALG"),
            });
        }
        let sealed = match [e0, e1] {
            SEAL_ALG_RC4 => true,
            SEAL_ALG_NONE => false,
            _ => {
                return Err(Error::Malformed {
                    what: what!("Wrap token SEAL_ALG"),
                })
            }
        };
        if [f0, f1] != [0xff; 2] {
            return Err(Error::Malformed {
                what: what!("Wrap token filler"),
            });
        }
        let (seq, dir) = self.open_seq(snd_seq, cksum)?;
        let mut conf = Zeroizing::new(*confounder);
        if sealed {
            let mut cipher = self.data_cipher(seq);
            cipher.apply(&mut *conf);
            cipher.apply(data);
            cipher.apply(pad);
        }
        let checked = (|| {
            let expect = self.checksum(USAGE_WRAP, &[h, &*conf, data, pad])?;
            if !bool::from(expect.as_slice().ct_eq(cksum.as_slice())) {
                return Err(Error::Integrity {
                    what: what!("Wrap token checksum"),
                });
            }
            self.check_direction(dir)?;
            // The padding is the whole trailer, or the end of one buffer.
            let data_len = if pad.is_empty() {
                padding_start(data)?
            } else if padding_start(pad)? == 0 {
                data.len()
            } else {
                return Err(Error::Malformed {
                    what: what!("Wrap token padding"),
                });
            };
            self.check_recv_seq(seq)?;
            Ok(data_len)
        })();
        match checked {
            Ok(data_len) => Ok((data_len, sealed)),
            Err(e) => {
                // Nothing unverified reaches the caller.
                data.zeroize();
                pad.zeroize();
                Err(e)
            }
        }
    }

    /// GSS_Unwrap in place; returns where the message lies in `buf` and whether it
    /// was sealed.
    pub fn unwrap(&mut self, buf: &mut [u8]) -> Result<(Range<usize>, bool)> {
        self.guard(|s| {
            let at = parse_framing(buf, Some(buf.len()))?;
            let start = at.checked_add(WRAP_TOKEN_LEN).ok_or(Error::WrongState)?;
            let (fixed, body) = buf.split_at_mut_checked(start).ok_or(Error::Truncated {
                what: what!("Wrap token"),
            })?;
            let fixed = fixed.get(at..).ok_or(Error::WrongState)?;
            let (data_len, sealed) = s.open_split(fixed, body, &mut [])?;
            Ok((start..start.saturating_add(data_len), sealed))
        })
    }

    /// How to split a received Wrap token for [`Rc4Hmac::unwrap_iov`]: its
    /// header and trailer lengths, from its first bytes (the framing: at most
    /// 17). The trailer is the one byte of padding every known sender writes.
    pub fn unwrap_iov_lens(&self, token: &[u8]) -> Result<(usize, usize)> {
        let at = parse_framing(token, None)?;
        Ok((at.saturating_add(WRAP_TOKEN_LEN), PAD_LEN))
    }

    /// GSS_Unwrap of a token split into `header | data | trailer`: verifies it
    /// and decrypts `data` in place (the message is then all of `data`);
    /// returns whether it was sealed. `header` must be the framing and fixed
    /// part exactly, `trailer` the whole padding (one byte from this module,
    /// MIT and Windows, which pad by the RC4 block size of 1); another split
    /// is [`Error::IovSlices`] (or, for a trailer that is not exactly the
    /// padding, a malformed-padding error). Like `unwrap`, any error fails the
    /// context.
    pub fn unwrap_iov(
        &mut self,
        header: &mut [u8],
        data: &mut [u8],
        trailer: &mut [u8],
    ) -> Result<bool> {
        self.guard(|s| {
            let total = header
                .len()
                .checked_add(data.len())
                .and_then(|n| n.checked_add(trailer.len()))
                .ok_or(Error::WrongState)?;
            let at = parse_framing(header, Some(total))?;
            let fixed = header.get(at..).unwrap_or_default();
            if fixed.len() != WRAP_TOKEN_LEN || trailer.is_empty() {
                return Err(Error::IovSlices {
                    split: IovSplit::new(at.saturating_add(WRAP_TOKEN_LEN), PAD_LEN),
                });
            }
            s.open_split(fixed, data, trailer).map(|(_, sealed)| sealed)
        })
    }
}

/// Checks RFC 1964 padding (1 to 8 bytes, each holding the count) at the end of
/// `body`; returns where it starts.
fn padding_start(body: &[u8]) -> Result<usize> {
    const BAD: Error = Error::Malformed {
        what: what!("Wrap token padding"),
    };
    let &count = body.last().ok_or(BAD)?;
    if count == 0 || count > MAX_PAD {
        return Err(BAD);
    }
    let data_len = body.len().checked_sub(usize::from(count)).ok_or(BAD)?;
    let pad = body.get(data_len..).ok_or(BAD)?;
    if pad.iter().any(|&b| b != count) {
        return Err(BAD);
    }
    Ok(data_len)
}

#[cfg(test)]
mod tests {
    use super::*;

    use hmac::{Hmac, KeyInit, Mac};
    use rc4::{Rc4, StreamCipher};

    use crate::test_rng::Counter;

    const KEY: [u8; 16] = [
        0x3d, 0x0b, 0x6a, 0x81, 0x1c, 0xe0, 0x27, 0x5f, 0x92, 0x44, 0xa8, 0x07, 0xd1, 0x6e, 0x35,
        0xbc,
    ];
    const INI_SEQ: u32 = 0x1234_5678;
    const ACC_SEQ: u32 = 0xfeed_0001;

    fn pair() -> (Rc4Hmac, Rc4Hmac) {
        (
            Rc4Hmac::new(&KEY, true, INI_SEQ, ACC_SEQ).unwrap(),
            Rc4Hmac::new(&KEY, false, ACC_SEQ, INI_SEQ).unwrap(),
        )
    }

    const BUF: usize = 70_000;
    /// A test buffer as long as the longest token these tests build (no heap).
    type TVec = heapless::Vec<u8, BUF>;

    /// Wraps `msg` with a fresh counter RNG (so the confounder is 01..08).
    fn wrap(c: &mut Rc4Hmac, conf: bool, msg: &[u8], buf: &mut [u8]) -> usize {
        let at = c.wrap_header_len(conf);
        buf[at..at + msg.len()].copy_from_slice(msg);
        c.wrap(&mut Counter(0), conf, buf, msg.len()).unwrap()
    }

    fn msg(len: usize) -> [u8; BUF] {
        let mut m = [0u8; BUF];
        for (i, b) in m.iter_mut().enumerate().take(len) {
            *b = (i as u8).wrapping_mul(7).wrapping_add(3);
        }
        m
    }

    /// Message lengths around every DER length-form boundary (OID + token = 44 + len).
    const LENGTHS: [usize; 10] = [0, 1, 7, 8, 83, 84, 211, 212, 65_491, 65_492];

    // ---- An independent transcription of RFC 4757 sections 7.2/7.3 (with the
    // ---- implementations' direction bytes), built on the primitives directly.

    fn spec_hmac(key: &[u8], data: &[&[u8]]) -> [u8; 16] {
        let mut m = <Hmac<Md5> as KeyInit>::new_from_slice(key).unwrap();
        for d in data {
            m.update(d);
        }
        m.finalize().into_bytes().into()
    }

    fn spec_rc4(key: &[u8], data: &mut [u8]) {
        let mut c = Rc4::new_from_slice(key).unwrap();
        c.apply_keystream(data);
    }

    /// Sgn_Cksum = HMAC(Ksign, MD5((int32)usage, header, data))[0..8].
    fn spec_cksum(usage: i32, header: &[u8], data: &[&[u8]]) -> [u8; 8] {
        let ksign = spec_hmac(&KEY, &[b"signaturekey\0"]);
        let mut h = Md5::new();
        h.update(usage.to_le_bytes());
        h.update(header);
        for d in data {
            h.update(d);
        }
        let t: [u8; 16] = h.finalize().into();
        spec_hmac(&ksign, &[&t])[..8].try_into().unwrap()
    }

    /// SND_SEQ = RC4(HMAC(HMAC(Kss, (int32)0), SGN_CKSUM), seq_be | direction).
    fn spec_snd_seq(seq: u32, initiator: bool, cksum: &[u8; 8]) -> [u8; 8] {
        let kseq = spec_hmac(&spec_hmac(&KEY, &[&[0, 0, 0, 0]]), &[cksum]);
        let mut s = [0u8; 8];
        s[..4].copy_from_slice(&seq.to_be_bytes());
        s[4..].fill(if initiator { 0x00 } else { 0xff });
        spec_rc4(&kseq, &mut s);
        s
    }

    fn spec_framing(inner_len: usize) -> TVec {
        let body = inner_len + 11;
        let mut v = TVec::from_slice(&[0x60]).unwrap();
        if body < 128 {
            v.push(body as u8).unwrap();
        } else if body < 256 {
            v.extend([0x81, body as u8]);
        } else if body < 65_536 {
            v.extend([0x82, (body >> 8) as u8, body as u8]);
        } else {
            v.extend([0x83, (body >> 16) as u8, (body >> 8) as u8, body as u8]);
        }
        v.extend([
            0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02,
        ]);
        v
    }

    fn spec_mic(seq: u32, initiator: bool, msg: &[u8]) -> TVec {
        let header = [0x01, 0x01, 0x11, 0x00, 0xff, 0xff, 0xff, 0xff];
        let cksum = spec_cksum(15, &header, &[msg]);
        let mut v = spec_framing(24);
        v.extend(header);
        v.extend(spec_snd_seq(seq, initiator, &cksum));
        v.extend(cksum);
        v
    }

    /// `padded` is the data with its padding already appended.
    fn spec_wrap(
        seq: u32,
        initiator: bool,
        conf: bool,
        confounder: [u8; 8],
        padded: &[u8],
    ) -> TVec {
        let seal = if conf { [0x10, 0x00] } else { [0xff, 0xff] };
        let header = [0x02, 0x01, 0x11, 0x00, seal[0], seal[1], 0xff, 0xff];
        let cksum = spec_cksum(13, &header, &[&confounder, padded]);
        let mut sealed = TVec::new();
        sealed.extend(confounder);
        sealed.extend(padded.iter().copied());
        if conf {
            let klocal: TVec = KEY.iter().map(|b| b ^ 0xf0).collect();
            let kcrypt = spec_hmac(&spec_hmac(&klocal, &[&[0, 0, 0, 0]]), &[&seq.to_be_bytes()]);
            spec_rc4(&kcrypt, &mut sealed);
        }
        let mut v = spec_framing(32 + padded.len());
        v.extend(header);
        v.extend(spec_snd_seq(seq, initiator, &cksum));
        v.extend(cksum);
        v.extend(sealed);
        v
    }

    #[test]
    fn mic_matches_rfc4757_section_7_2_construction() {
        let (mut ini, mut acc) = pair();
        let mut tok = [0u8; MIC_LEN];
        for (i, m) in [&b""[..], b"x", b"a message to sign"].iter().enumerate() {
            let n = ini.get_mic(m, &mut tok).unwrap();
            assert_eq!(n, 37);
            assert_eq!(tok[..], spec_mic(INI_SEQ + i as u32, true, m)[..]);
            let n = acc.get_mic(m, &mut tok).unwrap();
            assert_eq!(tok[..n], spec_mic(ACC_SEQ + i as u32, false, m)[..]);
        }
        // The fixed bytes, spelled out: framing, TOK_ID, SGN_ALG, filler.
        assert_eq!(
            tok[..21],
            hex_literal::hex!("60 23 06 09 2a 86 48 86 f7 12 01 02 02 01 01 11 00 ff ff ff ff")
        );
    }

    #[test]
    fn wrap_matches_rfc4757_section_7_3_construction() {
        let mut buf = [0u8; BUF];
        for conf in [true, false] {
            let (mut ini, mut acc) = pair();
            for (i, &len) in LENGTHS.iter().enumerate() {
                let m = msg(len);
                // Counter(0) yields the confounder 01 02 .. 08.
                let confounder = [1, 2, 3, 4, 5, 6, 7, 8];
                let mut padded = TVec::from_slice(&m[..len]).unwrap();
                padded.push(0x01).unwrap();
                let n = wrap(&mut ini, conf, &m[..len], &mut buf);
                let expect = spec_wrap(INI_SEQ + i as u32, true, conf, confounder, &padded);
                assert_eq!(n, expect.len(), "len {len}");
                assert!(buf[..n] == expect[..], "initiator token differs, len {len}");
                let n = wrap(&mut acc, conf, &m[..len], &mut buf);
                let expect = spec_wrap(ACC_SEQ + i as u32, false, conf, confounder, &padded);
                assert!(buf[..n] == expect[..], "acceptor token differs, len {len}");
            }
        }
    }

    #[test]
    fn mic_round_trips_both_ways() {
        let (mut ini, mut acc) = pair();
        let mut tok = [0u8; MIC_LEN];
        for len in [0, 1, 16, 100, 4096] {
            let m = msg(len);
            let n = ini.get_mic(&m[..len], &mut tok).unwrap();
            acc.verify_mic(&m[..len], &tok[..n]).unwrap();
            let n = acc.get_mic(&m[..len], &mut tok).unwrap();
            ini.verify_mic(&m[..len], &tok[..n]).unwrap();
        }
    }

    #[test]
    fn wrap_round_trips_both_ways() {
        let mut buf = [0u8; BUF];
        let (mut ini, mut acc) = pair();
        for conf in [true, false] {
            for len in LENGTHS {
                let m = msg(len);
                let n = wrap(&mut ini, conf, &m[..len], &mut buf);
                assert_eq!(n, spec_framing(32 + len + 1).len() + 32 + len + 1);
                if conf && len > 8 {
                    assert!(
                        buf[..n].windows(8).all(|w| w != &m[..8]),
                        "plaintext visible"
                    );
                }
                let (r, sealed) = acc.unwrap(&mut buf[..n]).unwrap();
                assert_eq!(sealed, conf);
                assert!(buf[r] == m[..len], "len {len}");
                let n = wrap(&mut acc, conf, &m[..len], &mut buf);
                let (r, sealed) = ini.unwrap(&mut buf[..n]).unwrap();
                assert_eq!(sealed, conf);
                assert!(buf[r] == m[..len], "len {len}");
            }
        }
    }

    #[test]
    fn mic_and_wrap_interleave_on_one_sequence() {
        let (mut ini, mut acc) = pair();
        let mut tok = [0u8; MIC_LEN];
        let mut buf = [0u8; 256];
        let n = ini.get_mic(b"one", &mut tok).unwrap();
        acc.verify_mic(b"one", &tok[..n]).unwrap();
        let n = wrap(&mut ini, true, b"two", &mut buf);
        acc.unwrap(&mut buf[..n]).unwrap();
        let n = ini.get_mic(b"three", &mut tok).unwrap();
        acc.verify_mic(b"three", &tok[..n]).unwrap();
    }

    #[test]
    fn every_flipped_byte_fails_and_the_context_stays_failed() {
        let (mut ini, _) = pair();
        let mut tok = [0u8; MIC_LEN];
        let n = ini.get_mic(b"message", &mut tok).unwrap();
        for i in 0..n {
            let (_, mut acc) = pair();
            let mut t = tok;
            t[i] ^= 0x01;
            assert!(acc.verify_mic(b"message", &t[..n]).is_err(), "flip at {i}");
            assert_eq!(
                acc.verify_mic(b"message", &tok[..n]),
                Err(Error::WrongState)
            );
        }
        for i in 0..7 {
            let (_, mut acc) = pair();
            let mut m = *b"message";
            m[i] ^= 0x80;
            assert!(matches!(
                acc.verify_mic(&m, &tok[..n]),
                Err(Error::Integrity { .. })
            ));
        }
        for conf in [true, false] {
            let (mut ini, _) = pair();
            let mut buf = [0u8; 128];
            let n = wrap(&mut ini, conf, b"payload bytes", &mut buf);
            for i in 0..n {
                let (_, mut acc) = pair();
                let mut t = buf;
                t[i] ^= 0x01;
                assert!(acc.unwrap(&mut t[..n]).is_err(), "flip at {i} accepted");
                let mut t = buf;
                assert_eq!(acc.unwrap(&mut t[..n]), Err(Error::WrongState));
            }
        }
    }

    #[test]
    fn failed_unwrap_leaves_no_plaintext() {
        let (mut ini, mut acc) = pair();
        let mut buf = [0u8; 128];
        let n = wrap(&mut ini, true, b"secret secret secret", &mut buf);
        buf[n - 1] ^= 0x01;
        assert!(acc.unwrap(&mut buf[..n]).is_err());
        assert!(buf[45..n].iter().all(|&b| b == 0));
    }

    #[test]
    fn replay_and_gap_are_detected() {
        let (mut ini, mut acc) = pair();
        let mut buf = [0u8; 128];
        let n = wrap(&mut ini, true, b"first", &mut buf);
        let first = buf;
        let mut t = first;
        acc.unwrap(&mut t[..n]).unwrap();
        let mut t = first;
        assert_eq!(acc.unwrap(&mut t[..n]), Err(Error::Replay));

        let (mut ini, mut acc) = pair();
        let _ = wrap(&mut ini, false, b"lost", &mut buf);
        let n = wrap(&mut ini, false, b"second", &mut buf);
        assert_eq!(acc.unwrap(&mut buf[..n]), Err(Error::OutOfSequence));

        let (mut ini, mut acc) = pair();
        let mut tok = [0u8; MIC_LEN];
        let n = ini.get_mic(b"m", &mut tok).unwrap();
        let old = tok;
        acc.verify_mic(b"m", &old[..n]).unwrap();
        assert_eq!(acc.verify_mic(b"m", &old[..n]), Err(Error::Replay));
        let (mut ini, mut acc) = pair();
        let _ = ini.get_mic(b"m", &mut tok).unwrap();
        let n = ini.get_mic(b"m", &mut tok).unwrap();
        assert_eq!(acc.verify_mic(b"m", &tok[..n]), Err(Error::OutOfSequence));
    }

    #[test]
    fn sequence_numbers_wrap_at_32_bits() {
        let mut ini = Rc4Hmac::new(&KEY, true, u32::MAX, 0).unwrap();
        let mut acc = Rc4Hmac::new(&KEY, false, 0, u32::MAX).unwrap();
        let mut tok = [0u8; MIC_LEN];
        let n = ini.get_mic(b"a", &mut tok).unwrap();
        let at_max = tok;
        acc.verify_mic(b"a", &tok[..n]).unwrap();
        let n = ini.get_mic(b"b", &mut tok).unwrap();
        assert_eq!(tok[..n], spec_mic(0, true, b"b")[..]);
        acc.verify_mic(b"b", &tok[..n]).unwrap();
        // u32::MAX is now one behind 0: a replay, not a token from the future.
        assert_eq!(acc.verify_mic(b"a", &at_max[..n]), Err(Error::Replay));
    }

    #[test]
    fn reflected_tokens_fail_integrity() {
        let (mut ini, mut acc) = pair();
        let mut tok = [0u8; MIC_LEN];
        let n = ini.get_mic(b"m", &mut tok).unwrap();
        let mut me = Rc4Hmac::new(&KEY, true, 0, INI_SEQ).unwrap();
        assert!(matches!(
            me.verify_mic(b"m", &tok[..n]),
            Err(Error::Integrity { .. })
        ));
        for conf in [true, false] {
            let mut buf = [0u8; 128];
            let n = wrap(&mut acc, conf, b"to the initiator", &mut buf);
            let mut me = Rc4Hmac::new(&KEY, false, 0, ACC_SEQ).unwrap();
            let mut t = buf;
            assert!(matches!(
                me.unwrap(&mut t[..n]),
                Err(Error::Integrity { .. })
            ));
        }
    }

    #[test]
    fn truncated_or_extended_tokens_fail_without_panic() {
        let (mut ini, _) = pair();
        let mut tok = [0u8; MIC_LEN + 1];
        let n = ini.get_mic(b"m", &mut tok).unwrap();
        for i in 0..=n + 1 {
            if i == n {
                continue;
            }
            let (_, mut acc) = pair();
            assert!(acc.verify_mic(b"m", &tok[..i]).is_err(), "length {i}");
        }
        for conf in [true, false] {
            for len in [0, 5, 120] {
                let mut buf = [0u8; 256];
                let (mut ini, _) = pair();
                let n = wrap(&mut ini, conf, &msg(len)[..len], &mut buf);
                for i in 0..=n + 1 {
                    if i == n {
                        continue;
                    }
                    let (_, mut acc) = pair();
                    let mut t = buf;
                    assert!(acc.unwrap(&mut t[..i]).is_err(), "length {i}");
                }
            }
        }
    }

    #[test]
    fn framing_is_strict_der() {
        let (mut ini, _) = pair();
        let mut tok = [0u8; MIC_LEN];
        ini.get_mic(b"m", &mut tok).unwrap();
        // Non-minimal long form of the same length.
        let mut long = heapless::Vec::<u8, 64>::from_slice(&[0x60, 0x81]).unwrap();
        long.extend_from_slice(&tok[1..]).unwrap();
        // Indefinite length.
        let mut indefinite = heapless::Vec::<u8, 64>::from_slice(&tok).unwrap();
        indefinite[1] = 0x80;
        // A wrong tag and a wrong OID.
        let mut tag = heapless::Vec::<u8, 64>::from_slice(&tok).unwrap();
        tag[0] = 0x61;
        let mut oid = heapless::Vec::<u8, 64>::from_slice(&tok).unwrap();
        oid[12] = 0x03;
        for bad in [long, indefinite, tag, oid] {
            let (_, mut acc) = pair();
            assert!(
                matches!(acc.verify_mic(b"m", &bad), Err(Error::Malformed { .. })),
                "{bad:02x?}"
            );
        }
        let (_, mut acc) = pair();
        acc.verify_mic(b"m", &tok).unwrap();
    }

    #[test]
    fn rfc1964_padding_of_any_valid_length_is_accepted() {
        for conf in [true, false] {
            for pad in 1..=8u8 {
                let mut t = TVec::from_slice(b"padded data").unwrap();
                t.extend(core::iter::repeat_n(pad, usize::from(pad)));
                let mut tok = spec_wrap(INI_SEQ, true, conf, [9; 8], &t);
                let (_, mut acc) = pair();
                let (r, sealed) = acc.unwrap(&mut tok).unwrap();
                assert_eq!(sealed, conf);
                assert_eq!(&tok[r], b"padded data");
            }
        }
    }

    #[test]
    fn bad_padding_is_rejected() {
        for padded in [
            &b"data\x00"[..],
            b"data\x09\x09\x09\x09\x09\x09\x09\x09\x09",
            b"dat\x01\x02",
            b"\x03\x03",
            b"",
        ] {
            let mut tok = spec_wrap(INI_SEQ, true, true, [9; 8], padded);
            let (_, mut acc) = pair();
            assert_eq!(
                acc.unwrap(&mut tok),
                Err(Error::Malformed {
                    what: what!("Wrap token padding")
                }),
                "{padded:02x?}"
            );
        }
    }

    #[test]
    fn short_buffers_do_not_fail_the_context() {
        let (mut ini, mut acc) = pair();
        let mut small = [0u8; MIC_LEN - 1];
        assert_eq!(
            ini.get_mic(b"m", &mut small),
            Err(Error::BufferTooSmall { needed: MIC_LEN })
        );
        let mut buf = [0u8; 60];
        assert_eq!(
            ini.wrap(&mut Counter(0), true, &mut buf, 11),
            Err(Error::BufferTooSmall { needed: 61 })
        );
        assert_eq!(
            ini.wrap(&mut Counter(0), true, &mut buf, usize::MAX),
            Err(Error::BufferTooSmall { needed: usize::MAX })
        );
        let n = wrap(&mut ini, true, b"still fine", &mut buf[..]);
        let (r, _) = acc.unwrap(&mut buf[..n]).unwrap();
        assert_eq!(&buf[r], b"still fine");
    }

    #[test]
    fn framing_lengths() {
        for (tok_len, prefix) in [(24, 13), (116, 13), (117, 14), (244, 14), (245, 15)] {
            let (f, used) = framing(tok_len).unwrap();
            assert_eq!(used, prefix, "token {tok_len}");
            assert_eq!(f[..used], spec_framing(tok_len)[..]);
            let mut whole = TVec::from_slice(&f[..used]).unwrap();
            whole.resize(used + tok_len, 0).unwrap();
            assert_eq!(parse_framing(&whole, Some(whole.len())), Ok(used));
        }
        assert_eq!(
            framing(u32::MAX as usize),
            Err(Error::CapacityExceeded {
                what: what!("GSS token length")
            })
        );
    }

    // ---- IOV form ----

    /// The lengths plus the framing's DER length-form boundaries.
    const IOV_LENGTHS: [usize; 13] = [0, 1, 15, 16, 17, 31, 32, 33, 83, 84, 211, 212, 1000];
    const LAYOUTS: [IovLayout; 2] = [IovLayout::Trailer, IovLayout::Rotated];

    struct Iov {
        header: [u8; WRAP_HEADER_LEN],
        h: usize,
        data: [u8; 1000],
        n: usize,
        trailer: [u8; 4],
        t: usize,
    }

    impl Iov {
        fn wrap(c: &mut Rc4Hmac, conf: bool, layout: IovLayout, m: &[u8]) -> Iov {
            let mut iov = Iov {
                header: [0xee; WRAP_HEADER_LEN],
                h: 0,
                data: [0; 1000],
                n: m.len(),
                trailer: [0xee; 4],
                t: 0,
            };
            iov.data[..m.len()].copy_from_slice(m);
            (iov.h, iov.t) = c
                .wrap_iov(
                    &mut Counter(0),
                    conf,
                    layout,
                    &mut iov.header,
                    &mut iov.data[..m.len()],
                    &mut iov.trailer,
                )
                .unwrap();
            iov
        }

        fn split(tok: &[u8], h: usize, t: usize) -> Iov {
            let n = tok.len() - h - t;
            let mut iov = Iov {
                header: [0; WRAP_HEADER_LEN],
                h,
                data: [0; 1000],
                n,
                trailer: [0; 4],
                t,
            };
            iov.header[..h].copy_from_slice(&tok[..h]);
            iov.data[..n].copy_from_slice(&tok[h..h + n]);
            iov.trailer[..t].copy_from_slice(&tok[h + n..]);
            iov
        }

        fn token(&self) -> TVec {
            let mut t = TVec::from_slice(&self.header[..self.h]).unwrap();
            t.extend_from_slice(&self.data[..self.n]).unwrap();
            t.extend_from_slice(&self.trailer[..self.t]).unwrap();
            t
        }

        fn unwrap(&mut self, c: &mut Rc4Hmac) -> Result<bool> {
            c.unwrap_iov(
                &mut self.header[..self.h],
                &mut self.data[..self.n],
                &mut self.trailer[..self.t],
            )
        }
    }

    #[test]
    fn iov_tokens_are_the_in_place_tokens_and_cross_unwrap() {
        let mut buf = [0u8; 1200];
        for conf in [true, false] {
            for layout in LAYOUTS {
                for len in IOV_LENGTHS {
                    let m = msg(len);
                    let m = &m[..len];
                    let (mut ini, mut acc) = pair();
                    let (mut ini2, mut acc2) = pair();
                    assert_eq!(ini.wrap_iov_lens(conf, layout), (WRAP_HEADER_LEN, 1));
                    let n = wrap(&mut ini, conf, m, &mut buf);
                    let mut iov = Iov::wrap(&mut ini2, conf, layout, m);
                    // Same RNG output, same token; the header is what precedes the data.
                    assert_eq!(iov.token(), buf[..n], "{conf} {len}");
                    assert_eq!((iov.h, iov.t), (n - len - 1, 1));
                    assert_eq!(iov.h, spec_framing(32 + len + 1).len() + 32);
                    if conf && len > 0 {
                        assert_ne!(&iov.data[..len], m);
                    }
                    let mut tok = iov.token();
                    let (r, sealed) = acc.unwrap(&mut tok).unwrap();
                    assert_eq!((&tok[r], sealed), (m, conf));
                    assert_eq!(iov.unwrap(&mut acc2), Ok(conf));
                    assert_eq!(&iov.data[..len], m);

                    // From an in-place sender.
                    let n = wrap(&mut acc, conf, m, &mut buf);
                    // The split a receiver reads off the token's framing.
                    assert_eq!(ini.unwrap_iov_lens(&buf[..17]), Ok((n - len - 1, 1)));
                    let mut split = Iov::split(&buf[..n], n - len - 1, 1);
                    assert_eq!(split.unwrap(&mut ini), Ok(conf));
                    assert_eq!(&split.data[..len], m);
                }
            }
        }
    }

    #[test]
    fn any_flipped_byte_in_any_iov_slice_is_refused() {
        for conf in [true, false] {
            let m = msg(17);
            let good = Iov::wrap(&mut pair().0, conf, IovLayout::Trailer, &m[..17]);
            let total = good.h + good.n + good.t;
            for i in 0..total {
                let mut bad = Iov { ..good };
                let byte = if i < good.h {
                    &mut bad.header[i]
                } else if i < good.h + good.n {
                    &mut bad.data[i - good.h]
                } else {
                    &mut bad.trailer[i - good.h - good.n]
                };
                *byte ^= 0x01;
                let (_, mut acc) = pair();
                assert!(bad.unwrap(&mut acc).is_err(), "flip at {i}");
                // Nothing unverified is released as plaintext.
                if conf {
                    assert_ne!(&bad.data[..17], &m[..17]);
                }
                assert_eq!(Iov { ..good }.unwrap(&mut acc), Err(Error::WrongState));
            }
            let (_, mut acc) = pair();
            assert_eq!(Iov { ..good }.unwrap(&mut acc), Ok(conf));
            assert_eq!(Iov { ..good }.unwrap(&mut acc), Err(Error::Replay));
        }
    }

    #[test]
    fn wrong_iov_slices_are_typed_errors() {
        let (mut ini, mut acc) = pair();
        let mut data = *b"data";
        let mut header = [0u8; WRAP_HEADER_LEN];
        let mut trailer = [0u8; 1];
        // "data": short-form framing, 2 + 11 + 32 bytes of header.
        for (h, t, needed) in [(44, 1, 45), (WRAP_HEADER_LEN, 0, 1)] {
            assert_eq!(
                ini.wrap_iov(
                    &mut Counter(0),
                    true,
                    IovLayout::Trailer,
                    &mut header[..h],
                    &mut data,
                    &mut trailer[..t]
                ),
                Err(Error::BufferTooSmall { needed })
            );
        }
        // Refused sizes consumed no sequence number nor failed the context.
        let good = Iov::wrap(&mut ini, true, IovLayout::Rotated, b"data");
        assert_eq!(good.h, 45);
        assert_eq!(Iov { ..good }.unwrap(&mut acc), Ok(true));

        let good = Iov::wrap(&mut pair().0, true, IovLayout::Trailer, b"data");
        let tok = good.token();
        let want = Err(Error::IovSlices {
            split: IovSplit::new(45, 1),
        });
        for (h, t) in [(46, 1), (44, 1), (45, 0)] {
            let (_, mut acc) = pair();
            assert_eq!(Iov::split(&tok, h, t).unwrap(&mut acc), want, "{h} {t}");
        }
        // A trailer that is not exactly the padding.
        let (_, mut acc) = pair();
        assert_eq!(
            Iov::split(&tok, 45, 2).unwrap(&mut acc),
            Err(Error::Malformed {
                what: what!("Wrap token padding")
            })
        );
    }
}
