#!/usr/bin/env python3
"""rtp_send.py: a small real RTP sender (RFC 3550) over UDP, with loss patterns for sipsec's traces.

It paces G.711 packets in real time on a UDP socket, so a capture of it
(tcpdump) is a real trace. Loss is applied at the sender: a "lost" packet
spends its sequence number and timestamp but is never sent, exactly what a
network drop looks like to the receiver. Silence suppression, by contrast,
spends no sequence number and sets the marker bit on the next packet.

Examples:
  rtp_send.py --dst 127.0.0.1:40002 --duration 10
  rtp_send.py --dst 10.99.0.2:40002 --pattern 3000:1000     # 1 s lost after every 3 s
  rtp_send.py --dst 127.0.0.1:40004 --random-loss 2 --seed 7
  rtp_send.py --dst 127.0.0.1:40006 --outage 5000:5000      # 5 s lost from t=5 s
  rtp_send.py --dst 127.0.0.1:40008 --seq-start 65000       # wraps after 536 packets
  rtp_send.py --dst 127.0.0.1:40010 --swap-every 50 --dup-every 70
  rtp_send.py --dst 10.77.0.2:40002 --payload tone            # speech-like G.711, not silence
  rtp_send.py --dst 10.77.0.2:40002 --payload tone --srtp KEY  # SRTP by libsrtp2 (python3-pylibsrtp)

--srtp takes the 30-byte SDES master key and salt in base64 (a=crypto inline:,
AES_CM_128_HMAC_SHA1_80): each packet is protected by libsrtp2 itself, so the
payload is AES-CM encrypted and carries a real 10-byte HMAC-SHA1 tag.
"""
import argparse
import base64
import math
import random
import socket
import struct
import time


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dst", required=True, help="host:port")
    ap.add_argument("--src-port", type=int, default=0)
    ap.add_argument("--bind", default="", help="source address")
    ap.add_argument("--duration", type=float, default=10.0, help="seconds of stream")
    ap.add_argument("--ptime", type=int, default=20, help="ms per packet")
    ap.add_argument("--pt", type=int, default=0, help="payload type (0 PCMU, 8 PCMA)")
    ap.add_argument("--clock", type=int, default=8000)
    ap.add_argument("--ssrc", type=lambda s: int(s, 0), default=0x5151C0DE)
    ap.add_argument("--seq-start", type=int, default=1000)
    ap.add_argument("--ts-start", type=int, default=160000)
    ap.add_argument("--pattern", help="AUDIO_MS:GAP_MS periodic loss, e.g. 3000:1000")
    ap.add_argument("--pattern-offset", type=int, default=0, help="ms into the pattern at start")
    ap.add_argument("--random-loss", type=float, default=0.0, help="percent")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--outage", help="START_MS:LEN_MS, one long loss")
    ap.add_argument("--silence", help="AUDIO_MS:SILENT_MS periodic silence suppression")
    ap.add_argument("--swap-every", type=int, default=0, help="send packet pairs swapped every N")
    ap.add_argument("--dup-every", type=int, default=0, help="send a duplicate every N packets")
    ap.add_argument("--rtcp-every", type=int, default=0, help="send an RTCP SR on port+1 every N packets")
    ap.add_argument("--payload", choices=("silence", "tone"), default="silence",
                    help="silence (constant bytes) or a speech-like tone under a syllable envelope")
    ap.add_argument("--srtp", help="protect with libsrtp2: base64 master key+salt (30 bytes)")
    return ap.parse_args()


def rtp_packet(a, seq, ts, marker, payload):
    b0 = 0x80
    b1 = (0x80 if marker else 0) | (a.pt & 0x7F)
    return struct.pack("!BBHII", b0, b1, seq & 0xFFFF, ts & 0xFFFFFFFF, a.ssrc) + payload


def rtcp_sr(a, ts, sent_pkts, sent_bytes):
    ntp = time.time() + 2208988800
    body = struct.pack("!IIIIII", a.ssrc, int(ntp), int((ntp % 1) * (1 << 32)), ts & 0xFFFFFFFF,
                       sent_pkts, sent_bytes)
    return struct.pack("!BBH", 0x80, 200, len(body) // 4) + body


def ulaw(sample):
    """G.711 mu-law of a 16-bit linear sample."""
    sign = 0x80 if sample < 0 else 0
    s = min(abs(int(sample)), 32635) + 0x84
    exp = 7
    mask = 0x4000
    while exp > 0 and not s & mask:
        exp -= 1
        mask >>= 1
    mant = (s >> (exp + 3)) & 0x0F
    return ~(sign | (exp << 4) | mant) & 0xFF


def tone_frame(a, index, samples, rng):
    """One frame of a voiced sound: two harmonics, a 3 Hz syllable envelope, some noise."""
    out = bytearray()
    for j in range(samples):
        t = (index * samples + j) / a.clock
        env = 0.15 + 0.85 * abs(math.sin(2 * math.pi * 1.5 * t))
        x = env * (7000 * math.sin(2 * math.pi * 220 * t) + 2500 * math.sin(2 * math.pi * 660 * t))
        x += rng.uniform(-300, 300)
        out.append(ulaw(x) if a.pt == 0 else ulaw(x) ^ 0x55)  # PCMA: even bits inverted (close enough)
    return bytes(out)


def srtp_session(key_b64):
    from pylibsrtp import Policy, Session  # Debian python3-pylibsrtp (libsrtp2)
    key = base64.b64decode(key_b64)
    if len(key) != 30:
        raise SystemExit("--srtp: the key must be 30 bytes (16 key + 14 salt) in base64")
    return Session(policy=Policy(key=key, ssrc_type=Policy.SSRC_ANY_OUTBOUND,
                                 srtp_profile=Policy.SRTP_PROFILE_AES128_CM_SHA1_80))


def main():
    a = parse_args()
    host, port = a.dst.rsplit(":", 1)
    port = int(port)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((a.bind, a.src_port))
    rtcp = None
    if a.rtcp_every:
        rtcp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        rtcp.bind((a.bind, sock.getsockname()[1] + 1))
    rng = random.Random(a.seed)
    samples = a.clock * a.ptime // 1000
    n = int(a.duration * 1000 / a.ptime)
    payload = bytes([0xFF if a.pt == 0 else 0xD5]) * samples
    tone_rng = random.Random(a.seed + 1)
    srtp = srtp_session(a.srtp) if a.srtp else None
    pattern = tuple(int(x) for x in a.pattern.split(":")) if a.pattern else None
    outage = tuple(int(x) for x in a.outage.split(":")) if a.outage else None
    silence = tuple(int(x) for x in a.silence.split(":")) if a.silence else None
    seq, ts = a.seq_start, a.ts_start
    held = None          # a packet held back to be sent after its successor
    marker_next = True   # first packet of a talk spurt
    sent = 0
    start = time.monotonic()
    for i in range(n):
        t_ms = i * a.ptime
        due = start + t_ms / 1000.0
        delay = due - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        if silence and t_ms % sum(silence) >= silence[0]:
            ts += samples            # time runs, sequence numbers do not
            marker_next = True
            continue
        lost = False
        if pattern:
            u = (t_ms + a.pattern_offset) % sum(pattern)
            lost = u >= pattern[0]
        if outage and outage[0] <= t_ms < outage[0] + outage[1]:
            lost = True
        if a.random_loss and rng.random() * 100 < a.random_loss:
            lost = True
        if a.payload == "tone":
            payload = tone_frame(a, i, samples, tone_rng)
        pkt = rtp_packet(a, seq, ts, marker_next, payload)
        if srtp is not None:
            pkt = srtp.protect(pkt)
        marker_next = False
        seq += 1
        ts += samples
        if lost:
            continue
        if a.swap_every and i % a.swap_every == a.swap_every - 1 and held is None:
            held = pkt
            continue
        sock.sendto(pkt, (host, port))
        sent += 1
        if held is not None:
            sock.sendto(held, (host, port))
            sent += 1
            held = None
        if a.dup_every and i % a.dup_every == a.dup_every - 1:
            sock.sendto(pkt, (host, port))
        if rtcp and sent % a.rtcp_every == 0:
            rtcp.sendto(rtcp_sr(a, ts, sent, sent * len(payload)), (host, port + 1))
    if held is not None:
        sock.sendto(held, (host, port))


if __name__ == "__main__":
    main()
