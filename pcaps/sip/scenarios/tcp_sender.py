#!/usr/bin/env python3
"""tcp_sender.py: a SIP caller over TCP that controls send() boundaries.

The INVITE goes out in three send() calls (headers split mid-line, body
split), with TCP_NODELAY and pauses so each becomes its own segment; later
ACK and BYE go out in one send(), so one segment carries two messages.
Used by pcaps/make-sip-traces.sh against a sipp uas-200 on TCP.
"""
import re
import socket
import sys
import time

SERVER = (sys.argv[1] if len(sys.argv) > 1 else "127.0.0.2", 5060)
LOCAL = sys.argv[2] if len(sys.argv) > 2 else "127.0.0.1"
CALL_ID = "split-1@sipsec.test"

SDP = ("v=0\r\no=alice 1 1 IN IP4 {ip}\r\ns=-\r\nc=IN IP4 {ip}\r\nt=0 0\r\n"
       "m=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n")


def message(first, cseq, lport, to_tag="", body=""):
    to = "<sip:service@%s:5060>%s" % (SERVER[0], (";tag=" + to_tag) if to_tag else "")
    head = (first + "\r\n"
            "Via: SIP/2.0/TCP %s:%d;branch=z9hG4bK-%s\r\n" % (LOCAL, lport, cseq.replace(" ", "-").lower()) +
            "From: \"Alice\" <sip:alice@%s>;tag=alice-1\r\n" % LOCAL +
            "To: %s\r\n" % to +
            "Call-ID: %s\r\n" % CALL_ID +
            "CSeq: %s\r\n" % cseq +
            "Contact: <sip:alice@%s:%d;transport=tcp>\r\n" % (LOCAL, lport) +
            "Max-Forwards: 70\r\n")
    if body:
        head += "Content-Type: application/sdp\r\n"
    return (head + "Content-Length: %d\r\n\r\n" % len(body.encode()) + body).encode()


def read_until(sock, pattern, buf, timeout=5.0):
    sock.settimeout(timeout)
    end = time.time() + timeout
    while not re.search(pattern, buf) and time.time() < end:
        chunk = sock.recv(65536)
        if not chunk:
            break
        buf += chunk
    return buf


def main():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    s.bind((LOCAL, 0))
    s.connect(SERVER)
    lport = s.getsockname()[1]
    uri = "sip:service@%s:5060" % SERVER[0]
    inv = message("INVITE %s SIP/2.0" % uri, "1 INVITE", lport, body=SDP.format(ip=LOCAL))
    cut1, cut2 = 57, len(inv) - 40        # mid-header, then mid-body
    for part in (inv[:cut1], inv[cut1:cut2], inv[cut2:]):
        s.send(part)
        time.sleep(0.2)
    buf = read_until(s, rb"SIP/2\.0 200[^\r]*\r\n(?:.*\r\n)*?\r\n", b"")
    m = re.search(rb"\r\nTo:[^\r]*;tag=([^;\r>]+)", buf[buf.find(b"SIP/2.0 200"):])
    if not m:
        sys.exit("no 200 with a To tag: %r" % buf[-300:])
    tag = m.group(1).decode()
    ack = message("ACK %s SIP/2.0" % uri, "1 ACK", lport, tag)
    bye = message("BYE %s SIP/2.0" % uri, "2 BYE", lport, tag)
    time.sleep(0.3)
    s.send(ack + bye)                      # two messages, one segment
    read_until(s, rb"CSeq: 2 BYE", b"")
    time.sleep(0.2)
    s.close()


if __name__ == "__main__":
    main()
