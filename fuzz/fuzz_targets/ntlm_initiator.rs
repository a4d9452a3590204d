//! `ntlm::Initiator::step` on a hostile CHALLENGE, after its own NEGOTIATE.
//!
//! Input: a mode byte (bit 0: anonymous initiator), then the CHALLENGE.
//! An AUTHENTICATE that comes back must parse and be correct for that
//! CHALLENGE: its NTLMv2 proof verifies under the account's key and the
//! CHALLENGE's server nonce, it echoes the server's AV pairs and adds MsvAvFlags
//! (MIC present), the channel bindings and the target name, and its MIC verifies
//! over the three messages.
#![no_main]

use authcore::crypto::ntlm::ntowfv2;
use authcore::ntlm::keys::{exchange_session_key, mic, nt_proof, ntlmv2_session_base_key};
use authcore::ntlm::wire::{
    av_flags, av_id, AuthenticateRepr, ChallengeRepr, NegotiateFlags, Ntlmv2Response, Payload,
    MIC_LEN, MIC_OFFSET,
};
use authcore::ntlm::{Initiator, InitiatorConfig, NtHash, MAX_TOKEN_LEN};
use authcore::{Error, Progress, Step};
use authcore_fuzz::ntlm::{channel_bindings, initiator, DOMAIN, NOW, PASSWORD, TARGET_NAME, USER};
use authcore_fuzz::CounterRng;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&mode, challenge)) = data.split_first() else {
        return;
    };
    let anonymous = mode & 1 != 0;
    let mut init = if anonymous {
        Initiator::anonymous(InitiatorConfig::new()).unwrap()
    } else {
        initiator()
    };
    let mut rng = CounterRng(u64::from(mode));
    let mut out = vec![0u8; MAX_TOKEN_LEN];
    let Ok(Progress::Continue { written }) = init.step(&[], &mut out, NOW, &mut rng) else {
        panic!("initiator's first step failed");
    };
    let negotiate = out[..written].to_vec();
    let written = match init.step(challenge, &mut out, NOW, &mut rng) {
        Ok(Progress::Complete { written }) => written,
        Ok(p) => panic!("CHALLENGE did not complete the initiator: {p:?}"),
        Err(_) => {
            assert!(!init.is_complete());
            assert_eq!(
                init.step(challenge, &mut out, NOW, &mut rng),
                Err(Error::WrongState),
                "a failed initiator must stay failed"
            );
            return;
        }
    };
    assert!(init.is_complete());
    assert!(written <= MAX_TOKEN_LEN);
    let c = ChallengeRepr::parse(challenge).expect("accepted CHALLENGE must parse");
    let auth_bytes = &out[..written];
    let a = AuthenticateRepr::parse(auth_bytes).expect("initiator's AUTHENTICATE must parse");
    assert!(a.flags.contains(NegotiateFlags::UNICODE));
    let Payload::Bytes(nt) = a.nt_response else {
        unreachable!()
    };
    if anonymous {
        assert!(a.user.is_empty() && nt.is_empty());
        return;
    }
    assert!(a.user.eq_ignore_case(USER) && a.domain.eq_ignore_case(DOMAIN));

    let response = Ntlmv2Response::parse(nt).expect("initiator's NTLMv2 response must parse");
    let key = ntowfv2(&NtHash::from_password(PASSWORD), USER, DOMAIN);
    let proof = nt_proof(&key, &c.server_challenge, response.blob);
    assert_eq!(proof, response.proof, "NTProofStr does not verify");

    let pairs = response.av_pairs;
    assert_eq!(
        pairs.flags().map(|f| f & av_flags::MIC_PRESENT),
        Some(av_flags::MIC_PRESENT)
    );
    assert_eq!(pairs.channel_bindings(), Some(channel_bindings()));
    assert!(pairs
        .target_name()
        .is_some_and(|t| t.eq_ignore_case(TARGET_NAME)));
    // Every server pair the client does not supply itself is echoed unchanged.
    if let Some(server) = c.target_info.and_then(|t| t.pairs()) {
        for p in server.iter().filter(|p| {
            !matches!(
                p.id,
                av_id::FLAGS | av_id::TARGET_NAME | av_id::CHANNEL_BINDINGS
            )
        }) {
            assert!(
                pairs.iter().any(|q| q == p),
                "server AV pair {p:?} not echoed"
            );
        }
    }

    // The MIC, with the exported key recovered as the acceptor would.
    let base = ntlmv2_session_base_key(&key, &proof);
    let exported = if a.flags.contains(NegotiateFlags::KEY_EXCH) {
        let Payload::Bytes(enc) = a.encrypted_session_key else {
            unreachable!()
        };
        let enc: [u8; 16] = enc.try_into().expect("EncryptedRandomSessionKey length");
        authcore::crypto::ntlm::Key16::from_bytes(exchange_session_key(&base, &enc))
    } else {
        base
    };
    let sent_mic = a.mic.expect("AUTHENTICATE without MIC");
    let mut zeroed = auth_bytes.to_vec();
    zeroed[MIC_OFFSET..MIC_OFFSET + MIC_LEN].fill(0);
    assert_eq!(
        mic(&exported, &negotiate, challenge, &zeroed),
        sent_mic,
        "MIC does not verify"
    );
});
