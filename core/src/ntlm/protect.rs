//! Message integrity and confidentiality with extended session security
//! (MS-NLMP 3.4.2 to 3.4.4).
//!
//! Each direction has its own signing key, sealing key, RC4 state and sequence
//! number. The RC4 state of a direction runs on across every message of that
//! direction, sealed or only signed, since with key exchange the checksum is
//! itself encrypted with it.
//!
//! A sealed token is `signature (16) || ciphertext` (what SSPI's `EncryptMessage`
//! with a token buffer first and gss-ntlmssp's `gss_wrap` produce), so
//! [`Sizes::seal_header`] is 16 and there is no trailer.
//!
//! Replayed, reordered, dropped and altered messages all fail the same way,
//! [`Error::Integrity`]: the signature's SeqNum field is sent in clear but is only
//! authenticated by a checksum taken with the receiver's *expected* sequence
//! number and RC4 position, so once it fails to verify nothing in it can be
//! trusted to tell a replay from a forgery. A context whose verification failed
//! stays failed.

use core::ops::Range;

use rand_core::CryptoRng;
use subtle::ConstantTimeEq;

use crate::crypto::ntlm::{HmacMd5Key, Key16, Rc4Stream};
use crate::step::{Protect, Sizes};
use crate::{Error, Result};

use super::keys::{seal_key, sign_key, Direction};
use super::wire::NegotiateFlags;
use super::MAX_TOKEN_LEN;

/// Bytes of an NTLMSSP_MESSAGE_SIGNATURE (MS-NLMP 2.2.2.9).
pub const SIGNATURE_LEN: usize = 16;

/// Which end of the context this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Role {
    /// The client: sends with the client-to-server keys.
    Initiator,
    /// The server: sends with the server-to-client keys.
    Acceptor,
}

/// The per-direction state of an established NTLM context.
///
/// Built by [`Initiator`](super::Initiator) and [`Acceptor`](super::Acceptor)
/// when they complete; public so that protocols which run the NTLM handshake
/// elsewhere but protect messages themselves can use it with their exported
/// session key.
pub struct SessionSecurity {
    send_seal: Rc4Stream,
    recv_seal: Rc4Stream,
    send_sign: HmacMd5Key,
    recv_sign: HmacMd5Key,
    send_seq: u32,
    recv_seq: u32,
    key_exch: bool,
    failed: bool,
    #[cfg(feature = "export-session-key")]
    session_key: Key16,
}

impl SessionSecurity {
    /// The keys of MS-NLMP 3.4.5 derived from the exported session key under the
    /// negotiated `flags` (128/56/40-bit sealing keys, checksum encryption when
    /// `KEY_EXCH` was negotiated). Extended session security is assumed: the
    /// state machines refuse to complete without it.
    pub fn new(exported_session_key: &Key16, flags: NegotiateFlags, role: Role) -> SessionSecurity {
        let (send, recv) = match role {
            Role::Initiator => (Direction::ClientToServer, Direction::ServerToClient),
            Role::Acceptor => (Direction::ServerToClient, Direction::ClientToServer),
        };
        SessionSecurity {
            send_seal: Rc4Stream::new(seal_key(exported_session_key, flags, send).as_bytes()),
            recv_seal: Rc4Stream::new(seal_key(exported_session_key, flags, recv).as_bytes()),
            send_sign: HmacMd5Key::new(sign_key(exported_session_key, send).as_bytes()),
            recv_sign: HmacMd5Key::new(sign_key(exported_session_key, recv).as_bytes()),
            send_seq: 0,
            recv_seq: 0,
            key_exch: flags.contains(NegotiateFlags::KEY_EXCH),
            failed: false,
            #[cfg(feature = "export-session-key")]
            session_key: exported_session_key.clone(),
        }
    }

    /// The session keyed from `exported_session_key` after SPNEGO's
    /// mechListMIC exchange (RFC 4178 section 5): the peer's MIC over
    /// `mech_list` is verified and ours signed into `ours`, each as the first
    /// message of its direction (sequence number 0). Afterwards both RC4
    /// states start over while the sequence numbers stay at 1, as Windows
    /// does for NTLM under SPNEGO (gss-ntlmssp and pyspnego reset their
    /// handles the same way; the interop tests seal messages after the MICs
    /// with both).
    #[cfg(feature = "spnego")]
    pub(crate) fn exchange_mech_list_mic(
        exported_session_key: &Key16,
        flags: NegotiateFlags,
        role: Role,
        mech_list: &[u8],
        peer: &[u8],
        ours: &mut [u8; SIGNATURE_LEN],
    ) -> Result<SessionSecurity> {
        let mut first = SessionSecurity::new(exported_session_key, flags, role);
        first.verify(mech_list, peer)?;
        first.sign(mech_list, ours)?;
        Ok(first.restarted(exported_session_key, flags, role))
    }

    /// A session keyed afresh (RC4 states at their start) that continues
    /// this one's sequence numbers.
    #[cfg(feature = "spnego")]
    fn restarted(
        &self,
        exported_session_key: &Key16,
        flags: NegotiateFlags,
        role: Role,
    ) -> SessionSecurity {
        let mut session = SessionSecurity::new(exported_session_key, flags, role);
        session.send_seq = self.send_seq;
        session.recv_seq = self.recv_seq;
        session
    }

    /// The initiator's side of [`SessionSecurity::exchange_mech_list_mic`],
    /// where the acceptor's MIC comes after ours: signs ours into `ours`
    /// (sequence 0) and returns the session with the sending RC4 state
    /// started over at sequence 1, the receiving one untouched, and in
    /// `keystream` the first 8 bytes that receiving state would encrypt the
    /// acceptor's MIC checksum with.
    #[cfg(feature = "spnego")]
    pub(crate) fn sign_mech_list_mic(
        exported_session_key: &Key16,
        flags: NegotiateFlags,
        role: Role,
        mech_list: &[u8],
        ours: &mut [u8; SIGNATURE_LEN],
        keystream: &mut [u8; 8],
    ) -> Result<SessionSecurity> {
        let mut first = SessionSecurity::new(exported_session_key, flags, role);
        first.sign(mech_list, ours)?;
        *keystream = [0; 8];
        first.recv_seal.apply(keystream);
        Ok(first.restarted(exported_session_key, flags, role))
    }

    /// Verifies the peer's first signature (its mechListMIC) with the
    /// receiving RC4 keystream given instead of the state's, which stays
    /// where it is; the sequence number advances.
    #[cfg(feature = "spnego")]
    pub(crate) fn verify_first_with_keystream(
        &mut self,
        data: &[u8],
        signature: &[u8],
        keystream: &[u8; 8],
    ) -> Result<()> {
        self.check()?;
        if self.recv_seq != 0 || signature.len() != SIGNATURE_LEN {
            return self.fail(Error::Integrity {
                what: what!("SPNEGO mechListMIC"),
            });
        }
        // The signature in clear, its checksum then encrypted with the given
        // keystream where `mac` would advance the receiving RC4 state.
        let mut expected = mac(&self.recv_sign, &mut self.recv_seal, false, 0, data);
        if self.key_exch {
            let checksum = expected.get_mut(4..12).unwrap_or_default();
            for (d, k) in checksum.iter_mut().zip(keystream.iter()) {
                *d ^= k;
            }
        }
        if !bool::from(expected.ct_eq(signature)) {
            return self.fail(Error::Integrity {
                what: what!("SPNEGO mechListMIC"),
            });
        }
        self.recv_seq = 1;
        Ok(())
    }

    /// The exported session key (feature `export-session-key`).
    #[cfg(feature = "export-session-key")]
    pub fn session_key(&self) -> &[u8; 16] {
        self.session_key.as_bytes()
    }

    fn check(&self) -> Result<()> {
        if self.failed {
            Err(Error::WrongState)
        } else {
            Ok(())
        }
    }

    fn fail<T>(&mut self, e: Error) -> Result<T> {
        self.failed = true;
        Err(e)
    }
}

/// MAC (MS-NLMP 3.4.4.2): version 1, the first 8 bytes of
/// HMAC_MD5(SigningKey, SeqNum || Message), RC4-encrypted with the direction's
/// sealing state when keys were exchanged, and SeqNum.
fn mac(
    sign: &HmacMd5Key,
    seal: &mut Rc4Stream,
    key_exch: bool,
    seq: u32,
    msg: &[u8],
) -> [u8; SIGNATURE_LEN] {
    let full = sign.mac(&[&seq.to_le_bytes(), msg]);
    let mut out = [0u8; SIGNATURE_LEN];
    let (version, rest) = out.split_at_mut(4);
    let (checksum, seq_out) = rest.split_at_mut(8);
    version.copy_from_slice(&1u32.to_le_bytes());
    for (d, s) in checksum.iter_mut().zip(full.iter()) {
        *d = *s;
    }
    if key_exch {
        seal.apply(checksum);
    }
    seq_out.copy_from_slice(&seq.to_le_bytes());
    out
}

/// Protection sizes of every NTLM context: a 16-byte signature before the
/// RC4-sealed data, nothing after.
pub(crate) const SIZES: Sizes = Sizes {
    max_token: MAX_TOKEN_LEN,
    max_signature: SIGNATURE_LEN,
    seal_header: SIGNATURE_LEN,
    seal_trailer: 0,
    block_size: 1,
};

impl Protect for SessionSecurity {
    fn sizes(&self) -> Sizes {
        SIZES
    }

    fn sign(&mut self, data: &[u8], signature: &mut [u8]) -> Result<usize> {
        self.check()?;
        let Some(out) = signature.get_mut(..SIGNATURE_LEN) else {
            return self.fail(Error::BufferTooSmall {
                needed: SIGNATURE_LEN,
            });
        };
        let Some(next) = self.send_seq.checked_add(1) else {
            return self.fail(Error::CapacityExceeded {
                what: what!("NTLM sequence numbers"),
            });
        };
        out.copy_from_slice(&mac(
            &self.send_sign,
            &mut self.send_seal,
            self.key_exch,
            self.send_seq,
            data,
        ));
        self.send_seq = next;
        Ok(SIGNATURE_LEN)
    }

    fn verify(&mut self, data: &[u8], signature: &[u8]) -> Result<()> {
        self.check()?;
        if signature.len() != SIGNATURE_LEN {
            return self.fail(Error::Malformed {
                what: what!("NTLM signature length"),
            });
        }
        let Some(next) = self.recv_seq.checked_add(1) else {
            return self.fail(Error::CapacityExceeded {
                what: what!("NTLM sequence numbers"),
            });
        };
        let expected = mac(
            &self.recv_sign,
            &mut self.recv_seal,
            self.key_exch,
            self.recv_seq,
            data,
        );
        if !bool::from(expected.ct_eq(signature)) {
            return self.fail(Error::Integrity {
                what: what!("NTLM signature"),
            });
        }
        self.recv_seq = next;
        Ok(())
    }

    fn seal<R: CryptoRng + ?Sized>(
        &mut self,
        _rng: &mut R,
        buf: &mut [u8],
        data_len: usize,
    ) -> Result<usize> {
        self.check()?;
        let Some(total) = SIGNATURE_LEN.checked_add(data_len) else {
            return self.fail(Error::BufferTooSmall { needed: usize::MAX });
        };
        let Some((sig, msg)) = buf
            .get_mut(..total)
            .and_then(|b| b.split_at_mut_checked(SIGNATURE_LEN))
        else {
            return self.fail(Error::BufferTooSmall { needed: total });
        };
        let Some(next) = self.send_seq.checked_add(1) else {
            return self.fail(Error::CapacityExceeded {
                what: what!("NTLM sequence numbers"),
            });
        };
        // SEAL (MS-NLMP 3.4.3): the message is encrypted first, then the checksum
        // of the plaintext, so the plaintext's HMAC is taken before RC4 runs.
        let full = self.send_sign.mac(&[&self.send_seq.to_le_bytes(), msg]);
        self.send_seal.apply(msg);
        let (version, rest) = sig.split_at_mut(4);
        let (checksum, seq_out) = rest.split_at_mut(8);
        version.copy_from_slice(&1u32.to_le_bytes());
        for (d, s) in checksum.iter_mut().zip(full.iter()) {
            *d = *s;
        }
        if self.key_exch {
            self.send_seal.apply(checksum);
        }
        seq_out.copy_from_slice(&self.send_seq.to_le_bytes());
        self.send_seq = next;
        Ok(total)
    }

    fn unseal(&mut self, buf: &mut [u8]) -> Result<Range<usize>> {
        self.check()?;
        let len = buf.len();
        let Some((sig, msg)) = buf.split_at_mut_checked(SIGNATURE_LEN) else {
            return self.fail(Error::Truncated {
                what: what!("NTLM sealed message"),
            });
        };
        let Some(next) = self.recv_seq.checked_add(1) else {
            return self.fail(Error::CapacityExceeded {
                what: what!("NTLM sequence numbers"),
            });
        };
        self.recv_seal.apply(msg);
        let expected = mac(
            &self.recv_sign,
            &mut self.recv_seal,
            self.key_exch,
            self.recv_seq,
            msg,
        );
        if !bool::from(expected.ct_eq(&*sig)) {
            // Unauthenticated plaintext is not handed out, not even in the buffer.
            msg.fill(0);
            return self.fail(Error::Integrity {
                what: what!("NTLM sealed message"),
            });
        }
        self.recv_seq = next;
        Ok(SIGNATURE_LEN..len)
    }
}

impl core::fmt::Debug for SessionSecurity {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SessionSecurity")
            .field("send_seq", &self.send_seq)
            .field("recv_seq", &self.recv_seq)
            .field("key_exch", &self.key_exch)
            .field("failed", &self.failed)
            .finish_non_exhaustive()
    }
}

/// The body of `impl Protect` for a context type with a
/// `protect(|s: &mut SessionSecurity| ..)` method (which fails the context on
/// error): the initiator's and the acceptor's are the same, written once.
macro_rules! protect_through_session {
    () => {
        fn sizes(&self) -> $crate::Sizes {
            $crate::ntlm::protect::SIZES
        }

        fn sign(&mut self, data: &[u8], signature: &mut [u8]) -> $crate::Result<usize> {
            self.protect(|s| s.sign(data, signature))
        }

        fn verify(&mut self, data: &[u8], signature: &[u8]) -> $crate::Result<()> {
            self.protect(|s| s.verify(data, signature))
        }

        fn seal<R: rand_core::CryptoRng + ?Sized>(
            &mut self,
            rng: &mut R,
            buf: &mut [u8],
            data_len: usize,
        ) -> $crate::Result<usize> {
            self.protect(|s| s.seal(rng, buf, data_len))
        }

        fn unseal(&mut self, buf: &mut [u8]) -> $crate::Result<core::ops::Range<usize>> {
            self.protect(|s| s.unseal(buf))
        }
    };
}
pub(crate) use protect_through_session;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ntlm::tests::Counter;

    fn pair(flags: NegotiateFlags) -> (SessionSecurity, SessionSecurity) {
        let k = Key16::from_bytes([7; 16]);
        (
            SessionSecurity::new(&k, flags, Role::Initiator),
            SessionSecurity::new(&k, flags, Role::Acceptor),
        )
    }

    const FLAGS: NegotiateFlags = NegotiateFlags::from_bits(
        NegotiateFlags::KEY_EXCH.bits()
            | NegotiateFlags::NEGOTIATE_128.bits()
            | NegotiateFlags::EXTENDED_SESSIONSECURITY.bits(),
    );

    #[test]
    fn seal_unseal_both_ways_many_messages() {
        let (mut c, mut s) = pair(FLAGS);
        for i in 0..5u8 {
            let mut buf = [0u8; 64];
            let msg = [i; 20];
            buf[16..36].copy_from_slice(&msg);
            let n = c.seal(&mut Counter(0), &mut buf, 20).unwrap();
            assert_eq!(n, 36);
            assert_ne!(&buf[16..36], &msg);
            let r = s.unseal(&mut buf[..n]).unwrap();
            assert_eq!(&buf[r], &msg);

            let mut sig = [0u8; 16];
            s.sign(b"reply", &mut sig).unwrap();
            c.verify(b"reply", &sig).unwrap();
        }
    }

    #[test]
    fn signature_carries_sequence_number() {
        let (mut c, _) = pair(FLAGS);
        let mut sig = [0u8; 16];
        c.sign(b"a", &mut sig).unwrap();
        c.sign(b"a", &mut sig).unwrap();
        assert_eq!(&sig[..4], &[1, 0, 0, 0]);
        assert_eq!(&sig[12..], &[1, 0, 0, 0]);
    }

    #[test]
    fn altered_message_fails_and_context_stays_failed() {
        let (mut c, mut s) = pair(FLAGS);
        let mut buf = [0u8; 24];
        c.seal(&mut Counter(0), &mut buf, 8).unwrap();
        buf[20] ^= 1;
        assert_eq!(
            s.unseal(&mut buf),
            Err(Error::Integrity {
                what: what!("NTLM sealed message")
            })
        );
        assert_eq!(&buf[16..], &[0; 8], "plaintext wiped");
        let mut sig = [0u8; 16];
        assert_eq!(s.sign(b"x", &mut sig), Err(Error::WrongState));
    }

    #[test]
    fn without_key_exchange_checksum_is_clear() {
        let flags = NegotiateFlags::NEGOTIATE_128 | NegotiateFlags::EXTENDED_SESSIONSECURITY;
        let (mut c, mut s) = pair(flags);
        let mut sig = [0u8; 16];
        c.sign(b"m", &mut sig).unwrap();
        let k = sign_key(&Key16::from_bytes([7; 16]), Direction::ClientToServer);
        let full = HmacMd5Key::new(k.as_bytes()).mac(&[&[0, 0, 0, 0], b"m"]);
        assert_eq!(&sig[4..12], &full[..8]);
        s.verify(b"m", &sig).unwrap();
    }
}
