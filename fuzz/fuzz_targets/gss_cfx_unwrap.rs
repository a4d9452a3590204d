//! RFC 4121 per-message tokens (`gss::cfx::Cfx`) under a fixed AES key (the
//! MIT capture's service key, cut to the etype's length) and the captured
//! sequence numbers: `unwrap` and `verify_mic` on hostile tokens, and round
//! trips whose tokens the input may alter.
//!
//! Input: a mode byte, then the rest. Mode bits 0-1 pick the etype
//! (aes256-sha1, aes128-sha1, aes128-sha256, aes256-sha384), bit 2 the
//! acceptor-subkey flag, bit 3 makes the initiator the receiver (default: the
//! acceptor), bit 6 asks for confidentiality, bit 7 for a rotated token. Bits
//! 4-5:
//! - 0: the rest is a Wrap token for `unwrap`, and for `unwrap_iov` on a
//!   fresh receiver, cut as `unwrap_iov_lens` says (else at arbitrary points):
//!   both must agree (rc4-hmac: unless the padding is longer than the one
//!   byte the IOV trailer holds);
//! - 1: rest = message length, message, MIC token, for `verify_mic`;
//! - 2: rest = edit count `n`, RRC (2 bytes, big-endian), `3n` bytes of edits
//!   (`authcore_fuzz::mutate`), plaintext. The sender wraps the plaintext,
//!   the token (which `wrap_iov` must emit identically) is rotated by RRC if
//!   asked (RFC 4121 section 4.2.5) and edited,
//!   the receiver unwraps. A token that is the same up to its rotation must
//!   give the plaintext back; any other change must be refused.
//! - 3: rest = edit count, edits, message: `get_mic` then `verify_mic` over the
//!   edited token || message; any change must be refused.
//!
//! Whatever a receiver accepts, it must refuse the same token again (replay).
#![no_main]

use authcore::gss::cfx::{Cfx, HEADER_LEN, MAX_MIC_LEN};
use authcore::gss::IovLayout;
use authcore::Error;
use authcore_fuzz::krb::{
    assert_iov_agrees, cfx_etype, iov_split, key, ACCEPTOR_SEQ, INITIATOR_SEQ,
};
use authcore_fuzz::{mutate, CounterRng};
use libfuzzer_sys::fuzz_target;

fn context(mode: u8, initiator: bool) -> Cfx {
    let k = key(cfx_etype(mode));
    let (send, recv) = if initiator {
        (INITIATOR_SEQ, ACCEPTOR_SEQ)
    } else {
        (ACCEPTOR_SEQ, INITIATOR_SEQ)
    };
    Cfx::new(&k, initiator, mode & 4 != 0, send.into(), recv.into()).expect("Cfx")
}

/// The token as the receiver sees it once the rotation is undone: RRC zeroed
/// and the bytes after the header rotated back.
fn normalize(token: &[u8]) -> Option<Vec<u8>> {
    if token.len() < HEADER_LEN {
        return None;
    }
    let mut t = token.to_vec();
    let rrc = usize::from(u16::from_be_bytes([t[6], t[7]]));
    t[6..8].fill(0);
    let body = &mut t[HEADER_LEN..];
    if !body.is_empty() {
        let shift = rrc % body.len();
        body.rotate_left(shift);
    }
    Some(t)
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let receiver_is_initiator = mode & 8 != 0;
    let mut receiver = context(mode, receiver_is_initiator);
    match (mode >> 4) & 3 {
        0 => {
            let mut buf = rest.to_vec();
            let whole = receiver.unwrap(&mut buf);
            // The same token through the IOV form, on a fresh receiver.
            let mut iov_receiver = context(mode, receiver_is_initiator);
            let (split, (header, data, trailer)) =
                iov_split(iov_receiver.unwrap_iov_lens(rest), rest);
            let mut header = header.to_vec();
            let mut data = data.to_vec();
            let mut trailer = trailer.to_vec();
            let iov = iov_receiver.unwrap_iov(&mut header, &mut data, &mut trailer);
            assert_iov_agrees(&whole, &buf, iov, &data, split);
            if let Ok((range, _sealed)) = whole {
                assert!(range.start >= HEADER_LEN && range.end <= buf.len());
                let mut again = rest.to_vec();
                assert_eq!(receiver.unwrap(&mut again), Err(Error::Replay));
            }
        }
        1 => {
            let Some((&n, rest)) = rest.split_first() else {
                return;
            };
            let (msg, token) = rest.split_at(usize::from(n).min(rest.len()));
            if receiver.verify_mic(msg, token).is_ok() {
                assert_eq!(receiver.verify_mic(msg, token), Err(Error::Replay));
            }
        }
        2 => {
            let [n, r0, r1, rest @ ..] = rest else {
                return;
            };
            let (edits, plain) = rest.split_at((3 * usize::from(*n)).min(rest.len()));
            let rrc = u16::from_be_bytes([*r0, *r1]);
            let confidential = mode & 0x40 != 0;
            let mut sender = context(mode, !receiver_is_initiator);
            let mut rng = CounterRng(u64::from(mode));
            let mut iov_sender = context(mode, !receiver_is_initiator);
            let mut iov_rng = CounterRng(u64::from(mode));
            for round in 0..2 {
                let head = sender.wrap_header_len(confidential);
                let total = head + plain.len() + sender.wrap_trailer_len(confidential);
                let mut token = vec![0u8; total];
                token[head..head + plain.len()].copy_from_slice(plain);
                let len = sender
                    .wrap(&mut rng, confidential, &mut token, plain.len())
                    .expect("wrap");
                assert_eq!(len, total);
                // The IOV form (RRC 0) from a twin sender emits the same token.
                let (h, t) = iov_sender.wrap_iov_lens(confidential, IovLayout::Trailer);
                let (mut header, mut data, mut trailer) = (vec![0; h], plain.to_vec(), vec![0; t]);
                let used = iov_sender
                    .wrap_iov(
                        &mut iov_rng,
                        confidential,
                        IovLayout::Trailer,
                        &mut header,
                        &mut data,
                        &mut trailer,
                    )
                    .expect("wrap_iov");
                assert_eq!(used, (h, t));
                assert_eq!([header, data, trailer].concat(), token, "wrap_iov differs");
                let intact = normalize(&token);
                if mode & 0x80 != 0 {
                    token[6..8].copy_from_slice(&rrc.to_be_bytes());
                    let body = &mut token[HEADER_LEN..];
                    let shift = usize::from(rrc) % body.len();
                    body.rotate_right(shift);
                    assert_eq!(normalize(&token), intact);
                }
                if round == 1 {
                    mutate(&mut token, edits);
                }
                let same = normalize(&token) == intact;
                let copy = token.clone();
                match receiver.unwrap(&mut token) {
                    Ok((range, sealed)) => {
                        assert!(same, "an altered Wrap token was accepted");
                        assert_eq!(sealed, confidential);
                        assert_eq!(&token[range], plain, "unwrap changed the message");
                        let mut again = copy;
                        if round == 1 {
                            assert_eq!(receiver.unwrap(&mut again), Err(Error::Replay));
                        }
                    }
                    Err(e) => {
                        assert!(!same, "unwrap of an intact token failed: {e:?}");
                        return;
                    }
                }
            }
        }
        _ => {
            let Some((&n, rest)) = rest.split_first() else {
                return;
            };
            let (edits, msg) = rest.split_at((3 * usize::from(n)).min(rest.len()));
            let mut sender = context(mode, !receiver_is_initiator);
            for round in 0..2 {
                let mut mic = [0u8; MAX_MIC_LEN];
                let len = sender.get_mic(msg, &mut mic).expect("get_mic");
                assert_eq!(len, sender.mic_len());
                let mut joined = [&mic[..len], msg].concat();
                let changed = round == 1 && mutate(&mut joined, edits);
                let (token, m) = joined.split_at(len.min(joined.len()));
                match receiver.verify_mic(m, token) {
                    Ok(()) => assert!(!changed, "an altered MIC was accepted"),
                    Err(e) => {
                        assert!(changed, "verify_mic of an intact token failed: {e:?}");
                        return;
                    }
                }
            }
        }
    }
});
