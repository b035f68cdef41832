#!/usr/bin/env python3
"""soak-trace.py OUT SECONDS ROOT: a capture of ever-new calls, streams and TLS sessions for the
live soak test, cut from the real traces in ROOT/pcaps (no scapy: plain pcap records).

Each second of the output starts, each with its own addresses, ports, Call-ID or SSRC:
  20 TLS sessions (pcaps/tls/mtls-ok.pcap: mutual TLS 1.2), one in four with its FIN/RST
     packets cut so the connection never closes (only the idle timeout ends it);
  10 SIP calls refused with 415 (pcaps/sip/srtp-offer-415.pcap) and 5 INVITEs never answered;
  10 calls that are answered and hung up (pcaps/sip/call-udp.pcap), each with 3 s of G.711 RTP
     losing some packets (from pcaps/rtp/rtp-random-loss-2pct.pcap).
About 1900 packets a second; timestamps are what tcpreplay replays at their own pace.
Deterministic: the same arguments give the same file.
"""
import struct
import sys

ETH = 14


def read_pcap(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack("<I", data[:4])[0]
    endian = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    nano = struct.unpack(endian + "I", data[:4])[0] == 0xA1B23C4D
    off, pkts = 24, []
    while off + 16 <= len(data):
        sec, frac, incl, _orig = struct.unpack(endian + "IIII", data[off:off + 16])
        off += 16
        t = sec + frac / (1e9 if nano else 1e6)
        pkts.append((t, bytearray(data[off:off + incl])))
        off += incl
    t0 = pkts[0][0]
    return [(t - t0, p) for t, p in pkts]


def ip_checksum(h):
    s = sum(struct.unpack("!%dH" % (len(h) // 2), h))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return (~s) & 0xFFFF


def ip4(a, b, c, d):
    return bytes((a, b, c, d))


def rewrite(pkt, client_ip, server_ip, client_port, tpl_client_ip, tpl_client_port, call_id=None, ssrc=None):
    """Client/server addresses and the client's port; Call-ID and SSRC kept to their length."""
    p = bytearray(pkt)
    if len(p) < ETH + 20 or p[12:14] != b"\x08\x00":
        return p
    ihl = (p[ETH] & 0x0F) * 4
    src, proto = bytes(p[ETH + 12:ETH + 16]), p[ETH + 9]
    from_client = src == tpl_client_ip
    p[ETH + 12:ETH + 16] = client_ip if from_client else server_ip
    p[ETH + 16:ETH + 20] = server_ip if from_client else client_ip
    p[ETH + 10:ETH + 12] = b"\x00\x00"
    p[ETH + 10:ETH + 12] = struct.pack("!H", ip_checksum(bytes(p[ETH:ETH + ihl])))
    l4 = ETH + ihl
    sport, dport = struct.unpack("!HH", p[l4:l4 + 4])
    if from_client and sport == tpl_client_port:
        p[l4:l4 + 2] = struct.pack("!H", client_port)
    elif not from_client and dport == tpl_client_port:
        p[l4 + 2:l4 + 4] = struct.pack("!H", client_port)
    if proto == 17:
        p[l4 + 6:l4 + 8] = b"\x00\x00"  # no UDP checksum, as with offload
        payload = l4 + 8
        if call_id is not None:
            i = p.find(b"Call-ID: ", payload)
            if i >= 0:
                j = p.find(b"\r\n", i)
                n = j - (i + 9)
                p[i + 9:j] = call_id.rjust(n, b"0")[-n:]
        if ssrc is not None and len(p) >= payload + 12:
            p[payload + 8:payload + 12] = struct.pack("!I", ssrc)
    return p


def main():
    out, seconds, root = sys.argv[1], float(sys.argv[2]), sys.argv[3]
    tls = read_pcap(root + "/pcaps/tls/mtls-ok.pcap")
    refused = read_pcap(root + "/pcaps/sip/srtp-offer-415.pcap")
    answered = read_pcap(root + "/pcaps/sip/call-udp.pcap")
    rtp = [(t, p) for t, p in read_pcap(root + "/pcaps/rtp/rtp-random-loss-2pct.pcap") if t < 3.0]

    def tcp_flags(p):
        return p[ETH + (p[ETH] & 0x0F) * 4 + 13] if p[ETH + 9] == 6 else 0

    tls_open = [(t, p) for t, p in tls if not tcp_flags(p) & 0x05]  # no FIN, no RST
    lo1, lo2 = ip4(127, 0, 0, 1), ip4(127, 0, 0, 2)
    tls_cport = struct.unpack("!H", tls[0][1][ETH + 20:ETH + 22])[0]
    sip_cport = 5070
    rtp_src = bytes(rtp[0][1][ETH + 12:ETH + 16])
    rtp_sport = struct.unpack("!H", rtp[0][1][ETH + 20:ETH + 22])[0]

    recs = []
    n = 0
    start = 1767225600.0  # 2026-01-01T00:00:00Z
    for sec in range(int(seconds)):
        for k in range(20):  # TLS
            n += 1
            base = start + sec + k * 0.05
            cip, sip_ = ip4(10, 60 + (n >> 16) % 64, (n >> 8) & 255, n & 255), ip4(10, 2, 0, 1 + k % 4)
            tpl = tls_open if k % 4 == 3 else tls
            for t, p in tpl:
                recs.append((base + t, rewrite(p, cip, sip_, 20000 + n % 40000, lo1, tls_cport)))
        for k in range(15):  # 415, then 5 never answered
            n += 1
            base = start + sec + k * 0.066
            cip, sip_ = ip4(10, 70 + (n >> 16) % 64, (n >> 8) & 255, n & 255), ip4(10, 2, 1, 1)
            cid = b"s%x" % n
            tpl = refused if k < 10 else refused[:1]
            for t, p in tpl:
                recs.append((base + t, rewrite(p, cip, sip_, sip_cport, lo1, sip_cport, call_id=cid)))
        for k in range(10):  # answered, with RTP
            n += 1
            base = start + sec + k * 0.1
            cip, sip_ = ip4(10, 80 + (n >> 16) % 64, (n >> 8) & 255, n & 255), ip4(10, 2, 2, 1)
            cid = b"a%x" % n
            for t, p in answered:
                recs.append((base + t, rewrite(p, cip, sip_, sip_cport, lo1, sip_cport, call_id=cid)))
            for t, p in rtp:
                recs.append((base + 0.01 + t, rewrite(p, cip, sip_, 30000 + n % 30000, rtp_src, rtp_sport,
                                                      ssrc=0x10000000 + n)))
    recs.sort(key=lambda r: r[0])
    with open(out, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for t, p in recs:
            sec = int(t)
            usec = int(round((t - sec) * 1e6))
            if usec >= 1000000:
                sec, usec = sec + 1, usec - 1000000
            f.write(struct.pack("<IIII", sec, usec, len(p), len(p)))
            f.write(p)
    print("%s: %d packets, %d objects" % (out, len(recs), n))


if __name__ == "__main__":
    main()
