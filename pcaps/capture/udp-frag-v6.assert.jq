# Written by pcaps/make-capture-traces.sh from TShark 4.0.17 and capinfos;
# independent of udp-frag-v6.json. One jq expression per line, each must be true.
.input.packets == 9
.input.link_types == ["EN10MB"]
.input.truncated_packets == 0
.input.first_time | startswith("2026-11-23T02:40:17.554688")
.input.last_time | startswith("2026-11-23T02:40:17.583230")
.stats.ipv6_packets == 9
.stats.ip_fragments == 9
.stats.ip_reassembled == 3
.stats.udp_packets == 3
