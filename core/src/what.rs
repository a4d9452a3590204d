//! What an [`Error`](crate::Error) is about: the field, message or check that
//! failed, as a small code.
//!
//! Errors carry a [`What`] instead of a `&'static str` so that the texts cost
//! flash only in a firmware that displays them: code builds errors with
//! [`what!`](crate::what), which picks the code at compile time, and only
//! [`What::text`] (through `Display` or `Debug`) links the table of texts. A
//! firmware that logs with `defmt` gets the variant names, interned in the
//! ELF's `.defmt` section, not in flash. Measured on the Cortex-M4 footprint
//! firmware, texts and the code that moved them: 1.6 KB of the NTLM-only image
//! and 5.6 KB of the everything image.

use core::fmt;

macro_rules! whats {
    ($($id:ident => $text:literal,)*) => {
        /// The field, message or check an [`Error`](crate::Error) is about.
        ///
        /// `Display` and `Debug` print the text, e.g. `AUTHENTICATE MIC`; build one
        /// with [`what!`](crate::what) from its text.
        #[non_exhaustive]
        #[derive(Clone, Copy, PartialEq, Eq, Hash)]
        #[cfg_attr(feature = "defmt", derive(defmt::Format))]
        #[allow(missing_docs)]
        // A machine word, not the byte 253 texts would fit in: `Error`'s
        // layout follows it, and with a one-byte code its `?` paths cost 1.0 KB
        // more flash in the NTLM firmware and 5.3 KB more in the everything
        // firmware (Cortex-M4, opt-level z; u16: 0.7 and 4.1 KB), while on
        // x86-64 a u32 code made AP-REQ acceptance 5 % slower than a u64 one.
        #[repr(usize)]
        pub enum What {
            $($id,)*
        }

        impl What {
            /// The texts in declaration order: read at compile time by
            /// [`What::__of`] only, so they never reach the image through it.
            const TEXTS: &'static [&'static str] = &[$($text,)*];
            const ALL: &'static [What] = &[$(What::$id,)*];

            /// The human-readable text, e.g. `"AUTHENTICATE MIC"`.
            pub fn text(self) -> &'static str {
                match self {
                    $(What::$id => $text,)*
                }
            }
        }
    };
}

impl What {
    /// The code of `text`, `None` when it is not in the list below; evaluated
    /// in a `const` by [`what!`](crate::what), where `None` is a compile error.
    #[doc(hidden)]
    // `i < TEXTS.len() == ALL.len()` and `j < t.len() == text.len()` bound every
    // index and increment.
    #[allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
    pub const fn __of(text: &str) -> Option<What> {
        let text = text.as_bytes();
        let mut i = 0;
        while i < Self::TEXTS.len() {
            let t = Self::TEXTS[i].as_bytes();
            if t.len() == text.len() {
                let mut j = 0;
                while j < t.len() && t[j] == text[j] {
                    j += 1;
                }
                if j == t.len() {
                    return Some(Self::ALL[i]);
                }
            }
            i += 1;
        }
        None
    }
}

/// The [`What`] of a text from the list in `core/src/what.rs`, chosen at
/// compile time. A text not in the list does not compile.
///
/// ```
/// let e = authcore::Error::Integrity { what: authcore::what!("AUTHENTICATE MIC") };
/// assert!(matches!(e, authcore::Error::Integrity { what } if what.text() == "AUTHENTICATE MIC"));
/// ```
///
/// ```compile_fail
/// let _ = authcore::what!("no such field");
/// ```
#[macro_export]
macro_rules! what {
    ($text:literal) => {{
        // Evaluated at compile time: a text not in the list stops the build.
        #[allow(clippy::panic)]
        const WHAT: $crate::What = match $crate::What::__of($text) {
            Some(w) => w,
            None => panic!("what!: text not in the list of core/src/what.rs"),
        };
        WHAT
    }};
}

impl fmt::Display for What {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.text())
    }
}

impl fmt::Debug for What {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.text(), f)
    }
}

whats! {
    // Sorted by text. An error about a new field is a new line here: a
    // `what!` with a text not listed does not compile.
    AcceptorSubkeyFlag => "acceptor-subkey flag",
    AdIfRelevant => "AD-IF-RELEVANT",
    AnonymousNtlmContextHasNoSessionKey => "anonymous NTLM context has no session key",
    AnonymousNtlmLogon => "anonymous NTLM logon",
    ApRep => "AP-REP",
    ApRepDoesNotAnswerOurAuthenticator => "AP-REP does not answer our authenticator",
    ApRepEtypeDiffersFromTheSessionKeyS => "AP-REP etype differs from the session key's",
    ApRepEncPart => "AP-REP.enc-part",
    ApRepMsgType => "AP-REP.msg-type",
    ApRepPvno => "AP-REP.pvno",
    ApReq => "AP-REQ",
    ApReqTokenTicketTooLarge => "AP-REQ token (ticket too large)",
    ApReqApOptions => "AP-REQ.ap-options",
    ApReqAuthenticator => "AP-REQ.authenticator",
    ApReqMsgType => "AP-REQ.msg-type",
    ApReqPvno => "AP-REQ.pvno",
    ApReqTicket => "AP-REQ.ticket",
    AuthenticateDomainName => "AUTHENTICATE DomainName",
    AuthenticateEncryptedRandomSessionKey => "AUTHENTICATE EncryptedRandomSessionKey",
    AuthenticateLmChallengeResponse => "AUTHENTICATE LmChallengeResponse",
    AuthenticateMic => "AUTHENTICATE MIC",
    AuthenticateNtChallengeResponse => "AUTHENTICATE NtChallengeResponse",
    AuthenticateUserName => "AUTHENTICATE UserName",
    AuthenticateWorkstation => "AUTHENTICATE Workstation",
    Authenticator => "Authenticator",
    AuthenticatorClientDiffersFromTheTicketS => "authenticator client differs from the ticket's",
    AuthenticatorEtypeDiffersFromTheSessionKeyS => "authenticator etype differs from the session key's",
    AuthenticatorAuthenticatorVno => "Authenticator.authenticator-vno",
    AuthenticatorAuthorizationData => "Authenticator.authorization-data",
    AuthenticatorCksum => "Authenticator.cksum",
    AuthenticatorCname => "Authenticator.cname",
    AuthenticatorCrealm => "Authenticator.crealm",
    AuthenticatorCtime => "Authenticator.ctime",
    AuthenticatorCusec => "Authenticator.cusec",
    AuthenticatorSeqNumber => "Authenticator.seq-number",
    AuthenticatorSubkey => "Authenticator.subkey",
    AuthorizationDataElement => "AuthorizationData element",
    AuthorizationDataAdData => "AuthorizationData.ad-data",
    AuthorizationDataAdType => "AuthorizationData.ad-type",
    AvPairList => "AV_PAIR list",
    AvPairName => "AV_PAIR name",
    AvPairValue => "AV_PAIR value",
    ChallengeTargetInfo => "CHALLENGE TargetInfo",
    ChallengeTargetName => "CHALLENGE TargetName",
    ChannelBindings => "channel bindings",
    ChannelBindingsLength => "channel bindings length",
    Checksum => "checksum",
    Checksum2 => "Checksum",
    ChecksumLength => "checksum length",
    ChecksumChecksum => "Checksum.checksum",
    ChecksumCksumtype => "Checksum.cksumtype",
    CiphertextChecksum => "ciphertext checksum",
    ClientDidNotAskForMutualAuthentication => "client did not ask for mutual authentication",
    ClientName => "client name",
    ClientSentNoChannelBindings => "client sent no channel bindings",
    ConfounderLength => "confounder length",
    DceStyleContext => "DCE-style context",
    DelegationAndDceStyleAreNotSupported => "delegation and DCE style are not supported",
    DerNestingDepth => "DER nesting depth",
    DuplicateAvPair => "duplicate AV_PAIR",
    EncAPRepPart => "EncAPRepPart",
    EncAPRepPartCtime => "EncAPRepPart.ctime",
    EncAPRepPartCusec => "EncAPRepPart.cusec",
    EncAPRepPartSeqNumber => "EncAPRepPart.seq-number",
    EncAPRepPartSubkey => "EncAPRepPart.subkey",
    EncKDCRepPart => "EncKDCRepPart",
    EncKDCRepPartTag => "EncKDCRepPart tag",
    EncKDCRepPartAuthtime => "EncKDCRepPart.authtime",
    EncKDCRepPartCaddr => "EncKDCRepPart.caddr",
    EncKDCRepPartEncryptedPaData => "EncKDCRepPart.encrypted-pa-data",
    EncKDCRepPartEndtime => "EncKDCRepPart.endtime",
    EncKDCRepPartFlags => "EncKDCRepPart.flags",
    EncKDCRepPartKey => "EncKDCRepPart.key",
    EncKDCRepPartKeyExpiration => "EncKDCRepPart.key-expiration",
    EncKDCRepPartLastReq => "EncKDCRepPart.last-req",
    EncKDCRepPartNonce => "EncKDCRepPart.nonce",
    EncKDCRepPartRenewTill => "EncKDCRepPart.renew-till",
    EncKDCRepPartSname => "EncKDCRepPart.sname",
    EncKDCRepPartSrealm => "EncKDCRepPart.srealm",
    EncKDCRepPartStarttime => "EncKDCRepPart.starttime",
    EncryptedData => "EncryptedData",
    EncryptedDataCipher => "EncryptedData.cipher",
    EncryptedDataEtype => "EncryptedData.etype",
    EncryptedDataKvno => "EncryptedData.kvno",
    EncryptionKey => "EncryptionKey",
    EncryptionKeyKeytype => "EncryptionKey.keytype",
    EncryptionKeyKeyvalue => "EncryptionKey.keyvalue",
    EncTicketPart => "EncTicketPart",
    EncTicketPartAuthorizationData => "EncTicketPart.authorization-data",
    EncTicketPartAuthtime => "EncTicketPart.authtime",
    EncTicketPartCaddr => "EncTicketPart.caddr",
    EncTicketPartCname => "EncTicketPart.cname",
    EncTicketPartCrealm => "EncTicketPart.crealm",
    EncTicketPartEndtime => "EncTicketPart.endtime",
    EncTicketPartFlags => "EncTicketPart.flags",
    EncTicketPartKey => "EncTicketPart.key",
    EncTicketPartRenewTill => "EncTicketPart.renew-till",
    EncTicketPartStarttime => "EncTicketPart.starttime",
    EncTicketPartTransited => "EncTicketPart.transited",
    GssChecksumBnd => "GSS checksum Bnd",
    GssChecksumDeleg => "GSS checksum Deleg",
    GssChecksumDlgOpt => "GSS checksum DlgOpt",
    GssChecksumDlgth => "GSS checksum Dlgth",
    GssChecksumExtension => "GSS checksum extension",
    GssChecksumFlags => "GSS checksum Flags",
    GssChecksumLgth => "GSS checksum Lgth",
    GssChecksumLgthNot16 => "GSS checksum Lgth (not 16)",
    GssInitialContextToken => "GSS InitialContextToken",
    GssInitialContextTokenThisMech => "GSS InitialContextToken.thisMech",
    GssMechanismOid => "GSS mechanism OID",
    GssTokenFlags => "GSS token flags",
    GssTokenFraming => "GSS token framing",
    GssTokenId => "GSS token id",
    GssTokenLength => "GSS token length",
    GssTokenMechanismNotKrb5 => "GSS token mechanism (not krb5)",
    HostAddress => "HostAddress",
    HostAddressAddrType => "HostAddress.addr-type",
    HostAddressAddress => "HostAddress.address",
    IakerbExtensionInAKrb5Authenticator => "IAKERB extension in a krb5 authenticator",
    KdcRep => "KDC-REP",
    KdcRepCname => "KDC-REP.cname",
    KdcRepCrealm => "KDC-REP.crealm",
    KdcRepEncPart => "KDC-REP.enc-part",
    KdcRepMsgType => "KDC-REP.msg-type",
    KdcRepPadata => "KDC-REP.padata",
    KdcRepPvno => "KDC-REP.pvno",
    KdcRepTicket => "KDC-REP.ticket",
    KdcReq => "KDC-REQ",
    KdcReqBody => "KDC-REQ-BODY",
    KdcReqBodyAdditionalTickets => "KDC-REQ-BODY.additional-tickets",
    KdcReqBodyAddresses => "KDC-REQ-BODY.addresses",
    KdcReqBodyCname => "KDC-REQ-BODY.cname",
    KdcReqBodyEncAuthorizationData => "KDC-REQ-BODY.enc-authorization-data",
    KdcReqBodyEtype => "KDC-REQ-BODY.etype",
    KdcReqBodyFrom => "KDC-REQ-BODY.from",
    KdcReqBodyKdcOptions => "KDC-REQ-BODY.kdc-options",
    KdcReqBodyNonce => "KDC-REQ-BODY.nonce",
    KdcReqBodyRealm => "KDC-REQ-BODY.realm",
    KdcReqBodyRtime => "KDC-REQ-BODY.rtime",
    KdcReqBodySname => "KDC-REQ-BODY.sname",
    KdcReqBodyTill => "KDC-REQ-BODY.till",
    KdcReqMsgType => "KDC-REQ.msg-type",
    KdcReqPadata => "KDC-REQ.padata",
    KdcReqPvno => "KDC-REQ.pvno",
    KdcReqReqBody => "KDC-REQ.req-body",
    KerbApOptionsAuthorizationData => "KERB-AP-OPTIONS authorization data",
    KerberosMessage => "Kerberos message",
    KerberosTime => "KerberosTime",
    KerberosTimeOutOfRange => "KerberosTime out of range",
    KrbError => "KRB-ERROR",
    KrbErrorCname => "KRB-ERROR.cname",
    KrbErrorCrealm => "KRB-ERROR.crealm",
    KrbErrorCtime => "KRB-ERROR.ctime",
    KrbErrorCusec => "KRB-ERROR.cusec",
    KrbErrorEData => "KRB-ERROR.e-data",
    KrbErrorEText => "KRB-ERROR.e-text",
    KrbErrorErrorCode => "KRB-ERROR.error-code",
    KrbErrorMsgType => "KRB-ERROR.msg-type",
    KrbErrorPvno => "KRB-ERROR.pvno",
    KrbErrorRealm => "KRB-ERROR.realm",
    KrbErrorSname => "KRB-ERROR.sname",
    KrbErrorStime => "KRB-ERROR.stime",
    KrbErrorSusec => "KRB-ERROR.susec",
    Krb5TokId => "krb5 TOK_ID",
    Krb5TokenIdExpectedApRepOrKrbError => "krb5 token id (expected AP-REP or KRB-ERROR)",
    Krb5TokenIdExpectedApReq => "krb5 token id (expected AP-REQ)",
    LastReqLrType => "LastReq.lr-type",
    LastReqLrValue => "LastReq.lr-value",
    LmHashOfANonAsciiPassword => "LM hash of a non-ASCII password",
    LmHashOfAPasswordOver14Characters => "LM hash of a password over 14 characters",
    Mic => "MIC",
    MicToken => "MIC token",
    MicTokenChecksum => "MIC token checksum",
    MicTokenFiller => "MIC token filler",
    MicTokenLength => "MIC token length",
    MicTokenSgnAlg => "MIC token SGN_ALG",
    MicrosecondsOutOfRange => "Microseconds out of range",
    MsvAvChannelBindings => "MsvAvChannelBindings",
    MsvAvEOLLength => "MsvAvEOL length",
    MsvAvFlags => "MsvAvFlags",
    MsvAvTimestamp => "MsvAvTimestamp",
    NFoldLength => "n-fold length",
    NegotiateDomainName => "NEGOTIATE DomainName",
    NegotiateHeader => "NEGOTIATE header",
    NegotiateWorkstation => "NEGOTIATE Workstation",
    NtlmAvPairs => "NTLM AV pairs",
    NtlmChallengeTargetInfo => "NTLM CHALLENGE TargetInfo",
    NtlmChannelBindings => "NTLM channel bindings",
    NtlmClientWithoutExtendedSessionSecurity => "NTLM client without extended session security",
    NtlmClientWithoutUnicode => "NTLM client without UNICODE",
    NtlmDomainName => "NTLM domain name",
    NtlmIdentityNames => "NTLM identity names",
    NtlmMessageHeader => "NTLM message header",
    NtlmMessageType => "NTLM MessageType",
    NtlmMicRequired => "NTLM MIC required",
    NtlmNegotiate => "NTLM NEGOTIATE",
    NtlmNetBIOSNamesAreRequired => "NTLM NetBIOS names are required",
    NtlmOemTextNonAscii => "NTLM OEM text (non-ASCII)",
    NtlmOverlappingPayloadFields => "NTLM overlapping payload fields",
    NtlmSealedMessage => "NTLM sealed message",
    NtlmSequenceNumbers => "NTLM sequence numbers",
    NtlmServerName => "NTLM server name",
    NtlmServerWithout128BitKeys => "NTLM server without 128-bit keys",
    NtlmServerWithoutExtendedSessionSecurity => "NTLM server without extended session security",
    NtlmServerWithoutUnicode => "NTLM server without UNICODE",
    NtlmSignature => "NTLM signature",
    NtlmSignatureLength => "NTLM signature length",
    NtlmTargetName => "NTLM target name",
    NtlmUserName => "NTLM user name",
    NtlmUtf16Text => "NTLM UTF-16 text",
    NtlmWithout128BitKeys => "NTLM without 128-bit keys",
    NtlmWithoutExtendedSessionSecurity => "NTLM without extended session security",
    NtlmWorkstationName => "NTLM workstation name",
    NTLMv1 => "NTLMv1",
    NTLMv1CannotCarryMicChannelBindingsOrTargetName => "NTLMv1 cannot carry MIC, channel bindings or target name",
    NTLMv1WithoutExtendedSessionSecurity => "NTLMv1 without extended session security",
    NTLMv2ClientChallengeRespType => "NTLMv2_CLIENT_CHALLENGE RespType",
    NTLMv2Response => "NTLMv2_RESPONSE",
    PaData => "PA-DATA",
    PaDataPadataType => "PA-DATA.padata-type",
    PaDataPadataValue => "PA-DATA.padata-value",
    PasswordNotUtf8 => "password (not UTF-8)",
    PasswordAndSaltEmpty => "password and salt (empty)",
    PrincipalName => "PrincipalName",
    PrincipalNameComponents => "PrincipalName components",
    PrincipalNameNameString => "PrincipalName.name-string",
    PrincipalNameNameType => "PrincipalName.name-type",
    ReplayCache => "replay cache",
    S2kparams => "s2kparams",
    SequenceOf => "SEQUENCE OF",
    SequenceOfElement => "SEQUENCE OF element",
    SpnegoMechListMic => "SPNEGO mechListMIC",
    SpnegoMechListMicMissing => "SPNEGO mechListMIC missing",
    SpnegoMechListMicOnAnAnonymousNtlmLogon => "SPNEGO mechListMIC on an anonymous NTLM logon",
    SpnegoMechanismToken => "SPNEGO mechanism token",
    SpnegoNegTokenInit => "SPNEGO NegTokenInit",
    SpnegoNegTokenInitMechListMic => "SPNEGO NegTokenInit.mechListMIC",
    SpnegoNegTokenInitMechToken => "SPNEGO NegTokenInit.mechToken",
    SpnegoNegTokenInitMechTypes => "SPNEGO NegTokenInit.mechTypes",
    SpnegoNegTokenInitReqFlags => "SPNEGO NegTokenInit.reqFlags",
    SpnegoNegTokenResp => "SPNEGO NegTokenResp",
    SpnegoNegTokenRespMechListMic => "SPNEGO NegTokenResp.mechListMIC",
    SpnegoNegTokenRespNegState => "SPNEGO NegTokenResp.negState",
    SpnegoNegTokenRespResponseToken => "SPNEGO NegTokenResp.responseToken",
    SpnegoNegTokenRespSupportedMech => "SPNEGO NegTokenResp.supportedMech",
    SpnegoNoMechanismInCommon => "SPNEGO: no mechanism in common",
    SpnegoRejectedByThePeer => "SPNEGO rejected by the peer",
    SpnegoToken => "SPNEGO token",
    StringToKeyIterationCount => "string-to-key iteration count",
    StringToKeySalt => "string-to-key salt",
    Ticket => "Ticket",
    TicketEncPart => "Ticket.enc-part",
    TicketRealm => "Ticket.realm",
    TicketSname => "Ticket.sname",
    TicketTktVno => "Ticket.tkt-vno",
    TokenDirectionReflectedOrCorruptedToken => "token direction (reflected or corrupted token)",
    TokenDirectionReflectedToken => "token direction (reflected token)",
    TransitedEncoding => "TransitedEncoding",
    TransitedEncodingContents => "TransitedEncoding.contents",
    TransitedEncodingTrType => "TransitedEncoding.tr-type",
    UserToUserApReq => "user-to-user AP-REQ",
    WrapToken => "Wrap token",
    WrapTokenChecksum => "Wrap token checksum",
    WrapTokenEc => "Wrap token EC",
    WrapTokenFiller => "Wrap token filler",
    WrapTokenHeaderCopy => "Wrap token header copy",
    WrapTokenPadding => "Wrap token padding",
    WrapTokenSealAlg => "Wrap token SEAL_ALG",
    WrapTokenSgnAlg => "Wrap token SGN_ALG",
    WrapTokenWithoutConfidentiality => "Wrap token without confidentiality",
}

#[cfg(test)]
mod tests {
    use super::What;
    use crate::Error;
    use core::fmt::Write;

    /// Formats into a fixed buffer (core's tests use neither std nor alloc).
    struct Buf {
        bytes: [u8; 96],
        len: usize,
    }

    impl Write for Buf {
        fn write_str(&mut self, s: &str) -> core::fmt::Result {
            let end = self.len + s.len();
            self.bytes
                .get_mut(self.len..end)
                .ok_or(core::fmt::Error)?
                .copy_from_slice(s.as_bytes());
            self.len = end;
            Ok(())
        }
    }

    fn shown(args: core::fmt::Arguments<'_>) -> Buf {
        let mut b = Buf {
            bytes: [0; 96],
            len: 0,
        };
        b.write_fmt(args).unwrap();
        b
    }

    #[test]
    fn every_text_maps_back_to_its_code() {
        // A repeated text would make what! pick the first of its codes.
        assert_eq!(What::TEXTS.len(), What::ALL.len());
        for (&w, &t) in What::ALL.iter().zip(What::TEXTS) {
            assert_eq!(w.text(), t);
            assert_eq!(What::__of(t), Some(w), "{t:?} is in the list twice");
        }
        assert_eq!(What::__of("no such field"), None);
    }

    #[test]
    fn errors_display_and_debug_the_text() {
        let e = Error::Integrity {
            what: what!("AUTHENTICATE MIC"),
        };
        let d = shown(format_args!("{e}"));
        assert_eq!(
            &d.bytes[..d.len],
            b"integrity check failed: AUTHENTICATE MIC"
        );
        let d = shown(format_args!("{e:?}"));
        assert_eq!(
            &d.bytes[..d.len],
            b"Integrity { what: \"AUTHENTICATE MIC\" }"
        );
    }
}
