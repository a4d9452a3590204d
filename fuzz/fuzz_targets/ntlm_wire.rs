//! Every NTLM wire parser on the same bytes: NEGOTIATE, CHALLENGE, AUTHENTICATE,
//! an AV_PAIR list and an NTLMv2 response. Whatever parses must re-emit into
//! exactly `buffer_len()` bytes that parse back to an equal value and re-emit
//! identically (the emitted form is canonical); a parsed AV_PAIR list re-emits
//! byte for byte from its typed pairs.
//!
//! Input: the message itself.
#![no_main]

use authcore::ntlm::wire::{
    av_list_len, emit_av_list, AuthenticateRepr, AvPairRepr, AvPairs, ChallengeRepr, MessageType,
    NegotiateRepr, Ntlmv2Response, Payload, SliceSink, Text, BLOB_HEADER_LEN, MIC_OFFSET,
    NT_PROOF_LEN,
};
use authcore::Error;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = MessageType::of(data);
    negotiate(data);
    challenge(data);
    authenticate(data);
    av_pairs(data);
    ntlmv2_response(data);
});

/// Decodes a text the way the acceptor does; any result but a panic is fine.
fn touch(t: &Text<'_>) {
    let _ = t.chars().count();
    let _ = t.eq_ignore_case("User");
}

/// `emit` into a buffer one byte short must ask for exactly `len`.
fn check_too_small(result: Result<usize, Error>, len: usize) {
    assert_eq!(result, Err(Error::BufferTooSmall { needed: len }));
}

fn negotiate(data: &[u8]) {
    let Ok(n) = NegotiateRepr::parse(data) else {
        return;
    };
    let len = n.buffer_len();
    let mut buf = vec![0u8; len];
    assert_eq!(n.emit(&mut buf), Ok(len), "NEGOTIATE emit length");
    let again = NegotiateRepr::parse(&buf).expect("re-parse of an emitted NEGOTIATE");
    assert_eq!(again, n, "NEGOTIATE changed through emit");
    let mut buf2 = vec![0u8; again.buffer_len()];
    again.emit(&mut buf2).expect("second NEGOTIATE emit");
    assert_eq!(buf2, buf, "NEGOTIATE emit is not canonical");
    check_too_small(n.emit(&mut buf[..len - 1]), len);
}

fn challenge(data: &[u8]) {
    let Ok(c) = ChallengeRepr::parse(data) else {
        return;
    };
    touch(&c.target_name);
    if let Some(ti) = &c.target_info {
        let pairs = ti.pairs().expect("parsed TargetInfo has pairs");
        for p in pairs.iter() {
            p.repr().expect("pair of a checked list");
        }
    }
    let len = c.buffer_len();
    let mut buf = vec![0u8; len];
    assert_eq!(c.emit(&mut buf), Ok(len), "CHALLENGE emit length");
    let again = ChallengeRepr::parse(&buf).expect("re-parse of an emitted CHALLENGE");
    assert_eq!(again, c, "CHALLENGE changed through emit");
    let mut buf2 = vec![0u8; again.buffer_len()];
    again.emit(&mut buf2).expect("second CHALLENGE emit");
    assert_eq!(buf2, buf, "CHALLENGE emit is not canonical");
    check_too_small(c.emit(&mut buf[..len - 1]), len);
}

fn bytes<'a>(p: &Payload<'a>) -> &'a [u8] {
    match *p {
        Payload::Bytes(b) => b,
        Payload::Reserve(_) => panic!("a parsed AUTHENTICATE holds only bytes"),
    }
}

fn authenticate(data: &[u8]) {
    let Ok(a) = AuthenticateRepr::parse(data) else {
        return;
    };
    touch(&a.user);
    touch(&a.domain);
    touch(&a.workstation);
    let _ = Ntlmv2Response::parse(bytes(&a.nt_response));
    let len = a.buffer_len();
    assert_ne!(len, usize::MAX, "a parsed AUTHENTICATE must fit the wire");
    let mut buf = vec![0u8; len];
    let layout = a.emit(&mut buf).expect("emit of a parsed AUTHENTICATE");
    assert_eq!(layout.len, len, "AUTHENTICATE emit length");
    assert_eq!(&buf[layout.lm_response.clone()], bytes(&a.lm_response));
    assert_eq!(&buf[layout.nt_response.clone()], bytes(&a.nt_response));
    assert_eq!(
        &buf[layout.encrypted_session_key.clone()],
        bytes(&a.encrypted_session_key)
    );
    if let (Some(mic), Some(r)) = (&a.mic, layout.mic.clone()) {
        assert_eq!(r.start, MIC_OFFSET);
        assert_eq!(&buf[r], mic, "MIC not where the layout says");
    }
    let again = AuthenticateRepr::parse(&buf).expect("re-parse of an emitted AUTHENTICATE");
    assert_eq!(again, a, "AUTHENTICATE changed through emit");
    let mut buf2 = vec![0u8; again.buffer_len()];
    again.emit(&mut buf2).expect("second AUTHENTICATE emit");
    assert_eq!(buf2, buf, "AUTHENTICATE emit is not canonical");
    assert_eq!(
        a.emit(&mut buf[..len - 1]).map(|l| l.len),
        Err(Error::BufferTooSmall { needed: len })
    );
}

fn av_pairs(data: &[u8]) {
    let Ok(list) = AvPairs::parse(data) else {
        return;
    };
    let raw = list.as_bytes();
    assert!(
        data.starts_with(raw),
        "AV list is not a prefix of its input"
    );
    let reprs: Vec<AvPairRepr<'_>> = list
        .iter()
        .map(|p| {
            let r = p.repr().expect("pair of a checked list");
            assert_eq!(r.id(), p.id);
            r
        })
        .collect();
    // Accessors agree with the typed pairs.
    for r in &reprs {
        match r {
            AvPairRepr::Flags(f) => assert_eq!(list.flags(), Some(*f)),
            AvPairRepr::Timestamp(t) => assert_eq!(list.timestamp(), Some(*t)),
            AvPairRepr::ChannelBindings(cb) => assert_eq!(list.channel_bindings(), Some(*cb)),
            AvPairRepr::TargetName(t) => {
                touch(t);
                assert_eq!(list.target_name(), Some(*t));
            }
            _ => {}
        }
    }
    let len = av_list_len(reprs.iter());
    assert_eq!(len, raw.len(), "AV list length");
    let mut buf = vec![0u8; len];
    let mut sink = SliceSink::new(&mut buf);
    emit_av_list(reprs.iter(), &mut sink).expect("emit of a parsed AV list");
    assert_eq!(sink.position(), len);
    assert_eq!(buf, raw, "AV list does not re-emit byte for byte");
}

fn ntlmv2_response(data: &[u8]) {
    let Ok(r) = Ntlmv2Response::parse(data) else {
        return;
    };
    assert_eq!(&data[..NT_PROOF_LEN], &r.proof);
    assert_eq!(r.blob, &data[NT_PROOF_LEN..]);
    assert_eq!(r.blob[16..24], r.client_challenge);
    assert!(r.blob[BLOB_HEADER_LEN..].starts_with(r.av_pairs.as_bytes()));
}
