//! NegotiateFlags (MS-NLMP 2.2.2.5) and how each side narrows them
//! (MS-NLMP 3.1.5 for the client, 3.2.5 for the server).

use core::fmt;
use core::ops::{BitAnd, BitOr, BitOrAssign, Not};

/// The 32-bit NegotiateFlags of every NTLM message.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct NegotiateFlags(u32);

impl NegotiateFlags {
    /// A: strings are UTF-16LE.
    pub const UNICODE: Self = Self(0x0000_0001);
    /// B: strings are in the OEM code page.
    pub const OEM: Self = Self(0x0000_0002);
    /// C: the server should send its TargetName.
    pub const REQUEST_TARGET: Self = Self(0x0000_0004);
    /// D: message integrity (signing).
    pub const SIGN: Self = Self(0x0000_0010);
    /// E: message confidentiality (sealing).
    pub const SEAL: Self = Self(0x0000_0020);
    /// F: connectionless (datagram) mode.
    pub const DATAGRAM: Self = Self(0x0000_0040);
    /// G: LAN Manager session key (NTLMv1 only).
    pub const LM_KEY: Self = Self(0x0000_0080);
    /// H: NTLM v1 session security (set by every modern client).
    pub const NTLM: Self = Self(0x0000_0200);
    /// J: anonymous connection.
    pub const ANONYMOUS: Self = Self(0x0000_0800);
    /// K: NEGOTIATE carries the client's domain (OEM).
    pub const OEM_DOMAIN_SUPPLIED: Self = Self(0x0000_1000);
    /// L: NEGOTIATE carries the client's workstation (OEM).
    pub const OEM_WORKSTATION_SUPPLIED: Self = Self(0x0000_2000);
    /// M: sign even when no signing was asked for (dummy signatures otherwise).
    pub const ALWAYS_SIGN: Self = Self(0x0000_8000);
    /// N: TargetName is a domain name.
    pub const TARGET_TYPE_DOMAIN: Self = Self(0x0001_0000);
    /// O: TargetName is a server name.
    pub const TARGET_TYPE_SERVER: Self = Self(0x0002_0000);
    /// P: NTLM2 / extended session security.
    pub const EXTENDED_SESSIONSECURITY: Self = Self(0x0008_0000);
    /// Q: identify-level token.
    pub const IDENTIFY: Self = Self(0x0010_0000);
    /// R: LMOWF-based session key (NTLMv1 only).
    pub const REQUEST_NON_NT_SESSION_KEY: Self = Self(0x0040_0000);
    /// S: CHALLENGE carries TargetInfo.
    pub const TARGET_INFO: Self = Self(0x0080_0000);
    /// T: the message carries a VERSION.
    pub const VERSION: Self = Self(0x0200_0000);
    /// U: 128-bit session keys.
    pub const NEGOTIATE_128: Self = Self(0x2000_0000);
    /// V: explicit key exchange (EncryptedRandomSessionKey).
    pub const KEY_EXCH: Self = Self(0x4000_0000);
    /// W: 56-bit session keys.
    pub const NEGOTIATE_56: Self = Self(0x8000_0000);

    /// No flag.
    pub const EMPTY: Self = Self(0);

    /// The flags from their wire value; unknown bits are kept.
    pub const fn from_bits(bits: u32) -> Self {
        Self(bits)
    }

    /// The wire value.
    pub const fn bits(self) -> u32 {
        self.0
    }

    /// True if every flag of `other` is set.
    pub const fn contains(self, other: Self) -> bool {
        self.0 & other.0 == other.0
    }

    /// The flags set in both.
    pub const fn intersection(self, other: Self) -> Self {
        Self(self.0 & other.0)
    }

    /// The flags set in either.
    pub const fn union(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }

    /// `self` without the flags of `other`.
    pub const fn difference(self, other: Self) -> Self {
        Self(self.0 & !other.0)
    }

    /// What a server answers to a client's NEGOTIATE flags (MS-NLMP 3.2.5.1.1):
    /// UNICODE over OEM, extended session security over LM_KEY, the shared
    /// subset of the optional features the server `supports`, and NTLM,
    /// TARGET_INFO and TARGET_TYPE_SERVER set by the server itself. VERSION is
    /// kept if the server supports it (the field is for debugging only).
    pub const fn server_reply(client: Self, supports: Self) -> Self {
        let shared = Self(
            Self::SIGN.0
                | Self::SEAL.0
                | Self::ALWAYS_SIGN.0
                | Self::IDENTIFY.0
                | Self::NEGOTIATE_128.0
                | Self::NEGOTIATE_56.0
                | Self::KEY_EXCH.0
                | Self::VERSION.0
                | Self::ANONYMOUS.0,
        );
        let mut out = client.intersection(supports).intersection(shared);
        if client.contains(Self::UNICODE) && supports.contains(Self::UNICODE) {
            out = out.union(Self::UNICODE);
        } else if client.contains(Self::OEM) && supports.contains(Self::OEM) {
            out = out.union(Self::OEM);
        }
        if client.contains(Self::EXTENDED_SESSIONSECURITY)
            && supports.contains(Self::EXTENDED_SESSIONSECURITY)
        {
            out = out.union(Self::EXTENDED_SESSIONSECURITY);
        } else if client.contains(Self::LM_KEY) && supports.contains(Self::LM_KEY) {
            out = out.union(Self::LM_KEY);
        }
        if client.contains(Self::REQUEST_TARGET) {
            out = out
                .union(Self::REQUEST_TARGET)
                .union(Self::TARGET_TYPE_SERVER);
        }
        out.union(Self::NTLM).union(Self::TARGET_INFO)
    }

    /// The flags a client goes on with after a CHALLENGE (MS-NLMP 3.1.5.1.2): what
    /// it `requested` and the server granted, plus TARGET_INFO when the server sent
    /// target information.
    pub const fn client_accept(requested: Self, challenge: Self) -> Self {
        requested
            .intersection(challenge)
            .union(challenge.intersection(Self::TARGET_INFO))
    }
}

impl BitOr for NegotiateFlags {
    type Output = Self;
    fn bitor(self, rhs: Self) -> Self {
        self.union(rhs)
    }
}

impl BitOrAssign for NegotiateFlags {
    fn bitor_assign(&mut self, rhs: Self) {
        *self = self.union(rhs);
    }
}

impl BitAnd for NegotiateFlags {
    type Output = Self;
    fn bitand(self, rhs: Self) -> Self {
        self.intersection(rhs)
    }
}

impl Not for NegotiateFlags {
    type Output = Self;
    fn not(self) -> Self {
        Self(!self.0)
    }
}

impl fmt::Debug for NegotiateFlags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "NegotiateFlags({:#010x})", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::NegotiateFlags as F;

    #[test]
    fn server_reply_narrows_to_shared_features() {
        // A client asking for everything Windows asks for (0xe2088297, as seen in
        // Windows 10 NEGOTIATE messages) against a server without 56-bit keys.
        let client = F::from_bits(0xe208_8297);
        let supports = !F::NEGOTIATE_56;
        let reply = F::server_reply(client, supports);
        assert!(reply.contains(F::UNICODE));
        assert!(!reply.contains(F::OEM), "UNICODE wins over OEM");
        assert!(reply.contains(F::EXTENDED_SESSIONSECURITY | F::KEY_EXCH | F::NEGOTIATE_128));
        assert!(!reply.contains(F::NEGOTIATE_56));
        assert!(reply.contains(F::TARGET_INFO | F::NTLM | F::TARGET_TYPE_SERVER));
        assert!(!reply.contains(F::DATAGRAM));
    }

    #[test]
    fn ess_wins_over_lm_key() {
        let client = F::UNICODE | F::LM_KEY | F::EXTENDED_SESSIONSECURITY;
        let reply = F::server_reply(client, !F::EMPTY);
        assert!(reply.contains(F::EXTENDED_SESSIONSECURITY));
        assert!(!reply.contains(F::LM_KEY));
    }

    #[test]
    fn ms_nlmp_4_2_4_challenge_flags() {
        // MS-NLMP 4.2.4: the flag list of the NTLMv2 example is 0xe28a8233.
        let listed = F::KEY_EXCH
            | F::NEGOTIATE_56
            | F::NEGOTIATE_128
            | F::VERSION
            | F::TARGET_INFO
            | F::EXTENDED_SESSIONSECURITY
            | F::TARGET_TYPE_SERVER
            | F::ALWAYS_SIGN
            | F::NTLM
            | F::SEAL
            | F::SIGN
            | F::OEM
            | F::UNICODE;
        assert_eq!(listed.bits(), 0xe28a_8233);
    }
}
