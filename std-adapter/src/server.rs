//! A TCP server that survives misbehaving clients: each connection runs on its own
//! thread with a hard deadline, the number of live connections is capped, and every
//! failure is one log line on stderr while the listener keeps serving.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::error::{Error, Result};

/// Limits applied to every connection.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Whole-connection deadline: a client that never finishes is cut off here.
    pub deadline: Duration,
    /// Connections served at once; more are closed at accept with a log line.
    pub max_connections: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            deadline: Duration::from_secs(30),
            max_connections: 64,
        }
    }
}

/// A stream whose every read and write fails once `deadline` has passed, so a
/// client trickling one byte at a time cannot hold a connection forever.
pub struct DeadlineStream {
    inner: TcpStream,
    deadline: Instant,
}

impl DeadlineStream {
    /// Wraps `inner` with a deadline `limit` from now.
    pub fn new(inner: TcpStream, limit: Duration) -> DeadlineStream {
        DeadlineStream {
            inner,
            deadline: Instant::now() + limit,
        }
    }

    fn remaining(&self) -> io::Result<Duration> {
        let left = self.deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "connection deadline passed",
            ))
        } else {
            Ok(left)
        }
    }
}

impl Read for DeadlineStream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = self.remaining()?;
        self.inner.set_read_timeout(Some(left))?;
        self.inner.read(buf)
    }
}

impl Write for DeadlineStream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let left = self.remaining()?;
        self.inner.set_write_timeout(Some(left))?;
        self.inner.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Binds `addr` and serves forever, running `handle` on each connection in its own
/// thread. `handle` errors are logged as one line naming the peer.
pub fn serve<F>(addr: &str, limits: Limits, handle: F) -> Result<()>
where
    F: Fn(&mut DeadlineStream, SocketAddr) -> Result<()> + Send + Sync + 'static,
{
    let listener = TcpListener::bind(addr).map_err(|e| Error::io(format!("binding {addr}"), e))?;
    if let Ok(local) = listener.local_addr() {
        eprintln!("authcore: listening on {local}");
    }
    let handle = Arc::new(handle);
    let live = Arc::new(AtomicUsize::new(0));
    for conn in listener.incoming() {
        let stream = match conn {
            Ok(s) => s,
            Err(e) => {
                eprintln!("authcore: accept failed: {e}");
                continue;
            }
        };
        let peer = stream
            .peer_addr()
            .unwrap_or_else(|_| SocketAddr::from(([0, 0, 0, 0], 0)));
        if live.fetch_add(1, Ordering::SeqCst) >= limits.max_connections {
            live.fetch_sub(1, Ordering::SeqCst);
            eprintln!(
                "authcore: {peer}: refused, {} connections already open",
                limits.max_connections
            );
            continue;
        }
        let handle = Arc::clone(&handle);
        let live = Arc::clone(&live);
        std::thread::spawn(move || {
            let _ = stream.set_nodelay(true);
            let mut stream = DeadlineStream::new(stream, limits.deadline);
            if let Err(e) = handle(&mut stream, peer) {
                eprintln!("authcore: {peer}: {e}");
            }
            live.fetch_sub(1, Ordering::SeqCst);
        });
    }
    Ok(())
}
