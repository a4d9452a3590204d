//! `spnego::Initiator::step` (Negotiate) on hostile acceptor tokens, for an
//! initiator offering Kerberos (MIT's captured ticket and session key, at the
//! capture's time) and NTLM (the fixture account).
//!
//! Input: a mode byte, then the rest. Mode bit 0:
//! - 0: the acceptor's first answer. Nobody can forge an AP-REP under the
//!   session key, and NTLM needs two more tokens, so it must never complete
//!   the context; what it sends back must be a NegTokenResp.
//! - 1: edits (see `authcore_fuzz::mutate`) to the last token of a real
//!   exchange with authcore's acceptor holding NTLM only (so NTLM after our
//!   Kerberos offer, with the mechListMIC both ways). Unchanged it must
//!   complete and seal across; changed in any byte it must be refused.
//!
//! After any refusal the context stays failed and protects nothing.
#![no_main]

use authcore::kerberos::wire::{name_type, KerberosString, PrincipalName};
use authcore::kerberos::{self, KeyEntry, ReplayCache};
use authcore::ntlm;
use authcore::spnego::wire::NegotiationToken;
use authcore::spnego::{Acceptor, Initiator, Mech, MAX_TOKEN_LEN};
use authcore::{Error, Progress, Protect, Step, Time};
use authcore_fuzz::krb::{capture, capture_time, session_key, REALM};
use authcore_fuzz::ntlm::{acceptor_config, initiator, Store};
use authcore_fuzz::{mutate, CounterRng};
use libfuzzer_sys::fuzz_target;

static ALICE: [KerberosString<'static>; 1] = [KerberosString(b"alice")];

fn client(ticket: &[u8]) -> Initiator<'_> {
    let krb = kerberos::Initiator::new(
        ticket,
        session_key(),
        PrincipalName::new(name_type::PRINCIPAL, &ALICE),
        REALM,
        kerberos::InitiatorConfig::default(),
    )
    .unwrap();
    Initiator::new(Some(krb), Some(initiator())).unwrap()
}

fn step(
    c: &mut impl Step,
    input: &[u8],
    now: Time,
    rng: &mut CounterRng,
) -> Result<(Vec<u8>, bool), Error> {
    let mut out = vec![0u8; MAX_TOKEN_LEN];
    match c.step(input, &mut out, now, rng)? {
        Progress::Continue { written } => Ok((out[..written].to_vec(), false)),
        Progress::Complete { written } => Ok((out[..written].to_vec(), true)),
        Progress::SendToKdc { .. } => panic!("KDC step"),
    }
}

fn refused(c: &mut Initiator<'_>, input: &[u8], now: Time, rng: &mut CounterRng) {
    assert_eq!(
        step(c, input, now, rng),
        Err(Error::WrongState),
        "a failed context must stay failed"
    );
    assert!(
        c.sign(b"x", &mut [0u8; 64]).is_err(),
        "a failed context signs"
    );
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let mut rng = CounterRng(u64::from(mode));
    let now = capture_time();
    let ticket = capture("service-ticket");
    let mut c = client(&ticket);
    let (first, done) = step(&mut c, &[], now, &mut rng).unwrap();
    assert!(!done);
    assert!(NegotiationToken::parse_initial(&first).is_ok());
    if mode & 1 == 0 {
        match step(&mut c, rest, now, &mut rng) {
            Ok((out, done)) => {
                assert!(!done, "a forged first answer completed the initiator");
                assert!(NegotiationToken::parse_resp(&out).is_ok());
            }
            Err(_) => refused(&mut c, rest, now, &mut rng),
        }
        return;
    }
    // A real exchange with an NTLM-only acceptor, up to its last token.
    let no_keytab: Option<kerberos::Acceptor<'_, [KeyEntry<'_>], ReplayCache<1>>> = None;
    let mut a = Acceptor::new(
        Some(ntlm::Acceptor::new(Store, acceptor_config(0)).unwrap()),
        no_keytab,
    );
    let mut token = first;
    let last = loop {
        let (answer, acceptor_done) = step(&mut a, &token, now, &mut rng).unwrap();
        if acceptor_done {
            break answer;
        }
        let (next, done) = step(&mut c, &answer, now, &mut rng).unwrap();
        assert!(!done);
        token = next;
    };
    assert!(a.mech_list_mic_exchanged());
    let mut edited = last.clone();
    let changed = mutate(&mut edited, rest);
    let r = step(&mut c, &edited, now, &mut rng);
    if changed {
        assert!(r.is_err(), "a changed last token was accepted: {r:?}");
        refused(&mut c, &edited, now, &mut rng);
        return;
    }
    assert_eq!(r, Ok((Vec::new(), true)));
    assert_eq!(c.mech(), Mech::Ntlm);
    assert!(c.mech_list_mic_exchanged());
    let mut buf = [0u8; 64];
    let msg = b"after the mechListMIC";
    buf[16..16 + msg.len()].copy_from_slice(msg);
    let n = c.seal(&mut rng, &mut buf, msg.len()).unwrap();
    let range = a.unseal(&mut buf[..n]).unwrap();
    assert_eq!(&buf[range], msg);
});
