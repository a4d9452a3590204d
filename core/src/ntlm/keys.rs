//! NTLM key derivation and responses (MS-NLMP 3.3.2 and 3.4.5): the NTLMv2 and
//! LMv2 responses, the session base key, KXKEY, key exchange, SIGNKEY, SEALKEY,
//! and the MIC.

use crate::crypto::ntlm::{md5, rc4_once, HmacMd5Key, Key16, KEY_LEN};

use super::wire::{NegotiateFlags, NT_PROOF_LEN};

/// Which way a message travels; each direction has its own signing and sealing key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Direction {
    /// Client (initiator) to server (acceptor).
    ClientToServer,
    /// Server (acceptor) to client (initiator).
    ServerToClient,
}

/// MD5(`base` || the magic constant of MS-NLMP 3.4.5.2 or 3.4.5.3), e.g.
/// "session key to client-to-server signing key magic constant" with its NUL:
/// the four constants are hashed from their shared pieces (flash).
fn magic_key(base: &[u8], direction: Direction, usage: &[u8]) -> Key16 {
    let way: &[u8] = match direction {
        Direction::ClientToServer => b"client-to-server",
        Direction::ServerToClient => b"server-to-client",
    };
    Key16::from_bytes(md5(&[base, b"session key to ", way, usage]))
}

/// ResponseKeyNT (NTOWFv2, which NTLMv2 also uses as ResponseKeyLM) after its
/// HMAC key setup. The LMv2 response, NTProofStr and the SessionBaseKey are all
/// MACs under this key (MS-NLMP 3.3.2), so a handshake prepares it once instead
/// of once per MAC. Zeroized on drop (it holds [`HmacMd5Key`]).
#[derive(Debug, Clone)]
pub struct ResponseKey(HmacMd5Key);

impl ResponseKey {
    /// Prepares ResponseKeyNT.
    pub fn new(response_key_nt: &Key16) -> ResponseKey {
        ResponseKey(HmacMd5Key::new(response_key_nt.as_bytes()))
    }

    /// NTProofStr = HMAC_MD5(ResponseKeyNT, ServerChallenge || temp), where `blob`
    /// is `temp`, the NTLMv2_CLIENT_CHALLENGE exactly as sent.
    pub fn nt_proof(&self, server_challenge: &[u8; 8], blob: &[u8]) -> [u8; NT_PROOF_LEN] {
        self.0.mac(&[server_challenge, blob])
    }

    /// LMv2 response = HMAC_MD5(ResponseKeyLM, ServerChallenge || ClientChallenge)
    /// || ClientChallenge.
    pub fn lmv2_response(
        &self,
        server_challenge: &[u8; 8],
        client_challenge: &[u8; 8],
    ) -> [u8; 24] {
        let mac = self.0.mac(&[server_challenge, client_challenge]);
        let mut out = [0u8; 24];
        let (a, b) = out.split_at_mut(16);
        a.copy_from_slice(&mac);
        b.copy_from_slice(client_challenge);
        out
    }

    /// NTLMv2 SessionBaseKey = HMAC_MD5(ResponseKeyNT, NTProofStr). With NTLMv2,
    /// KXKEY returns it unchanged (MS-NLMP 3.4.5.1).
    pub fn session_base_key(&self, nt_proof: &[u8; NT_PROOF_LEN]) -> Key16 {
        Key16::from_bytes(self.0.mac(&[nt_proof]))
    }
}

/// NTProofStr = HMAC_MD5(ResponseKeyNT, ServerChallenge || temp) (MS-NLMP 3.3.2),
/// where `blob` is `temp`, the NTLMv2_CLIENT_CHALLENGE exactly as sent. A one-off
/// form of [`ResponseKey::nt_proof`].
pub fn nt_proof(
    response_key_nt: &Key16,
    server_challenge: &[u8; 8],
    blob: &[u8],
) -> [u8; NT_PROOF_LEN] {
    ResponseKey::new(response_key_nt).nt_proof(server_challenge, blob)
}

/// LMv2 response = HMAC_MD5(ResponseKeyLM, ServerChallenge || ClientChallenge) ||
/// ClientChallenge (MS-NLMP 3.3.2). A one-off form of [`ResponseKey::lmv2_response`].
pub fn lmv2_response(
    response_key_lm: &Key16,
    server_challenge: &[u8; 8],
    client_challenge: &[u8; 8],
) -> [u8; 24] {
    ResponseKey::new(response_key_lm).lmv2_response(server_challenge, client_challenge)
}

/// NTLMv2 SessionBaseKey = HMAC_MD5(ResponseKeyNT, NTProofStr) (MS-NLMP 3.3.2).
/// A one-off form of [`ResponseKey::session_base_key`].
pub fn ntlmv2_session_base_key(response_key_nt: &Key16, nt_proof: &[u8; NT_PROOF_LEN]) -> Key16 {
    ResponseKey::new(response_key_nt).session_base_key(nt_proof)
}

/// KXKEY for NTLMv1 with extended session security (MS-NLMP 3.4.5.1):
/// HMAC_MD5(SessionBaseKey, ServerChallenge || LmChallengeResponse[0..7]).
#[cfg(feature = "legacy")]
pub fn kxkey_v1_ess(
    session_base_key: &Key16,
    server_challenge: &[u8; 8],
    lm_response: &[u8; 8],
) -> Key16 {
    Key16::from_bytes(crate::crypto::ntlm::hmac_md5(
        session_base_key.as_bytes(),
        &[server_challenge, lm_response],
    ))
}

/// EncryptedRandomSessionKey = RC4(KeyExchangeKey, ExportedSessionKey)
/// (MS-NLMP 3.1.5.1.2); RC4 being symmetric, the acceptor recovers the key the same way.
// One copy for both sides (flash).
#[inline(never)]
pub fn exchange_session_key(key_exchange_key: &Key16, key: &[u8; KEY_LEN]) -> [u8; KEY_LEN] {
    let mut out = *key;
    rc4_once(key_exchange_key.as_bytes(), &mut out);
    out
}

/// SIGNKEY (MS-NLMP 3.4.5.2, extended session security).
pub fn sign_key(exported_session_key: &Key16, direction: Direction) -> Key16 {
    magic_key(
        exported_session_key.as_bytes(),
        direction,
        b" signing key magic constant\0",
    )
}

/// SEALKEY (MS-NLMP 3.4.5.3, extended session security): MD5 of the first 16, 7
/// or 5 bytes of the exported session key as 128-bit, 56-bit or 40-bit keys were
/// negotiated, and the direction's magic constant.
pub fn seal_key(
    exported_session_key: &Key16,
    flags: NegotiateFlags,
    direction: Direction,
) -> Key16 {
    let n = if flags.contains(NegotiateFlags::NEGOTIATE_128) {
        16
    } else if flags.contains(NegotiateFlags::NEGOTIATE_56) {
        7
    } else {
        5
    };
    let base = exported_session_key.as_bytes().get(..n).unwrap_or(&[]);
    magic_key(base, direction, b" sealing key magic constant\0")
}

/// MIC = HMAC_MD5(ExportedSessionKey, NEGOTIATE || CHALLENGE || AUTHENTICATE), the
/// AUTHENTICATE's MIC field zeroed (MS-NLMP 3.1.5.1.2). The state machines stream
/// their messages into [`mic_key`] instead; this form is for callers holding all three.
pub fn mic(
    exported_session_key: &Key16,
    negotiate: &[u8],
    challenge: &[u8],
    authenticate: &[u8],
) -> [u8; 16] {
    mic_key(exported_session_key).mac(&[negotiate, challenge, authenticate])
}

/// The prepared MIC key.
pub fn mic_key(exported_session_key: &Key16) -> HmacMd5Key {
    HmacMd5Key::new(exported_session_key.as_bytes())
}

/// The MD5 of a flattened `gss_channel_bindings_struct` with empty initiator and
/// acceptor addresses and the given application data (for TLS, RFC 5929's
/// `tls-server-end-point:` followed by the certificate hash): the value of
/// MsvAvChannelBindings that Windows computes for Extended Protection.
pub fn channel_bindings_hash(application_data: &[u8]) -> [u8; 16] {
    // initiator_addrtype, initiator_address.length, acceptor_addrtype,
    // acceptor_address.length: all zero; then application_data.length (LE).
    let len = u32::try_from(application_data.len())
        .unwrap_or(u32::MAX)
        .to_le_bytes();
    md5(&[&[0u8; 16], &len, application_data])
}

#[cfg(test)]
mod tests {
    use super::*;
    use hex_literal::hex;

    #[test]
    fn one_prepared_response_key_serves_every_mac() {
        use crate::crypto::ntlm::hmac_md5;
        let rk = Key16::from_bytes([0x0c; 16]);
        let key = ResponseKey::new(&rk);
        let (sc, cc, blob) = ([1u8; 8], [2u8; 8], [3u8; 40]);
        // Used in the order a handshake uses it, each MAC equals a one-off HMAC.
        let lm = key.lmv2_response(&sc, &cc);
        assert_eq!(lm[..16], hmac_md5(rk.as_bytes(), &[&sc, &cc]));
        assert_eq!(lm[16..], cc);
        let proof = key.nt_proof(&sc, &blob);
        assert_eq!(proof, hmac_md5(rk.as_bytes(), &[&sc, &blob]));
        let sbk = key.session_base_key(&proof);
        assert_eq!(sbk.as_bytes(), &hmac_md5(rk.as_bytes(), &[&proof]));
        assert_eq!(
            key.nt_proof(&sc, &blob),
            proof,
            "the prepared state is not consumed"
        );
    }

    #[test]
    fn keys_hash_the_four_magic_constants() {
        // MS-NLMP 3.4.5.2 and 3.4.5.3, spelled out as the spec does.
        let k = Key16::from_bytes([0x55; 16]);
        let f128 = NegotiateFlags::NEGOTIATE_128;
        let spec = |c: &[u8]| md5(&[k.as_bytes(), c]);
        use Direction::{ClientToServer as C2s, ServerToClient as S2c};
        let cases: [(Key16, &[u8]); 4] = [
            (
                sign_key(&k, C2s),
                b"session key to client-to-server signing key magic constant\0",
            ),
            (
                sign_key(&k, S2c),
                b"session key to server-to-client signing key magic constant\0",
            ),
            (
                seal_key(&k, f128, C2s),
                b"session key to client-to-server sealing key magic constant\0",
            ),
            (
                seal_key(&k, f128, S2c),
                b"session key to server-to-client sealing key magic constant\0",
            ),
        ];
        for (key, constant) in cases {
            assert_eq!(key.as_bytes(), &spec(constant));
        }
    }

    #[test]
    fn seal_key_lengths_differ() {
        let k = Key16::from_bytes([0x55; 16]);
        let f128 = NegotiateFlags::NEGOTIATE_128;
        let a = seal_key(&k, f128, Direction::ClientToServer);
        let b = seal_key(&k, NegotiateFlags::NEGOTIATE_56, Direction::ClientToServer);
        let c = seal_key(&k, NegotiateFlags::EMPTY, Direction::ClientToServer);
        // MS-NLMP 4.2.4.4: the 128-bit client sealing key of RandomSessionKey 0x55..
        assert_eq!(a.as_bytes(), &hex!("59f600973cc4960a25480a7c196e4c58"));
        assert_ne!(a.as_bytes(), b.as_bytes());
        assert_ne!(b.as_bytes(), c.as_bytes());
        assert_ne!(
            seal_key(&k, f128, Direction::ServerToClient).as_bytes(),
            a.as_bytes()
        );
    }
}
