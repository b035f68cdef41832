#!/usr/bin/python3
"""esp_send.py SRC DST SPI COUNT [4500]: COUNT ESP packets (sequence 1..COUNT, 64 bytes of
fixed pseudo-ciphertext each) from SRC to DST through the kernel's raw IP socket (scapy send);
with 4500, ESP-in-UDP (RFC 3948, ports 4500->4500, no non-ESP marker)."""
import sys
import time

from scapy.all import ESP, IP, UDP, Raw, conf, send

conf.verb = 0
src, dst, spi, count = sys.argv[1], sys.argv[2], int(sys.argv[3], 0), int(sys.argv[4])
natt = len(sys.argv) > 5 and sys.argv[5] == "4500"
for seq in range(1, count + 1):
    body = ESP(spi=spi, seq=seq) / Raw(bytes((seq * 7 + i) & 0xFF for i in range(64)))
    pkt = IP(src=src, dst=dst) / (UDP(sport=4500, dport=4500) / body if natt else body)
    send(pkt)
    time.sleep(0.05)
