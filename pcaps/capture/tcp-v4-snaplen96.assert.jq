# Written by pcaps/make-capture-traces.sh from TShark 4.0.17 and capinfos;
# independent of tcp-v4-snaplen96.json. One jq expression per line, each must be true.
.input.packets == 24
.input.link_types == ["EN10MB"]
.input.truncated_packets == 8
.input.first_time | startswith("2026-11-23T02:40:43.835489")
.input.last_time | startswith("2026-11-23T02:40:43.857939")
.stats.tcp_connections == 1
any(.findings[]; .code == "CAPTURE_TRUNCATED")
# Reassembly (tools/stream_facts.sh): cut segments are missing bytes, reported as a gap.
.stats.debug_streams[0].bytes_c2s == 0
.stats.debug_streams[0].gap_bytes == 8000
