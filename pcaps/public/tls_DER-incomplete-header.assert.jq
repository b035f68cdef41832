# Facts from MANIFEST.md, capinfos and tshark (see tls_DER-incomplete-header.md). One jq expression per line.
.input.packets == 6
.input.link_types == ["EN10MB"]
.input.damaged == true
any(.findings[]; .code == "CAPTURE_TRUNCATED")
