# Facts from MANIFEST.md, capinfos and tshark (see suricata_decode-sll2-01.md). One jq expression per line.
.input.packets == 5
.input.link_types == ["LINUX_SLL2"]
