# Facts from MANIFEST.md, capinfos and tshark (see tls-client-auth.md). One jq expression per line.
.input.packets == 22
.input.link_types == ["NULL"]
.stats.ipv6_packets == 22
.stats.tcp_connections == 1
