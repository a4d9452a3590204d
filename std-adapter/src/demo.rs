//! `authcore demo`: the packages between an in-process client and server, every
//! token printed as it crosses, then sealed messages both ways and the server's
//! view of the client.

use authcore::crypto::{Etype, Key};
use authcore::gss::token::{tok_id, Krb5Token};
use authcore::kerberos::mint::{mint_ticket, TicketSpec};
use authcore::kerberos::wire::{name_type, ticket_flags, KerberosString, PrincipalName};
use authcore::kerberos::{self, KeyEntry, ReplayCache};
use authcore::ntlm::{self, CredentialStore, NtHash};
use authcore::spnego::{self, wire::NegotiationToken, Mech};
use authcore::{Progress, Protect, Step, Time};

use crate::error::{Error, Result};
use crate::{clock, rng::OsRng};

/// Runs the demo; prints to stdout.
pub fn run() -> Result<()> {
    ntlm_demo()?;
    println!();
    kerberos_demo()?;
    println!();
    negotiate_demo()?;
    Ok(())
}

/// The demo's one account, checked by the acceptor like any credential store.
struct DemoUser {
    domain: &'static str,
    user: &'static str,
    hash: NtHash,
}

/// The demo account's password (the client's; the server keeps its hash).
const DEMO_PASSWORD: &str = "demo-password";

impl DemoUser {
    /// DEMO\alice.
    fn alice() -> DemoUser {
        DemoUser {
            domain: "DEMO",
            user: "alice",
            hash: NtHash::from_password(DEMO_PASSWORD),
        }
    }
}

/// DEMO\alice's NTLM client, naming the demo service.
fn demo_ntlm_initiator() -> Result<ntlm::Initiator> {
    ntlm::Initiator::new(
        "alice",
        "DEMO",
        DEMO_PASSWORD,
        ntlm::InitiatorConfig::new().with_target_name("host/demo.authcore"),
    )
    .map_err(|e| Error::auth("NTLM initiator", e))
}

impl CredentialStore for DemoUser {
    fn nt_hash(&self, user: &str, domain: &str) -> Option<NtHash> {
        (user.eq_ignore_ascii_case(self.user) && domain.eq_ignore_ascii_case(self.domain))
            .then(|| self.hash.clone())
    }
}

fn token_name(package: &str, token: &[u8]) -> String {
    if package == "Negotiate" {
        return negotiate_token_name(token);
    }
    mech_token_name(token).to_string()
}

/// The name of a Kerberos (GSS-framed) or NTLM token.
fn mech_token_name(token: &[u8]) -> &'static str {
    if let Ok(t) = Krb5Token::parse(token) {
        return match t.tok_id {
            tok_id::AP_REQ => "AP-REQ",
            tok_id::AP_REP => "AP-REP",
            tok_id::KRB_ERROR => "KRB-ERROR",
            _ => "token",
        };
    }
    match token.get(8..12) {
        Some([1, 0, 0, 0]) => "NEGOTIATE",
        Some([2, 0, 0, 0]) => "CHALLENGE",
        Some([3, 0, 0, 0]) => "AUTHENTICATE",
        _ => "token",
    }
}

/// A SPNEGO token and what it carries, e.g. `NegTokenResp(CHALLENGE)+MIC`.
fn negotiate_token_name(token: &[u8]) -> String {
    let (kind, inner, mic) = match NegotiationToken::parse_initial(token) {
        Ok(init) => ("NegTokenInit", init.mech_token, init.mech_list_mic),
        Err(_) => match NegotiationToken::parse_resp(token) {
            Ok(r) => ("NegTokenResp", r.response_token, r.mech_list_mic),
            Err(_) => return "token".into(),
        },
    };
    let mut name = kind.to_string();
    if let Some(t) = inner {
        name.push_str(&format!("({})", mech_token_name(t)));
    }
    if mic.is_some() {
        name.push_str("+MIC");
    }
    name
}

fn say(line: std::fmt::Arguments<'_>) {
    if !QUIET.with(|q| q.get()) {
        println!("{line}");
    }
}

/// Steps `client` and `server` against each other in memory until both complete.
fn handshake<C: Step, S: Step>(package: &str, client: &mut C, server: &mut S) -> Result<()> {
    let mut to_server = vec![0u8; 64 * 1024];
    let mut to_client = vec![0u8; 64 * 1024];
    let mut input: Vec<u8> = Vec::new();
    let (mut client_done, mut server_done) = (false, false);
    while !(client_done && server_done) {
        if !client_done {
            let p = client
                .step(&input, &mut to_server, clock::now(), &mut OsRng)
                .map_err(|e| Error::auth("client step", e))?;
            let (written, done) = match p {
                Progress::Continue { written } => (written, false),
                Progress::Complete { written } => (written, true),
                Progress::SendToKdc { .. } => {
                    return Err(Error::Format("unexpected KDC step".into()))
                }
            };
            client_done = done;
            if written == 0 {
                break;
            }
            let token = &to_server[..written];
            say(format_args!(
                "  client -> server  {:<30} {:>5} bytes",
                token_name(package, token),
                written
            ));
            let p = server
                .step(token, &mut to_client, clock::now(), &mut OsRng)
                .map_err(|e| Error::auth("server step", e))?;
            let (written, done) = match p {
                Progress::Continue { written } => (written, false),
                Progress::Complete { written } => (written, true),
                Progress::SendToKdc { .. } => {
                    return Err(Error::Format("unexpected KDC step".into()))
                }
            };
            server_done = done;
            input = to_client[..written].to_vec();
            if written > 0 {
                say(format_args!(
                    "  server -> client  {:<30} {:>5} bytes",
                    token_name(package, &input),
                    written
                ));
            }
            if client_done && written > 0 {
                return Err(Error::Format("server answered a completed client".into()));
            }
        }
    }
    say(format_args!("  established on both sides"));
    Ok(())
}

/// Seals `msg` on one side, unseals it on the other, and prints the crossing.
fn exchange<A: Protect, B: Protect>(from: &str, a: &mut A, b: &mut B, msg: &str) -> Result<()> {
    let token = crate::session::seal(a, msg.as_bytes())?;
    let mut buf = token.clone();
    let range = b.unseal(&mut buf).map_err(|e| Error::auth("unseal", e))?;
    let got = String::from_utf8_lossy(&buf[range]).into_owned();
    say(format_args!(
        "  {from}: sealed {:>3} bytes into a {:>3}-byte token, unsealed: {got:?}",
        msg.len(),
        token.len()
    ));
    if got != msg {
        return Err(Error::Format("unsealed message differs".into()));
    }
    Ok(())
}

fn ntlm_demo() -> Result<()> {
    println!("== NTLM (NTLMv2, MIC, extended session security)");
    let store = DemoUser::alice();
    let mut client = demo_ntlm_initiator()?;
    let mut config = ntlm::AcceptorConfig::new("DEMOSERVER", "DEMO");
    config.target_name = Some("host/demo.authcore");
    let mut server =
        ntlm::Acceptor::new(&store, config).map_err(|e| Error::auth("NTLM acceptor", e))?;
    handshake("NTLM", &mut client, &mut server)?;
    let id = server
        .identity()
        .ok_or_else(|| Error::Format("no identity after NTLM".into()))?;
    println!(
        "  server's view: authenticated: {}\\{} (workstation {:?})",
        id.domain, id.user, id.workstation
    );
    exchange(
        "client -> server",
        &mut client,
        &mut server,
        "hello from the client",
    )?;
    exchange(
        "server -> client",
        &mut server,
        &mut client,
        "hello back from the server",
    )?;
    Ok(())
}

/// The built-in demo realm: its service key is generated at start, and the
/// client's service ticket is minted with it (no KDC involved).
const DEMO_REALM: &[u8] = b"AUTHCORE.DEMO";

/// One AP exchange with mutual authentication in the demo realm for `etype`;
/// `verbose` prints every step.
fn kerberos_exchange(etype: Etype, verbose: bool) -> Result<()> {
    let (keytab, ticket, session_key) = demo_ticket(etype)?;
    if verbose {
        println!(
            "  demo realm AUTHCORE.DEMO: service key for host/demo.authcore generated ({}),",
            etype.name()
        );
        println!(
            "  ticket for alice@AUTHCORE.DEMO minted with it ({} bytes)",
            ticket.len()
        );
    }
    let mut replay = ReplayCache::<16>::new();
    let mut server = kerberos::Acceptor::new(
        &keytab[..],
        &mut replay,
        kerberos::AcceptorConfig::default(),
    )
    .map_err(|e| Error::auth("Kerberos acceptor", e))?;
    let mut client = demo_initiator(&ticket, session_key)?;
    if verbose {
        handshake("Kerberos", &mut client, &mut server)?;
    } else {
        quiet(|| handshake("Kerberos", &mut client, &mut server))?;
    }
    let id = server
        .identity()
        .map(|id| id.to_string())
        .ok_or_else(|| Error::Format("no identity after Kerberos".into()))?;
    if verbose {
        println!("  server's view: authenticated: {id}");
        exchange(
            "client -> server",
            &mut client,
            &mut server,
            "hello over Kerberos",
        )?;
        exchange(
            "server -> client",
            &mut server,
            &mut client,
            "and back, sealed by the acceptor",
        )?;
    } else {
        quiet(|| exchange("", &mut client, &mut server, "ping"))?;
        quiet(|| exchange("", &mut server, &mut client, "pong"))?;
        println!(
            "  {:<28} AP exchange + mutual auth + sealed both ways: ok ({id})",
            etype.name()
        );
    }
    Ok(())
}

/// The demo realm's service key table, and a ticket for alice minted with
/// its key, with the ticket's session key.
fn demo_ticket(etype: Etype) -> Result<(Vec<KeyEntry<'static>>, Vec<u8>, Key)> {
    let now = clock::now();
    let service_key = Key::random(etype, &mut OsRng).map_err(|e| Error::auth("service key", e))?;
    let session_key = Key::random(etype, &mut OsRng).map_err(|e| Error::auth("session key", e))?;
    let service_parts = [KerberosString(b"host"), KerberosString(b"demo.authcore")];
    let client_parts = [KerberosString(b"alice")];
    let spec = TicketSpec {
        realm: DEMO_REALM,
        service: PrincipalName::new(name_type::SRV_HST, &service_parts),
        kvno: Some(1),
        client_realm: DEMO_REALM,
        client: PrincipalName::new(name_type::PRINCIPAL, &client_parts),
        session_key: &session_key,
        flags: ticket_flags::FORWARDABLE | ticket_flags::INITIAL | ticket_flags::PRE_AUTHENT,
        authtime: now,
        starttime: None,
        endtime: Time::from_unix_secs(now.unix_secs().saturating_add(10 * 3600)),
        authorization_data: None,
    };
    let mut ticket = vec![0u8; 4096];
    let n = mint_ticket(&service_key, &spec, &mut OsRng, &mut ticket)
        .map_err(|e| Error::auth("minting", e))?;
    ticket.truncate(n);
    let keytab = vec![KeyEntry {
        principal: &[b"host", b"demo.authcore"],
        realm: DEMO_REALM,
        kvno: 1,
        key: service_key,
    }];
    Ok((keytab, ticket, session_key))
}

static DEMO_CLIENT: [KerberosString<'static>; 1] = [KerberosString(b"alice")];

fn demo_initiator(ticket: &[u8], session_key: Key) -> Result<kerberos::Initiator<'_>> {
    kerberos::Initiator::new(
        ticket,
        session_key,
        PrincipalName::new(name_type::PRINCIPAL, &DEMO_CLIENT),
        DEMO_REALM,
        kerberos::InitiatorConfig::default(),
    )
    .map_err(|e| Error::auth("Kerberos initiator", e))
}

/// Negotiate twice: a server with both packages (Kerberos is chosen), then
/// one with NTLM only (the fallback, with the mechListMIC).
fn negotiate_demo() -> Result<()> {
    println!("== Negotiate (SPNEGO: Kerberos preferred, NTLM fallback, mechListMIC)");
    let store = DemoUser::alice();
    let (keytab, ticket, session_key) = demo_ticket(Etype::Aes256CtsHmacSha196)?;
    for with_keytab in [true, false] {
        println!(
            "  client offers Kerberos and NTLM; server has {}",
            if with_keytab {
                "a keytab and users"
            } else {
                "users only"
            }
        );
        let mut client = spnego::Initiator::new(
            Some(demo_initiator(&ticket, session_key.clone())?),
            Some(demo_ntlm_initiator()?),
        )
        .map_err(|e| Error::auth("Negotiate initiator", e))?;
        let mut replay = ReplayCache::<16>::new();
        let krb_server = if with_keytab {
            Some(
                kerberos::Acceptor::new(
                    &keytab[..],
                    &mut replay,
                    kerberos::AcceptorConfig::default(),
                )
                .map_err(|e| Error::auth("Kerberos acceptor", e))?,
            )
        } else {
            None
        };
        let ntlm_server =
            ntlm::Acceptor::new(&store, ntlm::AcceptorConfig::new("DEMOSERVER", "DEMO"))
                .map_err(|e| Error::auth("NTLM acceptor", e))?;
        let mut server = spnego::Acceptor::new(Some(ntlm_server), krb_server);
        handshake("Negotiate", &mut client, &mut server)?;
        let id = server
            .identity()
            .map(|id| id.to_string())
            .ok_or_else(|| Error::Format("no identity after Negotiate".into()))?;
        let mech = match server.mech() {
            Some(Mech::Kerberos) => "Kerberos",
            _ => "NTLM",
        };
        let mic = if server.mech_list_mic_exchanged() {
            ", mechListMIC exchanged"
        } else {
            ""
        };
        println!("  server's view: authenticated: {id} (over {mech}{mic})");
        exchange(
            "client -> server",
            &mut client,
            &mut server,
            "hello over Negotiate",
        )?;
        exchange("server -> client", &mut server, &mut client, "and back")?;
    }
    Ok(())
}

/// Runs `f` with step printing off (used for the per-etype summary lines).
fn quiet<T>(f: impl FnOnce() -> Result<T>) -> Result<T> {
    QUIET.with(|q| q.set(true));
    let r = f();
    QUIET.with(|q| q.set(false));
    r
}

thread_local! {
    static QUIET: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

fn kerberos_demo() -> Result<()> {
    println!("== Kerberos (GSS krb5 mechanism: AP-REQ/AP-REP, RFC 4121 Wrap)");
    kerberos_exchange(Etype::Aes256CtsHmacSha196, true)?;
    println!("  every etype:");
    for etype in Etype::MODERN {
        kerberos_exchange(etype, false)?;
    }
    Ok(())
}
