#!/usr/bin/python3
"""udp-impair.py LISTEN_IP PORT SERVER_IP PLAN [IDLE_S]: a UDP relay between one client and a
server that impairs the server -> client direction as PLAN says, so a capture on the client's
side shows what a lossy network does to a DTLS flight: reordered, duplicated and lost
datagrams, and the server's retransmissions (RFC 6347 4.2.4) after a loss.

The client sends to LISTEN_IP:PORT; datagrams go on to SERVER_IP:PORT unchanged. PLAN is a
comma-separated list over the server's datagrams, numbered from 1 in the order the server
sent them:
    drop:N      never deliver datagram N (the server times out and retransmits its flight)
    dup:N       deliver datagram N twice
    swap:N      hold datagram N and deliver it after datagram N+1
Exits after IDLE_S seconds (default 3) without traffic.
"""
import select
import socket
import sys


def main():
    listen_ip, port, server_ip, plan = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    idle = float(sys.argv[5]) if len(sys.argv) > 5 else 3.0
    drop, dup, swap = set(), set(), set()
    for item in filter(None, plan.split(",")):
        what, n = item.split(":")
        {"drop": drop, "dup": dup, "swap": swap}[what].add(int(n))

    front = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    front.bind((listen_ip, port))
    back = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    back.bind((listen_ip, 0))
    back.connect((server_ip, port))
    client = None
    held = None
    n = 0
    while True:
        ready, _, _ = select.select([front, back], [], [], idle)
        if not ready:
            return
        if front in ready:
            data, client = front.recvfrom(65535)
            back.send(data)
        if back in ready and client is not None:
            try:
                data = back.recv(65535)
            except ConnectionRefusedError:  # the server is gone
                return
            n += 1
            if n in drop:
                continue
            if n in swap:
                held = data
                continue
            front.sendto(data, client)
            if n in dup:
                front.sendto(data, client)
            if held is not None:
                front.sendto(held, client)
                held = None


if __name__ == "__main__":
    main()
