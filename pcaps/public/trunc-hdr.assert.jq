# Facts from MANIFEST.md, capinfos and tshark (see trunc-hdr.md). One jq expression per line.
.input.packets == 1
.input.link_types == ["EN10MB"]
.input.truncated_packets == 1
any(.findings[]; .code == "CAPTURE_TRUNCATED")
