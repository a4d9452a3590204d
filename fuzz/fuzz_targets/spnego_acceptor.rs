//! `spnego::Acceptor::step` (Negotiate, RFC 4178) on hostile tokens, over an
//! NTLM acceptor for the fixture account and a Kerberos acceptor with the MIT
//! capture's service key, at the capture's time.
//!
//! Input: a mode byte, then the rest. Mode bits 0-1:
//! - 0: the first token. Whatever is accepted answers with a NegTokenResp
//!   (or, for a raw NTLM NEGOTIATE, a CHALLENGE).
//! - 1: the second token, after a real NegTokenInit offering NTLM with its
//!   NEGOTIATE: nobody can forge the AUTHENTICATE inside, so the context must
//!   never be established.
//! - 2: edits (see `authcore_fuzz::mutate`) to the real second token of an
//!   NTLM exchange with a mechListMIC (NEGOEX offered first, so the MIC is
//!   required). Unchanged it must complete; changed in any byte it must be
//!   refused.
//! - 3: edits to MIT's captured AP-REQ token, offered as the optimistic
//!   token for krb5 ahead of NTLM. Unchanged it must complete with Kerberos.
//!
//! Every refusal leaves a failed context (the next step is `WrongState`) and
//! no identity; an error token, when written, is a NegTokenResp with
//! negState reject.
#![no_main]

use authcore::gss::token::KRB5_OID;
use authcore::kerberos::{self, KeyEntry, ReplayCache};
use authcore::ntlm::{self, Initiator};
use authcore::spnego::wire::{
    MechTypes, NegState, NegTokenInit, NegTokenResp, NegotiationToken, NTLM_OID,
};
use authcore::spnego::{Acceptor, Mech, MAX_TOKEN_LEN};
use authcore::{Error, Progress, Protect, Step, Time};
use authcore_fuzz::krb::{capture, capture_time, keytab};
use authcore_fuzz::ntlm::{acceptor_config, initiator, Store};
use authcore_fuzz::{mutate, CounterRng};
use libfuzzer_sys::fuzz_target;

const NEGOEX_OID: &[u8] = &[0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x02, 0x02, 0x1e];

fn mech_list(oids: &[&[u8]]) -> Vec<u8> {
    let mut buf = vec![0u8; 128];
    let n = MechTypes::encode(oids, &mut buf).unwrap();
    buf.truncate(n);
    buf
}

fn init_token(list: &[u8], token: Option<&[u8]>) -> Vec<u8> {
    let t = NegTokenInit {
        mech_types: MechTypes::from_der(list).unwrap(),
        mech_token: token,
        mech_list_mic: None,
    };
    let mut out = vec![0u8; MAX_TOKEN_LEN];
    let n = t.emit(&mut out).unwrap();
    out.truncate(n);
    out
}

fn resp_token(token: &[u8], mic: Option<&[u8]>) -> Vec<u8> {
    let t = NegTokenResp {
        response_token: Some(token),
        mech_list_mic: mic,
        ..NegTokenResp::default()
    };
    let mut out = vec![0u8; MAX_TOKEN_LEN];
    let n = t.emit(&mut out, None).unwrap();
    out.truncate(n);
    out
}

type Ctx<'a> = Acceptor<'a, Store, [KeyEntry<'static>], &'a mut ReplayCache<4>>;

fn acceptor<'a>(kt: &'a [KeyEntry<'static>], replay: &'a mut ReplayCache<4>) -> Ctx<'a> {
    // The fixture's NTLM options without the target-name and binding checks
    // (the SPNEGO tokens here carry neither), MIC required.
    let n = ntlm::Acceptor::new(Store, acceptor_config(0)).unwrap();
    let k = kerberos::Acceptor::new(kt, replay, kerberos::AcceptorConfig::default()).unwrap();
    Acceptor::new(Some(n), Some(k))
}

fn step(
    ctx: &mut Ctx<'_>,
    input: &[u8],
    now: Time,
    rng: &mut CounterRng,
) -> Result<Progress, Error> {
    let mut out = vec![0u8; MAX_TOKEN_LEN];
    let r = ctx.step(input, &mut out, now, rng);
    match &r {
        Ok(Progress::Continue { written }) | Ok(Progress::Complete { written }) => {
            let t = &out[..*written];
            if !t.starts_with(b"NTLMSSP\0") && !t.is_empty() {
                assert!(
                    NegotiationToken::parse_resp(t).is_ok(),
                    "the acceptor emitted something that is not a NegTokenResp"
                );
            }
        }
        Ok(Progress::SendToKdc { .. }) => panic!("an acceptor asked for a KDC"),
        Err(_) => {
            assert!(
                ctx.identity().is_none(),
                "a refused context has an identity"
            );
            let n = ctx.error_token_len();
            if n > 0 {
                let Ok(t) = NegotiationToken::parse_resp(&out[..n]) else {
                    panic!("error token is not a NegTokenResp");
                };
                assert_eq!(t.neg_state, Some(NegState::Reject));
            }
            assert_eq!(
                ctx.step(input, &mut out, now, rng),
                Err(Error::WrongState),
                "a failed context must stay failed"
            );
        }
    }
    r
}

/// The NTLM client's token and its next answer.
fn client_step(c: &mut Initiator, input: &[u8], rng: &mut CounterRng) -> Vec<u8> {
    let mut out = vec![0u8; ntlm::MAX_TOKEN_LEN];
    match c
        .step(input, &mut out, authcore_fuzz::ntlm::NOW, rng)
        .unwrap()
    {
        Progress::Continue { written } | Progress::Complete { written } => out[..written].to_vec(),
        Progress::SendToKdc { .. } => unreachable!(),
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let mut rng = CounterRng(u64::from(mode));
    let kt = keytab();
    let mut replay = ReplayCache::new();
    let mut ctx = acceptor(&kt, &mut replay);
    let ntlm_now = authcore_fuzz::ntlm::NOW;
    match mode & 3 {
        0 => {
            let _ = step(&mut ctx, rest, ntlm_now, &mut rng);
        }
        1 => {
            let mut client = initiator();
            let negotiate = client_step(&mut client, &[], &mut rng);
            let first = init_token(&mech_list(&[NTLM_OID]), Some(&negotiate));
            assert!(matches!(
                step(&mut ctx, &first, ntlm_now, &mut rng),
                Ok(Progress::Continue { .. })
            ));
            let r = step(&mut ctx, rest, ntlm_now, &mut rng);
            assert!(
                !matches!(r, Ok(Progress::Complete { .. })) && ctx.identity().is_none(),
                "a forged second token established the context: {r:?}"
            );
        }
        2 => {
            let list = mech_list(&[NEGOEX_OID, NTLM_OID]);
            let mut client = initiator();
            let Ok(Progress::Continue { .. }) =
                step(&mut ctx, &init_token(&list, None), ntlm_now, &mut rng)
            else {
                panic!("NegTokenInit refused");
            };
            let negotiate = client_step(&mut client, &[], &mut rng);
            let mut out = vec![0u8; MAX_TOKEN_LEN];
            let Ok(Progress::Continue { written }) =
                ctx.step(&resp_token(&negotiate, None), &mut out, ntlm_now, &mut rng)
            else {
                panic!("NEGOTIATE refused");
            };
            let Ok(r) = NegotiationToken::parse_resp(&out[..written]) else {
                panic!("no NegTokenResp");
            };
            let authenticate = client_step(&mut client, r.response_token.unwrap(), &mut rng);
            let mut mic = [0u8; 16];
            client.sign(&list, &mut mic).unwrap();
            let mut token = resp_token(&authenticate, Some(&mic));
            let changed = mutate(&mut token, rest);
            let r = step(&mut ctx, &token, ntlm_now, &mut rng);
            if changed {
                assert!(r.is_err(), "a tampered final token was accepted");
            } else {
                assert!(matches!(r, Ok(Progress::Complete { .. })), "{r:?}");
                assert!(ctx.mech_list_mic_exchanged());
                assert_eq!(ctx.mech(), Some(Mech::Ntlm));
            }
        }
        _ => {
            let mut ap_req = capture("gss-ap-req-token");
            let changed = mutate(&mut ap_req, rest);
            let first = init_token(&mech_list(&[KRB5_OID, NTLM_OID]), Some(&ap_req));
            let r = step(&mut ctx, &first, capture_time(), &mut rng);
            if !changed {
                assert!(matches!(r, Ok(Progress::Complete { .. })), "{r:?}");
                assert_eq!(ctx.mech(), Some(Mech::Kerberos));
            }
            if let Ok(Progress::Complete { .. }) = r {
                assert!(ctx.identity().is_some());
                assert!(ctx.sizes().seal_header > 0);
            }
        }
    }
});
