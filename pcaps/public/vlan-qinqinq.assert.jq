# Facts from MANIFEST.md, capinfos and tshark (see vlan-qinqinq.md). One jq expression per line.
.input.packets == 14
.input.link_types == ["EN10MB"]
.stats.ipv4_packets == 14
.stats.tcp_packets == 14
