#!/usr/bin/env python3
"""An independent NTLM peer speaking authcore's CLI framing (4-byte big-endian
length frames), backed by pyspnego's own NTLM or by MIT GSS-API + gss-ntlmssp.

  ntlm_peer.py server --backend pyspnego|gssapi --listen HOST:PORT [--count N]
  ntlm_peer.py client --backend pyspnego|gssapi --connect HOST:PORT
               --user U --domain D --password P [--target SPN] --message TEXT

The server reads users from NTLM_USER_FILE (DOMAIN:user:password lines), serves
--count connections (default 1), prints `authenticated: DOMAIN\\user` per client
and echoes the unwrapped message back wrapped. The client prints the echoed
message. Any failure: one line on stderr and exit status 1.
"""
import argparse
import socket
import struct
import sys

NTLM_OID = "1.3.6.1.4.1.311.2.2.10"


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

        opts = spnego.NegotiateOptions.use_ntlm
        if server:
            self.ctx = spnego.server(protocol="ntlm", options=opts)
        else:
            service, _, host = (args.target or "host@localhost").replace("/", "@").partition("@")
            self.ctx = spnego.client(
                f"{args.domain}\\{args.user}" if args.domain else args.user,
                args.password,
                hostname=host or "localhost",
                service=service or "host",
                protocol="ntlm",
                options=opts,
            )

    def step(self, token):
        return self.ctx.step(token) or b""

    @property
    def complete(self):
        return self.ctx.complete

    def name(self):
        return str(self.ctx.client_principal)

    def wrap(self, data):
        return self.ctx.wrap(data, encrypt=True).data

    def unwrap(self, data):
        return self.ctx.unwrap(data).data


class GssApi:
    def __init__(self, server, args):
        import gssapi

        mech = gssapi.OID.from_int_seq(NTLM_OID)
        if server:
            cred = gssapi.Credentials(usage="accept", mechs=[mech])
            self.ctx = gssapi.SecurityContext(creds=cred, usage="accept")
        else:
            user = f"{args.domain}\\{args.user}" if args.domain else args.user
            name = gssapi.Name(user, gssapi.NameType.user)
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
            )

    def step(self, token):
        return self.ctx.step(token) or b""

    @property
    def complete(self):
        return self.ctx.complete

    def name(self):
        # gss-ntlmssp's display names carry a trailing NUL.
        return str(self.ctx.initiator_name).rstrip("\x00")

    def wrap(self, data):
        return self.ctx.wrap(data, True).message

    def unwrap(self, data):
        return self.ctx.unwrap(data).message


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
    return 0


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["server", "client"])
    p.add_argument("--backend", choices=["pyspnego", "gssapi"], required=True)
    p.add_argument("--listen", default="127.0.0.1:0")
    p.add_argument("--count", type=int, default=1)
    p.add_argument("--connect")
    p.add_argument("--user")
    p.add_argument("--domain", default="")
    p.add_argument("--password")
    p.add_argument("--target")
    p.add_argument("--message", default="hello")
    args = p.parse_args()
    try:
        return server(args) if args.mode == "server" else client(args)
    except Exception as e:
        print(f"error: {type(e).__name__}: {e}", file=sys.stderr, flush=True)
        return 1


if __name__ == "__main__":
    sys.exit(main())
