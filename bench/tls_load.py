#!/usr/bin/env python3
"""tls_load.py: SIP over TLS as fast as Python's ssl (OpenSSL) can send it, for bench/tlsdec.sh.

  tls_load.py server --listen IP:PORT --cert C --key K [--tls 1.2|1.3]
  tls_load.py client --connect IP:PORT --keylog FILE --mb N --batch M [--tls 1.2|1.3] [--ciphers X]

The client sends N MB of SIP OPTIONS requests (about 600 bytes each), M messages per write, so
M = 1 gives one TLS record per message (as SIP stacks send) and M = 24 fills 16 KiB records;
the server reads and discards until close_notify. Bounded by a timeout in the caller.
"""
import argparse
import socket
import ssl
import sys


def message(i):
    body = (
        f"OPTIONS sip:um@um.example.com:5061;transport=tls SIP/2.0\r\n"
        f"Via: SIP/2.0/TLS gw.example.com:5061;branch=z9hG4bK-load-{i}\r\n"
        "From: <sip:gw@gw.example.com>;tag=load\r\n"
        "To: <sip:um@um.example.com>\r\n"
        f"Call-ID: load-{i}@gw.example.com\r\n"
        f"CSeq: {i % 100000 + 1} OPTIONS\r\n"
        "Contact: <sip:gw@gw.example.com:5061;transport=tls>\r\n"
        "Max-Forwards: 70\r\n"
        "User-Agent: sipsec-bench-tls-load/1.0 (one SIP message per TLS record or many)\r\n"
        "Accept: application/sdp\r\n"
        "Allow: INVITE, ACK, CANCEL, OPTIONS, BYE, REFER, NOTIFY, MESSAGE, SUBSCRIBE, INFO\r\n"
        "Supported: replaces, timer, 100rel\r\n"
        "Content-Length: 0\r\n\r\n"
    )
    return body.encode()


def ctx_for(args, server):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER if server else ssl.PROTOCOL_TLS_CLIENT)
    v = {"1.2": ssl.TLSVersion.TLSv1_2, "1.3": ssl.TLSVersion.TLSv1_3}[args.tls]
    ctx.minimum_version = ctx.maximum_version = v
    if args.ciphers:
        ctx.set_ciphers(args.ciphers)
    if server:
        ctx.load_cert_chain(args.cert, args.key)
    else:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        ctx.keylog_filename = args.keylog
    return ctx


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("role", choices=["server", "client"])
    ap.add_argument("--listen")
    ap.add_argument("--connect")
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--keylog")
    ap.add_argument("--tls", default="1.2")
    ap.add_argument("--ciphers")
    ap.add_argument("--mb", type=int, default=50)
    ap.add_argument("--batch", type=int, default=1)
    args = ap.parse_args()
    if args.role == "server":
        host, port = args.listen.rsplit(":", 1)
        ls = socket.socket()
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind((host, int(port)))
        ls.listen(1)
        ls.settimeout(20)
        conn, _ = ls.accept()
        s = ctx_for(args, True).wrap_socket(conn, server_side=True)
        while True:
            try:
                if not s.recv(1 << 16):
                    break
            except (ssl.SSLError, OSError):
                break
        s.close()
        return 0
    host, port = args.connect.rsplit(":", 1)
    s = ctx_for(args, False).wrap_socket(socket.create_connection((host, int(port)), timeout=20),
                                         server_hostname="um.example.com")
    total, i, goal = 0, 0, args.mb << 20
    while total < goal:
        chunk = b"".join(message(i + k) for k in range(args.batch))
        i += args.batch
        s.sendall(chunk)
        total += len(chunk)
    try:
        s.unwrap()
    except (ssl.SSLError, OSError):
        pass
    s.close()
    print(f"client: {i} messages, {total} bytes", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
