//! Drives any package's context over a framed stream (the CLI contract in
//! ARCHITECTURE.md): handshake frames, then one wrapped message each way.

use std::io::{Read, Write};

use authcore::{Progress, Protect, Step};

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
pub fn client<S: Read + Write, C: Step + Protect>(
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
    let sealed = seal(ctx, message)?;
    send(stream, &sealed, "wrapped message")?;
    let mut reply = recv(stream, "server's wrapped reply")?;
    let range = ctx
        .unseal(&mut reply)
        .map_err(|e| Error::auth("unwrapping the reply", e))?;
    Ok(reply[range].to_vec())
}

/// Server side: accept `ctx`'s handshake, unwrap one message, and echo it back
/// wrapped. `established` runs once the context is complete and before the
/// message is read (the CLI prints the identity there). Returns the message.
pub fn server<S: Read + Write, C: Step + Protect>(
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
    let mut sealed = recv(stream, "client's wrapped message")?;
    let range = ctx
        .unseal(&mut sealed)
        .map_err(|e| Error::auth("unwrapping the message", e))?;
    let message = sealed[range].to_vec();
    let reply = seal(ctx, &message)?;
    send(stream, &reply, "wrapped reply")?;
    Ok(message)
}

/// Wraps `message` with confidentiality into a fresh token.
pub fn seal<C: Protect>(ctx: &mut C, message: &[u8]) -> Result<Vec<u8>> {
    let sizes = ctx.sizes();
    let mut buf = vec![0u8; sizes.seal_header + message.len() + sizes.seal_trailer];
    buf[sizes.seal_header..][..message.len()].copy_from_slice(message);
    let n = ctx
        .seal(&mut OsRng, &mut buf, message.len())
        .map_err(|e| Error::auth("wrapping", e))?;
    buf.truncate(n);
    Ok(buf)
}
