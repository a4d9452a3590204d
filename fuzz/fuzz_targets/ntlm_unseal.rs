//! NTLM message protection on an established pair of contexts (made in process
//! with a deterministic RNG): `unseal` and `verify` on hostile tokens, and
//! round trips whose tokens the input may alter.
//!
//! Input: a mode byte, then the rest. Bit 2 of the mode makes the initiator the
//! receiver (default: the acceptor). The low two bits:
//! - 0: the rest is a sealed token for `unseal`;
//! - 1: the rest is a 16-byte signature and the message, for `verify`.
//!
//!   Only a real token (a seed) can pass; its replay must then fail, and after
//!   any failure the context must stay failed.
//! - 2: rest = edit count `n`, `3n` bytes of edits (`authcore_fuzz::mutate`),
//!   plaintext. The sender seals the plaintext, the edits alter the token, the
//!   receiver unseals: the plaintext must come back unchanged when the token is
//!   unchanged, and any change must be refused and leave the context failed.
//! - 3: the same with `sign` and `verify` over signature || message.
#![no_main]

use authcore::ntlm::SIGNATURE_LEN;
use authcore::{Error, Protect};
use authcore_fuzz::ntlm::established;
use authcore_fuzz::{mutate, CounterRng};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let mut rng = CounterRng(0);
    let (mut init, mut acc) = established(&mut rng);
    let (sender, receiver): (&mut dyn ProtectDyn, &mut dyn ProtectDyn) = if mode & 4 == 0 {
        (&mut init, &mut acc)
    } else {
        (&mut acc, &mut init)
    };
    match mode & 3 {
        0 => {
            let mut buf = rest.to_vec();
            if let Ok(r) = receiver.unseal(&mut buf) {
                // Only a real token (a seed) gets here; its replay must fail.
                assert_eq!(r, SIGNATURE_LEN..buf.len());
                let mut again = rest.to_vec();
                assert!(matches!(
                    receiver.unseal(&mut again),
                    Err(Error::Integrity { .. })
                ));
            }
            assert_eq!(receiver.unseal(&mut buf), Err(Error::WrongState));
        }
        1 => {
            let (sig, msg) = rest.split_at(rest.len().min(SIGNATURE_LEN));
            if receiver.verify(msg, sig).is_ok() {
                assert!(matches!(
                    receiver.verify(msg, sig),
                    Err(Error::Integrity { .. })
                ));
            }
            assert_eq!(receiver.verify(msg, sig), Err(Error::WrongState));
        }
        m => {
            let Some((&n, rest)) = rest.split_first() else {
                return;
            };
            let (edits, plain) = rest.split_at((3 * usize::from(n)).min(rest.len()));
            // Two messages, so the RC4 states and sequence numbers move on.
            for round in 0..2 {
                let mut token = vec![0u8; SIGNATURE_LEN + plain.len()];
                let ok = if m == 2 {
                    token[SIGNATURE_LEN..].copy_from_slice(plain);
                    let len = sender.seal(&mut rng, &mut token, plain.len()).unwrap();
                    assert_eq!(len, token.len());
                    let changed = round == 1 && mutate(&mut token, edits);
                    let r = receiver.unseal(&mut token);
                    let ok = r.is_ok();
                    if !changed {
                        let r = r.expect("unseal of an intact token");
                        assert_eq!(&token[r], plain, "unseal changed the message");
                    }
                    (changed, ok)
                } else {
                    let len = sender.sign(plain, &mut token).unwrap();
                    assert_eq!(len, SIGNATURE_LEN);
                    token[SIGNATURE_LEN..].copy_from_slice(plain);
                    let changed = round == 1 && mutate(&mut token, edits);
                    let (sig, msg) = token.split_at(token.len().min(SIGNATURE_LEN));
                    let r = receiver.verify(msg, sig);
                    if !changed {
                        r.expect("verify of an intact signature");
                    }
                    (changed, r.is_ok())
                };
                if ok.0 {
                    assert!(!ok.1, "a tampered token was accepted");
                    assert_eq!(receiver.verify(plain, &[0; 16]), Err(Error::WrongState));
                }
            }
        }
    }
});

/// `Protect` without its generic `seal`, so both contexts fit one `dyn`.
trait ProtectDyn {
    fn seal(&mut self, rng: &mut CounterRng, buf: &mut [u8], len: usize)
        -> authcore::Result<usize>;
    fn unseal(&mut self, buf: &mut [u8]) -> authcore::Result<core::ops::Range<usize>>;
    fn sign(&mut self, data: &[u8], sig: &mut [u8]) -> authcore::Result<usize>;
    fn verify(&mut self, data: &[u8], sig: &[u8]) -> authcore::Result<()>;
}

impl<T: Protect> ProtectDyn for T {
    fn seal(
        &mut self,
        rng: &mut CounterRng,
        buf: &mut [u8],
        len: usize,
    ) -> authcore::Result<usize> {
        Protect::seal(self, rng, buf, len)
    }
    fn unseal(&mut self, buf: &mut [u8]) -> authcore::Result<core::ops::Range<usize>> {
        Protect::unseal(self, buf)
    }
    fn sign(&mut self, data: &[u8], sig: &mut [u8]) -> authcore::Result<usize> {
        Protect::sign(self, data, sig)
    }
    fn verify(&mut self, data: &[u8], sig: &[u8]) -> authcore::Result<()> {
        Protect::verify(self, data, sig)
    }
}
