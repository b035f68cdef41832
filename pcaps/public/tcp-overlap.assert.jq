# Facts from MANIFEST.md, capinfos and tshark (see tcp-overlap.md). One jq expression per line.
.input.packets == 7
.input.link_types == ["EN10MB"]
.stats.tcp_packets == 7
