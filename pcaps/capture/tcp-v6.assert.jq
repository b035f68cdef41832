# Written by pcaps/make-capture-traces.sh from TShark 4.0.17 and capinfos;
# independent of tcp-v6.json. One jq expression per line, each must be true.
.input.packets == 32
.input.link_types == ["EN10MB"]
.input.truncated_packets == 0
.input.first_time | startswith("2026-11-23T02:40:00.271065")
.input.last_time | startswith("2026-11-23T02:40:00.297503")
.stats.tcp_connections == 1
.stats.tcp_packets == .input.packets
.stats.ipv6_packets == .input.packets
# Reassembly (tools/stream_facts.sh): the stream is the sender's 12000-byte pattern, whole.
.stats.debug_streams | length == 1
.stats.debug_streams[0].bytes_c2s == 12000
.stats.debug_streams[0].sha256_c2s == "d15b3daf289de1d12313babb06ea1ed936d22bb2ea6cdb7606d97b9442683af5"
.stats.debug_streams[0].bytes_s2c == 17
.stats.debug_streams[0].gaps == 0
.stats.debug_streams[0].closed_by == "fin"
