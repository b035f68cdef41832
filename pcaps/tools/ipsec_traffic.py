#!/usr/bin/python3
"""ipsec_traffic.py SRC DST SPI SECONDS: what an IPsec policy puts on the wire between two hosts,
sent with python3-scapy through the kernel's raw IP socket: an IKEv2 IKE_SA_INIT (request from the
host whose address ends in .1, response from the other), ESP with SPI every 250 ms (sequence
1, 2, ...; random pseudo-ciphertext), and one INFORMATIONAL exchange (dead-peer detection) at the
40th ESP packet. Run once on each host, with its own SPI."""
import os
import sys
import time

from scapy.all import ESP, IP, ISAKMP, UDP, Raw, conf, send

conf.verb = 0
src, dst, spi, dur = sys.argv[1], sys.argv[2], int(sys.argv[3], 0), float(sys.argv[4])
cookie = bytes.fromhex("5a17c0de00000001")


def ike(exch, resp):
    rc = bytes.fromhex("7e57c0de00000002") if resp else bytes(8)
    send(IP(src=src, dst=dst) / UDP(sport=500, dport=500) /
         ISAKMP(init_cookie=cookie, resp_cookie=rc, next_payload=33, version=0x20,
                exch_type=exch, flags=0x20 if resp else 0x08) / Raw(os.urandom(200)))


initiator = src.endswith(".1")
if initiator:
    ike(34, False)          # IKE_SA_INIT request
else:
    time.sleep(0.05)
    ike(34, True)           # IKE_SA_INIT response
start = time.monotonic()
n = 1
while time.monotonic() - start < dur:
    send(IP(src=src, dst=dst) / ESP(spi=spi, seq=n) / Raw(os.urandom(120)))
    n += 1
    if n == 40:
        ike(37, not initiator)  # INFORMATIONAL
    time.sleep(0.25)
