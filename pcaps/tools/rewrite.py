#!/usr/bin/python3
"""rewrite.py: derive variants from a real capture with python3-scapy (Debian's /usr/bin/python3).

  rewrite.py qinq IN OUT OUTER INNER   put an 802.1ad S-tag (0x88a8, VLAN OUTER) and an 802.1Q
                                       C-tag (VLAN INNER) between the MAC addresses and the
                                       original EtherType of every Ethernet frame
  rewrite.py reorder IN OUT            swap the 2nd and 3rd TCP data segments of the first
                                       sender with payload, keeping the time slots in order,
                                       so the capture shows data arriving out of order

Timestamps are kept to the microsecond; the link type of IN is kept.
"""
import sys

from scapy.all import PcapReader, PcapWriter
from scapy.layers.inet import TCP
from scapy.layers.l2 import Dot1AD, Dot1Q, Ether


def read(path):
    with PcapReader(path) as r:
        lt = r.linktype
        return lt, list(r)


def write(path, lt, pkts):
    w = PcapWriter(path, linktype=lt, sync=True)
    for p in pkts:
        w.write(p)
    w.close()


def qinq(src, dst, outer, inner):
    lt, pkts = read(src)
    out = []
    for p in pkts:
        e = p[Ether]
        q = (Ether(src=e.src, dst=e.dst, type=0x88A8) /
             Dot1AD(vlan=outer, type=0x8100) /
             Dot1Q(vlan=inner, type=e.type) / e.payload)
        q = Ether(bytes(q))
        q.time = p.time
        out.append(q)
    write(dst, lt, out)


def reorder(src, dst):
    lt, pkts = read(src)
    data = [i for i, p in enumerate(pkts) if TCP in p and len(p[TCP].payload) > 0]
    if len(data) < 4:
        sys.exit("reorder: fewer than 4 TCP data segments in " + src)
    sender = (pkts[data[0]].sport)
    mine = [i for i in data if pkts[i].sport == sender]
    a, b = mine[1], mine[2]
    ta, tb = pkts[a].time, pkts[b].time
    pkts[a], pkts[b] = pkts[b], pkts[a]
    pkts[a].time, pkts[b].time = ta, tb
    write(dst, lt, pkts)
    print("reorder: swapped frames %d and %d" % (a + 1, b + 1))


def main(argv):
    if len(argv) == 6 and argv[1] == "qinq":
        qinq(argv[2], argv[3], int(argv[4]), int(argv[5]))
    elif len(argv) == 4 and argv[1] == "reorder":
        reorder(argv[2], argv[3])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
