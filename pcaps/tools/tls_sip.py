#!/usr/bin/env python3
"""tls_sip.py: a SIP-over-TLS caller and callee on Python's ssl module (OpenSSL), writing an NSS
key log (SSLKEYLOGFILE format), for pcaps/make-tlsdec-traces.sh.

The caller sends an INVITE offering SRTP (RTP/SAVP with an SDES a=crypto line), split over
three TLS records; the callee accepts only clear RTP and answers 100 Trying and 415 Unsupported
Media Type in one record; the caller ACKs and both close with close_notify. Every step has a
timeout.

  tls_sip.py server --listen 127.0.0.2:5061 --cert C --key K [--ca CA --require-client-cert]
                    [--tls 1.2|1.3] [--ciphers LIST] [--keylog FILE]
  tls_sip.py client --connect 127.0.0.2:5061 [--cert C --key K] [--sni NAME] [--tls ...]
                    [--ciphers LIST] [--keylog FILE] [--ruri-host HOST] [--via-host HOST]
                    [--record-route HOST] [--route HOST]
"""
import argparse
import socket
import ssl
import sys
import time

CALLER = "127.0.0.1"
GW = "gw.example.com"  # the gateway FQDN in Via, From, Contact, Call-ID (--via-host)
ROUTES = ""  # Record-Route / Route header lines of the INVITE and ACK (--record-route, --route)


def invite(ruri_host, port):
    sdp = (
        "v=0\r\n"
        f"o=alice 53655765 2353687637 IN IP4 {CALLER}\r\n"
        "s=-\r\n"
        f"c=IN IP4 {CALLER}\r\n"
        "t=0 0\r\n"
        "m=audio 40000 RTP/SAVP 0 101\r\n"
        "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:32\r\n"
        "a=rtpmap:0 PCMU/8000\r\n"
        "a=rtpmap:101 telephone-event/8000\r\n"
    )
    head = (
        f"INVITE sip:um@{ruri_host}:{port};transport=tls SIP/2.0\r\n"
        f"Via: SIP/2.0/TLS {GW}:5061;branch=z9hG4bK-tlsdec-1\r\n"
        f"{ROUTES}"
        f"From: \"Gateway\" <sip:gw@{GW}>;tag=gw-1\r\n"
        f"To: <sip:um@{ruri_host}>\r\n"
        f"Call-ID: tlsdec-call-1@{GW}\r\n"
        "CSeq: 1 INVITE\r\n"
        f"Contact: <sip:gw@{GW}:5061;transport=tls>\r\n"
        "Max-Forwards: 70\r\n"
        "User-Agent: sipsec-test-tls-uac\r\n"
        "Content-Type: application/sdp\r\n"
        f"Content-Length: {len(sdp)}\r\n"
        "\r\n"
    )
    return head.encode(), sdp.encode()


def responses(invite_text):
    """100 Trying and 415; the 415 copies the INVITE's Record-Route, as a UAS does for the
    responses that would form a dialog (RFC 3261 section 12.1.1)."""
    lines = invite_text.decode(errors="replace").split("\r\n")
    keep = [l for l in lines if l.split(":")[0] in ("Via", "From", "To", "Call-ID", "CSeq")]
    rr = "".join(l + "\r\n" for l in lines if l.startswith("Record-Route:"))
    base = "\r\n".join(keep)
    trying = f"SIP/2.0 100 Trying\r\n{base}\r\nContent-Length: 0\r\n\r\n"
    refuse = base.replace("To: <sip:um@", "To: <sip:um@", 1)
    refused = (
        "SIP/2.0 415 Unsupported Media Type\r\n"
        + "\r\n".join(
            (l + ";tag=um-1") if l.startswith("To:") else l for l in refuse.split("\r\n")
        )
        + "\r\n" + rr + "Contact: <sip:um@um.example.com:5061;transport=tls>\r\n"
        "Accept: application/sdp\r\nContent-Length: 0\r\n\r\n"
    )
    return (trying + refused).encode()


def ack(ruri_host, port):
    return (
        f"ACK sip:um@{ruri_host}:{port};transport=tls SIP/2.0\r\n"
        f"Via: SIP/2.0/TLS {GW}:5061;branch=z9hG4bK-tlsdec-1\r\n"
        + "".join(l + "\r\n" for l in ROUTES.split("\r\n") if l.startswith("Route:")) +
        f"From: \"Gateway\" <sip:gw@{GW}>;tag=gw-1\r\n"
        f"To: <sip:um@{ruri_host}>;tag=um-1\r\n"
        f"Call-ID: tlsdec-call-1@{GW}\r\n"
        "CSeq: 1 ACK\r\n"
        "Max-Forwards: 70\r\n"
        "Content-Length: 0\r\n\r\n"
    ).encode()


def options(ruri_host, port):
    return (
        f"OPTIONS sip:um@{ruri_host}:{port};transport=tls SIP/2.0\r\n"
        f"Via: SIP/2.0/TLS {GW}:5061;branch=z9hG4bK-tlsdec-2\r\n"
        f"From: <sip:gw@{GW}>;tag=gw-2\r\n"
        f"To: <sip:um@{ruri_host}>\r\n"
        f"Call-ID: tlsdec-options-2@{GW}\r\n"
        "CSeq: 1 OPTIONS\r\n"
        "Max-Forwards: 70\r\n"
        "Content-Length: 0\r\n\r\n"
    ).encode()


def options_ok(request):
    lines = request.decode(errors="replace").split("\r\n")
    keep = [l for l in lines if l.split(":")[0] in ("Via", "From", "To", "Call-ID", "CSeq")]
    return ("SIP/2.0 200 OK\r\n" + "\r\n".join(keep) + "\r\nAllow: INVITE, ACK, BYE, OPTIONS\r\n"
            "Content-Length: 0\r\n\r\n").encode()


def read_message(s, deadline):
    """One SIP message (Content-Length framing) or what came before EOF."""
    buf = b""
    while time.time() < deadline:
        end = buf.find(b"\r\n\r\n")
        if end >= 0:
            length = 0
            for line in buf[:end].split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            if len(buf) >= end + 4 + length:
                return buf
        try:
            chunk = s.recv(65536)
        except (ssl.SSLError, OSError):
            return buf
        if not chunk:
            return buf
        buf += chunk
    return buf


def context(args, server):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER if server else ssl.PROTOCOL_TLS_CLIENT)
    if args.tls == "1.2":
        ctx.minimum_version = ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    elif args.tls == "1.3":
        ctx.minimum_version = ctx.maximum_version = ssl.TLSVersion.TLSv1_3
    if args.ciphers:
        ctx.set_ciphers(args.ciphers)
    if args.cert:
        ctx.load_cert_chain(args.cert, args.key)
    if args.ca:
        ctx.load_verify_locations(args.ca)
    if server:
        ctx.verify_mode = ssl.CERT_REQUIRED if args.require_client_cert else ssl.CERT_NONE
    else:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_REQUIRED if args.ca else ssl.CERT_NONE
    if args.keylog:
        ctx.keylog_filename = args.keylog
    if server and args.no_tickets:
        ctx.options |= ssl.OP_NO_TICKET
    return ctx


def run_server(args):
    host, port = args.listen.rsplit(":", 1)
    ctx = context(args, True)
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((host, int(port)))
    ls.listen(1)
    ls.settimeout(10)
    for _ in range(args.accept):
        conn, _ = ls.accept()
        conn.settimeout(5)
        try:
            s = ctx.wrap_socket(conn, server_side=True)
        except (ssl.SSLError, OSError) as e:
            print(f"server: handshake failed: {e}", file=sys.stderr)
            conn.close()
            continue
        deadline = time.time() + 5
        msg = read_message(s, deadline)
        if msg.startswith(b"OPTIONS "):
            s.sendall(options_ok(msg))
        elif msg:
            s.sendall(responses(msg))
            read_message(s, deadline)  # the ACK
        try:
            s.unwrap()
        except (ssl.SSLError, OSError):
            pass
        s.close()
    return 0


def run_client(args):
    host, port = args.connect.rsplit(":", 1)
    ctx = context(args, False)
    raw = socket.create_connection((host, int(port)), timeout=5)
    try:
        s = ctx.wrap_socket(raw, server_hostname=args.sni)
    except (ssl.SSLError, OSError) as e:
        print(f"client: handshake failed: {e}", file=sys.stderr)
        raw.close()
        return 0
    ruri = args.ruri_host or host
    session = None
    head, body = invite(ruri, port)
    try:
        # three records: the headers, then the SDP in two pieces
        s.sendall(head)
        time.sleep(0.05)
        s.sendall(body[:40])
        time.sleep(0.05)
        s.sendall(body[40:])
        got = read_message(s, time.time() + 5)
        while got and b" 415 " not in got.split(b"\r\n")[0] and b"SIP/2.0 415" not in got:
            got = read_message(s, time.time() + 5)
        s.sendall(ack(ruri, port))
        time.sleep(0.2)
        session = s.session
        s.unwrap()
    except (ssl.SSLError, OSError) as e:
        print(f"client: {e}", file=sys.stderr)
    s.close()
    if args.resume:
        # a second connection resuming the first session (ID or ticket, as the server offered)
        time.sleep(0.3)
        raw = socket.create_connection((host, int(port)), timeout=5)
        s = ctx.wrap_socket(raw, server_hostname=args.sni, session=session)
        print(f"client: resumed={s.session_reused}", file=sys.stderr)
        s.sendall(options(ruri, port))
        read_message(s, time.time() + 5)
        try:
            s.unwrap()
        except (ssl.SSLError, OSError):
            pass
        s.close()
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("role", choices=["server", "client", "text"])
    ap.add_argument("--out-dir", help="text: write invite.txt, responses.txt, ack.txt there")
    ap.add_argument("--listen")
    ap.add_argument("--connect")
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--ca")
    ap.add_argument("--require-client-cert", action="store_true")
    ap.add_argument("--tls", choices=["1.2", "1.3"])
    ap.add_argument("--ciphers")
    ap.add_argument("--keylog")
    ap.add_argument("--sni")
    ap.add_argument("--ruri-host")
    ap.add_argument("--via-host", help="the gateway FQDN its SIP messages carry (default gw.example.com)")
    ap.add_argument("--record-route", help="client: a Record-Route <sip:HOST:5061;transport=tls;lr> in the INVITE")
    ap.add_argument("--route", help="client: a Route <sip:HOST:5061;transport=tls;lr> in the INVITE and ACK")
    ap.add_argument("--accept", type=int, default=1, help="server: connections to serve")
    ap.add_argument("--resume", action="store_true", help="client: a second, resumed connection")
    ap.add_argument("--no-tickets", action="store_true", help="server: resume by session ID, not ticket")
    args = ap.parse_args()
    global GW, ROUTES
    if args.via_host:
        GW = args.via_host
    if args.record_route:
        ROUTES += f"Record-Route: <sip:{args.record_route}:5061;transport=tls;lr>\r\n"
    if args.route:
        ROUTES += f"Route: <sip:{args.route}:5061;transport=tls;lr>\r\n"
    if args.role == "text":
        # the same dialogue for openssl s_client / s_server to send from their stdin
        head, body = invite(args.ruri_host, 5061)
        open(f"{args.out_dir}/invite.txt", "wb").write(head + body)
        open(f"{args.out_dir}/responses.txt", "wb").write(responses(head + body))
        open(f"{args.out_dir}/ack.txt", "wb").write(ack(args.ruri_host, 5061))
        return 0
    return run_server(args) if args.role == "server" else run_client(args)


if __name__ == "__main__":
    sys.exit(main())
