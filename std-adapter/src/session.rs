//! Drives any package's context over a framed stream (the CLI contract in
//! ARCHITECTURE.md): handshake frames, then one wrapped message each way.

use std::io::{Read, Write};

use authcore::kerberos::IovLayout;
use authcore::{kerberos, ntlm, spnego, Progress, Protect, Step};

use crate::error::{Error, Result};
use crate::framing::{read_frame, write_frame, MAX_FRAME_LEN};
use crate::{clock, rng::OsRng};

/// Output buffer for handshake tokens: above every package's `MAX_TOKEN_LEN`.
const TOKEN_BUF: usize = 64 * 1024;

fn recv<S: Read>(stream: &mut S, what: &str) -> Result<Vec<u8>> {
    let mut buf = Vec::new();
    read_frame(stream, &mut buf, MAX_FRAME_LEN)
        .map_err(|e| Error::io(format!("reading {what}"), e))?;
    Ok(buf)
}

fn send<S: Write>(stream: &mut S, data: &[u8], what: &str) -> Result<()> {
    write_frame(stream, data).map_err(|e| Error::io(format!("sending {what}"), e))
}

/// Client side: establish `ctx`, send `wrap(message)`, return the unwrapped echo.
pub fn client<S: Read + Write, C: Step + Messages>(
    stream: &mut S,
    ctx: &mut C,
    message: &[u8],
) -> Result<Vec<u8>> {
    let mut out = vec![0u8; TOKEN_BUF];
    let mut input = Vec::new();
    loop {
        let progress = ctx
            .step(&input, &mut out, clock::now(), &mut OsRng)
            .map_err(|e| Error::auth("handshake", e))?;
        match progress {
            Progress::Continue { written } => {
                send(stream, &out[..written], "handshake token")?;
                input = recv(stream, "server's handshake token")?;
            }
            Progress::Complete { written } => {
                if written > 0 {
                    send(stream, &out[..written], "final handshake token")?;
                    let answer =
                        recv(stream, "server's answer to the final token").map_err(|e| {
                            match e {
                            Error::Io { source, .. }
                                if source.kind() == std::io::ErrorKind::UnexpectedEof =>
                            {
                                Error::Format(
                                    "server closed the connection after the final handshake token: \
                                     authentication rejected (see the server's log)"
                                        .into(),
                                )
                            }
                            other => other,
                        }
                        })?;
                    if !answer.is_empty() {
                        return Err(Error::Format(format!(
                            "server sent a {}-byte token after the handshake completed",
                            answer.len()
                        )));
                    }
                }
                break;
            }
            Progress::SendToKdc { .. } => {
                return Err(Error::Usage(
                    "this context needs a KDC; get a ticket first".into(),
                ))
            }
        }
    }
    let sealed = ctx.seal_message(message)?;
    send(stream, &sealed, "wrapped message")?;
    let reply = recv(stream, "server's wrapped reply")?;
    ctx.unseal_message(reply)
        .map_err(|e| Error::auth("unwrapping the reply", e))
}

/// Server side: accept `ctx`'s handshake, unwrap one message, and echo it back
/// wrapped. `established` runs once the context is complete and before the
/// message is read (the CLI prints the identity there). Returns the message.
pub fn server<S: Read + Write, C: Step + Messages>(
    stream: &mut S,
    ctx: &mut C,
    established: impl FnOnce(&C),
) -> Result<Vec<u8>> {
    let mut out = vec![0u8; TOKEN_BUF];
    loop {
        let input = recv(stream, "client's handshake token")?;
        let progress = match ctx.step(&input, &mut out, clock::now(), &mut OsRng) {
            Ok(p) => p,
            Err(e) => {
                // Kerberos answers a refused AP-REQ with a KRB-ERROR the client
                // can name; best effort, the connection is closing anyway.
                let n = ctx.error_token_len();
                if n > 0 {
                    let _ = send(stream, &out[..n], "error token");
                }
                return Err(Error::auth("handshake", e));
            }
        };
        match progress {
            Progress::Continue { written } => send(stream, &out[..written], "handshake token")?,
            Progress::Complete { written } => {
                send(stream, &out[..written], "final handshake token")?;
                break;
            }
            Progress::SendToKdc { .. } => {
                return Err(Error::Format("acceptor asked for a KDC exchange".into()))
            }
        }
    }
    established(ctx);
    let sealed = recv(stream, "client's wrapped message")?;
    let message = ctx
        .unseal_message(sealed)
        .map_err(|e| Error::auth("unwrapping the message", e))?;
    let reply = ctx.seal_message(&message)?;
    send(stream, &reply, "wrapped reply")?;
    Ok(message)
}

/// Wraps `message` with confidentiality into a fresh token.
pub fn seal<C: Protect + ?Sized>(ctx: &mut C, message: &[u8]) -> Result<Vec<u8>> {
    let sizes = ctx.sizes();
    let mut buf = vec![0u8; sizes.seal_header + message.len() + sizes.seal_trailer];
    buf[sizes.seal_header..][..message.len()].copy_from_slice(message);
    let n = ctx
        .seal(&mut OsRng, &mut buf, message.len())
        .map_err(|e| Error::auth("wrapping", e))?;
    buf.truncate(n);
    Ok(buf)
}

/// Unwraps a token that must be sealed, in place.
pub fn unseal<C: Protect + ?Sized>(ctx: &mut C, mut token: Vec<u8>) -> authcore::Result<Vec<u8>> {
    let range = ctx.unseal(&mut token)?;
    Ok(token[range].to_vec())
}

/// Set to `1`, Kerberos contexts exchange the message after the handshake
/// through the IOV Wrap form: they send tokens in [`IovLayout::Rotated`]
/// (Windows' shape: everything before the data, RRC = the trailer length)
/// and unwrap received tokens through `unwrap_iov` when their RRC fits a
/// split (else in place). Each IOV operation notes itself on stderr.
pub const WRAP_IOV_ENV: &str = "AUTHCORE_WRAP_IOV";

fn wrap_iov() -> bool {
    std::env::var_os(WRAP_IOV_ENV).is_some_and(|v| v == "1")
}

/// How a context wraps the one message each way after the handshake.
pub trait Messages: Protect {
    /// Wraps `message` with confidentiality into a fresh token.
    fn seal_message(&mut self, message: &[u8]) -> Result<Vec<u8>> {
        seal(self, message)
    }

    /// Unwraps a token that must be sealed; returns the message.
    fn unseal_message(&mut self, token: Vec<u8>) -> authcore::Result<Vec<u8>> {
        unseal(self, token)
    }
}

impl Messages for ntlm::Initiator {}
impl<S: ntlm::CredentialStore> Messages for ntlm::Acceptor<'_, S> {}

macro_rules! kerberos_messages {
    () => {
        fn seal_message(&mut self, message: &[u8]) -> Result<Vec<u8>> {
            if !wrap_iov() {
                return seal(self, message);
            }
            let fail = |e| Error::auth("wrapping (IOV)", e);
            let layout = IovLayout::Rotated;
            let (hl, tl) = self.wrap_iov_lens(true, layout).map_err(fail)?;
            let (mut header, mut data, mut trailer) = (vec![0; hl], message.to_vec(), vec![0; tl]);
            let (h, t) = self
                .wrap_iov(
                    &mut OsRng,
                    true,
                    layout,
                    &mut header,
                    &mut data,
                    &mut trailer,
                )
                .map_err(fail)?;
            eprintln!(
                "IOV wrap: {h}-byte header, {}-byte data, {t}-byte trailer",
                data.len()
            );
            Ok([&header[..h], &data, &trailer[..t]].concat())
        }

        fn unseal_message(&mut self, mut token: Vec<u8>) -> authcore::Result<Vec<u8>> {
            if !wrap_iov() {
                return unseal(self, token);
            }
            let split = self
                .unwrap_iov_lens(&token)
                .ok()
                .and_then(|(h, t)| Some((h, token.len().checked_sub(h.checked_add(t)?)?)));
            let Some((h, n)) = split else {
                eprintln!("IOV unwrap: the token's RRC fits no split, unwrapping in place");
                return unseal(self, token);
            };
            let (header, rest) = token.split_at_mut(h);
            let (data, trailer) = rest.split_at_mut(n);
            if !self.unwrap_iov(header, data, trailer)? {
                return Err(authcore::Error::Policy {
                    what: authcore::what!("Wrap token without confidentiality"),
                });
            }
            eprintln!(
                "IOV unwrap: {h}-byte header, {n}-byte data, {}-byte trailer",
                trailer.len()
            );
            Ok(data.to_vec())
        }
    };
}

impl Messages for kerberos::Initiator<'_> {
    kerberos_messages!();
}

impl<K: kerberos::KeyTable + ?Sized, C: kerberos::ReplayCheck> Messages
    for kerberos::Acceptor<'_, K, C>
{
    kerberos_messages!();
}

impl<S: ntlm::CredentialStore, K: kerberos::KeyTable + ?Sized, C: kerberos::ReplayCheck> Messages
    for spnego::Acceptor<'_, S, K, C>
{
}

impl Messages for spnego::Initiator<'_> {}
