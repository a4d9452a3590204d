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
//!
//! The IOV form (`wrap_iov`/`unwrap_iov`) keeps the message in its own slice:
//! with [`IovLayout::Trailer`] the header slice holds the token header and the
//! confounder's ciphertext and the trailer the rest (RRC 0: the in-place
//! token); with [`IovLayout::Rotated`] everything sits in the header, RRC
//! saying so. The cipher and MACs run across the slices, so nothing is
//! gathered into one buffer.

use core::ops::Range;

use rand_core::CryptoRng;
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::crypto::iov::Segments;
use crate::crypto::{Deriver, Etype, Key, KeysRef, Subkey, MAX_CHECKSUM_LEN, MAX_KEY_LEN};
use crate::gss::IovLayout;
use crate::{Error, IovSplit, Result};

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
struct SealKeys {
    ke: [u8; MAX_KEY_LEN],
    ki: [u8; MAX_KEY_LEN],
    kc: [u8; MAX_KEY_LEN],
}
crate::crypto::wipe_fields!(SealKeys { ke, ki, kc });

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
pub struct Cfx {
    etype: Etype,
    seal_out: SealKeys,
    seal_in: SealKeys,
    /// Kc of our sign usage (`out`) and of the peer's (`inn`).
    sign: SignKeys,
    /// Flags of our tokens: sent-by-acceptor when we accept, acceptor-subkey when in use.
    out_flags: u8,
    send_seq: u64,
    recv_seq: u64,
    failed: bool,
}

/// Sign keys held apart from the seal keys' struct, wiped as they are (see
/// `crypto::wipe_fields`).
struct SignKeys {
    out: [u8; MAX_KEY_LEN],
    inn: [u8; MAX_KEY_LEN],
}
crate::crypto::wipe_fields!(SignKeys { out, inn });

// The keys through `wipe_fields`; the sequence numbers too, as the derive did.
impl Zeroize for Cfx {
    fn zeroize(&mut self) {
        self.seal_out.zeroize();
        self.seal_in.zeroize();
        self.sign.zeroize();
        self.out_flags.zeroize();
        self.send_seq.zeroize();
        self.recv_seq.zeroize();
        self.failed.zeroize();
    }
}

impl Drop for Cfx {
    fn drop(&mut self) {
        self.zeroize();
    }
}

impl ZeroizeOnDrop for Cfx {}

impl Cfx {
    /// Per-message state for one side. `key` is the context key: the acceptor's
    /// subkey when `acceptor_subkey`, else the initiator's subkey or the ticket's
    /// session key. Sequence numbers start at the values exchanged in the
    /// authenticator and AP-REP. Only the AES etypes have RFC 4121 tokens;
    /// another key is [`Error::UnsupportedEtype`].
    pub fn new(
        key: &Key,
        initiator: bool,
        acceptor_subkey: bool,
        send_seq: u64,
        recv_seq: u64,
    ) -> Result<Cfx> {
        let mut cfx = Cfx::UNKEYED;
        cfx.key(key, initiator, acceptor_subkey, send_seq, recv_seq)?;
        Ok(cfx)
    }

    /// A context with no keys, failed until [`Cfx::key`] succeeds.
    pub(crate) const UNKEYED: Cfx = Cfx {
        etype: Etype::Aes256CtsHmacSha196,
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
        sign: SignKeys {
            out: NO_KEY,
            inn: NO_KEY,
        },
        out_flags: 0,
        send_seq: 0,
        recv_seq: 0,
        failed: true,
    };

    /// [`Cfx::new`] where the context lies: the keys are derived straight
    /// into its storage, not built elsewhere and moved through return
    /// values. On error the context stays failed.
    // Out of line: inlined into the krb5 context setup it cost 440 B of
    // thumbv7em flash (boards/footprint.py).
    #[inline(never)]
    pub(crate) fn key(
        &mut self,
        key: &Key,
        initiator: bool,
        acceptor_subkey: bool,
        send_seq: u64,
        recv_seq: u64,
    ) -> Result<()> {
        self.failed = true;
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
        self.etype = etype;
        self.out_flags = out_flags;
        self.send_seq = send_seq;
        self.recv_seq = recv_seq;
        let u = self.usages();
        let d = Deriver::new(key)?;
        let (out, inn, sign) = (&mut self.seal_out, &mut self.seal_in, &mut self.sign);
        d.derive(&mut [
            d.job(u.seal_out, Subkey::Encryption, &mut out.ke)?,
            d.job(u.seal_out, Subkey::Integrity, &mut out.ki)?,
            d.job(u.seal_out, Subkey::Checksum, &mut out.kc)?,
            d.job(u.seal_in, Subkey::Encryption, &mut inn.ke)?,
            d.job(u.seal_in, Subkey::Integrity, &mut inn.ki)?,
            d.job(u.seal_in, Subkey::Checksum, &mut inn.kc)?,
            d.job(u.sign_out, Subkey::Checksum, &mut sign.out)?,
            d.job(u.sign_in, Subkey::Checksum, &mut sign.inn)?,
        ])?;
        self.failed = false;
        Ok(())
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
                what: what!("GSS token id"),
            });
        }
        if tok == TOK_MIC {
            if [filler, e0, e1, r0, r1] != [0xff; 5] {
                return Err(Error::Malformed {
                    what: what!("MIC token filler"),
                });
            }
        } else if filler != 0xff {
            return Err(Error::Malformed {
                what: what!("Wrap token filler"),
            });
        }
        // The peer's tokens carry the opposite direction bit from ours.
        let expect_acceptor = self.out_flags & FLAG_SENT_BY_ACCEPTOR == 0;
        if (flags & FLAG_SENT_BY_ACCEPTOR != 0) != expect_acceptor {
            return Err(Error::Integrity {
                what: what!("token direction (reflected token)"),
            });
        }
        if flags & FLAG_ACCEPTOR_SUBKEY != self.out_flags & FLAG_ACCEPTOR_SUBKEY {
            return Err(Error::Malformed {
                what: what!("acceptor-subkey flag"),
            });
        }
        if flags & !(FLAG_SENT_BY_ACCEPTOR | FLAG_SEALED | FLAG_ACCEPTOR_SUBKEY) != 0 {
            return Err(Error::Malformed {
                what: what!("GSS token flags"),
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
            s.sign_keys(&s.sign.out, s.usages().sign_out)
                .checksum(&[msg, &h], cksum)?;
            Ok(len)
        })
    }

    /// GSS_VerifyMIC: checks `token` over `msg`, in sequence.
    pub fn verify_mic(&mut self, msg: &[u8], token: &[u8]) -> Result<()> {
        self.guard(|s| {
            let (h, cksum) = token
                .split_first_chunk::<HEADER_LEN>()
                .ok_or(Error::Truncated {
                    what: what!("MIC token"),
                })?;
            let (_, _, _, seq) = s.parse_header(TOK_MIC, h)?;
            if cksum.len() != s.checksum_len() {
                return Err(Error::Malformed {
                    what: what!("MIC token length"),
                });
            }
            s.sign_keys(&s.sign.inn, s.usages().sign_in)
                .verify_checksum(&[msg, h], cksum)?;
            s.check_recv_seq(seq)
        })
    }

    /// Header and trailer lengths of an IOV Wrap token in `layout` (the same
    /// for every message: fit for static buffers).
    pub fn wrap_iov_lens(&self, confidential: bool, layout: IovLayout) -> (usize, usize) {
        let (header, trailer) = (
            self.wrap_header_len(confidential),
            self.wrap_trailer_len(confidential),
        );
        match layout {
            IovLayout::Trailer => (header, trailer),
            IovLayout::Rotated => (header.saturating_add(trailer), 0),
        }
    }

    /// Length of what the RRC-0 token carries after the message: the
    /// encrypted filler, header copy and MAC, or the checksum.
    fn back_len(&self, sealed: bool, ec: usize) -> usize {
        if sealed {
            ec.saturating_add(HEADER_LEN)
                .saturating_add(self.etype.trailer_len())
        } else {
            self.checksum_len()
        }
    }

    /// Protects `data` in place as the Wrap token `head | front | data | back`
    /// with RRC 0 (`rrc` only goes into the header: the caller placed `back`
    /// where that rotation puts it). `front` is the confounder's slot when
    /// `confidential`, else empty.
    #[allow(clippy::too_many_arguments)]
    fn seal_split<R: CryptoRng + ?Sized>(
        &mut self,
        rng: &mut R,
        confidential: bool,
        rrc: u16,
        head: &mut [u8],
        front: &mut [u8],
        data: &mut [u8],
        back: &mut [u8],
    ) -> Result<()> {
        let seq = self.next_send_seq();
        let (flags, ec) = if confidential {
            // EC = 0: CTS needs no filler.
            (self.out_flags | FLAG_SEALED, 0)
        } else {
            let ec = u16::try_from(self.checksum_len()).map_err(|_| Error::WrongState)?;
            (self.out_flags, ec)
        };
        head.copy_from_slice(&Cfx::header(TOK_WRAP, flags, ec, rrc, seq));
        // The encrypted copy, and the header the checksum covers, have EC
        // (without confidentiality) and RRC zeroed.
        let inner = Cfx::header(TOK_WRAP, flags, 0, 0, seq);
        if confidential {
            let (copy, mac) = back
                .split_at_mut_checked(HEADER_LEN)
                .ok_or(Error::WrongState)?;
            copy.copy_from_slice(&inner);
            self.seal_out()
                .seal_segments(rng, &mut Segments::new(front, data, copy), mac)
        } else {
            // Wrap tokens use the SEAL usage with or without confidentiality
            // (as MIT and Heimdal do); SIGN is for MIC tokens only.
            self.seal_out().checksum(&[data, &inner], back).map(|_| ())
        }
    }

    /// Verifies (and decrypts in place) the RRC-0 token `h | front | data |
    /// back` whose header fields are already parsed; returns whether it was
    /// sealed.
    fn open_split(
        &mut self,
        h: &[u8; HEADER_LEN],
        (flags, ec, seq): (u8, usize, u64),
        front: &mut [u8],
        data: &mut [u8],
        back: &mut [u8],
    ) -> Result<bool> {
        if flags & FLAG_SEALED != 0 {
            let (tail, mac) = back
                .split_at_mut_checked(ec.saturating_add(HEADER_LEN))
                .ok_or(Error::Truncated {
                    what: what!("Wrap token"),
                })?;
            let mut body = Segments::new(front, data, tail);
            self.seal_in().open_segments(&mut body, mac)?;
            // The encrypted header copy must match, RRC aside (it is 0 inside).
            let mut expect = *h;
            let [.., r0, r1, _, _, _, _, _, _, _, _] = &mut expect;
            (*r0, *r1) = (0, 0);
            let [_, _, tail] = body.parts();
            if !bool::from(tail.get(ec..).unwrap_or_default().ct_eq(&expect)) {
                body.zeroize();
                return Err(Error::Integrity {
                    what: what!("Wrap token header copy"),
                });
            }
            self.check_recv_seq(seq)?;
            Ok(true)
        } else {
            if ec != self.checksum_len() {
                return Err(Error::Malformed {
                    what: what!("Wrap token EC"),
                });
            }
            let mut signed = *h;
            let [.., e0, e1, r0, r1, _, _, _, _, _, _, _, _] = &mut signed;
            (*e0, *e1, *r0, *r1) = (0, 0, 0, 0);
            self.seal_in().verify_checksum(&[data, &signed], back)?;
            self.check_recv_seq(seq)?;
            Ok(false)
        }
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
        let header_len = self.wrap_header_len(confidential);
        let total = header_len
            .checked_add(data_len)
            .and_then(|n| n.checked_add(self.wrap_trailer_len(confidential)))
            .ok_or(Error::BufferTooSmall { needed: usize::MAX })?;
        let buf = buf
            .get_mut(..total)
            .ok_or(Error::BufferTooSmall { needed: total })?;
        self.guard(|s| {
            let (header, rest) = buf
                .split_at_mut_checked(header_len)
                .ok_or(Error::WrongState)?;
            let (head, front) = header
                .split_at_mut_checked(HEADER_LEN)
                .ok_or(Error::WrongState)?;
            let (data, back) = rest
                .split_at_mut_checked(data_len)
                .ok_or(Error::WrongState)?;
            s.seal_split(rng, confidential, 0, head, front, data, back)?;
            Ok(total)
        })
    }

    /// GSS_Wrap on a message in `data`, protected in place, with the rest of
    /// the token written to the front of `header` and of `trailer` (lengths
    /// from [`Cfx::wrap_iov_lens`]; longer slices are fine): the token is
    /// `header[..h] | data | trailer[..t]`, `(h, t)` returned. With
    /// [`IovLayout::Trailer`] it is byte for byte what [`Cfx::wrap`] emits
    /// (RRC 0); with [`IovLayout::Rotated`] the same token rotated as its RRC
    /// says.
    pub fn wrap_iov<R: CryptoRng + ?Sized>(
        &mut self,
        rng: &mut R,
        confidential: bool,
        layout: IovLayout,
        header: &mut [u8],
        data: &mut [u8],
        trailer: &mut [u8],
    ) -> Result<(usize, usize)> {
        let (header_len, trailer_len) = self.wrap_iov_lens(confidential, layout);
        let header = header
            .get_mut(..header_len)
            .ok_or(Error::BufferTooSmall { needed: header_len })?;
        let trailer = trailer
            .get_mut(..trailer_len)
            .ok_or(Error::BufferTooSmall {
                needed: trailer_len,
            })?;
        let back_len = self.wrap_trailer_len(confidential);
        let rrc = match layout {
            IovLayout::Trailer => 0,
            IovLayout::Rotated => u16::try_from(back_len).map_err(|_| Error::WrongState)?,
        };
        self.guard(|s| {
            let (head, rest) = header
                .split_at_mut_checked(HEADER_LEN)
                .ok_or(Error::WrongState)?;
            let (back, front) = match layout {
                IovLayout::Trailer => (trailer, rest),
                IovLayout::Rotated => rest
                    .split_at_mut_checked(back_len)
                    .ok_or(Error::WrongState)?,
            };
            s.seal_split(rng, confidential, rrc, head, front, data, back)?;
            Ok((header_len, trailer_len))
        })
    }

    /// Parses a Wrap token header: (header, (flags, EC, sequence number), RRC,
    /// bytes between header and message).
    #[allow(clippy::type_complexity)]
    fn parse_wrap(&self, token: &[u8]) -> Result<([u8; HEADER_LEN], (u8, usize, u64), u16, usize)> {
        let h = *token.first_chunk::<HEADER_LEN>().ok_or(Error::Truncated {
            what: what!("Wrap token"),
        })?;
        let (flags, ec, rrc, seq) = self.parse_header(TOK_WRAP, &h)?;
        let front = if flags & FLAG_SEALED != 0 {
            self.etype.confounder_len()
        } else {
            0
        };
        Ok((h, (flags, usize::from(ec), seq), rrc, front))
    }

    /// GSS_Unwrap in place; returns where the message lies in `buf` and whether it
    /// was sealed.
    pub fn unwrap(&mut self, buf: &mut [u8]) -> Result<(Range<usize>, bool)> {
        self.guard(|s| {
            let (h, fields, rrc, front_len) = s.parse_wrap(buf)?;
            let back_len = s.back_len(fields.0 & FLAG_SEALED != 0, fields.1);
            let (_, body) = buf
                .split_at_mut_checked(HEADER_LEN)
                .ok_or(Error::WrongState)?;
            // Undo the sender's right rotation (RFC 4121 section 4.2.5).
            if let Some(shift) = usize::from(rrc).checked_rem(body.len()) {
                crate::bytes::rotate_left(body, shift);
            }
            let data_len = body
                .len()
                .checked_sub(front_len)
                .and_then(|n| n.checked_sub(back_len))
                .ok_or(Error::Truncated {
                    what: what!("Wrap token"),
                })?;
            let (front, rest) = body
                .split_at_mut_checked(front_len)
                .ok_or(Error::WrongState)?;
            let (data, back) = rest
                .split_at_mut_checked(data_len)
                .ok_or(Error::WrongState)?;
            let sealed = s.open_split(&h, fields, front, data, back)?;
            let start = HEADER_LEN.saturating_add(front_len);
            Ok((start..start.saturating_add(data_len), sealed))
        })
    }

    /// GSS_Unwrap of a token split into `header | data | trailer`: verifies it
    /// and decrypts `data` in place (the message is then all of `data`);
    /// returns whether it was sealed. The split must be the one of
    /// [`IovLayout::Trailer`] (RRC 0, the trailer holding everything after the
    /// message, filler included) or of [`IovLayout::Rotated`] (RRC = that
    /// length, empty trailer); anything else is [`Error::IovSlices`], which
    /// names the lengths the token needs (zeros for a token with another RRC:
    /// those go through [`Cfx::unwrap`], which takes any RRC). Like `unwrap`,
    /// any error fails the context.
    pub fn unwrap_iov(
        &mut self,
        header: &mut [u8],
        data: &mut [u8],
        trailer: &mut [u8],
    ) -> Result<bool> {
        self.guard(|s| {
            let (h, fields, rrc, front_len) = s.parse_wrap(header)?;
            let (header_len, trailer_len) = s.iov_lens(fields, rrc, front_len)?;
            if header.len() != header_len || trailer.len() != trailer_len {
                return Err(Error::IovSlices {
                    split: IovSplit::new(header_len, trailer_len),
                });
            }
            let (_, rest) = header
                .split_at_mut_checked(HEADER_LEN)
                .ok_or(Error::WrongState)?;
            let (back, front) = if rrc == 0 {
                (trailer, rest)
            } else {
                let back_len = s.back_len(fields.0 & FLAG_SEALED != 0, fields.1);
                rest.split_at_mut_checked(back_len)
                    .ok_or(Error::WrongState)?
            };
            s.open_split(&h, fields, front, data, back)
        })
    }

    /// The IOV split of a parsed Wrap token: RRC 0 puts what follows the
    /// message in the trailer, RRC = its length in the header.
    fn iov_lens(
        &self,
        (flags, ec, _): (u8, usize, u64),
        rrc: u16,
        front_len: usize,
    ) -> Result<(usize, usize)> {
        let back_len = self.back_len(flags & FLAG_SEALED != 0, ec);
        let header_len = HEADER_LEN.saturating_add(front_len);
        if rrc == 0 {
            Ok((header_len, back_len))
        } else if usize::from(rrc) == back_len {
            Ok((header_len.saturating_add(back_len), 0))
        } else {
            Err(Error::IovSlices {
                split: IovSplit::new(0, 0),
            })
        }
    }

    /// How to split a received Wrap token for [`Cfx::unwrap_iov`]: its header
    /// and trailer lengths, from its first 16 bytes. A token with an RRC that
    /// fits no IOV split is [`Error::IovSlices`] with zeros (unwrap it with
    /// [`Cfx::unwrap`]). Leaves the context as it is.
    pub fn unwrap_iov_lens(&self, token: &[u8]) -> Result<(usize, usize)> {
        let (_, fields, rrc, front_len) = self.parse_wrap(token)?;
        self.iov_lens(fields, rrc, front_len)
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

    // ---- IOV form ----

    const IOV_LENGTHS: [usize; 9] = [0, 1, 15, 16, 17, 31, 32, 33, 1000];
    const LAYOUTS: [IovLayout; 2] = [IovLayout::Trailer, IovLayout::Rotated];
    type Tok = heapless::Vec<u8, 1200>;

    fn message(len: usize) -> [u8; 1000] {
        let mut m = [0u8; 1000];
        for (i, b) in m.iter_mut().enumerate().take(len) {
            *b = (i as u8).wrapping_mul(13).wrapping_add(5);
        }
        m
    }

    /// An in-place token (RRC 0) over `msg`, with a fresh counter RNG.
    fn in_place(c: &mut Cfx, conf: bool, msg: &[u8]) -> Tok {
        let mut buf = [0u8; 1200];
        let at = c.wrap_header_len(conf);
        buf[at..at + msg.len()].copy_from_slice(msg);
        let n = c.wrap(&mut Counter(0), conf, &mut buf, msg.len()).unwrap();
        Tok::from_slice(&buf[..n]).unwrap()
    }

    /// An IOV token in three arrays, with a fresh counter RNG.
    struct Iov {
        header: [u8; 80],
        h: usize,
        data: [u8; 1000],
        n: usize,
        trailer: [u8; 48],
        t: usize,
    }

    impl Iov {
        fn wrap(c: &mut Cfx, conf: bool, layout: IovLayout, msg: &[u8]) -> Iov {
            let mut iov = Iov {
                header: [0xee; 80],
                h: 0,
                data: [0; 1000],
                n: msg.len(),
                trailer: [0xee; 48],
                t: 0,
            };
            iov.data[..msg.len()].copy_from_slice(msg);
            (iov.h, iov.t) = c
                .wrap_iov(
                    &mut Counter(0),
                    conf,
                    layout,
                    &mut iov.header,
                    &mut iov.data[..msg.len()],
                    &mut iov.trailer,
                )
                .unwrap();
            iov
        }

        /// Splits a whole token as `wrap_iov_lens` says.
        fn split(tok: &[u8], h: usize, t: usize) -> Iov {
            let n = tok.len() - h - t;
            let mut iov = Iov {
                header: [0; 80],
                h,
                data: [0; 1000],
                n,
                trailer: [0; 48],
                t,
            };
            iov.header[..h].copy_from_slice(&tok[..h]);
            iov.data[..n].copy_from_slice(&tok[h..h + n]);
            iov.trailer[..t].copy_from_slice(&tok[h + n..]);
            iov
        }

        fn token(&self) -> Tok {
            let mut t = Tok::from_slice(&self.header[..self.h]).unwrap();
            t.extend_from_slice(&self.data[..self.n]).unwrap();
            t.extend_from_slice(&self.trailer[..self.t]).unwrap();
            t
        }

        fn unwrap(&mut self, c: &mut Cfx) -> Result<bool> {
            c.unwrap_iov(
                &mut self.header[..self.h],
                &mut self.data[..self.n],
                &mut self.trailer[..self.t],
            )
        }
    }

    /// What a sender rotating by `rrc` emits for an RRC-0 token.
    fn rotated(tok: &[u8], rrc: usize) -> Tok {
        let mut t = Tok::from_slice(tok).unwrap();
        let len = t.len() - HEADER_LEN;
        t[HEADER_LEN..].rotate_right(rrc % len);
        t[6..8].copy_from_slice(&(rrc as u16).to_be_bytes());
        t
    }

    #[test]
    fn iov_tokens_are_the_in_place_tokens_and_cross_unwrap() {
        for etype in AES_ETYPES {
            for conf in [true, false] {
                for layout in LAYOUTS {
                    let (hl, tl) = pair(etype, false).0.wrap_iov_lens(conf, layout);
                    for len in IOV_LENGTHS {
                        let m = message(len);
                        let msg = &m[..len];
                        let (mut ini, mut acc) = pair(etype, false);
                        let (mut ini2, mut acc2) = pair(etype, false);
                        let plain = in_place(&mut ini, conf, msg);
                        let mut iov = Iov::wrap(&mut ini2, conf, layout, msg);
                        assert_eq!((iov.h, iov.t), (hl, tl));
                        // Same RNG output, same token: RRC 0, or rotated as its RRC says.
                        let expect = match layout {
                            IovLayout::Trailer => plain.clone(),
                            IovLayout::Rotated => rotated(&plain, ini.wrap_trailer_len(conf)),
                        };
                        assert_eq!(iov.token(), expect, "{etype:?} {conf} {layout:?} {len}");
                        if conf && len > 0 {
                            assert_ne!(&iov.data[..len], msg);
                        } else {
                            assert_eq!(&iov.data[..len], msg);
                        }

                        // Our in-place unwrap takes the IOV token ...
                        let mut tok = iov.token();
                        let (r, sealed) = acc.unwrap(&mut tok).unwrap();
                        assert_eq!((&tok[r], sealed), (msg, conf));
                        // ... and the IOV unwrap the token as a peer sends it.
                        assert_eq!(iov.unwrap(&mut acc2), Ok(conf));
                        assert_eq!(&iov.data[..len], msg);

                        // The other direction, from an in-place sender.
                        let mut tok = in_place(&mut acc, conf, msg);
                        if layout == IovLayout::Rotated {
                            tok = rotated(&tok, acc.wrap_trailer_len(conf));
                        }
                        // The split a receiver reads off the token's first 16 bytes.
                        assert_eq!(ini.unwrap_iov_lens(&tok[..HEADER_LEN]), Ok((hl, tl)));
                        let mut split = Iov::split(&tok, hl, tl);
                        assert_eq!(split.unwrap(&mut ini), Ok(conf));
                        assert_eq!(&split.data[..len], msg);
                    }
                }
            }
        }
    }

    #[test]
    fn rotated_aes_sha1_token_is_windows_shape() {
        // Windows EncryptMessage: a 60-byte SECBUFFER_TOKEN, RRC 28, before the data.
        for etype in [Etype::Aes128CtsHmacSha196, Etype::Aes256CtsHmacSha196] {
            let (mut ini, _) = pair(etype, false);
            assert_eq!(ini.wrap_iov_lens(true, IovLayout::Rotated), (60, 0));
            assert_eq!(ini.wrap_iov_lens(true, IovLayout::Trailer), (32, 28));
            let iov = Iov::wrap(&mut ini, true, IovLayout::Rotated, b"hello");
            assert_eq!(&iov.header[..8], &[0x05, 0x04, 0x02, 0xff, 0, 0, 0, 28]);
        }
    }

    #[test]
    fn any_flipped_byte_in_any_iov_slice_is_refused() {
        for etype in AES_ETYPES {
            for conf in [true, false] {
                for layout in LAYOUTS {
                    let m = message(17);
                    let good = Iov::wrap(&mut pair(etype, false).0, conf, layout, &m[..17]);
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
                        let (_, mut acc) = pair(etype, false);
                        assert!(bad.unwrap(&mut acc).is_err(), "{etype:?} flip at {i}");
                        // Nothing unverified is released as plaintext.
                        if conf {
                            assert_ne!(&bad.data[..17], &m[..17]);
                        }
                        // A failed context stays failed.
                        let mut again = Iov { ..good };
                        assert_eq!(again.unwrap(&mut acc), Err(Error::WrongState));
                    }
                    // Replay of a good token.
                    let (_, mut acc) = pair(etype, false);
                    assert_eq!(Iov { ..good }.unwrap(&mut acc), Ok(conf));
                    assert_eq!(Iov { ..good }.unwrap(&mut acc), Err(Error::Replay));
                }
            }
        }
    }

    #[test]
    fn wrong_iov_slices_are_typed_errors() {
        for etype in AES_ETYPES {
            for conf in [true, false] {
                let (mut ini, mut acc) = pair(etype, false);
                let trailer_lens = ini.wrap_iov_lens(conf, IovLayout::Trailer);
                let rotated_lens = ini.wrap_iov_lens(conf, IovLayout::Rotated);
                for (layout, (hl, tl)) in [
                    (IovLayout::Trailer, trailer_lens),
                    (IovLayout::Rotated, rotated_lens),
                ] {
                    let mut data = *b"data";
                    let mut header = [0u8; 80];
                    let mut trailer = [0u8; 48];
                    assert_eq!(
                        ini.wrap_iov(
                            &mut Counter(0),
                            conf,
                            layout,
                            &mut header[..hl - 1],
                            &mut data,
                            &mut trailer
                        ),
                        Err(Error::BufferTooSmall { needed: hl })
                    );
                    if tl > 0 {
                        assert_eq!(
                            ini.wrap_iov(
                                &mut Counter(0),
                                conf,
                                layout,
                                &mut header,
                                &mut data,
                                &mut trailer[..tl - 1]
                            ),
                            Err(Error::BufferTooSmall { needed: tl })
                        );
                    }
                }
                // Refused sizes consumed no sequence number nor failed the context.
                let good = Iov::wrap(&mut ini, conf, IovLayout::Trailer, b"data");
                assert_eq!(Iov { ..good }.unwrap(&mut acc), Ok(conf));

                let good = Iov::wrap(&mut pair(etype, false).0, conf, IovLayout::Trailer, b"data");
                let tok = good.token();
                let want = Err(Error::IovSlices {
                    split: IovSplit::new(trailer_lens.0, trailer_lens.1),
                });
                // One byte moved between header and data, or a trailer too short.
                for (h, t) in [
                    (trailer_lens.0 + 1, trailer_lens.1),
                    (trailer_lens.0 - 1, trailer_lens.1),
                    (trailer_lens.0, trailer_lens.1 - 1),
                    (trailer_lens.0, 0),
                ] {
                    let (_, mut acc) = pair(etype, false);
                    let got = Iov::split(&tok, h, t).unwrap(&mut acc);
                    if h < HEADER_LEN {
                        // Not even a token header to read the lengths from.
                        assert_eq!(
                            got,
                            Err(Error::Truncated {
                                what: what!("Wrap token")
                            })
                        );
                    } else {
                        assert_eq!(got, want);
                    }
                }
                // An RRC-0 token cut as a rotated one, and the reverse.
                let (_, mut acc) = pair(etype, false);
                assert_eq!(Iov::split(&tok, rotated_lens.0, 0).unwrap(&mut acc), want);
                let rot = rotated(&tok, trailer_lens.1);
                let (_, mut acc) = pair(etype, false);
                assert_eq!(
                    Iov::split(&rot, trailer_lens.0, trailer_lens.1).unwrap(&mut acc),
                    Err(Error::IovSlices {
                        split: IovSplit::new(rotated_lens.0, 0),
                    })
                );
                // Any other RRC fits no split; the in-place unwrap takes it.
                let odd = rotated(&tok, 5);
                let (_, mut acc) = pair(etype, false);
                assert_eq!(
                    Iov::split(&odd, trailer_lens.0, trailer_lens.1).unwrap(&mut acc),
                    Err(Error::IovSlices {
                        split: IovSplit::new(0, 0),
                    })
                );
                let (_, mut acc) = pair(etype, false);
                assert_eq!(
                    acc.unwrap_iov_lens(&odd),
                    Err(Error::IovSlices {
                        split: IovSplit::new(0, 0),
                    })
                );
                let mut odd = odd;
                acc.unwrap(&mut odd).unwrap();
            }
        }
    }
}
