#!/usr/bin/python3
"""xfer.py: small, bounded, real socket transfers for pcaps/make-capture-traces.sh.

  xfer.py tcp HOST PORT NBYTES        a TCP server and client in one process: the client
                                      sends NBYTES (a fixed pattern) in 1000-byte segments,
                                      the server answers a
                                      16-byte reply, both close (SYN ... FIN seen on the wire)
  xfer.py udp HOST PORT SIZE COUNT    COUNT UDP datagrams of SIZE bytes to HOST:PORT, with
                                      path-MTU discovery off so the kernel fragments them
  xfer.py ike HOST PORT SRCPORT       one IKEv2 IKE_SA_INIT-shaped datagram (header only +
                                      padding) from SRCPORT; on 4500 prefixed by the 4-byte
                                      non-ESP marker of RFC 3948

Everything is deterministic except the kernel's sequence numbers and timestamps.
"""
import socket
import struct
import sys
import threading
import time


def family(host):
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def pattern(n):
    # Printable, position-dependent bytes: a reordered or lost segment is visible in a hex dump.
    line = b"".join(b"sipsec capture trace line %06d\n" % i for i in range(n // 31 + 2))
    return line[:n]


def tcp(host, port, nbytes):
    fam = family(host)
    srv = socket.socket(fam, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((host, port))
    srv.listen(1)
    got = []

    def serve():
        conn, _ = srv.accept()
        total = 0
        while total < nbytes:
            chunk = conn.recv(65536)
            if not chunk:
                break
            total += len(chunk)
        got.append(total)
        conn.sendall(b"OK received %5d" % (total % 100000))
        conn.close()

    t = threading.Thread(target=serve)
    t.start()
    cli = socket.socket(fam, socket.SOCK_STREAM)
    cli.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    cli.connect((host, port))
    data = pattern(nbytes)
    # One write per segment: loopback does GSO, so a larger write would be captured as one
    # packet bigger than the MTU; 1000-byte writes with Nagle off give 1000-byte segments.
    step = 1000
    for off in range(0, nbytes, step):
        cli.sendall(data[off:off + step])
        time.sleep(0.002)
    reply = cli.recv(64)
    cli.close()
    t.join()
    srv.close()
    if got != [nbytes] or not reply.startswith(b"OK"):
        sys.exit("tcp transfer failed: %r %r" % (got, reply))


def udp(host, port, size, count):
    fam = family(host)
    s = socket.socket(fam, socket.SOCK_DGRAM)
    if fam == socket.AF_INET:
        s.setsockopt(socket.IPPROTO_IP, 10, 0)     # IP_MTU_DISCOVER = IP_PMTUDISC_DONT
    else:
        s.setsockopt(socket.IPPROTO_IPV6, 23, 0)   # IPV6_MTU_DISCOVER = IPV6_PMTUDISC_DONT
    r = socket.socket(fam, socket.SOCK_DGRAM)
    r.bind((host, port))
    r.settimeout(2)
    for i in range(count):
        s.sendto(pattern(size + i)[i:i + size], (host, port))
        if len(r.recv(65536)) != size:
            sys.exit("udp datagram came back with the wrong size")
        time.sleep(0.01)


def ike(host, port, sport):
    s = socket.socket(family(host), socket.SOCK_DGRAM)
    s.bind(("0.0.0.0" if family(host) == socket.AF_INET else "::", sport))
    spi_i = bytes.fromhex("5a17c0de00000001")
    # IKEv2 header (RFC 7296 3.1): SPIi, SPIr=0, next payload SA(33), version 2.0,
    # exchange IKE_SA_INIT(34), flags Initiator(0x08), message id 0, length.
    body = b"\x00" * 72
    hdr = spi_i + bytes(8) + struct.pack("!BBBBII", 33, 0x20, 34, 0x08, 0, 28 + len(body))
    msg = hdr + body
    if port == 4500:
        msg = b"\x00\x00\x00\x00" + msg    # non-ESP marker
    s.sendto(msg, (host, port))


def main(argv):
    if len(argv) >= 5 and argv[1] == "tcp":
        tcp(argv[2], int(argv[3]), int(argv[4]))
    elif len(argv) >= 6 and argv[1] == "udp":
        udp(argv[2], int(argv[3]), int(argv[4]), int(argv[5]))
    elif len(argv) >= 5 and argv[1] == "ike":
        ike(argv[2], int(argv[3]), int(argv[4]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
