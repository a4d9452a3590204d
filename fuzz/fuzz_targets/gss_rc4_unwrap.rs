//! RFC 4757 per-message tokens (`gss::rc4::Rc4Hmac`) under a fixed rc4-hmac
//! key (the first 16 bytes of the MIT capture's service key) and the captured
//! sequence numbers: `unwrap` and `verify_mic` on hostile tokens, and round
//! trips whose tokens the input may alter.
//!
//! Input: a mode byte, then the rest. Mode bit 3 makes the initiator the
//! receiver (default: the acceptor), bit 6 asks for confidentiality. Bits 4-5:
//! - 0: the rest is a Wrap token for `unwrap`, and for `unwrap_iov` on a
//!   fresh receiver, cut as `unwrap_iov_lens` says (else at arbitrary points):
//!   both must agree (rc4-hmac: unless the padding is longer than the one
//!   byte the IOV trailer holds);
//! - 1: rest = message length, message, MIC token, for `verify_mic`;
//! - 2: rest = edit count `n`, `3n` bytes of edits (`authcore_fuzz::mutate`),
//!   plaintext: `wrap` (which `wrap_iov` must emit identically), edit,
//!   `unwrap`; the plaintext must come back from an
//!   intact token and any change must be refused;
//! - 3: the same with `get_mic` / `verify_mic` over token || message.
//!
//! Whatever a receiver accepts, it must refuse the same token again (replay).
#![no_main]

use authcore::gss::rc4::{Rc4Hmac, KEY_LEN, MIC_LEN, WRAP_HEADER_LEN, WRAP_TRAILER_LEN};
use authcore::gss::IovLayout;
use authcore::Error;
use authcore_fuzz::krb::{assert_iov_agrees, iov_split, ACCEPTOR_SEQ, INITIATOR_SEQ, SERVICE_KEY};
use authcore_fuzz::{hex, mutate, CounterRng};
use libfuzzer_sys::fuzz_target;

fn context(initiator: bool) -> Rc4Hmac {
    let key: [u8; KEY_LEN] = hex(SERVICE_KEY)[..KEY_LEN].try_into().unwrap();
    let (send, recv) = if initiator {
        (INITIATOR_SEQ, ACCEPTOR_SEQ)
    } else {
        (ACCEPTOR_SEQ, INITIATOR_SEQ)
    };
    Rc4Hmac::new(&key, initiator, send, recv).expect("Rc4Hmac")
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let receiver_is_initiator = mode & 8 != 0;
    let mut receiver = context(receiver_is_initiator);
    match (mode >> 4) & 3 {
        0 => {
            let mut buf = rest.to_vec();
            let whole = receiver.unwrap(&mut buf);
            // The same token through the IOV form, on a fresh receiver.
            let mut iov_receiver = context(receiver_is_initiator);
            let (split, (header, data, trailer)) =
                iov_split(iov_receiver.unwrap_iov_lens(rest), rest);
            let mut header = header.to_vec();
            let mut data = data.to_vec();
            let mut trailer = trailer.to_vec();
            let iov = iov_receiver.unwrap_iov(&mut header, &mut data, &mut trailer);
            assert_iov_agrees(&whole, &buf, iov, &data, split);
            if let Ok((range, _sealed)) = whole {
                assert!(range.end <= buf.len());
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
            let Some((&n, rest)) = rest.split_first() else {
                return;
            };
            let (edits, plain) = rest.split_at((3 * usize::from(n)).min(rest.len()));
            let confidential = mode & 0x40 != 0;
            let mut sender = context(!receiver_is_initiator);
            let mut rng = CounterRng(u64::from(mode));
            let mut iov_sender = context(!receiver_is_initiator);
            let mut iov_rng = CounterRng(u64::from(mode));
            for round in 0..2 {
                let mut token = vec![0u8; WRAP_HEADER_LEN + plain.len() + WRAP_TRAILER_LEN];
                token[WRAP_HEADER_LEN..WRAP_HEADER_LEN + plain.len()].copy_from_slice(plain);
                let len = sender
                    .wrap(&mut rng, confidential, &mut token, plain.len())
                    .expect("wrap");
                token.truncate(len);
                // The IOV form from a twin sender emits the same token.
                let (mut header, mut data, mut trailer) =
                    ([0; WRAP_HEADER_LEN], plain.to_vec(), [0; WRAP_TRAILER_LEN]);
                let (h, t) = iov_sender
                    .wrap_iov(
                        &mut iov_rng,
                        confidential,
                        IovLayout::Trailer,
                        &mut header,
                        &mut data,
                        &mut trailer,
                    )
                    .expect("wrap_iov");
                assert_eq!(
                    [&header[..h], &data, &trailer[..t]].concat(),
                    token,
                    "wrap_iov differs"
                );
                let changed = round == 1 && mutate(&mut token, edits);
                let copy = token.clone();
                match receiver.unwrap(&mut token) {
                    Ok((range, sealed)) => {
                        assert!(!changed, "an altered Wrap token was accepted");
                        assert_eq!(sealed, confidential);
                        assert_eq!(&token[range], plain, "unwrap changed the message");
                        if round == 1 {
                            let mut again = copy;
                            assert_eq!(receiver.unwrap(&mut again), Err(Error::Replay));
                        }
                    }
                    Err(e) => {
                        assert!(changed, "unwrap of an intact token failed: {e:?}");
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
            let mut sender = context(!receiver_is_initiator);
            for round in 0..2 {
                let mut mic = [0u8; MIC_LEN];
                let len = sender.get_mic(msg, &mut mic).expect("get_mic");
                assert_eq!(len, MIC_LEN);
                let mut joined = [&mic[..], msg].concat();
                let changed = round == 1 && mutate(&mut joined, edits);
                let (token, m) = joined.split_at(MIC_LEN.min(joined.len()));
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
