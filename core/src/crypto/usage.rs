//! Key usage numbers: which purpose a key is derived for (RFC 4120 section
//! 7.5.1, RFC 4121 section 2, MS-PAC). Passing the wrong one is the classic
//! Kerberos interop bug, so every caller names them from here.

/// AS-REQ PA-ENC-TIMESTAMP padata timestamp, encrypted with the client key.
pub const AS_REQ_PA_ENC_TIMESTAMP: u32 = 1;
/// AS-REP Ticket and TGS-REP Ticket, encrypted with the service key.
pub const TICKET: u32 = 2;
/// AS-REP encrypted part, encrypted with the client key.
pub const AS_REP_ENC_PART: u32 = 3;
/// TGS-REQ KDC-REQ-BODY AuthorizationData, encrypted with the TGS session key.
pub const TGS_REQ_AUTH_DATA_SESSION: u32 = 4;
/// TGS-REQ KDC-REQ-BODY AuthorizationData, encrypted with the TGS authenticator subkey.
pub const TGS_REQ_AUTH_DATA_SUBKEY: u32 = 5;
/// TGS-REQ PA-TGS-REQ AP-REQ Authenticator cksum, keyed with the TGS session key.
pub const TGS_REQ_AUTH_CKSUM: u32 = 6;
/// TGS-REQ PA-TGS-REQ AP-REQ Authenticator, encrypted with the TGS session key.
pub const TGS_REQ_AUTHENTICATOR: u32 = 7;
/// TGS-REP encrypted part, encrypted with the TGS session key.
pub const TGS_REP_ENC_PART_SESSION: u32 = 8;
/// TGS-REP encrypted part, encrypted with the TGS authenticator subkey.
pub const TGS_REP_ENC_PART_SUBKEY: u32 = 9;
/// AP-REQ Authenticator cksum, keyed with the application session key.
pub const AP_REQ_AUTH_CKSUM: u32 = 10;
/// AP-REQ Authenticator, encrypted with the application session key.
pub const AP_REQ_AUTHENTICATOR: u32 = 11;
/// AP-REP encrypted part, encrypted with the application session key.
pub const AP_REP_ENC_PART: u32 = 12;
/// KRB-PRIV encrypted part.
pub const KRB_PRIV_ENC_PART: u32 = 13;
/// KRB-CRED encrypted part.
pub const KRB_CRED_ENC_PART: u32 = 14;
/// KRB-SAFE cksum.
pub const KRB_SAFE_CKSUM: u32 = 15;
/// MS-PAC server and KDC signatures (KERB_NON_KERB_CKSUM_SALT).
pub const PAC_CHECKSUM: u32 = 17;
/// AD-KDC-ISSUED checksum (RFC 4120 section 5.2.6.4).
pub const AD_KDC_ISSUED_CKSUM: u32 = 19;
/// RFC 4121 KG-USAGE-ACCEPTOR-SEAL: Wrap tokens from the acceptor.
pub const GSS_ACCEPTOR_SEAL: u32 = 22;
/// RFC 4121 KG-USAGE-ACCEPTOR-SIGN: MIC tokens (and unsealed Wrap) from the acceptor.
pub const GSS_ACCEPTOR_SIGN: u32 = 23;
/// RFC 4121 KG-USAGE-INITIATOR-SEAL: Wrap tokens from the initiator.
pub const GSS_INITIATOR_SEAL: u32 = 24;
/// RFC 4121 KG-USAGE-INITIATOR-SIGN: MIC tokens (and unsealed Wrap) from the initiator.
pub const GSS_INITIATOR_SIGN: u32 = 25;
/// Encryption for application protocols that define no usage of their own.
pub const APPLICATION_ENCRYPTION: u32 = 1024;
/// Checksums for application protocols that define no usage of their own.
pub const APPLICATION_CHECKSUM: u32 = 1025;
