//! SPNEGO tokens (RFC 4178): `NegotiationToken::parse_initial` and `parse` on
//! arbitrary bytes.
//!
//! Input: the token. Properties: a NegTokenResp re-emits byte for byte (DER
//! has one encoding, and every field is kept), also when its response token
//! is emitted in place; a NegTokenInit re-emits to a token that parses to
//! the same fields (reqFlags, advisory, is not kept); the mechanism list is
//! kept exactly as received, since the mechListMIC covers those bytes.
#![no_main]

use authcore::spnego::wire::{MechTypes, NegTokenInit, NegotiationToken, MAX_RESP_OVERHEAD};
use libfuzzer_sys::fuzz_target;

fn check_init(init: &NegTokenInit<'_>, cap: usize) {
    assert_eq!(
        MechTypes::from_der(init.mech_types.der()),
        Ok(init.mech_types)
    );
    assert!(init.mech_types.iter().all(|o| o.is_ok()));
    let mut buf = vec![0u8; cap + 64];
    let n = init.emit(&mut buf).expect("a parsed NegTokenInit re-emits");
    let again = NegotiationToken::parse_initial(&buf[..n]).expect("re-emitted NegTokenInit parses");
    assert_eq!(&again, init);
}

fuzz_target!(|data: &[u8]| {
    if let Ok(init) = NegotiationToken::parse_initial(data) {
        check_init(&init, data.len());
    }
    match NegotiationToken::parse(data) {
        Ok(NegotiationToken::Resp(r)) => {
            let mut buf = vec![0u8; data.len()];
            assert_eq!(r.emit(&mut buf, None), Ok(data.len()));
            assert_eq!(buf, data, "NegTokenResp does not re-emit byte for byte");
            if let Some(t) = r.response_token {
                let mut buf = vec![0u8; MAX_RESP_OVERHEAD + data.len()];
                buf[MAX_RESP_OVERHEAD..][..t.len()].copy_from_slice(t);
                let n = r
                    .emit(&mut buf, Some((MAX_RESP_OVERHEAD, t.len())))
                    .unwrap();
                assert_eq!(&buf[..n], data, "in-place emission differs");
            }
        }
        Ok(NegotiationToken::Init(init)) => {
            // Bare (not framed): the same checks through a framed copy.
            let _ = init.mech_types.first();
            check_init(&init, data.len());
        }
        Err(_) => {}
    }
});
