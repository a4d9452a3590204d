//! `ntlm::Acceptor::step` on hostile tokens.
//!
//! Input: a mode byte, then the rest. The mode's low two bits pick what the rest is:
//! - 0: the NEGOTIATE. A CHALLENGE that comes back must parse, answer the
//!   NEGOTIATE's UNICODE request and carry the configured server name.
//! - 1: the AUTHENTICATE, after authcore's initiator's real NEGOTIATE. Nobody
//!   can forge the NTLMv2 proof, so only an anonymous logon (when allowed) may
//!   complete.
//! - 2: edits (see `authcore_fuzz::mutate`) to the real AUTHENTICATE of a full
//!   handshake. Unchanged it must complete as `User`; changed in any byte it
//!   must be refused, since the MIC covers the whole message.
//! - 3: edits to the initiator's real NEGOTIATE before the acceptor sees it; the
//!   rest of the handshake runs unchanged. A changed NEGOTIATE must make the
//!   handshake fail (the MIC covers the NEGOTIATE the initiator sent, against
//!   flag downgrades).
//!
//! The mode's upper bits select the acceptor's options (`acceptor_config`).
#![no_main]

use authcore::ntlm::wire::{ChallengeRepr, NegotiateFlags, NegotiateRepr, TargetInfo};
use authcore::ntlm::{Acceptor, MAX_TOKEN_LEN};
use authcore::{Error, Progress, Step};
use authcore_fuzz::ntlm::{acceptor_config, handshake, initiator, Store, NOW, SERVER, USER};
use authcore_fuzz::{mutate, CounterRng};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let sel = mode >> 2;
    let mut rng = CounterRng(u64::from(mode));
    let mut out = vec![0u8; MAX_TOKEN_LEN];
    match mode & 3 {
        0 => {
            let mut acc = Acceptor::new(Store, acceptor_config(sel)).unwrap();
            if let Ok(p) = acc.step(rest, &mut out, NOW, &mut rng) {
                let Progress::Continue { written } = p else {
                    panic!("NEGOTIATE completed the acceptor: {p:?}");
                };
                check_challenge(rest, &out[..written]);
                // A second NEGOTIATE in place of AUTHENTICATE is refused.
                assert!(acc.step(rest, &mut out, NOW, &mut rng).is_err());
            }
        }
        1 => {
            let mut acc = Acceptor::new(Store, acceptor_config(sel)).unwrap();
            let negotiate = handshake(sel, &mut rng).negotiate;
            let Ok(Progress::Continue { .. }) = acc.step(&negotiate, &mut out, NOW, &mut rng)
            else {
                panic!("acceptor refused authcore's NEGOTIATE");
            };
            match acc.step(rest, &mut out, NOW, &mut rng) {
                Ok(p) => {
                    assert_eq!(p, Progress::Complete { written: 0 });
                    let id = acc.identity().expect("complete without identity");
                    assert!(
                        id.anonymous && sel & 1 != 0,
                        "a forged AUTHENTICATE was accepted: {id:?}"
                    );
                }
                Err(_) => {
                    assert!(acc.identity().is_none());
                    assert_eq!(
                        acc.step(rest, &mut out, NOW, &mut rng),
                        Err(Error::WrongState),
                        "a failed acceptor must stay failed"
                    );
                }
            }
        }
        2 => {
            let mut h = handshake(sel, &mut rng);
            let mut auth = h.authenticate.clone();
            let changed = mutate(&mut auth, rest);
            let r = h.acceptor.step(&auth, &mut out, NOW, &mut rng);
            if changed {
                assert!(r.is_err(), "a tampered AUTHENTICATE was accepted");
            } else {
                assert_eq!(r, Ok(Progress::Complete { written: 0 }), "handshake failed");
                let id = h.acceptor.identity().expect("identity");
                assert_eq!(id.user, USER);
                assert!(!id.anonymous);
            }
        }
        _ => {
            let mut init = initiator();
            let mut acc = Acceptor::new(Store, acceptor_config(sel)).unwrap();
            let Ok(Progress::Continue { written }) = init.step(&[], &mut out, NOW, &mut rng) else {
                panic!("initiator's first step failed");
            };
            let mut negotiate = out[..written].to_vec();
            let changed = mutate(&mut negotiate, rest);
            let Ok(Progress::Continue { written }) = acc.step(&negotiate, &mut out, NOW, &mut rng)
            else {
                assert!(changed, "acceptor refused authcore's NEGOTIATE");
                return;
            };
            let challenge = out[..written].to_vec();
            let Ok(Progress::Complete { written }) = init.step(&challenge, &mut out, NOW, &mut rng)
            else {
                assert!(changed, "initiator refused authcore's CHALLENGE");
                return;
            };
            let auth = out[..written].to_vec();
            let r = acc.step(&auth, &mut out, NOW, &mut rng);
            if changed {
                assert!(r.is_err(), "a tampered NEGOTIATE went unnoticed");
            } else {
                assert_eq!(r, Ok(Progress::Complete { written: 0 }), "handshake failed");
            }
        }
    }
});

fn check_challenge(negotiate: &[u8], challenge: &[u8]) {
    let n = NegotiateRepr::parse(negotiate).expect("accepted NEGOTIATE must parse");
    let c = ChallengeRepr::parse(challenge).expect("acceptor's CHALLENGE must parse");
    assert!(c.flags.contains(NegotiateFlags::UNICODE));
    assert!(c.flags.contains(NegotiateFlags::EXTENDED_SESSIONSECURITY));
    // The server may only grant what the client asked for, target info aside.
    let granted = c
        .flags
        .difference(NegotiateFlags::NTLM)
        .difference(NegotiateFlags::TARGET_INFO)
        .difference(NegotiateFlags::TARGET_TYPE_SERVER);
    assert!(
        n.flags.contains(granted),
        "CHALLENGE grants {:#x} beyond NEGOTIATE {:#x}",
        granted.bits(),
        n.flags.bits()
    );
    let Some(TargetInfo::Raw(ti)) = c.target_info else {
        panic!("CHALLENGE without TargetInfo");
    };
    let pairs = authcore::ntlm::wire::AvPairs::parse(ti).expect("TargetInfo");
    assert!(pairs.timestamp().is_some(), "no MsvAvTimestamp");
    let nb = pairs
        .get(authcore::ntlm::wire::av_id::NB_COMPUTER_NAME)
        .expect("no MsvAvNbComputerName");
    assert!(authcore::ntlm::wire::Text::Utf16Le(nb).eq_ignore_case(SERVER));
    if c.flags.contains(NegotiateFlags::REQUEST_TARGET) {
        assert!(c.target_name.eq_ignore_case(SERVER), "TargetName");
    }
}
