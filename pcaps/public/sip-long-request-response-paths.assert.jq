# Facts from MANIFEST.md, capinfos and tshark (see sip-long-request-response-paths.md). One jq expression per line.
.input.packets == 2
.input.link_types == ["IPV4"]
.stats.ipv4_packets == 2
