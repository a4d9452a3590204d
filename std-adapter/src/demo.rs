//! `authcore demo`: the packages between an in-process client and server, every
//! token printed as it crosses, then sealed messages both ways and the server's
//! view of the client.

use authcore::ntlm::{self, CredentialStore, NtHash};
use authcore::{Progress, Protect, Step};

use crate::error::{Error, Result};
use crate::{clock, rng::OsRng};

/// Runs the demo; prints to stdout.
pub fn run() -> Result<()> {
    ntlm_demo()?;
    Ok(())
}

/// The demo's one account, checked by the acceptor like any credential store.
struct DemoUser {
    domain: &'static str,
    user: &'static str,
    hash: NtHash,
}

impl CredentialStore for DemoUser {
    fn nt_hash(&self, user: &str, domain: &str) -> Option<NtHash> {
        (user.eq_ignore_ascii_case(self.user) && domain.eq_ignore_ascii_case(self.domain))
            .then(|| self.hash.clone())
    }
}

fn token_name(package: &str, token: &[u8]) -> &'static str {
    match (package, token.get(8..12)) {
        ("NTLM", Some([1, 0, 0, 0])) => "NEGOTIATE",
        ("NTLM", Some([2, 0, 0, 0])) => "CHALLENGE",
        ("NTLM", Some([3, 0, 0, 0])) => "AUTHENTICATE",
        _ => "token",
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
            println!(
                "  client -> server  {:<13} {:>5} bytes",
                token_name(package, token),
                written
            );
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
                println!(
                    "  server -> client  {:<13} {:>5} bytes",
                    token_name(package, &input),
                    written
                );
            }
            if client_done && written > 0 {
                return Err(Error::Format("server answered a completed client".into()));
            }
        }
    }
    println!("  established on both sides");
    Ok(())
}

/// Seals `msg` on one side, unseals it on the other, and prints the crossing.
fn exchange<A: Protect, B: Protect>(from: &str, a: &mut A, b: &mut B, msg: &str) -> Result<()> {
    let token = crate::session::seal(a, msg.as_bytes())?;
    let mut buf = token.clone();
    let range = b.unseal(&mut buf).map_err(|e| Error::auth("unseal", e))?;
    let got = String::from_utf8_lossy(&buf[range]).into_owned();
    println!(
        "  {from}: sealed {:>3} bytes into a {:>3}-byte token, unsealed: {got:?}",
        msg.len(),
        token.len()
    );
    if got != msg {
        return Err(Error::Format("unsealed message differs".into()));
    }
    Ok(())
}

fn ntlm_demo() -> Result<()> {
    println!("== NTLM (NTLMv2, MIC, extended session security)");
    let password = "demo-password";
    let store = DemoUser {
        domain: "DEMO",
        user: "alice",
        hash: NtHash::from_password(password),
    };
    let mut client = ntlm::Initiator::new(
        "alice",
        "DEMO",
        password,
        ntlm::InitiatorConfig::new().with_target_name("host/demo.authcore"),
    )
    .map_err(|e| Error::auth("NTLM initiator", e))?;
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
