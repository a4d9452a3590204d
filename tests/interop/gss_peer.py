#!/usr/bin/env python3
"""An independent GSS-API peer speaking authcore's CLI framing (4-byte big-endian
length frames).

  gss_peer.py server --mech ntlm|krb5|spnego --backend pyspnego|gssapi --listen HOST:PORT [--count N]
  gss_peer.py client --mech ntlm|krb5|spnego --backend pyspnego|gssapi --connect HOST:PORT
              [--user U --domain D --password P] [--target SPN] --message TEXT [--exercise]
  (both)      [--cbt APPDATA]

NTLM is backed by pyspnego's own NTLM or by MIT GSS-API + gss-ntlmssp; krb5 by
MIT GSS-API (python-gssapi). The NTLM server reads users from NTLM_USER_FILE
(DOMAIN:user:password lines); the krb5 server takes its keys from KRB5_KTNAME and
the krb5 client its ticket from KRB5CCNAME.

The server serves --count connections (default 1), prints `authenticated: NAME`
per client and echoes the unwrapped message back wrapped. The client prints the
echoed message. With --exercise (both sides), three rounds follow the handshake:
wrap with confidentiality, wrap without (krb5 only: NTLM always seals
once confidentiality is negotiated), and a message + MIC; each side checks
what it received and answers in kind. With --cbt, both sides bind the context
to channel bindings whose application data is APPDATA (UTF-8), as
"tls-server-end-point:<hash>" would be for TLS. Any failure: one line on
stderr, exit 1.
"""
import argparse
import socket
import struct
import sys

NTLM_OID = "1.3.6.1.4.1.311.2.2.10"
KRB5_OID = "1.2.840.113554.1.2.2"
SPNEGO_OID = "1.3.6.1.5.5.2"


def recv_exact(sock, n):
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise EOFError("peer closed the connection")
        buf += chunk
    return buf


def recv_frame(sock):
    (n,) = struct.unpack(">I", recv_exact(sock, 4))
    return recv_exact(sock, n)


def send_frame(sock, data):
    sock.sendall(struct.pack(">I", len(data)) + data)


class PySpnego:
    def __init__(self, server, args):
        import spnego

        if args.mech == "krb5":
            raise RuntimeError("the pyspnego backend here is for NTLM and Negotiate only")
        # Its own NTLM, or its own SPNEGO (which offers NTLM, and Kerberos
        # when python-gssapi has a ticket for it).
        protocol = "ntlm" if args.mech == "ntlm" else "negotiate"
        opts = spnego.NegotiateOptions.use_ntlm if protocol == "ntlm" else spnego.NegotiateOptions.use_negotiate
        cbt = None
        if args.cbt is not None:
            from spnego.channel_bindings import GssChannelBindings

            cbt = GssChannelBindings(application_data=args.cbt.encode())
        if server:
            self.ctx = spnego.server(protocol=protocol, options=opts, channel_bindings=cbt)
        else:
            service, _, host = (args.target or "host@localhost").replace("/", "@").partition("@")
            self.ctx = spnego.client(
                f"{args.domain}\\{args.user}" if args.domain else args.user,
                args.password,
                hostname=host or "localhost",
                service=service or "host",
                protocol=protocol,
                options=opts,
                channel_bindings=cbt,
            )

    def step(self, token):
        return self.ctx.step(token) or b""

    @property
    def complete(self):
        return self.ctx.complete

    def name(self):
        return str(self.ctx.client_principal)

    def wrap(self, data, conf=True):
        return self.ctx.wrap(data, encrypt=conf).data

    def unwrap(self, data, conf=True):
        res = self.ctx.unwrap(data)
        if res.encrypted != conf:
            raise RuntimeError(f"peer's token had encrypted={res.encrypted}, expected {conf}")
        return res.data

    def get_mic(self, data):
        return self.ctx.sign(data)

    def verify_mic(self, data, mic):
        self.ctx.verify(data, mic)


class GssApi:
    def __init__(self, server, args):
        import gssapi

        mech = gssapi.OID.from_int_seq(
            {"ntlm": NTLM_OID, "krb5": KRB5_OID, "spnego": SPNEGO_OID}[args.mech]
        )
        cbt = None
        if args.cbt is not None:
            cbt = gssapi.raw.ChannelBindings(application_data=args.cbt.encode())
        if server:
            cred = gssapi.Credentials(usage="accept", mechs=[mech])
            self.ctx = gssapi.SecurityContext(creds=cred, usage="accept", channel_bindings=cbt)
        elif args.mech == "krb5" or (args.mech == "spnego" and not args.user):
            target = (args.target or "host@localhost").replace("/", "@")
            self.ctx = gssapi.SecurityContext(
                name=gssapi.Name(target, gssapi.NameType.hostbased_service),
                mech=mech,
                usage="initiate",
                flags=gssapi.RequirementFlag.integrity
                | gssapi.RequirementFlag.confidentiality
                | gssapi.RequirementFlag.mutual_authentication
                | gssapi.RequirementFlag.replay_detection
                | gssapi.RequirementFlag.out_of_sequence_detection,
                channel_bindings=cbt,
            )
        else:
            user = f"{args.domain}\\{args.user}" if args.domain else args.user
            name = gssapi.Name(user, gssapi.NameType.user)
            # Under SPNEGO, acquired for SPNEGO itself, which asks its
            # mechanisms (gss-ntlmssp takes the password).
            cred = gssapi.raw.acquire_cred_with_password(
                name, args.password.encode(), usage="initiate", mechs=[mech]
            ).creds
            target = (args.target or "host@localhost").replace("/", "@")
            self.ctx = gssapi.SecurityContext(
                name=gssapi.Name(target, gssapi.NameType.hostbased_service),
                creds=cred,
                mech=mech,
                usage="initiate",
                flags=gssapi.RequirementFlag.integrity
                | gssapi.RequirementFlag.confidentiality
                | gssapi.RequirementFlag.mutual_authentication,
                channel_bindings=cbt,
            )

    def step(self, token):
        return self.ctx.step(token) or b""

    @property
    def complete(self):
        return self.ctx.complete

    def name(self):
        # gss-ntlmssp's display names carry a trailing NUL.
        return str(self.ctx.initiator_name).rstrip("\x00")

    def wrap(self, data, conf=True):
        res = self.ctx.wrap(data, conf)
        if res.encrypted != conf:
            raise RuntimeError(f"wrap gave encrypted={res.encrypted}, asked {conf}")
        return res.message

    def unwrap(self, data, conf=True):
        res = self.ctx.unwrap(data)
        if res.encrypted != conf:
            raise RuntimeError(f"peer's token had encrypted={res.encrypted}, expected {conf}")
        return res.message

    def get_mic(self, data):
        return self.ctx.get_signature(data)

    def verify_mic(self, data, mic):
        self.ctx.verify_signature(data, mic)


def backend(name, server, args):
    return {"pyspnego": PySpnego, "gssapi": GssApi}[name](server, args)


def serve_one(conn, args):
    ctx = backend(args.backend, True, args)
    while not ctx.complete:
        out = ctx.step(recv_frame(conn))
        send_frame(conn, out)
    print(f"authenticated: {ctx.name()}", flush=True)
    message = ctx.unwrap(recv_frame(conn))
    send_frame(conn, ctx.wrap(message))
    print(f"message: {message.decode(errors='replace')}", flush=True)
    if args.exercise:
        if args.mech == "krb5":
            plain = ctx.unwrap(recv_frame(conn), conf=False)
            send_frame(conn, ctx.wrap(plain, conf=False))
        data = recv_frame(conn)
        ctx.verify_mic(data, recv_frame(conn))
        send_frame(conn, ctx.get_mic(data))
        print("exercise: ok", flush=True)


def server(args):
    host, _, port = args.listen.rpartition(":")
    lsock = socket.socket()
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind((host, int(port)))
    lsock.listen(8)
    print(f"listening on {lsock.getsockname()[1]}", flush=True)
    failures = 0
    for _ in range(args.count):
        conn, _ = lsock.accept()
        conn.settimeout(30)
        try:
            serve_one(conn, args)
        except Exception as e:  # one line per failed client, keep serving
            failures += 1
            print(f"error: {type(e).__name__}: {e}", file=sys.stderr, flush=True)
        finally:
            conn.close()
    return 1 if failures else 0


def client(args):
    host, _, port = args.connect.rpartition(":")
    sock = socket.create_connection((host, int(port)), timeout=30)
    ctx = backend(args.backend, False, args)
    token = ctx.step(None)
    while True:
        send_frame(sock, token)
        answer = recv_frame(sock)
        if ctx.complete:
            if answer:
                raise RuntimeError(f"{len(answer)}-byte token after completion")
            break
        token = ctx.step(answer)
        if ctx.complete and not token:
            break
    send_frame(sock, ctx.wrap(args.message.encode()))
    print(ctx.unwrap(recv_frame(sock)).decode(errors="replace"), flush=True)
    if args.exercise:
        if args.mech == "krb5":
            plain = b"integrity only: " + args.message.encode()
            send_frame(sock, ctx.wrap(plain, conf=False))
            if ctx.unwrap(recv_frame(sock), conf=False) != plain:
                raise RuntimeError("integrity-only echo differs")
        data = b"signed: " + args.message.encode()
        send_frame(sock, data)
        send_frame(sock, ctx.get_mic(data))
        ctx.verify_mic(data, recv_frame(sock))
        print("exercise: ok", flush=True)
    return 0


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["server", "client"])
    p.add_argument("--mech", choices=["ntlm", "krb5", "spnego"], default="ntlm")
    p.add_argument("--backend", choices=["pyspnego", "gssapi"], default="gssapi")
    p.add_argument("--exercise", action="store_true")
    p.add_argument("--listen", default="127.0.0.1:0")
    p.add_argument("--count", type=int, default=1)
    p.add_argument("--connect")
    p.add_argument("--user")
    p.add_argument("--domain", default="")
    p.add_argument("--password")
    p.add_argument("--target")
    p.add_argument("--message", default="hello")
    p.add_argument("--cbt", help="channel bindings application data (UTF-8)")
    args = p.parse_args()
    try:
        return server(args) if args.mode == "server" else client(args)
    except Exception as e:
        print(f"error: {type(e).__name__}: {e}", file=sys.stderr, flush=True)
        return 1


if __name__ == "__main__":
    sys.exit(main())
